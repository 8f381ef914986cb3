import ArgumentParser
import CarbonModel
import Foundation
import GRDB
import Hummingbird
import Messaging
import ServiceKit
import ServiceLifecycle

/// The auth service: holds identities and answers, over ZeroMQ, who holds an API key.
@main
struct AuthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "auth",
        abstract: "CarbonMeter auth: identities and API keys.",
        subcommands: [Serve.self, CreateKey.self, RevokeKey.self],
        defaultSubcommand: Serve.self)
}

extension AuthCommand {
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the auth service.",
            discussion: "ZeroMQ requests on --control-port: apikey.verify.v1, status.get.v1. HTTP: GET /health; GET /metrics.")

        @OptionGroup var common: CommonOptions
        @Option(help: "HTTP port (env CM_AUTH_HTTP_PORT).")
        var httpPort: Int = Env.int("CM_AUTH_HTTP_PORT", Topology.authHTTP)
        @Option(help: "Port of the request endpoint other services call (env CM_AUTH_CONTROL_PORT).")
        var controlPort: Int = Env.int("CM_AUTH_CONTROL_PORT", Topology.authControl)

        func run() async throws {
            HealthProbe.exitIfRequested(common, port: httpPort)
            let instance = common.instanceName(service: "auth")
            let logger = ServiceLogging.bootstrap(service: "auth", instance: instance, level: common.logLevel)
            let database = try ServiceStore.open(path: common.storePath(service: "auth"), migrations: IdentityStore.migrations)
            let metrics = ServiceMetrics(service: "auth", instance: instance)
            let verifications = metrics.counter("carbonmeter_auth_key_verifications_total", help: "API key verifications answered")
            let source = MessageSource(service: "auth", instance: instance)
            let runtime = try MessagingRuntime(name: "auth", logger: logger)
            let status: @Sendable () async -> StatusReport = {
                let keys = try? await database.read { try IdentityStore.activeKeyCount($0) }
                return StatusReport(service: "auth", instance: instance, healthy: keys != nil, details: ["active_api_keys": "\(keys ?? 0)"])
            }
            let server = RequestServer(loop: runtime.loop, endpoint: common.bindEndpoint(port: controlPort), source: source, logger: logger) {
                request in
                switch request.header.type {
                case statusRequestType:
                    return .json(await status())
                case APIKeyVerificationRequest.messageType:
                    guard let asked = try? JSONDecoder().decode(APIKeyVerificationRequest.self, from: request.body) else {
                        return .failure(400, "body must be {\"key\": \"cmk_...\"}")
                    }
                    verifications.increment()
                    do {
                        let identity = try await database.read { try IdentityStore.verify($0, key: asked.key) }
                        if !identity.valid { logger.notice("API key rejected") }
                        return .json(identity)
                    } catch {
                        return .failure(500, "could not read identities: \(error)")
                    }
                default:
                    return .failure(404, "unknown request type \(request.header.type)")
                }
            }
            do { try await server.start() } catch { throw ServiceStartupError("auth could not open its ZeroMQ endpoint: \(error)") }
            let router = Router()
            ServiceRoutes.add(to: router, metrics: metrics, status: status)
            BackupRoutes.add(to: router, database: database, dataDir: common.dataDir, instance: instance)
            let app = Application(
                router: router, configuration: .init(address: .hostname(common.httpHost, port: httpPort), serverName: "carbonmeter-auth"),
                onServerRunning: { _ in logger.info("auth ready", metadata: ["http": "\(common.httpHost):\(httpPort)"]) },
                logger: logger)
            let group = ServiceGroup(
                configuration: .init(services: [runtime, app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            try await group.run()
        }
    }

    struct CreateKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create-key", abstract: "Create an API key and print it once (it is stored hashed).")
        @OptionGroup var common: CommonOptions
        @Option(help: "Tenant the key acts for (omit for a provider key).") var tenant: String?
        @Option(help: "Role: \(IdentityStore.roles.joined(separator: ", ")).") var role: String = "collector"

        func validate() throws {
            guard IdentityStore.roles.contains(role) else {
                throw ValidationError("unknown role \"\(role)\"; use one of \(IdentityStore.roles.joined(separator: ", "))")
            }
        }

        func run() async throws {
            let database = try ServiceStore.open(path: common.storePath(service: "auth"), migrations: IdentityStore.migrations)
            let (_, key) = try await database.write { try IdentityStore.createKey($0, tenant: tenant, role: role) }
            print(key)
        }
    }

    struct RevokeKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "revoke-key", abstract: "Revoke an API key by its id.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "The key id (the part after cmk_).") var keyID: String

        func run() async throws {
            let database = try ServiceStore.open(path: common.storePath(service: "auth"), migrations: IdentityStore.migrations)
            let revoked = try await database.write { try IdentityStore.revoke($0, keyID: keyID) }
            if !revoked { throw ValidationError("no active key with id \(keyID)") }
            print("revoked \(keyID)")
        }
    }
}
