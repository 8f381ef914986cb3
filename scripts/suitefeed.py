#!/usr/bin/env python3
"""Feeds a running suite a fixed dataset and reads its results back, with or without
authentication: what scripts/compose-test does to a suite under docker-compose and to one
started by scripts/up, so the two can be compared figure for figure.

    scripts/suitefeed.py login --auth URL --password-file FILE         # prints a token
    scripts/suitefeed.py feed declarations|part1|part2 [--ingest-endpoint tcp://...] [--curve-dir DIR] [--progress FILE]
    scripts/suitefeed.py drain [--timeout 300]
    scripts/suitefeed.py results --out FILE
    scripts/suitefeed.py compare A.json B.json [C.json ...]
    scripts/suitefeed.py check-security --ingest-endpoint tcp://... [--curve-dir DIR]

The suite is found through CM_COLLECTOR_URL and CM_REPORTER_URL (default the scripts/up ports),
and CM_TOKEN, when set, is sent as `Authorization: Bearer` (and as `api_key` over ZeroMQ).

The dataset is the same bytes every time: the declarations and activity of examples/demo (3
sites in 2 regions, 2 products, June 2023), then 8,000 usage records of 12 tenants
(scripts/suitectl.py usage_batch) in batches of 500. `part1` sends examples/demo's activity and
records 0-5999, `part2` records 6000-7899 over HTTP and 7900-7999 over the collector's ZeroMQ
ingest endpoint when --ingest-endpoint is given (with CURVE when --curve-dir holds
external-collector.key and collector.pub), over HTTP otherwise. Every batch is sent again until
the collector has stored it (200, or 202 while a preprocessor is away); a record rejected, or a
refusal, stops the feed with an error. --progress appends a line to FILE for every batch stored
(to act mid-way through a part).
"""
import argparse, json, os, sys, time, urllib.error, urllib.request, uuid
from datetime import datetime, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import suitectl  # noqa: E402
from suitectl import ROOT, usage_batch  # noqa: E402

COLLECTOR = os.environ.get("CM_COLLECTOR_URL", suitectl.COLLECTOR)
REPORTER = os.environ.get("CM_REPORTER_URL", suitectl.REPORTER)
TOKEN = os.environ.get("CM_TOKEN", "")
DEMO = os.path.join(ROOT, "examples", "demo")
TENANTS = 12
BATCH = 500
# The layers and groupings compared between runs; rows come in a stable order.
QUERIES = [
    "layer=tenant", "layer=product", "layer=product_site", "layer=site",
    "layer=tenant&group_by=tenant,product,region,month", "layer=tenant&group_by=tenant&granularity=day",
]


def request(url, body=None, content_type="application/json", timeout=60):
    headers = {"Content-Type": content_type} if body is not None else {}
    if TOKEN:
        headers["Authorization"] = "Bearer " + TOKEN
    req = urllib.request.Request(url, data=body, headers=headers, method="POST" if body is not None else "GET")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def store(path, body, content_type, deadline_s=180):
    """Sends one batch until the collector has stored it; returns its verdict."""
    deadline = time.monotonic() + deadline_s
    last = "no answer"
    while time.monotonic() < deadline:
        try:
            status, answer = request(COLLECTOR + path, body, content_type, timeout=60)
        except OSError as error:
            status, answer = None, str(error).encode()
        if status in (200, 202):
            verdict = json.loads(answer)
            if verdict.get("rejected"):
                sys.exit("%s: records rejected: %s" % (path, json.dumps(verdict["rejected"][:3])))
            return verdict
        if status in (400, 401, 403, 413, 415):
            sys.exit("%s: refused with %s: %s" % (path, status, answer[:300].decode(errors="replace")))
        last = "%s %s" % (status, answer[:200].decode(errors="replace"))
        time.sleep(0.5)
    sys.exit("%s: not stored within %d s (last: %s)" % (path, deadline_s, last))


def usage_batches(first, last):
    return [usage_batch(start, min(BATCH, last - start), TENANTS) for start in range(first, last, BATCH)]


