import AccessControl
import CarbonModel
import Foundation

/// Why an ingest request was refused before anything was stored.
struct IngestRefusal: Error, Sendable {
    var status: Int
    var message: String
}

/// Decides whether an ingest request may be stored, in two steps: who is asking (before the
/// body is read), then whether they may write what the body holds. With `--require-auth` the
/// caller presents an access token or an API key and its role and tenant are checked (a
/// tenant's credentials write only that tenant's usage records); with only `--require-api-key`
/// the older key check applies; with neither, everything passes (the out-of-the-box setup).
struct IngestGate: Sendable {
    let keyCheck: KeyCheck
    let authenticator: Authenticator?

    enum Credential {
        /// HTTP's `Authorization` header.
        case authorization(String?)
        /// The ZeroMQ request header's `api_key` (a token or an API key).
        case headerField(String?)
    }

    func authenticate(_ credential: Credential, action: String) async -> Result<Principal?, IngestRefusal> {
        guard let authenticator else {
            let outcome: KeyCheck.Outcome
            switch credential {
            case .authorization(let header): outcome = await keyCheck.check(authorization: header)
            case .headerField(let key): outcome = await keyCheck.check(apiKey: key)
            }
            switch outcome {
            case .allowed: return .success(nil)
            case .unauthenticated(let message): return .failure(IngestRefusal(status: 401, message: message))
            case .forbidden(let message): return .failure(IngestRefusal(status: 403, message: message))
            }
        }
        let outcome: AuthenticationOutcome
        switch credential {
        case .authorization(let header): outcome = await authenticator.authenticate(authorization: header)
        case .headerField(let key): outcome = await authenticator.authenticate(credential: key)
        }
        switch outcome {
        case .authenticated(let principal): return .success(principal)
        case .unauthenticated(let message):
            await authenticator.recordDenial(nil, action: action, reason: message)
            return .failure(IngestRefusal(status: 401, message: message))
        case .unavailable(let message): return .failure(IngestRefusal(status: 503, message: message))
        }
    }

    /// Whether `principal` may write this batch; nil when it may.
    func authorize(_ principal: Principal?, entity: IngestEntity, body: Data, format: BatchFormat, action: String) async -> IngestRefusal? {
        guard let principal, let authenticator else { return nil }
        var records: [AccessPolicy.RecordOwnership] = []
        if principal.tenant != nil, entity == .activity, let framed = try? BatchFraming.records(in: body, format: format) {
            for (index, record) in framed.enumerated() {
                // Read as the preprocessor reads it, repeated keys refused: the tenant and kind
                // checked here are the ones the pipeline will use.
                switch RecordValidator.claim(record.json) {
                case .success(let claim): records.append(AccessPolicy.RecordOwnership(tenant: claim.tenant, kind: claim.kind))
                case .failure(.repeatedKey(let key)):
                    let message = "record \(index + 1): \(RecordValidator.duplicate(key).message)"
                    await authenticator.recordDenial(principal, action: action, reason: message)
                    return IngestRefusal(status: 400, message: message)
                case .failure(.invalid): records.append(AccessPolicy.RecordOwnership(tenant: nil, kind: nil))
                }
            }
        }
        switch AccessPolicy.write(principal, entity: entity.rawValue, records: records) {
        case .allowed: return nil
        case .denied(let message):
            await authenticator.recordDenial(principal, action: action, reason: message)
            return IngestRefusal(status: 403, message: message)
        }
    }
}
