import ArgumentParser
import Foundation

/// How a service reaches auth to check the credentials on its routes: whether it must, where
/// auth answers, and how often it fetches revocations. Shared by the services that verify tokens
/// locally (preprocessor, calculator, reporter).
public struct AuthLinkOptions: ParsableArguments, Sendable {
    @Flag(
        inversion: .prefixedNo,
        help: "Require an access token or API key on every route but /health and /metrics, and check its role and tenant (env CM_REQUIRE_AUTH=1).")
    public var requireAuth: Bool = Env.bool("CM_REQUIRE_AUTH", false)

    @Option(help: "The auth service's request endpoint (env CM_AUTH_ENDPOINT).")
    public var authEndpoint: String = Env.string("CM_AUTH_ENDPOINT", Topology.local(Topology.authControl))

    @Option(help: "How often to fetch auth's token revocations, in milliseconds (env CM_REVOCATION_POLL_MS).")
    public var revocationPollMs: Int = Env.int("CM_REVOCATION_POLL_MS", 1_000)

    public init() {}

    public mutating func validate() throws {
        do { try Env.checkSwitches(["CM_REQUIRE_AUTH"]) } catch { throw ValidationError(error.description) }
    }
}
