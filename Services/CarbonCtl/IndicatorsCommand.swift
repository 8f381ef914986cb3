import ArgumentParser
import Foundation

/// `carbonctl indicators`: the reporter's data-centre indicators per site and period, as a
/// table, JSON or CSV.
struct IndicatorsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "indicators",
        abstract: "Show the data-centre indicators (PUE, REF, ERF, WUE, CER, CUE) per site and period.",
        discussion: """
            Asks the reporter's /v1/indicators (a provider view). Each indicator is a ratio of sums \
            over the months of the period that measured all of its inputs; an indicator nobody \
            measured the inputs of shows an empty value and not_measured, never 0. --granularity \
            is month, quarter or year; --from/--to are months (YYYY-MM, inclusive; by default the \
            twelve months up to the latest with data).

            Example:
              carbonctl indicators --site bj-1 --from 2024-01 --to 2024-12 --granularity quarter
              carbonctl indicators --granularity year --format csv > indicators.csv
            """)

    @OptionGroup var client: ClientOptions

    @Option(help: "Only this site.")
    var site: String?

    @Option(help: "First month, YYYY-MM.")
    var from: String?

    @Option(help: "Last month, YYYY-MM (inclusive).")
    var to: String?

    @Option(help: "Periods: month, quarter or year.")
    var granularity: String?

    @Option(help: "Output: table, json or csv.")
    var format: TableFormat = .table

    func run() async throws {
        try await reportingFailures {
            try await ReporterTable.show(
                "/v1/indicators", query: [("site", site), ("from", from), ("to", to), ("granularity", granularity)], format: format,
                client: client, reshape: Self.tableCSV)
        }
    }

    /// The columns a person reads first, from the reporter's CSV: an indicator not measured
    /// reads "not measured" instead of an empty cell.
    static func tableCSV(_ csv: String) -> String {
        let rows = TextTable.parse(csv)
        guard let header = rows.first else { return csv }
        let shown = ["site", "period", "months", "pue", "ref", "erf", "wue", "cer", "cue_location", "cue_market", "water_consumed_l", "flags"]
        let index = Dictionary(uniqueKeysWithValues: header.enumerated().map { ($1, $0) })
        func quoted(_ text: String) -> String {
            text.contains(",") || text.contains("\"") ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
        }
        var lines = [shown.joined(separator: ",")]
        for row in rows.dropFirst() {
            let cells = shown.map { column -> String in
                guard let at = index[column], at < row.count else { return "" }
                if row[at].isEmpty, let status = index["\(column)_status"], status < row.count, row[status] == "not_measured" {
                    return "not measured"
                }
                return quoted(row[at])
            }
            lines.append(cells.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
