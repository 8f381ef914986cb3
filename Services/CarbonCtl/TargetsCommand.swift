import ArgumentParser
import Foundation

/// `carbonctl targets`: list tenants' reduction targets with their progress, or set one.
struct TargetsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "targets",
        abstract: "List reduction targets (with progress), or set one.",
        discussion: """
            Without a subcommand, lists the reporter's /v1/targets as JSON.

            Example:
              carbonctl targets --tenant acme
              carbonctl targets set --tenant acme --baseline-year 2023 --reduction-percent 40 --target-year 2030
            """,
        subcommands: [List.self, Set.self], defaultSubcommand: List.self)

    /// `carbonctl targets list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List targets as JSON.", discussion: "Example:\n  carbonctl targets list --tenant acme")

        @OptionGroup var client: ClientOptions

        @Option(help: "Only this tenant's targets.")
        var tenant: String?

        func run() async throws {
            try await reportingFailures {
                let reporter = try client.client(for: .reporter)
                let query = tenant.map { [URLQueryItem(name: "tenant", value: $0)] } ?? []
                FileHandle.standardOutput.write(try await reporter.get("/v1/targets", query: query))
                print()
            }
        }
    }

    /// `carbonctl targets set`.
    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set a tenant's reduction target.",
            discussion: "Example:\n  carbonctl targets set --tenant acme --baseline-year 2023 --reduction-percent 40 --target-year 2030")

        @OptionGroup var client: ClientOptions
        @Option(help: "Tenant.") var tenant: String
        @Option(help: "Baseline year, e.g. 2023.") var baselineYear: Int
        @Option(help: "Reduction from the baseline, in percent (0…100).") var reductionPercent: Double
        @Option(help: "Year the reduction is due.") var targetYear: Int

        /// The body of `POST /v1/targets` (its keys in snake case: `baseline_year`, …).
        struct Request: Encodable {
            var tenant: String
            var baselineYear: Int
            var reductionPercent: Double
            var targetYear: Int
        }

        func run() async throws {
            try await reportingFailures {
                let reporter = try client.client(for: .reporter)
                let encoder = JSONEncoder()
                encoder.keyEncodingStrategy = .convertToSnakeCase
                let body = try encoder.encode(
                    Request(tenant: tenant, baselineYear: baselineYear, reductionPercent: reductionPercent, targetYear: targetYear))
                let reply = try await reporter.send("POST", "/v1/targets", body: body, contentType: "application/json")
                guard reply.status == 200 else { throw CtlError.refused(service: "reporter", status: reply.status, message: reply.text) }
                print(reply.text)
            }
        }
    }
}
