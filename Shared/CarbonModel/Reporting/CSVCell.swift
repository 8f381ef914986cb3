/// One cell of a CSV file the suite writes (emissions, inventory reports). Text and numbers are
/// told apart on purpose: text comes from tenants and the provider (names, regions, tags,
/// sources), and a spreadsheet runs text that starts like a formula (`=cmd|…`, `@SUM(…)`), so
/// text is neutralized; a number the suite formats itself (`-3.5`) must stay a number.
public enum CSVCell: Sendable, Equatable {
    case text(String)
    case number(Double)
    case empty

    /// The cell as written between the commas.
    public var rendered: String {
        switch self {
        case .text(let text): return Self.neutralized(text)
        case .number(let value): return "\(value)"
        case .empty: return ""
        }
    }

    /// One line of cells, without its line break.
    public static func line(_ cells: [CSVCell]) -> String {
        cells.map(\.rendered).joined(separator: ",")
    }

    /// Characters that make a spreadsheet read a cell as a formula, or that it strips before
    /// doing so (OWASP, "CSV Injection").
    static let formulaStarts: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r"]
    /// Characters that need the cell quoted: separators (`,`; `;` in many locales), quotes, line breaks.
    static let quoted: Set<Unicode.Scalar> = [",", ";", "\"", "\n", "\r"]

    /// A text cell: prefixed with `'` when it starts like a formula (so spreadsheets show it as
    /// text), and quoted (RFC 4180, inner quotes doubled) when it was prefixed or holds a
    /// separator, quote or line break — a quoted cell cannot be split into a second cell that
    /// starts a formula, whichever separator the spreadsheet assumes.
    public static func neutralized(_ text: String) -> String {
        let neutralized = text.unicodeScalars.first.map(formulaStarts.contains) ?? false
        guard neutralized || text.unicodeScalars.contains(where: quoted.contains) else { return text }
        var cell = neutralized ? "\"'" : "\""
        for character in text { cell += character == "\"" ? "\"\"" : String(character) }
        return cell + "\""
    }
}
