import CarbonModel
import Contracts
import Foundation
@testable import Messaging
import Testing

@testable import ServiceKit

/// Failures that used to pass for "nothing there": each is now an error or an answer saying so.
@Suite struct QuietFailureTests {
    /// A missing authorized-keys folder means no extra keys; one that is there but cannot be
    /// listed (here: a file) is an error naming it, not a silent "no keys" that refuses peers.
    @Test func anAuthorizedKeysFolderThatCannotBeListedIsAnError() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("curve-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: base) }
        #expect(try CurveConfiguration.publicKeys(in: base.appendingPathComponent("absent").path).isEmpty)
        let file = base.appendingPathComponent("authorized")
        try Data("not a folder".utf8).write(to: file)
        let error = #expect(throws: CurveConfigurationError.self) { try CurveConfiguration.publicKeys(in: file.path) }
        guard case .unreadable(let path, _)? = error else {
            Issue.record("expected .unreadable, got \(String(describing: error))")
            return
        }
        #expect(path == file.path)
    }

    /// A standby answers a malformed export or erase 400, as an active replica does, rather than
    /// an empty success for tenant "".
    @Test func aStandbyRefusesAMalformedPrivacyRequest() async {
        let responder = ControlResponder(service: "calculator", replica: "r1")
        for type in [TenantPrivacyRequest.exportType, TenantPrivacyRequest.eraseType] {
            let header = EnvelopeHeader(type: type, source: MessageSource(service: "auth", instance: "1"))
            let bad = await responder.handle(Request(header: header, body: Data("{}".utf8)))
            #expect(bad.status == 400)
            let good = await responder.handle(Request(header: header, body: WireFrame.encodeJSON(TenantPrivacyRequest(tenant: "A"))))
            #expect(good.status == 200)
        }
    }
}
