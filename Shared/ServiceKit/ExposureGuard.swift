import Logging

/// Applies `ExposureRule` when a service starts, before it binds anything: refuses to start,
/// naming every gap, or — under `--insecure-open` — starts and says so in a warning, at every
/// start, so an open suite never goes unnoticed in its logs.
public enum ExposureGuard {
    /// The service's HTTP server and its ZeroMQ endpoints, as `common` places them, plus
    /// `extra` listeners of its own (the collector's ingest endpoint).
    public static func listeners(_ common: CommonOptions, extra: [ExposureRule.Listener] = []) -> [ExposureRule.Listener] {
        [
            ExposureRule.Listener(name: "HTTP (--http-host)", host: common.httpHost),
            ExposureRule.Listener(
                name: "ZeroMQ endpoints (--bind-host)", host: common.bindHost,
                curve: ExposureRule.Curve(on: !common.curveDir.isEmpty, flag: ExposureRule.curveDirFlag)),
        ] + extra
    }

    public static func enforce(
        service: String, common: CommonOptions, requireAuth: Bool, extra: [ExposureRule.Listener] = [], logger: Logger
    ) throws(ServiceStartupError) {
        switch ExposureRule.decide(listeners: listeners(common, extra: extra), requireAuth: requireAuth, insecureOpen: common.insecureOpen) {
        case .start:
            return
        case .startInsecure(let gaps) where gaps.isEmpty:
            logger.warning("started with --insecure-open, though every address off the loopback is protected; drop the flag")
        case .startInsecure(let gaps):
            logger.warning(
                "started with --insecure-open: anyone who reaches these addresses can read and write without credentials",
                metadata: ["open": "\(gaps.map(\.description).joined(separator: "; "))"])
        case .refuse(let gaps):
            throw ServiceStartupError(
                "\(service) refuses to start: \(gaps.map(\.description).joined(separator: "; ")). "
                    + "Turn those on, listen on 127.0.0.1, or start with \(ExposureRule.insecureOpenFlag) to run open on purpose.")
        }
    }
}
