// swift-tools-version:6.0
// Leadflow: a lead-management backend of five Kafka-connected services sharing one model.
import PackageDescription

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

/// One service = a library (domain core, handlers, `definition`), a thin executable, and its tests.
func service(
    _ name: String, dependencies: [Target.Dependency] = [], testDependencies: [Target.Dependency] = [],
    testExclude: [String] = []
) -> [Target] {
    [
        .target(
            name: "Lead\(name)",
            dependencies: [
                "LeadModel", "LeadMessaging", "LeadStorage", "LeadServiceKit",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ] + dependencies,
            path: "Services/\(name)/Sources",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "leadflow-\(name.lowercased())",
            dependencies: [.target(name: "Lead\(name)"), "LeadServiceKit"],
            path: "Services/\(name)/Main",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "Lead\(name)Tests",
            dependencies: [
                .target(name: "Lead\(name)"),
                "LeadModel", "LeadMessaging", "LeadStorage", "LeadServiceKit",
                "LeadTestSupport", "LeadIntegrationSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ] + dependencies + testDependencies,
            path: "Services/\(name)/Tests",
            exclude: testExclude,
            swiftSettings: strictSettings
        ),
    ]
}

let package = Package(
    name: "Leadflow",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "leadflow-ingest", targets: ["leadflow-ingest"]),
        .executable(name: "leadflow-scoring", targets: ["leadflow-scoring"]),
        .executable(name: "leadflow-routing", targets: ["leadflow-routing"]),
        .executable(name: "leadflow-notifier", targets: ["leadflow-notifier"]),
        .executable(name: "leadflow-analytics", targets: ["leadflow-analytics"]),
        .executable(name: "leadctl", targets: ["leadctl"]),
        .library(name: "LeadModel", targets: ["LeadModel"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.80.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.5.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.25.0"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.7.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
    ],
    targets: [
        // MARK: Shared
        .systemLibrary(
            name: "CRdKafka",
            path: "Shared/CRdKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"])]
        ),
        .target(
            name: "LeadModel",
            path: "Shared/LeadModel",
            exclude: ["Schemas"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "LeadMessaging",
            dependencies: [
                "CRdKafka",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            path: "Shared/LeadMessaging",
            swiftSettings: strictSettings
        ),
        .target(
            name: "LeadStorage",
            dependencies: [
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Shared/LeadStorage",
            swiftSettings: strictSettings
        ),
        .target(
            name: "LeadServiceKit",
            dependencies: [
                "LeadModel", "LeadMessaging", "LeadStorage",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Shared/LeadServiceKit",
            swiftSettings: strictSettings
        ),

        // MARK: Operator CLI
        .executableTarget(
            name: "leadctl",
            dependencies: [
                "LeadModel", "LeadMessaging", "LeadStorage", "LeadServiceKit", "LeadAnalytics",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "JWTKit", package: "jwt-kit"),
            ],
            path: "Services/leadctl",
            swiftSettings: strictSettings
        ),

        // MARK: Tests
        .target(
            name: "LeadTestSupport",
            path: "Tests/LeadTestSupport",
            swiftSettings: strictSettings
        ),
        .target(
            name: "LeadIntegrationSupport",
            dependencies: [
                "LeadTestSupport", "LeadStorage", "LeadMessaging", "LeadModel", "LeadServiceKit",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Tests/LeadIntegrationSupport",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "LeadModelTests",
            dependencies: ["LeadModel"],
            path: "Tests/LeadModelTests",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "LeadMessagingTests",
            dependencies: ["LeadMessaging", "LeadTestSupport"],
            path: "Tests/LeadMessagingTests",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "LeadStorageTests",
            dependencies: [
                "LeadStorage", "LeadServiceKit", "LeadMessaging", "LeadTestSupport", "LeadIntegrationSupport",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/LeadStorageTests",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "LeadServiceKitTests",
            dependencies: [
                "LeadServiceKit", "LeadStorage", "LeadTestSupport", "LeadIntegrationSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "JWTKit", package: "jwt-kit"),
                "LeadModel",
            ],
            path: "Tests/LeadServiceKitTests",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "OperationsTests",
            dependencies: [
                "LeadTestSupport", "LeadIntegrationSupport", "LeadMessaging", "LeadModel", "LeadServiceKit",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/OperationsTests",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "MergeFlowTests",
            dependencies: [
                "LeadIngest", "LeadScoring", "LeadRouting", "LeadNotifier", "LeadAnalytics",
                "LeadModel", "LeadServiceKit", "LeadTestSupport", "LeadIntegrationSupport",
            ],
            path: "Tests/MergeFlowTests",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ServiceSmokeTests",
            dependencies: ["LeadTestSupport", "LeadIntegrationSupport"],
            path: "Tests/ServiceSmokeTests",
            swiftSettings: strictSettings
        ),
    ]
        + service("Ingest", dependencies: [
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Crypto", package: "swift-crypto"),
        ])
        + service("Scoring")
        + [
            // scripts/bench-scoring's driver: scored leads per second for one and two instances.
            .executableTarget(
                name: "scoring-bench",
                dependencies: [
                    "LeadModel", "LeadMessaging", "LeadStorage", "LeadServiceKit",
                    .product(name: "Logging", package: "swift-log"),
                    .product(name: "PostgresNIO", package: "postgres-nio"),
                ],
                path: "Services/Scoring/Bench",
                swiftSettings: strictSettings
            ),
        ]
        + service("Routing")
        + [
            // Routing's benchmark driver (scripts/bench-routing).
            .executableTarget(
                name: "routing-bench",
                dependencies: [
                    "LeadRouting", "LeadModel", "LeadMessaging", "LeadStorage", "LeadServiceKit",
                    .product(name: "Logging", package: "swift-log"),
                    .product(name: "PostgresNIO", package: "postgres-nio"),
                ],
                path: "Services/Routing/Bench",
                swiftSettings: strictSettings
            ),
        ]
        + service("Notifier", dependencies: [
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Mustache", package: "swift-mustache"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Crypto", package: "swift-crypto"),
        ], testDependencies: [
            .product(name: "NIOEmbedded", package: "swift-nio"),
        ], testExclude: ["Support"])
        + service("Analytics", dependencies: [
            .product(name: "Crypto", package: "swift-crypto"),
        ])
        + [
            // scripts/bench-analytics: projection throughput and query latency (release build).
            .executableTarget(
                name: "leadflow-analytics-bench",
                dependencies: [
                    "LeadAnalytics", "LeadModel", "LeadMessaging", "LeadStorage", "LeadServiceKit",
                    .product(name: "Logging", package: "swift-log"),
                    .product(name: "PostgresNIO", package: "postgres-nio"),
                    .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                ],
                path: "Services/Analytics/Bench",
                swiftSettings: strictSettings
            ),
            // The proof tools of scripts/bench and scripts/hostile: raw broker ceiling, lifecycle
            // load, and the hostile-input catalogue (not shipped).
            .executableTarget(
                name: "leadflow-proof",
                dependencies: [
                    "LeadModel", "LeadMessaging", "LeadStorage", "LeadServiceKit",
                    .product(name: "ArgumentParser", package: "swift-argument-parser"),
                    .product(name: "AsyncHTTPClient", package: "async-http-client"),
                    .product(name: "Crypto", package: "swift-crypto"),
                    .product(name: "Logging", package: "swift-log"),
                    .product(name: "NIOCore", package: "swift-nio"),
                    .product(name: "PostgresNIO", package: "postgres-nio"),
                ],
                path: "Tools/Proof",
                swiftSettings: strictSettings
            ),
            // Load generator of scripts/bench-notifier (not shipped).
            .executableTarget(
                name: "notifier-bench",
                dependencies: [
                    "LeadModel", "LeadMessaging", "LeadServiceKit",
                    .product(name: "ArgumentParser", package: "swift-argument-parser"),
                    .product(name: "AsyncHTTPClient", package: "async-http-client"),
                    .product(name: "Logging", package: "swift-log"),
                ],
                path: "Services/Notifier/Bench",
                swiftSettings: strictSettings
            ),
        ]
)