def zmq_client(endpoint, curve_dir):
    import zmq  # pyzmq (PyPI); CI installs it
    socket = zmq.Context.instance().socket(zmq.DEALER)
    socket.setsockopt(zmq.LINGER, 0)
    if curve_dir:
        secret = open(os.path.join(curve_dir, "external-collector.key"), "rb").read().strip()
        socket.curve_secretkey = secret
        socket.curve_publickey = zmq.curve_public(secret)
        socket.curve_serverkey = open(os.path.join(curve_dir, "collector.pub"), "rb").read().strip()
    socket.connect(endpoint)
    return socket


def zmq_ingest(socket, body, timeout_s):
    """One request on the ingest endpoint (docs/ingest-protocol.md); the reply header, or None."""
    header = {
        "id": uuid.uuid4().hex, "type": "ingest.activity.v1",
        "source": {"service": "suitefeed", "instance": "1"},
        "created_at": datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
    }
    if TOKEN:
        header["api_key"] = TOKEN
    socket.send_multipart([b"CM01", b"REQ", json.dumps(header).encode(), body])
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not socket.poll(int(max(0.0, deadline - time.monotonic()) * 1000) + 1):
            break
        frames = socket.recv_multipart()
        if len(frames) >= 3 and frames[1] == b"REP" and json.loads(frames[2]).get("correlation_id") == header["id"]:
            return json.loads(frames[2]), (frames[3] if len(frames) > 3 else b"")
    return None


def feed(args):
    sent = 0
    progress = open(args.progress, "a", buffering=1) if args.progress else None

    def store_one(path, body, content_type):
        verdict = store(path, body, content_type)
        if progress:
            progress.write("%s %s %d\n" % (path, verdict.get("status"), verdict.get("received", 0)))
        return verdict

    if args.part == "declarations":
        for path, name in (("/v1/sites", "sites.json"), ("/v1/products", "products.json"), ("/v1/factors", "factors.json")):
            verdict = store_one(path, open(os.path.join(DEMO, name), "rb").read(), "application/json")
            sent += verdict.get("received", 0)
    elif args.part == "part1":
        verdict = store_one("/v1/activity", open(os.path.join(DEMO, "activity.ndjson"), "rb").read(), "application/x-ndjson")
        sent += verdict.get("received", 0)
        for body in usage_batches(0, 6000):
            sent += store_one("/v1/activity", body, "application/x-ndjson").get("received", 0)
    else:
        for body in usage_batches(6000, 7900):
            sent += store_one("/v1/activity", body, "application/x-ndjson").get("received", 0)
        last = usage_batch(7900, 100, TENANTS)
        if args.ingest_endpoint:
            socket = zmq_client(args.ingest_endpoint, args.curve_dir)
            reply = None
            for _ in range(5):
                reply = zmq_ingest(socket, last, 30)
                if reply and reply[0].get("status") in (200, 202):
                    break
                socket.close()
                socket = zmq_client(args.ingest_endpoint, args.curve_dir)
            if not reply or reply[0].get("status") not in (200, 202):
                sys.exit("ZeroMQ ingest at %s: %s" % (args.ingest_endpoint, reply[0] if reply else "no reply"))
            verdict = json.loads(reply[1] or b"{}")
            if verdict.get("rejected"):
                sys.exit("ZeroMQ ingest: records rejected: %s" % json.dumps(verdict["rejected"][:3]))
            sent += verdict.get("received", 0)
            socket.close()
        else:
            sent += store_one("/v1/activity", last, "application/x-ndjson").get("received", 0)
    print("%s: %d records stored" % (args.part, sent))


def drain(args):
    deadline = time.monotonic() + args.timeout
    last = None
    while time.monotonic() < deadline:
        try:
            status, answer = request(REPORTER + "/v1/status", timeout=30)
            if status == 200:
                last = json.loads(answer)
                if last.get("drained") is True:
                    return
            else:
                last = "%s %s" % (status, answer[:200].decode(errors="replace"))
        except (OSError, ValueError) as error:
            last = str(error)
        time.sleep(0.25)
    sys.exit("the pipeline did not drain within %d s; last status: %s" % (args.timeout, json.dumps(last)[:600]))


