import Prometheus
import ServiceKit

/// The collector's own metrics, beside the common ones.
struct CollectorMetrics: Sendable {
    let common: ServiceMetrics
    let batches: Counter
    let records: Counter
    let refusedBusy: Counter

    init(_ common: ServiceMetrics) {
        self.common = common
        batches = common.counter("carbonmeter_collector_batches_total", help: "Batches received")
        refusedBusy = common.counter("carbonmeter_collector_refused_busy_total", help: "Batches refused with 503 because the pipeline was behind")
        records = common.counter("carbonmeter_collector_records_received_total", help: "Records received, before validation")
    }
}
