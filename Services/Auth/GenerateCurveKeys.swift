import ArgumentParser
import ServiceKit

extension AuthCommand {
    /// `auth generate-curve-keys <dir>`: the CURVE key folder every service reads with
    /// `--curve-dir`. Lives in auth because keys are identities; needs no running service.
    struct GenerateCurveKeys: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "generate-curve-keys",
            abstract: "Create CURVE key pairs (<name>.key mode 0600, <name>.pub) for the services and clients that lack one.",
            discussion: """
                Existing keys are kept, so it is safe to run at every start; --replace makes new ones (rotation: then restart
                every service). Prints each name and its public key, never a secret key.
                """)

        @Argument(help: "Folder to write the keys into (created if missing).")
        var directory: String

        @Option(name: .customLong("name"), help: "A key to create; repeat for several (default: the five services and external-collector).")
        var names: [String] = []

        @Flag(help: "Replace existing keys instead of keeping them.")
        var replace = false

        func run() throws {
            let outcomes = try CurveKeyFiles.generate(
                directory: directory, names: names.isEmpty ? CurveKeyFiles.defaultNames : names, replace: replace)
            for (name, outcome) in outcomes {
                switch outcome {
                case .created(let key): print("\(name)\tcreated\t\(key)")
                case .kept(let key): print("\(name)\tkept\t\(key)")
                }
            }
        }
    }
}
