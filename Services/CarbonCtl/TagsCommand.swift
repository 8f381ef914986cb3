import ArgumentParser
import CarbonModel
import Foundation

/// `carbonctl tags`: a tenant's emissions split by the values of one of its tags, from the
/// reporter's `/v1/tags`, as a table (figures written as the dashboard writes them), CSV or the
/// reporter's JSON.
struct TagsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tags",
        abstract: "Show a tenant's emissions by the values of one tag (project, team, cost centre, …).",
        discussion: """
            Asks the reporter's /v1/tags. Each tenant cell is split by the values of --key in \
            proportion to the usage that carried each value; usage without the tag forms \
            (untagged); the values add up to the tenant's total, shown last. With --by-month, one \
            line per value and month. Figures are measured results unless --mode estimated.

            Example:
              carbonctl tags --tenant acme --key project --from 2024-01 --to 2024-06
              carbonctl tags --tenant acme --key team --by-month --format csv > teams.csv
            """)

    @OptionGroup var client: ClientOptions

    @Option(help: "The tenant (a tenant's own credentials may name only their tenant).")
    var tenant: String

    @Option(help: "The tag to split by, e.g. project.")
    var key: String

    @Option(help: "First month, YYYY-MM.")
    var from: String?

    @Option(help: "Last month, YYYY-MM (inclusive).")
    var to: String?

    @Option(help: "measured (default) or estimated results.")
    var mode: String?

    @Flag(help: "One line per value and month instead of per value.")
    var byMonth = false

    @Option(help: "Output: table, json or csv.")
    var format: TableFormat = .table

    /// The parts of `/v1/tags`'s answer the table and CSV are drawn from.
    struct Answer: Decodable {
        struct Line: Decodable {
            var month: String?
            var value: String
            var figures: EmissionFigures
        }
        var values: [Line]
        var months: [Line]
        var total: EmissionFigures
    }

    func run() async throws {
        try await reportingFailures {
            let reporter = try client.client(for: .reporter)
            var query = [URLQueryItem(name: "tenant", value: tenant), URLQueryItem(name: "key", value: key)]
            for (name, value) in [("from", from), ("to", to), ("mode", mode)] {
                if let value { query.append(URLQueryItem(name: name, value: value)) }
            }
            let body = try await reporter.get("/v1/tags", query: query)
            if format == .json {
                FileHandle.standardOutput.write(body)
                FileHandle.standardOutput.write(Data("\n".utf8))
                return
            }
            let answer: Answer
            do { answer = try JSONDecoder().decode(Answer.self, from: body) } catch {
                throw CtlError.usage("the reporter's tag breakdown could not be read: \(error)")
            }
            let csv = Self.csv(answer, byMonth: byMonth, key: key)
            print(format == .csv ? csv : TextTable.render(csv: csv), terminator: "")
        }
    }

    /// The breakdown as CSV (full precision, text neutralized), with the total as its last line.
    static func csv(_ answer: Answer, byMonth: Bool, key: String) -> String {
        let scopes = ["scope1", "scope2_location", "scope2_market", "scope3", "total_location", "total_market", "energy_kwh"]
        func cells(_ f: EmissionFigures) -> [CSVCell] {
            [f.scope1, f.scope2Location, f.scope2Market, f.scope3, f.totalLocation, f.totalMarket, f.energyKWh].map(CSVCell.number)
        }
        var lines = [CSVCell.line((byMonth ? [.text("month")] : []) + [.text(key)] + scopes.map(CSVCell.text))]
        for line in byMonth ? answer.months : answer.values {
            lines.append(CSVCell.line((byMonth ? [.text(line.month ?? "")] : []) + [.text(line.value)] + cells(line.figures)))
        }
        lines.append(CSVCell.line((byMonth ? [.text("")] : []) + [.text("total")] + cells(answer.total)))
        return lines.joined(separator: "\n") + "\n"
    }
}
