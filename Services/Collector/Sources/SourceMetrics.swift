import Collecting
import Prometheus
import ServiceKit

/// Each source's health in `/metrics`, labelled with `source` and `kind`, refreshed from the
/// `SourceHealthBoard` (by `SourceRoutes`' refresh loop, every second).
final class SourceMetrics: Sendable {
    private struct Gauges: Sendable {
        let up, lastSuccess, lag, errors, batches, records, accepted, rejected: Gauge
    }

    private let gauges: [String: Gauges]

    init(metrics: ServiceMetrics, service: String, instance: String, sources: [(name: String, kind: String)]) {
        var gauges: [String: Gauges] = [:]
        for source in sources {
            let labels = [("service", service), ("instance", instance), ("source", source.name), ("kind", source.kind)]
            func gauge(_ name: String, _ help: String) -> Gauge {
                metrics.registry.makeGauge(descriptor: MetricNameDescriptor(metricName: name, unitName: "", helpText: help), labels: labels)
            }
            // Counts are exported as gauges mirroring the board (which restarts at zero with the
            // process, like a counter); `_total` names keep them usable with rate().
            gauges[source.name] = Gauges(
                up: gauge("carbonmeter_source_up", "1 when the source's last attempt succeeded (or none finished yet), 0 when failing"),
                lastSuccess: gauge("carbonmeter_source_last_success_timestamp_seconds", "Unix time of the last successful attempt (0: none)"),
                lag: gauge("carbonmeter_source_lag_seconds", "Seconds since the last successful attempt (or since start)"),
                errors: gauge("carbonmeter_source_errors_total", "Failed attempts since start"),
                batches: gauge("carbonmeter_source_batches_total", "Batches stored from this source since start"),
                records: gauge("carbonmeter_source_records_total", "Records in those batches"),
                accepted: gauge("carbonmeter_source_records_accepted_total", "Records validated (new, repeats, revisions)"),
                rejected: gauge("carbonmeter_source_records_rejected_total", "Records rejected by validation"))
        }
        self.gauges = gauges
    }

    func update(_ snapshot: [SourceHealth]) {
        for health in snapshot {
            guard let g = gauges[health.name] else { continue }
            g.up.set(to: health.state == .failing ? 0 : 1)
            g.lastSuccess.set(to: health.lastSuccess ?? 0)
            g.lag.set(to: health.lagSeconds)
            g.errors.set(to: Double(health.errors))
            g.batches.set(to: Double(health.batches))
            g.records.set(to: Double(health.records))
            g.accepted.set(to: Double(health.accepted))
            g.rejected.set(to: Double(health.rejected))
        }
    }
}
