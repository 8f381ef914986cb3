import CarbonModel
import Foundation

/// Validation and normalization of what users send (docs/model.md §2–§5): activity records become
/// `NormalizedRecord`s, declarations become `SiteDeclaration`, `ProductDeclaration` and
/// `EmissionFactor`. Every failure is a `RecordRejection` naming the field at fault, so that
/// the sender can fix the record and the quarantine explains itself.
public enum RecordValidator {
    /// The first instant a record may cover: 2000-01-01T00:00:00Z. Earlier dates are typos
    /// far more often than history.
    public static let earliest: Int64 = Timestamp.earliest
    /// The last instant a record may reach (exclusive end of 2100): 2101-01-01T00:00:00Z.
    public static let latest: Int64 = Timestamp.latest
    /// The longest hardware service life accepted, so month arithmetic cannot overflow.
    public static let maximumLifetimeMonths = 1200

    /// The largest emission factor accepted, in kgCO2e per canonical unit (kWh, L or kg).
    public static let maximumFactor = 1e6

    private static let decoder = JSONDecoder()

    // MARK: - Activity records

    /// Validates one activity record (one JSON object) against the declared sites and products,
    /// converts its value to integer micro-units of the canonical unit (or of the product's
    /// allocation unit for usage and capacity) and resolves its region. Unknown extra fields
    /// are tolerated; fields that do not belong to the record's kind are left out.
    public static func normalize(_ json: Data, registry: Registry) -> Result<NormalizedRecord, RecordRejection> {
        do throws(RecordRejection) {
            // The fast reader takes well-formed records; anything it declines goes through
            // JSONDecoder, which names the fault.
            if let raw = FlatJSONObject(json).flatMap(RawActivity.init(flat:)) {
                return .success(try normalize(raw, registry: registry))
            }
            return .success(try normalize(try decode(RawActivity.self, from: json), registry: registry))
        } catch {
            return .failure(error)
        }
    }

    /// The tenant and kind an activity record claims, read exactly as `normalize` reads them
    /// (same reader, repeated keys refused): what an access check decides on is then what the
    /// pipeline uses. `.failure` names the repeated key, or why the record could not be read.
    public static func claim(_ json: Data) -> Result<RecordClaim, RecordClaim.Unreadable> {
        if let object = FlatJSONObject(json), case .success(let kind) = object.string("kind"), case .success(let tenant) = object.string("tenant") {
            return .success(RecordClaim(tenant: tenant, kind: kind))
        }
        if let key = JSONDuplicateKey.first(in: json) { return .failure(.repeatedKey(key)) }
        do throws(RecordRejection) {
            // Repeated keys were looked for just above.
            let raw = try decodeAllowingRepeats(RawClaim.self, from: json)
            return .success(RecordClaim(tenant: raw.tenant, kind: raw.kind))
        } catch {
            return .failure(.invalid(error))
        }
    }

