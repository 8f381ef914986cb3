import Foundation
import ServiceKit
import Synchronization
import TestPorts

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The five real executables started as processes on loopback, with their stores in a fresh
/// temporary folder and ports of their own, so tests neither mock anything nor collide with a
/// suite a developer has running.
final class SuiteProcess: @unchecked Sendable {
    /// The services, as topology/suite.json lists them (upstream first).
    typealias Service = Topology.Service
    typealias PortName = Topology.PortName

    /// The ports of the first process of every service: one of this suite's own for each port
    /// `Topology` gives the service (the defaults would collide with other suites and with a
    /// suite a developer runs).
    struct Ports: Sendable {
        private var numbers: [Service: [PortName: Int]]

        /// The port of `service` for `name`; 0 (nothing listens there) if the service has none.
        subscript(service: Service, name: PortName) -> Int { numbers[service]?[name] ?? 0 }

        var collectorHTTP: Int { self[.collector, .http] }
        var collectorIngest: Int { self[.collector, .ingest] }
        var collectorOutbox: Int { self[.collector, .outbox] }
        var collectorControl: Int { self[.collector, .control] }
        var preprocessorHTTP: Int { self[.preprocessor, .http] }
        var preprocessorOutbox: Int { self[.preprocessor, .outbox] }
        var preprocessorControl: Int { self[.preprocessor, .control] }
        var calculatorHTTP: Int { self[.calculator, .http] }
        var calculatorOutbox: Int { self[.calculator, .outbox] }
        var calculatorControl: Int { self[.calculator, .control] }
        var reporterHTTP: Int { self[.reporter, .http] }
        var reporterControl: Int { self[.reporter, .control] }
        var authHTTP: Int { self[.auth, .http] }
        var authControl: Int { self[.auth, .control] }

        /// Ports handed out so far in this test process: suites run in parallel, so each port is
        /// given out once, counting up from a random start below Linux's ephemeral range, and
        /// only when no other test process on the machine holds it (`MachinePorts`).
        private static let next = Mutex<Int>(20_000 + Int.random(in: 0..<80) * 100)
        static func allocateReplica(_ service: Service) -> ReplicaPorts {
            ReplicaPorts(numbers: Dictionary(uniqueKeysWithValues: Topology.ports(of: service).map { ($0.name, free()) }))
        }

        private static func free() -> Int {
            next.withLock { port in
                repeat {
                    port = port >= 32_000 ? 20_000 : port + 1
                } while !SuiteProcess.bindable(port) || !MachinePorts.claim(port)
                return port
            }
        }

        static func allocate() -> Ports {
            var numbers: [Service: [PortName: Int]] = [:]
            for port in Topology.ports { numbers[port.service, default: [:]][port.name] = free() }
            return Ports(numbers: numbers)
        }
    }

    /// Ports of a scaled-out replica beyond the first (whose ports are in `Ports`).
    struct ReplicaPorts: Sendable {
        var numbers: [PortName: Int]
        var http: Int { numbers[.http] ?? 0 }
    }

    let dataDir: URL
    let ports: Ports
    /// Replica counts of the two scalable stages (each replica owns one shard).
    let preprocessors: Int
    let calculators: Int
    /// Standby replicas of each scalable stage beyond one per shard. With any, every replica of
    /// those stages runs `--shard auto --shards N` and claims a free shard's store itself.
    let standbys: Int
    private var replicaPorts: [String: ReplicaPorts] = [:]
    let binDir: URL
    var extraArguments: [Service: [String]] = [:]
    /// Environment variables a service is started with, on top of this test process's own.
    var environment: [Service: [String: String]] = [:]
    /// The CURVE key folder, made by the real `auth generate-curve-keys`, when the suite was
    /// created with `curve: true`.
    let curveDir: URL?
    /// Services started with `--curve-dir`: CURVE on every link they serve or open. All of
    /// them with `curve: true`; a test may take one out to see it cut off.
    var curveServices: Set<Service> = []
    private var processes: [Service: Process] = [:]
    /// scrypt cost (log2 N) auth hashes passwords with. Low by default, so the many logins of
    /// the suite cost little CPU; `nil` runs auth at its real cost (a test of its own does).
    var passwordHashCost: Int? = 10
    /// Whether this suite holds one of `SuiteSlots`' slots (from its first start to `stopAll`).
    private var holdsSlot = false
    /// The token or API key the suite's own helpers (`waitDrained`, `json`) present, for suites
    /// started with `--require-auth`.
    var credential: String?

