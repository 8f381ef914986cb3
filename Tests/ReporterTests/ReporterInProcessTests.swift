import CarbonModel
import Contracts
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GRDB
import Logging
import Messaging
import ServiceLifecycle
import Testing
import TestPorts
import ZeroMQ

@testable import Reporter

/// The reporter built in this process by the same function its `main` runs
/// (`ReporterCommand.buildReporter`), fed by a real outbox publisher over ZeroMQ from a SQLite
/// outbox of the test's own, answering over HTTP, and stopped by a graceful shutdown.
@Suite struct ReporterInProcessTests {
    /// A port nothing binds now and no other test process holds.
    static func freePort() -> Int {
        for _ in 0..<1_000 {
            let port = Int.random(in: 33_000..<34_000)
            if MachinePorts.claim(port), LoopbackProbe.bindable(port) { return port }
        }
        return 0
    }

    static func get(_ port: Int, _ path: String) async throws -> (Int, Data) {
        var request = URLRequest(url: try #require(URL(string: "http://127.0.0.1:\(port)\(path)")))
        request.timeoutInterval = 10
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
    }

    @Test func theReporterBuiltInProcessAppliesAPublicationAndServesIt() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("carbonmeter-reporter-inprocess-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let (http, control, outbox, auth, pipeline) = (Self.freePort(), Self.freePort(), Self.freePort(), Self.freePort(), Self.freePort())
        #expect(![http, control, outbox, auth, pipeline].contains(0), "no free ports")

        // The calculator's side: a SQLite outbox holding one publication, and its publisher.
        let producerStore = try DatabasePool(path: folder.appendingPathComponent("producer.sqlite").path)
        var migrator = DatabaseMigrator()
        MessageStore.registerMigrations(&migrator)
        try migrator.migrate(producerStore)
        let month = CalendarMonth(year: 2024, month: 1)
        let figures = EmissionFigures(scope1: 1, scope2Location: 40, scope2Market: 50, scope3: 2, energyKWh: 80)
        var publication = RegionMonthPublication(
            region: "r1", month: month, version: 1, calculatedAt: "2024-02-01T00:00:00Z",
            result: RegionMonthResult(
                region: "r1", month: month,
                productRegions: [
                    ProductRegionResult(
                        product: "ecs", region: "r1", month: month, basis: .usage, figures: figures, unallocated: .zero, usage: 4, capacity: 0,
                        denominator: 4)
                ],
                tenants: [
                    TenantResult(tenant: "a", product: "ecs", region: "r1", month: month, figures: figures.scaled(by: 0.25), usage: 1, share: 0.25),
                    TenantResult(tenant: "b", product: "ecs", region: "r1", month: month, figures: figures.scaled(by: 0.75), usage: 3, share: 0.75),
                ]))
        publication.factorsUsed = []
        let body = try JSONEncoder().encode(publication.compacted())
        try await producerStore.write { db in
            try MessageStore.enqueue(
                db, header: EnvelopeHeader(id: "publication-1", type: RegionMonthPublication.messageType, source: MessageSource(service: "calculator", instance: "test")),
                body: body)
        }
        let context = try ZMQContext()
        let loop = try ZMQEventLoop(context: context, name: "test-calculator")
        loop.start()
        let publisher = OutboxPublisher(
            loop: loop, endpoint: "tcp://127.0.0.1:\(outbox)", database: producerStore, logger: Logger(label: "test-calculator"))
        try await publisher.start()
        let acknowledgements = Task { await publisher.runAcknowledgements() }

        // The reporter, as `main` builds it, without signal handlers.
        let command = try ReporterCommand.parse([
            "--data-dir", folder.path, "--http-port", "\(http)", "--control-port", "\(control)", "--calculator-outbox", "tcp://127.0.0.1:\(outbox)",
            "--pipeline-control", "calculator=tcp://127.0.0.1:\(pipeline)", "--auth-endpoint", "tcp://127.0.0.1:\(auth)", "--log-level", "warning",
        ])
        let reporter = try await command.buildReporter(signals: [])
        // Run as `main` runs it, under a group whose graceful shutdown stands in for SIGTERM.
        let group = ServiceGroup(configuration: .init(services: [reporter], gracefulShutdownSignals: [], logger: Logger(label: "test")))
        let running = Task { try await group.run() }

        // The publication arrives, is applied, and is served; the producer's outbox empties.
        var rows: [[String: Any]] = []
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if let (status, data) = try? await Self.get(http, "/v1/emissions?layer=tenant&from=2024-01&to=2024-01"), status == 200,
                let object = try JSONSerialization.jsonObject(with: data) as? [String: Any], let found = object["rows"] as? [[String: Any]],
                !found.isEmpty
            {
                rows = found
                break
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        let byTenant = Dictionary(uniqueKeysWithValues: rows.compactMap { row in (row["tenant"] as? String).map { ($0, row) } })
        #expect(Set(byTenant.keys) == ["a", "b"], "\(rows)")
        #expect((byTenant["b"]?["scope2_location"] as? NSNumber)?.doubleValue == 30)
        var pending = 1
        while Date() < deadline, pending > 0 {
            pending = try await producerStore.read { try MessageStore.outboxCount($0) }
            if pending > 0 { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(pending == 0, "the reporter never acknowledged the publication")

        // A graceful shutdown stops the whole service (HTTP server, workers, sockets).
        await group.triggerGracefulShutdown()
        try await running.value
        #expect(try await (try? Self.get(http, "/health"))?.0 == nil, "still answering after it was stopped")
        publisher.finish()
        await acknowledgements.value
        await loop.shutdown()
        context.terminate()
    }
}
