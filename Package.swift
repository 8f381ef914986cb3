// swift-tools-version:6.2
import PackageDescription

let strict: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]

// Every target names exactly the modules it imports (none compiles through another's).
let grdb: Target.Dependency = .product(name: "GRDB", package: "GRDB.swift")
let logging: Target.Dependency = .product(name: "Logging", package: "swift-log")
let argumentParser: Target.Dependency = .product(name: "ArgumentParser", package: "swift-argument-parser")
let hummingbird: Target.Dependency = .product(name: "Hummingbird", package: "hummingbird")
let httpTypes: Target.Dependency = .product(name: "HTTPTypes", package: "swift-http-types")
let serviceLifecycle: Target.Dependency = .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")
let unixSignals: Target.Dependency = .product(name: "UnixSignals", package: "swift-service-lifecycle")
let prometheus: Target.Dependency = .product(name: "Prometheus", package: "swift-prometheus")
let crypto: Target.Dependency = .product(name: "Crypto", package: "swift-crypto")
/// What every service executable imports.
let serviceBase: [Target.Dependency] = [
    "ServiceKit", "AccessControl", "Messaging", "CarbonModel", "Contracts", grdb, logging, argumentParser, hummingbird, serviceLifecycle, unixSignals,
]

let package = Package(
    name: "CarbonMeter",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "collector", targets: ["Collector"]),
        .executable(name: "preprocessor", targets: ["Preprocessor"]),
        .executable(name: "calculator", targets: ["Calculator"]),
        .executable(name: "reporter", targets: ["Reporter"]),
        .executable(name: "auth", targets: ["Auth"]),
        .executable(name: "carbonmeter-baseline", targets: ["InProcessBaseline"]),
        // Not a service: the command-line client of the services' HTTP APIs.
        .executable(name: "carbonctl", targets: ["CarbonCtl"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        // Hummingbird's own dependencies, named because ServiceKit and services use their types.
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        // libzmq from Debian's libzmq3-dev, wrapped by our own `ZeroMQ` module.
        .systemLibrary(
            name: "CZMQ", path: "Shared/CZMQ", pkgConfig: "libzmq",
            providers: [.apt(["libzmq3-dev"])]),
        .target(
            name: "ZeroMQ", dependencies: ["CZMQ", logging], path: "Shared/ZeroMQ",
            swiftSettings: strict),
        // zlib from Debian's zlib1g-dev, for gzip-compressed billing exports (read by our own
        // streaming `GzipInflater` in Collecting).
        .systemLibrary(
            name: "CZlib", path: "Shared/CZlib", pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]),
        // glibc's <malloc.h> (mallopt), for the services' arena limit (ServiceKit's MallocArenas).
        .systemLibrary(name: "CMalloc", path: "Shared/CMalloc"),
        // Domain types and the accounting math: pure values, no I/O.
        .target(name: "CarbonModel", path: "Shared/CarbonModel", swiftSettings: strict),
        // Bytes to records: batch framing (NDJSON, CSV, JSON arrays), the flat JSON reader, and the
        // checks that turn a raw record into a normalized one or a named rejection.
        .target(name: "RecordParsing", dependencies: ["CarbonModel"], path: "Shared/RecordParsing", swiftSettings: strict),
        // The messages services exchange over ZeroMQ (types, bodies, routing keys): the wire
        // contracts, apart from the math they carry.
        .target(name: "Contracts", dependencies: ["CarbonModel", "RecordParsing"], path: "Shared/Contracts", swiftSettings: strict),
        // Envelopes, outbox/inbox stores and the reliable hop over ZeroMQ.
        .target(
            name: "Messaging",
            dependencies: ["ZeroMQ", grdb, logging],
            path: "Shared/Messaging", swiftSettings: strict),
        // Service plumbing: configuration, logging, health and metrics over HTTP, stores.
        .target(
            name: "ServiceKit",
            dependencies: [
                "Messaging", "CarbonModel", "RecordParsing", "Contracts", "AccessControl", "ZeroMQ", "CMalloc", crypto, grdb, hummingbird, httpTypes,
                .product(name: "NIOCore", package: "swift-nio"), argumentParser, logging, serviceLifecycle, unixSignals, prometheus,
            ],
            path: "Shared/ServiceKit", swiftSettings: strict),
        // Who is asking and what they may do: signed access tokens, roles, the policy services
        // apply. Free of any transport: asking auth over ZeroMQ is ServiceKit's `Authenticator`.
        .target(
            name: "AccessControl",
            dependencies: [crypto],
            path: "Shared/AccessControl", swiftSettings: strict),
        // What a compiled-in collector source implements, and the pure helpers sources share.
        .target(
            name: "Collecting", dependencies: ["CarbonModel", "RecordParsing", "Contracts", "CZlib"], path: "Shared/Collecting",
            swiftSettings: strict),
        .executableTarget(
            name: "Collector",
            dependencies: serviceBase + ["RecordParsing", "Collecting", "ZeroMQ", crypto, httpTypes, prometheus],
            path: "Services/Collector", swiftSettings: strict),
        .executableTarget(name: "Preprocessor", dependencies: serviceBase + ["RecordParsing"], path: "Services/Preprocessor", swiftSettings: strict),
        .executableTarget(name: "Calculator", dependencies: serviceBase + ["RecordParsing"], path: "Services/Calculator", swiftSettings: strict),
        .executableTarget(name: "Reporter", dependencies: serviceBase + [httpTypes], path: "Services/Reporter", swiftSettings: strict),
        .executableTarget(
            name: "Auth",
            dependencies: serviceBase + [crypto, .product(name: "_CryptoExtras", package: "swift-crypto"), httpTypes],
            path: "Services/Auth",
            swiftSettings: strict),
        // A client of the services (not a service): talks to them over HTTP only.
        .executableTarget(
            name: "CarbonCtl", dependencies: ["CarbonModel", "Collecting", "Contracts", argumentParser],
            path: "Services/CarbonCtl", swiftSettings: strict),

        // The in-process baseline of scripts/bench (a measurement, not a test).
        .executableTarget(
            name: "InProcessBaseline",
            dependencies: ["CarbonModel", "RecordParsing", argumentParser],
            path: "Tests/Benchmarks/InProcessBaseline", swiftSettings: strict),

        // Test support: ports claimed machine-wide, shared by the test targets that open fixed ports.
        .target(name: "TestPorts", path: "Tests/Support/TestPorts", swiftSettings: strict),
        // Test support: seeded hostile variations of ingest lines, for the fuzz tests.
        .target(name: "IngestFuzzing", path: "Tests/Support/IngestFuzzing", swiftSettings: strict),
        .testTarget(name: "CarbonModelTests", dependencies: ["CarbonModel", "Contracts"], path: "Tests/CarbonModelTests"),
        .testTarget(name: "RecordParsingTests", dependencies: ["RecordParsing", "CarbonModel", "IngestFuzzing"], path: "Tests/RecordParsingTests"),
        .testTarget(name: "ContractsTests", dependencies: ["Contracts", "CarbonModel", "RecordParsing"], path: "Tests/ContractsTests"),
        .testTarget(name: "AccessControlTests", dependencies: ["AccessControl", crypto], path: "Tests/AccessControlTests"),
        .testTarget(name: "CollectingTests", dependencies: ["Collecting", "CarbonModel", "RecordParsing", "Contracts"], path: "Tests/CollectingTests"),
        .testTarget(
            name: "ZeroMQTests", dependencies: ["ZeroMQ", logging], path: "Tests/ZeroMQTests"),
        .testTarget(
            name: "MessagingTests",
            dependencies: [
                "Messaging", "ZeroMQ", "TestPorts", grdb, logging,
            ],
            path: "Tests/MessagingTests"),
        .testTarget(
            name: "ServiceKitTests", dependencies: ["ServiceKit", "Messaging", "CarbonModel", "Contracts", "AccessControl", logging, hummingbird, serviceLifecycle],
            path: "Tests/ServiceKitTests"),
        // Auth's pure parts (the audit row encoding, checkpoints, the verifier), and the rows its
        // store holds (on SQLite stores of its own), tested in process.
        .testTarget(name: "AuthTests", dependencies: ["Auth", "AccessControl", crypto, grdb, logging], path: "Tests/AuthTests"),
        // The preprocessor's batch processing (records, quarantine, repeats, revisions, outbox) on
        // SQLite stores of its own, in process.
        .testTarget(
            name: "PreprocessorTests", dependencies: ["Preprocessor", "CarbonModel", "RecordParsing", "Contracts", "Messaging", grdb],
            path: "Tests/PreprocessorTests"),
        // The collector's verdict tracker (parts recorded and merged, read with the tenant check,
        // waited for) and the rows its stores hold, on SQLite stores of its own, in process.
        .testTarget(
            name: "CollectorTests", dependencies: ["Collector", "Collecting", "Contracts", "Messaging", "ServiceKit", grdb, logging],
            path: "Tests/CollectorTests"),
        // The calculator's ledger (records to exact sums, revisions, retractions, what is marked),
        // a region-month's calculation against a hand-computed case, and the change sets it
        // publishes, on SQLite stores of its own, in process.
        .testTarget(
            name: "CalculatorTests", dependencies: ["Calculator", "CarbonModel", "Contracts", "Messaging", grdb],
            path: "Tests/CalculatorTests"),
        // The reporter's ledger (publications applied, derived tenant cells, migrations) on
        // SQLite stores of its own, in process.
        .testTarget(
            name: "ReporterTests", dependencies: ["Reporter", "CarbonModel", "Contracts", "Messaging", "ZeroMQ", "TestPorts", grdb, logging, serviceLifecycle],
            path: "Tests/ReporterTests"),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                // ServiceKit for `Topology`: the suite's ports, flags and endpoints (topology/suite.json).
                "CarbonModel", "ZeroMQ", "Messaging", "ServiceKit", "TestPorts", "IngestFuzzing", grdb, crypto,
            ],
            path: "Tests/IntegrationTests"),
    ]
)
