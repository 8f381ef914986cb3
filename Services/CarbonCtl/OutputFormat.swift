import ArgumentParser

/// How `carbonctl emissions` prints its answer.
enum TableFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case table, json, csv
}

/// The formats the reporter writes reports in.
enum ReportFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case json, csv, html
}
