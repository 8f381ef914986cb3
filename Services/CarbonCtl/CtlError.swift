import ArgumentParser
import Foundation

/// Why a `carbonctl` command failed, and the exit status each failure gives: 2 when a service
/// could not be reached or refused the request, so scripts can tell it from rejected records (1).
enum CtlError: Error, CustomStringConvertible {
    /// The service did not answer (connection refused, timeout, DNS).
    case unreachable(String)
    /// The service answered with an error status.
    case refused(service: String, status: Int, message: String)
    /// A local problem: a file that cannot be read, an option that makes no sense.
    case usage(String)

    var description: String {
        switch self {
        case .unreachable(let what): return "cannot reach \(what)"
        case .refused(let service, let status, let message):
            return "\(service) answered \(status): \(message.trimmingCharacters(in: .whitespacesAndNewlines))"
        case .usage(let message): return message
        }
    }
}

/// Writes to standard error (progress and diagnostics never mix with the output on stdout).
enum StandardError {
    static func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}

/// Runs a command's body; a `CtlError` is printed on stderr and ends the command with exit status 2.
func reportingFailures(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as CtlError {
        StandardError.write("carbonctl: \(error)\n")
        throw ExitCode(2)
    }
}
