#!/usr/bin/env python3
"""The data a cloud provider really sends, generated: declarations and NDJSON activity lines.

Sites in regions, each with hourly grid and IT meters (facility.electricity,
facility.it_electricity), daily IT energy per product (product.it_electricity), daily on-site
solar at every other site, monthly renewable certificates at every third site, a monthly
diesel generator test, refrigerant leaks now and then, embodied hardware racks with 4- and
5-year lifetimes (most already in service when the data starts, some entering service during
it), and monthly sellable capacity of each capacity-based product. Tenants have usage streams
(a product in a region, named by the region or by one of its sites, in the product's unit or
another unit of the same dimension, tagged or not) that report daily or hourly usage. Between
the lines come exact repeats and revisions (a later line with the same source and id and
another value) of earlier lines, and a few bad lines (broken JSON, a line that is not JSON, negative
values, unknown units or regions, end before start, a missing tenant).

Deterministic for a seed: the same arguments give the same bytes. Streams: lines are produced
one by one, so millions of lines never sit in memory (the tenants' stream table and a window
of recent lines for repeats and revisions do).

As a module (scripts/bench):   mix = ProviderMix(tenants=1000, ...); mix.lines() yields bytes
As a command:
    scripts/providermix.py [options] --declarations DIR > activity.ndjson
writes sites.json, products.json, factors.json and an empty activity.ndjson into DIR (the
layout `carbonmeter-baseline --declarations` reads) and the activity lines on stdout.
"""
import argparse, datetime, json, os, random, sys
from collections import deque

# (region, grid, grid factor kgCO2e/kWh by year) -- MEE/NBS regional figures, 2023 for later years.
REGIONS = (
    ("cn-north", "CN-North", {2021: 0.7120, 2022: 0.6776, 2023: 0.6361}),
    ("cn-east", "CN-East", {2021: 0.5992, 2022: 0.5617, 2023: 0.5500}),
    ("cn-south", "CN-South", {2021: 0.4326, 2022: 0.3869, 2023: 0.4042}),
    ("cn-central", "CN-Central", {2021: 0.5354, 2022: 0.5395, 2023: 0.5271}),
    ("cn-southwest", "CN-Southwest", {2021: 0.2113, 2022: 0.2268, 2023: 0.2472}),
    ("cn-northwest", "CN-Northwest", {2021: 0.5951, 2022: 0.5857, 2023: 0.5543}),
    ("cn-northeast", "CN-Northeast", {2021: 0.6012, 2022: 0.5564, 2023: 0.5122}),
)
# (product, allocation unit, other units of the same dimension with their size in the
# allocation unit, mean daily usage of a stream in the allocation unit, share of the IT energy)
USAGE_PRODUCTS = (
    ("ecs", "vCPU-h", (("vCPU-min", 1 / 60), ("vCPU-s", 1 / 3600)), 96.0, 0.40),
    ("rds", "vCPU-h", (("vCPU-min", 1 / 60),), 48.0, 0.15),
    ("cdn", "GB", (("MB", 0.001), ("TB", 1000.0)), 400.0, 0.04),
    ("fc", "GB-s", (("GB-h", 3600.0),), 250_000.0, 0.03),
    ("gpu", "h", (("min", 1 / 60), ("s", 1 / 3600)), 12.0, 0.20),
    ("slb", "h", (("min", 1 / 60),), 24.0, 0.02),
)
CAPACITY_PRODUCTS = (
    ("oss", "GB-h", (("GiB-h", 1.073741824), ("TB-h", 1000.0)), 12_000.0, 0.08),
    ("ebs", "GB-h", (("GiB-h", 1.073741824), ("TiB-h", 1099.511627776)), 4_800.0, 0.05),
    ("nas", "GB-h", (("TB-h", 1000.0),), 2_400.0, 0.02),
    ("redis", "GB-h", (("GiB-h", 1.073741824),), 384.0, 0.01),
)
GASES = (("HFC-134a", 1530), ("R-410A", 2255.5), ("HFC-32", 771))
TAG_KEYS = (("env", ("prod", "staging", "dev", "test")), ("team", tuple("team-%d" % k for k in range(12))),
            ("project", tuple("p%03d" % k for k in range(40))), ("cost_center", tuple("cc-%d" % k for k in range(8))))
HOUR = 3600
DAY = 86400


