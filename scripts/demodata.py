#!/usr/bin/env python3
"""The demo's data, generated with a seed: a provider's year and more, worth looking at.

By default 14 months (2023-05 to 2024-06), 3 regions, 5 sites with hourly grid and IT meters,
5 products (3 usage-based, 2 capacity-based), 12 tenants with tags, on-site solar,
certificates, diesel tests, refrigerant leaks and embodied hardware (scripts/providermix.py
makes all of that), and besides it:

  - a public-cloud tenant whose usage is estimated (AWS EC2 in us-east-1, no facility data);
  - monthly business metrics of every tenant (orders), for intensities;
  - a reduction target and a monthly budget per tenant for the last month, one of them below
    what that tenant emitted, so an alert is raised;
  - a few bad lines, which the preprocessor keeps in quarantine with the reason;
  - each site's installed IT power and floor area, its monthly water withdrawal (potable and
    rain) and discharge, cooling energy, and for two sites the heat they export for reuse;
    and a PUE target for the last year per site with an alert threshold, for the data-centre
    indicators (one site's last month is above its threshold).

    scripts/demodata.py --out DIR [--tenants 12 --months 14 --start 2023-05 --seed 7 --sites 5 --regions 3]

writes into DIR: sites.json, products.json, factors.json (POST to the collector's /v1/sites,
/v1/products, /v1/factors), activity.ndjson (/v1/activity), business-metrics.json
(the reporter's /v1/business-metrics), targets.json (/v1/targets), indicator-targets.json
(/v1/indicator-targets) and budgets.json
(/v1/budgets; the one meant to be exceeded is set by scripts/demo from the tenant's actual
figure). The same arguments give the same bytes; raise --tenants or --months for trials.
"""
import argparse, json, os, random, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import providermix  # noqa: E402

COMPANIES = ("acme", "globex", "initech", "umbrella", "hooli", "stark", "wayne", "wonka", "tyrell", "cyberdyne", "soylent",
             "aperture", "massive", "vandelay", "gringotts", "oscorp")
CLOUD_TENANT = "pied-piper"


