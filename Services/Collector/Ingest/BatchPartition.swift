import CarbonModel
import RecordParsing
import Contracts
import Foundation
import Messaging

/// How a batch is split among preprocessor replicas. Activity records go to the shard of
/// their `(source, id)`, so one replica always sees every version of a record and can tell a
/// repeat from a revision; declarations go to every shard, since every replica validates
/// against all sites and products. With one replica the batch stays whole and unaddressed.
enum BatchPartition {
    struct Part {
        /// nil: for any consumer (the stage is not sharded).
        var shard: Int?
        var records: [RawRecord]
    }

    private struct RecordKey: Decodable {
        var source: String?
        var id: String?
    }

    static func parts(of records: [RawRecord], entity: IngestEntity, shards: Int) -> [Part] {
        guard shards > 1 else { return [Part(shard: nil, records: records)] }
        guard entity == .activity else { return (0..<shards).map { Part(shard: $0, records: records) } }
        var groups = [[RawRecord]](repeating: [], count: shards)
        let decoder = JSONDecoder()
        for record in records {
            // A record whose key cannot be read will be rejected anyway; any shard can say why, so
            // the errors of the reads below are dropped: shard 0 gets the record.
            let key: RecordKey? =
                if record.framingError != nil {
                    nil
                } else if let object = FlatJSONObject(record.json),
                    // Not a string here: the full decode below decides (see above).
                    let source = try? object.string("source").get(),
                    // Likewise.
                    let id = try? object.string("id").get()
                {
                    RecordKey(source: source, id: id)
                } else {
                    // Unreadable here is rejected by the preprocessor's validation, with the reason.
                    try? decoder.decode(RecordKey.self, from: record.json)
                }
            let shard = key.map { ShardKey.shard(of: "\($0.source ?? "")\u{1F}\($0.id ?? "")", count: shards) } ?? 0
            groups[shard].append(record)
        }
        return groups.enumerated().filter { !$0.element.isEmpty }.map { Part(shard: $0.offset, records: $0.element) }
    }
}
