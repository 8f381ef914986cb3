import Foundation

/// A CSV answer drawn as an aligned text table: numbers right-aligned and rounded to 3 decimals.
enum TextTable {
    static func render(csv: String) -> String {
        let rows = parse(csv)
        guard let header = rows.first else { return "(no rows)\n" }
        let body = rows.dropFirst().map { row in row.map(cell) }
        if body.isEmpty { return header.joined(separator: "  ") + "\n(no rows)\n" }
        var widths = header.map(\.count)
        for row in body { for (column, text) in row.enumerated() where column < widths.count { widths[column] = max(widths[column], text.count) } }
        let numeric = header.indices.map { column in body.allSatisfy { column >= $0.count || $0[column].isEmpty || Double($0[column]) != nil } }
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

    /// A number with a fraction is shown with 3 decimals; other cells as they are.
    private static func cell(_ text: String) -> String {
        guard text.contains(".") || text.contains("e"), let value = Double(text) else { return text }
        return String(format: "%.3f", value)
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