    private static func normalize(_ raw: RawActivity, registry: Registry) throws(RecordRejection) -> NormalizedRecord {
        let source = try required(raw.source, "source")
        let id = try required(raw.id, "id")
        guard let kindText = raw.kind else { throw missing("kind") }
        guard let kind = ActivityKind(rawValue: kindText) else {
            let kinds = ActivityKind.allCases.map(\.rawValue).joined(separator: ", ")
            throw RecordRejection(field: "kind", reason: "unknown kind \(quoted(kindText)) (expected one of: \(kinds))")
        }

        let start = try recordTime(raw.start, "start")
        // hardware.embodied spans its service life; an `end` field is ignored.
        var end: Int64 = start
        if kind != .hardwareEmbodied {
            end = try recordTime(raw.end, "end")
            guard end > start else {
                throw RecordRejection(
                    field: "end",
                    reason: "must be after start (start \(Timestamp.format(start)), end \(Timestamp.format(end)))")
            }
        }

        guard let value = raw.value else { throw missing("value") }
        guard value.isFinite else { throw RecordRejection(field: "value", reason: "must be a finite number") }
        guard value >= 0 else {
            throw RecordRejection(field: "value", reason: "must not be negative (got \(formatNumber(value)))")
        }
        guard let unitSymbol = raw.unit else { throw missing("unit") }

        // Fields the kind requires, before looking anything up.
        let siteName: String? =
            if kind.requiresSite { try requiredFor(kind, raw.site, "site") } else { try optional(raw.site, "site") }
        let productName: String? =
            if kind.requiresProduct {
                try requiredFor(kind, raw.product, "product")
            } else if kind.acceptsProduct {
                try optional(raw.product, "product")
            } else {
                nil
            }
        let regionName = try optional(raw.region, "region")
        var tenant: String?
        var resource: String?
        var utilization: Double?
        var estimation: EstimationDetails?
        if kind == .usage {
            tenant = try requiredFor(kind, raw.tenant, "tenant")
            if siteName == nil && regionName == nil {
                throw RecordRejection(field: "site", reason: "missing site or region (required for kind \"usage\")")
            }
            resource = try optional(raw.resource, "resource")
            utilization = raw.utilization
            estimation = try estimationDetails(raw)
        }
        var substance: String?
        if let field = kind.substanceField {
            substance = try requiredFor(kind, field == "fuel" ? raw.fuel : raw.gas, field)
        }
        // A certificate may name the grid it was produced in (its market boundary); it is
        // applied hour by hour only to sites of that grid, so the grid must be one a site has.
        if kind == .facilityCertificate, let grid = try optional(raw.grid, "grid") {
            guard registry.grids.contains(grid) else {
                throw RecordRejection(
                    field: "grid", reason: "unknown grid \(quoted(grid)): no declared site is in it (known: \(registry.grids.sorted().prefix(10).joined(separator: ", "))\(registry.grids.count > 10 ? ", …" : ""))")
            }
            substance = grid
        }
        // A record covering many hours may say how its amount is shaped over them: grid
        // electricity (else its site's load profile applies) and certificates (a PPA's solar
        // or wind shape). Other kinds enter the calculation per month, or hour by hour as read.
        var profile = try loadProfile(raw.profile, "profile")
        if profile != nil, kind != .facilityElectricity, kind != .facilityCertificate {
            throw RecordRejection(
                field: "profile", reason: "only facility.electricity and facility.certificate records may carry a load profile (kind \(quoted(kind.rawValue)))")
        }
        // Where water came from or went to, for the kinds that carry water.
        if kind == .facilityWaterWithdrawal || kind == .facilityWaterDischarge, let text = try optional(raw.waterSource, "water_source") {
            guard ActivityKind.waterSources.contains(text) else {
                throw RecordRejection(
                    field: "water_source", reason: "unknown water source \(quoted(text)) (expected one of: \(ActivityKind.waterSources.joined(separator: ", ")))")
            }
            substance = text
        }
        var lifetimeMonths: Int?
        if kind == .hardwareEmbodied {
            guard let months = raw.lifetimeMonths else { throw missingFor(kind, "lifetime_months") }
            guard months > 0 else {
                throw RecordRejection(field: "lifetime_months", reason: "must be a positive whole number of months (got \(months))")
            }
            guard months <= maximumLifetimeMonths else {
                throw RecordRejection(
                    field: "lifetime_months", reason: "must be at most \(maximumLifetimeMonths) (100 years) (got \(months))")
            }
            end = TimeSplitter.addingCalendarMonths(months, to: start)
            guard end <= latest else {
                throw RecordRejection(
                    field: "lifetime_months",
                    reason: "the service life would end after 2100 (start + \(months) months = \(Timestamp.format(end)))")
            }
            lifetimeMonths = months
        }

        // Look-ups in the registry.
        var site: SiteDeclaration?
        if let siteName {
            guard let declared = registry.sites[siteName] else {
                throw RecordRejection(field: "site", reason: "unknown site \(quoted(siteName)) (declare it first)")
            }
            site = declared
            if kind == .facilityElectricity, profile == nil { profile = declared.loadProfile }
        }
        var product: ProductDeclaration?
        if let productName {
            guard let declared = registry.products[productName] else {
                throw RecordRejection(field: "product", reason: "unknown product \(quoted(productName)) (declare it first)")
            }
            product = declared
        }
        let region: String
        if let site {
            if let regionName, regionName != site.region {
                throw RecordRejection(
                    field: "region",
                    reason: "\(quoted(regionName)) does not match site \(quoted(site.site)), which is in region \(quoted(site.region))")
            }
            region = site.region
        } else if let regionName {
            // Usage to be estimated may name a provider region without declared sites (e.g.
            // aws us-east-1): estimation needs no facility data.
            guard registry.regions.contains(regionName) || estimation != nil else {
                throw RecordRejection(field: "region", reason: "unknown region \(quoted(regionName)) (no declared site is in it)")
            }
            region = regionName
        } else {
            // Unreachable: every kind requires a site, except usage, which was checked above.
            throw missing("site")
        }

        // The unit must be known and fit the kind (or the product); then convert.
        let targetSymbol: String
        let canonical: Double
        if kind.usesProductUnit {
            guard let product else { throw missingFor(kind, "product") }
            guard let productUnit = UnitCatalog.definition(of: product.unit) else {
                throw RecordRejection(
                    field: "product",
                    reason: "product \(quoted(product.product)) has an unknown allocation unit \(quoted(product.unit))")
            }
            guard let unit = UnitCatalog.definition(of: unitSymbol) else {
                throw unknownUnit(unitSymbol, expected: productUnit.dimension)
            }
            guard unit.dimension == productUnit.dimension else {
                throw RecordRejection(
                    field: "unit",
                    reason: "\(quoted(unitSymbol)) does not fit product \(quoted(product.product)) whose allocation unit is \(product.unit)")
            }
            if let estimation, productUnit.dimension != estimation.resource.dimension {
                throw RecordRejection(
                    field: "resource_type",
                    reason: "\(quoted(estimation.resource.rawValue)) is measured in \(estimation.resource.dimension.phrase), but product "
                        + "\(quoted(product.product)) is allocated in \(product.unit)")
            }
            canonical = unit.symbol == productUnit.symbol ? value : value * unit.toCanonical / productUnit.toCanonical
            targetSymbol = productUnit.symbol
        } else {
            let dimension = kind.dimension ?? .energy  // always set for kinds without a product unit
            guard let unit = UnitCatalog.definition(of: unitSymbol) else {
                throw unknownUnit(unitSymbol, expected: dimension)
            }
            guard unit.dimension == dimension else {
                throw RecordRejection(
                    field: "unit",
                    reason: "\(quoted(unitSymbol)) does not fit kind \(quoted(kind.rawValue)), which takes "
                        + "\(dimension.phrase) (\(UnitCatalog.symbols(of: dimension).joined(separator: ", ")))")
            }
            canonical = value * unit.toCanonical
            targetSymbol = UnitCatalog.canonicalSymbol(for: dimension)
        }
        let amount = try microUnits(canonical, value: value, unitSymbol: unitSymbol, target: targetSymbol)

        if let utilization, !(0...1).contains(utilization) {
            throw RecordRejection(field: "utilization", reason: "must be between 0 and 1 (got \(formatNumber(utilization)))")
        }

        // Within one clock hour there is nothing to shape: such a record (every hourly meter
        // reading of a site with a profile) stays as small as without one.
        if profile != nil, end <= TimeSplitter.bucketStart(containing: start, granularity: .hour) + 3600 { profile = nil }

        return NormalizedRecord(
            source: source, id: id, kind: kind, start: start, end: end, amount: amount, unit: targetSymbol,
            site: site?.site, region: region, product: product?.product, tenant: tenant, substance: substance,
            lifetimeMonths: lifetimeMonths, resource: resource, utilization: utilization,
            provider: estimation?.provider.rawValue, resourceType: estimation?.resource.rawValue,
            processor: estimation?.processor, replication: estimation?.replication,
            // An empty tag object says nothing; dropping it keeps `{}` and no tags an exact repeat.
            tags: raw.tags?.isEmpty == false ? raw.tags : nil, profile: profile)
    }

