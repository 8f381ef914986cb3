import Foundation
import Prometheus

/// The Prometheus registry of one service, with the gauges and counters every stage reports.
/// `/metrics` renders it in the text exposition format.
public final class ServiceMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    public let outboxPending: Gauge
    public let inboxProcessed: Counter
    public let recordsProcessed: Counter
    public let recordsRejected: Counter
    public let errors: Counter
    private let labels: [(String, String)]

    /// `replica` names the process when it differs from the instance: a replica that claimed a
    /// shard has the shard's instance name, and the replica label says which process holds it.
    public init(service: String, instance: String, replica: String? = nil) {
        labels = [("service", service), ("instance", instance)] + (replica.map { [("replica", $0)] } ?? [])
        outboxPending = registry.makeGauge(descriptor: MetricNameDescriptor(metricName: "carbonmeter_outbox_pending", unitName: "", helpText: "Outbox messages not yet acknowledged downstream"), labels: labels)
        inboxProcessed = registry.makeCounter(descriptor: MetricNameDescriptor(metricName: "carbonmeter_inbox_messages_total", unitName: "", helpText: "Messages applied from upstream"), labels: labels)
        recordsProcessed = registry.makeCounter(descriptor: MetricNameDescriptor(metricName: "carbonmeter_records_total", unitName: "", helpText: "Records handled by this stage"), labels: labels)
        recordsRejected = registry.makeCounter(descriptor: MetricNameDescriptor(metricName: "carbonmeter_records_rejected_total", unitName: "", helpText: "Records rejected and quarantined"), labels: labels)
        errors = registry.makeCounter(descriptor: MetricNameDescriptor(metricName: "carbonmeter_errors_total", unitName: "", helpText: "Errors logged by this service"), labels: labels)
        registry.makeGauge(descriptor: MetricNameDescriptor(metricName: "carbonmeter_replica_info", unitName: "", helpText: "Constant 1, labelled with the replica"), labels: labels).set(to: 1)
    }

    public func gauge(_ name: String, help: String) -> Gauge { registry.makeGauge(descriptor: MetricNameDescriptor(metricName: name, unitName: "", helpText: help), labels: labels) }
    public func counter(_ name: String, help: String) -> Counter { registry.makeCounter(descriptor: MetricNameDescriptor(metricName: name, unitName: "", helpText: help), labels: labels) }

    public func render() -> String {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }
}