    init(extraArguments: [Service: [String]] = [:], preprocessors: Int = 1, calculators: Int = 1, standbys: Int = 0, curve: Bool = false) throws {
        dataDir = FileManager.default.temporaryDirectory.appendingPathComponent("carbonmeter-test-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dataDir, withIntermediateDirectories: true)
        ports = Ports.allocate()
        self.preprocessors = preprocessors
        self.calculators = calculators
        self.standbys = standbys
        for service in Topology.scalable {
            let count = service == .preprocessor ? preprocessors : calculators
            for k in 1..<max(1, count + standbys) { replicaPorts["\(service.rawValue)-\(k + 1)"] = Ports.allocateReplica(service) }
        }
        binDir = SuiteProcess.locateBinaries()
        self.extraArguments = extraArguments
        if curve {
            let folder = dataDir.appendingPathComponent("curve")
            try SuiteProcess.generateCurveKeys(binDir: binDir, into: folder)
            curveDir = folder
            curveServices = Set(Service.allCases)
        } else {
            curveDir = nil
        }
    }

    /// Runs `auth generate-curve-keys` into `folder`.
    static func generateCurveKeys(binDir: URL, into folder: URL) throws {
        let process = Process()
        process.executableURL = binDir.appendingPathComponent("auth")
        process.arguments = ["generate-curve-keys", folder.path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw SuiteError("auth generate-curve-keys failed: \(text)") }
    }

    /// The build products folder: `CM_BIN_DIR`, or the folder of the running test bundle.
    static func locateBinaries() -> URL {
        if let dir = ProcessInfo.processInfo.environment["CM_BIN_DIR"] { return URL(fileURLWithPath: dir) }
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        while url.path != "/" {
            if FileManager.default.isExecutableFile(atPath: url.appendingPathComponent("collector").path) { return url }
            url.deleteLastPathComponent()
        }
        // Fall back to the package's debug build folder.
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".build/debug")
    }

    /// A network namespace a service runs in, as if on a host of its own, and its address there.
    struct Host: Sendable {
        var namespace: String
        var address: String
    }

    /// Where each service runs; services not named here run on 127.0.0.1 in this namespace.
    var placement: [Service: Host] = [:]

    func address(_ service: Service) -> String { placement[service]?.address ?? "127.0.0.1" }

    private func endpoint(_ service: Service, _ port: Int) -> String { "tcp://\(address(service)):\(port)" }

    /// The port `name` of a stage's process `replica` (0-based; the first's is in `ports`).
    private func port(_ service: Service, _ name: PortName, replica: Int) -> Int? {
        replica == 0 ? ports[service, name] : replicaPorts["\(service.rawValue)-\(replica + 1)"]?.numbers[name]
    }

    /// The value of an upstream link: every process of every target, upstream first, each named
    /// by its service when the link is (so the reporter and auth know its CURVE key).
    private func value(of link: Topology.Link) -> String {
        link.targets.flatMap { target in
            (0..<max(1, processCount(target.service))).compactMap { k in
                port(target.service, target.port, replica: k).map {
                    (link.named ? "\(target.service.rawValue)=" : "") + endpoint(target.service, $0)
                }
            }
        }
        .joined(separator: ",")
    }

    /// A process's command line: its ports and upstream links with the flags `Topology` names,
    /// then what only tests set.
    func arguments(for service: Service, replica: Int = 0) -> [String] {
        var args = ["--data-dir", dataDir.path, "--log-level", "info"]
        if let host = placement[service] { args += ["--bind-host", host.address, "--http-host", host.address] }
        if let curveDir, curveServices.contains(service) { args += ["--curve-dir", curveDir.path] }
        for described in Topology.ports(of: service) {
            args += [described.flag, "\(port(service, described.name, replica: replica) ?? 0)"]
        }
        for link in Topology.links(of: service) { args += [link.flag, value(of: link)] }
        switch service {
        case .auth:
            if let passwordHashCost { args += ["--password-hash-cost", "\(passwordHashCost)"] }
            args = ["serve"] + args
        case .collector:
            args += ["--preprocessor-shards", "\(preprocessors)"]
        case .preprocessor:
            args += ["--calculator-shards", "\(calculators)"]
            args += shardArguments(.preprocessor, shards: preprocessors, replica: replica)
        case .calculator:
            args += ["--settle-ms", "100"]
            args += shardArguments(.calculator, shards: calculators, replica: replica)
        case .reporter:
            break
        }
        return args + (extraArguments[service] ?? [])
    }