    /// `canonical` in micro-units, rounded half away from zero, or a rejection when it does not fit 64 bits.
    private static func microUnits(_ canonical: Double, value: Double, unitSymbol: String, target: String) throws(RecordRejection)
        -> Int64
    {
        let scaled = (canonical * 1_000_000).rounded(.toNearestOrAwayFromZero)
        // Doubles below 2^63 convert to Int64 exactly; 2^63 itself would trap.
        guard scaled.isFinite, scaled.magnitude < 0x1p63 else {
            throw RecordRejection(
                field: "value",
                reason: "too large (got \(formatNumber(value)) \(unitSymbol); at most 9.2e12 \(target) can be stored)")
        }
        return Int64(scaled)
    }

    /// The resource details of an estimable usage record (`provider`, `resource_type`, and
    /// optionally `processor` and `replication`), or nil when it carries none.
    private static func estimationDetails(_ raw: RawActivity) throws(RecordRejection) -> EstimationDetails? {
        let providerText = try optional(raw.provider, "provider")
        let resourceText = try optional(raw.resourceType, "resource_type")
        guard providerText != nil || resourceText != nil || raw.processor != nil || raw.replication != nil else { return nil }
        guard let resourceText else { throw RecordRejection(field: "resource_type", reason: "missing resource_type (required with provider, processor or replication)") }
        guard let resource = EstimatedResource(rawValue: resourceText) else {
            let known = EstimatedResource.allCases.map(\.rawValue).joined(separator: ", ")
            throw RecordRejection(field: "resource_type", reason: "unknown resource_type \(quoted(resourceText)) (expected one of: \(known))")
        }
        guard let providerText else { throw RecordRejection(field: "provider", reason: "missing provider (required with resource_type)") }
        guard let provider = CloudProvider(rawValue: providerText) else {
            let known = CloudProvider.allCases.map(\.rawValue).joined(separator: ", ")
            throw RecordRejection(field: "provider", reason: "unknown provider \(quoted(providerText)) (expected one of: \(known))")
        }
        let processor = try optional(raw.processor, "processor")
        if let processor {
            guard resource == .compute else {
                throw RecordRejection(field: "processor", reason: "applies to resource_type \"compute\" only")
            }
            guard CCFCoefficients.watts(provider: provider, processor: processor) != nil else {
                throw RecordRejection(
                    field: "processor",
                    reason: "unknown processor \(quoted(processor)) for \(provider.rawValue) (expected one of: "
                        + "\(CCFCoefficients.processors(of: provider).joined(separator: ", ")))")
            }
        }
        if let replication = raw.replication {
            guard replication.isFinite, replication >= 1 else {
                throw RecordRejection(field: "replication", reason: "must be a number of copies, at least 1 (got \(formatNumber(replication)))")
            }
        }
        return EstimationDetails(provider: provider, resource: resource, processor: processor, replication: raw.replication)
    }