def iso(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def month_start(year, month):
    return int(datetime.datetime(year, month, 1, tzinfo=datetime.timezone.utc).timestamp())


def add_months(year, month, n):
    k = year * 12 + (month - 1) + n
    return k // 12, k % 12 + 1


def number(x):
    """A JSON number with at most 3 decimals, as a meter export writes it."""
    text = "%.3f" % x
    return text.rstrip("0").rstrip(".") if "." in text else text


class ProviderMix:
    """One provider's data set; `lines()` yields its activity lines (bytes, no newline)."""

    def __init__(self, tenants=1000, sites=3, regions=2, products=4, capacity_products=None, months=2,
                 start="2023-01", granularity="daily", streams=3.0, active_share=1.0, tag_share=0.5,
                 revision_rate=0.005, repeat_rate=0.01, bad_rate=0.001, seed=1, min_lag=0, tenant_names=None):
        if not 1 <= regions <= len(REGIONS):
            raise ValueError("regions must be 1-%d" % len(REGIONS))
        if sites < regions:
            raise ValueError("need at least one site per region (sites >= regions)")
        if capacity_products is None:  # half, within what the catalog holds
            capacity_products = max(products - len(USAGE_PRODUCTS), min(products // 2, len(CAPACITY_PRODUCTS)))
        if not 0 <= capacity_products <= products or capacity_products > len(CAPACITY_PRODUCTS) \
                or products - capacity_products > len(USAGE_PRODUCTS):
            raise ValueError("products: at most %d usage-based and %d capacity-based"
                             % (len(USAGE_PRODUCTS), len(CAPACITY_PRODUCTS)))
        if granularity not in ("daily", "hourly"):
            raise ValueError("granularity is daily or hourly")
        self.tenants, self.months, self.granularity = tenants, months, granularity
        self.streams, self.active_share, self.tag_share = streams, active_share, tag_share
        self.revision_rate, self.repeat_rate, self.bad_rate = revision_rate, repeat_rate, bad_rate
        self.seed, self.min_lag = seed, min_lag
        # Tenant t is named tenant_names[t] when given (the demo's company names), else "t<t>".
        self.tenant_names = list(tenant_names or [])
        self.year, self.month = (int(part) for part in start.split("-"))
        self.regions = REGIONS[:regions]
        # Site k is in region k mod R: bj-like names per region, numbered within it.
        self.sites = []
        for k in range(sites):
            region, grid, _ = self.regions[k % regions]
            self.sites.append(("%s-dc%d" % (region, k // regions + 1), region, grid, k))
        usage = [(p, "usage") for p in USAGE_PRODUCTS[:products - capacity_products]]
        capacity = [(p, "capacity") for p in CAPACITY_PRODUCTS[:capacity_products]]
        # Interleaved, so that --products 4 is ecs, oss, rds, ebs.
        self.products = []
        for k in range(max(len(usage), len(capacity))):
            self.products += ([usage[k]] if k < len(usage) else []) + ([capacity[k]] if k < len(capacity) else [])
        self.first = month_start(self.year, self.month)
        self.end = month_start(*add_months(self.year, self.month, months))
        self.counts = {}

    # ---- declarations ----------------------------------------------------------------------

    def month_list(self):
        return ["%04d-%02d" % add_months(self.year, self.month, k) for k in range(self.months)]

    def site_declarations(self):
        return [{"site": s, "region": r, "grid": g} for s, r, g, _ in self.sites]

    def product_declarations(self):
        return [{"product": p[0], "unit": p[1], "basis": basis} for p, basis in self.products]

    def factor_declarations(self):
        years = range(self.year, add_months(self.year, self.month, self.months - 1)[0] + 1)
        factors = []
        for _, grid, by_year in self.regions:
            for year in years:
                value = by_year.get(year, by_year[2023])
                common = {"region": grid, "unit": "kgCO2e/kWh", "valid_from": "%d-01-01" % year,
                          "valid_to": "%d-01-01" % (year + 1), "version": "1"}
                factors.append(dict(common, factor="grid.%s.%d" % (grid, year), activity="electricity", value=value,
                                    source="MEE/NBS %d regional grid CO2 factor (%s)" % (min(year, 2023), grid)))
                factors.append(dict(common, factor="residual.%s.%d" % (grid, year), activity="residual_electricity",
                                    value=round(value * 0.958, 4),
                                    source="MEE/NBS %d excluding market-traded non-fossil power" % min(year, 2023)))
        factors.append({"factor": "fuel.diesel.epa", "activity": "diesel", "value": 2.697, "unit": "kgCO2e/L",
                        "valid_from": "2000-01-01", "valid_to": "2100-01-01", "version": "1",
                        "source": "US EPA GHG Emission Factors Hub: 10.21 kg CO2/gal"})
        for gas, gwp in GASES:
            factors.append({"factor": "gwp.%s.AR6" % gas, "activity": gas, "value": gwp, "unit": "kgCO2e/kg",
                            "valid_from": "2000-01-01", "valid_to": "2100-01-01", "version": "1", "source": "IPCC AR6 GWP-100"})
        return factors

    def write_declarations(self, folder):
        """The folder `carbonmeter-baseline --declarations` reads (activity.ndjson left empty:
        all activity is in the lines)."""
        os.makedirs(folder, exist_ok=True)
        for name, content in (("sites.json", self.site_declarations()), ("products.json", self.product_declarations()),
                              ("factors.json", self.factor_declarations())):
            with open(os.path.join(folder, name), "w") as out:
                json.dump(content, out, indent=1)
        open(os.path.join(folder, "activity.ndjson"), "w").close()

    def revision_target(self):
        """(factor declaration, region, month): a revised grid factor for the first region's grid
        valid in the first month only, which restates exactly that region-month."""
        region, grid, by_year = self.regions[0]
        month = self.month_list()[0]
        following = "%04d-%02d-01" % add_months(self.year, self.month, 1)
        factor = {"factor": "grid.%s.%s" % (grid, month), "activity": "electricity", "region": grid,
                  "value": round(by_year.get(self.year, by_year[2023]) * 1.05, 4), "unit": "kgCO2e/kWh",
                  "valid_from": month + "-01", "valid_to": following, "source": "bench: revised monthly grid factor", "version": "2"}
        return factor, region, month

    # ---- the tenants' usage streams ----------------------------------------------------------

    def tenant_name(self, t):
        return self.tenant_names[t] if t < len(self.tenant_names) else "t%d" % t

    def _streams(self, rng):
        """Every usage stream: (id prefix, fields up to start, unit, unit size, daily mean, tags, product, region)."""
        streams = []
        sites_of = {r: [s for s, region, _, _ in self.sites if region == r] for r, _, _ in self.regions}
        weights = [1.0 / (k + 1) for k in range(len(self.regions))]  # the first regions are the larger ones
        for t in range(self.tenants):
            tenant = self.tenant_name(t)
            size = rng.lognormvariate(0.0, 1.0)  # tenants differ in size by orders of magnitude
            home = _weighted(rng, weights)
            # 1 + a geometric number of further streams, mean `streams`.
            count, extra = 1, self.streams - 1.0
            while extra > 0 and rng.random() < extra / (extra + 1.0):
                count += 1
            for k in range(count):
                (product, unit, others, mean, _), _basis = self.products[int(rng.random() * len(self.products))]
                region = self.regions[home if rng.random() < 0.8 else int(rng.random() * len(self.regions))][0]
                if rng.random() < 0.4:
                    place = '"site":"%s"' % sites_of[region][int(rng.random() * len(sites_of[region]))]
                else:
                    place = '"region":"%s"' % region
                scale = 1.0
                if others and rng.random() < 0.3:
                    unit, scale = others[int(rng.random() * len(others))]
                tags = ""
                if rng.random() < self.tag_share:
                    chosen = [key for key in TAG_KEYS if rng.random() < 0.6] or [TAG_KEYS[0]]
                    tags = ',"tags":{%s}' % ",".join('"%s":"%s"' % (key, values[int(rng.random() * len(values))])
                                                       for key, values in chosen)
                head = '{"source":"billing","id":"%s.%d.' % (tenant, k)
                fields = '","kind":"usage","tenant":"%s","product":"%s",%s,"start":"' % (tenant, product, place)
                streams.append((head, fields, unit, scale, mean * size, tags, product, region))
        return streams

    # ---- the lines -----------------------------------------------------------------------------

    def lines(self):
        """Every activity line in the order a provider sends them, as bytes (no newline)."""
        rng = random.Random(self.seed)
        self.counts = dict.fromkeys(("facility", "usage", "embodied", "repeats", "revisions", "bad"), 0)
        streams = self._streams(rng)
        emitted = 0
        pending = deque()  # (line number, line) not yet old enough to be repeated or revised
        window, slot = [], 0  # lines that may be repeated or revised, newest overwrite oldest
        capacity = 20_000

        def extras(line):
            """After a good line: maybe a repeat, a revision, a bad line."""
            nonlocal emitted, slot
            out = []
            pending.append((emitted, line))
            while pending and pending[0][0] <= emitted - self.min_lag:
                if len(window) < capacity:
                    window.append(pending.popleft()[1])
                else:
                    window[slot] = pending.popleft()[1]
                    slot = (slot + 1) % capacity
            if window and rng.random() < self.repeat_rate:
                out.append(window[int(rng.random() * len(window))])
                self.counts["repeats"] += 1
            if window and rng.random() < self.revision_rate:
                k = int(rng.random() * len(window))
                head, _, rest = window[k].partition('"value":')
                value, comma, tail = rest.partition(",")
                revised = '%s"value":%s%s%s' % (head, number(float(value) * (0.9 + 0.2 * rng.random()) + 0.001), comma, tail)
                window[k] = revised
                out.append(revised)
                self.counts["revisions"] += 1
            if rng.random() < self.bad_rate:
                out.append(self._bad_line(rng, line))
                self.counts["bad"] += 1
            return out

        def emit(line, kind):
            nonlocal emitted
            self.counts[kind] += 1
            yield line.encode()
            emitted += 1
            for extra in extras(line) if kind != "embodied" else ():
                yield extra.encode()
                emitted += 1

        # The hardware inventory first (a CMDB export): racks per product, network gear per site.
        later = []  # racks entering service during the period: (start, line)
        for site, _, _, k in self.sites:
            for (product, *_), _ in self.products:
                for rack in range(4 + int(rng.random() * 5)):
                    start = self.first - int(rng.random() * 36 * 30) * DAY if rng.random() < 0.85 \
                        else self.first + int(rng.random() * (self.end - self.first) / DAY) * DAY
                    line = ('{"source":"cmdb","id":"%s-%s-rack-%d","kind":"hardware.embodied","site":"%s","product":"%s",'
                            '"start":"%s","value":%s,"unit":"tCO2e","lifetime_months":%d}'
                            % (site, product, rack, site, product, iso(start), number(20 + 40 * rng.random()), 48 if rng.random() < 0.6 else 60))
                    if start >= self.first:
                        later.append((start, line))  # sent the day it enters service
                    else:
                        yield from emit(line, "embodied")
            line = ('{"source":"cmdb","id":"%s-network","kind":"hardware.embodied","site":"%s","start":"%s","value":%s,"unit":"tCO2e","lifetime_months":60}'
                    % (site, site, iso(self.first - (200 + k * 90) * DAY), number(8 + 8 * rng.random())))
            yield from emit(line, "embodied")
        later.sort()

        # Per-site profiles: IT load (kW), PUE, solar, shares of the IT energy per product.
        profiles = {}
        for site, _, _, k in self.sites:
            shares = [p[4] * (0.7 + 0.6 * rng.random()) for p, _ in self.products]
            total = sum(shares)
            profiles[site] = (2000 + 6000 * rng.random(), 1.25 + 0.25 * rng.random(), k % 2 == 0, k % 3 == 1,
                              [0.96 * s / total for s in shares])
        # Capacity per site and month: what the region's streams use, spread over its sites, plus headroom.
        demand = {}
        for _, _, _, _, mean, _, product, region in streams:
            demand[(product, region)] = demand.get((product, region), 0.0) + mean * self.active_share
        site_count = {r: sum(1 for s in self.sites if s[1] == r) for r, _, _ in self.regions}

        day = self.first
        while day < self.end:
            date = iso(day)[:10]
            y, m, d = (int(x) for x in date.split("-"))
            month_end = month_start(*add_months(y, m, 1))
            # Monthly records at the start of each month: capacity, and the generator test day.
            if d == 1:
                for site, region, _, k in self.sites:
                    for (product, unit, _, _, _), basis in self.products:
                        if basis != "capacity":
                            continue
                        hours = (month_end - day) / HOUR
                        value = 1.5 * demand.get((product, region), 0.0) / site_count[region] * hours / 24 + 1000.0
                        yield from emit('{"source":"capacity-planner","id":"%s-%s-capacity-%s","kind":"product.capacity","site":"%s","product":"%s",'
                                        '"start":"%s","end":"%s","value":%s,"unit":"%s"}'
                                        % (site, product, date[:7], site, product, iso(day), iso(month_end), number(value), unit), "facility")
            while later and later[0][0] < day + DAY:
                yield from emit(later.pop(0)[1], "embodied")
            # Hourly meters of every site.
            for site, _, _, k in self.sites:
                it_kw, pue, solar, ppa, shares = profiles[site]
                it_day = 0.0
                solar_day = 0.0
                for h in range(24):
                    t = day + h * HOUR
                    it = it_kw * (0.92 + 0.08 * rng.random() + 0.05 * (8 <= h < 20))
                    facility = it * (pue + 0.05 * (11 <= h < 17))
                    sun = it_kw * 0.06 * max(0.0, 1 - abs(h - 12.5) / 6.5) if solar else 0.0
                    it_day += it
                    solar_day += sun
                    stamp = "%s%02d" % (date.replace("-", ""), h)
                    yield from emit('{"source":"meters","id":"%s-grid-%s","kind":"facility.electricity","site":"%s","start":"%s","end":"%s","value":%s,"unit":"kWh"}'
                                    % (site, stamp, site, iso(t), iso(t + HOUR), number(facility - sun)), "facility")
                    yield from emit('{"source":"meters","id":"%s-it-%s","kind":"facility.it_electricity","site":"%s","start":"%s","end":"%s","value":%s,"unit":"kWh"}'
                                    % (site, stamp, site, iso(t), iso(t + HOUR), number(it)), "facility")
                for ((product, *_), _), share in zip(self.products, shares):
                    yield from emit('{"source":"dcim","id":"%s-%s-it-%s","kind":"product.it_electricity","site":"%s","product":"%s","start":"%s","end":"%s","value":%s,"unit":"%s"}'
                                    % (site, product, date, site, product, iso(day), iso(day + DAY),
                                       *((number(it_day * share / 1000), "MWh") if k % 2 else (number(it_day * share), "kWh"))), "facility")
                if solar:
                    yield from emit('{"source":"bms","id":"%s-solar-%s","kind":"facility.onsite_renewable","site":"%s","start":"%s","end":"%s","value":%s,"unit":"kWh"}'
                                    % (site, date, site, iso(day), iso(day + DAY), number(solar_day)), "facility")
                if d == 3:  # monthly diesel generator test, two hours
                    t = day + 10 * HOUR
                    litres = 150 + 250 * rng.random()
                    yield from emit('{"source":"ops","id":"%s-diesel-%s","kind":"facility.fuel","site":"%s","fuel":"diesel","start":"%s","end":"%s","value":%s,"unit":"%s"}'
                                    % (site, date, site, iso(t), iso(t + 2 * HOUR), *((number(litres), "L") if k % 2 else (number(litres / 1000), "m3"))), "facility")
                if rng.random() < 1 / 45:  # a refrigerant leak found on a round
                    gas = GASES[int(rng.random() * len(GASES))][0]
                    t = day + int(rng.random() * 24) * HOUR
                    yield from emit('{"source":"ops","id":"%s-leak-%s","kind":"facility.refrigerant","site":"%s","gas":"%s","start":"%s","end":"%s","value":%s,"unit":"kg"}'
                                    % (site, date, site, gas, iso(t), iso(t + HOUR), number(2 + 13 * rng.random())), "facility")
                if ppa and day + DAY == month_end:  # certificates matched to the month, at its end
                    yield from emit('{"source":"energy-desk","id":"%s-certificates-%s","kind":"facility.certificate","site":"%s","start":"%s","end":"%s","value":%s,"unit":"MWh"}'
                                    % (site, date[:7], site, iso(month_start(y, m)), iso(month_end), number(it_kw * 24 * 30 * 0.3 / 1000)), "facility")
            # The tenants' usage of the day.
            hourly = self.granularity == "hourly"
            for head, fields, unit, scale, mean, tags, _, _ in streams:
                if self.active_share < 1.0 and rng.random() >= self.active_share:
                    continue
                amount = mean * (0.6 + 0.8 * rng.random()) / scale
                if hourly:
                    for h in range(24):
                        t = day + h * HOUR
                        yield from emit('%s%s%02d%s%s","end":"%s","value":%s,"unit":"%s"%s}'
                                        % (head, date, h, fields, iso(t), iso(t + HOUR), number(amount / 24 * (0.8 + 0.4 * rng.random())), unit, tags), "usage")
                else:
                    yield from emit('%s%s%s%s","end":"%s","value":%s,"unit":"%s"%s}'
                                    % (head, date, fields, iso(day), iso(day + DAY), number(amount), unit, tags), "usage")
            day += DAY

    def _bad_line(self, rng, line):
        """A line the suite must reject, naming why (kept in quarantine)."""
        n = self.counts["bad"]
        choice = int(rng.random() * 7)
        if choice == 0:
            return line[: len(line) // 2]  # cut off mid-record
        if choice == 1:
            return "ERROR 502 upstream export interrupted"
        good = ('{"source":"billing","id":"bad-%d","kind":"usage","tenant":"' + self.tenant_name(0)
                + '","product":"%s","region":"%s","start":"%s","end":"%s","value":%s,"unit":"%s"}')
        product, unit = self.products[0][0][0], self.products[0][0][1]
        region = self.regions[0][0]
        start, end = iso(self.first), iso(self.first + DAY)
        if choice == 2:
            return good % (n, product, region, start, end, "-3", unit)
        if choice == 3:
            return good % (n, product, region, start, end, "1", unit + "ours")
        if choice == 4:  # a region no declared site is in
            return good % (n, product, "atlantis-1", start, end, "1", unit)
        if choice == 5:
            return good % (n, product, region, end, start, "1", unit)
        return good.replace('"tenant":"%s",' % self.tenant_name(0), "") % (n, product, region, start, end, "1", unit)


def _weighted(rng, weights):
    x = rng.random() * sum(weights)
    for k, w in enumerate(weights):
        x -= w
        if x < 0:
            return k
    return len(weights) - 1


def add_arguments(parser):
    """The provider-mix parameters, shared with scripts/bench."""
    group = parser.add_argument_group("provider mix")
    group.add_argument("--tenants", type=int, default=1_000, help="tenants (default 1000)")
    group.add_argument("--sites", type=int, default=3, help="data-center sites, spread over the regions (default 3)")
    group.add_argument("--regions", type=int, default=2, help="regions, 1-%d (default 2)" % len(REGIONS))
    group.add_argument("--products", type=int, default=4,
                       help="products, at most %d usage-based + %d capacity-based (default 4)" % (len(USAGE_PRODUCTS), len(CAPACITY_PRODUCTS)))
    group.add_argument("--capacity-products", type=int, default=None, help="how many of them are capacity-based (default half, as far as the catalog allows)")
    group.add_argument("--months", type=int, default=2, help="calendar months of data (default 2)")
    group.add_argument("--start", default="2023-01", help="first month, YYYY-MM (default 2023-01)")
    group.add_argument("--granularity", choices=("daily", "hourly"), default="daily", help="period of a usage record (default daily)")
    group.add_argument("--streams", type=float, default=3.0,
                       help="mean usage streams per tenant (a product in a region; each tenant has at least one; default 3)")
    group.add_argument("--active-share", type=float, default=1.0,
                       help="share of days on which a stream reports usage (1 = every day; lower for sporadic tenants)")
    group.add_argument("--tag-share", type=float, default=0.5, help="share of usage streams whose records carry tags (default 0.5)")
    group.add_argument("--revision-rate", type=float, default=0.005, help="revisions of an earlier line per line (default 0.005)")
    group.add_argument("--repeat-rate", type=float, default=0.01, help="exact repeats of an earlier line per line (default 0.01)")
    group.add_argument("--bad-rate", type=float, default=0.001, help="bad lines per line (default 0.001)")
    group.add_argument("--seed", type=int, default=1, help="random seed; the same seed gives the same lines (default 1)")


def from_arguments(args, min_lag=0):
    return ProviderMix(tenants=args.tenants, sites=args.sites, regions=args.regions, products=args.products,
                       capacity_products=args.capacity_products, months=args.months, start=args.start,
                       granularity=args.granularity, streams=args.streams, active_share=args.active_share,
                       tag_share=args.tag_share, revision_rate=args.revision_rate, repeat_rate=args.repeat_rate,
                       bad_rate=args.bad_rate, seed=args.seed, min_lag=min_lag)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser)
    parser.add_argument("--declarations", metavar="DIR", help="also write sites.json, products.json, factors.json and an empty activity.ndjson here")
    parser.add_argument("--min-lag", type=int, default=0, help="lines between a line and its repeat or revision, at least (default 0)")
    args = parser.parse_args()
    try:
        mix = from_arguments(args, args.min_lag)
    except ValueError as error:
        parser.error(str(error))
    if args.declarations:
        mix.write_declarations(args.declarations)
    out = sys.stdout.buffer
    for line in mix.lines():
        out.write(line + b"\n")
    out.flush()
    print("lines: " + ", ".join("%s %d" % kv for kv in mix.counts.items()), file=sys.stderr)


if __name__ == "__main__":
    main()
