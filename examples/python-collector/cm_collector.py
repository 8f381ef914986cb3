#!/usr/bin/env python3
"""An example CarbonMeter collector over ZeroMQ, written from docs/ingest-protocol.md alone.

Reads NDJSON (.ndjson, .jsonl), JSON array (.json) or CSV (.csv) files and sends their records
to the collector's ZeroMQ ingest endpoint in batches, one request per batch, and prints the
verdict of every batch as one JSON line on stdout.

    python3 cm_collector.py --endpoint tcp://127.0.0.1:5560 --entity activity data.ndjson usage.csv

Exit status: 0 when every batch was stored (status 200 processed or 202 queued), 1 when the
collector refused a batch (4xx/5xx), 2 when the collector did not answer after every retry.

Re-sending a batch is harmless: records are identified by (source, id), so a batch sent again
after a lost reply counts its records as repeats. That is why a timeout simply retries.
"""

import argparse
import csv
import io
import json
import os
import sys
import time
import uuid
from datetime import datetime, timezone

import zmq

SIGNATURE = b"CM01"
ENTITIES = ("activity", "sites", "products", "factors")


def batches_of(path, batch_size):
    """Yields (body bytes, record count) for the records of one file, batch_size at a time."""
    lower = path.lower()
    with open(path, "r", encoding="utf-8-sig", newline="") as handle:
        if lower.endswith(".csv"):
            # Re-emit rows with the csv module so quoted fields (even with newlines) stay whole.
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None:
                return
            rows = []
            for row in reader:
                if not any(cell.strip() for cell in row):
                    continue
                rows.append(row)
                if len(rows) == batch_size:
                    yield csv_body(header, rows), len(rows)
                    rows = []
            if rows:
                yield csv_body(header, rows), len(rows)
        elif lower.endswith(".json"):
            records = json.load(handle)
            if isinstance(records, dict):
                records = [records]
            for start in range(0, len(records), batch_size):
                chunk = records[start:start + batch_size]
                yield json.dumps(chunk, separators=(",", ":")).encode("utf-8"), len(chunk)
        else:  # NDJSON: lines are sent as they are, so the collector reports bad ones by line.
            lines = []
            for line in handle:
                if not line.strip():
                    continue
                lines.append(line.rstrip("\r\n"))
                if len(lines) == batch_size:
                    yield ("\n".join(lines) + "\n").encode("utf-8"), len(lines)
                    lines = []
            if lines:
                yield ("\n".join(lines) + "\n").encode("utf-8"), len(lines)


def csv_body(header, rows):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


class IngestClient:
    """One DEALER socket to the ingest endpoint; one request in flight at a time."""

    def __init__(self, endpoint, api_key, name, instance):
        self.context = zmq.Context.instance()
        self.endpoint = endpoint
        self.api_key = api_key
        self.name = name
        self.instance = instance
        self.socket = None
        self.connect()

    def connect(self):
        if self.socket is not None:
            self.socket.close(linger=0)
        self.socket = self.context.socket(zmq.DEALER)
        self.socket.setsockopt(zmq.LINGER, 0)
        self.socket.connect(self.endpoint)

    def send(self, entity, body, timeout_s, retries):
        """Sends one batch; returns (reply header dict, reply body bytes) or None after every retry timed out."""
        delay = 0.5
        for attempt in range(retries + 1):
            header = {
                "id": uuid.uuid4().hex,
                "type": "ingest.%s.v1" % entity,
                "source": {"service": self.name, "instance": self.instance},
                "created_at": datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            }
            if self.api_key:
                header["api_key"] = self.api_key
            self.socket.send_multipart([SIGNATURE, b"REQ", json.dumps(header).encode("utf-8"), body])
            reply = self.wait_for(header["id"], timeout_s)
            if reply is None:
                # Lost request or reply: start over on a fresh socket so a late reply cannot confuse us.
                self.connect()
            elif reply[0].get("status") == 503:
                pass  # busy: back off and try again
            else:
                return reply
            if attempt < retries:
                time.sleep(delay)
                delay = min(delay * 2, 10)
        return None

    def wait_for(self, request_id, timeout_s):
        deadline = time.monotonic() + timeout_s
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not self.socket.poll(int(remaining * 1000)):
                return None
            frames = self.socket.recv_multipart()
            if len(frames) < 3 or frames[0] != SIGNATURE or frames[1] != b"REP":
                continue
            header = json.loads(frames[2])
            if header.get("correlation_id") not in (request_id, None):
                continue  # a late reply to an earlier attempt
            return header, frames[3] if len(frames) > 3 else b""


def main(argv=None):
    parser = argparse.ArgumentParser(description="Send NDJSON / JSON / CSV files to a CarbonMeter collector over ZeroMQ.")
    parser.add_argument("files", nargs="+", help="files to send (.ndjson/.jsonl, .json, .csv)")
    parser.add_argument("--endpoint", default=os.environ.get("CM_INGEST_ENDPOINT", "tcp://127.0.0.1:5560"))
    parser.add_argument("--entity", default="activity", choices=ENTITIES)
    parser.add_argument("--api-key", default=os.environ.get("CM_API_KEY"), help="API key (or env CM_API_KEY)")
    parser.add_argument("--batch-size", type=int, default=5000)
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for each reply")
    parser.add_argument("--retries", type=int, default=3)
    parser.add_argument("--name", default="python-collector", help="source.service in the header")
    args = parser.parse_args(argv)

    client = IngestClient(args.endpoint, args.api_key, args.name, str(os.getpid()))
    exit_code = 0
    for path in args.files:
        for body, count in batches_of(path, args.batch_size):
            reply = client.send(args.entity, body, args.timeout, args.retries)
            if reply is None:
                print(json.dumps({"file": path, "records": count, "status": None,
                                  "error": "no reply from %s" % args.endpoint}), flush=True)
                return 2
            header, reply_body = reply
            line = {"file": path, "records": count, "status": header.get("status")}
            if header.get("status") in (200, 202):
                line["verdict"] = json.loads(reply_body)
            else:
                line["error"] = header.get("error")
                exit_code = 1
            print(json.dumps(line), flush=True)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
