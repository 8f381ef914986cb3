import Foundation

/// How the commands that read one reporter route print it: the reporter's own JSON or CSV as
/// it came, or a table drawn from its CSV (which carries the column order), optionally
/// reshaped first.
enum ReporterTable {
    static func show(
        _ path: String, query: [(String, String?)], format: TableFormat, client: ClientOptions,
        reshape: (String) -> String = { $0 }
    ) async throws {
        let reporter = try client.client(for: .reporter)
        var items = query.compactMap { name, value in value.map { URLQueryItem(name: name, value: $0) } }
        items.append(URLQueryItem(name: "format", value: format == .json ? "json" : "csv"))
        let body = try await reporter.get(path, query: items)
        switch format {
        case .json, .csv: FileHandle.standardOutput.write(body)
        case .table: print(TextTable.render(csv: reshape(String(decoding: body, as: UTF8.self))), terminator: "")
        }
    }
}
