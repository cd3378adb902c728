// swift-tools-version: 6.0
import PackageDescription

let grpcCore: Target.Dependency = .product(name: "GRPCCore", package: "grpc-swift-2")
let grpcHTTP2: Target.Dependency = .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport")
let grpcProtobuf: Target.Dependency = .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf")
let nioCore: Target.Dependency = .product(name: "NIOCore", package: "swift-nio")
let nioPosix: Target.Dependency = .product(name: "NIOPosix", package: "swift-nio")
let swiftProtobuf: Target.Dependency = .product(name: "SwiftProtobuf", package: "swift-protobuf")
let postgres: Target.Dependency = .product(name: "PostgresNIO", package: "postgres-nio")
let hummingbird: Target.Dependency = .product(name: "Hummingbird", package: "hummingbird")
let lifecycle: Target.Dependency = .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")
let logging: Target.Dependency = .product(name: "Logging", package: "swift-log")

/// A domain service: `Services/<Folder>/Sources` is the library tests reach, `Services/<Folder>/Main`
/// the executable's few lines.
func service(
    _ folder: String, library: String, executable: String, extra: [Target.Dependency] = [], mainExtra: [Target.Dependency] = []
) -> [Target] {
    [
        .target(
            name: library,
            dependencies: ["SalesModel", "SalesProto", "ServiceKit", "RulesEngine", grpcCore, postgres, logging, lifecycle, swiftProtobuf]
                + extra,
            path: "Services/\(folder)/Sources"),
        .executableTarget(
            name: executable, dependencies: [.target(name: library), "ServiceKit"] + mainExtra, path: "Services/\(folder)/Main"),
    ]
}

/// The leads service's intake adapters: each its own small module over LeadIntake's IntakeAdapter.
let intakeAdapters = ["WebFormIntake", "DouyinIntake", "WeChatIntake", "MeituanIntake", "TradeShowIntake", "StorePOSIntake", "APIIntake"]

