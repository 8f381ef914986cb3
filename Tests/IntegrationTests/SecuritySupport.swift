import Foundation

/// Logging in and calling with tokens against a suite started with `--require-auth`.
extension SuiteProcess {
    /// Arguments that turn authentication on in every service, with a fast revocation poll so
    /// tests see revocations quickly.
    static func secured(auth: [String] = []) -> [Service: [String]] {
        [
            .collector: ["--require-auth", "--revocation-poll-ms", "200"],
            .preprocessor: ["--require-auth", "--revocation-poll-ms", "200"],
            .calculator: ["--require-auth", "--revocation-poll-ms", "200"],
            .reporter: ["--require-auth", "--revocation-poll-ms", "200"],
            .auth: ["--require-auth"] + auth,
        ]
    }

    var bootstrapSecretFile: URL { dataDir.appendingPathComponent("bootstrap-admin.secret") }

    /// The bootstrap admin's password, from the secret file auth wrote on first start.
    func bootstrapPassword() throws -> String {
        let text = try String(contentsOf: bootstrapSecretFile, encoding: .utf8)
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("password=") }) else {
            throw SuiteError("no password in \(bootstrapSecretFile.path)")
        }
        return String(line.dropFirst("password=".count))
    }

    /// POST /v1/login; returns the status and the token when there is one.
    func login(_ username: String, _ password: String) async throws -> (status: Int, token: String?, body: Data) {
        let body = try JSONSerialization.data(withJSONObject: ["username": username, "password": password])
        let (status, data) = try await post(.auth, "/v1/login", body: body, contentType: "application/json")
        let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        return (status, object?["token"] as? String, data)
    }

    func loginToken(_ username: String, _ password: String) async throws -> String {
        let (status, token, body) = try await login(username, password)
        guard status == 200, let token else { throw SuiteError("login \(username) answered \(status): \(String(decoding: body, as: UTF8.self))") }
        return token
    }

    func bearer(_ token: String?) -> [String: String] { token.map { ["Authorization": "Bearer \($0)"] } ?? [:] }

    /// POST a JSON object to auth as `token`'s holder.
    func administer(_ path: String, _ object: [String: Any], token: String) async throws -> (Int, [String: Any]) {
        let body = try JSONSerialization.data(withJSONObject: object)
        let (status, data) = try await post(.auth, path, body: body, contentType: "application/json", headers: bearer(token))
        return (status, (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:])
    }

    /// Runs the `auth` executable with a subcommand against this suite's data dir.
    func runAuthCommand(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try runAuthCommand(arguments, dataDir: dataDir)
    }

    /// Runs the `auth` executable with a subcommand against `dataDir`.
    func runAuthCommand(_ arguments: [String], dataDir: URL) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = binDir.appendingPathComponent("auth")
        process.arguments = arguments + ["--data-dir", dataDir.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }
}
