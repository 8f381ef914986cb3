import Foundation
import Testing

@testable import CarbonModel
@testable import RecordParsing

/// Validation and normalization of activity records and declarations: the exact message of
/// every rejection, the canonical amount of every kind, and repeat-versus-revision.
struct RecordValidatorTests {
    private static let registry = Registry(
        sites: [
            "bj-1": SiteDeclaration(site: "bj-1", region: "cn-north", grid: "CN"),
            "sh-1": SiteDeclaration(site: "sh-1", region: "cn-east", grid: "CN"),
        ],
        products: [
            "ecs": ProductDeclaration(product: "ecs", unit: "vCPU-h"),
            "ebs": ProductDeclaration(product: "ebs", unit: "GB-h"),
            "oss": ProductDeclaration(product: "oss", unit: "GB", basis: .capacity),
        ])

    private static func utc(_ y: Int, _ m: Int, _ d: Int, _ hh: Int = 0, _ mm: Int = 0) -> Int64 {
        CalendarMonth.daysFromCivil(y, m, d) * 86_400 + Int64(hh * 3600 + mm * 60)
    }

    /// A valid grid-electricity record, with fields replaced or removed (`nil`) as given.
    private static func electricity(_ changes: [String: Any?] = [:]) -> Data {
        var fields: [String: Any] = [
            "source": "meter", "id": "r-1", "kind": "facility.electricity", "site": "bj-1",
            "start": "2024-01-01T00:00:00Z", "end": "2024-01-01T01:00:00Z", "value": 120.5, "unit": "kWh",
        ]
        for (key, value) in changes { fields[key] = value }
        return json(fields)
    }

    private static func usage(_ changes: [String: Any?] = [:]) -> Data {
        var fields: [String: Any] = [
            "source": "billing", "id": "u-1", "kind": "usage", "tenant": "acme", "product": "ecs", "region": "cn-north",
            "start": "2024-01-01T00:00:00Z", "end": "2024-01-01T01:00:00Z", "value": 4, "unit": "vCPU-h",
        ]
        for (key, value) in changes { fields[key] = value }
        return json(fields)
    }

