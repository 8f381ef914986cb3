import Foundation
import Testing

/// The README and `docs/` point a newcomer at files by path (`Services/Collector/Ingest/…`).
/// Every such path must exist, so that moving or renaming a file cannot leave the map of the
/// code pointing nowhere. A test suite named without `.swift` counts when its file exists.
@Suite struct DocumentedPathsTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let topFolders = ["Services", "Shared", "Tests", "scripts", "compose", "topology", "refdata", "docs", "examples"]

    /// Every `` `Folder/…` `` path in the README and docs/*.md that names no file or folder.
    static func missingPaths() throws -> [String] {
        let docs = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("docs").path)
            .filter { $0.hasSuffix(".md") }.sorted().map { "docs/\($0)" }
        let pattern = try NSRegularExpression(pattern: "`((?:\(topFolders.joined(separator: "|")))/[^`\\s]*)`")
        var missing: [String] = []
        for doc in ["README.md"] + docs {
            let text = try String(contentsOf: root.appendingPathComponent(doc), encoding: .utf8)
            for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                guard let range = Range(match.range(at: 1), in: text) else { continue }
                var path = String(text[range])
                // `file.swift:12`, `file#anchor` and trailing punctuation name the same file.
                if let cut = path.firstIndex(where: { $0 == ":" || $0 == "#" }) { path = String(path[..<cut]) }
                while let last = path.last, ".,;".contains(last) { path.removeLast() }
                // Placeholders (`Services/<name>`, `compose/k8s/*.yaml`, `{id}`) are patterns, not paths.
                if path.contains(where: { "<*{".contains($0) }) { continue }
                let url = root.appendingPathComponent(path)
                if FileManager.default.fileExists(atPath: url.path) || FileManager.default.fileExists(atPath: url.path + ".swift") { continue }
                let line = text[..<range.lowerBound].filter { $0 == "\n" }.count + 1
                missing.append("\(doc):\(line): \(path)")
            }
        }
        return missing
    }

    @Test func everyPathTheDocsNameExists() throws {
        let missing = try Self.missingPaths()
        #expect(missing.isEmpty, "paths named in the docs that do not exist:\n\(missing.joined(separator: "\n"))")
    }
}
