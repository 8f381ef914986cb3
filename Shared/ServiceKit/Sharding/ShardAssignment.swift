/// Which part of a stage's work one replica does, from `--shard` and `--shards`.
public enum ShardAssignment: Sendable, Equatable {
    /// The only replica: every key, store `<instance>.sqlite`.
    case all
    /// A fixed shard, 0-based, set per replica (a StatefulSet ordinal, `scripts/up`).
    case fixed(Int)
    /// Claim whichever of `count` shards no live replica holds, waiting as a standby while all
    /// are held (`docker-compose --scale`, replicas that share one volume).
    case claimed(count: Int)

    /// Parses `--shard` (`auto`, a number, or absent) with `--shards` (needed for `auto`).
    public static func parse(shard: String?, shards: Int?) throws(ShardAssignmentError) -> ShardAssignment {
        guard let shard, !shard.isEmpty else { return .all }
        if shard.lowercased() == "auto" {
            guard let shards, shards >= 1 else {
                throw ShardAssignmentError("--shard auto needs --shards N (N ≥ 1, the upstream's shard count) to know how many shards there are")
            }
            return .claimed(count: shards)
        }
        guard let index = Int(shard), index >= 0 else {
            throw ShardAssignmentError("--shard must be a shard number (0-based) or auto, not \"\(shard)\"")
        }
        if let shards, index >= shards {
            throw ShardAssignmentError("--shard \(index) is out of range for --shards \(shards) (shards are 0..\(shards - 1))")
        }
        return .fixed(index)
    }
}

/// A `--shard`/`--shards` combination that makes no sense, in words that say which.
public struct ShardAssignmentError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
