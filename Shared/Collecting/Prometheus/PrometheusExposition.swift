/// Reads the Prometheus text exposition format (and the OpenMetrics text format, which shares
/// its sample lines): `name{label="value",…} value [timestamp]` per line, `#` lines being
/// comments, `HELP`/`TYPE` metadata or OpenMetrics' `# EOF`. Pure and forgiving: a line that
/// cannot be read is reported with its number and the rest is still read.
public enum PrometheusExposition {
    /// One sample: a metric name, its labels and its value.
    public struct Sample: Sendable, Hashable {
        public var name: String
        public var labels: [String: String]
        public var value: Double

        public init(name: String, labels: [String: String] = [:], value: Double) {
            self.name = name
            self.labels = labels
            self.value = value
        }

        /// The series' identity: name and labels in label order, as Prometheus writes it.
        public var seriesKey: String {
            name + "{" + labels.sorted { $0.key < $1.key }.map { "\($0.key)=\"\($0.value)\"" }.joined(separator: ",") + "}"
        }
    }

    /// A line that could not be read: its 1-based number and why.
    public struct BadLine: Sendable, Hashable {
        public var line: Int
        public var reason: String

        public init(line: Int, reason: String) {
            self.line = line
            self.reason = reason
        }
    }

    public static func parse(_ text: String) -> (samples: [Sample], bad: [BadLine]) {
        var samples: [Sample] = []
        var bad: [BadLine] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingTrailingCarriageReturn()
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            if line.first == "#" {
                if line == "# EOF" { break }
                continue
            }
            switch sample(Array(line.utf8)) {
            case .success(let sample): samples.append(sample)
            case .failure(let reason): bad.append(BadLine(line: index + 1, reason: reason.message))
            }
        }
        return (samples, bad)
    }

    struct Reason: Error {
        var message: String
    }

    private static func sample(_ bytes: [UInt8]) -> Result<Sample, Reason> {
        var index = 0
        func skipSpaces() { while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 { index += 1 } }
        func isNameByte(_ byte: UInt8, first: Bool) -> Bool {
            (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || byte == 0x5F || byte == 0x3A
                || (!first && byte >= 0x30 && byte <= 0x39)
        }
        func name() -> String? {
            let start = index
            while index < bytes.count, isNameByte(bytes[index], first: index == start) { index += 1 }
            return index > start ? String(decoding: bytes[start..<index], as: UTF8.self) : nil
        }

        skipSpaces()
        guard let metric = name() else { return .failure(Reason(message: "expected a metric name")) }
        var labels: [String: String] = [:]
        if index < bytes.count, bytes[index] == 0x7B {  // {
            index += 1
            while true {
                skipSpaces()
                if index < bytes.count, bytes[index] == 0x7D {  // }
                    index += 1
                    break
                }
                guard let label = name() else { return .failure(Reason(message: "expected a label name in \(metric)")) }
                skipSpaces()
                guard index < bytes.count, bytes[index] == 0x3D else { return .failure(Reason(message: "expected = after label \(label)")) }
                index += 1
                skipSpaces()
                guard index < bytes.count, bytes[index] == 0x22 else { return .failure(Reason(message: "expected a quoted value for label \(label)")) }
                index += 1
                var value: [UInt8] = []
                var closed = false
                while index < bytes.count {
                    let byte = bytes[index]
                    index += 1
                    if byte == 0x22 {
                        closed = true
                        break
                    }
                    if byte == 0x5C, index < bytes.count {  // backslash: \\, \" or \n
                        let escaped = bytes[index]
                        index += 1
                        value.append(escaped == 0x6E ? 0x0A : escaped)
                    } else {
                        value.append(byte)
                    }
                }
                guard closed else { return .failure(Reason(message: "unterminated value of label \(label)")) }
                labels[label] = String(decoding: value, as: UTF8.self)
                skipSpaces()
                if index < bytes.count, bytes[index] == 0x2C { index += 1 }  // ,
            }
        }
        skipSpaces()
        let valueStart = index
        while index < bytes.count, bytes[index] != 0x20, bytes[index] != 0x09 { index += 1 }
        let valueText = String(decoding: bytes[valueStart..<index], as: UTF8.self)
        guard let value = number(valueText) else {
            return .failure(Reason(message: "\(metric): value \"\(valueText)\" is not a number"))
        }
        // An optional timestamp may follow; the scrape's own time is used instead, so it is not read.
        return .success(Sample(name: metric, labels: labels, value: value))
    }

    private static func number(_ text: String) -> Double? {
        switch text {
        case "+Inf", "Inf": return .infinity
        case "-Inf": return -.infinity
        case "NaN": return .nan
        default: return Double(text)
        }
    }
}

extension Substring {
    fileprivate func trimmingTrailingCarriageReturn() -> Substring { last == "\r" ? dropLast() : self }
}
