import Foundation
import Testing

/// `docs/openapi.json` stays true: every documented operation is served by the services it
/// names (the operation's own `x-services`, else its path's), and every route the code
/// registers is documented with its method.
@Suite(.serialized) struct OpenAPITests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func document() throws -> [String: [String: Any]] {
        let data = try Data(contentsOf: root.appendingPathComponent("docs/openapi.json"))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return try #require(object["paths"] as? [String: [String: Any]])
    }

    @Test func everyDocumentedOperationIsServed() async throws {
        let paths = try Self.document()
        let suite = try SuiteProcess()
        try await suite.start()
        var checked = 0
        for (path, item) in paths.sorted(by: { $0.key < $1.key }) {
            let pathServices = item["x-services"] as? [String]
            let concrete = path.replacingOccurrences(of: "{id}", with: "no-such-id").replacingOccurrences(of: "{tenant}", with: "no-such-tenant")
            for method in ["get", "post", "delete"] where item[method] != nil {
                let operation = item[method] as? [String: Any]
                let services = try #require(operation?["x-services"] as? [String] ?? pathServices, "\(method) \(path) names no service")
                for name in services {
                    let service = try #require(SuiteProcess.Service(rawValue: name), "\(path): unknown service \(name)")
                    let body: Data? = method == "post" ? Data("{}".utf8) : nil
                    let (status, data) = try await suite.request(
                        service, concrete, method: method.uppercased(), body: body, headers: ["Content-Type": "application/json"])
                    // A 404 of ours names what was not found; the router's own 404 (no such route) does not.
                    let ours = String(decoding: data, as: UTF8.self).contains("\"error\"")
                    #expect(status != 405 && (status != 404 || ours), "\(method.uppercased()) \(path) on \(name) answered \(status)")
                    checked += 1
                }
            }
        }
        #expect(checked >= 28)
        await suite.stopAll()
    }

    @Test func everyRouteInTheCodeIsDocumented() throws {
        let document = try Self.document()
        let pattern = try NSRegularExpression(pattern: #"router\.(get|post|put|delete)\("([^"]+)""#)
        var found: [String] = []
        for folder in ["Services", "Shared"] {
            let enumerator = FileManager.default.enumerator(at: Self.root.appendingPathComponent(folder), includingPropertiesForKeys: nil)
            while let url = enumerator?.nextObject() as? URL {
                guard url.pathExtension == "swift", let text = try? String(contentsOf: url, encoding: .utf8) else { continue }
                for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                    if let method = Range(match.range(at: 1), in: text), let path = Range(match.range(at: 2), in: text) {
                        found.append("\(text[method]) \(text[path])")
                    }
                }
            }
        }
        #expect(found.count >= 20)
        let missing = Set(found).filter { route in
            let parts = route.split(separator: " ", maxSplits: 1).map(String.init)
            return document[parts[1]]?[parts[0]] == nil
        }
        #expect(missing.isEmpty, "routes not in docs/openapi.json: \(missing.sorted())")
    }
}