    /// A scalable stage's shard and instance flags: a claimed shard (`--shard auto`) when the
    /// suite has standbys, else a fixed one per replica.
    private func shardArguments(_ service: Service, shards: Int, replica: Int) -> [String] {
        if standbys > 0 { return ["--shard", "auto", "--shards", "\(shards)", "--instance", "\(service.rawValue)-r\(replica + 1)"] }
        return ["--instance", "\(service.rawValue)-\(replica + 1)"] + (shards > 1 ? ["--shard", "\(replica)", "--shards", "\(shards)"] : [])
    }

    func httpPort(_ service: Service) -> Int { ports[service, .http] }

    func start(_ services: [Service] = Service.allCases) async throws {
        if !holdsSlot {
            await SuiteSlots.shared.acquire()
            holdsSlot = true
        }
        for service in services {
            try launch(service, replica: 0, name: service.rawValue)
            for k in 1..<max(1, processCount(service)) { try launch(service, replica: k, name: "\(service.rawValue)-\(k + 1)") }
        }
        for service in services { try await waitHealthy(service) }
        for name in replicaPorts.keys.sorted() where services.contains(where: { name.hasPrefix($0.rawValue + "-") }) {
            try await waitHealthy(name: name, port: replicaPorts[name]?.http ?? 0)
        }
    }

    private var replicaProcesses: [String: Process] = [:]

    /// Processes run for a stage: one per shard, plus the standbys of a scalable stage.
    func processCount(_ service: Service) -> Int {
        switch service {
        case .preprocessor: return preprocessors + standbys
        case .calculator: return calculators + standbys
        default: return 1
        }
    }

    /// Names of a stage's processes: the service's own name for the first, `<service>-<k+1>` after.
    func replicaNames(_ service: Service) -> [String] {
        [service.rawValue] + (1..<max(1, processCount(service))).map { "\(service.rawValue)-\($0 + 1)" }
    }

    /// The HTTP port of a stage's process, by its name from `replicaNames`.
    func httpPort(replica name: String) -> Int {
        if let service = Service(rawValue: name) { return httpPort(service) }
        return replicaPorts[name]?.http ?? 0
    }

    /// The process (by name) whose `/health` says it holds `shard` of a stage, if any answers so.
    func shardHolder(_ service: Service, shard: Int) async -> String? {
        for name in replicaNames(service) {
            guard let (status, body) = try? await request(port: httpPort(replica: name), "/health", method: "GET"), status == 200,
                let report = try? JSONSerialization.jsonObject(with: body) as? [String: Any],
                let details = report["details"] as? [String: Any]
            else { continue }
            if details["role"] as? String == "active", details["shard"] as? String == "\(shard)" { return name }
        }
        return nil
    }

    /// Sends `signal` to a stage's process by name and waits for it to exit.
    func stop(replica name: String, signal: Int32) async {
        if let service = Service(rawValue: name) { return await stop(service, signal: signal) }
        guard let process = replicaProcesses[name] else { return }
        kill(process.processIdentifier, signal)
        for _ in 0..<300 where process.isRunning { try? await Task.sleep(for: .milliseconds(50)) }
        replicaProcesses[name] = nil
    }

    /// Starts a stage's process again by name, with the arguments it had, and waits for `/health`.
    func relaunch(replica name: String) async throws {
        if let service = Service(rawValue: name) {
            try launch(service, replica: 0, name: name)
            return try await waitHealthy(service)
        }
        let parts = name.split(separator: "-")
        guard parts.count == 2, let service = Service(rawValue: String(parts[0])), let number = Int(parts[1]) else {
            throw SuiteError("no replica named \(name)")
        }
        try launch(service, replica: number - 1, name: name)
        try await waitHealthy(name: name, port: httpPort(replica: name))
    }

