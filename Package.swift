// swift-tools-version: 6.2
//
// cohortd: a daemon that turns cohort exports into R-exact survival analyses.
//
// Module graph (dependencies point one way, top to bottom):
//
//   cohortd (executable)            thin command line
//     └── CohortStatistics          pure numerics on contiguous arrays, no I/O
//
// Benchmarks live under Tests/Benchmarks and are only part of the package when
// COHORTD_BENCHMARKS=1 is set, so `swift build` and `swift test` never compile them.
import PackageDescription
import class Foundation.ProcessInfo

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

/// Built-in plugins depend on the SDK and the statistics module only.
let pluginDependencies: [Target.Dependency] = ["CohortPluginSDK", "CohortStatistics"]

var package = Package(
    name: "cohortd",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "cohortd", targets: ["cohortd"]),
        .library(name: "CohortStatistics", targets: ["CohortStatistics"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-numerics.git", from: "1.1.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: [
        .target(
            name: "CohortStatistics",
            dependencies: [.product(name: "RealModule", package: "swift-numerics")],
            swiftSettings: strictSettings
        ),
        .systemLibrary(
            name: "CYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),
        .target(
            name: "CohortData",
            swiftSettings: strictSettings
        ),
        .target(
            name: "CohortConfiguration",
            dependencies: ["CYAML", "CohortData"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "CohortPluginSDK",
            dependencies: ["CohortStatistics", "CohortData", "CohortConfiguration"],
            swiftSettings: strictSettings
        ),
        .target(name: "DescriptivesPlugin", dependencies: pluginDependencies, path: "plugins/Descriptives", swiftSettings: strictSettings),
        .target(name: "KaplanMeierPlugin", dependencies: pluginDependencies, path: "plugins/KaplanMeier", swiftSettings: strictSettings),
        .target(name: "LogRankPlugin", dependencies: pluginDependencies, path: "plugins/LogRank", swiftSettings: strictSettings),
        .target(name: "ROCCutoffPlugin", dependencies: pluginDependencies, path: "plugins/ROCCutoff", swiftSettings: strictSettings),
        .target(name: "CoxPlugin", dependencies: pluginDependencies, path: "plugins/Cox", swiftSettings: strictSettings),
        .target(name: "ExecPlugin", dependencies: pluginDependencies, path: "plugins/Exec", swiftSettings: strictSettings),
        .target(
            name: "CohortPipeline",
            dependencies: [
                "CohortPluginSDK", "CohortStatistics",
                "DescriptivesPlugin", "KaplanMeierPlugin", "LogRankPlugin", "ROCCutoffPlugin", "CoxPlugin", "ExecPlugin",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "CohortStore",
            dependencies: [.product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strictSettings
        ),
        .target(name: "CFileSystem"),
        .systemLibrary(name: "CMalloc"),
        .target(
            name: "CohortDaemon",
            dependencies: [
                "CFileSystem", "CohortConfiguration", "CohortPipeline", "CohortPluginSDK", "CohortStore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "cohortd",
            dependencies: [
                "CohortPipeline", "CohortDaemon", "CohortStore", "CMalloc",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CohortStatisticsTests",
            dependencies: ["CohortStatistics"],
            exclude: ["Fixtures"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CohortDaemonTests",
            dependencies: ["CohortDaemon", "CohortStore", "CohortConfiguration", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CohortStoreTests",
            dependencies: ["CohortStore"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CohortPipelineTests",
            dependencies: ["CohortPipeline", "CohortPluginSDK", "CohortConfiguration", "CohortData"],
            exclude: ["Fixtures"],
            swiftSettings: strictSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)

if ProcessInfo.processInfo.environment["COHORTD_BENCHMARKS"] == "1" {
    package.dependencies.append(
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"])
    )
    package.targets.append(
        .executableTarget(
            name: "StatisticsBenchmarks",
            dependencies: [
                "CohortStatistics",
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Tests/Benchmarks/StatisticsBenchmarks",
            swiftSettings: strictSettings,
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    )
    package.targets.append(
        .executableTarget(
            name: "AnalyzeBenchmarks",
            dependencies: [
                "CohortPipeline",
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Tests/Benchmarks/AnalyzeBenchmarks",
            exclude: ["bench-pipeline.yaml"],
            swiftSettings: strictSettings,
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    )
}
