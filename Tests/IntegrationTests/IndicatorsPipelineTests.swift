import Foundation
import Testing

/// Data-centre indicators and water through the real services (docs/model.md §21): a site's
/// year with a gap, water in m³ and L, a month discharging more than it withdrew, a measured
/// zero of reused heat, a site with no water data; the indicators, the yearly report, water per
/// tenant, targets and alerts, against hand-computed values; bad inputs refused by field.
@Suite(.serialized) struct IndicatorsPipelineTests {
    static let sites = """
        [{"site":"d1","region":"dr","grid":"DG","it_power_kw":500,"floor_area_m2":1200,"tier":"III"},
         {"site":"d3","region":"dr","grid":"DG"},
         {"site":"d-bad","region":"dr","grid":"DG","it_power_kw":-5}]
        """
    static let products = #"[{"product":"vm","unit":"vCPU-h","basis":"usage"},{"product":"db","unit":"vCPU-h","basis":"usage"}]"#
    static let factors = """
        {"factor":"grid.DG","activity":"electricity","region":"DG","value":0.4,"unit":"kgCO2e/kWh","valid_from":"2024-01-01","valid_to":"2025-01-01","source":"test","version":"1"}
        """

    static func monthRange(_ m: Int) -> (String, String) {
        let start = String(format: "2024-%02d-01T00:00:00Z", m)
        let end = m == 12 ? "2025-01-01T00:00:00Z" : String(format: "2024-%02d-01T00:00:00Z", m + 1)
        return (start, end)
    }

