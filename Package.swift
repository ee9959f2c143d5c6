// swift-tools-version: 6.2
//
// cohortd: a daemon that turns cohort exports into R-exact survival analyses.
//
// Module graph (dependencies point down; only the executable knows every module):
//
//   cohortd                 the command line; BuiltInPlugins, the one list of plugins
//   CohortIngest            the daemon: drop-directory watching, the per-file journey, services
//   CohortIngestTesting     fakes for CohortIngest: drop events, a manual clock, in-memory files
//   CohortStore             the output store and journal on SQLite
//   CohortPipeline          pipeline loading with an injected plugin registry, the YAML parameter
//                           reader, the runner, RunResult (results.json), the run folder
//   plugins/<Name>          one built-in analysis each: CohortPluginAPI + CohortStatistics + CohortReport
//   CohortPluginAPI         the plugin contract: AnalysisPlugin, ParameterValue, AnalysisInput (no YAML)
//   CohortConfiguration     YAML nodes with locations; pipeline and daemon configuration
//   CohortDocx              the Word report (report.docx): OOXML parts zipped with ZIPFoundation
//   CohortReport            report blocks, number formatting, HTML/Markdown/CSV, SVG figures
//   CohortRender            SVG figures as PDF and PNG through librsvg and cairo (CRSVG)
//   CohortJSON              JSON value, encoder, parser
//   CohortData              columnar table, CSV reader, derived variables, cohort filters
//   CohortStatistics        pure numerics on contiguous arrays, no I/O
//
// Benchmarks live under Tests/Benchmarks and are only part of the package when
// COHORTD_BENCHMARKS=1 is set, so `swift build` and `swift test` never compile them.
import PackageDescription
import class Foundation.ProcessInfo

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

/// Built-in plugins depend on the plugin API and the modules its types come from (data, JSON), the
/// statistics and the report modules: never on the configuration, the pipeline or each other.
let pluginDependencies: [Target.Dependency] = ["CohortPluginAPI", "CohortData", "CohortStatistics", "CohortReport", "CohortJSON"]

/// One line per built-in plugin: its target name and folder under plugins/.
let builtInPlugins: [(target: String, folder: String)] = [
    ("DescriptivesPlugin", "Descriptives"), ("KaplanMeierPlugin", "KaplanMeier"), ("LogRankPlugin", "LogRank"),
    ("ROCCutoffPlugin", "ROCCutoff"), ("CoxPlugin", "Cox"), ("RMSTPlugin", "RMST"),
    ("CumulativeIncidencePlugin", "CumulativeIncidence"), ("ExecPlugin", "Exec"),
]

var package = Package(
    name: "cohortd",
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
        .package(url: "https://github.com/apple/swift-system.git", from: "1.8.1"),
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", from: "0.9.20"),
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
        .systemLibrary(
            name: "CRSVG",
            pkgConfig: "librsvg-2.0",
            providers: [.apt(["librsvg2-dev", "libcairo2-dev", "libfontconfig-dev"])]
        ),
        .target(name: "CohortRender", dependencies: ["CRSVG"], swiftSettings: strictSettings),
        .target(name: "CSeparators"),
        .target(
            name: "CohortData",
            dependencies: ["CSeparators"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "CohortConfiguration",
            dependencies: ["CYAML", "CohortData"],
            swiftSettings: strictSettings
        ),
        .target(name: "CohortJSON", swiftSettings: strictSettings),
        .target(name: "CohortReport", dependencies: ["CohortStatistics"], swiftSettings: strictSettings),
        .target(
            name: "CohortDocx",
            dependencies: ["CohortReport", .product(name: "ZIPFoundation", package: "ZIPFoundation")],
            swiftSettings: strictSettings
        ),
        .target(
            name: "CohortPluginAPI",
            dependencies: ["CohortData", "CohortStatistics", "CohortJSON", "CohortReport"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "CohortPipeline",
            dependencies: [
                "CohortConfiguration", "CohortPluginAPI", "CohortData", "CohortStatistics", "CohortJSON", "CohortReport", "CohortDocx",
                "CohortRender", .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "CohortStore",
            dependencies: [.product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strictSettings
        ),
        .target(name: "CFileSystem"),
        .target(name: "CProcess"),
        .systemLibrary(name: "CMalloc"),
        .target(
            name: "CohortIngest",
            dependencies: [
                "CFileSystem", "CohortConfiguration", "CohortPipeline", "CohortPluginAPI", "CohortData", "CohortJSON", "CohortStore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "CohortIngestTesting",
            dependencies: ["CohortIngest", .product(name: "SystemPackage", package: "swift-system")],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "cohortd",
            dependencies: [
                "CohortPipeline", "CohortPluginAPI", "CohortIngest", "CohortStore", "CohortConfiguration", "CohortJSON", "CMalloc",
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ] + builtInPlugins.map { .target(name: $0.target) },
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CohortStatisticsTests",
            dependencies: ["CohortStatistics"],
            exclude: ["Fixtures"],
            swiftSettings: strictSettings
        ),
        .testTarget(name: "CohortDataTests", dependencies: ["CohortData"], swiftSettings: strictSettings),
        .testTarget(name: "CohortJSONTests", dependencies: ["CohortJSON"], swiftSettings: strictSettings),
        .testTarget(name: "CohortConfigurationTests", dependencies: ["CohortConfiguration"], swiftSettings: strictSettings),
        .testTarget(name: "CohortReportTests", dependencies: ["CohortReport", "CohortStatistics"], swiftSettings: strictSettings),
        .testTarget(
            name: "CohortRenderTests", dependencies: ["CohortRender", "CohortReport", "CRSVG"], exclude: ["Fixtures"], swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CohortDocxTests",
            dependencies: ["CohortDocx", "CohortReport", .product(name: "ZIPFoundation", package: "ZIPFoundation")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CohortPluginAPITests",
            dependencies: ["CohortPluginAPI", "CohortData", "CohortJSON", "CohortStatistics"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CohortPipelineTests",
            dependencies: ["cohortd", "CohortPipeline", "CohortPluginAPI", "CohortConfiguration", "CohortData", "CohortJSON", "CohortReport"],
            exclude: ["Fixtures"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CohortdTests",
            dependencies: ["cohortd", "CohortPipeline", "CohortPluginAPI", "CohortConfiguration", "CohortData", "CohortJSON", "CohortReport"],
            swiftSettings: strictSettings
        ),
        .testTarget(name: "CohortStoreTests", dependencies: ["CohortStore"], swiftSettings: strictSettings),
        .testTarget(
            name: "CohortIngestTests",
            dependencies: [
                "cohortd", "CohortIngest", "CohortIngestTesting", "CohortPipeline", "CohortStore", "CohortConfiguration", "CohortData",
                "CohortJSON", "CFileSystem",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            swiftSettings: strictSettings
        ),
    ] + builtInPlugins.map { plugin in
        .target(
            name: plugin.target, dependencies: pluginDependencies + (plugin.target == "ExecPlugin" ? ["CProcess"] : []),
            path: "plugins/\(plugin.folder)", swiftSettings: strictSettings)
    },
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
                "CohortPipeline", "DescriptivesPlugin", "KaplanMeierPlugin", "LogRankPlugin", "ROCCutoffPlugin", "CoxPlugin",
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Tests/Benchmarks/AnalyzeBenchmarks",
            exclude: ["bench-pipeline.yaml"],
            swiftSettings: strictSettings,
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    )
}
