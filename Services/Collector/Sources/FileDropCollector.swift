import CarbonModel
import RecordParsing
import Collecting
import Foundation
import Logging

/// A watched folder of batches: every NDJSON (`.ndjson`, `.jsonl`), JSON (`.json`) or CSV
/// (`.csv`) file put in it is ingested once as it is, then moved to `done/` or `failed/`
/// (`WatchedFolder` does the listing, the exactly-once delivery and the moving).
struct FileDropCollector: Collector {
    let configuration: FileDropConfiguration
    let logger: Logger
    var name: String { configuration.name }
    var kind: String { "file_drop" }

    static let extensions: Set<String> = ["ndjson", "jsonl", "json", "csv"]

    var folder: WatchedFolder {
        let entity = configuration.entity
        return WatchedFolder(
            name: name, folder: URL(fileURLWithPath: configuration.folder, isDirectory: true), pollSeconds: configuration.pollSeconds,
            extensions: Self.extensions, logger: logger
        ) { file, body throws(BatchRefused) in
            let format: BatchFormat
            switch file.pathExtension.lowercased() {
            case "csv": format = .csv
            case "json": format = BatchFormat.sniff(body)
            default: format = .ndjson
            }
            return PreparedFile(body: body, format: format, entity: entity)
        }
    }

    func run(into sink: any BatchSink, health: SourceHealthBoard) async {
        await folder.run(into: sink, health: health)
    }
}