    /// A record's `start` or `end`: RFC 3339 (or a bare date), between 2000 and 2100.
    private static func recordTime(_ text: String?, _ field: String) throws(RecordRejection) -> Int64 {
        guard let text else { throw missing(field) }
        guard let time = Timestamp.parse(text) else {
            throw RecordRejection(field: field, reason: "must be an RFC 3339 time such as 2024-01-31T23:30:00Z (got \(quoted(text)))")
        }
        guard time >= earliest, time <= latest else {
            throw RecordRejection(field: field, reason: "must be between 2000-01-01 and 2100-12-31 (got \(quoted(text)))")
        }
        return time
    }

    /// An optional attribute that must be a finite number above 0.
    private static func positive(_ value: Double?, _ field: String) throws(RecordRejection) -> Double? {
        guard let value else { return nil }
        guard value.isFinite, value > 0 else {
            throw RecordRejection(field: field, reason: "must be a finite number above 0 (got \(formatNumber(value)))")
        }
        return value
    }

    /// The canonical text of a load profile field, nil when absent.
    private static func loadProfile(_ text: String?, _ field: String) throws(RecordRejection) -> String? {
        guard let text = try optional(text, field) else { return nil }
        do { return try LoadProfile(parsing: text).text } catch {
            throw RecordRejection(field: field, reason: "\(error.description)")
        }
    }

    // MARK: - Declarations

    /// Validates a site declaration: `site`, `region` and `grid`, all non-empty strings, and
    /// optionally `load_profile` (24 or 168 weights, ``LoadProfile``).
    public static func site(_ json: Data) -> Result<SiteDeclaration, RecordRejection> {
        do throws(RecordRejection) {
            let raw = try decode(RawSite.self, from: json)
            let site = try required(raw.site, "site"), region = try required(raw.region, "region")
            let grid = try required(raw.grid, "grid")
            return .success(
                SiteDeclaration(
                    site: site, region: region, grid: grid, loadProfile: try loadProfile(raw.loadProfile, "load_profile"),
                    itPowerKW: try positive(raw.itPowerKW, "it_power_kw"), floorAreaM2: try positive(raw.floorAreaM2, "floor_area_m2"),
                    tier: try optional(raw.tier, "tier")))
        } catch {
            return .failure(error)
        }
    }

    /// Validates a product declaration: `product`, a known allocation `unit`, and `basis`
    /// (`usage` or `capacity`, `usage` when absent).
    public static func product(_ json: Data) -> Result<ProductDeclaration, RecordRejection> {
        do throws(RecordRejection) {
            let raw = try decode(RawProduct.self, from: json)
            let name = try required(raw.product, "product")
            let unit = try required(raw.unit, "unit")
            guard UnitCatalog.definition(of: unit) != nil else { throw unknownUnit(unit, expected: nil) }
            var basis = AllocationBasis.usage
            if let text = raw.basis {
                guard let parsed = AllocationBasis(rawValue: text) else {
                    throw RecordRejection(field: "basis", reason: "unknown basis \(quoted(text)) (expected usage or capacity)")
                }
                basis = parsed
            }
            return .success(ProductDeclaration(product: name, unit: unit, basis: basis))
        } catch {
            return .failure(error)
        }
    }

