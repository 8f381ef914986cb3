import ArgumentParser

/// `carbonctl`: the command-line client of the CarbonMeter services. It is not a service: it keeps
/// no state and only calls the collector's, the reporter's and auth's HTTP APIs.
@main
struct CarbonCtl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "carbonctl",
        abstract: "Command-line client of the CarbonMeter services (collector, reporter, auth).",
        discussion: """
            Sends data to the collector and reads emissions, reports, targets and budgets from the \
            reporter, and the lineage of a result from the calculator, over their HTTP APIs. Where \
            the services are and who you are come from the options below or the environment \
            (CM_COLLECTOR_URL, CM_REPORTER_URL, CM_AUTH_URL, CM_CALCULATOR_URL, CM_TOKEN).

            Example:
              carbonctl ingest usage.ndjson && carbonctl status --wait 60 && carbonctl emissions --group-by tenant,month
            """,
        subcommands: [
            IngestCommand.self, EmissionsCommand.self, ReportCommand.self, StatusCommand.self, TargetsCommand.self,
            BudgetsCommand.self, LoginCommand.self, ExplainCommand.self, TagsCommand.self, IndicatorsCommand.self,
        ])
}