def results(args):
    out = {}
    for query in QUERIES:
        status, answer = request(REPORTER + "/v1/emissions?" + query)
        if status != 200:
            sys.exit("/v1/emissions?%s: %s %s" % (query, status, answer[:300].decode(errors="replace")))
        out[query] = json.loads(answer)
    with open(args.out, "w") as handle:
        json.dump(out, handle, indent=1, sort_keys=True)
    tenant = out["layer=tenant"]
    totals = tenant.get("totals", {})
    print("results: %d tenant rows; measured location-based total %r kg" % (
        len(tenant.get("rows", [])), totals.get("measured", {}).get("total_location")))


def compare(args):
    """Exit 0 when every file holds the same results as the first, to the last digit."""
    first = json.load(open(args.files[0]))
    if not first["layer=tenant"].get("rows"):
        sys.exit("%s has no tenant rows: nothing was calculated" % args.files[0])
    differ = False
    for other_path in args.files[1:]:
        other = json.load(open(other_path))
        for query in QUERIES:
            if first.get(query) != other.get(query):
                differ = True
                print("DIFFERENT: %s vs %s for /v1/emissions?%s" % (args.files[0], other_path, query))
    if differ:
        sys.exit(1)

    def numbers(value):
        if isinstance(value, dict):
            return sum(numbers(v) for v in value.values())
        if isinstance(value, list):
            return sum(numbers(v) for v in value)
        return 1 if isinstance(value, (int, float)) and not isinstance(value, bool) else 0

    rows = sum(len(first[query].get("rows", [])) for query in QUERIES)
    print("identical, to the last digit: %d queries, %d rows, %d figures: %s" % (
        len(QUERIES), rows, numbers(first), ", ".join(os.path.basename(f) for f in args.files)))


def check_security(args):
    """Authentication and CURVE are on: no token, no data; a plaintext ZeroMQ client gets no reply."""
    global TOKEN
    saved, TOKEN = TOKEN, ""
    for url in (COLLECTOR + "/v1/activity", REPORTER + "/v1/emissions"):
        status, _ = request(url, b"[]" if "activity" in url else None)
        if status != 401:
            sys.exit("%s answered %s without a token (expected 401)" % (url, status))
    TOKEN = saved
    if args.ingest_endpoint:
        socket = zmq_client(args.ingest_endpoint, None)  # no CURVE keys
        if zmq_ingest(socket, usage_batch(0, 1, TENANTS), 3) is not None:
            sys.exit("the ingest endpoint %s answered a plaintext client" % args.ingest_endpoint)
        socket.close()
    print("security: 401 without a token%s" % (", no reply to a plaintext ZeroMQ client" if args.ingest_endpoint else ""))


def login(args):
    auth = args.auth.rstrip("/")
    password = open(args.password_file).read().splitlines()[0]
    body = json.dumps({"username": "admin", "password": password}).encode()
    deadline = time.monotonic() + 60
    while True:
        try:
            status, answer = request(auth + "/v1/login", body)
        except OSError as error:
            status, answer = None, str(error).encode()
        if status == 200:
            print(json.loads(answer)["token"])
            return
        if time.monotonic() > deadline or status in (400, 401):
            sys.exit("login at %s: %s %s" % (auth, status, answer[:200].decode(errors="replace")))
        time.sleep(1)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("login")
    p.add_argument("--auth", required=True)
    p.add_argument("--password-file", required=True)
    p.set_defaults(run=login)
    p = commands.add_parser("feed")
    p.add_argument("part", choices=["declarations", "part1", "part2"])
    p.add_argument("--ingest-endpoint")
    p.add_argument("--curve-dir")
    p.add_argument("--progress")
    p.set_defaults(run=feed)
    p = commands.add_parser("drain")
    p.add_argument("--timeout", type=float, default=300)
    p.set_defaults(run=drain)
    p = commands.add_parser("results")
    p.add_argument("--out", required=True)
    p.set_defaults(run=results)
    p = commands.add_parser("compare")
    p.add_argument("files", nargs="+")
    p.set_defaults(run=compare)
    p = commands.add_parser("check-security")
    p.add_argument("--ingest-endpoint")
    p.set_defaults(run=check_security)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