    /// Site d1, every month of 2024 but July: grid 900 kWh, on-site 100, IT meter 800 (625 in
    /// December), product IT vm 600 / db 200, reused heat 50 (0 in September, measured),
    /// cooling 150, water in 2 m³ potable, out 400 L (2,600 L in August). Tenants a 30 and b 10
    /// vCPU-h of vm. Site d3: grid electricity only, in March.
    static var activity: String {
        var lines: [String] = []
        for m in 1...12 where m != 7 {
            let (start, end) = monthRange(m)
            func record(_ id: String, _ kind: String, _ value: Double, _ unit: String, _ extra: String = "") -> String {
                #"{"source":"dc","id":"\#(id)-\#(m)","kind":"\#(kind)","site":"d1","start":"\#(start)","end":"\#(end)","value":\#(value),"unit":"\#(unit)"\#(extra)}"#
            }
            lines += [
                record("grid", "facility.electricity", 900, "kWh"),
                record("solar", "facility.onsite_renewable", 100, "kWh"),
                record("it", "facility.it_electricity", m == 12 ? 625 : 800, "kWh"),
                record("vm-it", "product.it_electricity", 600, "kWh", #","product":"vm""#),
                record("db-it", "product.it_electricity", 200, "kWh", #","product":"db""#),
                record("reuse", "facility.heat_reuse", m == 9 ? 0 : 50, "kWh"),
                record("cooling", "facility.cooling_energy", 150, "kWh"),
                record("water-in", "facility.water_withdrawal", 2, "m3", #","water_source":"potable""#),
                record("water-out", "facility.water_discharge", m == 8 ? 2_600 : 400, "L"),
                #"{"source":"bill","id":"a-\#(m)","kind":"usage","tenant":"a","product":"vm","region":"dr","start":"\#(start)","end":"\#(end)","value":30,"unit":"vCPU-h"}"#,
                #"{"source":"bill","id":"b-\#(m)","kind":"usage","tenant":"b","product":"vm","region":"dr","start":"\#(start)","end":"\#(end)","value":10,"unit":"vCPU-h"}"#,
            ]
        }
        lines.append(#"{"source":"dc","id":"d3-grid","kind":"facility.electricity","site":"d3","start":"2024-03-01T00:00:00Z","end":"2024-04-01T00:00:00Z","value":100,"unit":"kWh"}"#)
        // Refused: a negative volume, a volume that is not finite, an unknown water source.
        lines += [
            #"{"source":"dc","id":"neg","kind":"facility.water_withdrawal","site":"d1","start":"2024-03-01T00:00:00Z","end":"2024-04-01T00:00:00Z","value":-1,"unit":"L"}"#,
            #"{"source":"dc","id":"inf","kind":"facility.water_discharge","site":"d1","start":"2024-03-01T00:00:00Z","end":"2024-04-01T00:00:00Z","value":1e999,"unit":"L"}"#,
            #"{"source":"dc","id":"lake","kind":"facility.water_withdrawal","site":"d1","start":"2024-03-01T00:00:00Z","end":"2024-04-01T00:00:00Z","value":1,"unit":"L","water_source":"lake"}"#,
            #"{"source":"dc","id":"kwh","kind":"facility.water_withdrawal","site":"d1","start":"2024-03-01T00:00:00Z","end":"2024-04-01T00:00:00Z","value":1,"unit":"kWh"}"#,
        ]
        return lines.joined(separator: "\n")
    }

    @Test func aSitesYearOfIndicatorsWaterPerTenantTargetsAndTheReport() async throws {
        let webhook = try WebhookReceiver()
        let suite = try SuiteProcess(extraArguments: [.reporter: ["--alert-webhook", webhook.url]])
        try await suite.start()
        let siteVerdict = try await suite.postExpectingAccepted("/v1/sites", Self.sites, "application/json", accepted: 2)
        let badSite = siteVerdict["rejected"] as? [[String: Any]] ?? []
        #expect(badSite.first?["field"] as? String == "it_power_kw", "\(badSite)")
        try await suite.postExpectingAccepted("/v1/products", Self.products, "application/json", accepted: 2)
        try await suite.postExpectingAccepted("/v1/factors", Self.factors, "application/x-ndjson", accepted: 1)
        let verdict = try await suite.postExpectingAccepted("/v1/activity", Self.activity, "application/x-ndjson", accepted: 11 * 11 + 1)
        let rejected = verdict["rejected"] as? [[String: Any]] ?? []
        #expect(rejected.map { $0["field"] as? String ?? "?" } == ["value", "value", "water_source", "unit"], "\(rejected)")
        try await suite.waitDrained()

        // The year (July missing). Facility 11 × 1,000 = 11,000 kWh; IT 10 × 800 + 625 = 8,625.
        let year = try await suite.json(.reporter, "/v1/indicators?site=d1&from=2024-01&to=2024-12&granularity=year")
        let d1 = try #require((year["sites"] as? [[String: Any]])?.first)
        let k = try #require((d1["periods"] as? [[String: Any]])?.first)
        #expect(k["period"] as? String == "2024" && k["missing_months"] as? [String] == ["2024-07"])
        func indicator(_ k: [String: Any], _ name: String) -> [String: Any] { k[name] as? [String: Any] ?? [:] }
        expectClose(indicator(k, "pue")["value"], 11_000.0 / 8_625, "PUE")
        // Water consumed: 10 × (2,000 − 400) + (2,000 − 2,600) = 15,400 L.
        expectClose(indicator(k, "wue")["value"], 15_400.0 / 8_625, "WUE")
        // Reused: 10 × 50 + 0 (September, measured) = 500 kWh over 11,000.
        expectClose(indicator(k, "erf")["value"], 500.0 / 11_000, "ERF")
        #expect(indicator(k, "erf")["status"] as? String == "measured")
        // Renewable: 100 on site a month, no certificates: 1,100 / 11,000.
        expectClose(indicator(k, "ref")["value"], 0.1, "REF")
        expectClose(indicator(k, "cer")["value"], 8_625.0 / 1_650, "CER")
        // CUE: 900 kWh × 0.4 = 360 kg a month, 3,960 over the IT energy.
        expectClose(indicator(k, "cue_location")["value"], 3_960.0 / 8_625, "CUE")
        let inputs = k["inputs"] as? [String: Any] ?? [:]
        expectClose(inputs["water_withdrawal_l"], 22_000, "withdrawal (2 m³ a month in litres)")
        expectClose(inputs["water_consumed_l"], 15_400, "consumed")
        let flags = k["flags"] as? [[String: Any]] ?? []
        #expect(flags.map { $0["month"] as? String } == ["2024-08"] && flags.first?["code"] as? String == "discharge_exceeds_withdrawal")

        // A month: March, and the site without water data, whose WUE is not measured (never 0).
        let march = try await suite.json(.reporter, "/v1/indicators?from=2024-03&to=2024-03")
        let bySite = Dictionary(uniqueKeysWithValues: (march["sites"] as? [[String: Any]] ?? []).map { ($0["site"] as? String ?? "", $0) })
        let d1March = try #require((bySite["d1"]?["periods"] as? [[String: Any]])?.first)
        expectClose(indicator(d1March, "pue")["value"], 1.25, "March PUE")
        expectClose(indicator(d1March, "wue")["value"], 2, "March WUE")
        let d3 = try #require((bySite["d3"]?["periods"] as? [[String: Any]])?.first)
        #expect(indicator(d3, "wue")["value"] == nil && indicator(d3, "wue")["status"] as? String == "not_measured")
        #expect(indicator(d3, "pue")["status"] as? String == "not_measured")
        #expect((d3["inputs"] as? [String: Any])?["water_withdrawal_l"] == nil)
        let (csvStatus, csv) = try await suite.get(.reporter, "/v1/indicators?from=2024-03&to=2024-03&format=csv")
        let csvLines = String(decoding: csv, as: UTF8.self).split(separator: "\n")
        #expect(csvStatus == 200 && csvLines.count == 3 && csvLines[0].hasPrefix("site,region,period,months,missing_months,pue,pue_status"))
        #expect(csvLines.contains { $0.hasPrefix("d3,dr,2024-03,1,,,not_measured,") }, "\(csvLines)")

        // The same through carbonctl: the columns people read first, "not measured" spelled out.
        let ctl = try suite.carbonctl(["indicators", "--from", "2024-03", "--to", "2024-03"], stdin: nil)
        #expect(ctl.status == 0, "\(ctl.stderr)")
        let ctlLines = ctl.stdout.split(separator: "\n").map(String.init)
        #expect(ctlLines.first?.hasPrefix("site") == true && ctlLines.first?.contains("pue") == true, "\(ctl.stdout)")
        #expect(ctlLines.contains { $0.hasPrefix("d3") && $0.contains("not measured") }, "\(ctl.stdout)")
        #expect(ctlLines.contains { $0.hasPrefix("d1") && $0.contains("1.25") }, "\(ctl.stdout)")

        // Water per tenant, March: site 1,600 L; vm 3/4 = 1,200, db 400; a 3/4 of vm = 900, b 300.
        let site = try #require(row(try await suite.emissions("layer=site&from=2024-03&to=2024-03"), ["site": "d1"]))
        expectClose(site["water_l"], 1_600, "site water")
        let products = try await suite.emissions("layer=product&from=2024-03&to=2024-03&group_by=product")
        expectClose(row(products, ["product": "vm"])?["water_l"], 1_200, "vm water")
        expectClose(row(products, ["product": "db"])?["water_l"], 400, "db water")
        let tenants = try await suite.emissions("layer=tenant&from=2024-03&to=2024-03&group_by=tenant")
        expectClose(row(tenants, ["tenant": "a"])?["water_l"], 900, "a water")
        expectClose(row(tenants, ["tenant": "b"])?["water_l"], 300, "b water")
        // The tenant cell's lineage recomputes its water from the site's records.
        let lineage = try await suite.json(.calculator, "/v1/lineage?layer=tenant&tenant=a&product=vm&region=dr&month=2024-03")
        expectClose((lineage["figures"] as? [String: Any])?["water_l"], 900, "a's water from its lineage")
        // The tenant's inventory report states its water too (CSV: the last column).
        let (reportStatus, report) = try await suite.get(.reporter, "/v1/reports?period=2024-03&tenant=a&format=csv")
        let reportLines = String(decoding: report, as: UTF8.self).split(separator: "\n").map(String.init)
        #expect(reportStatus == 200 && reportLines.first?.hasSuffix(",water_l") == true, "\(reportLines.first ?? "")")
        let totalLine = reportLines.first { $0.contains(",total,measured,") }?.split(separator: ",", omittingEmptySubsequences: false)
        expectClose(totalLine.flatMap { Double($0.last ?? "") }, 900, "a's water in its report")
        // August: more discharged than withdrawn; negative, kept, and allocated the same way.
        let august = try await suite.emissions("layer=tenant&from=2024-08&to=2024-08&group_by=tenant")
        expectClose(row(august, ["tenant": "a"])?["water_l"], -337.5, "a water in August (−600 × 3/4 × 3/4)")

        // The yearly report.
        let eed = try await suite.json(.reporter, "/v1/reports/eed?site=d1&year=2024")
        let fields = Dictionary(uniqueKeysWithValues: (eed["fields"] as? [[String: Any]] ?? []).map { ($0["key"] as? String ?? "", $0) })
        expectClose(fields["total_energy"]?["number"], 11_000, "EED total energy")
        #expect(fields["total_energy"]?["unit"] as? String == "kWh" && fields["total_energy"]?["source"] as? String == "measured")
        expectClose(fields["total_water_input"]?["number"], 22, "EED water m3")
        expectClose(fields["potable_water_input"]?["number"], 22, "EED potable m3")
        expectClose(fields["installed_it_power"]?["number"], 500, "EED IT power")
        #expect(fields["installed_it_power"]?["source"] as? String == "declared" && fields["tier"]?["text"] as? String == "III")
        #expect(fields["name"]?["source"] as? String == "operator_must_provide")
        #expect(fields["waste_heat_temperature"]?["source"] as? String == "operator_must_provide")
        expectClose(fields["pue"]?["number"], 11_000.0 / 8_625, "EED PUE")
        #expect(eed["missing_months"] as? [String] == ["2024-07"])
        let (eedStatus, eedCSV) = try await suite.get(.reporter, "/v1/reports/eed?site=d1&year=2024&format=csv")
        let eedLines = String(decoding: eedCSV, as: UTF8.self).split(separator: "\n")
        #expect(eedStatus == 200 && eedLines.first == "site,year,key,label,value,unit,source,note")
        #expect(eedLines.contains { $0.hasPrefix("d1,2024,total_water_input,Total water input,22.0,m3,measured,") }, "\(eedLines)")
        let d3Report = try await suite.json(.reporter, "/v1/reports/eed?site=d3&year=2024")
        let d3Water = (d3Report["fields"] as? [[String: Any]] ?? []).first { $0["key"] as? String == "total_water_input" }
        #expect(d3Water?["source"] as? String == "not_measured" && d3Water?["number"] == nil)
        #expect(try await suite.get(.reporter, "/v1/reports/eed?site=nowhere&year=2024").0 == 404)
        #expect(try await suite.get(.reporter, "/v1/reports/eed?site=d1&year=24").0 == 400)

        // Targets and alerts: PUE 1.3 for 2024, an alert above 1.5 (December: 1,000 / 625 = 1.6).
        let (targetStatus, targetAnswer) = try await suite.post(
            .reporter, "/v1/indicator-targets",
            body: Data(#"[{"site":"d1","year":2024,"indicator":"pue","target":1.3,"alert_above":1.5},{"site":"d1","year":2024,"indicator":"wue","target":1.5}]"#.utf8),
            contentType: "application/json")
        #expect(targetStatus == 200, "\(String(decoding: targetAnswer, as: UTF8.self))")
        let targets = try await suite.json(.reporter, "/v1/indicator-targets?year=2024")
        let list = targets["targets"] as? [[String: Any]] ?? []
        let pue = try #require(list.first { $0["indicator"] as? String == "pue" })
        expectClose(pue["actual"], 11_000.0 / 8_625, "target's actual")
        #expect(pue["on_track"] as? Bool == true)
        let alerts = pue["alerts"] as? [[String: Any]] ?? []
        #expect(alerts.map { $0["month"] as? String } == ["2024-12"])
        expectClose(alerts.first?["value"], 1.6, "December PUE")
        #expect(list.first { $0["indicator"] as? String == "wue" }?["on_track"] as? Bool == false)
        // The alert is kept once and POSTed to the webhook (the watch runs every 2 s).
        try await suite.waitUntil("December's PUE alert is delivered", seconds: 120) {
            let kept = try await suite.json(.reporter, "/v1/indicator-alerts")["alerts"] as? [[String: Any]] ?? []
            return kept.count == 1 && kept.first?["delivered"] as? Bool == true
        }
        let posted = webhook.bodies.compactMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
        #expect(posted.contains { $0["alert"] as? String == "indicator" && $0["site"] as? String == "d1" && $0["month"] as? String == "2024-12" }, "\(posted)")
        for bad in [
            #"{"site":"d1","year":2024,"indicator":"ghg","target":1}"#, #"{"site":"d1","year":2024,"indicator":"pue","target":-1}"#,
            #"{"site":"","year":2024,"indicator":"pue","target":1}"#, #"{"site":"d1","year":1900,"indicator":"pue","target":1}"#,
            #"{"site":"d1","year":2024,"indicator":"pue","target":1,"alert_above":0}"#,
            // A key given twice: which site would it be? Neither.
            #"{"site":"d1","site":"d3","year":2024,"indicator":"pue","target":1}"#,
        ] {
            let (status, answer) = try await suite.post(.reporter, "/v1/indicator-targets", body: Data(bad.utf8), contentType: "application/json")
            #expect(status == 400, "\(bad): \(String(decoding: answer, as: UTF8.self))")
        }
        await suite.stopAll()
    }
}
