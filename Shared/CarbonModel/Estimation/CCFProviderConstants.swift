/// The provider-wide Cloud Carbon Footprint coefficients used when a usage record says no more
/// than its provider: average (GCP: median) W per vCPU, memory, storage and network energy
/// coefficients, the average PUE and the server lifespan for embodied emissions.
public struct CCFProviderConstants: Sendable, Hashable {
    /// W per vCPU at idle.
    public var minWatts: Double
    /// W per vCPU at 100 % utilization.
    public var maxWatts: Double
    /// kWh per GB-hour of memory.
    public var memoryKWhPerGBh: Double
    /// Wh per TB-hour of SSD storage.
    public var ssdWhPerTBh: Double
    /// Wh per TB-hour of HDD storage.
    public var hddWhPerTBh: Double
    /// kWh per GB of network egress.
    public var networkKWhPerGB: Double
    /// Used where no regional PUE is published.
    public var averagePUE: Double
    /// Expected server life (hours) over which embodied emissions are spread.
    public var serverLifespanHours: Double

    public init(
        minWatts: Double, maxWatts: Double, memoryKWhPerGBh: Double, ssdWhPerTBh: Double, hddWhPerTBh: Double,
        networkKWhPerGB: Double, averagePUE: Double, serverLifespanHours: Double
    ) {
        self.minWatts = minWatts
        self.maxWatts = maxWatts
        self.memoryKWhPerGBh = memoryKWhPerGBh
        self.ssdWhPerTBh = ssdWhPerTBh
        self.hddWhPerTBh = hddWhPerTBh
        self.networkKWhPerGB = networkKWhPerGB
        self.averagePUE = averagePUE
        self.serverLifespanHours = serverLifespanHours
    }
}
