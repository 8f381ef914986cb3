import Foundation
import Testing

/// Compares a reported figure with a hand-computed one, to floating-point rounding.
func expectClose(
    _ actual: Any?, _ expected: Double, _ what: @autoclosure () -> String, sourceLocation: SourceLocation = #_sourceLocation
) {
    let value = (actual as? Double) ?? (actual as? NSNumber)?.doubleValue
    guard let value else {
        Issue.record("\(what()): missing (expected \(expected))", sourceLocation: sourceLocation)
        return
    }
    let tolerance = max(1e-6, abs(expected) * 1e-9)
    #expect(abs(value - expected) <= tolerance, "\(what()): \(value) ≠ \(expected)", sourceLocation: sourceLocation)
}

/// The row whose dimensions match `keys`.
func row(_ rows: [[String: Any]], _ keys: [String: String]) -> [String: Any]? {
    rows.first { row in keys.allSatisfy { row[$0.key] as? String == $0.value } }
}
