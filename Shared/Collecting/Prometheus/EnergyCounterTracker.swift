/// Turns successive scrapes of energy counters into energy per interval. Pure state, one per
/// scrape source.
///
/// - A counter's energy over an interval is its increase. A drop is a reset (the exporter
///   restarted): the counter counted again from zero, so the new value is the energy since the
///   reset, never a negative amount. (Energy between the last scrape before the reset and the
///   reset itself is unknowable and is not counted.)
/// - The first value of a series is only a baseline: what it counted before is not known to
///   belong to this collector's watch (after a collector restart it would count twice).
/// - Intervals run from one successful scrape to the next, on whole seconds. A scrape that
///   failed leaves no boundary, so the next interval spans the gap and its energy is spread
///   over the gap pro rata by time, as every record is. Scrapes within the same second are
///   accumulated into the next interval, so an interval always has end > start.
public struct EnergyCounterTracker: Sendable {
    /// One observed counter value: its series identity, where its energy goes, and its value in kWh.
    public struct Reading: Sendable, Hashable {
        public var series: String
        public var target: EnergyTarget
        public var kilowattHours: Double

        public init(series: String, target: EnergyTarget, kilowattHours: Double) {
            self.series = series
            self.target = target
            self.kilowattHours = kilowattHours
        }
    }

    /// Energy of one target over one interval (epoch seconds, end > start).
    public struct Interval: Sendable, Hashable {
        public var target: EnergyTarget
        public var start: Int64
        public var end: Int64
        public var kilowattHours: Double
    }

    private var last: [String: Double] = [:]
    private var periodStart: Int64?
    private var pending: [EnergyTarget: Double] = [:]

    public init() {}

    /// Takes the readings of one successful scrape at `time` (epoch seconds) and returns the
    /// intervals it closes: one per target that used energy since the previous boundary.
    public mutating func observe(_ readings: [Reading], at time: Int64) -> [Interval] {
        for reading in readings {
            let value = reading.kilowattHours
            // NaN or infinite values say nothing about energy; they are not a baseline either.
            guard value.isFinite, value >= 0 else { continue }
            if let previous = last[reading.series] {
                let used = value >= previous ? value - previous : value
                pending[reading.target, default: 0] += used
            }
            last[reading.series] = value
        }
        guard let start = periodStart else {
            periodStart = time
            pending = [:]
            return []
        }
        guard time > start else { return [] }
        let intervals = pending.filter { $0.value > 0 }.sorted { $0.key < $1.key }.map {
            Interval(target: $0.key, start: start, end: time, kilowattHours: $0.value)
        }
        periodStart = time
        pending = [:]
        return intervals
    }
}
