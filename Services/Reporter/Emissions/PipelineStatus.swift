import Contracts
import Foundation
import Messaging
import ServiceKit

/// Whether the pipeline has drained: every stage asked, upstream first, for the work it holds.
/// Asking upstream first matters: a message leaves an upstream outbox only after the
/// downstream stage committed it, so work moving during the survey is seen at its next stop.
struct PipelineSurvey: Sendable {
    /// Control endpoints of the upstream stages, in pipeline order.
    let stages: ControlClients
    let own: @Sendable () async -> StatusReport

    func survey() async -> PipelineStatus {
        var reports: [StatusReport] = []
        var unreachable: [String] = []
        let targets: [ControlClients.Target]
        do { targets = try await stages.targets() } catch {
            return PipelineStatus(drained: false, services: [await own()], unreachable: ["control endpoints: \(error)"])
        }
        for target in targets {
            guard case .client(let client) = target else {
                if case .unresolved(let why) = target { unreachable.append(why) }
                continue
            }
            do {
                let reply = try await client.request(type: statusRequestType, timeoutMilliseconds: 2_000)
                reports.append(try JSONDecoder().decode(StatusReport.self, from: reply.body))
            } catch {
                unreachable.append("\(client.endpoint): \(error)")
            }
        }
        reports.append(await own())
        return PipelineStatus(drained: unreachable.isEmpty && reports.allSatisfy(\.idle), services: reports, unreachable: unreachable)
    }
}
