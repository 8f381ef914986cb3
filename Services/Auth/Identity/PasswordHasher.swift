import Crypto
import Foundation
import _CryptoExtras
import AccessControl

/// Why a stored password hash could not be read.
struct PasswordHashError: Error, CustomStringConvertible {
    var description: String
}

/// Password hashing with scrypt (memory-hard, from swift-crypto's extras). The stored form
/// names its parameters, `scrypt$<log2 N>$<r>$<p>$<salt>$<hash>` (base64url), so the cost can
/// be raised or lowered later without invalidating existing hashes: a check always uses the
/// parameters stored with the hash. The password itself is never stored.
struct PasswordHasher: Sendable {
    /// log2 N = 15, r = 8, p = 1: 32 MiB and tens of milliseconds per guess.
    static let defaultLogN = 15
    /// The costs a hash may name: below 2^10 a guess is too cheap; 2^16 already takes 64 MiB a check.
    static let allowedLogN = 10...16
    static let blockSize = 8, parallelism = 1

    /// log2 of scrypt's N for new hashes and for the decoy work of unknown user names.
    let logN: Int

    init(logN: Int = PasswordHasher.defaultLogN) {
        self.logN = min(max(logN, Self.allowedLogN.lowerBound), Self.allowedLogN.upperBound)
    }

    func hash(_ password: String) throws -> String {
        var salt = [UInt8](repeating: 0, count: 16)
        var generator = SystemRandomNumberGenerator()
        for i in salt.indices { salt[i] = generator.next() }
        let derived = try Self.derive(password, salt: Data(salt), logN: logN, blockSize: Self.blockSize, parallelism: Self.parallelism)
        return "scrypt$\(logN)$\(Self.blockSize)$\(Self.parallelism)$\(Base64URL.encode(Data(salt)))$\(Base64URL.encode(derived))"
    }

    func verify(_ password: String, against stored: String) throws -> Bool {
        let parts = stored.split(separator: "$")
        guard parts.count == 6, parts[0] == "scrypt", let logN = Int(parts[1]), let r = Int(parts[2]), let p = Int(parts[3]),
            let salt = Base64URL.decode(parts[4]), let expected = Base64URL.decode(parts[5]), Self.allowedLogN.contains(logN)
        else { throw PasswordHashError(description: "unreadable password hash") }
        let derived = try Self.derive(password, salt: salt, logN: logN, blockSize: r, parallelism: p)
        // Constant-time comparison: the time taken must not reveal how much of the hash matched.
        return derived.count == expected.count && zip(derived, expected).reduce(0, { $0 | ($1.0 ^ $1.1) }) == 0
    }

    /// Spends the same work as a real check, for logins naming an unknown user, so that the
    /// answer's timing does not tell which user names exist.
    func burn(_ password: String) {
        // Only the time spent matters, and with the hasher's own parameters (clamped to the
        // allowed range by init, the ones new hashes use) the derivation does not fail.
        _ = try? Self.derive(password, salt: Data(count: 16), logN: logN, blockSize: Self.blockSize, parallelism: Self.parallelism)
    }

    private static func derive(_ password: String, salt: Data, logN: Int, blockSize: Int, parallelism: Int) throws -> Data {
        let key = try KDF.Scrypt.deriveKey(
            from: Data(password.utf8), salt: salt, outputByteCount: 32, rounds: 1 << logN, blockSize: blockSize, parallelism: parallelism,
            maxMemory: 80 * 1_048_576)
        return key.withUnsafeBytes { Data($0) }
    }
}
