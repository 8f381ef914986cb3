import CarbonModel
import Contracts
import Collecting
import Foundation
import Logging

/// A watched folder of cloud billing exports (AWS Cost and Usage Report, Google Cloud's BigQuery
/// billing export as CSV): each file is converted with the source's `BillingMapping` into usage
/// records and ingested once, like a file drop (same `WatchedFolder`, same delivery key). Rows
/// that cannot be converted are rejected with their line in the export and quarantined; the
/// conversion summary (rows left out as tax or credit, unmapped services) is written into the
/// note beside the file in `done/`.
struct BillingExportCollector: Collector {
    let configuration: BillingExportConfiguration
    let mapping: BillingMapping
    let logger: Logger
    var name: String { configuration.name }
    var kind: String { "billing_export" }

    var folder: WatchedFolder {
        let (format, mapping, source) = (configuration.format, mapping, configuration.name)
        return WatchedFolder(
            name: name, folder: URL(fileURLWithPath: configuration.folder, isDirectory: true), pollSeconds: configuration.pollSeconds,
            extensions: ["csv"], logger: logger
        ) { _, body throws(BatchRefused) in
            let conversion: BillingConversion
            do { conversion = try BillingExportConversion.convert(body, format: format, mapping: mapping, source: source) } catch {
                throw BatchRefused(status: 400, reason: "not a \(format.rawValue) billing export: \(error)")
            }
            return PreparedFile(
                body: conversion.body, format: .ndjson, entity: .activity, hasRecords: conversion.records > 0, summary: conversion.summary)
        }
    }

    func run(into sink: any BatchSink, health: SourceHealthBoard) async {
        await folder.run(into: sink, health: health)
    }
}