    private func launch(_ service: Service, replica: Int, name: String) throws {
        let process = Process()
        if let host = placement[service] {
            // `ip netns exec` execs the service in place, so the pid is the service's own.
            process.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
            process.arguments = ["netns", "exec", host.namespace, binDir.appendingPathComponent(service.rawValue).path]
                + arguments(for: service, replica: replica)
        } else {
            process.executableURL = binDir.appendingPathComponent(service.rawValue)
            process.arguments = arguments(for: service, replica: replica)
        }
        if let extra = environment[service] {
            process.environment = ProcessInfo.processInfo.environment.merging(extra) { _, set in set }
        }
        let log = dataDir.appendingPathComponent("\(name).log")
        // A service's log is as private as its store (the suite's own scripts make theirs 0600
        // too). Opened with open(2): FileManager.createFile writes through a temporary file and
        // fails now and then while many suites start at once.
        let descriptor = open(log.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw SuiteError("cannot open \(log.path): \(String(cString: strerror(errno)))") }
        fchmod(descriptor, 0o600)
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        if replica == 0 { processes[service] = process } else { replicaProcesses[name] = process }
    }

    /// Waits for a scaled-out replica (by its instance name) to answer `/health`.
    // The limits below are generous on purpose: CI runs every suite at once on two cores, and a
    // start-up or a drain that is merely slow there must not fail a test.
    func waitHealthy(name: String, port: Int, seconds: Double = 120) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let (status, _) = try? await request(port: port, "/health", method: "GET"), status == 200 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw SuiteError("\(name) did not become healthy")
    }

    /// GET on a replica's HTTP port.
    func get(replica name: String, _ path: String) async throws -> (Int, Data) {
        try await request(port: replicaPorts[name]?.http ?? 0, path, method: "GET")
    }

    func waitHealthy(_ service: Service, seconds: Double = 120) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let process = processes[service], !process.isRunning {
                throw SuiteError("\(service.rawValue) exited with \(process.terminationStatus): \(log(service).suffix(2000))")
            }
            // Ours only if our process is still running: one that could not bind has exited, and
            // whatever answers on the port then is someone else's.
            if let (status, _) = try? await get(service, "/health"), status == 200, processes[service]?.isRunning ?? true { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw SuiteError("\(service.rawValue) did not become healthy: \(log(service).suffix(2000))")
    }

    func log(_ service: Service) -> String {
        (try? String(contentsOf: dataDir.appendingPathComponent("\(service.rawValue).log"), encoding: .utf8)) ?? ""
    }

    /// Sends `signal` and waits for the process to exit.
    func stop(_ service: Service, signal: Int32 = SIGTERM) async {
        guard let process = processes[service] else { return }
        kill(process.processIdentifier, signal)
        for _ in 0..<300 where process.isRunning { try? await Task.sleep(for: .milliseconds(50)) }
        processes[service] = nil
    }

    func stopAll() async {
        for process in replicaProcesses.values where process.isRunning { kill(process.processIdentifier, SIGTERM) }
        for service in Service.allCases.reversed() { await stop(service) }
        for process in replicaProcesses.values { process.waitUntilExit() }
        if holdsSlot {
            holdsSlot = false
            await SuiteSlots.shared.release()
        }
    }

    /// Peak resident memory of a running service, in MB (VmHWM).
    func peakRSSMegabytes(_ service: Service) -> Double? {
        guard let pid = processes[service]?.processIdentifier,
            let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
            let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ Double($0) })
        else { return nil }
        return kilobytes / 1024
    }

    func terminationStatus(_ service: Service) -> Int32? { processes[service].flatMap { $0.isRunning ? nil : $0.terminationStatus } }

    deinit {
        for process in Array(processes.values) + Array(replicaProcesses.values) where process.isRunning {
            kill(process.processIdentifier, SIGKILL)
        }
        // A test that ended without stopAll (it threw) gives its slot back here.
        if holdsSlot { Task { await SuiteSlots.shared.release() } }
        // CM_KEEP_TEST_DATA=1 keeps the stores and logs of every test for a post-mortem.
        if ProcessInfo.processInfo.environment["CM_KEEP_TEST_DATA"] == nil { try? FileManager.default.removeItem(at: dataDir) }
    }

    // MARK: HTTP

    func get(_ service: Service, _ path: String) async throws -> (Int, Data) {
        try await request(service, path, method: "GET", headers: credential.map { ["Authorization": "Bearer \($0)"] } ?? [:])
    }

    func post(_ service: Service, _ path: String, body: Data, contentType: String, headers: [String: String] = [:]) async throws -> (Int, Data) {
        try await request(service, path, method: "POST", body: body, headers: headers.merging(["Content-Type": contentType]) { a, _ in a })
    }

    func request(_ service: Service, _ path: String, method: String, body: Data? = nil, headers: [String: String] = [:]) async throws -> (Int, Data) {
        let (status, data, _) = try await requestWithHeaders(
            port: httpPort(service), path, method: method, body: body, headers: headers, host: address(service))
        return (status, data)
    }

    func request(port: Int, _ path: String, method: String, body: Data? = nil, headers: [String: String] = [:]) async throws -> (Int, Data) {
        let (status, data, _) = try await requestWithHeaders(port: port, path, method: method, body: body, headers: headers)
        return (status, data)
    }

    /// Like `request`, with the response's headers.
    func requestWithHeaders(
        port: Int, _ path: String, method: String, body: Data? = nil, headers: [String: String] = [:], host: String = "127.0.0.1"
    ) async throws -> (Int, Data, [String: String]) {
        var request = URLRequest(url: URL(string: "http://\(host):\(port)\(path)")!)
        request.httpMethod = method
        request.httpBody = body
        request.timeoutInterval = 120
        for (key, value) in headers { request.setValue(value, forHTTPHeaderField: key) }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as? HTTPURLResponse
        var fields: [String: String] = [:]
        for (key, value) in http?.allHeaderFields ?? [:] { fields[String(describing: key).lowercased()] = String(describing: value) }
        return (http?.statusCode ?? 0, data, fields)
    }

    func json(_ service: Service, _ path: String) async throws -> [String: Any] {
        let (status, data) = try await get(service, path)
        guard status == 200, let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw SuiteError("GET \(path) answered \(status): \(String(decoding: data, as: UTF8.self))")
        }
        return object
    }

    /// Waits until the reporter says every stage is idle.
    func waitDrained(seconds: Double = 180) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        var last = ""
        while Date() < deadline {
            if let (status, data) = try? await get(.reporter, "/v1/status"), status == 200 {
                last = String(decoding: data, as: UTF8.self)
                if let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any], object["drained"] as? Bool == true {
                    return
                }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw SuiteError("pipeline did not drain within \(seconds) s; last status: \(last)")
    }

    /// Runs `carbonctl` against this suite (collector, reporter, calculator and auth URLs set, no
    /// token from the environment), with `stdin` on its standard input; its exit status,
    /// standard output and standard error.
    func carbonctl(_ arguments: [String], stdin: String? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = binDir.appendingPathComponent("carbonctl")
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["CM_COLLECTOR_URL"] = "http://127.0.0.1:\(ports.collectorHTTP)"
        environment["CM_REPORTER_URL"] = "http://127.0.0.1:\(ports.reporterHTTP)"
        environment["CM_CALCULATOR_URL"] = "http://127.0.0.1:\(ports.calculatorHTTP)"
        environment["CM_AUTH_URL"] = "http://127.0.0.1:\(ports.authHTTP)"
        environment["CM_TOKEN"] = nil
        process.environment = environment
        let output = Pipe()
        // stderr to a file: a full pipe nobody reads would block the client.
        let errorFile = dataDir.appendingPathComponent("carbonctl-\(UUID().uuidString.prefix(8)).stderr")
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        process.standardOutput = output
        process.standardError = try FileHandle(forWritingTo: errorFile)
        let input = Pipe()
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self), (try? String(contentsOf: errorFile, encoding: .utf8)) ?? "")
    }

    /// Rows of `/v1/emissions` for a query string.
    func emissions(_ query: String) async throws -> [[String: Any]] {
        let object = try await json(.reporter, "/v1/emissions?\(query)")
        return object["rows"] as? [[String: Any]] ?? []
    }

    /// True when nothing holds `port` on loopback right now.
    static func bindable(_ port: Int) -> Bool { LoopbackProbe.bindable(port) }

    /// True when something listens on `port` on loopback.
    static func listening(_ port: Int) -> Bool { LoopbackProbe.listening(port) }
}

struct SuiteError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
