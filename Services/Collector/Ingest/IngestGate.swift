import AccessControl
import CarbonModel
import RecordParsing
import Contracts
import Foundation
import ServiceKit

/// Decides whether an ingest request may be stored, in two steps: who is asking (before the
/// body is read), then whether they may write what the body holds. With `--require-auth` the
/// caller presents an access token or an API key and its role and tenant are checked (a
/// tenant's credentials write only that tenant's usage records); with only `--require-api-key`
/// the older key check applies; with neither, everything passes (the out-of-the-box setup).
/// Both ingest paths use it: HTTP through ``routeGuard`` and the authentication middleware,
/// ZeroMQ directly with the request header's key.
struct IngestGate: Sendable {
    let keyCheck: KeyCheck
    let authenticator: Authenticator?

    /// Where the caller's credential arrived.
    enum Presented {
        /// HTTP's `Authorization` header.
        case authorization(String?)
        /// The ZeroMQ request header's `api_key` (a token or an API key).
        case headerField(String?)
    }

    /// The HTTP ingest routes' guard: the same identification as the ZeroMQ path.
    var routeGuard: RouteGuard {
        guard authenticator != nil || keyCheck.required else { return .open }
        let gate = self
        return RouteGuard(
            identify: { authorization, action throws(APIError) in try await gate.authenticate(.authorization(authorization), action: action) },
            reportDenial: reportDenial)
    }

    /// Refusals go to auth's audit log (through the service's audit outbox).
    private var reportDenial: RouteGuard.ReportDenial {
        let authenticator = self.authenticator
        return { principal, action, reason in await authenticator?.recordDenial(principal, action: action, reason: reason) }
    }

    /// Who is asking: nil without authentication (or with a valid API key under the older key
    /// check); throws 401, 403 or 503.
    func authenticate(_ credential: Presented, action: String) async throws(APIError) -> Principal? {
        guard let authenticator else {
            let outcome: KeyCheck.Outcome
            switch credential {
            case .authorization(let header): outcome = await keyCheck.check(authorization: header)
            case .headerField(let key): outcome = await keyCheck.check(apiKey: key)
            }
            switch outcome {
            case .allowed: return nil
            case .unauthenticated(let message): throw APIError(.unauthorized, message)
            case .forbidden(let message): throw APIError(.forbidden, message)
            }
        }
        let outcome: AuthenticationOutcome
        switch credential {
        case .authorization(let header): outcome = await authenticator.authenticate(authorization: header)
        case .headerField(let key): outcome = await authenticator.authenticate(credential: key)
        }
        return try await outcome.admit(action: action, reportDenial: reportDenial)
    }

    /// Returns when `principal` may write this batch; throws 400 or 403 (reported) when not.
    func authorize(_ principal: Principal?, entity: IngestEntity, body: Data, format: BatchFormat, action: String) async throws(APIError) {
        guard let principal, authenticator != nil else { return }
        var records: [AccessPolicy.RecordOwnership] = []
        // A body that cannot be framed is not checked record by record here: ingest refuses it
        // with the framing error right after, before anything is stored.
        if principal.tenant != nil, entity == .activity, let framed = try? BatchFraming.records(in: body, format: format) {
            for (index, record) in framed.enumerated() {
                // Read as the preprocessor reads it, repeated keys refused: the tenant and kind
                // checked here are the ones the pipeline will use.
                switch RecordValidator.claim(record.json) {
                case .success(let claim): records.append(AccessPolicy.RecordOwnership(tenant: claim.tenant, kind: claim.kind))
                case .failure(.repeatedKey(let key)):
                    let message = "record \(index + 1): \(RecordValidator.duplicate(key).message)"
                    try await routeGuard.require(principal, action: action, decision: .denied(message), status: .badRequest)
                case .failure(.invalid): records.append(AccessPolicy.RecordOwnership(tenant: nil, kind: nil))
                }
            }
        }
        try await routeGuard.require(principal, action: action, decision: AccessPolicy.write(principal, entity: entity.rawValue, records: records))
    }
}
