import Foundation

/// Runs the example collector `examples/python-collector/cm_collector.py` with python3.
enum PythonCollector {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("examples/python-collector/cm_collector.py")

    /// True when python3 runs and can import pyzmq (`.ci/run` installs it).
    static let available: Bool = {
        (try? run(["-c", "import zmq"]).status) == 0
    }()

    /// Runs python3 with `arguments`; returns the exit status and stdout + stderr.
    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    /// Sends `files` as `entity` to the suite's ingest endpoint; returns the exit status and one
    /// parsed JSON object per output line.
    static func send(
        _ suite: SuiteProcess, entity: String, files: [URL], apiKey: String? = nil, batchSize: Int = 5000
    ) throws -> (status: Int32, lines: [[String: Any]], output: String) {
        var arguments = [
            script.path, "--endpoint", "tcp://127.0.0.1:\(suite.ports.collectorIngest)", "--entity", entity,
            "--batch-size", "\(batchSize)", "--timeout", "20", "--retries", "1",
        ]
        if let apiKey { arguments += ["--api-key", apiKey] }
        let (status, output) = try run(arguments + files.map(\.path))
        let lines = output.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }
        return (status, lines, output)
    }

    /// Writes `text` to a file named `name` in the suite's data folder.
    static func file(_ suite: SuiteProcess, _ name: String, _ text: String) throws -> URL {
        let url = suite.dataDir.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url
    }
}