    /// Validates an emission factor. `unit` is emissions per activity unit (`kgCO2e/kWh`,
    /// `tCO2e/MWh`, `gCO2e/kWh`, `kgCO2e/L`, `kgCO2e/kg`, …) and the value is normalized to kg
    /// CO2e per canonical unit (kWh, L, kg). Electricity factors need an energy denominator;
    /// any other activity is a fuel (per volume) or a gas (per mass, i.e. its GWP).
    /// `valid_from`/`valid_to` are dates or RFC 3339 times (any year: open-ended factors are
    /// often written with a far-future end); `version` may be a string or a number, default "1".
    /// `grids`: the grids of the declared sites; a factor of an hourly series (`"series":
    /// "hourly"`, as ``HourlyFactorSeries`` writes them) must be for one of them.
    public static func factor(_ json: Data, grids: Set<String>? = nil) -> Result<EmissionFactor, RecordRejection> {
        do throws(RecordRejection) {
            let raw = try decode(RawFactor.self, from: json)
            let name = try required(raw.factor, "factor")
            let activity = try required(raw.activity, "activity")
            let region = try optional(raw.region, "region")
            if raw.series == "hourly", let grids, let zone = region, !grids.contains(zone) {
                throw RecordRejection(
                    field: "zone", reason: "unknown zone \(quoted(zone)): no declared site is in that grid (a series is imported for the grids sites use)")
            }
            guard let value = raw.value else { throw missing("value") }
            guard value.isFinite else { throw RecordRejection(field: "value", reason: "must be a finite number") }
            guard value >= 0 else {
                throw RecordRejection(field: "value", reason: "must not be negative (got \(formatNumber(value)))")
            }
            let unit = try required(raw.unit, "unit")
            let perCanonical = try factorScale(unit: unit, activity: activity)
            // Any stored quantity (at most 9.2e12 units) times a factor must stay a finite
            // figure, and no real factor comes near the bound (the largest GWPs are about 25,000).
            guard value * perCanonical <= maximumFactor else {
                throw RecordRejection(
                    field: "value",
                    reason: "too large (got \(formatNumber(value)) \(unit); at most \(formatNumber(maximumFactor)) kgCO2e per kWh, L or kg)")
            }
            let validFrom = try factorTime(raw.validFrom, "valid_from")
            let validTo = try factorTime(raw.validTo, "valid_to")
            guard validTo > validFrom else {
                throw RecordRejection(
                    field: "valid_to",
                    reason: "must be after valid_from (valid_from \(Timestamp.format(validFrom)), valid_to \(Timestamp.format(validTo)))")
            }
            let source = try required(raw.source, "source")
            let version = try optional(raw.version, "version") ?? "1"
            return .success(
                EmissionFactor(
                    factor: name, activity: activity, region: region, unit: unit, value: value * perCanonical,
                    validFrom: validFrom, validTo: validTo, source: source, version: version))
        } catch {
            return .failure(error)
        }
    }

    /// The multiplier from the declared factor unit to kg CO2e per canonical unit, after
    /// checking that the unit fits the activity.
    private static func factorScale(unit: String, activity: String) throws(RecordRejection) -> Double {
        guard let slash = unit.firstIndex(of: "/") else {
            throw RecordRejection(field: "unit", reason: "must be emissions per unit of activity, such as kgCO2e/kWh (got \(quoted(unit)))")
        }
        let numeratorSymbol = String(unit[..<slash])
        let denominatorSymbol = String(unit[unit.index(after: slash)...])
        guard let numerator = UnitCatalog.definition(of: numeratorSymbol), numerator.dimension == .emissions else {
            let units = UnitCatalog.symbols(of: .emissions).joined(separator: ", ")
            throw RecordRejection(
                field: "unit", reason: "\(quoted(numeratorSymbol)) in \(quoted(unit)) is not an emissions unit (expected one of: \(units))")
        }
        guard let denominator = UnitCatalog.definition(of: denominatorSymbol) else {
            var reason = "unknown unit \(quoted(denominatorSymbol)) in \(quoted(unit))"
            if let match = UnitCatalog.caseInsensitiveMatch(for: denominatorSymbol) {
                reason += " (units are case-sensitive: did you mean \(quoted(match))?)"
            }
            throw RecordRejection(field: "unit", reason: reason)
        }
        if activity == "electricity" || activity == "residual_electricity" {
            guard denominator.dimension == .energy else {
                throw RecordRejection(
                    field: "unit",
                    reason: "\(quoted(unit)) does not fit activity \(quoted(activity)), which is per unit of energy (e.g. kgCO2e/kWh)")
            }
        } else {
            guard denominator.dimension == .volume || denominator.dimension == .mass else {
                throw RecordRejection(
                    field: "unit",
                    reason: "\(quoted(unit)) does not fit activity \(quoted(activity)): fuels are per volume (e.g. kgCO2e/L) "
                        + "and gases per mass (kgCO2e/kg)")
            }
        }
        return numerator.toCanonical / denominator.toCanonical
    }

    /// A factor's `valid_from` or `valid_to`: a date or an RFC 3339 time.
    private static func factorTime(_ text: String?, _ field: String) throws(RecordRejection) -> Int64 {
        guard let text else { throw missing(field) }
        guard let time = Timestamp.parse(text) else {
            throw RecordRejection(
                field: field, reason: "must be a date such as 2024-01-01 or an RFC 3339 time (got \(quoted(text)))")
        }
        return time
    }

    // MARK: - Shared checks

    private static func decode<T: Decodable>(_ type: T.Type, from json: Data) throws(RecordRejection) -> T {
        // Parsers differ on which occurrence of a repeated key counts, so a record with one is
        // refused rather than read one way here and another way by whoever checked it.
        if let key = JSONDuplicateKey.first(in: json) { throw duplicate(key) }
        return try decodeAllowingRepeats(type, from: json)
    }

