import CarbonModel
import Foundation
import Testing

/// The built `carbonctl` binary (not rebuilt here: it lies next to the services) run against a
/// real suite: the Fixture files ingested in batches, then emissions and a report checked
/// against the figures computed by hand in `Fixture`, and a bad record named by file and line.
@Suite(.serialized) struct CarbonCtlTests {
    /// What one run of `carbonctl` printed and how it ended.
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `carbonctl` with `arguments`, pointed at `suite` (``SuiteProcess/carbonctl(_:stdin:)``).
    private func carbonctl(_ suite: SuiteProcess, _ arguments: [String], stdin: String? = nil) throws -> Run {
        let run = try suite.carbonctl(arguments, stdin: stdin)
        return Run(status: run.status, stdout: run.stdout, stderr: run.stderr)
    }

    private func write(_ text: String, _ name: String, in folder: URL) throws -> String {
        let url = folder.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    @Test func ingestEmissionsAndReportThroughTheClient() async throws {
        let suite = try SuiteProcess()
        try await suite.start()
        let folder = suite.dataDir.appendingPathComponent("files")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)

        // Declarations, one entity each.
        for (entity, text, name, count) in [
            ("sites", Fixture.sites, "sites.json", 2), ("products", Fixture.products, "products.json", 2),
            ("factors", Fixture.factors, "factors.ndjson", 4),
        ] {
            let run = try carbonctl(suite, ["ingest", "--entity", entity, try write(text, name, in: folder)])
            #expect(run.status == 0, "\(entity): \(run.stdout) \(run.stderr)")
            #expect(run.stdout.contains("accepted \(count), repeats 0, revisions 0, rejected 0"), "\(entity): \(run.stdout)")
        }

        // Activity in three formats, in batches of 3: 10 NDJSON lines (4 batches), 2 CSV rows, 1 JSON element.
        let facility = try write(Fixture.facility, "facility.ndjson", in: folder)
        let usageA = try write(Fixture.usageCSV, "usage-a.csv", in: folder)
        let usageB = try write(Fixture.usageZMQ, "usage-b.json", in: folder)
        let ingest = try carbonctl(suite, ["ingest", "--batch-size", "3", facility, usageA, usageB])
        #expect(ingest.status == 0, "\(ingest.stdout) \(ingest.stderr)")
        #expect(ingest.stdout.contains("batches 6, records 13: accepted 13, repeats 0, revisions 0, rejected 0"), "\(ingest.stdout)")
        // Not a terminal: one progress line per batch, ending at the total.
        #expect(ingest.stderr.contains("facility.ndjson: batch 4/4, 10/13 records sent"), "\(ingest.stderr)")
        #expect(ingest.stderr.contains("usage-b.json: batch 1/1, 13/13 records sent"), "\(ingest.stderr)")

        // Sending the same file again changes nothing: all repeats.
        let again = try carbonctl(suite, ["ingest", usageA])
        #expect(again.status == 0)
        #expect(again.stdout.contains("accepted 0, repeats 2, revisions 0, rejected 0"), "\(again.stdout)")

        let status = try carbonctl(suite, ["status", "--wait", "60"])
        #expect(status.status == 0, "\(status.stdout) \(status.stderr)")
        #expect(status.stdout.hasPrefix("drained"))
        // A drained pipeline has no stage holding work: none is listed as busy.
        #expect(!status.stdout.contains("busy:"), "\(status.stdout)")

        // Tenant A, January, by hand: 0.75 × ecs + 0.25 × oss (shares of usage and capacity).
        let ecs = Fixture.ecsJan, oss = Fixture.ossJan
        let aLocation = Fixture.shareAecs * (ecs.scope1 + ecs.location + ecs.scope3) + Fixture.shareAoss * (oss.scope1 + oss.location)
        let aMarket = Fixture.shareAecs * (ecs.scope1 + ecs.market + ecs.scope3) + Fixture.shareAoss * (oss.scope1 + oss.market)
        let csv = try carbonctl(suite, ["emissions", "--group-by", "tenant,month", "--from", "2024-01", "--to", "2024-01", "--format", "csv"])
        #expect(csv.status == 0, "\(csv.stderr)")
        let lines = csv.stdout.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let header = try #require(lines.first)
        let a = try #require(lines.first { $0.first == "A" }, "\(csv.stdout)")
        let column = { (name: String) in header.firstIndex(of: name).flatMap { Double(a[$0]) } }
        expectClose(column("total_location"), aLocation, "A total_location via carbonctl")
        expectClose(column("total_market"), aMarket, "A total_market via carbonctl")
        expectClose(column("scope3"), Fixture.shareAecs * ecs.scope3, "A scope3 via carbonctl")

        // The default table: aligned, figures written for people (FigureFormat).
        let table = try carbonctl(suite, ["emissions", "--group-by", "tenant", "--from", "2024-01", "--to", "2024-01"])
        #expect(table.status == 0)
        #expect(table.stdout.split(separator: "\n").first?.hasPrefix("tenant") == true, "\(table.stdout)")
        #expect(table.stdout.contains(FigureFormat.emissions(kg: aLocation)), "\(table.stdout)")
        #expect(!table.stdout.contains("e-0") && !table.stdout.contains("e+"), "no scientific notation: \(table.stdout)")

        // The HTML report for A's first quarter (only January has figures for A), written to a file.
        let reportFile = folder.appendingPathComponent("a-2024Q1.html").path
        let report = try carbonctl(suite, ["report", "--period", "2024-Q1", "--tenant", "A", "--format", "html", "--output", reportFile])
        #expect(report.status == 0, "\(report.stderr)")
        let html = try String(contentsOfFile: reportFile, encoding: .utf8)
        // Hourly matching gives the monthly figure here: s1's certificates (400 kWh spread evenly
        // over January) are below its grid electricity in every hour, and the residual mix is
        // the same all month, so every certificate is used in its own hour.
        let totalRow =
            "<tr><td>Total</td><td class=\"n\">\(FigureFormat.emissions(kg: aLocation))</td><td class=\"n\">\(FigureFormat.emissions(kg: aMarket))</td>"
            + "<td class=\"n\">\(FigureFormat.emissions(kg: aMarket))</td></tr>"
        #expect(html.contains(totalRow), "HTML lacks \(totalRow)")
        for needle in ["Scope 1", "Scope 2", "Scope 3", "Location-based", "Market-based"] { #expect(html.contains(needle)) }

        // A budget below A's January actual (measured, location-based), listed with that actual.
        let setBudget = try carbonctl(suite, ["budgets", "set", "--tenant", "A", "--month", "2024-01", "--kgco2e", "500"])
        #expect(setBudget.status == 0, "\(setBudget.stdout) \(setBudget.stderr)")
        let budgets = try carbonctl(suite, ["budgets", "--tenant", "A"])
        #expect(budgets.status == 0, "\(budgets.stderr)")
        let listed = try JSONSerialization.jsonObject(with: Data(budgets.stdout.utf8)) as? [String: Any]
        let budget = try #require((listed?["budgets"] as? [[String: Any]])?.first, "\(budgets.stdout)")
        expectClose(budget["kgco2e"], 500, "budget")
        expectClose(budget["actual_kgco2e"], aLocation, "A January actual in budgets")
        let setTarget = try carbonctl(
            suite, ["targets", "set", "--tenant", "A", "--baseline-year", "2024", "--reduction-percent", "40", "--target-year", "2030"])
        #expect(setTarget.status == 0, "\(setTarget.stdout) \(setTarget.stderr)")
        let targets = try carbonctl(suite, ["targets", "list", "--tenant", "A"])
        #expect(targets.status == 0 && targets.stdout.contains("2030"), "\(targets.stdout) \(targets.stderr)")

        // Login with the bootstrap admin's password from a file, then a wrong one from stdin.
        let secret = suite.dataDir.appendingPathComponent("bootstrap-admin.secret").path
        let login = try carbonctl(suite, ["login", "--username", "admin", "--password-file", secret])
        #expect(login.status == 0, "\(login.stderr)")
        #expect(login.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ".").count == 3, "token: \(login.stdout)")
        let wrong = try carbonctl(suite, ["login", "--username", "nobody"], stdin: "not-the-password\n")
        #expect(wrong.status == 2 && wrong.stderr.contains("auth answered 401"), "\(wrong.stderr)")

        await suite.stopAll()
    }

    @Test func aRejectedRecordIsNamedByFileAndLineWithExitStatusOne() async throws {
        let suite = try SuiteProcess()
        try await suite.start()
        let folder = suite.dataDir.appendingPathComponent("files")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        _ = try carbonctl(suite, ["ingest", "--entity", "sites", try write(Fixture.sites, "sites.json", in: folder)])
        _ = try carbonctl(suite, ["ingest", "--entity", "products", try write(Fixture.products, "products.json", in: folder)])

        // Line 4 (after a blank line 2) is the bad one; batches of 2 put it in the second batch,
        // so its line number must be carried from the batch back to the file.
        let records = """
            {"source":"t","id":"r1","kind":"usage","tenant":"A","product":"ecs","region":"r1","start":"2024-01-01T00:00:00Z","end":"2024-01-02T00:00:00Z","value":1,"unit":"vCPU-h"}

            {"source":"t","id":"r2","kind":"usage","tenant":"A","product":"ecs","region":"r1","start":"2024-01-01T00:00:00Z","end":"2024-01-02T00:00:00Z","value":2,"unit":"vCPU-h"}
            {"source":"t","id":"r3","kind":"usage","tenant":"A","product":"ecs","region":"r1","start":"2024-01-01T00:00:00Z","end":"2024-01-02T00:00:00Z","value":-3,"unit":"vCPU-h"}
            {"source":"t","id":"r4","kind":"usage","tenant":"A","product":"ecs","region":"r1","start":"2024-01-01T00:00:00Z","end":"2024-01-02T00:00:00Z","value":4,"unit":"vCPU-h"}

            """
        let file = try write(records, "usage.ndjson", in: folder)
        let run = try carbonctl(suite, ["ingest", "--batch-size", "2", file])
        #expect(run.status == 1, "\(run.stdout) \(run.stderr)")
        #expect(run.stdout.contains("records 4: accepted 3, repeats 0, revisions 0, rejected 1"), "\(run.stdout)")
        #expect(run.stdout.contains("rejected \(file):line 4: value"), "\(run.stdout)")

        // The same in CSV: header on line 1, the bad row on line 3.
        let csv = """
            source,id,kind,tenant,product,region,start,end,value,unit
            t,c1,usage,A,ecs,r1,2024-01-01T00:00:00Z,2024-01-02T00:00:00Z,1,vCPU-h
            t,c2,usage,A,ecs,r1,2024-01-01T00:00:00Z,2024-01-02T00:00:00Z,-1,vCPU-h

            """
        let csvFile = try write(csv, "usage.csv", in: folder)
        let csvRun = try carbonctl(suite, ["ingest", "--batch-size", "1", csvFile])
        #expect(csvRun.status == 1, "\(csvRun.stdout) \(csvRun.stderr)")
        #expect(csvRun.stdout.contains("rejected \(csvFile):line 3: value"), "\(csvRun.stdout)")

        // A collector that is not there: exit status 2, named on stderr.
        let unreachable = try carbonctl(suite, ["ingest", "--collector-url", "http://127.0.0.1:1", file])
        #expect(unreachable.status == 2)
        #expect(unreachable.stderr.contains("cannot reach collector"), "\(unreachable.stderr)")
        await suite.stopAll()
    }
}
