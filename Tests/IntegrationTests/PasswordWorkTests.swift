import Foundation
import GRDB
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Auth at its real scrypt cost, and a burst of logins beyond what its password workers take:
/// passwords are checked on threads of their own, a full queue is answered at once with 503 and
/// Retry-After (nothing counted against the name), and auth keeps answering everything else.
/// Every other suite runs auth at a low cost to spare CI's cores; this one does not.
@Suite(.serialized) struct PasswordWorkTests {
    @Test func realCostLoginsWorkAndABurstBeyondTheQueueIsRefusedNotStalled() async throws {
        let suite = try SuiteProcess(extraArguments: [.auth: ["--password-workers", "1", "--password-queue-limit", "1"]])
        suite.passwordHashCost = nil
        try await suite.start([.auth])
        let health = try await suite.json(.auth, "/health")
        #expect((health["details"] as? [String: Any])?["password_hash_cost"] as? String == "15", "\(health)")
        let password = try suite.bootstrapPassword()
        _ = try await suite.loginToken("admin", password)
        let store = try DatabaseQueue(path: suite.dataDir.appendingPathComponent("auth-1.sqlite").path, configuration: Self.readOnly)
        let stored = try await store.read { try String.fetchOne($0, sql: "SELECT password_hash FROM users WHERE username = 'admin'") }
        #expect(stored?.hasPrefix("scrypt$15$8$1$") == true, "the bootstrap admin's hash is made at the real cost")

        // 16 logins at once, each a distinct unknown name (so no lockout interferes), against one
        // worker and a queue of one.
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = 32
        configuration.timeoutIntervalForRequest = 120
        let session = URLSession(configuration: configuration)
        let port = suite.httpPort(.auth)
        let answers = try await withThrowingTaskGroup(of: (Int, String?).self) { group in
            for i in 0..<16 {
                group.addTask {
                    var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/v1/login")!)
                    request.httpMethod = "POST"
                    request.setValue("application/json", forHTTPHeaderField: "Content-Type")
                    request.httpBody = try JSONSerialization.data(withJSONObject: ["username": "nobody-\(i)", "password": "wrong password!"])
                    let (_, response) = try await session.data(for: request)
                    let http = response as? HTTPURLResponse
                    return (http?.statusCode ?? 0, http?.value(forHTTPHeaderField: "Retry-After"))
                }
            }
            // Meanwhile auth answers its other requests.
            let healthStarted = Date()
            let (healthStatus, _) = try await suite.get(.auth, "/health")
            print("auth /health answered \(healthStatus) in \(Date().timeIntervalSince(healthStarted)) s during the login burst")
            #expect(healthStatus == 200)
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let statuses = answers.map(\.0)
        #expect(statuses.allSatisfy { $0 == 401 || $0 == 503 }, "\(statuses.sorted())")
        #expect(statuses.contains(401), "some logins were checked: \(statuses.sorted())")
        #expect(statuses.contains(503), "logins beyond one worker and a queue of one are refused as busy: \(statuses.sorted())")
        #expect(answers.filter { $0.0 == 503 }.allSatisfy { $0.1 == "1" }, "every 503 carries Retry-After: \(answers)")
        // A busy refusal checked nothing and counted nothing: auth is idle again and the admin still signs in.
        _ = try await suite.loginToken("admin", password)
        await suite.stopAll()
    }

    static var readOnly: Configuration {
        var configuration = Configuration()
        configuration.readonly = true
        return configuration
    }
}
