import CarbonModel
import Contracts
import Collecting
import Foundation

/// The collector's compiled-in sources, read from the JSON file given with `--sources`
/// (env `CM_COLLECTOR_SOURCES`); documented in docs/collectors.md.
struct SourcesConfiguration: Codable, Sendable {
    var exec: [ExecPluginConfiguration] = []
    var fileDrop: [FileDropConfiguration] = []
    var billingExport: [BillingExportConfiguration] = []
    var prometheus: [PrometheusScrapeConfiguration] = []
    /// Each billing export source's mapping, read from the file it names (by source name).
    var mappings: [String: BillingMapping] = [:]

    enum CodingKeys: String, CodingKey {
        case exec, prometheus
        case fileDrop = "file_drop"
        case billingExport = "billing_export"
    }

    init(exec: [ExecPluginConfiguration] = [], fileDrop: [FileDropConfiguration] = []) {
        self.exec = exec
        self.fileDrop = fileDrop
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        exec = try container.decodeIfPresent([ExecPluginConfiguration].self, forKey: .exec) ?? []
        fileDrop = try container.decodeIfPresent([FileDropConfiguration].self, forKey: .fileDrop) ?? []
        billingExport = try container.decodeIfPresent([BillingExportConfiguration].self, forKey: .billingExport) ?? []
        prometheus = try container.decodeIfPresent([PrometheusScrapeConfiguration].self, forKey: .prometheus) ?? []
    }

    /// Reads and checks the file; the error says what is wrong and where.
    static func load(path: String) throws(SourcesConfigurationError) -> SourcesConfiguration {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw SourcesConfigurationError("cannot read sources file \(path): \(error.localizedDescription)")
        }
        var configuration: SourcesConfiguration
        do { configuration = try JSONDecoder().decode(SourcesConfiguration.self, from: data) } catch {
            throw SourcesConfigurationError("sources file \(path) is not valid: \(error)")
        }
        var names = Set<String>()
        let allNames =
            configuration.exec.map(\.name) + configuration.fileDrop.map(\.name) + configuration.billingExport.map(\.name)
            + configuration.prometheus.map(\.name)
        for name in allNames {
            guard !name.isEmpty else { throw SourcesConfigurationError("sources file \(path): a source has an empty name") }
            guard names.insert(name).inserted else { throw SourcesConfigurationError("sources file \(path): two sources are named \(name)") }
        }
        for plugin in configuration.exec where plugin.command.isEmpty {
            throw SourcesConfigurationError("sources file \(path): exec source \(plugin.name) has an empty command")
        }
        for scrape in configuration.prometheus {
            guard !scrape.metrics.isEmpty else { throw SourcesConfigurationError("sources file \(path): prometheus source \(scrape.name) lists no metrics") }
            for rule in scrape.metrics {
                if let problem = rule.problem {
                    throw SourcesConfigurationError("sources file \(path): prometheus source \(scrape.name), metric \(rule.metric): \(problem)")
                }
            }
        }
        // A mapping path is relative to the sources file, so the two can travel together.
        let base = URL(fileURLWithPath: path).deletingLastPathComponent()
        for billing in configuration.billingExport {
            let file = billing.mapping.hasPrefix("/") ? URL(fileURLWithPath: billing.mapping) : base.appendingPathComponent(billing.mapping)
            let mappingData: Data
            do { mappingData = try Data(contentsOf: file) } catch {
                throw SourcesConfigurationError("billing source \(billing.name): cannot read mapping file \(file.path): \(error.localizedDescription)")
            }
            do { configuration.mappings[billing.name] = try JSONDecoder().decode(BillingMapping.self, from: mappingData) } catch {
                throw SourcesConfigurationError("billing source \(billing.name): mapping file \(file.path) is not valid: \(error)")
            }
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

/// One watched folder of cloud billing exports, converted into usage records with a mapping file.
struct BillingExportConfiguration: Codable, Sendable {
    var name: String
    var folder: String
    var format: BillingExportFormat
    /// Path of the JSON mapping file (`BillingMapping`), absolute or relative to the sources file.
    var mapping: String
    var pollSeconds: Double
    /// Rows converted and stored per transaction: the unit a restart resumes at.
    var commitRows: Int
    /// Records (and rejected rows) per batch sent to the pipeline.
    var batchRecords: Int
    /// How long to wait, once an export is sent, for the verdicts of batches still queued.
    var verdictWaitSeconds: Double

    enum CodingKeys: String, CodingKey {
        case name, folder, format, mapping
        case pollSeconds = "poll_seconds"
        case commitRows = "commit_rows"
        case batchRecords = "batch_records"
        case verdictWaitSeconds = "verdict_wait_seconds"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        folder = try container.decode(String.self, forKey: .folder)
        format = try container.decode(BillingExportFormat.self, forKey: .format)
        mapping = try container.decode(String.self, forKey: .mapping)
        pollSeconds = max(0.05, try container.decodeIfPresent(Double.self, forKey: .pollSeconds) ?? 2)
        commitRows = min(1_000_000, max(1, try container.decodeIfPresent(Int.self, forKey: .commitRows) ?? 20_000))
        batchRecords = min(100_000, max(1, try container.decodeIfPresent(Int.self, forKey: .batchRecords) ?? 5_000))
        verdictWaitSeconds = max(0, try container.decodeIfPresent(Double.self, forKey: .verdictWaitSeconds) ?? 30)
    }
}

/// One metrics endpoint scraped for energy counters.
struct PrometheusScrapeConfiguration: Codable, Sendable {
    var name: String
    var url: URL
    var intervalSeconds: Double
    var timeoutSeconds: Double
    var metrics: [EnergyMetricRule]

    enum CodingKeys: String, CodingKey {
        case name, url, metrics
        case intervalSeconds = "interval_seconds"
        case timeoutSeconds = "timeout_seconds"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        url = try container.decode(URL.self, forKey: .url)
        intervalSeconds = max(0.05, try container.decodeIfPresent(Double.self, forKey: .intervalSeconds) ?? 60)
        timeoutSeconds = max(0.05, try container.decodeIfPresent(Double.self, forKey: .timeoutSeconds) ?? 10)
        metrics = try container.decode([EnergyMetricRule].self, forKey: .metrics)
    }
}
