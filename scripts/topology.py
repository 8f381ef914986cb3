#!/usr/bin/env python3
"""The suite's topology, read from topology/suite.json (the one place ports, flags and
endpoints are written down; see docs/architecture.md).

As a module (scripts/suitectl.py, scripts/generate-topology): `load()`, `port()`,
`instance_port()`. As a command:

    scripts/topology.py shell     bash assignments scripts/lib.sh evaluates (TOPOLOGY_*)
    scripts/topology.py swift     the Swift source of Shared/ServiceKit/Topology.swift
    scripts/topology.py client    the Swift source of Services/CarbonCtl/DefaultHTTPPort.swift
"""
import json
import os
import shlex
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PATH = os.path.join(ROOT, "topology", "suite.json")
SWIFT_PATH = os.path.join(ROOT, "Shared", "ServiceKit", "Topology.swift")
CLIENT_SWIFT_PATH = os.path.join(ROOT, "Services", "CarbonCtl", "DefaultHTTPPort.swift")
PORT_NAMES = ("http", "ingest", "outbox", "control")

_cache = None


def load(path=PATH):
    """The description, checked for the mistakes a hand edit makes (it fails loudly rather
    than let a script start a suite on a half-read topology)."""
    global _cache
    if path == PATH and _cache is not None:
        return _cache
    with open(path, encoding="utf-8") as handle:
        topology = json.load(handle)
    problems = []
    numbers = {}
    services = {s["name"]: s for s in topology["services"]}
    for service in topology["services"]:
        for port in service["ports"]:
            where = "%s.%s" % (service["name"], port["name"])
            if port["name"] not in PORT_NAMES:
                problems.append("%s: port name must be one of %s" % (where, ", ".join(PORT_NAMES)))
            if port["default"] in numbers:
                problems.append("%s: port %d is also %s" % (where, port["default"], numbers[port["default"]]))
            numbers[port["default"]] = where
            if service["scalable"] != ("replicaBase" in port):
                problems.append("%s: replicaBase is for the ports of scalable services, and each of theirs needs one" % where)
        for link in service["links"]:
            for target in link["to"]:
                name, _, kind = target.partition(".")
                if name not in services or kind not in [p["name"] for p in services[name]["ports"]]:
                    problems.append("%s link %s: no port %s" % (service["name"], link["name"], target))
    if problems:
        raise ValueError("%s: %s" % (path, "; ".join(problems)))
    if path == PATH:
        _cache = topology
    return topology


def service(name):
    for entry in load()["services"]:
        if entry["name"] == name:
            return entry
    raise KeyError("no service %r in %s" % (name, PATH))


def port(name, kind):
    """The description of a service's port (default, flag, env, replicaBase)."""
    for entry in service(name)["ports"]:
        if entry["name"] == kind:
            return entry
    raise KeyError("no port %s.%s in %s" % (name, kind, PATH))


def instance_port(name, kind, replica=0, environ=os.environ):
    """The port scripts/up gives replica `replica` (0-based) of a service: the first keeps the
    default, moved by its CM_*_PORT variable; replica k > 0 of a scalable stage binds
    replicaBase + k (the variables do not move those)."""
    entry = port(name, kind)
    if replica > 0 and "replicaBase" in entry:
        return entry["replicaBase"] + replica
    return int(environ.get(entry["env"], entry["default"]))


def shell():
    """Bash assignments, plain variables only (no associative arrays: bash 3 reads them too)."""
    topology = load()
    out = {"TOPOLOGY_HOST": topology["host"], "TOPOLOGY_SERVICES": " ".join(s["name"] for s in topology["services"])}
    for entry in topology["services"]:
        name = entry["name"]
        out["TOPOLOGY_%s_SCALABLE" % name] = "1" if entry["scalable"] else "0"
        out["TOPOLOGY_%s_PORTS" % name] = " ".join(p["name"] for p in entry["ports"])
        for p in entry["ports"]:
            prefix = "TOPOLOGY_%s_%s_" % (name, p["name"])
            out[prefix + "DEFAULT"] = str(p["default"])
            out[prefix + "FLAG"] = p["flag"]
            out[prefix + "ENV"] = p["env"]
            if "replicaBase" in p:
                out[prefix + "REPLICA_BASE"] = str(p["replicaBase"])
        out["TOPOLOGY_%s_LINKS" % name] = " ".join(link["name"] for link in entry["links"])
        for link in entry["links"]:
            prefix = "TOPOLOGY_%s_%s_" % (name, link["name"])
            out[prefix + "FLAG"] = link["flag"]
            out[prefix + "ENV"] = link["env"]
            out[prefix + "NAMED"] = "1" if link["named"] else "0"
            out[prefix + "TO"] = " ".join(link["to"])
    return "".join("%s=%s\n" % (key, shlex.quote(value)) for key, value in out.items())


