import Foundation
import CarbonModel
import Contracts
@testable import Messaging
import Testing

@testable import ServiceKit

/// Shard assignment from flags, the store lock, and claiming a free shard's store.
@Suite struct ShardClaimTests {
    static func folder() throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("shards-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }

    @Test func flagsParseIntoAnAssignment() throws {
        #expect(try ShardAssignment.parse(shard: nil, shards: nil) == .all)
        #expect(try ShardAssignment.parse(shard: "", shards: 3) == .all)
        #expect(try ShardAssignment.parse(shard: "1", shards: nil) == .fixed(1))
        #expect(try ShardAssignment.parse(shard: "2", shards: 3) == .fixed(2))
        #expect(try ShardAssignment.parse(shard: "auto", shards: 3) == .claimed(count: 3))
        #expect(try ShardAssignment.parse(shard: "AUTO", shards: 1) == .claimed(count: 1))
    }

    @Test(arguments: [("auto", nil), ("auto", 0), ("-1", nil), ("x", nil), ("3", 3)] as [(String, Int?)])
    func badFlagsAreRefusedSayingWhy(_ shard: String, _ shards: Int?) {
        #expect(throws: ShardAssignmentError.self) { try ShardAssignment.parse(shard: shard, shards: shards) }
    }

    @Test func aStoreLockIsExclusiveUntilItsHolderLetsGo() throws {
        let store = try Self.folder() + "/calculator-1.sqlite"
        var first = try StoreLock.tryAcquire(storePath: store)
        #expect(first != nil)
        #expect(try StoreLock.tryAcquire(storePath: store) == nil, "a second holder got the same store")
        first = nil
        #expect(try StoreLock.tryAcquire(storePath: store) != nil, "the lock outlived its holder")
    }

    @Test func aStoreLockInAFolderThatCannotBeMadeIsAnError() {
        #expect(throws: StoreLockError.self) { try StoreLock.tryAcquire(storePath: "/proc/no-such-folder/x.sqlite") }
    }

    @Test func replicasClaimFreeShardsInOrderAndAStandbyTakesOverAReleasedOne() throws {
        let folder = try Self.folder()
        var a = try ReplicaPlacement.claimFree(service: "preprocessor", count: 2, dataDir: folder)
        let b = try ReplicaPlacement.claimFree(service: "preprocessor", count: 2, dataDir: folder)
        #expect(a?.shard == 0 && a?.instance == "preprocessor-1")
        #expect(b?.shard == 1 && b?.storePath == folder + "/preprocessor-2.sqlite")
        // A third replica finds every shard held: it stands by.
        #expect(try ReplicaPlacement.claimFree(service: "preprocessor", count: 2, dataDir: folder) == nil)
        // The holder of shard 0 dies; the standby gets shard 0's store, not a new one.
        a = nil
        let c = try ReplicaPlacement.claimFree(service: "preprocessor", count: 2, dataDir: folder)
        #expect(c?.shard == 0 && c?.storePath == folder + "/preprocessor-1.sqlite")
        withExtendedLifetime((a, b, c)) {}
    }

    @Test func aStandbysControlAnswersSayItHoldsNothingUntilActivated() async throws {
        let responder = ControlResponder(service: "calculator", replica: "calc@host:1")
        #expect(await responder.status().details["role"] == "standby")
        let source = MessageSource(service: "auth", instance: "auth-1")
        let body = Data(#"{"tenant":"A","pseudonym":"erased-x"}"#.utf8)
        let erase = await responder.handle(Request(header: EnvelopeHeader(type: TenantPrivacyRequest.eraseType, source: source), body: body))
        #expect(erase.status == 200)
        #expect(try JSONDecoder().decode(EraseReply.self, from: erase.body).changed.isEmpty)
        let export = await responder.handle(Request(header: EnvelopeHeader(type: TenantPrivacyRequest.exportType, source: source), body: body))
        let exported = try #require(try JSONSerialization.jsonObject(with: export.body) as? [String: Any])
        #expect((exported["data"] as? [String: Any])?.isEmpty == true && exported["tenant"] as? String == "A")
        #expect(await responder.handle(Request(header: EnvelopeHeader(type: "other.v1", source: source), body: Data())).status == 503)

        responder.activate(status: { StatusReport(service: "calculator", instance: "calculator-2", details: ["role": "active"]) }, handlers: [:])
        #expect(await responder.status().instance == "calculator-2")
        #expect(await responder.handle(Request(header: EnvelopeHeader(type: TenantPrivacyRequest.eraseType, source: source), body: body)).status == 404)
    }
}