let package = Package(
    name: "SalesPlatform",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "leads", targets: ["leads"]),
        .executable(name: "opportunities", targets: ["opportunities"]),
        .executable(name: "incentives", targets: ["incentives"]),
        .executable(name: "forecasting", targets: ["forecasting"]),
        .executable(name: "store-sales", targets: ["store-sales"]),
        .executable(name: "gateway", targets: ["gateway"]),
        .executable(name: "salesctl", targets: ["salesctl"]),
        .executable(name: "rules-benchmark", targets: ["rules-benchmark"]),
        .executable(name: "leads-benchmark", targets: ["leads-benchmark"]),
        .executable(name: "opportunities-benchmark", targets: ["opportunities-benchmark"]),
    ],
    dependencies: [
        .package(url: "https://github.com/grpc/grpc-swift-2.git", exact: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport.git", exact: "2.9.2"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf.git", exact: "2.4.1"),
        .package(url: "https://github.com/apple/swift-protobuf.git", exact: "1.39.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", exact: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio.git", exact: "2.101.3"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", exact: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", exact: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log.git", exact: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", exact: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", exact: "2.4.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", exact: "1.8.2"),
        .package(url: "https://github.com/vapor/jwt-kit.git", exact: "5.8.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "4.1.0"..<"6.0.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", exact: "0.9.20"),
        .package(url: "https://github.com/swift-server/async-http-client.git", exact: "1.37.0"),
    ],
    targets: [
        .target(name: "SalesModel", path: "Shared/Model"),
        .target(name: "RulesEngine", dependencies: ["SalesModel"], path: "Shared/Rules"),
        .target(name: "SalesProto", dependencies: [grpcCore, grpcProtobuf, swiftProtobuf], path: "Shared/Proto"),
        .target(
            name: "ServiceKit",
            dependencies: [
                "SalesModel", "SalesProto", "RulesEngine", grpcCore, grpcHTTP2, grpcProtobuf, swiftProtobuf, postgres,
                hummingbird, lifecycle, logging, nioCore, nioPosix,
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Shared/Kit"),
        // Reminders and escalations through WeCom, DingTalk, group robots and webhooks, for every
        // service that sends them (HTTP calls to the vendors).
        .target(
            name: "SalesNotifications",
            dependencies: [
                "SalesModel", "SalesProto", "ServiceKit", grpcCore, postgres, logging, lifecycle, swiftProtobuf, nioCore,
                .product(name: "AsyncHTTPClient", package: "async-http-client"), .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Shared/Notifications"),
    ]
        + service(
            "Leads", library: "LeadsService", executable: "leads",
            // The company registry is an HTTP call.
            extra: [
                "SalesNotifications", "LeadIntake", .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            mainExtra: intakeAdapters.map { .target(name: $0) })
        + [
            // What an intake adapter is (a channel's payload read into a lead), and the set the executable ships.
            .target(name: "LeadIntake", dependencies: ["ServiceKit", "SalesProto", "RulesEngine"], path: "Services/Leads/IntakeAdapters/LeadIntake")
        ]
        + intakeAdapters.map { name in
            .target(name: name, dependencies: ["LeadIntake", "SalesProto", "RulesEngine"], path: "Services/Leads/IntakeAdapters/\(name)")
        }
        // Stale-deal reminders go out through the shared notification channels; a credit bureau may be an HTTP call.
        + service(
            "Opportunities", library: "OpportunitiesService", executable: "opportunities",
            extra: ["SalesNotifications", .product(name: "AsyncHTTPClient", package: "async-http-client")])
        + service("Incentives", library: "IncentivesService", executable: "incentives")
        // Competitor alerts go out through the shared notification channels; a signal relay is an HTTP call.
        + service(
            "Forecasting", library: "ForecastingService", executable: "forecasting",
            extra: ["SalesNotifications", .product(name: "AsyncHTTPClient", package: "async-http-client")])
        // Clerks' reminders and store managers' nudges go out through the shared notification channels.
        + service("StoreSales", library: "StoreSalesService", executable: "store-sales", extra: ["SalesNotifications"])
        + service("Gateway", library: "GatewayService", executable: "gateway", extra: [hummingbird, grpcHTTP2])
        + [
            .target(
                name: "SalesControl",
                dependencies: [
                    "SalesModel", "SalesProto", "ServiceKit", "RulesEngine", grpcCore, grpcHTTP2, postgres, logging,
                    .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                    // `import leads` reads .xlsx workbooks (ZIP); on Linux it links zlib (scripts/setup-debian.sh).
                    .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                ],
                path: "Tools/Salesctl/Sources"),
            .executableTarget(
                name: "salesctl",
                dependencies: [
                    "SalesControl", "SalesProto", grpcCore, grpcHTTP2, .product(name: "ArgumentParser", package: "swift-argument-parser"),
                ],
                path: "Tools/Salesctl/Main"),
            .executableTarget(name: "rules-benchmark", dependencies: ["RulesEngine"], path: "Benchmarks/RulesBenchmark"),
            .executableTarget(
                name: "leads-benchmark",
                dependencies: ["BenchmarkSupport", "SalesModel", "SalesProto", "ServiceKit", grpcCore, grpcHTTP2, nioCore, nioPosix],
                path: "Benchmarks/LeadsBenchmark"),
            .executableTarget(
                name: "opportunities-benchmark",
                dependencies: ["BenchmarkSupport", "SalesModel", "SalesProto", "ServiceKit", grpcCore, grpcHTTP2, nioCore, nioPosix],
                path: "Benchmarks/OpportunitiesBenchmark"),
            .executableTarget(
                name: "forecast-benchmark",
                dependencies: [
                    "ForecastingService", "SalesControl", "SalesModel", "SalesProto", "ServiceKit", grpcCore, grpcHTTP2, nioCore, nioPosix, postgres,
                    logging,
                ],
                path: "Benchmarks/ForecastBenchmark"),
            // What the benchmark drivers share: latency recording and percentiles.
            .target(name: "BenchmarkSupport", path: "Benchmarks/Support"),
            // What the test targets share: the run's Postgres, the running stack, the in-process
            // harness, the stand-in vendor endpoints and the fixtures. A library, so tests of every
            // kind reach it; nothing ships with it.
            .target(
                name: "TestSupport",
                dependencies: [
                    "SalesModel", "SalesProto", "ServiceKit", "SalesControl", "RulesEngine", grpcCore, grpcHTTP2, postgres, hummingbird,
                    logging, nioCore, .product(name: "Crypto", package: "swift-crypto"),
                    .product(name: "GRPCInProcessTransport", package: "grpc-swift-2"),
                ],
                path: "Tests/Support"),
            // Pure logic: no database, no network; seconds once built (`swift test --filter UnitTests`).
            .testTarget(
                name: "UnitTests",
                dependencies: [
                    "SalesModel", "RulesEngine", "SalesProto", "ServiceKit", "SalesNotifications", "SalesControl", "LeadsService",
                    "OpportunitiesService", "ForecastingService",
                    "TestSupport",
                ]
                    + ["LeadIntake"] + intakeAdapters.map { .target(name: $0) } + [.product(name: "Crypto", package: "swift-crypto")],
                path: "Tests/UnitTests"),
            // One service's handlers on the in-process transport against its schema in the run's Postgres.
            .testTarget(
                name: "ServiceTests",
                dependencies: [
                    "SalesModel", "SalesProto", "ServiceKit", "SalesControl", "LeadsService", "OpportunitiesService", "IncentivesService",
                    "ForecastingService", "StoreSalesService", "GatewayService", "TestSupport", grpcCore, postgres,
                    .product(name: "GRPCInProcessTransport", package: "grpc-swift-2"),
                ],
                path: "Tests/ServiceTests"),
            // The six real executables over loopback HTTP/2: cross-service flows, faults, the tools.
            .testTarget(
                name: "EndToEndTests",
                dependencies: [
                    "SalesModel", "SalesProto", "ServiceKit", "SalesControl", "RulesEngine", "LeadsService", "SalesNotifications", "TestSupport",
                    // The clerk-code signer, to mint a code as the service did 11 minutes ago (an expired QR).
                    "StoreSalesService",
                    grpcCore, grpcHTTP2,
                    postgres,
                    hummingbird, .product(name: "Crypto", package: "swift-crypto"),
                ],
                path: "Tests/EndToEndTests"),
        ],
    swiftLanguageModes: [.v6]
)

// Every target of ours builds with the same upcoming features: `any` spelled out for
// existentials, and a file sees only the members of modules it imports itself.
for target in package.targets {
    target.swiftSettings =
        (target.swiftSettings ?? []) + [
            .enableUpcomingFeature("ExistentialAny"),
            .enableUpcomingFeature("MemberImportVisibility"),
        ]
}