    /// `decode` without the repeated-key scan, for a caller that has made it already.
    private static func decodeAllowingRepeats<T: Decodable>(_ type: T.Type, from json: Data) throws(RecordRejection) -> T {
        do {
            return try decoder.decode(T.self, from: json)
        } catch let rejection as RecordRejection {
            throw rejection
        } catch {
            // Only syntax errors reach here: field errors are caught where each field is read.
            let blank = json.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
            throw RecordRejection(field: nil, reason: blank ? "not a JSON object: empty" : "not a JSON object: invalid JSON")
        }
    }

    /// The rejection of a record in which `key` appears twice.
    public static func duplicate(_ key: String) -> RecordRejection {
        RecordRejection(field: key, reason: "the key \(quoted(key)) appears more than once; each key may appear only once")
    }

    private static func missing(_ field: String) -> RecordRejection {
        RecordRejection(field: field, reason: "missing \(field)")
    }

    private static func missingFor(_ kind: ActivityKind, _ field: String) -> RecordRejection {
        RecordRejection(field: field, reason: "missing \(field) (required for kind \(quoted(kind.rawValue)))")
    }

    /// A field that must be present and not blank.
    private static func required(_ text: String?, _ field: String) throws(RecordRejection) -> String {
        guard let text else { throw missing(field) }
        return try nonBlank(text, field)
    }

    private static func requiredFor(_ kind: ActivityKind, _ text: String?, _ field: String) throws(RecordRejection) -> String {
        guard let text else { throw missingFor(kind, field) }
        return try nonBlank(text, field)
    }

    /// A field that may be absent, but not blank when present.
    private static func optional(_ text: String?, _ field: String) throws(RecordRejection) -> String? {
        guard let text else { return nil }
        return try nonBlank(text, field)
    }

    private static func nonBlank(_ text: String, _ field: String) throws(RecordRejection) -> String {
        guard !text.allSatisfy(\.isWhitespace) else { throw RecordRejection(field: field, reason: "must not be empty") }
        return text
    }

    private static func unknownUnit(_ symbol: String, expected: CarbonModel.Dimension?) -> RecordRejection {
        var reason = "unknown unit \(quoted(symbol))"
        if let match = UnitCatalog.caseInsensitiveMatch(for: symbol) {
            reason += " (units are case-sensitive: did you mean \(quoted(match))?)"
        } else if let expected {
            reason += " (expected \(expected.phrase): \(UnitCatalog.symbols(of: expected).joined(separator: ", ")))"
        }
        return RecordRejection(field: "unit", reason: reason)
    }
}

// MARK: - Reading JSON fields

/// Text in double quotes for a message, shortened when long.
private func quoted(_ text: String) -> String {
    let shown = text.count > 60 ? text.prefix(57) + "..." : Substring(text)
    return "\"\(shown)\""
}

/// A number as a person would write it: `-3`, `12.5`, `1e+30`.
private func formatNumber(_ value: Double) -> String {
    if value == value.rounded(), value.magnitude < 1e15 { return String(Int64(value)) }
    return "\(value)"
}

/// A coding key for any field name.
private struct FieldKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// Typed access to the fields of one JSON object. A field of the wrong type becomes a
/// rejection naming the field and what was found there; null counts as absent.
private struct Fields {
    let container: KeyedDecodingContainer<FieldKey>

    init(_ decoder: any Decoder) throws(RecordRejection) {
        do {
            container = try decoder.container(keyedBy: FieldKey.self)
        } catch {
            throw RecordRejection(field: nil, reason: "not a JSON object: found \(Fields.describeTopLevel(decoder))")
        }
    }

    func string(_ name: String) throws(RecordRejection) -> String? {
        let key = FieldKey(stringValue: name)
        do {
            return try container.decodeIfPresent(String.self, forKey: key)
        } catch {
            throw RecordRejection(field: name, reason: "must be a string (got \(found(key)))")
        }
    }

    func number(_ name: String) throws(RecordRejection) -> Double? {
        let key = FieldKey(stringValue: name)
        do {
            return try container.decodeIfPresent(Double.self, forKey: key)
        } catch {
            throw RecordRejection(field: name, reason: "must be a number (got \(found(key)))")
        }
    }

    /// A whole number; `36.0` counts as 36.
    func integer(_ name: String, reason: String) throws(RecordRejection) -> Int? {
        let key = FieldKey(stringValue: name)
        guard isPresent(key) else { return nil }
        if let whole = probe(Int.self, key) { return whole }
        if let number = probe(Double.self, key), number == number.rounded(), number.magnitude < 1e15 {
            return Int(number)
        }
        throw RecordRejection(field: name, reason: "\(reason) (got \(found(key)))")
    }

    /// A string, or a number given in its place (as people write `"version": 2`).
    func stringOrNumber(_ name: String) throws(RecordRejection) -> String? {
        let key = FieldKey(stringValue: name)
        guard isPresent(key) else { return nil }
        if let text = probe(String.self, key) { return text }
        if let number = probe(Double.self, key) { return formatNumber(number) }
        throw RecordRejection(field: name, reason: "must be a string or a number (got \(found(key)))")
    }

