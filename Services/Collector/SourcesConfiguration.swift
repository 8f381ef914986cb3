import CarbonModel
import Foundation

/// The collector's compiled-in sources, read from the JSON file given with `--sources`
/// (env `CM_COLLECTOR_SOURCES`); documented in docs/collectors.md.
struct SourcesConfiguration: Codable, Sendable {
    var exec: [ExecPluginConfiguration] = []
    var fileDrop: [FileDropConfiguration] = []

    enum CodingKeys: String, CodingKey {
        case exec
        case fileDrop = "file_drop"
    }

    init(exec: [ExecPluginConfiguration] = [], fileDrop: [FileDropConfiguration] = []) {
        self.exec = exec
        self.fileDrop = fileDrop
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        exec = try container.decodeIfPresent([ExecPluginConfiguration].self, forKey: .exec) ?? []
        fileDrop = try container.decodeIfPresent([FileDropConfiguration].self, forKey: .fileDrop) ?? []
    }

    /// Reads and checks the file; the error says what is wrong and where.
    static func load(path: String) throws(SourcesConfigurationError) -> SourcesConfiguration {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw SourcesConfigurationError("cannot read sources file \(path): \(error.localizedDescription)")
        }
        let configuration: SourcesConfiguration
        do { configuration = try JSONDecoder().decode(SourcesConfiguration.self, from: data) } catch {
            throw SourcesConfigurationError("sources file \(path) is not valid: \(error)")
        }
        var names = Set<String>()
        for name in configuration.exec.map(\.name) + configuration.fileDrop.map(\.name) {
            guard !name.isEmpty else { throw SourcesConfigurationError("sources file \(path): a source has an empty name") }
            guard names.insert(name).inserted else { throw SourcesConfigurationError("sources file \(path): two sources are named \(name)") }
        }
        for plugin in configuration.exec where plugin.command.isEmpty {
            throw SourcesConfigurationError("sources file \(path): exec source \(plugin.name) has an empty command")
        }
        return configuration
    }
}

struct SourcesConfigurationError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// One exec plugin: a command run every `interval_seconds`, printing NDJSON records on stdout.
struct ExecPluginConfiguration: Codable, Sendable {
    var name: String
    /// Program and arguments, looked up on PATH (e.g. `["/bin/sh", "-c", "my-meter --json"]`).
    var command: [String]
    var intervalSeconds: Double
    var timeoutSeconds: Double
    /// First retry after a failure; doubles up to `interval_seconds`.
    var retrySeconds: Double
    var entity: IngestEntity

    enum CodingKeys: String, CodingKey {
        case name, command, entity
        case intervalSeconds = "interval_seconds"
        case timeoutSeconds = "timeout_seconds"
        case retrySeconds = "retry_seconds"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        command = try container.decode([String].self, forKey: .command)
        intervalSeconds = max(0.05, try container.decodeIfPresent(Double.self, forKey: .intervalSeconds) ?? 60)
        timeoutSeconds = max(0.05, try container.decodeIfPresent(Double.self, forKey: .timeoutSeconds) ?? 30)
        retrySeconds = max(0.05, try container.decodeIfPresent(Double.self, forKey: .retrySeconds) ?? 1)
        entity = try container.decodeIfPresent(IngestEntity.self, forKey: .entity) ?? .activity
    }
}

/// One watched folder: NDJSON, JSON or CSV files dropped in it are ingested once each.
struct FileDropConfiguration: Codable, Sendable {
    var name: String
    var folder: String
    var pollSeconds: Double
    var entity: IngestEntity

    enum CodingKeys: String, CodingKey {
        case name, folder, entity
        case pollSeconds = "poll_seconds"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        folder = try container.decode(String.self, forKey: .folder)
        pollSeconds = max(0.05, try container.decodeIfPresent(Double.self, forKey: .pollSeconds) ?? 2)
        entity = try container.decodeIfPresent(IngestEntity.self, forKey: .entity) ?? .activity
    }
}
