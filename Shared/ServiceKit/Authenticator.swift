import CarbonModel
import Contracts
import Crypto
import Foundation
import Logging
import AccessControl
import Messaging
import Synchronization

/// Establishes who is calling, for services other than auth. Access tokens are verified locally
/// with auth's public keys (fetched over ZeroMQ); revoked token ids are polled from auth every
/// `pollMilliseconds`; API keys (`cmk_…`) are checked with auth on each request. Denials are
/// reported to auth for its audit log: durably through `denials` (the service's audit outbox)
/// when given, otherwise as a best-effort request.
public final class Authenticator: Sendable {
    struct State {
        var keys: [String: Curve25519.Signing.PublicKey] = [:]
        var revoked: Set<String> = []
        /// When the revocation list was last read from auth (seconds since 1970); 0 = never.
        var revocationsAsOf: Double = 0
        var poller: Task<Void, Never>?
    }

    private let auth: RequestClient
    private let service: String
    private let logger: Logger
    private let pollMilliseconds: Int
    private let maxStalenessSeconds: Double
    private let denials: (@Sendable (DenialReport) async -> Void)?
    private let state = Mutex(State())

    public init(
        auth: RequestClient, service: String, logger: Logger, pollMilliseconds: Int = 1_000, maxStalenessSeconds: Double = 15,
        denials: (@Sendable (DenialReport) async -> Void)? = nil
    ) {
        self.auth = auth
        self.service = service
        self.logger = logger
        self.pollMilliseconds = pollMilliseconds
        self.maxStalenessSeconds = maxStalenessSeconds
        self.denials = denials
    }

    /// Records that a request was refused, and returns once it is recorded: in the service's
    /// audit outbox when there is one (then it reaches auth even if auth is down right now).
    public func recordDenial(_ principal: Principal?, action: String, reason: String) async {
        let report = DenialReport(
            service: service, subject: principal?.subject, tenant: principal?.tenant, role: principal?.role.rawValue, action: action,
            reason: reason)
        if let denials {
            await denials(report)
        } else {
            reportDenial(principal, action: action, reason: reason)
        }
    }

    /// Starts polling auth for revocations (and for its keys until they are known).
    public func start() {
        let task = Task { [self] in
            while !Task.isCancelled {
                await self.refresh()
                // Fails only when cancelled, which ends the loop at its check.
                try? await Task.sleep(for: .milliseconds(pollMilliseconds))
            }
        }
        state.withLock { $0.poller = task }
    }

    public func stop() { state.withLock { $0.poller?.cancel() } }

    /// `Authorization: Bearer <token or API key>`.
    public func authenticate(authorization: String?) async -> AuthenticationOutcome {
        guard let credential = Credential(authorization: authorization) else {
            return .unauthenticated("authentication required: send Authorization: Bearer <token from POST /v1/login, or an API key>")
        }
        return await authenticate(credential)
    }

    /// A bare token or API key (the ZeroMQ ingest header's `api_key`).
    public func authenticate(credential text: String?) async -> AuthenticationOutcome {
        guard let credential = Credential(text) else {
            return .unauthenticated("authentication required: present an access token or an API key")
        }
        return await authenticate(credential)
    }

    private func authenticate(_ credential: Credential) async -> AuthenticationOutcome {
        switch credential {
        case .apiKey(let key): await verifyKey(key)
        case .token(let token): await verifyToken(token)
        }
    }

    /// Tells auth, without waiting, that a request was refused (for its audit log).
    public func reportDenial(_ principal: Principal?, action: String, reason: String) {
        if denials != nil {
            Task { await self.recordDenial(principal, action: action, reason: reason) }
            return
        }
        let report = DenialReport(
            service: service, subject: principal?.subject, tenant: principal?.tenant, role: principal?.role.rawValue, action: action,
            reason: reason)
        let auth = self.auth, logger = self.logger
        Task {
            do {
                _ = try await auth.request(type: DenialReport.messageType, body: WireFrame.encodeJSON(report), timeoutMilliseconds: 3_000)
            } catch {
                logger.warning("could not report a denial to auth", metadata: ["error": "\(error)", "action": "\(action)"])
            }
        }
    }

