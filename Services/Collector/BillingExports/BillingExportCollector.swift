import CarbonModel
import Collecting
import Contracts
import Foundation
import GRDB
import Logging

/// A watched folder of cloud billing exports (FOCUS from any provider, AWS Data Exports CUR 2.0,
/// the legacy AWS Cost and Usage Report, Google Cloud's BigQuery export as CSV), plain or gzip,
/// one file or a folder of parts: each export is converted with the source's `BillingMapping`
/// into usage records and ingested once (`BillingExportIngest`: streamed in bounded memory,
/// resumed after a restart, recognised by content). Rows that cannot be converted are rejected
/// with their line in the export and quarantined; the conversion summary (rows left out as tax
/// or credit, unmapped services and their lines) and the summed verdicts are written into the
/// note beside the export in `done/`. Progress shows in `GET /v1/sources`.
struct BillingExportCollector: Collector {
    let configuration: BillingExportConfiguration
    let mapping: BillingMapping
    let database: DatabasePool
    let verdicts: VerdictTracker
    let logger: Logger
    var name: String { configuration.name }
    var kind: String { "billing_export" }

    var folder: WatchedFolder {
        WatchedFolder(
            name: name, folder: URL(fileURLWithPath: configuration.folder, isDirectory: true), pollSeconds: configuration.pollSeconds,
            extensions: ["csv", "gz"], includeFolders: true, logger: logger
        ) { file, _ throws(BatchRefused) in
            // Never called: every entry is streamed by `BillingExportIngest`.
            throw BatchRefused(status: 500, reason: "\(file.lastPathComponent): billing exports are streamed, not read whole")
        }
    }

    func run(into sink: any BatchSink, health: SourceHealthBoard) async {
        let ingest = BillingExportIngest(
            source: name, format: configuration.format, mapping: mapping, folder: folder, database: database, verdicts: verdicts, sink: sink,
            health: health, logger: logger, commitRows: configuration.commitRows, batchRecords: configuration.batchRecords,
            verdictWaitSeconds: configuration.verdictWaitSeconds)
        await folder.run(into: sink, health: health) { entry in await ingest.process(entry) }
    }
}
