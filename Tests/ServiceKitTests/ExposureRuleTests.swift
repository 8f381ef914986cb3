import Testing

@testable import ServiceKit

/// The secure-by-default rule: loopback starts as it is; any other address needs
/// `--require-auth`, and CURVE on ZeroMQ, unless `--insecure-open` says otherwise.
@Suite struct ExposureRuleTests {
    typealias Rule = ExposureRule

    static func listeners(http: String, zeroMQ: String, curve: Bool) -> [Rule.Listener] {
        [
            Rule.Listener(name: "HTTP", host: http),
            Rule.Listener(name: "ZeroMQ", host: zeroMQ, curve: Rule.Curve(on: curve, flag: Rule.curveDirFlag)),
        ]
    }

    @Test(arguments: ["127.0.0.1", "127.1.2.3", "localhost", "LOCALHOST", "::1", "[::1]", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1"])
    func loopbackAddresses(_ host: String) {
        #expect(Rule.isLoopback(host))
    }

    @Test(arguments: ["0.0.0.0", "::", "*", "10.0.0.5", "192.168.1.1", "128.0.0.1", "::2", "eth0", "example.com", "", "126.255.255.255"])
    func otherAddressesCountAsOpen(_ host: String) {
        #expect(!Rule.isLoopback(host))
    }

    @Test func loopbackStartsWithoutAnyProtection() {
        #expect(Rule.decide(listeners: Self.listeners(http: "127.0.0.1", zeroMQ: "127.0.0.1", curve: false), requireAuth: false, insecureOpen: false) == .start)
    }

    @Test func httpOffLoopbackNeedsAuthentication() {
        let decision = Rule.decide(listeners: Self.listeners(http: "0.0.0.0", zeroMQ: "127.0.0.1", curve: false), requireAuth: false, insecureOpen: false)
        #expect(decision == .refuse([Rule.Gap(listener: "HTTP", host: "0.0.0.0", missing: Rule.requireAuthFlag)]))
        #expect(Rule.decide(listeners: Self.listeners(http: "0.0.0.0", zeroMQ: "127.0.0.1", curve: false), requireAuth: true, insecureOpen: false) == .start)
    }

    @Test func zeroMQOffLoopbackNeedsAuthenticationAndCurve() {
        let open = Self.listeners(http: "127.0.0.1", zeroMQ: "10.1.2.3", curve: false)
        #expect(
            Rule.decide(listeners: open, requireAuth: false, insecureOpen: false)
                == .refuse([
                    Rule.Gap(listener: "ZeroMQ", host: "10.1.2.3", missing: Rule.requireAuthFlag),
                    Rule.Gap(listener: "ZeroMQ", host: "10.1.2.3", missing: Rule.curveDirFlag),
                ]))
        #expect(
            Rule.decide(listeners: open, requireAuth: true, insecureOpen: false)
                == .refuse([Rule.Gap(listener: "ZeroMQ", host: "10.1.2.3", missing: Rule.curveDirFlag)]))
        #expect(Rule.decide(listeners: Self.listeners(http: "0.0.0.0", zeroMQ: "0.0.0.0", curve: true), requireAuth: true, insecureOpen: false) == .start)
    }

    @Test func insecureOpenStartsAndListsWhatIsOpen() {
        let gaps = [Rule.Gap(listener: "HTTP", host: "0.0.0.0", missing: Rule.requireAuthFlag)]
        #expect(Rule.decide(listeners: Self.listeners(http: "0.0.0.0", zeroMQ: "::1", curve: false), requireAuth: false, insecureOpen: true) == .startInsecure(gaps))
        // Given when nothing is open it still starts insecure, so the warning shows at every start.
        #expect(Rule.decide(listeners: Self.listeners(http: "127.0.0.1", zeroMQ: "127.0.0.1", curve: false), requireAuth: false, insecureOpen: true) == .startInsecure([]))
    }

    @Test func aGapSaysWhereAndWhatIsMissing() {
        let gap = Rule.Gap(listener: "HTTP (--http-host)", host: "0.0.0.0", missing: Rule.requireAuthFlag)
        #expect(gap.description == "HTTP (--http-host) listens on 0.0.0.0, not the loopback, without --require-auth (env CM_REQUIRE_AUTH=1)")
    }
}
