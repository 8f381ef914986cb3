import AccessControl
import Contracts
import ServiceKit
import Testing

/// What auth's answer about an API key means for the caller, and how an outcome becomes an answer.
@Suite struct AuthenticationOutcomeTests {
    @Test func aValidKeyWithAKnownRoleIsItsPrincipal() {
        let identity = APIKeyIdentity(valid: true, keyID: "k1", tenant: "acme", role: "collector")
        #expect(identity.outcome == .authenticated(Principal(subject: "key:k1", tenant: "acme", role: .collector)))
    }

    @Test func anInvalidKeyOrAnUnknownRoleIsRefused() {
        let refused = AuthenticationOutcome.unauthenticated("the API key is unknown or revoked")
        #expect(APIKeyIdentity(valid: false).outcome == refused)
        #expect(APIKeyIdentity(valid: true, keyID: nil, tenant: "acme", role: "collector").outcome == refused)
        #expect(APIKeyIdentity(valid: true, keyID: "k1", tenant: "acme", role: "root").outcome == refused)
    }

    @Test func aRefusalIsA401ThatIsReportedOrA503() async throws {
        let reported = Reported()
        let report: RouteGuard.ReportDenial = { principal, action, reason in await reported.add("\(principal == nil) \(action) \(reason)") }
        let principal = Principal(subject: "u", tenant: nil, role: .providerAdmin)
        #expect(try await AuthenticationOutcome.authenticated(principal).admit(action: "GET /x", reportDenial: report) == principal)
        do {
            _ = try await AuthenticationOutcome.unauthenticated("no").admit(action: "GET /x", reportDenial: report)
            Issue.record("an unauthenticated caller was admitted")
        } catch { #expect(error.status == .unauthorized) }
        do {
            _ = try await AuthenticationOutcome.unavailable("auth down").admit(action: "GET /x", reportDenial: report)
            Issue.record("a caller was admitted while auth was unreachable")
        } catch { #expect(error.status == .serviceUnavailable) }
        // Only the 401 is a refusal of the caller; auth being down is not audited against them.
        #expect(await reported.lines == ["true GET /x no"])
    }

    actor Reported {
        var lines: [String] = []
        func add(_ line: String) { lines.append(line) }
    }
}
