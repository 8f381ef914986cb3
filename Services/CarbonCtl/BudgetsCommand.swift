import ArgumentParser
import Foundation

/// `carbonctl budgets`: list monthly carbon budgets with actuals and forecasts, or set one.
struct BudgetsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "budgets",
        abstract: "List monthly carbon budgets (with actual and forecast), or set one.",
        discussion: """
            Without a subcommand, lists the reporter's /v1/budgets as JSON: each budget with the \
            month's actual (measured, location-based kg CO2e) or its linear-trend forecast.

            Example:
              carbonctl budgets --tenant acme
              carbonctl budgets set --tenant acme --month 2024-07 --kgco2e 500
            """,
        subcommands: [List.self, Set.self], defaultSubcommand: List.self)

    /// `carbonctl budgets list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List budgets as JSON.", discussion: "Example:\n  carbonctl budgets list --tenant acme")

        @OptionGroup var client: ClientOptions

        @Option(help: "Only this tenant's budgets.")
        var tenant: String?

        func run() async throws {
            try await reportingFailures {
                let reporter = try client.client(for: .reporter)
                let query = tenant.map { [URLQueryItem(name: "tenant", value: $0)] } ?? []
                FileHandle.standardOutput.write(try await reporter.get("/v1/budgets", query: query))
                print()
            }
        }
    }

    /// `carbonctl budgets set`.
    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set a tenant's budget for a month.",
            discussion: "Example:\n  carbonctl budgets set --tenant acme --month 2024-07 --kgco2e 500")

        @OptionGroup var client: ClientOptions
        @Option(help: "Tenant.") var tenant: String
        @Option(help: "Month, YYYY-MM.") var month: String
        @Option(help: "Budget in kg CO2e (≥ 0).") var kgco2e: Double

        /// The body of `POST /v1/budgets`.
        struct Request: Encodable {
            var tenant: String
            var month: String
            var kgco2e: Double
        }

        func run() async throws {
            try await reportingFailures {
                let reporter = try client.client(for: .reporter)
                let body = try JSONEncoder().encode(Request(tenant: tenant, month: month, kgco2e: kgco2e))
                let reply = try await reporter.send("POST", "/v1/budgets", body: body, contentType: "application/json")
                guard reply.status == 200 else { throw CtlError.refused(service: "reporter", status: reply.status, message: reply.text) }
                print(reply.text)
            }
        }
    }
}
