import Prometheus
import ServiceKit

/// The collector's own metrics, beside the common ones.
struct CollectorMetrics: Sendable {
    let common: ServiceMetrics
    let batches: Counter
    let records: Counter
    let refusedBusy: Counter
    let refusedRate: Counter

    init(_ common: ServiceMetrics) {
        self.common = common
        batches = common.counter("carbonmeter_collector_batches_total", help: "Batches received")
        refusedBusy = common.counter("carbonmeter_collector_refused_busy_total", help: "Batches refused with 503 because the pipeline was behind")
        refusedRate = common.counter(
            "carbonmeter_collector_refused_rate_total", help: "Batches refused with 429 because their credential exceeded its rate limit")
        records = common.counter("carbonmeter_collector_records_received_total", help: "Records received, before validation")
    }
}
