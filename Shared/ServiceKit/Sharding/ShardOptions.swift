import ArgumentParser
import Foundation

/// The flags of a stage that scales out by shards (preprocessor, calculator): which shard this
/// replica owns, or `auto` to claim a free one from the shards' stores in `--data-dir`.
public struct ShardOptions: ParsableArguments, Sendable {
    @Option(
        name: .customLong("shard"),
        help: """
            The shard this replica owns, 0-based, when the upstream splits work into --shards shards; or auto: claim the \
            first shard no live replica holds (stores <service>-<k+1>.sqlite in one shared --data-dir), standing by while \
            all are held and taking over one whose replica dies (env CM_SHARD).
            """)
    var shardFlag: String?

    @Option(name: .customLong("shards"), help: "How many shards the upstream splits work into; required with --shard auto (env CM_SHARDS).")
    var shardsFlag: Int?

    public init() {}

    /// `--shards`, else `CM_SHARDS`: how many shards the upstream splits work into, if given.
    public var declaredCount: Int? {
        shardsFlag ?? Env.optionalString("CM_SHARDS").flatMap(Int.init)
    }

    /// The flags, else the environment (optional flags cannot take a default in ArgumentParser).
    public func assignment() throws(ShardAssignmentError) -> ShardAssignment {
        if shardsFlag == nil, let text = Env.optionalString("CM_SHARDS"), Int(text) == nil {
            throw ShardAssignmentError("CM_SHARDS=\"\(text)\" is not a whole number (the upstream's shard count)")
        }
        return try ShardAssignment.parse(
            shard: shardFlag ?? Env.optionalString("CM_SHARD"),
            shards: shardsFlag ?? Env.optionalString("CM_SHARDS").flatMap(Int.init))
    }
}