def _swift_string(text):
    return json.dumps(text, ensure_ascii=False)


def _link_swift_name(service_name, link_name):
    return service_name + link_name[0].upper() + link_name[1:]


def swift():
    """Shared/ServiceKit/Topology.swift, generated (scripts/generate-topology writes it)."""
    topology = load()
    services = topology["services"]
    lines = [
        "// Generated by scripts/generate-topology from topology/suite.json: do not edit by hand.",
        "// Change the JSON, run scripts/generate-topology and commit both; ServiceKitTests'",
        "// TopologyTests and scripts/check-manifests fail when this file and the JSON disagree.",
        "",
        "/// The suite's topology, as topology/suite.json describes it: the default port of every",
        "/// service, the flag and environment variable that move it, the ports of further replicas of",
        "/// the scalable stages, and the upstream endpoints each service is told (flag and variable).",
        "/// Every port can be overridden by its flag or variable; the defaults are what `scripts/up`",
        "/// uses on one host. The services take their defaults from here, and the integration tests",
        "/// their flags, so neither restates the table.",
        "public enum Topology {",
        "    /// A service of the suite, upstream first (the order `scripts/up` starts them in).",
        "    public enum Service: String, CaseIterable, Sendable {",
        "        case %s" % ", ".join(s["name"] for s in services),
        "    }",
        "",
        "    /// What a port of a service is for.",
        "    public enum PortName: String, CaseIterable, Sendable {",
        "        case %s" % ", ".join(PORT_NAMES),
        "    }",
        "",
        "    /// One port a service binds: its default, and the flag and variable that move it.",
        "    public struct Port: Sendable, Equatable {",
        "        public let service: Service",
        "        public let name: PortName",
        "        /// The default (of the first replica, for a scalable stage).",
        "        public let number: Int",
        "        public let flag: String",
        "        public let variable: String",
        "        /// Replica k > 0 of a scalable stage binds `replicaBase + k` under `scripts/up` (one",
        "        /// host, so each replica needs ports of its own); nil for a service that runs once.",
        "        public let replicaBase: Int?",
        "",
        "        /// The port replica `k` (0-based) binds under `scripts/up`.",
        "        public func number(replica k: Int) -> Int {",
        "            guard k > 0, let replicaBase else { return number }",
        "            return replicaBase + k",
        "        }",
        "    }",
        "",
        "    /// Endpoints a service connects to, and the flag and variable that name them. Endpoints of",
        "    /// a scalable stage list every replica; a named link writes each as `service=tcp://…`",
        "    /// (with CURVE the name picks the server's public key).",
        "    public struct Link: Sendable, Equatable {",
        "        /// A port connected to.",
        "        public struct Target: Sendable, Equatable {",
        "            public let service: Service",
        "            public let port: PortName",
        "        }",
        "",
        "        public let service: Service",
        "        public let name: String",
        "        public let flag: String",
        "        public let variable: String",
        "        public let named: Bool",
        "        public let targets: [Target]",
        "",
        "        /// The link's value on one host with every port at its default and one replica each.",
        "        public var localDefault: String {",
        "            targets.compactMap { target in",
        "                Topology.port(target.service, target.port).map { (named ? \"\\(target.service.rawValue)=\" : \"\") + Topology.local($0.number) }",
        "            }",
        "            .joined(separator: \",\")",
        "        }",
        "    }",
        "",
        "    /// The address services bind and connect to on one host.",
        "    public static let host = %s" % _swift_string(topology["host"]),
        "",
    ]
    for entry in services:
        for p in entry["ports"]:
            lines.append("    /// The %s service's %s port: %s" % (entry["name"], "HTTP" if p["name"] == "http" else p["name"], p["about"]))
            lines.append("    public static let %s = %d" % (p["swift"], p["default"]))
    lines += ["", "    /// Every port of every service, services upstream first.", "    public static let ports: [Port] = ["]
    for entry in services:
        for p in entry["ports"]:
            base = str(p["replicaBase"]) if "replicaBase" in p else "nil"
            lines.append(
                "        Port(service: .%s, name: .%s, number: %s, flag: %s, variable: %s, replicaBase: %s),"
                % (entry["name"], p["name"], p["swift"], _swift_string(p["flag"]), _swift_string(p["env"]), base))
    lines.append("    ]")
    for entry in services:
        for link in entry["links"]:
            targets = "".join(
                "                .init(service: .%s, port: .%s),\n" % tuple(t.split(".", 1)) for t in link["to"])
            lines.append("")
            lines.append("    /// The %s service's link: %s" % (entry["name"], link["about"]))
            lines.append("    public static let %s = Link(" % _link_swift_name(entry["name"], link["name"]))
            lines.append(
                "        service: .%s, name: %s, flag: %s, variable: %s, named: %s,"
                % (entry["name"], _swift_string(link["name"]), _swift_string(link["flag"]), _swift_string(link["env"]),
                   "true" if link["named"] else "false"))
            lines.append("        targets: [\n%s        ])" % targets.replace("                .init", "            .init"))
    lines += ["", "    /// Every upstream link of every service.", "    public static let links: [Link] = ["]
    lines += ["        %s," % _link_swift_name(entry["name"], link["name"]) for entry in services for link in entry["links"]]
    lines += [
        "    ]",
        "",
        "    /// The stages that scale out (one replica per shard, plus standbys).",
        "    public static let scalable: Set<Service> = [%s]" % ", ".join("." + s["name"] for s in services if s["scalable"]),
        "",
        "    /// A service's ports, in the description's order.",
        "    public static func ports(of service: Service) -> [Port] { ports.filter { $0.service == service } }",
        "",
        "    /// A service's port of one kind, if it binds one.",
        "    public static func port(_ service: Service, _ name: PortName) -> Port? {",
        "        ports.first { $0.service == service && $0.name == name }",
        "    }",
        "",
        "    /// A service's upstream links, in the description's order.",
        "    public static func links(of service: Service) -> [Link] { links.filter { $0.service == service } }",
        "",
        "    /// A service's upstream link by its name in the description.",
        "    public static func link(_ service: Service, _ name: String) -> Link? {",
        "        links.first { $0.service == service && $0.name == name }",
        "    }",
        "",
        "    /// A ZeroMQ endpoint on `host`.",
        "    public static func local(_ port: Int) -> String { \"tcp://\\(host):\\(port)\" }",
        "}",
    ]
    return "\n".join(lines) + "\n"


def client_swift():
    """Services/CarbonCtl/DefaultHTTPPort.swift: carbonctl's default URLs (it does not link
    ServiceKit, so it gets the HTTP ports in a file of its own)."""
    lines = [
        "// Generated by scripts/generate-topology from topology/suite.json: do not edit by hand.",
        "",
        "/// The services' default HTTP ports on one host (topology/suite.json), which carbonctl's",
        "/// default URLs use. carbonctl does not link ServiceKit, whose `Topology` has the same numbers.",
        "enum DefaultHTTPPort {",
    ]
    for entry in load()["services"]:
        for p in entry["ports"]:
            if p["name"] == "http":
                lines.append("    static let %s = %d" % (entry["name"], p["default"]))
    lines += ["", "    /// The address the services listen on by default.", "    static let host = %s" % _swift_string(load()["host"]), "}"]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "shell":
        sys.stdout.write(shell())
    elif command == "swift":
        sys.stdout.write(swift())
    elif command == "client":
        sys.stdout.write(client_swift())
    else:
        sys.exit("usage: %s shell|swift|client" % sys.argv[0])
