import Foundation
import Testing

/// The suite split over three network namespaces joined by a bridge — as if on three hosts —
/// gives the same hand-computed results. The test makes and removes the namespaces itself
/// (addresses 10.231.x.0/24, private to this sandbox) and is skipped where it cannot. Off the
/// loopback the services refuse to run open, so this wiring test says `--insecure-open`.
@Suite(.serialized, .enabled(if: NetworkSandbox.available, "needs root and `ip netns` (iproute2) to create network namespaces"))
struct AcrossHostsTests {
    @Test func servicesOnThreeHostsWorkTogether() async throws {
        let sandbox = try NetworkSandbox(hosts: 3)
        defer { sandbox.remove() }
        let suite = try SuiteProcess(extraArguments: Dictionary(uniqueKeysWithValues: SuiteProcess.Service.allCases.map { ($0, ["--insecure-open"]) }))
        suite.placement = [
            .auth: sandbox.hosts[0], .collector: sandbox.hosts[0],
            .preprocessor: sandbox.hosts[1], .calculator: sandbox.hosts[1],
            .reporter: sandbox.hosts[2],
        ]
        try await suite.start()
        try await suite.declareFixture()
        try await suite.postExpectingAccepted("/v1/activity", Fixture.usageCSV, "text/csv", accepted: 2)
        try await suite.waitDrained()
        let tenants = try await suite.emissions("layer=tenant&from=2024-01&to=2024-01")
        // Only A uses ecs here, so A carries all of it; oss as in the fixture.
        expectClose(row(tenants, ["tenant": "A", "product": "ecs"])?["scope2_location"], Fixture.ecsJan.location, "A ecs")
        expectClose(row(tenants, ["tenant": "A", "product": "oss"])?["scope2_location"], Fixture.shareAoss * Fixture.ossJan.location, "A oss")
        // Each service really is on its own host: the collector is not reachable on loopback here.
        #expect(!SuiteProcess.listening(suite.ports.collectorHTTP))
        for service in SuiteProcess.Service.allCases {
            #expect(suite.log(service).contains("started with --insecure-open"), "\(service.rawValue) did not warn that it runs open")
        }
        await suite.stopAll()
    }
}

/// Network namespaces on one bridge, made with `ip` and removed afterwards.
struct NetworkSandbox {
    let tag: String
    let hosts: [SuiteProcess.Host]

    static var available: Bool {
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip") else { return false }
        let probe = "cmprobe\(getpid())"
        defer { _ = try? run(["netns", "del", probe]) }
        return (try? run(["netns", "add", probe])) != nil
    }

    init(hosts count: Int) throws {
        tag = "cm\(getpid() % 100_000)"
        let subnet = 231
        let bridge = "\(tag)sw"
        try Self.run(["netns", "add", bridge])
        try Self.run(["netns", "exec", bridge, "ip", "link", "add", "br0", "type", "bridge"])
        try Self.run(["netns", "exec", bridge, "ip", "link", "set", "br0", "up"])
        var made: [SuiteProcess.Host] = []
        // Host 0 is this test process's own namespace's view of the network (10.231.x.1).
        for index in 0...count {
            let peer = "\(tag)p\(index)", port = "\(tag)b\(index)"
            let address = "10.\(subnet).0.\(index + 1)"
            if index == 0 {
                try Self.run(["link", "add", peer, "type", "veth", "peer", "name", port])
                try Self.run(["addr", "add", "\(address)/24", "dev", peer])
                try Self.run(["link", "set", peer, "up"])
            } else {
                let namespace = "\(tag)h\(index)"
                try Self.run(["netns", "add", namespace])
                try Self.run(["link", "add", peer, "type", "veth", "peer", "name", port])
                try Self.run(["link", "set", peer, "netns", namespace])
                try Self.run(["netns", "exec", namespace, "ip", "addr", "add", "\(address)/24", "dev", peer])
                try Self.run(["netns", "exec", namespace, "ip", "link", "set", peer, "up"])
                try Self.run(["netns", "exec", namespace, "ip", "link", "set", "lo", "up"])
                made.append(SuiteProcess.Host(namespace: namespace, address: address))
            }
            try Self.run(["link", "set", port, "netns", bridge])
            try Self.run(["netns", "exec", bridge, "ip", "link", "set", port, "master", "br0"])
            try Self.run(["netns", "exec", bridge, "ip", "link", "set", port, "up"])
        }
        hosts = made
    }

    func remove() {
        _ = try? Self.run(["link", "del", "\(tag)p0"])
        for host in hosts { _ = try? Self.run(["netns", "del", host.namespace]) }
        _ = try? Self.run(["netns", "del", "\(tag)sw"])
    }

    @discardableResult
    static func run(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        process.waitUntilExit()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        guard process.terminationStatus == 0 else { throw SuiteError("ip \(arguments.joined(separator: " ")): \(output)") }
        return output
    }
}
