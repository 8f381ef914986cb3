import ArgumentParser
import Contracts
import Foundation

/// `carbonctl login`: exchanges a user name and password with auth for a token.
struct LoginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Log in through auth and print an access token.",
        discussion: """
            Reads the password from --password-file or from the first line of stdin (never from \
            the command line, where other users could see it) and prints the token auth answers, \
            to be used as --token or CM_TOKEN. Tokens live 15 minutes by default.

            Example:
              export CM_TOKEN=$(carbonctl login --username admin --password-file admin.secret)
            """)

    @OptionGroup var client: ClientOptions

    @Option(help: "User name.")
    var username: String

    @Option(help: "File holding the password: its 'password=' line (auth's bootstrap-admin.secret) or its first line; without it, stdin.")
    var passwordFile: String?

    func run() async throws {
        try await reportingFailures {
            let password: String
            if let passwordFile {
                do {
                    let lines = try String(contentsOfFile: passwordFile, encoding: .utf8).split(separator: "\n")
                    // Auth's bootstrap-admin.secret holds `password=…` among other lines; any other
                    // file holds the password on its first line.
                    let tagged = lines.first { $0.hasPrefix("password=") }.map { String($0.dropFirst("password=".count)) }
                    password = tagged ?? String(lines.first ?? "")
                } catch {
                    throw CtlError.usage("cannot read \(passwordFile): \(error.localizedDescription)")
                }
            } else {
                password = readLine(strippingNewline: true) ?? ""
            }
            guard !password.isEmpty else { throw CtlError.usage("no password given (stdin or --password-file)") }
            let auth = try client.client(for: .auth)
            let body = try JSONSerialization.data(withJSONObject: ["username": username, "password": password])
            let reply = try await auth.send("POST", "/v1/login", body: body, contentType: "application/json")
            // An answer without a token is refused showing auth's status and body as they came.
            guard reply.status == 200, let answer = try? JSONDecoder().decode(LoginAnswer.self, from: reply.body) else {
                throw CtlError.refused(service: "auth", status: reply.status, message: reply.text)
            }
            print(answer.token)
        }
    }
}