    /// True when the field is there and not null.
    private func isPresent(_ key: FieldKey) -> Bool {
        container.contains(key) && !isNull(key)
    }

    /// The field's value as `T`, or nil when it holds something else. A type probe: the
    /// decoding error only means "not a `T`", and every caller then tries another type or
    /// rejects the record naming what it found, so nothing is lost by dropping the error.
    private func probe<T: Decodable>(_ type: T.Type, _ key: FieldKey) -> T? {
        // A mismatch is the answer to the probe, not a fault (see above).
        try? container.decode(T.self, forKey: key)
    }

    /// True when the field holds JSON null (false when it holds anything else or is absent).
    private func isNull(_ key: FieldKey) -> Bool {
        // decodeNil throws only for an absent key, which is "not null" here.
        (try? container.decodeNil(forKey: key)) == true
    }

    /// The field as an object, or nil when it holds something else (a probe, like `probe`).
    private func nestedObject(_ key: FieldKey) -> KeyedDecodingContainer<FieldKey>? {
        // A field that is not an object is the probe's answer, not a fault.
        try? container.nestedContainer(keyedBy: FieldKey.self, forKey: key)
    }

    /// True when the field holds an array (a probe, like `probe`).
    private func isArray(_ key: FieldKey) -> Bool {
        // A field that is not an array is the probe's answer, not a fault.
        (try? container.nestedUnkeyedContainer(forKey: key)) != nil
    }

    func stringMap(_ name: String) throws(RecordRejection) -> [String: String]? {
        let key = FieldKey(stringValue: name)
        do {
            return try container.decodeIfPresent([String: String].self, forKey: key)
        } catch {
            // Name the offending entry when the field is an object.
            if let object = nestedObject(key) {
                let inner = Fields(container: object)
                for entry in object.allKeys.sorted(by: { $0.stringValue < $1.stringValue })
                where inner.probe(String.self, entry) == nil {
                    throw RecordRejection(
                        field: name,
                        reason: "must be an object of strings (\(quoted(entry.stringValue)) is \(inner.found(entry)))")
                }
            }
            throw RecordRejection(field: name, reason: "must be an object of strings (got \(found(key)))")
        }
    }

    private init(container: KeyedDecodingContainer<FieldKey>) {
        self.container = container
    }

    /// What a field holds, for a message: a quoted string, a number, `true`, `an object`, ...
    func found(_ key: FieldKey) -> String {
        if let text = probe(String.self, key) { return quoted(text) }
        if let flag = probe(Bool.self, key) { return flag ? "true" : "false" }
        if let number = probe(Double.self, key) { return formatNumber(number) }
        if isNull(key) { return "null" }
        if nestedObject(key) != nil { return "an object" }
        if isArray(key) { return "an array" }
        return "a number out of range"
    }

    /// What a document that is not an object holds, for the rejection. Each step is a type
    /// probe: its decoding error only means "not this", and the next step tries another.
    private static func describeTopLevel(_ decoder: any Decoder) -> String {
        // Not an array: the probe's answer; the next step tries a single value.
        if (try? decoder.unkeyedContainer()) != nil { return "an array" }
        // No single value either: nothing more to say than that.
        guard let single = try? decoder.singleValueContainer() else { return "something else" }
        if single.decodeNil() { return "null" }
        func probe<T: Decodable>(_ type: T.Type) -> T? {
            // A mismatch is the probe's answer: the caller tries the next type.
            try? single.decode(T.self)
        }
        if let text = probe(String.self) { return "a string \(quoted(text))" }
        if let flag = probe(Bool.self) { return flag ? "true" : "false" }
        if let number = probe(Double.self) { return "a number \(formatNumber(number))" }
        return "something else"
    }
}

/// Whose an activity record says it is: its `tenant` and `kind` as sent.
public struct RecordClaim: Sendable, Hashable {
    public var tenant: String?
    public var kind: String?

    public init(tenant: String?, kind: String?) {
        self.tenant = tenant
        self.kind = kind
    }

    /// Why a record's claim could not be read.
    public enum Unreadable: Error, Sendable, Hashable {
        /// A key appears twice in one object; such a record is refused whoever sends it.
        case repeatedKey(String)
        /// Not a JSON object, or `tenant`/`kind` of the wrong type.
        case invalid(RecordRejection)
    }
}

/// The two fields of a record that decide who may write it, typed but not yet validated.
private struct RawClaim: Decodable {
    var tenant, kind: String?

    init(from decoder: any Decoder) throws {
        let fields = try Fields(decoder)
        kind = try fields.string("kind")
        tenant = try fields.string("tenant")
    }
}

