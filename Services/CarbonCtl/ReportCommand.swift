import ArgumentParser
import Foundation

/// `carbonctl report`: a GHG Protocol inventory for a month, quarter or year from the reporter.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Fetch an emissions inventory report for a month, quarter or year (JSON, CSV or HTML).",
        discussion: """
            Asks the reporter's /v1/reports: scope 1, scope 2 location- and market-based, scope 3, \
            by month, product and region, with the ISO 14064-1 categories, the factors used and \
            methodology notes. Without --tenant it is the provider's inventory. The HTML is one \
            self-contained printable page. The same request on the same ledger gives the same bytes.

            Example:
              carbonctl report --period 2024-Q1 --tenant acme --format html --output acme-2024Q1.html
              carbonctl report --period 2024 --format csv
            """)

    @OptionGroup var client: ClientOptions

    @Option(help: "Period: a month (2024-01), a quarter (2024-Q1) or a year (2024).")
    var period: String

    @Option(help: "The tenant's report; without it, the provider's.")
    var tenant: String?

    @Option(help: "Format: json, csv or html.")
    var format: ReportFormat = .json

    @Option(help: "Write the report to this file instead of stdout.")
    var output: String?

    func run() async throws {
        try await reportingFailures {
            let reporter = try client.client(for: .reporter)
            var query = [URLQueryItem(name: "period", value: period), URLQueryItem(name: "format", value: format.rawValue)]
            if let tenant { query.append(URLQueryItem(name: "tenant", value: tenant)) }
            let body = try await reporter.get("/v1/reports", query: query)
            if let output {
                do {
                    try body.write(to: URL(fileURLWithPath: output), options: .atomic)
                } catch {
                    throw CtlError.usage("cannot write \(output): \(error.localizedDescription)")
                }
                StandardError.write("wrote \(output) (\(body.count) bytes)\n")
            } else {
                FileHandle.standardOutput.write(body)
            }
        }
    }
}