    private static func json(_ object: [String: Any]) -> Data {
        (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
    }

    private func rejection(_ data: Data) -> RecordRejection? {
        if case .failure(let rejection) = RecordValidator.normalize(data, registry: Self.registry) { return rejection }
        return nil
    }

    private func rejection(_ text: String) -> RecordRejection? { rejection(Data(text.utf8)) }

    private func normalized(_ data: Data) throws -> NormalizedRecord {
        try RecordValidator.normalize(data, registry: Self.registry).get()
    }

    private func normalized(_ text: String) throws -> NormalizedRecord { try normalized(Data(text.utf8)) }

    // MARK: - One test per bad record

    @Test func negativeValue() {
        let bad = rejection(Self.electricity(["value": -3]))
        #expect(bad?.field == "value")
        #expect(bad?.message == "value: must not be negative (got -3)")
    }

    @Test func unknownUnit() {
        #expect(rejection(Self.electricity(["unit": "furlong"]))?.message
            == "unit: unknown unit \"furlong\" (expected an energy unit: kWh, Wh, MWh, GWh, MJ, GJ)")
        #expect(rejection(Self.electricity(["unit": "kwh"]))?.message
            == "unit: unknown unit \"kwh\" (units are case-sensitive: did you mean \"kWh\"?)")
        #expect(rejection(Self.usage(["unit": "cores"]))?.message
            == "unit: unknown unit \"cores\" (expected a compute-time unit: vCPU-h, vCPU-min, vCPU-s)")
    }

    @Test func endBeforeStart() {
        let bad = rejection(Self.electricity(["start": "2024-01-01T01:00:00Z", "end": "2024-01-01T00:00:00Z"]))
        #expect(bad?.field == "end")
        #expect(bad?.message == "end: must be after start (start 2024-01-01T01:00:00Z, end 2024-01-01T00:00:00Z)")
        #expect(rejection(Self.electricity(["end": "2024-01-01T00:00:00Z"]))?.field == "end")
    }

    @Test func unknownSite() {
        #expect(rejection(Self.electricity(["site": "xx-9"]))?.message == "site: unknown site \"xx-9\" (declare it first)")
    }

    @Test func unknownProduct() {
        #expect(rejection(Self.usage(["product": "gpu"]))?.message == "product: unknown product \"gpu\" (declare it first)")
    }

    @Test func missingTenant() {
        let bad = rejection(Self.usage(["tenant": nil]))
        #expect(bad?.field == "tenant")
        #expect(bad?.message == "tenant: missing tenant (required for kind \"usage\")")
    }

    @Test func unitThatDoesNotFitTheProduct() {
        #expect(rejection(Self.usage(["unit": "kWh"]))?.message
            == "unit: \"kWh\" does not fit product \"ecs\" whose allocation unit is vCPU-h")
    }

    @Test func unitThatDoesNotFitTheKind() {
        #expect(rejection(Self.electricity(["unit": "L"]))?.message
            == "unit: \"L\" does not fit kind \"facility.electricity\", which takes an energy unit (kWh, Wh, MWh, GWh, MJ, GJ)")
    }

    @Test func valueThatIsNotANumber() {
        let bad = rejection(Self.electricity(["value": "abc"]))
        #expect(bad?.field == "value")
        #expect(bad?.message == "value: must be a number (got \"abc\")")
        #expect(rejection(Self.electricity(["value": true]))?.message == "value: must be a number (got true)")
        #expect(rejection(Self.electricity(["value": [1]]))?.message == "value: must be a number (got an array)")
    }

    @Test func unparseableLine() {
        let broken = rejection(#"{"source": "meter", "id": "#)
        #expect(broken?.field == nil)
        #expect(broken?.message == "not a JSON object: invalid JSON")
        #expect(rejection("[1, 2]")?.message == "not a JSON object: found an array")
        #expect(rejection("\"hello\"")?.message == "not a JSON object: found a string \"hello\"")
        #expect(rejection("42")?.message == "not a JSON object: found a number 42")
        #expect(rejection("null")?.message == "not a JSON object: found null")
        #expect(rejection("  \n")?.message == "not a JSON object: empty")
        #expect(rejection(Data())?.field == nil)
    }

    @Test func missingAndMalformedCommonFields() {
        #expect(rejection(Self.electricity(["source": nil]))?.message == "source: missing source")
        #expect(rejection(Self.electricity(["id": " "]))?.message == "id: must not be empty")
        #expect(rejection(Self.electricity(["id": 7]))?.message == "id: must be a string (got 7)")
        #expect(rejection(Self.electricity(["kind": nil]))?.message == "kind: missing kind")
        #expect(rejection(Self.electricity(["kind": "facility.power"]))?.message
            == "kind: unknown kind \"facility.power\" (expected one of: facility.electricity, facility.onsite_renewable, "
            + "facility.it_electricity, facility.fuel, facility.refrigerant, facility.certificate, product.it_electricity, "
            + "product.capacity, hardware.embodied, usage, facility.water_withdrawal, facility.water_discharge, facility.heat_reuse, "
            + "facility.cooling_energy)")
        #expect(rejection(Self.electricity(["start": "2024-01-01 noon"]))?.message
            == "start: must be an RFC 3339 time such as 2024-01-31T23:30:00Z (got \"2024-01-01 noon\")")
        #expect(rejection(Self.electricity(["end": "2024-01-01T01:00:00"]))?.message
            == "end: must be an RFC 3339 time such as 2024-01-31T23:30:00Z (got \"2024-01-01T01:00:00\")")
        #expect(rejection(Self.electricity(["start": "1999-12-31T23:00:00Z"]))?.message
            == "start: must be between 2000-01-01 and 2100-12-31 (got \"1999-12-31T23:00:00Z\")")
        #expect(rejection(Self.electricity(["end": "2101-01-01T00:00:01Z"]))?.field == "end")
        #expect(rejection(Self.electricity(["value": nil]))?.message == "value: missing value")
        #expect(rejection(Self.electricity(["unit": nil]))?.message == "unit: missing unit")
        #expect(rejection(Self.electricity(["value": 1e30, "unit": "GWh"]))?.message
            == "value: too large (got 1e+30 GWh; at most 9.2e12 kWh can be stored)")
    }

    @Test func kindSpecificFields() {
        #expect(rejection(Self.electricity(["site": nil]))?.message == "site: missing site (required for kind \"facility.electricity\")")
        #expect(rejection(Self.electricity(["kind": "facility.fuel", "unit": "L"]))?.message
            == "fuel: missing fuel (required for kind \"facility.fuel\")")
        #expect(rejection(Self.electricity(["kind": "facility.refrigerant", "unit": "kg"]))?.message
            == "gas: missing gas (required for kind \"facility.refrigerant\")")
        #expect(rejection(Self.electricity(["kind": "product.it_electricity"]))?.message
            == "product: missing product (required for kind \"product.it_electricity\")")
        #expect(rejection(Self.usage(["region": nil]))?.message == "site: missing site or region (required for kind \"usage\")")
        #expect(rejection(Self.usage(["region": "eu-west"]))?.message
            == "region: unknown region \"eu-west\" (no declared site is in it)")
        #expect(rejection(Self.usage(["site": "sh-1"]))?.message
            == "region: \"cn-north\" does not match site \"sh-1\", which is in region \"cn-east\"")
        #expect(rejection(Self.usage(["utilization": 1.5]))?.message == "utilization: must be between 0 and 1 (got 1.5)")
        #expect(rejection(Self.usage(["tags": ["env": 1]]))?.message
            == "tags: must be an object of strings (\"env\" is 1)")
        #expect(rejection(Self.usage(["tags": "prod"]))?.message == "tags: must be an object of strings (got \"prod\")")

        let embodied: [String: Any?] = [
            "kind": "hardware.embodied", "unit": "kgCO2e", "end": nil, "lifetime_months": 36,
        ]
        func hardware(_ changes: [String: Any?]) -> Data {
            Self.electricity(embodied.merging(changes) { $1 })
        }
        #expect(rejection(hardware(["lifetime_months": nil]))?.message
            == "lifetime_months: missing lifetime_months (required for kind \"hardware.embodied\")")
        #expect(rejection(hardware(["lifetime_months": 0]))?.message
            == "lifetime_months: must be a positive whole number of months (got 0)")
        #expect(rejection(hardware(["lifetime_months": "36"]))?.message
            == "lifetime_months: must be a positive whole number of months (got \"36\")")
        #expect(rejection(hardware(["lifetime_months": 12.5]))?.message
            == "lifetime_months: must be a positive whole number of months (got 12.5)")
        #expect(rejection(hardware(["start": "2099-01-01T00:00:00Z", "lifetime_months": 36]))?.message
            == "lifetime_months: the service life would end after 2100 (start + 36 months = 2102-01-01T00:00:00Z)")
        #expect(rejection(hardware(["product": "gpu"]))?.message == "product: unknown product \"gpu\" (declare it first)")
    }

    // MARK: - Good records of every kind

    @Test func facilityKindsNormalizeToCanonicalUnits() throws {
        let grid = try normalized(Self.electricity(["value": 2.5, "unit": "MWh"]))
        #expect(grid.kind == .facilityElectricity)
        #expect(grid.amount == 2_500_000_000)
        #expect(grid.unit == "kWh")
        #expect(grid.value == 2500)
        #expect(grid.site == "bj-1")
        #expect(grid.region == "cn-north")
        #expect(grid.start == Self.utc(2024, 1, 1))
        #expect(grid.end == Self.utc(2024, 1, 1, 1))
        #expect(grid.revision == 0)

        let renewable = try normalized(Self.electricity(["kind": "facility.onsite_renewable", "value": 500, "unit": "Wh"]))
        #expect((renewable.kind, renewable.amount, renewable.unit) == (.facilityOnsiteRenewable, 500_000, "kWh"))

        let it = try normalized(Self.electricity(["kind": "facility.it_electricity", "value": 3.6, "unit": "GJ"]))
        #expect((it.kind, it.amount, it.unit) == (.facilityITElectricity, 1_000_000_000, "kWh"))

        let fuel = try normalized(Self.electricity(["kind": "facility.fuel", "fuel": "diesel", "value": 0.2, "unit": "m³"]))
        #expect((fuel.kind, fuel.amount, fuel.unit, fuel.substance) == (.facilityFuel, 200_000_000, "L", "diesel"))

        let gas = try normalized(Self.electricity(["kind": "facility.refrigerant", "gas": "HFC-134a", "value": 500, "unit": "g"]))
        #expect((gas.kind, gas.amount, gas.unit, gas.substance) == (.facilityRefrigerant, 500_000, "kg", "HFC-134a"))

        let certificate = try normalized(Self.electricity(["kind": "facility.certificate", "value": 1, "unit": "GWh"]))
        #expect((certificate.kind, certificate.amount, certificate.unit) == (.facilityCertificate, 1_000_000_000_000, "kWh"))
        #expect(certificate.substance == nil)

        // A certificate may name the grid it was produced in: kept as its substance (its market
        // boundary); a grid no declared site is in is refused, naming the field.
        let bounded = try normalized(Self.electricity(["kind": "facility.certificate", "value": 5, "unit": "MWh", "grid": "CN"]))
        #expect(bounded.substance == "CN")
        let foreign = rejection(Self.electricity(["kind": "facility.certificate", "value": 5, "unit": "MWh", "grid": "DE"]))
        #expect(foreign?.field == "grid")
        #expect(foreign?.reason == "unknown grid \"DE\": no declared site is in it (known: CN)")
        #expect(rejection(Self.electricity(["kind": "facility.certificate", "value": 5, "unit": "MWh", "grid": 7]))?.field == "grid")
        // Other kinds ignore a grid field.
        #expect(try normalized(Self.electricity(["grid": "DE"])).substance == nil)

        // A region that agrees with the site is fine; fields of other kinds are left out.
        let extra = try normalized(
            Self.electricity(["region": "cn-north", "tenant": "acme", "product": "ecs", "fuel": "diesel", "meter_serial": "X1"]))
        #expect(extra.region == "cn-north")
        #expect(extra.tenant == nil && extra.product == nil && extra.substance == nil)
    }

    @Test func productKindsNormalize() throws {
        let it = try normalized(Self.electricity(["kind": "product.it_electricity", "product": "ecs", "value": 720]))
        #expect((it.kind, it.amount, it.unit, it.product) == (.productITElectricity, 720_000_000, "kWh", "ecs"))

        // oss is sold in GB: 2 TB of capacity is 2,000 GB.
        let capacity = try normalized(Self.electricity(["kind": "product.capacity", "product": "oss", "value": 2, "unit": "TB"]))
        #expect((capacity.kind, capacity.amount, capacity.unit, capacity.product) == (.productCapacity, 2_000_000_000, "GB", "oss"))
    }

    @Test func hardwareEmbodiedSpansItsServiceLife() throws {
        let record = try normalized(
            Self.electricity([
                "kind": "hardware.embodied", "start": "2024-01-31T00:00:00Z", "end": "not a time", "value": 1.2,
                "unit": "tCO2e", "lifetime_months": 36, "product": "ecs",
            ]))
        #expect(record.kind == .hardwareEmbodied)
        #expect(record.amount == 1_200_000_000)
        #expect(record.unit == "kgCO2e")
        #expect(record.lifetimeMonths == 36)
        #expect(record.product == "ecs")
        #expect(record.start == Self.utc(2024, 1, 31))
        #expect(record.end == Self.utc(2027, 1, 31))
        // Without a product, embodied hardware is shared by the site's products.
        let shared = try normalized(
            Self.electricity(["kind": "hardware.embodied", "end": nil, "value": 800, "unit": "kgCO2e", "lifetime_months": 60]))
        #expect(shared.product == nil)
        #expect(shared.end == Self.utc(2029, 1, 1))
    }

    @Test func usageNormalizesIntoTheProductUnit() throws {
        let record = try normalized(
            Self.usage([
                "value": 90, "unit": "vCPU-min", "resource": "i-123", "utilization": 0.4, "tags": ["team": "web", "env": "prod"],
            ]))
        #expect(record.kind == .usage)
        #expect(record.amount == 1_500_000)
        #expect(record.unit == "vCPU-h")
        #expect(record.tenant == "acme")
        #expect(record.product == "ecs")
        #expect(record.site == nil)
        #expect(record.region == "cn-north")
        #expect(record.resource == "i-123")
        #expect(record.utilization == 0.4)
        #expect(record.tags == ["team": "web", "env": "prod"])

        // A site gives the region; GiB-h into a GB-h product, rounded to the micro-unit.
        let storage = try normalized(Self.usage(["product": "ebs", "region": nil, "site": "sh-1", "value": 1, "unit": "GiB-h"]))
        #expect(storage.site == "sh-1")
        #expect(storage.region == "cn-east")
        #expect(storage.unit == "GB-h")
        #expect(storage.amount == 1_073_742)

        let empty = try normalized(Self.usage(["tags": [String: String]()]))
        #expect(empty.tags == nil)
    }

    @Test func offsetsAndNullsAreHandled() throws {
        let record = try normalized(
            #"{"source":"m","id":"1","kind":"facility.electricity","site":"bj-1","start":"2024-01-01T08:00:00+08:00","#
                + #""end":"2024-01-01T09:30:00.123+08:00","value":1,"unit":"kWh","region":null,"tags":null}"#)
        #expect(record.start == Self.utc(2024, 1, 1))
        #expect(record.end == Self.utc(2024, 1, 1, 1, 30))
        #expect(record.tags == nil)
    }

    // MARK: - Repeat versus revision

    @Test func exactRepeatHasTheSameCanonicalEncoding() throws {
        let first = try normalized(
            #"{"source":"meter","id":"r-1","kind":"facility.electricity","site":"bj-1","start":"2024-01-01T00:00:00Z","#
                + #""end":"2024-01-01T01:00:00Z","value":1,"unit":"MWh","tags":{"b":"2","a":"1"}}"#)
        // Keys in another order, an unknown field, the same quantity in another unit and the same
        // instants written with an offset: the same record.
        var again = try normalized(
            #"{"tags":{"a":"1","b":"2"},"unit":"kWh","value":1000,"end":"2024-01-01T09:00:00+08:00","note":"resent","#
                + #""start":"2024-01-01T00:00:00Z","site":"bj-1","kind":"facility.electricity","id":"r-1","source":"meter"}"#)
        again.revision = 3
        #expect(first.canonicalEncoding() == again.canonicalEncoding())

        let revised = try normalized(Self.electricity(["id": "r-1", "value": 1001]))
        #expect(revised.canonicalEncoding() != first.canonicalEncoding())
        let moved = try normalized(Self.electricity(["id": "r-1", "value": 1000, "unit": "kWh"]))
        #expect(moved.canonicalEncoding() != first.canonicalEncoding())  // the tags differ
    }

    @Test func canonicalEncodingIsSortedCompactAndDecodable() throws {
        let record = NormalizedRecord(
            source: "m\"q", id: "a\\b\n", revision: 7, kind: .usage, start: 10, end: 20, amount: 5, unit: "vCPU-h",
            region: "r", product: "p", tenant: "t", resource: "i-1", utilization: 0.25, tags: ["z": "1", "a": "é"])
        let text = String(decoding: record.canonicalEncoding(), as: UTF8.self)
        #expect(text == #"{"amount":5,"end":20,"id":"a\\b\n","kind":"usage","product":"p","region":"r","resource":"i-1","#
            + #""source":"m\"q","start":10,"tags":{"a":"é","z":"1"},"tenant":"t","unit":"vCPU-h","utilization":0.25}"#)
        var decoded = try JSONDecoder().decode(NormalizedRecord.self, from: record.canonicalEncoding())
        #expect(decoded.revision == 0)
        decoded.revision = 7
        #expect(decoded == record)
    }

    @Test func codableUsesSnakeCaseAndKeepsRevision() throws {
        let record = NormalizedRecord(
            source: "s", id: "1", revision: 2, kind: .hardwareEmbodied, start: 0, end: 100, amount: 9, unit: "kgCO2e",
            site: "bj-1", region: "cn-north", lifetimeMonths: 36)
        let data = try JSONEncoder().encode(record)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains(#""lifetime_months":36"#))
        #expect(text.contains(#""kind":"hardware.embodied""#))
        #expect(try JSONDecoder().decode(NormalizedRecord.self, from: data) == record)
        #expect(String(decoding: record.canonicalEncoding(), as: UTF8.self).contains("revision") == false)
    }

    // MARK: - Declarations

    @Test func siteDeclarations() throws {
        let site = try RecordValidator.site(Data(#"{"site":"bj-1","region":"cn-north","grid":"CN","city":"Beijing"}"#.utf8)).get()
        #expect(site == SiteDeclaration(site: "bj-1", region: "cn-north", grid: "CN"))
        #expect(siteRejection(#"{"site":"bj-1","region":"cn-north"}"#) == "grid: missing grid")
        #expect(siteRejection(#"{"site":"","region":"cn-north","grid":"CN"}"#) == "site: must not be empty")
        #expect(siteRejection(#"{"site":"bj-1","region":5,"grid":"CN"}"#) == "region: must be a string (got 5)")
        #expect(siteRejection("[]") == "not a JSON object: found an array")
    }

    @Test func productDeclarations() throws {
        #expect(try RecordValidator.product(Data(#"{"product":"ecs","unit":"vCPU-h"}"#.utf8)).get()
            == ProductDeclaration(product: "ecs", unit: "vCPU-h", basis: .usage))
        #expect(try RecordValidator.product(Data(#"{"product":"oss","unit":"GB","basis":"capacity"}"#.utf8)).get()
            == ProductDeclaration(product: "oss", unit: "GB", basis: .capacity))
        #expect(productRejection(#"{"product":"ecs","unit":"vcpu-h"}"#)
            == "unit: unknown unit \"vcpu-h\" (units are case-sensitive: did you mean \"vCPU-h\"?)")
        #expect(productRejection(#"{"product":"ecs","unit":"cores"}"#) == "unit: unknown unit \"cores\"")
        #expect(productRejection(#"{"product":"ecs","unit":"GB","basis":"peak"}"#)
            == "basis: unknown basis \"peak\" (expected usage or capacity)")
        #expect(productRejection(#"{"unit":"GB"}"#) == "product: missing product")
    }

    @Test func factorDeclarations() throws {
        let grid = try RecordValidator.factor(
            Data(
                (#"{"factor":"grid.CN.2022","activity":"electricity","region":"CN","value":0.5366,"unit":"kgCO2e/kWh","#
                    + #""valid_from":"2022-01-01","valid_to":"2023-01-01","source":"MEE/NBS 2022","version":"1"}"#).utf8)
        ).get()
        #expect(grid == EmissionFactor(
            factor: "grid.CN.2022", activity: "electricity", region: "CN", unit: "kgCO2e/kWh", value: 0.5366,
            validFrom: Self.utc(2022, 1, 1), validTo: Self.utc(2023, 1, 1), source: "MEE/NBS 2022", version: "1"))

        #expect(abs(try factor(["unit": "tCO2e/MWh", "value": 0.5366]).value - 0.5366) < 1e-12)
        #expect(abs(try factor(["unit": "gCO2e/kWh", "value": 536.6]).value - 0.5366) < 1e-12)
        let diesel = try factor(["activity": "diesel", "unit": "kgCO2e/m3", "value": 2680, "region": nil])
        #expect(abs(diesel.value - 2.68) < 1e-12)
        #expect(diesel.region == nil)
        #expect(diesel.unit == "kgCO2e/m3")
        #expect(try factor(["activity": "HFC-134a", "unit": "kgCO2e/kg", "value": 1530]).value == 1530)
        #expect(abs(try factor(["activity": "residual_electricity", "unit": "kgCO2e/MJ", "value": 1]).value - 3.6) < 1e-12)
        #expect(try factor(["version": 2]).version == "2")
        #expect(try factor(["version": nil]).version == "1")
        #expect(try factor(["valid_to": "2023-01-01T00:00:00+08:00"]).validTo == Self.utc(2022, 12, 31, 16))

        #expect(factorRejection(["unit": "kgCO2e/L"])
            == "unit: \"kgCO2e/L\" does not fit activity \"electricity\", which is per unit of energy (e.g. kgCO2e/kWh)")
        #expect(factorRejection(["activity": "diesel", "unit": "kgCO2e/kWh"])
            == "unit: \"kgCO2e/kWh\" does not fit activity \"diesel\": fuels are per volume (e.g. kgCO2e/L) and gases per mass (kgCO2e/kg)")
        #expect(factorRejection(["unit": "kgCO2/kWh"])
            == "unit: \"kgCO2\" in \"kgCO2/kWh\" is not an emissions unit (expected one of: kgCO2e, gCO2e, tCO2e)")
        #expect(factorRejection(["unit": "kgCO2e/kwh"])
            == "unit: unknown unit \"kwh\" in \"kgCO2e/kwh\" (units are case-sensitive: did you mean \"kWh\"?)")
        #expect(factorRejection(["unit": "kWh"]) == "unit: must be emissions per unit of activity, such as kgCO2e/kWh (got \"kWh\")")
        #expect(factorRejection(["value": -1]) == "value: must not be negative (got -1)")
        #expect(factorRejection(["valid_from": nil]) == "valid_from: missing valid_from")
        #expect(factorRejection(["valid_to": "soon"])
            == "valid_to: must be a date such as 2024-01-01 or an RFC 3339 time (got \"soon\")")
        #expect(factorRejection(["valid_to": "2021-01-01"])
            == "valid_to: must be after valid_from (valid_from 2022-01-01T00:00:00Z, valid_to 2021-01-01T00:00:00Z)")
        #expect(factorRejection(["source": nil]) == "source: missing source")
        #expect(factorRejection(["version": true]) == "version: must be a string or a number (got true)")
    }

    // MARK: - Helpers for declarations

    private func siteRejection(_ text: String) -> String? {
        if case .failure(let rejection) = RecordValidator.site(Data(text.utf8)) { return rejection.message }
        return nil
    }

    private func productRejection(_ text: String) -> String? {
        if case .failure(let rejection) = RecordValidator.product(Data(text.utf8)) { return rejection.message }
        return nil
    }

    /// A factor so large that stored quantities times it overflow is refused at the edge; the
    /// largest real ones (GWPs near 25,000 kgCO2e/kg) pass.
    @Test func factorsTooLargeToMultiplyAreRefused() throws {
        #expect(factorRejection(["value": 1e308])?.hasPrefix("value: too large") == true)
        #expect(factorRejection(["value": 2e6])?.hasPrefix("value: too large") == true)
        // 1e3 t per MWh is 1e3 kg per kWh: fine; 2e6 t per MWh is 2e6 kg per kWh: too large.
        #expect(try factor(["value": 1e3, "unit": "tCO2e/MWh"]).value == 1e3)
        #expect(factorRejection(["value": 2e6, "unit": "tCO2e/MWh"])?.hasPrefix("value: too large") == true)
        #expect(try factor(["activity": "SF6", "value": 23_500, "unit": "kgCO2e/kg"]).value == 23_500)
    }

    /// Parsers disagree on which occurrence of a repeated key counts: refused, naming the key.
    @Test func repeatedKeysAreRefusedNamingTheKey() throws {
        let record = #"{"source":"s","id":"1","kind":"usage","tenant":"B","tenant":"A","product":"ecs","region":"r1","start":"2024-01-01T00:00:00Z","end":"2024-01-01T01:00:00Z","value":1,"unit":"vCPU-h"}"#
        #expect(rejection(record)?.field == "tenant")
        #expect(rejection(record)?.message.contains("appears more than once") == true)
        let site = #"{"site":"s1","region":"r1","region":"r2","grid":"G1"}"#
        if case .failure(let refusal) = RecordValidator.site(Data(site.utf8)) { #expect(refusal.field == "region") } else { Issue.record("accepted \(site)") }
        let factorText = #"{"factor":"f","activity":"electricity","value":0.5,"value":0.1,"unit":"kgCO2e/kWh","valid_from":"2022-01-01","valid_to":"2023-01-01","source":"t"}"#
        if case .failure(let refusal) = RecordValidator.factor(Data(factorText.utf8)) { #expect(refusal.field == "value") } else { Issue.record("accepted") }
        #expect(RecordValidator.claim(Data(record.utf8)) == .failure(.repeatedKey("tenant")))
        #expect(try RecordValidator.claim(Data(#"{"kind":"usage","tenant":"A"}"#.utf8)).get() == RecordClaim(tenant: "A", kind: "usage"))
    }

    private static func factorJSON(_ changes: [String: Any?]) -> Data {
        var fields: [String: Any] = [
            "factor": "f", "activity": "electricity", "region": "CN", "value": 0.5, "unit": "kgCO2e/kWh",
            "valid_from": "2022-01-01", "valid_to": "2023-01-01", "source": "test",
        ]
        for (key, value) in changes { fields[key] = value }
        return json(fields)
    }

    private func factor(_ changes: [String: Any?]) throws -> EmissionFactor {
        try RecordValidator.factor(Self.factorJSON(changes)).get()
    }

    private func factorRejection(_ changes: [String: Any?]) -> String? {
        if case .failure(let rejection) = RecordValidator.factor(Self.factorJSON(changes)) { return rejection.message }
        return nil
    }
}

// MARK: - Estimation-mode fields of usage records

extension RecordValidatorTests {
    @Test func estimableUsageMayNameAProviderRegionWithoutSites() throws {
        let record = try normalized(
            Self.usage(["region": "us-east-1", "provider": "aws", "resource_type": "compute", "processor": "SKYLAKE", "utilization": 0.3]))
        #expect(record.region == "us-east-1")
        #expect(record.estimationProfile == EstimationProfile(provider: .aws, resource: .compute, processor: "SKYLAKE", utilization: 0.3))
        // Without resource details the same region is unknown.
        #expect(rejection(Self.usage(["region": "us-east-1"]))?.message == "region: unknown region \"us-east-1\" (no declared site is in it)")
    }

    @Test func replicationAndStorageProfiles() throws {
        let record = try normalized(
            Self.usage(["product": "ebs", "unit": "TB-h", "value": 2, "provider": "gcp", "resource_type": "ssd", "replication": 2]))
        #expect(record.amount == 2_000_000_000)  // 2 TB-h = 2000 GB-h in micro-units
        #expect(record.estimationProfile == EstimationProfile(provider: .gcp, resource: .ssd, replication: 2))
        // The new fields take part in repeat-versus-revision.
        let text = String(decoding: record.canonicalEncoding(), as: UTF8.self)
        #expect(text.contains(#""provider":"gcp","region":"cn-north","replication":2.0,"resource_type":"ssd""#))
    }

    @Test func estimationFieldsAreChecked() {
        #expect(rejection(Self.usage(["provider": "aws"]))?.message == "resource_type: missing resource_type (required with provider, processor or replication)")
        #expect(rejection(Self.usage(["resource_type": "compute"]))?.message == "provider: missing provider (required with resource_type)")
        #expect(rejection(Self.usage(["resource_type": "gpu", "provider": "aws"]))?.message
            == "resource_type: unknown resource_type \"gpu\" (expected one of: compute, memory, ssd, hdd, network)")
        #expect(rejection(Self.usage(["resource_type": "compute", "provider": "ibm"]))?.message
            == "provider: unknown provider \"ibm\" (expected one of: aws, gcp, azure, ali)")
        #expect(rejection(Self.usage(["resource_type": "memory", "provider": "aws"]))?.message
            == "resource_type: \"memory\" is measured in a data-time unit, but product \"ecs\" is allocated in vCPU-h")
        #expect(rejection(Self.usage(["product": "ebs", "unit": "GB-h", "resource_type": "memory", "provider": "aws", "processor": "SKYLAKE"]))?.message
            == "processor: applies to resource_type \"compute\" only")
        #expect(rejection(Self.usage(["resource_type": "compute", "provider": "aws", "processor": "Z80"]))?.field == "processor")
        #expect(rejection(Self.usage(["resource_type": "compute", "provider": "aws", "replication": 0.5]))?.message
            == "replication: must be a number of copies, at least 1 (got 0.5)")
    }

    // MARK: - Load profiles

    @Test func aSitesLoadProfileShapesItsLongerGridReadingsOnly() throws {
        let weights = (0..<24).map { $0 < 6 ? "0" : "1" }.joined(separator: ",")
        let site = try RecordValidator.site(Data(#"{"site":"pf-1","region":"cn-north","grid":"CN","load_profile":"\#(weights)"}"#.utf8)).get()
        #expect(site.loadProfile == (0..<24).map { $0 < 6 ? "0.0" : "1.0" }.joined(separator: ","))
        var registry = Self.registry
        registry.declare(site)
        func normalize(_ changes: [String: Any?]) throws -> NormalizedRecord {
            var record = Self.electricity(["site": "pf-1"])
            var object = try #require(try JSONSerialization.jsonObject(with: record) as? [String: Any])
            for (key, value) in changes { object[key] = value }
            record = Self.json(object)
            return try RecordValidator.normalize(record, registry: registry).get()
        }
        // A month's reading carries the site's profile; an hourly one stays as small as before.
        #expect(try normalize(["end": "2024-02-01T00:00:00Z"]).profile == site.loadProfile)
        #expect(try normalize([:]).profile == nil)
        // A record's own profile wins over its site's, in canonical form.
        #expect(try normalize(["end": "2024-02-01T00:00:00Z", "profile": String(repeating: "1 ", count: 24)]).profile
            == Array(repeating: "1.0", count: 24).joined(separator: ","))
        // Other kinds at the site are not shaped by it.
        let it = try RecordValidator.normalize(
            Self.json([
                "source": "m", "id": "it", "kind": "facility.it_electricity", "site": "pf-1", "start": "2024-01-01T00:00:00Z",
                "end": "2024-02-01T00:00:00Z", "value": 1, "unit": "kWh",
            ]), registry: registry
        ).get()
        #expect(it.profile == nil)
    }

    @Test func badProfilesAreRefusedWithTheFieldNamed() throws {
        let refusal = rejection(Self.electricity(["end": "2024-02-01T00:00:00Z", "profile": "1,2"]))
        #expect(refusal?.field == "profile")
        #expect(refusal?.message.contains("24 weights") == true)
        let fuel = rejection(
            Self.json([
                "source": "m", "id": "f", "kind": "facility.fuel", "fuel": "diesel", "site": "bj-1", "start": "2024-01-01T00:00:00Z",
                "end": "2024-02-01T00:00:00Z", "value": 1, "unit": "L", "profile": String(repeating: "1,", count: 23) + "1",
            ]))
        #expect(fuel?.field == "profile")
        #expect(fuel?.message.contains("only facility.electricity and facility.certificate") == true)
        if case .failure(let site) = RecordValidator.site(Data(#"{"site":"x","region":"r","grid":"G","load_profile":"0,0"}"#.utf8)) {
            #expect(site.field == "load_profile")
        } else {
            Issue.record("a two-weight profile was accepted")
        }
    }
}
