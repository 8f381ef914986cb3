import AccessControl
import Foundation
import Hummingbird
import Logging
import ServiceKit
import ServiceLifecycle
import Synchronization
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The HTTP edge every service shares, driven as a hostile caller would: a real Hummingbird
/// server on a loopback port, the real middleware and guard, requests over a socket.
@Suite struct AuthenticationMiddlewareTests {
    /// Refusals the guard reported, as (subject, action, reason).
    final class Denials: Sendable {
        let rows = Mutex<[(String?, String, String)]>([])
        func add(_ principal: Principal?, _ action: String, _ reason: String) { rows.withLock { $0.append((principal?.subject, action, reason)) } }
        var all: [(String?, String, String)] { rows.withLock { $0 } }
    }

    struct Thing: ResponseEncodable, Sendable {
        var id: String
        var value: Double
    }

    /// A guard that knows one token per principal; anything else is not authenticated.
    static func routeGuard(_ denials: Denials) -> RouteGuard {
        let known: [String: Principal] = [
            "Bearer provider": Principal(subject: "provider", tenant: nil, role: .providerAdmin),
            "Bearer t1": Principal(subject: "t1-admin", tenant: "t1", role: .tenantAdmin),
            "Bearer down": Principal(subject: "unused", tenant: nil, role: .analyst),
        ]
        return RouteGuard(
            authenticate: { header in
                if header == "Bearer down" { return .unavailable("auth cannot be reached") }
                guard let header, let principal = known[header] else { return .unauthenticated("a valid token is required") }
                return .authenticated(principal)
            },
            reportDenial: { denials.add($0, $1, $2) })
    }

    static func router(_ denials: Denials) -> Router<ServiceRequestContext> {
        let router = Router(context: ServiceRequestContext.self)
        // Outside the middleware, yet asking for a decision: must fail closed.
        router.get("/forgotten") { _, context -> Thing in
            try await context.authorize { _ in .allowed }
            return Thing(id: "forgotten", value: 1)
        }
        let api = router.group().add(middleware: AuthenticationMiddleware(routeGuard(denials)))
        api.get("/v1/things/{id}") { _, context -> Thing in
            let id = try context.parameters.require("id")
            try await context.authorize { principal in
                principal.tenant == nil || principal.tenant == id ? .allowed : .denied(AccessPolicy.crossTenant)
            }
            return Thing(id: id, value: 2.5)
        }
        api.get("/v1/infinite") { _, _ -> Thing in Thing(id: "x", value: .infinity) }
        api.get("/v1/busy") { _, _ -> Thing in
            throw APIError(.serviceUnavailable, "busy; try again in 7 s", headers: [.retryAfter: "7"])
        }
        api.post("/v1/echo") { request, _ -> Thing in
            let body = try await HTTPSupport.requireBody(of: request, limit: 64)
            try HTTPSupport.refuseRepeatedKeys(in: body)
            return Thing(id: "echo", value: Double(body.count))
        }
        return router
    }

