import ArgumentParser
import Foundation

/// `carbonctl emissions`: the reporter's `/v1/emissions`, as a table, JSON or CSV.
struct EmissionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emissions",
        abstract: "Show emissions from the reporter's ledger (kg CO2e), as a table, JSON or CSV.",
        discussion: """
            Asks the reporter's /v1/emissions. --group-by takes any of tenant, product, region, \
            site, month (comma-separated); --from/--to are months (YYYY-MM, inclusive); --layer is \
            tenant (customers), product, product_site or site (provider views, with what was not \
            allocated). Columns: scope1, scope2_location, scope2_market, scope3, the totals, energy_kwh, \
            mode (measured or estimated) and usage, then scope2_market_hourly and total_market_hourly \
            (certificates matched hour by hour within the site's grid), cfe_kwh and cfe_share. The table writes emissions in t, kg or g CO2e (whichever keeps them readable, as the dashboard does); json and csv are the \
            reporter's own answer.

            Example:
              carbonctl emissions --group-by tenant,month --from 2024-01 --to 2024-03
              carbonctl emissions --layer site --format csv > sites.csv
            """)

    @OptionGroup var client: ClientOptions

    @Option(help: "Columns to group by: tenant, product, region, site, month (comma-separated).")
    var groupBy: String?

    @Option(help: "First month, YYYY-MM.")
    var from: String?

    @Option(help: "Last month, YYYY-MM (inclusive).")
    var to: String?

    @Option(help: "Only this tenant.")
    var tenant: String?

    @Option(help: "Only this product.")
    var product: String?

    @Option(help: "Only this region.")
    var region: String?

    @Option(help: "Layer of the model: tenant, product, product_site or site.")
    var layer: String?

    @Option(help: "Only measured or estimated results.")
    var mode: String?

    @Option(help: "Output: table, json or csv.")
    var format: TableFormat = .table

    func run() async throws {
        try await reportingFailures {
            try await ReporterTable.show(
                "/v1/emissions",
                query: [
                    ("group_by", groupBy), ("from", from), ("to", to), ("tenant", tenant), ("product", product), ("region", region),
                    ("layer", layer), ("mode", mode),
                ], format: format, client: client)
        }
    }
}
