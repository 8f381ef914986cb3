import AccessControl
import CarbonModel
import Contracts
import Foundation
import GRDB
import Logging
import Messaging

/// `auth.login.v1` and `auth.logout.v1` over ZeroMQ: logins and logouts of the sessions that
/// another service holds for a browser (the reporter's dashboard). A login goes through
/// `LoginService`, the very path of `POST /v1/login`, so the throttle's delay, the lockout and
/// the audit rows are the same whichever door the password came through.
struct SessionRequests: Sendable {
    let login: LoginService
    let database: DatabasePool
    let logger: Logger

    func handleLogin(_ request: Request) async -> Reply {
        // Answered 400; the decoder's message is not echoed, as it may quote part of the password.
        guard let asked = try? JSONDecoder().decode(PasswordLoginRequest.self, from: request.body) else {
            return .failure(400, "body must be {\"username\": \"…\", \"password\": \"…\"}")
        }
        do {
            switch try await login.login(username: asked.username, password: asked.password) {
            case .issued(let token, let claims):
                return .json(PasswordLoginAnswer(token: token, expiresAt: claims.expiresAt, tenant: claims.tenant, role: claims.role.rawValue))
            case .invalid(let delay):
                // Held here, as over HTTP: the caller cannot bypass the throttle by using ZeroMQ.
                // Fails only when cancelled (shutting down): the answer is the same, only sooner.
                try? await Task.sleep(for: .milliseconds(delay))
                return Reply(status: 401, body: WireFrame.encodeJSON(PasswordLoginAnswer()), error: "invalid user name or password")
            case .locked(let retryAfter):
                return Reply(
                    status: 429, body: WireFrame.encodeJSON(PasswordLoginAnswer(retryAfterSeconds: retryAfter)),
                    error: "too many failed logins for this user name; try again in \(retryAfter) s")
            case .busy(let retryAfter):
                return Reply(
                    status: 503, body: WireFrame.encodeJSON(PasswordLoginAnswer(retryAfterSeconds: retryAfter)),
                    error: "auth is busy checking other logins; try again in \(retryAfter) s")
            }
        } catch {
            logger.error("login over ZeroMQ failed", metadata: ["error": "\(error)"])
            return .failure(500, "could not check the login: \(error)")
        }
    }

    func handleLogout(_ request: Request) async -> Reply {
        // Answered 400; the decoder's message is not echoed, as it may quote part of the token.
        guard let asked = try? JSONDecoder().decode(TokenLogoutRequest.self, from: request.body) else {
            return .failure(400, "body must be {\"token\": \"…\"}")
        }
        do {
            let now = Int64(Date().timeIntervalSince1970)
            let verified = try await database.read { try TokenIssuer.verify($0, token: asked.token, now: now) }
            let claims: TokenClaims
            switch verified {
            case .success(let c): claims = c
            case .failure(let rejection): return .failure(401, rejection.description)
            }
            let client = asked.client ?? "ZeroMQ"
            try await database.write { db in
                _ = try TokenIssuer.revoke(db, tokenID: claims.tokenID, now: now)
                try AuditLog.append(
                    db,
                    AuditEntry(
                        actor: claims.subject, action: "token.revoke", tenant: claims.tenant, outcome: "success",
                        detail: "logout \(claims.tokenID) via \(client)"))
            }
            return .json(["revoked": claims.tokenID])
        } catch {
            logger.error("logout over ZeroMQ failed", metadata: ["error": "\(error)"])
            return .failure(500, "could not revoke the token: \(error)")
        }
    }
}