    private func verifyToken(_ token: String) async -> AuthenticationOutcome {
        let now = Date().timeIntervalSince1970
        let (stale, needKey) = state.withLock { s -> (Bool, Bool) in
            (now - s.revocationsAsOf > maxStalenessSeconds, AccessToken.keyID(of: token).map { s.keys[$0] == nil } ?? false)
        }
        if stale || needKey { await refresh(keys: needKey) }
        let (keys, revoked, asOf) = state.withLock { ($0.keys, $0.revoked, $0.revocationsAsOf) }
        let claims: TokenClaims
        do {
            claims = try AccessToken.verify(token, keys: keys, now: Int64(now))
        } catch .unknownKey(let kid) where keys.isEmpty {
            return .unavailable("cannot verify the token: auth's signing keys are not known yet (key \(kid)); auth unreachable")
        } catch {
            return .unauthenticated(error.description)
        }
        if now - asOf > maxStalenessSeconds {
            return .unavailable("cannot confirm the token is not revoked: no revocation list from auth for \(Int(now - asOf)) s")
        }
        if revoked.contains(claims.tokenID) { return .unauthenticated(TokenRejection.revoked.description) }
        return .authenticated(claims.principal)
    }

    private func verifyKey(_ key: String) async -> AuthenticationOutcome {
        do {
            let reply = try await auth.request(
                type: APIKeyVerificationRequest.messageType, body: WireFrame.encodeJSON(APIKeyVerificationRequest(key: key)),
                timeoutMilliseconds: 3_000)
            return try JSONDecoder().decode(APIKeyIdentity.self, from: reply.body).outcome
        } catch {
            return .unavailable("could not verify the API key with auth: \(error)")
        }
    }

    /// Reads the revocation list, and the signing keys when asked or still unknown.
    private func refresh(keys refreshKeys: Bool = false) async {
        let needKeys = refreshKeys || state.withLock { $0.keys.isEmpty }
        do {
            if needKeys {
                let reply = try await auth.request(type: SigningKeySet.messageType, timeoutMilliseconds: 2_000)
                let set = try JSONDecoder().decode(SigningKeySet.self, from: reply.body)
                var parsed: [String: Curve25519.Signing.PublicKey] = [:]
                for key in set.keys {
                    do {
                        guard let raw = Base64URL.decode(key.publicKey) else { throw SigningKeyUnreadable.notBase64URL }
                        parsed[key.keyID] = try Curve25519.Signing.PublicKey(rawRepresentation: raw)
                    } catch {
                        // Tokens signed with it will be refused as signed with an unknown key: say why.
                        logger.warning(
                            "auth published a signing key that is not an Ed25519 public key; tokens it signed are refused",
                            metadata: ["key_id": "\(key.keyID)", "error": "\(error)"])
                    }
                }
                state.withLock { $0.keys.merge(parsed) { _, new in new } }
            }
            let reply = try await auth.request(type: RevocationList.messageType, timeoutMilliseconds: 2_000)
            let list = try JSONDecoder().decode(RevocationList.self, from: reply.body)
            let now = Date().timeIntervalSince1970
            state.withLock {
                $0.revoked = Set(list.revokedTokenIDs)
                $0.revocationsAsOf = now
            }
        } catch {
            logger.debug("could not refresh keys and revocations from auth", metadata: ["error": "\(error)"])
        }
    }
}

/// Why a signing key in auth's `SigningKeySet` could not be read (CryptoKit reports a key of
/// the wrong length itself).
enum SigningKeyUnreadable: Error, CustomStringConvertible {
    case notBase64URL

    var description: String {
        switch self {
        case .notBase64URL: "the public key is not base64url"
        }
    }
}
