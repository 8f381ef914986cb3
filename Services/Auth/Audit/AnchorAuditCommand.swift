import ArgumentParser
import Foundation
import ServiceKit

extension AuthCommand {
    /// `auth anchor-audit --reason …`: starts the signed checkpoints afresh from the audit log
    /// as it is, for when the log legitimately lost rows (a backup was restored) or the
    /// checkpoint file was lost. It is itself audited and signed, and `verify-audit` names it.
    struct AnchorAudit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "anchor-audit",
            abstract: "Sign the audit log's current head as a new starting point, with a reason (after restoring a backup).")
        @OptionGroup var common: CommonOptions
        @Option(help: "Why, e.g. \"restored backup 20240131T120000Z\"; recorded in the audit log and the anchor.") var reason: String

        func validate() throws {
            guard !reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw ValidationError("--reason must say why") }
        }

        func run() async throws {
            let files = AuthFiles(dataDir: common.dataDir, instance: common.instanceName(service: "auth"))
            guard FileManager.default.fileExists(atPath: files.store) else {
                throw ValidationError("no auth store \(files.store) (check --data-dir and --instance)")
            }
            let store = try await AuthStore.open(common, logger: CreateKey.logger(common))
            let anchor = try await store.audit.anchor(store.database, reason: reason, actor: CreateKey.cliActor)
            print("audit log anchored at row \(anchor.rows): \(anchor.reason)")
        }
    }
}
