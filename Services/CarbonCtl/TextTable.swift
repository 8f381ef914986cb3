import CarbonModel
import Foundation

/// A CSV answer drawn as an aligned text table: numbers right-aligned, written as the
/// dashboard and the HTML report write them (``FigureFormat``: emissions in t, kg or g,
/// thousands grouped, never scientific). `--format csv` and `json` keep every digit.
enum TextTable {
    static func render(csv: String) -> String {
        let rows = parse(csv)
        guard let header = rows.first else { return "(no rows)\n" }
        let raw = Array(rows.dropFirst())
        if raw.isEmpty { return header.joined(separator: "  ") + "\n(no rows)\n" }
        let numeric = header.indices.map { column in raw.allSatisfy { column >= $0.count || $0[column].isEmpty || Double($0[column]) != nil } }
        let body = raw.map { row in
            row.enumerated().map { column, text in
                column < header.count && numeric[column] ? cell(text, column: header[column]) : text
            }
        }
        var widths = header.map(\.count)
        for row in body { for (column, text) in row.enumerated() where column < widths.count { widths[column] = max(widths[column], text.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { column, text in
                let width = column < widths.count ? widths[column] : text.count
                let pad = String(repeating: " ", count: max(0, width - text.count))
                return column < numeric.count && numeric[column] ? pad + text : text + pad
            }.joined(separator: "  ")
        }
        var text = line(header) + "\n" + line(widths.map { String(repeating: "-", count: $0) }) + "\n"
        for row in body { text += line(row) + "\n" }
        return text
    }

    /// Columns that hold kg CO2e: the scopes, totals and what was not allocated.
    static func holdsEmissions(_ column: String) -> Bool {
        column.hasPrefix("scope") || column.hasPrefix("total") || column.hasPrefix("unallocated") || column == "kgco2e"
    }

    /// A number written for people: emissions with their unit, other quantities grouped.
    private static func cell(_ text: String, column: String) -> String {
        guard !text.isEmpty, let value = Double(text) else { return text }
        if holdsEmissions(column) { return FigureFormat.emissions(kg: value) }
        // A count (hours, records) stays whole.
        return Int(text) != nil ? text : FigureFormat.number(value)
    }

    /// RFC 4180 fields: quotes, doubled quotes and newlines inside quotes.
    static func parse(_ csv: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var inQuotes = false
        var characters = Array(csv).makeIterator()
        var pending: Character? = nil
        while let character = pending ?? characters.next() {
            pending = nil
            if inQuotes {
                if character == "\"" {
                    if let next = characters.next() {
                        if next == "\"" { field.append("\"") } else { inQuotes = false; pending = next }
                    } else { inQuotes = false }
                } else { field.append(character) }
                continue
            }
            switch character {
            case "\"": inQuotes = true
            case ",": row.append(field); field = ""
            case "\n", "\r\n":
                row.append(field); field = ""
                rows.append(row); row = []
            case "\r": break
            default: field.append(character)
            }
        }
        if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
        return rows
    }
}