/// The fields of an activity record, typed but not yet validated.
private struct RawActivity: Decodable {
    var source, id, kind, start, end, unit: String?
    var value: Double?
    var site, region, product, tenant, fuel, gas, grid, profile, waterSource, resource: String?
    var lifetimeMonths: Int?
    var utilization: Double?
    var provider, resourceType, processor: String?
    var replication: Double?
    var tags: [String: String]?

    init(from decoder: any Decoder) throws {
        let fields = try Fields(decoder)
        // Read in the order the checks run, so a record with several faults reports the first.
        source = try fields.string("source")
        id = try fields.string("id")
        kind = try fields.string("kind")
        start = try fields.string("start")
        // hardware.embodied ignores `end`, whatever it holds.
        end = kind == ActivityKind.hardwareEmbodied.rawValue ? nil : try fields.string("end")
        value = try fields.number("value")
        unit = try fields.string("unit")
        site = try fields.string("site")
        region = try fields.string("region")
        product = try fields.string("product")
        tenant = try fields.string("tenant")
        fuel = try fields.string("fuel")
        gas = try fields.string("gas")
        grid = try fields.string("grid")
        profile = try fields.string("profile")
        waterSource = try fields.string("water_source")
        lifetimeMonths = try fields.integer("lifetime_months", reason: "must be a positive whole number of months")
        resource = try fields.string("resource")
        utilization = try fields.number("utilization")
        provider = try fields.string("provider")
        resourceType = try fields.string("resource_type")
        processor = try fields.string("processor")
        replication = try fields.number("replication")
        tags = try fields.stringMap("tags")
    }

    /// The same fields from the fast reader; nil when any field holds another type than
    /// expected (the caller then decodes again with JSONDecoder to say which).
    init?(flat object: FlatJSONObject) {
        do {
            source = try object.string("source").get()
            id = try object.string("id").get()
            kind = try object.string("kind").get()
            start = try object.string("start").get()
            end = kind == ActivityKind.hardwareEmbodied.rawValue ? nil : try object.string("end").get()
            value = try object.number("value").get()
            unit = try object.string("unit").get()
            site = try object.string("site").get()
            region = try object.string("region").get()
            product = try object.string("product").get()
            tenant = try object.string("tenant").get()
            fuel = try object.string("fuel").get()
            gas = try object.string("gas").get()
            grid = try object.string("grid").get()
            profile = try object.string("profile").get()
            waterSource = try object.string("water_source").get()
            resource = try object.string("resource").get()
            utilization = try object.number("utilization").get()
            provider = try object.string("provider").get()
            resourceType = try object.string("resource_type").get()
            processor = try object.string("processor").get()
            replication = try object.number("replication").get()
            tags = try object.strings("tags").get()
            // As `Fields.integer`: a whole number, `36.0` counting as 36.
            switch object["lifetime_months"] {
            case nil, .null?: lifetimeMonths = nil
            case .number(_, let exact?)? where exact >= Int64(Int.min) && exact <= Int64(Int.max): lifetimeMonths = Int(exact)
            case .number(let number, nil)? where number == number.rounded() && number.magnitude < 1e15: lifetimeMonths = Int(number)
            default: return nil
            }
        } catch {
            return nil
        }
    }
}

/// The checked resource details of an estimable usage record.
private struct EstimationDetails {
    var provider: CloudProvider
    var resource: EstimatedResource
    var processor: String?
    var replication: Double?
}

/// The fields of a site declaration.
private struct RawSite: Decodable {
    var site, region, grid, loadProfile, tier: String?
    var itPowerKW, floorAreaM2: Double?

    init(from decoder: any Decoder) throws {
        let fields = try Fields(decoder)
        site = try fields.string("site")
        region = try fields.string("region")
        grid = try fields.string("grid")
        loadProfile = try fields.string("load_profile")
        itPowerKW = try fields.number("it_power_kw")
        floorAreaM2 = try fields.number("floor_area_m2")
        tier = try fields.string("tier")
    }
}

/// The fields of a product declaration.
private struct RawProduct: Decodable {
    var product, unit, basis: String?

    init(from decoder: any Decoder) throws {
        let fields = try Fields(decoder)
        product = try fields.string("product")
        unit = try fields.string("unit")
        basis = try fields.string("basis")
    }
}

/// The fields of an emission factor declaration.
private struct RawFactor: Decodable {
    var factor, activity, region, unit, validFrom, validTo, source, version, series: String?
    var value: Double?

    init(from decoder: any Decoder) throws {
        let fields = try Fields(decoder)
        series = try fields.string("series")
        factor = try fields.string("factor")
        activity = try fields.string("activity")
        region = try fields.string("region")
        value = try fields.number("value")
        unit = try fields.string("unit")
        validFrom = try fields.string("valid_from")
        validTo = try fields.string("valid_to")
        source = try fields.string("source")
        version = try fields.stringOrNumber("version")
    }
}
