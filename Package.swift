// swift-tools-version:6.1
import PackageDescription

// Modules are split by dependency weight (see docs/architecture.md):
// AlertCore is pure, AlertConfig adds YAML, AlertStore adds SQLite,
// AlertIO adds sockets, AlertDaemon wires them together.
let package = Package(
    name: "alertd",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "alertd", targets: ["alertd"]),
        .executable(name: "alertctl", targets: ["alertctl"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", exact: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/swiftlang/swift-subprocess.git", from: "1.0.2"),
    ],
    targets: [
        .target(name: "AlertCore", dependencies: [.product(name: "HeapModule", package: "swift-collections")]),
        .systemLibrary(name: "CSystemd", pkgConfig: "libsystemd", providers: [.apt(["libsystemd-dev"])]),
        .target(
            name: "AlertConfig",
            dependencies: ["AlertCore", .product(name: "Yams", package: "Yams")]
        ),
        .target(
            name: "AlertStore",
            dependencies: [
                "AlertCore", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]
        ),
        .target(
            name: "AlertIO",
            dependencies: [
                "AlertCore", "CSystemd",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Subprocess", package: "swift-subprocess"),
            ]
        ),
        .target(
            name: "AlertDaemon",
            dependencies: [
                "AlertCore", "AlertConfig", "AlertStore", "AlertIO",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .executableTarget(
            name: "alertd",
            dependencies: [
                "AlertDaemon", "AlertConfig", "AlertIO",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            // jemalloc as the daemon's malloc: ~10% less CPU per repeated alert
            // than glibc's, whose arena locks the listeners (allocating) and
            // the pipeline (freeing) contend on (docs/architecture.md).
            linkerSettings: [.linkedLibrary("jemalloc")]
        ),
        // `make bench`'s loops over the listener's and the pipeline's per-alert work.
        .executableTarget(
            name: "alertd-microbench", dependencies: ["AlertCore", "AlertStore"], path: "bench/microbench",
            linkerSettings: [.linkedLibrary("jemalloc")]  // as alertd
        ),
        .executableTarget(
            name: "alertctl",
            dependencies: [
                "AlertCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "AlertCoreTests", dependencies: ["AlertCore"], resources: [.copy("Fixtures")]),
        .testTarget(name: "AlertConfigTests", dependencies: ["AlertConfig"]),
        .testTarget(
            name: "AlertStoreTests",
            dependencies: ["AlertStore", "AlertCore", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(
            name: "AlertIOTests",
            dependencies: [
                "AlertIO", "AlertCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "AlertDaemonTests",
            dependencies: [
                "AlertDaemon", "AlertStore", "AlertCore", .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]),
        .testTarget(name: "EndToEndTests", dependencies: ["AlertCore", "AlertIO"]),
    ]
)
