import AccessControl
import CarbonModel
import Contracts
import Foundation
import Messaging

/// Checks an ingest request's API key with the auth service, over ZeroMQ. When keys are not
/// required (the out-of-the-box single-machine setup) every request passes.
struct KeyCheck: Sendable {
    let auth: RequestClient?
    static let writerRoles: Set<String> = ["collector", "tenant_admin", "provider_admin"]

    enum Outcome { case allowed, unauthenticated(String), forbidden(String) }

    /// Whether keys are checked at all.
    var required: Bool { auth != nil }

    /// HTTP: the key comes as `Authorization: Bearer <key>`.
    func check(authorization: String?) async -> Outcome {
        guard auth != nil else { return .allowed }
        guard let credential = Credential(authorization: authorization) else {
            return .unauthenticated("this collector requires an API key: send Authorization: Bearer cmk_…")
        }
        return await check(key: credential.text)
    }

    /// ZeroMQ: the key comes in the request header's `api_key` field.
    func check(apiKey: String?) async -> Outcome {
        guard auth != nil else { return .allowed }
        guard let apiKey, !apiKey.isEmpty else {
            return .unauthenticated("this collector requires an API key: set api_key in the request header")
        }
        return await check(key: apiKey)
    }

    private func check(key: String) async -> Outcome {
        guard let auth else { return .allowed }
        do {
            let reply = try await auth.request(
                type: APIKeyVerificationRequest.messageType, body: WireFrame.encodeJSON(APIKeyVerificationRequest(key: key)),
                timeoutMilliseconds: 3_000)
            let identity = try JSONDecoder().decode(APIKeyIdentity.self, from: reply.body)
            guard identity.valid else { return .unauthenticated("the API key is unknown or revoked") }
            guard let role = identity.role, Self.writerRoles.contains(role) else {
                return .forbidden("the key's role \(identity.role ?? "none") may not write activity data")
            }
            return .allowed
        } catch {
            return .unauthenticated("could not verify the API key with auth: \(error)")
        }
    }
}
