import AccessControl
import Crypto
import Foundation
import GRDB
import Logging

/// The key auth signs access tokens with. Its private half lives in its own key file
/// (`AuthFiles.signingKey`, 0600), never in the store: a store or a backup that leaks does
/// not let anyone forge a token. The public halves — this key's and those of earlier keys, so
/// that tokens they signed verify until they expire — are in the store's
/// `signing_public_keys`, which other services fetch (`auth.signingkeys.get.v1`).
///
/// Rotating the key is moving the key file away and restarting auth: a new key is made and
/// its public half added.
struct TokenSigningKey: Sendable {
    var keyID: String
    var key: Curve25519.Signing.PrivateKey

    init(key: Curve25519.Signing.PrivateKey) {
        self.key = key
        keyID = Self.keyID(of: key.publicKey)
    }

    /// Derived from the public key, so it names the key wherever it travels.
    static func keyID(of publicKey: Curve25519.Signing.PublicKey) -> String {
        String(Base64URL.encode(Data(SHA256.hash(data: publicKey.rawRepresentation))).prefix(16))
    }

    /// Reads the key file (making a key on first start) and makes sure the store lists its
    /// public half.
    static func load(_ database: some DatabaseWriter, file: String, logger: Logger) async throws -> TokenSigningKey {
        let (key, created) = try Ed25519KeyFile.readOrCreate(file)
        let signing = TokenSigningKey(key: key)
        if created { logger.notice("new token signing key", metadata: ["key_id": "\(signing.keyID)", "file": "\(file)"]) }
        try await database.write { db in
            // A key listed already keeps its row (and creation time).
            try StoredSigningPublicKey(keyID: signing.keyID, publicKey: key.publicKey.rawRepresentation, createdAt: Int64(Date().timeIntervalSince1970))
                .insert(db, onConflict: .ignore)
        }
        return signing
    }

    /// Migration from stores that kept private keys in `signing_keys`: the newest key moves to
    /// the key file (unless one exists: the file wins), every key's public half moves to
    /// `signing_public_keys`, and the table with the private keys is dropped. The store runs
    /// with `secure_delete` during this, so the freed pages are zeroed, not merely unlinked.
    ///
    /// Raw SQL throughout because this is migration auth-v3, which must keep doing what it did
    /// when shipped whatever the record types become (GRDB's advice for migrations); and
    /// `signing_keys` rows are read column by column so that a bad one is named, not skipped.
    static func moveOutOfStore(_ db: Database, file: String, logger: Logger) throws {
        try db.execute(
            sql: """
                CREATE TABLE signing_public_keys (
                    key_id TEXT PRIMARY KEY,
                    public_key BLOB NOT NULL,
                    created_at INTEGER NOT NULL
                ) WITHOUT ROWID;
                """)
        let rows = try Row.fetchAll(db, sql: "SELECT key_id, private_key, created_at FROM signing_keys ORDER BY created_at DESC")
        var keys: [(created: Int64, key: Curve25519.Signing.PrivateKey)] = []
        for row in rows {
            // Not lost: a key that does not decode stops the move with `.malformed` naming its row.
            guard let raw = Data.fromDatabaseValue(row["private_key"]), let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw)
            else {
                throw KeyFileError.malformed(path: "signing_keys row \(String.fromDatabaseValue(row["key_id"]) ?? "?") of the store")
            }
            keys.append((Int64.fromDatabaseValue(row["created_at"]) ?? 0, key))
        }
        if let newest = keys.first?.key, try Ed25519KeyFile.read(file) == nil {
            try Ed25519KeyFile.create(file, key: newest)
            logger.notice(
                "token signing key moved out of the store into its key file",
                metadata: ["file": "\(file)", "key_id": "\(keyID(of: newest.publicKey))"])
        }
        for (created, key) in keys {
            try db.execute(
                sql: "INSERT INTO signing_public_keys (key_id, public_key, created_at) VALUES (?, ?, ?) ON CONFLICT (key_id) DO NOTHING",
                arguments: [keyID(of: key.publicKey), key.publicKey.rawRepresentation, created])
        }
        try db.execute(sql: "PRAGMA secure_delete = ON")
        try db.execute(sql: "DROP TABLE signing_keys")
    }
}