def generate(out, tenants=12, months=14, start="2023-05", seed=7, sites=5, regions=3, products=5):
    names = [COMPANIES[k] if k < len(COMPANIES) else "tenant-%d" % k for k in range(tenants)]
    mix = providermix.ProviderMix(
        tenants=tenants, sites=sites, regions=regions, products=products, capacity_products=2, months=months, start=start,
        granularity="daily", streams=2.5, active_share=1.0, tag_share=0.6, revision_rate=0.002, repeat_rate=0.002,
        bad_rate=0.0005, seed=seed, tenant_names=names)
    os.makedirs(out, exist_ok=True)
    rng = random.Random(seed)
    month_list = mix.month_list()

    products = mix.product_declarations() + [{"product": "ec2", "unit": "vCPU-h", "basis": "usage"}]
    sites = mix.site_declarations()
    for k, site in enumerate(sites):
        site["it_power_kw"] = 600 + 300 * k
        site["floor_area_m2"] = 1500 + 700 * k
    for name, content in (("sites.json", sites), ("products.json", products),
                          ("factors.json", mix.factor_declarations())):
        with open(os.path.join(out, name), "w") as handle:
            json.dump(content, handle, indent=1)

    lines = 0
    with open(os.path.join(out, "activity.ndjson"), "wb") as handle:
        for line in mix.lines():
            handle.write(line + b"\n")
            lines += 1
        # The public-cloud tenant: a month of EC2 compute at a time, estimated (no facility data).
        for k, month in enumerate(month_list):
            year, number = (int(part) for part in month.split("-"))
            following = "%04d-%02d" % providermix.add_months(year, number, 1)
            record = {"source": "aws-cur", "id": "pp-ec2-%s" % month, "kind": "usage", "tenant": CLOUD_TENANT, "product": "ec2",
                      "region": "us-east-1", "provider": "aws", "resource_type": "compute", "utilization": 0.35,
                      "start": month + "-01T00:00:00Z", "end": following + "-01T00:00:00Z",
                      "value": round(2_000 * (1 + 0.04 * k) * rng.uniform(0.9, 1.1), 1), "unit": "vCPU-h",
                      "tags": {"env": "prod", "team": "compression"}}
            handle.write(json.dumps(record, separators=(",", ":")).encode() + b"\n")
            lines += 1

    # Facility measures per site and month: water in (potable, some rain) and out, cooling
    # energy, and reused heat at the first two sites. A separate generator, so the provider
    # mix's own lines (and the benchmark that uses them) are unchanged.
    water = random.Random(seed + 1)
    with open(os.path.join(out, "activity.ndjson"), "ab") as handle:
        for k, site in enumerate(sites):
            for month in month_list:
                year, number = (int(part) for part in month.split("-"))
                start = month + "-01T00:00:00Z"
                end = "%04d-%02d-01T00:00:00Z" % providermix.add_months(year, number, 1)
                common = {"source": "bms", "site": site["site"], "start": start, "end": end}
                withdrawn = water.uniform(400, 900) * (1 + 0.3 * k)
                records = [
                    {"id": "%s-water-potable-%s" % (site["site"], month), "kind": "facility.water_withdrawal", "value": round(withdrawn * 0.85, 1),
                     "unit": "m3", "water_source": "potable"},
                    {"id": "%s-water-rain-%s" % (site["site"], month), "kind": "facility.water_withdrawal", "value": round(withdrawn * 0.15, 1),
                     "unit": "m3", "water_source": "rain"},
                    {"id": "%s-water-out-%s" % (site["site"], month), "kind": "facility.water_discharge",
                     "value": round(withdrawn * water.uniform(0.2, 0.35) * 1000), "unit": "L"},
                    {"id": "%s-cooling-%s" % (site["site"], month), "kind": "facility.cooling_energy",
                     "value": round(site["it_power_kw"] * 730 * water.uniform(0.12, 0.2)), "unit": "kWh"},
                ]
                if k < 2:
                    records.append({"id": "%s-heat-%s" % (site["site"], month), "kind": "facility.heat_reuse",
                                    "value": round(site["it_power_kw"] * 730 * water.uniform(0.05, 0.1)), "unit": "kWh"})
                for record in records:
                    handle.write(json.dumps(dict(common, **record), separators=(",", ":")).encode() + b"\n")
                    lines += 1

    # Orders per tenant and month: sizes differ, and grow a little over the months.
    metrics = []
    for t, name in enumerate(names + [CLOUD_TENANT]):
        base = rng.lognormvariate(8.0, 1.0)
        for k, month in enumerate(month_list):
            metrics.append({"tenant": name, "month": month, "metric": "orders", "value": round(base * (1 + 0.02 * k)), "unit": "order"})
    with open(os.path.join(out, "business-metrics.json"), "w") as handle:
        json.dump(metrics, handle, indent=1)

    first_year, last_year = int(month_list[0][:4]), int(month_list[-1][:4])
    targets = [{"tenant": name, "baseline_year": first_year, "reduction_percent": 30, "target_year": last_year + 6}
               for name in names[:3]]
    with open(os.path.join(out, "targets.json"), "w") as handle:
        json.dump(targets, handle, indent=1)
    # PUE targets for the last year; scripts/demo sets each alert threshold from the site's
    # figures, one of them just under its last month's PUE, so that an alert shows.
    with open(os.path.join(out, "indicator-targets.json"), "w") as handle:
        json.dump({"year": last_year, "sites": [site["site"] for site in sites], "alerted": sites[0]["site"], "month": month_list[-1]},
                  handle, indent=1)
    # Budgets for the month after the data: each tenant's own, scripts/demo sets them from the
    # last month's actual (one of them below it, so that an alert shows).
    with open(os.path.join(out, "budgets.json"), "w") as handle:
        json.dump({"month": month_list[-1], "tenants": names[:4], "exceeded": names[1]}, handle, indent=1)
    return {"lines": lines, "months": month_list, "tenants": names + [CLOUD_TENANT], "counts": mix.counts}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True, help="folder to write the files into (created if missing)")
    parser.add_argument("--tenants", type=int, default=12, help="tenants of the provider's own products (default 12)")
    parser.add_argument("--months", type=int, default=14, help="calendar months (default 14: trends and year-over-year)")
    parser.add_argument("--start", default="2023-05", help="first month, YYYY-MM (default 2023-05)")
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    parser.add_argument("--sites", type=int, default=5, help="sites, each with hourly meters (default 5)")
    parser.add_argument("--regions", type=int, default=3, help="regions the sites are spread over (default 3)")
    args = parser.parse_args()
    if args.tenants < 4 or args.months < 1 or not 1 <= args.regions <= args.sites:
        parser.error("--tenants must be at least 4, --months at least 1, and --regions between 1 and --sites")
    summary = generate(args.out, tenants=args.tenants, months=args.months, start=args.start, seed=args.seed, sites=args.sites,
                       regions=args.regions)
    print(json.dumps({"lines": summary["lines"], "months": [summary["months"][0], summary["months"][-1]],
                      "tenants": len(summary["tenants"]), "bad": summary["counts"].get("bad", 0)}))


if __name__ == "__main__":
    main()
