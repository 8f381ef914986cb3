import CarbonModel
import Foundation
import GRDB
import Logging
import Synchronization

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Every few seconds: raises the alerts of crossed budgets and of data-centre indicators above
/// their targets' thresholds (each once, in the store) and POSTs each alert not yet delivered
/// to the webhook, when one is configured; a failed POST is tried again on the next round, so
/// delivery is at least once.
final class AlertWatch: Sendable {
    let database: DatabasePool
    let webhook: URL?
    let intervalSeconds: Double
    let logger: Logger
    /// The forecast behind forecast alerts (and the default of `GET /v1/budgets`).
    let method: EmissionForecast.Method
    private let stopped = Mutex(false)

    init(
        database: DatabasePool, webhook: URL?, intervalSeconds: Double = 2, method: EmissionForecast.Method = .linearTrend, logger: Logger
    ) {
        self.database = database
        self.webhook = webhook
        self.intervalSeconds = intervalSeconds
        self.method = method
        self.logger = logger
    }

    func stop() { stopped.withLock { $0 = true } }

    /// Until `stop()` or the task is cancelled (the sleep then ends at once, so the loop must
    /// look: a cancelled task that went on would spin on failing rounds).
    func run() async throws {
        while !stopped.withLock({ $0 }), !Task.isCancelled {
            await round()
            // Fails only when cancelled, which ends the loop at its check (see above).
            try? await Task.sleep(for: .milliseconds(Int(intervalSeconds * 1000)))
        }
    }

    /// POSTs one alert as JSON; true when the webhook answered 2xx.
    private func post(_ alert: some Encodable, to webhook: URL) async throws -> Bool {
        var request = URLRequest(url: webhook)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = try JSONEncoder().encode(alert)
        request.timeoutInterval = 5
        let (_, response) = try await URLSession.shared.data(for: request)
        guard let status = (response as? HTTPURLResponse)?.statusCode else { return false }
        return (200..<300).contains(status)
    }

    func round() async {
        do {
            let method = self.method
            let raised = try await database.write { try ManagementStore.evaluate($0, method: method) }
            if raised > 0 { logger.info("budget alerts raised", metadata: ["count": "\(raised)"]) }
            let indicatorAlerts = try await database.write { try IndicatorTargetStore.evaluate($0) }
            if indicatorAlerts > 0 { logger.info("indicator alerts raised", metadata: ["count": "\(indicatorAlerts)"]) }
            guard let webhook else { return }
            let pending = try await database.read { try ManagementStore.alerts($0, tenant: nil, undeliveredOnly: true) }
            for alert in pending {
                guard try await post(alert, to: webhook) else {
                    logger.warning("webhook refused an alert; trying again later", metadata: ["tenant": "\(alert.tenant)"])
                    return
                }
                try await database.write { try ManagementStore.markDelivered($0, alert) }
            }
            for var alert in try await database.read({ try IndicatorTargetStore.alerts($0, undeliveredOnly: true) }) {
                guard try await post(alert, to: webhook) else {
                    logger.warning("webhook refused an alert; trying again later", metadata: ["site": "\(alert.site)"])
                    return
                }
                alert.delivered = true
                try await database.write { [alert] in try alert.update($0) }
            }
        } catch {
            logger.warning("budget round failed; trying again", metadata: ["error": "\(error)"])
        }
    }
}
