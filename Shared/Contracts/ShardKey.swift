import CarbonModel
/// Which of `count` shards a key belongs to. Replicas of a stage each own one shard; a stable
/// hash (FNV-1a 64, not Swift's per-process seeded `hashValue`) sends a key to the same
/// shard in every process and every run.
public enum ShardKey {
    public static func shard(of key: String, count: Int) -> Int {
        guard count > 1 else { return 0 }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return Int(hash % UInt64(count))
    }
}
