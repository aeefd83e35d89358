// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "tokengate",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "tokengate", targets: ["tokengate"]),
        .library(name: "TokenGateCore", targets: ["TokenGateCore"]),
        .library(name: "TokenGateClient", targets: ["TokenGateClient"]),
        .library(name: "TokenGateRateLimiter", targets: ["TokenGateRateLimiter"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/LebJe/TOMLKit.git", from: "0.6.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.30.0"),
    ],
    targets: [
        .target(
            name: "TokenGateCore",
            dependencies: [
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "HeapModule", package: "swift-collections"),
            ]
        ),
        .target(
            name: "TokenGateWire",
            dependencies: ["TokenGateCore", .product(name: "NIOCore", package: "swift-nio")]
        ),
        .target(
            name: "TokenGateServer",
            dependencies: [
                "TokenGateCore", "TokenGateWire", "TokenGateRedis",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "DequeModule", package: "swift-collections"),
            ]
        ),
        .target(
            name: "TokenGateConfig",
            dependencies: [
                "TokenGateCore",
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "TokenGateClient",
            dependencies: [
                "TokenGateCore", "TokenGateWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        .target(
            name: "TokenGateRedis",
            dependencies: [
                "TokenGateCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "DequeModule", package: "swift-collections"),
            ]
        ),
        .target(
            name: "TokenGateRateLimiter",
            dependencies: [
                "TokenGateCore", "TokenGateClient", .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        .target(
            name: "TokenGateJournal",
            dependencies: [
                "TokenGateCore", "TokenGateWire",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        .target(
            name: "TokenGateGateway",
            dependencies: [
                "TokenGateServer", "TokenGateWire", "TokenGateCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .systemLibrary(name: "CNcurses", providers: [.apt(["libncursesw5-dev"])]),
        .target(
            name: "TokenGateDashboard",
            dependencies: [
                "TokenGateCore", "TokenGateWire", "CNcurses", .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "tokengate",
            dependencies: [
                "TokenGateCore", "TokenGateWire", "TokenGateServer", "TokenGateClient", "TokenGateDashboard",
                "TokenGateSimulation",
                "TokenGateJournal",
                "TokenGateConfig",
                "TokenGateGateway",
                "TokenGateRedis",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "TokenGateSimulation",
            dependencies: [
                "TokenGateCore",
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "HeapModule", package: "swift-collections"),
            ]
        ),
        .testTarget(name: "TokenGateSimulationTests", dependencies: ["TokenGateSimulation", "TokenGateCore"]),
        .testTarget(
            name: "TokenGateCoreTests",
            dependencies: ["TokenGateCore", .product(name: "PropertyBased", package: "swift-property-based")]
        ),
        .testTarget(
            name: "TokenGateWireTests",
            dependencies: [
                "TokenGateWire", "TokenGateCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]
        ),
        .testTarget(name: "TokenGateRedisTests", dependencies: ["TokenGateRedis"]),
        .testTarget(
            name: "TokenGateGatewayTests",
            dependencies: [
                "TokenGateGateway", "TokenGateWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .testTarget(name: "TokenGateConfigTests", dependencies: ["TokenGateConfig", "TokenGateCore"]),
        .testTarget(name: "TokenGateRateLimiterTests", dependencies: ["TokenGateRateLimiter"]),
        .testTarget(
            name: "TokenGateDashboardTests", dependencies: ["TokenGateDashboard", "TokenGateWire", "TokenGateCore"], exclude: ["Snapshots"]
        ),
        .testTarget(
            name: "TokenGateJournalTests",
            dependencies: [
                "TokenGateJournal", "TokenGateWire", "TokenGateCore", "TokenGateTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "TokenGateTestSupport", dependencies: ["TokenGateWire"], path: "Tests/TokenGateTestSupport"),
        .testTarget(
            name: "TokenGateIntegrationTests",
            dependencies: [
                "TokenGateClient", "TokenGateWire", "TokenGateCore", "TokenGateTestSupport", "TokenGateRateLimiter", "TokenGateRedis",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