    /// Runs the router on a free loopback port for the length of `body`.
    static func serving(_ router: Router<ServiceRequestContext>, _ body: @Sendable (Int) async throws -> Void) async throws {
        let port = Mutex<Int?>(nil)
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in port.withLock { $0 = channel.localAddress?.port } },
            logger: Logger(label: "middleware-test"))
        let group = ServiceGroup(configuration: .init(services: [app], logger: Logger(label: "middleware-test")))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var bound: Int?
            for _ in 0..<200 where bound == nil {
                bound = port.withLock { $0 }
                if bound == nil { try await Task.sleep(for: .milliseconds(10)) }
            }
            guard let bound else { throw APIError(.internalServerError, "the test server did not start") }
            do {
                try await body(bound)
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    static func call(_ port: Int, _ path: String, method: String = "GET", token: String? = nil, body: Data? = nil) async throws -> (Int, [String: Any], [AnyHashable: Any]) {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        request.httpBody = body
        if let token { request.setValue(token, forHTTPHeaderField: "Authorization") }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = try #require(response as? HTTPURLResponse)
        let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        return (http.statusCode, object, http.allHeaderFields)
    }

    @Test func withoutACredentialTheRouteNeverRunsAndTheRefusalNamesTheRouteNotThePath() async throws {
        let denials = Denials()
        try await Self.serving(Self.router(denials)) { port in
            // A path segment an attacker controls: it must not reach the audit row's action.
            let (status, body, _) = try await Self.call(port, "/v1/things/%0Adenied%20GET%20%2Fv1%2Fforged")
            #expect(status == 401)
            #expect(body["error"] as? String == "a valid token is required")
            let (wrong, _, _) = try await Self.call(port, "/v1/things/t1", token: "Bearer guessed")
            #expect(wrong == 401)
        }
        #expect(denials.all.count == 2)
        #expect(denials.all.allSatisfy { $0.0 == nil && $0.1 == "GET /v1/things/{id}" })
    }

    @Test func aTenantAskingForAnotherTenantsThingIsRefusedAndReported() async throws {
        let denials = Denials()
        try await Self.serving(Self.router(denials)) { port in
            let (own, ownBody, _) = try await Self.call(port, "/v1/things/t1", token: "Bearer t1")
            #expect(own == 200 && ownBody["id"] as? String == "t1" && ownBody["value"] as? Double == 2.5)
            let (other, otherBody, _) = try await Self.call(port, "/v1/things/t2", token: "Bearer t1")
            #expect(other == 403)
            #expect(otherBody["error"] as? String == AccessPolicy.crossTenant)
            let (provider, _, _) = try await Self.call(port, "/v1/things/t2", token: "Bearer provider")
            #expect(provider == 200)
        }
        #expect(denials.all.map(\.0) == ["t1-admin"])
        #expect(denials.all.first?.1 == "GET /v1/things/{id}")
    }

    @Test func authUnreachableIs503AndNotAnAdmission() async throws {
        try await Self.serving(Self.router(Denials())) { port in
            let (status, body, _) = try await Self.call(port, "/v1/things/t1", token: "Bearer down")
            #expect(status == 503)
            #expect(body["error"] as? String == "auth cannot be reached")
        }
    }

    @Test func aRouteRegisteredOutsideTheMiddlewareFailsClosed() async throws {
        try await Self.serving(Self.router(Denials())) { port in
            let (status, body, _) = try await Self.call(port, "/forgotten", token: "Bearer provider")
            #expect(status == 500)
            #expect((body["error"] as? String)?.contains("without the authentication middleware") == true)
        }
    }

    @Test func errorsKeepTheirHeadersAndUnwritableValuesAreA500NotAnEmptySuccess() async throws {
        try await Self.serving(Self.router(Denials())) { port in
            let (busy, busyBody, headers) = try await Self.call(port, "/v1/busy", token: "Bearer provider")
            #expect(busy == 503 && busyBody["error"] as? String == "busy; try again in 7 s")
            #expect(headers.first { ($0.key as? String)?.lowercased() == "retry-after" }?.value as? String == "7")
            let (infinite, infiniteBody, _) = try await Self.call(port, "/v1/infinite", token: "Bearer provider")
            #expect(infinite == 500)
            #expect((infiniteBody["error"] as? String)?.contains("could not be written as JSON") == true)
        }
    }

    @Test func oversizedAndRepeatedKeyBodiesAreRefusedByName() async throws {
        try await Self.serving(Self.router(Denials())) { port in
            let (big, _, _) = try await Self.call(port, "/v1/echo", method: "POST", token: "Bearer provider", body: Data(repeating: 0x20, count: 65))
            #expect(big == 413)
            let repeated = Data(#"{"tenant":"t1","tenant":"t2"}"#.utf8)
            let (twice, body, _) = try await Self.call(port, "/v1/echo", method: "POST", token: "Bearer provider", body: repeated)
            #expect(twice == 400 && body["field"] as? String == "tenant")
            let (fine, fineBody, _) = try await Self.call(port, "/v1/echo", method: "POST", token: "Bearer provider", body: Data(#"{"a":1}"#.utf8))
            #expect(fine == 200 && fineBody["value"] as? Double == 7)
        }
    }
}
