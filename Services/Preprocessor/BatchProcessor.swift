import CarbonModel
import RecordParsing
import Contracts
import Foundation
import GRDB
import Logging
import Messaging

/// Turns one ingest batch into validated, normalized records, inside the caller's transaction:
/// rejected records go to quarantine with the reason, exact repeats are counted and dropped,
/// revisions replace the earlier version (kept in history), and what the calculator needs is
/// written to the outbox. Returns the verdict for the sender.
struct BatchProcessor {
    // Raw SQL throughout: this runs once per record of every batch on the ingest path measured by scripts/bench
    // (provider mix); cached prepared statements keep per-line CPU down.
    let source: MessageSource
    /// Calculator replicas; each owns one ``CalculatorPartition`` of every region: the usage of
    /// the products whose partition is its index. Every replica gets every other record.
    let calculatorShards: Int
    private let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    func process(_ db: Database, header: EnvelopeHeader, body: Data, registry: inout Registry) throws -> BatchVerdict {
        let meta: IngestBatchMeta, lines: [Data]
        do { (meta, lines) = try IngestBatch.decode(body) } catch {
            let reason = "the batch could not be decoded: \(error)"
            try quarantine(db, batch: header.id, entity: "unknown", format: "unknown", position: 0, field: nil, reason: reason, raw: body)
            return BatchVerdict(batch: header.id, entity: .activity, status: .processed, received: 0,
                rejected: [RejectedRecord(position: 0, format: .ndjson, field: nil, reason: reason)])
        }
        var verdict = BatchVerdict(batch: meta.batch, entity: meta.entity, status: .processed, received: lines.count)
        var normalized: [NormalizedRecord] = []
        var retracted: [AddressedRetraction] = []
        var update = RegistryUpdate()
        // Rows from before owners were recorded, which a tenant may take over; looked for only
        // when a tenant sends and some remain (a partial index makes the check one seek).
        var adoptable = false
        if meta.entity == .activity, meta.tenant != nil {
            adoptable = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM records WHERE owner_unknown = 1)") ?? false
        }
        for (index, line) in lines.enumerated() {
            let position = index < meta.positions.count ? meta.positions[index] : index
            let outcome: Result<Change, RecordRejection>
            if let failure = IngestBatch.framingFailure(in: line) {
                outcome = .failure(RecordRejection(field: nil, reason: failure.error))
            } else {
                switch meta.entity {
                case .activity:
                    switch RecordValidator.normalize(line, registry: registry) {
                    case .success(var record):
                        // The collector checked the same claim; this check is the one that holds
                        // whatever door the batch came through.
                        if let refusal = RecordOwner.refusal(of: record, sentBy: meta.tenant) {
                            outcome = .failure(refusal)
                        } else {
                            record.owner = meta.tenant
                            outcome = .success(try applyRecord(db, record, adoptable: adoptable, into: &normalized, retracting: &retracted))
                        }
                    case .failure(let rejection): outcome = .failure(rejection)
                    }
                case .sites:
                    switch RecordValidator.site(line) {
                    case .success(let site):
                        let change = try upsert(db, table: "sites", key: "site", value: site.site, declaration: site)
                        if change != .repeated {
                            registry.declare(site)
                            update.sites.append(site)
                        }
                        outcome = .success(change)
                    case .failure(let rejection): outcome = .failure(rejection)
                    }
                case .products:
                    switch RecordValidator.product(line) {
                    case .success(let product):
                        let change = try upsert(db, table: "products", key: "product", value: product.product, declaration: product)
                        if change != .repeated {
                            registry.declare(product)
                            update.products.append(product)
                        }
                        outcome = .success(change)
                    case .failure(let rejection): outcome = .failure(rejection)
                    }
                case .factors:
                    switch RecordValidator.factor(line, grids: registry.grids) {
                    case .success(let factor):
                        let change = try upsert(db, table: "factors", key: "factor", value: factor.factor, declaration: factor)
                        if change != .repeated { update.factors.append(factor) }
                        outcome = .success(change)
                    case .failure(let rejection): outcome = .failure(rejection)
                    }
                }
            }
            switch outcome {
            case .success(.accepted): verdict.accepted += 1
            case .success(.repeated): verdict.repeats += 1
            case .success(.revised): verdict.revisions += 1
            case .failure(let rejection):
                verdict.rejected.append(RejectedRecord(position: position, format: meta.format, field: rejection.field, reason: rejection.message))
                try quarantine(db, batch: meta.batch, entity: meta.entity.rawValue, format: meta.format.rawValue, position: position,
                    field: rejection.field, reason: rejection.message, raw: line, tenant: meta.tenant)
            }
        }
        let correlation = header.correlationId ?? header.id
        // Every calculator replica needs every declaration and facility record; usage goes to its
        // product's partition of its region.
        if !update.isEmpty {
            for shard in allShards() {
                let out = EnvelopeHeader(
                    id: MessageID.derived(from: header.id, stage: "registry", index: shard ?? 0), type: RegistryUpdate.messageType,
                    source: source, correlationId: correlation, causationId: header.id)
                try MessageStore.enqueue(db, header: out, body: try encoder.encode(update), shard: shard)
            }
        }
        for (shard, records) in group(retracted.map { ($0.shards, $0.retraction) }) {
            let out = EnvelopeHeader(
                id: MessageID.derived(from: header.id, stage: "retraction", index: shard ?? 0), type: RecordRetraction.messageType,
                source: source, correlationId: correlation, causationId: header.id)
            try MessageStore.enqueue(db, header: out, body: try encoder.encode(records), shard: shard)
        }
        for (shard, records) in group(normalized.map { (shards(of: $0), $0) }) {
            let out = EnvelopeHeader(
                id: MessageID.derived(from: header.id, stage: "activity", index: shard ?? 0), type: NormalizedActivity.messageType,
                source: source, correlationId: correlation, causationId: header.id)
            try MessageStore.enqueue(db, header: out, body: NormalizedRecord.encodeArray(records), shard: shard)
        }
        return verdict
    }

    enum Change { case accepted, repeated, revised }

    /// The calculator shards to address: nil alone when the calculator is not scaled out.
    private func allShards() -> [Int?] {
        calculatorShards > 1 ? Array(0..<calculatorShards) : [nil]
    }

    /// The calculator shards that hold `record`: its partition's (``CalculatorPartition``), or
    /// every one.
    private func shards(of record: NormalizedRecord) -> [Int?] {
        guard calculatorShards > 1 else { return [nil] }
        if let index = CalculatorPartition.index(of: record, count: calculatorShards) { return [index] }
        return Array(0..<calculatorShards)
    }

    /// Items addressed to shards, as one list per shard in shard order (items keep their order).
    private func group<T>(_ items: [([Int?], T)]) -> [(Int?, [T])] {
        guard !items.isEmpty else { return [] }
        guard calculatorShards > 1 else { return [(nil, items.map(\.1))] }
        var grouped: [Int: [T]] = [:]
        for (shards, item) in items {
            for shard in shards { grouped[shard ?? 0, default: []].append(item) }
        }
        return grouped.keys.sorted().map { ($0, grouped[$0] ?? []) }
    }

    /// A withdrawn record version and the calculator shards that hold it.
    private struct AddressedRetraction {
        var shards: [Int?]
        var retraction: RecordRetraction
    }

    /// `(owner, source, id)` is the idempotency key: the same content again is a repeat;
    /// different content is the next revision, which replaces the earlier one downstream.
    private func applyRecord(
        _ db: Database, _ record: NormalizedRecord, adoptable: Bool, into normalized: inout [NormalizedRecord],
        retracting retracted: inout [AddressedRetraction]
    ) throws -> Change {
        let canonical = record.canonicalEncoding()
        let owner = RecordOwner.key(record.owner)
        var record = record
        // Most records are new: try the insert first, and look the record up only when its
        // identity is taken — one B-tree descent instead of two for the common case.
        try db.cachedStatement(
            sql: "INSERT INTO records (source, id, owner, revision, kind, canonical) VALUES (?, ?, ?, 1, ?, ?) ON CONFLICT (source, id, owner) DO NOTHING"
        ).execute(arguments: [record.source, record.id, owner, record.kind.rawValue, canonical])
        if db.changesCount == 1 {
            if adoptable, let owner = record.owner, let change = try adopt(db, record, owner: owner, canonical: canonical, into: &normalized, retracting: &retracted) {
                return change
            }
            record.revision = 1
            normalized.append(record)
            return .accepted
        }
        guard
            let existing = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT revision, canonical FROM records WHERE source = ? AND id = ? AND owner = ?"),
                arguments: [record.source, record.id, owner])
        else {
            throw DatabaseError(message: "records: (\(owner), \(record.source), \(record.id)) neither inserted nor found")
        }
        let previous: Data = existing["canonical"]
        if previous == canonical { return .repeated }
        let revision: Int = existing["revision"]
        record.revision = revision + 1
        try db.execute(
            sql: "INSERT INTO record_history (source, id, owner, revision, canonical, replaced_at) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [record.source, record.id, owner, revision, previous, Int64(Date().timeIntervalSince1970)])
        try db.execute(
            sql: "UPDATE records SET revision = ?, kind = ?, canonical = ?, owner_unknown = 0 WHERE source = ? AND id = ? AND owner = ?",
            arguments: [record.revision, record.kind.rawValue, canonical, record.source, record.id, owner])
        let old = try NormalizedRecord.decode(previous)
        // A revision that moves the record to another calculator partition (another region or
        // product, or from facility data to usage) must take it out of the replicas that held it
        // and will not see the new version.
        let now = shards(of: record)
        let leaving = shards(of: old).filter { !now.contains($0) }
        if !leaving.isEmpty {
            retracted.append(
                AddressedRetraction(
                    shards: leaving,
                    retraction: RecordRetraction(source: record.source, id: record.id, owner: record.owner, revision: record.revision, region: old.region)))
        }
        normalized.append(record)
        return .revised
    }

    /// A tenant's record whose `(source, id)` was stored before owners were recorded, and which
    /// that tenant may take over (``RecordOwner/mayAdopt(_:by:)``): the old row becomes the
    /// tenant's, the calculator withdraws the provider-held version and takes the tenant's at
    /// the next revision number. Nil when there is nothing to take over (a new record).
    private func adopt(
        _ db: Database, _ record: NormalizedRecord, owner: String, canonical: Data, into normalized: inout [NormalizedRecord],
        retracting retracted: inout [AddressedRetraction]
    ) throws -> Change? {
        guard
            let legacy = try Row.fetchOne(
                db, sql: "SELECT revision, canonical FROM records WHERE source = ? AND id = ? AND owner = '' AND owner_unknown = 1",
                arguments: [record.source, record.id])
        else { return nil }
        let previous: Data = legacy["canonical"]
        let stored = try NormalizedRecord.decode(previous)
        guard RecordOwner.mayAdopt(stored, by: owner) else { return nil }
        let revision: Int = legacy["revision"]
        var record = record
        record.revision = revision + 1
        try db.execute(
            sql: "DELETE FROM records WHERE source = ? AND id = ? AND owner = '' AND owner_unknown = 1", arguments: [record.source, record.id])
        try db.execute(
            sql: "UPDATE record_history SET owner = ? WHERE source = ? AND id = ? AND owner = ''", arguments: [owner, record.source, record.id])
        try db.execute(
            sql: "INSERT INTO record_history (source, id, owner, revision, canonical, replaced_at) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [record.source, record.id, owner, revision, previous, Int64(Date().timeIntervalSince1970)])
        try db.execute(
            sql: "UPDATE records SET revision = ? WHERE source = ? AND id = ? AND owner = ?",
            arguments: [record.revision, record.source, record.id, owner])
        retracted.append(
            AddressedRetraction(
                shards: shards(of: stored),
                retraction: RecordRetraction(source: record.source, id: record.id, owner: nil, revision: record.revision, region: stored.region)))
        normalized.append(record)
        var asTheirs = stored
        asTheirs.owner = owner
        return asTheirs.canonicalEncoding() == canonical ? .repeated : .revised
    }

    private func upsert<T: Encodable>(_ db: Database, table: String, key: String, value: String, declaration: T) throws -> Change {
        let data = try encoder.encode(declaration)
        let previous = try Data.fetchOne(db, sql: "SELECT declaration FROM \(table) WHERE \(key) = ?", arguments: [value])
        if previous == data { return .repeated }
        try db.execute(
            sql: "INSERT INTO \(table) (\(key), declaration) VALUES (?, ?) ON CONFLICT(\(key)) DO UPDATE SET declaration = excluded.declaration",
            arguments: [value, data])
        return previous == nil ? .accepted : .revised
    }

    private func quarantine(
        _ db: Database, batch: String, entity: String, format: String, position: Int, field: String?, reason: String, raw: Data,
        tenant: String? = nil
    ) throws {
        let entry = QuarantineEntry(
            batch: batch, entity: entity, format: format, position: position, field: field, reason: reason, raw: raw,
            receivedAt: Int64(Date().timeIntervalSince1970), tenant: tenant)
        try entry.insert(db)
    }
}
