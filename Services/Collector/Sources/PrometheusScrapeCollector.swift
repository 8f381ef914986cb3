import CarbonModel
import Collecting
import Foundation
import Logging

/// Scrapes a Prometheus/OpenMetrics text endpoint (Kepler, node exporter's RAPL counters, …)
/// every `interval_seconds` and turns the growth of its energy counters into
/// `product.it_electricity` / `facility.it_electricity` records in kWh, one per target (site,
/// product) and interval between successful scrapes. `EnergyCounterTracker` does the counter
/// arithmetic: resets count from zero, never negative; a failed scrape leaves a gap that the
/// next interval spans, spread over it pro rata.
///
/// Records carry stable ids (`<kind>/<site>/<product>/<start>/<end>`); records of a batch that
/// could not be stored are sent again with the next one, so a store failure loses nothing.
/// Counter values live in memory only: after a collector restart the first scrape is a new
/// baseline, and the energy used while the collector was down is not counted.
struct PrometheusScrapeCollector: Collector {
    let configuration: PrometheusScrapeConfiguration
    let logger: Logger
    var name: String { configuration.name }
    var kind: String { "prometheus" }

    func run(into sink: any BatchSink, health: SourceHealthBoard) async {
        let fetcher = ScrapeFetcher(url: configuration.url, timeoutSeconds: configuration.timeoutSeconds)
        let intervalMs = Int(configuration.intervalSeconds * 1000)
        let backoff = Backoff(baseMilliseconds: min(intervalMs, 1_000), capMilliseconds: intervalMs)
        var tracker = EnergyCounterTracker()
        var unsent: [ActivityLine] = []
        var failures = 0
        while !Task.isCancelled {
            do {
                let text = try await fetcher.fetch()
                let time = Int64(Date().timeIntervalSince1970.rounded(.down))
                let readings = try readings(in: text)
                unsent += tracker.observe(readings, at: time).map(record)
                if unsent.isEmpty {
                    await health.succeeded(name)
                } else {
                    let body = Data(unsent.map { $0.json() }.joined(separator: "\n").utf8)
                    do {
                        let outcome = try await sink.deliver(CollectedBatch(body: body, format: .ndjson, source: name))
                        unsent = []
                        await health.succeeded(name, outcome: outcome)
                    } catch let refused as BatchRefused {
                        // Our own records refused as a whole will not fare better next time.
                        logger.error("scraped records refused", metadata: ["source": "\(name)", "error": "\(refused.reason)", "records": "\(unsent.count)"])
                        unsent = []
                        throw ScrapeError(description: refused.description)
                    }
                }
                failures = 0
            } catch {
                failures += 1
                logger.warning("scrape failed; will retry", metadata: ["source": "\(name)", "error": "\(error)"])
                await health.failed(name, error: "\(error)")
            }
            // Fails only when cancelled, which ends the loop at its check.
            try? await Task.sleep(for: .milliseconds(failures == 0 ? intervalMs : backoff.delay(afterFailures: failures)))
        }
    }

    /// The configured counters in a scrape, in kWh; unreadable lines are logged, and a scrape
    /// with nothing readable at all is a failure.
    func readings(in text: String) throws(ScrapeError) -> [EnergyCounterTracker.Reading] {
        let parsed = PrometheusExposition.parse(text)
        if !parsed.bad.isEmpty {
            let first = parsed.bad[0]
            guard !parsed.samples.isEmpty else {
                throw ScrapeError(description: "no readable sample in the scrape (line \(first.line): \(first.reason))")
            }
            logger.warning(
                "lines of the scrape could not be read", metadata: ["source": "\(name)", "lines": "\(parsed.bad.count)", "first": "line \(first.line): \(first.reason)"])
        }
        var readings: [EnergyCounterTracker.Reading] = []
        var unmapped = 0
        for sample in parsed.samples {
            guard let rule = configuration.metrics.first(where: { $0.selects(sample) }) else { continue }
            guard let target = rule.target(of: sample), let perUnit = rule.kilowattHoursPerUnit else {
                unmapped += 1
                continue
            }
            readings.append(.init(series: sample.seriesKey, target: target, kilowattHours: sample.value * perUnit))
        }
        if unmapped > 0 {
            logger.debug("series whose labels are not mapped were left out", metadata: ["source": "\(name)", "series": "\(unmapped)"])
        }
        return readings
    }

    private func record(_ interval: EnergyCounterTracker.Interval) -> ActivityLine {
        let (start, end) = (Timestamp.format(interval.start), Timestamp.format(interval.end))
        let target = interval.target
        return ActivityLine(
            source: name, id: "\(target.kind)/\(target.site)/\(target.product ?? "-")/\(start)/\(end)", kind: target.kind, start: start,
            end: end, value: interval.kilowattHours, unit: "kWh", site: target.site, product: target.product)
    }
}
