import Foundation
import ServiceKit
import Testing

/// Every flag and environment variable topology/suite.json names for a service's ports and
/// upstream links is one the real executable takes: its `--help` lists the flag and the
/// variable. (The services spell them in their options; the description must not drift from
/// them, or the scripts and tests that read it would pass a flag nobody reads.)
struct TopologyFlagsTests {
    /// The executable's `--help` (auth's serving subcommand for auth), whitespace collapsed so
    /// that a variable wrapped onto the next line still reads as one phrase.
    static func help(_ service: Topology.Service) throws -> String {
        let process = Process()
        process.executableURL = SuiteProcess.locateBinaries().appendingPathComponent(service.rawValue)
        process.arguments = (service == .auth ? ["serve"] : []) + ["--help"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    @Test(arguments: Topology.Service.allCases)
    func everyDescribedFlagAndVariableIsTheServices(_ service: Topology.Service) throws {
        let help = try Self.help(service)
        for port in Topology.ports(of: service) {
            #expect(help.contains("\(port.flag) <"), "\(service.rawValue) --help has no \(port.flag)")
            #expect(help.contains(port.variable), "\(service.rawValue) --help does not name \(port.variable)")
        }
        for link in Topology.links(of: service) {
            #expect(help.contains("\(link.flag) <"), "\(service.rawValue) --help has no \(link.flag)")
            #expect(help.contains(link.variable), "\(service.rawValue) --help does not name \(link.variable)")
        }
    }
}
