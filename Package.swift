// swift-tools-version:6.1
import PackageDescription

/// Vigil: a chat-ops escalation bot for Trust & Safety teams.
///
/// Layers point one way: VigilCore (pure) ← adapters (VigilStore, VigilChat, VigilConfig, VigilPagers, VigilIntake) and the
/// C wrappers (VigilJSON, VigilHTTP) ← VigilServer (the app) ← `vigil` (thin executable).
let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "vigil",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "vigil", targets: ["vigil"])
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        // Already in the graph through Hummingbird; named here for the load generator's client.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        // Already in the graph through Hummingbird; the server's connection guard uses its
        // NIOHTTPTypes channel parts directly.
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        // The PostgreSQL store (several replicas on one database).
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        // Tests only: an independent RFC 4180 reader checks the CSV export.
        .package(url: "https://github.com/yaslab/CSV.swift", from: "2.5.2"),
        // GET /metrics: the app records through swift-metrics into an injected Prometheus registry.
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // MARK: - C libraries, each behind one small target
        .target(
            name: "CCurl",
            linkerSettings: [.linkedLibrary("curl")]
        ),
        .systemLibrary(name: "CJSONC", pkgConfig: "json-c", providers: [.apt(["libjson-c-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),

        // MARK: - Pure core
        .target(
            name: "VigilCore",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),

        // MARK: - C wrappers
        .target(name: "VigilJSON", dependencies: ["CJSONC"], swiftSettings: strict),
        .target(name: "VigilHTTP", dependencies: ["CCurl"], swiftSettings: strict),

        // MARK: - Adapters
        .target(
            name: "VigilStore",
            dependencies: [
                "VigilCore", "VigilJSON", "CSQLite",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "VigilChat",
            dependencies: ["VigilCore", "VigilJSON", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        .target(
            name: "VigilPagers",
            dependencies: ["VigilCore", "VigilJSON", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        .target(
            name: "VigilIntake",
            dependencies: ["VigilCore", "VigilJSON", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        .target(
            name: "VigilConfig",
            dependencies: ["VigilCore", "Yams"],
            swiftSettings: strict
        ),

        // MARK: - App and executable
        .target(
            name: "VigilServer",
            dependencies: [
                "VigilCore", "VigilJSON", "VigilHTTP", "VigilStore", "VigilChat", "VigilConfig", "VigilPagers",
                "VigilIntake",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "vigil",
            dependencies: [
                "VigilServer", "VigilChat", "VigilConfig", "VigilCore", "VigilHTTP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),

        .executableTarget(
            name: "vigil-bench",
            dependencies: [
                "VigilServer", "VigilStore", "VigilCore", "VigilChat", "VigilJSON", "VigilConfig",
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            path: "Benchmarks/vigil-bench",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "vigil-load",
            dependencies: [
                "VigilCore", "VigilChat", "VigilJSON",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            path: "Benchmarks/vigil-load",
            swiftSettings: strict
        ),

        // MARK: - Tests
        .target(
            name: "VigilTestSupport",
            dependencies: [
                "VigilCore", "VigilJSON", "VigilHTTP", "VigilConfig",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/VigilTestSupport",
            swiftSettings: strict
        ),
        .testTarget(
            name: "VigilCoreTests",
            dependencies: ["VigilCore", "VigilTestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "VigilJSONTests",
            dependencies: ["VigilJSON"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "VigilHTTPTests",
            dependencies: ["VigilHTTP", "VigilTestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "VigilStoreTests",
            dependencies: ["VigilStore", "VigilCore", "VigilTestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "VigilChatTests",
            dependencies: ["VigilChat", "VigilTestSupport"],
            resources: [.copy("Fixtures")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "VigilPagersTests",
            dependencies: ["VigilPagers", "VigilJSON", "VigilHTTP", "VigilTestSupport"],
            resources: [.copy("Fixtures")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "VigilIntakeTests",
            dependencies: ["VigilIntake", "VigilCore", "VigilTestSupport", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "VigilConfigTests",
            dependencies: ["VigilConfig", "VigilTestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "VigilServerTests",
            dependencies: [
                "VigilServer", "VigilTestSupport", "vigil",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "CSV", package: "CSV.swift"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
    ]
)

// MARK: - Fuzz harnesses (only with VIGIL_FUZZ=1)

// libFuzzer harnesses for `make fuzz`, under Tests/Fuzz/<Harness>/. Each exports
// `LLVMFuzzerTestOneInput` and has no `main` of its own: built with `swift build --sanitize fuzzer
// -Xswiftc -sanitize=fuzzer,address` (SwiftPM then leaves `main` to libFuzzer instead of linking
// `--defsym main=<Module>_main`), libFuzzer supplies it. In a plain
// build they would link to an entry point that does nothing, and every `swift build` and
// `make test` would pay for them; so they exist only when VIGIL_FUZZ=1, which only `make fuzz`
// sets (with its own scratch path, .build-fuzz, so the normal build cache is never disturbed).
if Context.environment["VIGIL_FUZZ"] == "1" {
    package.targets.append(
        .target(
            name: "FuzzSupport",
            dependencies: ["VigilCore", "VigilConfig", "VigilChat", "VigilJSON"],
            path: "Tests/Fuzz/FuzzSupport",
            swiftSettings: strict
        ))
    let harnesses: [(name: String, dependencies: [Target.Dependency])] = [
        ("FuzzCommand", ["VigilCore"]),
        ("FuzzPeriod", ["VigilCore"]),
        ("FuzzFormBody", ["VigilChat"]),
        ("FuzzJSON", ["VigilJSON"]),
        ("FuzzSlackRequest", ["VigilChat", "VigilCore", "VigilJSON"]),
        ("FuzzMattermostRequest", ["VigilChat", "VigilCore", "VigilJSON"]),
        ("FuzzTeamsRequest", ["VigilChat", "VigilCore", "VigilJSON"]),
        ("FuzzDiscordRequest", ["VigilChat", "VigilCore", "VigilJSON"]),
        ("FuzzConfig", ["VigilConfig", "VigilCore"]),
        ("FuzzWebhookBodies", ["VigilIntake", "VigilPagers", "VigilCore"]),
    ]
    for harness in harnesses {
        package.targets.append(
            .executableTarget(
                name: harness.name,
                dependencies: ["FuzzSupport"] + harness.dependencies,
                path: "Tests/Fuzz/\(harness.name)",
                swiftSettings: strict
            ))
    }
}
