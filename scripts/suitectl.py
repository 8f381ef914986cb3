"""Helpers shared by scripts/bench and scripts/chaos: start and stop a suite in a folder of
its own, send batches, wait for the pipeline to drain, read results."""
import json, os, subprocess, sys, time, urllib.error, urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import topology  # noqa: E402  (topology/suite.json: the suite's ports)

ROOT = topology.ROOT
# The suite's HTTP ports, moved with the same variables scripts/up reads (to run beside another suite).
COLLECTOR = "http://%s:%d" % (topology.load()["host"], topology.instance_port("collector", "http"))
REPORTER = "http://%s:%d" % (topology.load()["host"], topology.instance_port("reporter", "http"))


class Suite:
    def __init__(self, data_dir, release=True, topology=()):
        """`topology`: scripts/up's replica flags, e.g. ("--preprocessors", "2", "--standbys", "1")."""
        self.data_dir = data_dir
        self.env = dict(os.environ, CM_DATA_DIR=data_dir, CM_LOG_LEVEL="warning")
        self.release = release
        self.topology = list(topology)

    def up(self):
        command = [os.path.join(ROOT, "scripts", "up"), "--release" if self.release else "--debug"] + self.topology
        subprocess.run(command, env=self.env, check=True, stdout=subprocess.DEVNULL)

    def down(self):
        subprocess.run([os.path.join(ROOT, "scripts", "down")], env=self.env, stdout=subprocess.DEVNULL)

    def pid(self, instance):
        try:
            return int(open(os.path.join(self.data_dir, "run", instance + ".pid")).read().strip())
        except (OSError, ValueError):
            return None

    def http_port(self, instance):
        """The HTTP port scripts/up gives an instance (`preprocessor-2` ...), as in scripts/lib.sh."""
        service, number = instance.rsplit("-", 1)
        return topology.instance_port(service, "http", int(number) - 1)

    def health(self, instance):
        """The instance's /health report, or None when it does not answer."""
        try:
            return json.loads(get("http://127.0.0.1:%d/health" % self.http_port(instance)))
        except (OSError, ValueError):
            return None

    def declare_demo(self):
        demo = os.path.join(ROOT, "examples", "demo")
        for path, name in (("/v1/sites", "sites.json"), ("/v1/products", "products.json"), ("/v1/factors", "factors.json")):
            post(path, open(os.path.join(demo, name), "rb").read(), "application/json")
        post("/v1/activity", open(os.path.join(demo, "activity.ndjson"), "rb").read(), "application/x-ndjson")

    def wait_drained(self, timeout=600):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if json.loads(get(REPORTER + "/v1/status")).get("drained") is True:
                    return
            except (OSError, ValueError):
                pass
            time.sleep(0.05)
        raise RuntimeError("the pipeline did not drain within %d s" % timeout)

    def results(self):
        """Every layer of the ledger, as parsed JSON (rows are in a stable order)."""
        return {layer: json.loads(get(REPORTER + "/v1/emissions?layer=" + layer)) for layer in ("tenant", "product", "product_site", "site")}


def post(path, body, content_type):
    request = urllib.request.Request(COLLECTOR + path, data=body, headers={"Content-Type": content_type}, method="POST")
    with urllib.request.urlopen(request, timeout=600) as response:
        return response.status, json.loads(response.read())


def post_until_stored(path, body, content_type, attempts=600):
    """Sends a batch until the collector confirms it stored it (200 or 202), as a client
    should when a request is cut off; re-sending is harmless (repeats)."""
    for _ in range(attempts):
        try:
            status, verdict = post(path, body, content_type)
            if status in (200, 202):
                return verdict
        except (OSError, urllib.error.URLError, ValueError):
            pass
        time.sleep(0.1)
    raise RuntimeError("batch not stored after %d attempts" % attempts)


def get(url):
    with urllib.request.urlopen(url, timeout=60) as response:
        return response.read()


def usage_batch(start, count, tenants):
    """NDJSON usage records start..start+count, deterministic, spread over June 2023."""
    lines = []
    for i in range(start, start + count):
        day = 1 + (i // 24) % 30
        hour = i % 24
        product, unit = ("ecs", "vCPU-h") if i % 2 == 0 else ("oss", "GB-h")
        lines.append(
            '{"source":"bench","id":"r%d","kind":"usage","tenant":"t%d","product":"%s","region":"%s",'
            '"start":"2023-06-%02dT%02d:00:00Z","end":"2023-06-%02dT%02d:59:59Z","value":%d,"unit":"%s"}'
            % (i, i % tenants, product, "cn-north" if i % 3 else "cn-east", day, hour, day, hour, 1 + i % 17, unit))
    return "\n".join(lines).encode()
