import AccessControl
import Foundation
import GRDB
import Logging

/// Password login: checks the throttle, the password (scrypt, on a password worker and outside
/// any transaction), and records the outcome — attempt counters, the issued token and the
/// audit row — in one transaction. Unknown user names are treated exactly like wrong passwords.
struct LoginService: Sendable {
    enum Outcome: Sendable {
        case issued(token: String, claims: TokenClaims)
        /// Wrong name or password; hold the answer `delayMilliseconds` (throttling).
        case invalid(delayMilliseconds: Int)
        /// Too many failures: refused without looking at the password until the lock ends.
        case locked(retryAfterSeconds: Int64)
        /// Every password worker is busy and the queue is full: nothing was checked or
        /// counted; the caller may try again after `retryAfterSeconds`.
        case busy(retryAfterSeconds: Int64)
    }

    let database: DatabasePool
    let signing: TokenSigningKey
    let throttle: LoginThrottle
    let tokenTTLSeconds: Int64
    let hasher: PasswordHasher
    let workers: PasswordWorkers
    let bootstrap: BootstrapAdmin
    let logger: Logger

    func login(username: String, password: String) async throws -> Outcome {
        let now = Int64(Date().timeIntervalSince1970)
        let (user, attempts) = try await database.read { db -> (UserDirectory.User?, StoredLoginAttempts?) in
            (try UserDirectory.user(db, username: username), try StoredLoginAttempts.fetchOne(db, key: username))
        }
        let throttle = self.throttle
        if let retry = LoginThrottle.retryAfter(lockedUntil: attempts?.lockedUntil, now: now) {
            try await database.write { db in
                try AuditLog.append(
                    db, AuditEntry(actor: username, action: "login", tenant: user?.tenant, outcome: "failure", detail: "locked out"), at: now)
            }
            logger.notice("login refused: locked out", metadata: ["user": "\(username)"])
            return .locked(retryAfterSeconds: retry)
        }
        let matches: Bool
        let hasher = self.hasher
        do {
            let stored = user?.passwordHash
            matches = try await workers.run {
                guard let stored else {
                    hasher.burn(password)
                    return false
                }
                // A stored hash that cannot be read throws: read as "wrong password", the user
                // could never log in again and nobody would learn why.
                return try hasher.verify(password, against: stored)
            }
        } catch let busy as PasswordWorkers.Busy {
            logger.warning("login refused: password workers busy", metadata: ["user": "\(username)", "in_flight": "\(workers.inFlight)"])
            return .busy(retryAfterSeconds: Int64(busy.retryAfterSeconds))
        } catch {
            logger.error("login failed: the stored password hash cannot be checked", metadata: ["user": "\(username)", "error": "\(error)"])
            throw error
        }
        if let user, matches {
            let ttl = tokenTTLSeconds
            let signing = self.signing
            let issued = try await database.write { db in
                try StoredLoginAttempts.deleteOne(db, key: username)
                let issued = try TokenIssuer.issue(db, signing: signing, user: user, ttlSeconds: ttl, now: now)
                try AuditLog.append(
                    db, AuditEntry(actor: username, action: "login", tenant: user.tenant, outcome: "success", detail: "token \(issued.claims.tokenID)"),
                    at: now)
                return issued
            }
            bootstrap.consumed(by: username, logger: logger)
            logger.info("login", metadata: ["user": "\(username)", "tenant": "\(user.tenant ?? "-")"])
            return .issued(token: issued.token, claims: issued.claims)
        }
        // Failures older than a lockout period no longer count: the streak starts again.
        let previous: Int = {
            guard let attempts, now - attempts.lastFailureAt <= throttle.lockoutSeconds else { return 0 }
            return attempts.failures
        }()
        let failures = previous + 1
        let lockedUntil = throttle.lockedUntil(failures: failures, now: now)
        try await database.write { db in
            // save (update, else insert), not upsert: GRDB 7.10's upsert asks for a rowid, which
            // login_attempts (WITHOUT ROWID) has not (groue/GRDB.swift#1855).
            try StoredLoginAttempts(username: username, failures: failures, lastFailureAt: now, lockedUntil: lockedUntil).save(db)
            let detail = (user == nil ? "unknown user" : "wrong password") + (lockedUntil != nil ? "; locked for \(throttle.lockoutSeconds) s" : "")
            try AuditLog.append(db, AuditEntry(actor: username, action: "login", tenant: user?.tenant, outcome: "failure", detail: detail), at: now)
        }
        logger.notice("login failed", metadata: ["user": "\(username)", "failures": "\(failures)"])
        return .invalid(delayMilliseconds: throttle.delayMilliseconds(failures: failures))
    }
}

/// The failure streak of one user name: a row of `login_attempts`, removed at a successful login.
struct StoredLoginAttempts: Codable, Sendable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "login_attempts"
    var username: String
    var failures: Int
    var lastFailureAt: Int64
    /// Until when logins are refused without looking at the password.
    var lockedUntil: Int64?

    enum CodingKeys: String, CodingKey {
        case username, failures
        case lastFailureAt = "last_failure_at", lockedUntil = "locked_until"
    }
}
