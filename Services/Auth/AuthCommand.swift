import AccessControl
import ArgumentParser
import CarbonModel
import Foundation
import GRDB
import Hummingbird
import Logging
import Messaging
import ServiceKit
import ServiceLifecycle

/// The auth service: holds tenants, users and API keys, issues signed access tokens, answers
/// other services over ZeroMQ (API keys, its public keys, revocations, denials to audit), and
/// keeps the hash-chained audit log with its signed checkpoints.
@main
struct AuthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "auth",
        abstract: "CarbonMeter auth: identities, access tokens, API keys and the audit log.",
        subcommands: [Serve.self, CreateKey.self, RevokeKey.self, CreateUser.self, VerifyAudit.self, AnchorAudit.self, GenerateCurveKeys.self],
        defaultSubcommand: Serve.self)
}

extension AuthCommand {
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the auth service.",
            discussion: """
                ZeroMQ requests on --control-port: apikey.verify.v1, auth.signingkeys.get.v1, auth.revocations.get.v1,
                audit.denial.v1, audit.event.v1 (from the services' audit outboxes), auth.login.v1, auth.logout.v1 (sessions of the
                reporter's dashboard), status.get.v1. HTTP: POST /v1/login, /v1/logout, /v1/tenants, /v1/users, /v1/api-keys;
                DELETE /v1/api-keys/{id}; GET /v1/audit; GET /health; GET /metrics.
                """)

        @OptionGroup var common: CommonOptions
        @Option(help: "HTTP port (env CM_AUTH_HTTP_PORT).")
        var httpPort: Int = Env.int("CM_AUTH_HTTP_PORT", Topology.authHTTP)
        @Option(help: "Port of the request endpoint other services call (env CM_AUTH_CONTROL_PORT).")
        var controlPort: Int = Env.int("CM_AUTH_CONTROL_PORT", Topology.authControl)
        @Option(help: "Lifetime of an access token in seconds (env CM_TOKEN_TTL_SECONDS).")
        var tokenTtlSeconds: Int = Env.int("CM_TOKEN_TTL_SECONDS", 900)
        @Option(help: "Failed logins in a row after which a user name is locked (env CM_MAX_FAILED_LOGINS).")
        var maxFailedLogins: Int = Env.int("CM_MAX_FAILED_LOGINS", 5)
        @Option(help: "How long a locked user name stays locked, in seconds (env CM_LOCKOUT_SECONDS).")
        var lockoutSeconds: Int = Env.int("CM_LOCKOUT_SECONDS", 300)
        @Option(
            help: """
                Control endpoints of the other services (collector, preprocessors, calculators, reporter), comma-separated, for tenant \
                export and erase; each optionally named by its service (calculator=tcp://…; required with --curve-dir, to pick the \
                server key) (env CM_SERVICE_CONTROL).
                """)
        var serviceControl: String = Env.string("CM_SERVICE_CONTROL", Topology.authServiceControl.localDefault)
        @Option(
            help: """
                scrypt cost of new password hashes and of the decoy work for unknown names, as log2 N \
                (\(PasswordHasher.allowedLogN.lowerBound)–\(PasswordHasher.allowedLogN.upperBound); 15 = 32 MiB and tens of ms per \
                check). Existing hashes keep the cost they were made with. Lower it only for tests (env CM_PASSWORD_HASH_COST).
                """)
        var passwordHashCost: Int = Env.int("CM_PASSWORD_HASH_COST", PasswordHasher.defaultLogN)
        @Option(help: "Threads that hash and check passwords, off the request loop (env CM_PASSWORD_WORKERS; default: half the cores, at least 1).")
        var passwordWorkers: Int = Env.int("CM_PASSWORD_WORKERS", max(1, ProcessInfo.processInfo.activeProcessorCount / 2))
        @Option(
            help: "Password checks that may wait for a worker; one more is answered 503 with Retry-After (env CM_PASSWORD_QUEUE_LIMIT).")
        var passwordQueueLimit: Int = Env.int("CM_PASSWORD_QUEUE_LIMIT", 32)
        @Flag(
            inversion: .prefixedNo,
            help: "Require the provider admin's token on POST /v1/admin/backup too (env CM_REQUIRE_AUTH=1); the identity routes always check.")
        var requireAuth: Bool = Env.bool("CM_REQUIRE_AUTH", false)
        @Option(
            help: """
                File whose first line is the first provider admin's password (at least 12 characters), e.g. a compose or \
                Kubernetes secret; read only when the store has no users yet. Without it that password is random and written to \
                <data-dir>/bootstrap-admin.secret (env CM_BOOTSTRAP_PASSWORD_FILE).
                """)
        var bootstrapPasswordFile: String = Env.string("CM_BOOTSTRAP_PASSWORD_FILE", "")

        func validate() throws {
            do { try Env.checkSwitches(["CM_REQUIRE_AUTH"]) } catch { throw ValidationError(error.description) }
            guard PasswordHasher.allowedLogN.contains(passwordHashCost) else {
                throw ValidationError(
                    "--password-hash-cost must be within \(PasswordHasher.allowedLogN.lowerBound)...\(PasswordHasher.allowedLogN.upperBound), got \(passwordHashCost)")
            }
            guard passwordWorkers >= 1, passwordQueueLimit >= 0 else {
                throw ValidationError("--password-workers must be at least 1 and --password-queue-limit at least 0")
            }
        }

        func run() async throws {
            MallocArenas.limit()
            HealthProbe.exitIfRequested(common, port: httpPort)
            try await buildAuth().run()
        }
    }

    struct CreateKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create-key", abstract: "Create an API key and print it once (it is stored hashed).")
        @OptionGroup var common: CommonOptions
        @Option(help: "Tenant the key acts for (omit for a provider key).") var tenant: String?
        @Option(help: "Role: \(IdentityStore.roles.joined(separator: ", ")).") var role: String = "collector"

        /// Who acted, for audit rows written by a command run on the host.
        static var cliActor: String { "cli:\(ProcessInfo.processInfo.environment["USER"] ?? "unknown")" }

        /// The log of a command run on the host (stderr, like the service's).
        static func logger(_ common: CommonOptions) -> Logger {
            ServiceLogging.bootstrap(service: "auth", instance: common.instanceName(service: "auth"), level: common.logLevel)
        }

        func validate() throws {
            guard IdentityStore.roles.contains(role) else {
                throw ValidationError("unknown role \"\(role)\"; use one of \(IdentityStore.roles.joined(separator: ", "))")
            }
        }

        func run() async throws {
            let database = try await AuthStore.open(common, logger: CreateKey.logger(common)).database
            let (_, key) = try await database.write { db in
                let created = try IdentityStore.createKey(db, tenant: tenant, role: role)
                try AuditLog.append(
                    db, AuditEntry(actor: Self.cliActor, action: "apikey.create", tenant: tenant, outcome: "success", detail: "\(created.keyID) as \(role)"))
                return created
            }
            print(key)
        }
    }

    struct RevokeKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "revoke-key", abstract: "Revoke an API key by its id.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "The key id (the part after cmk_).") var keyID: String

        func run() async throws {
            let database = try await AuthStore.open(common, logger: CreateKey.logger(common)).database
            let revoked = try await database.write { db in
                let revoked = try IdentityStore.revoke(db, keyID: keyID)
                if revoked {
                    try AuditLog.append(db, AuditEntry(actor: CreateKey.cliActor, action: "apikey.revoke", tenant: nil, outcome: "success", detail: keyID))
                }
                return revoked
            }
            if !revoked { throw ValidationError("no active key with id \(keyID)") }
            print("revoked \(keyID)")
        }
    }

    struct CreateUser: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create-user", abstract: "Create a user; the password is read from a file (never from the command line).")
        @OptionGroup var common: CommonOptions
        @Argument(help: "User name.") var username: String
        @Option(help: "Tenant (omit for a provider user).") var tenant: String?
        @Option(help: "Role: \(IdentityStore.roles.joined(separator: ", ")).") var role: String
        @Option(help: "File holding the password (first line), or - for standard input.") var passwordFile: String

        func run() async throws {
            guard let role = Role(rawValue: role) else { throw ValidationError("unknown role \(self.role)") }
            let text: String
            if passwordFile == "-" {
                text = readLine() ?? ""
            } else {
                text = try String(contentsOfFile: passwordFile, encoding: .utf8)
            }
            let password = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
            guard password.count >= 12 else { throw ValidationError("the password must have at least 12 characters") }
            let database = try await AuthStore.open(common, logger: CreateKey.logger(common)).database
            let hash = try PasswordHasher().hash(password)
            try await database.write { db in
                try UserDirectory.createUser(db, username: username, tenant: tenant, role: role, passwordHash: hash)
                try AuditLog.append(
                    db, AuditEntry(actor: CreateKey.cliActor, action: "user.create", tenant: tenant, outcome: "success", detail: "\(username) as \(role.rawValue)"))
            }
            print("created \(username)")
        }
    }
}
