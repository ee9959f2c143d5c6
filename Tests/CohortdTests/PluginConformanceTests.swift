import CohortConfiguration
import CohortData
import CohortJSON
import CohortPluginAPI
import CohortReport
import Foundation
import Testing

@testable import CohortPipeline
@testable import cohortd

/// The rules of ``AnalysisPlugin`` checked over every plugin the executable registers: a new
/// plugin without an entry in ``examples`` fails here.
@Suite struct PluginConformanceTests {
    static let registry = BuiltInPlugins.registry
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// For each plugin, an `analyses:` list whose last entry gives every key the plugin declares
    /// (earlier entries are what it depends on).
    static var examples: [String: String] {
        let eventCounts = root.appendingPathComponent("plugins/examples/event-counts").path
        return [
            "descriptives": """
              - id: a
                plugin: descriptives
                variables: [age, sex, flag]
                bins: {size: ["1-5", "6-"]}
                digits: {age: 1}
                title: T
                by: flag
                tests: ezr
                nonnormal: [age]
                smd: true
                missing: always
                fisher_time_limit: 2
            """,
            "kaplan_meier": """
              - {id: a, plugin: kaplan_meier, conf_type: log, conf_level: 0.9, times: [12, 100], by: sex, band: true, title: T, compare_at: [12], landmark: 0}
            """,
            "logrank": """
              - {id: r, plugin: roc_cutoff, outcome: {event_within: 12}, predictors: [age]}
              - id: a
                plugin: logrank
                times: [12]
                rho: 1
                conf_type: plain
                conf_level: 0.95
                title: T
                groups: [sex, {variable: age, cutoff: {from: r}, label: Age}, {variable: size, cutoff: median}]
                strata: [flag]
                pairwise: holm
                trend: true
                landmark: 1
            """,
            "roc_cutoff": """
              - {id: a, plugin: roc_cutoff, outcome: {event_within: 12}, predictors: [age, size], method: closest_topleft, direction: auto, conf_level: 0.9, title: T, compare: [[age, size]]}
            """,
            "cumulative_incidence": """
              - {id: a, plugin: cumulative_incidence, event: relapse, by: sex, times: [6, 12, 100], conf_level: 0.9, rho: 1, title: T}
            """,
            "rmst": """
              - {id: a, plugin: rmst, tau: 6, by: sex, conf_level: 0.9, title: T, landmark: 1}
            """,
            "cox": """
              - id: a
                plugin: cox
                univariable: [age, sex, size]
                multivariable: [age, sex]
                strata: [flag]
                ph_test: true
                ph_alpha: 0.1
                factor_test: lr
                ties: breslow
                conf_level: 0.9
                title: T
                landmark: 1
            """,
            "exec": """
              - {id: a, plugin: exec, command: ["\(eventCounts)"], variables: [dead, sex], timeout: 20, parameters: {x: 1}, max_output: 100000, title: T}
            """,
        ]
    }

    static func pipeline(_ analyses: String) -> String {
        """
        name: conformance
        match: ["*.csv"]
        columns: {time: number, dead: boolean, age: number, size: integer, sex: {type: category, levels: [F, M]}, flag: boolean,
                  cause: {type: category, levels: [none, relapse, death]}}
        survival: {time: time, event: dead}
        competing: {time: time, status: cause, censored: [none]}
        analyses:
        \(analyses)
        """
    }

    /// Data sets the outputs and reports must survive: ordinary, no events, one patient, a
    /// variable entirely missing, and a group with one patient; each with the competing status
    /// `cause` added (an event is a relapse or a death, alternately).
    static let dataSets: [(name: String, csv: String)] = plainDataSets.map { ($0.name, withCause($0.csv)) }

    static func withCause(_ csv: String) -> String {
        var lines = csv.split(separator: "\n").map(String.init)
        guard !lines.isEmpty else { return csv }
        lines[0] += ",cause"
        for k in 1..<max(lines.count, 1) {
            let dead = lines[k].split(separator: ",", omittingEmptySubsequences: false).dropFirst().first == "yes"
            lines[k] += "," + (dead ? (k % 2 == 0 ? "relapse" : "death") : "none")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static let plainDataSets: [(name: String, csv: String)] = [
        (
            "ordinary",
            "time,dead,age,size,sex,flag\n"
                + (0..<30).map { k in
                    "\(1 + (k * 7) % 40),\(k % 3 == 0 ? "yes" : "no"),\(40 + (k * 13) % 30),\(1 + k % 9),\(k % 2 == 0 ? "F" : "M"),\(k % 4 == 0 ? "yes" : "no")"
                }.joined(separator: "\n") + "\n"
        ),
        ("no events", "time,dead,age,size,sex,flag\n5,no,50,2,F,no\n8,no,60,7,M,yes\n12,no,55,3,F,no\n"),
        ("one patient", "time,dead,age,size,sex,flag\n5,yes,50,2,F,no\n"),
        ("all missing", "time,dead,age,size,sex,flag\n5,yes,,,F,\n8,no,,,M,\n3,yes,,,,\n"),
        ("lonely group", "time,dead,age,size,sex,flag\n5,yes,50,2,F,no\n8,no,60,7,F,yes\n2,yes,45,1,M,no\n9,yes,52,4,F,yes\n"),
    ]

    @Test func namesAreUniqueAndWellFormed() {
        let names = Self.registry.names
        #expect(Set(names).count == names.count)
        for name in names { #expect(name.allSatisfy { $0 == "_" || ("a"..."z").contains($0) }, "\(name)") }
        #expect(Set(Self.examples.keys) == Set(names), "every registered plugin needs a conformance example")
    }

    @Test func theExamplesAreValid() throws {
        for (name, analyses) in Self.examples {
            let loaded = try LoadedPipeline(text: Self.pipeline(analyses), file: "\(name).yaml", directory: "/tmp", registry: Self.registry)
            #expect(loaded.analyses.last?.plugin == name)
        }
    }

    /// `checks: false` is a key of every plugin (the plugin API reads it): each example runs with
    /// it, and its result's `warnings`, where it has one, is empty, as is the report's checks.
    @Test func everyPluginAcceptsChecksFalse() async throws {
        for (name, analyses) in Self.examples {
            var lines = analyses.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            while lines.last?.trimmingCharacters(in: .whitespaces).isEmpty == true { lines.removeLast() }
            guard let last = lines.popLast() else { continue }
            if last.hasSuffix("}") {
                lines.append(String(last.dropLast()) + ", checks: false}")
            } else {
                lines.append(last)
                lines.append(String(last.prefix { $0 == " " }) + "checks: false")
            }
            let loaded = try LoadedPipeline(
                text: Self.pipeline(lines.joined(separator: "\n") + "\n"), file: "\(name).yaml", directory: "/tmp", registry: Self.registry)
            let id = try #require(loaded.analyses.last?.id)
            var emptied = 0
            for (dataName, csv) in Self.dataSets {
                let outcome = await PipelineRunner(loaded).run(Data(csv.utf8), info: RunInfo(id: "c", fileName: "c.csv"))
                let analysis = (try? outcome.result.document)?["analyses"]
                guard case .array(let entries)? = analysis, let entry = entries.first(where: { $0["id"] == .string(id) }) else {
                    Issue.record("\(name) on \(dataName): no result")
                    continue
                }
                if entry["status"] == .string("ok"), let warnings = entry["result"]?["warnings"] {
                    #expect(warnings == .array([]), "\(name) on \(dataName)")
                    emptied += 1
                }
                let blocks = outcome.report.first { $0.id == id }?.blocks ?? []
                #expect(!blocks.contains { if case .checks = $0 { true } else { false } }, "\(name) on \(dataName)")
            }
            // exec's result is the program's own JSON, without the plugin API's warnings.
            #expect(emptied > 0 || name == "exec", "\(name): no data set gave a result with warnings")
        }
    }

    @Test func unknownKeysAreRejectedWithTheirLocation() throws {
        for name in Self.registry.names {
            let yaml = Self.pipeline("  - id: a\n    plugin: \(name)\n    colour: red\n")
            do {
                _ = try LoadedPipeline(text: yaml, file: "p.yaml", directory: "/tmp", registry: Self.registry)
                Issue.record("\(name) accepted an unknown key")
            } catch let error as ConfigurationError {
                #expect(error.code == .unknownKey, "\(name)")
                #expect(error.line == 10 && error.column == 5 && error.path == "analyses[0]", "\(name): \(error)")
                #expect(error.description.hasPrefix("p.yaml:10:5: analyses[0]: unknown key 'colour'"), "\(name): \(error)")
            }
        }
    }

    /// A key declared but never read would be accepted and silently ignored.
    @Test func everyDeclaredKeyIsRead() throws {
        for (name, analyses) in Self.examples {
            let plugin = try #require(Self.registry.plugin(named: name))
            let pipeline = try Pipeline(yaml: Self.pipeline(analyses), file: "\(name).yaml")
            let loaded = try LoadedPipeline(text: Self.pipeline(analyses), file: "\(name).yaml", directory: "/tmp", registry: Self.registry)
            let spec = try #require(pipeline.analyses.last)
            let context = LoadedPipeline.context(of: pipeline, id: spec.id, earlier: loaded.analyses.dropLast().map(\.asEarlier))
            let (read, declared) = try Self.keys(of: plugin, entry: YAMLParameterValue(spec.node), context: context)
            #expect(read == declared, "\(name) never reads \(declared.subtracting(read).sorted())")
        }
    }

    static func keys<P: AnalysisPlugin>(of plugin: P.Type, entry: any ParameterValue, context: AnalysisContext) throws
        -> (read: Set<String>, declared: Set<String>)
    {
        let mapping = try entry.mapping(P.Key.self, alsoAllowing: ["id", "plugin"])
        _ = try P.parameters(from: mapping, context: context)
        return (Set(mapping.keysRead.map(\.rawValue)), Set(P.Key.allCases.map(\.rawValue)))
    }

    /// Runs each example on each data set: outputs keep every `nil` as `null`, the report renders.
    @Test func outputsKeepNullsAndReportsRenderOnEdgeData() async throws {
        for (name, analyses) in Self.examples {
            let loaded = try LoadedPipeline(text: Self.pipeline(analyses), file: "\(name).yaml", directory: "/tmp", registry: Self.registry)
            let runner = PipelineRunner(loaded)
            for (dataName, csv) in Self.dataSets {
                let outcome = await runner.run(Data(csv.utf8), info: RunInfo(id: "c", fileName: "c.csv"))
                #expect(outcome.failure == nil, "\(name) on \(dataName): \(String(describing: outcome.failure))")
                // Every report renders (an analysis that failed has none, and says why in results.json).
                let files = RunWriter.files(for: outcome, pipeline: loaded.pipeline, info: RunInfo(id: "c", fileName: "c.csv"))
                #expect(files.contains { $0.name == "report.html" }, "\(name) on \(dataName)")
                // The typed outputs, against their JSON.
                let prepared = try Data(csv.utf8).withUnsafeBytes { try runner.prepare($0) }
                var earlier: [String: any Sendable] = [:]
                for analysis in loaded.analyses {
                    let input = AnalysisInput(
                        table: prepared.table, survival: loaded.survival, competing: loaded.competing, earlierOutputs: earlier,
                        pipelineDirectory: "/tmp")
                    guard let done = try? analysis.run(input, report: ReportContext(minCell: 3, timeUnit: "months")) else { continue }
                    earlier[analysis.id] = done.output
                    var omitted: [String] = []
                    Self.nullsKept(done.output, json: done.result, path: analysis.id, omitted: &omitted)
                    #expect(omitted.isEmpty, "\(name) on \(dataName): nil omitted at \(omitted)")
                }
            }
        }
    }

    /// Walks a value beside its JSON: an optional that is `nil` must stand as a key with `null`.
    /// A stored property that is not a key (a sum type's payload, a flattened part) is walked
    /// against the same object; properties that are not encoded at all are skipped by shape.
    static func nullsKept(_ value: Any, json: JSONValue, path: String, omitted: inout [String]) {
        if value is JSONValue { return }
        let mirror = Mirror(reflecting: value)
        switch mirror.displayStyle {
        case .optional:
            if let child = mirror.children.first { nullsKept(child.value, json: json, path: path, omitted: &omitted) }
        case .collection:
            guard case .array(let items) = json, items.count == mirror.children.count else { return }
            for (k, (child, item)) in zip(mirror.children, items).enumerated() {
                nullsKept(child.value, json: item, path: "\(path)[\(k)]", omitted: &omitted)
            }
        case .struct, .class:
            guard case .object = json else { return }
            for child in mirror.children {
                guard let label = child.label else { continue }
                let isNil = Mirror(reflecting: child.value).displayStyle == .optional && Mirror(reflecting: child.value).children.isEmpty
                if let j = json[label] {
                    if isNil {
                        if j != .null { omitted.append("\(path).\(label) (not null)") }
                    } else {
                        nullsKept(child.value, json: j, path: "\(path).\(label)", omitted: &omitted)
                    }
                } else if isNil {
                    omitted.append("\(path).\(label)")
                } else {
                    nullsKept(child.value, json: json, path: path, omitted: &omitted)
                }
            }
        case .enum, .tuple:
            for child in mirror.children { nullsKept(child.value, json: json, path: path, omitted: &omitted) }
        default:
            return
        }
    }

    /// A partitioned plugin's parts, merged, equal its whole run.
    @Test func partsMergedEqualTheWhole() throws {
        var checked = 0
        for (name, analyses) in Self.examples {
            guard let plugin = Self.registry.plugin(named: name) as? any PartitionedAnalysisPlugin.Type else { continue }
            let pipeline = try Pipeline(yaml: Self.pipeline(analyses), file: "\(name).yaml")
            let loaded = try LoadedPipeline(text: Self.pipeline(analyses), file: "\(name).yaml", directory: "/tmp", registry: Self.registry)
            let spec = try #require(pipeline.analyses.last)
            let context = LoadedPipeline.context(of: pipeline, id: spec.id, earlier: loaded.analyses.dropLast().map(\.asEarlier))
            let runner = PipelineRunner(loaded)
            for (dataName, csv) in Self.dataSets {
                let prepared = try Data(csv.utf8).withUnsafeBytes { try runner.prepare($0) }
                var earlier: [String: any Sendable] = [:]
                for analysis in loaded.analyses.dropLast() {
                    let input = AnalysisInput(
                        table: prepared.table, survival: loaded.survival, competing: loaded.competing, earlierOutputs: [:],
                        pipelineDirectory: "/tmp")
                    earlier[analysis.id] = try? analysis.run(input, report: ReportContext(minCell: 0, timeUnit: "")).output
                }
                let input = AnalysisInput(
                    table: prepared.table, survival: loaded.survival, competing: loaded.competing, earlierOutputs: earlier,
                    pipelineDirectory: "/tmp")
                let (parts, whole) = try Self.partsAndWhole(plugin, entry: YAMLParameterValue(spec.node), context: context, input: input)
                #expect(parts == whole, "\(name) on \(dataName)")
                checked += 1
            }
        }
        #expect(checked >= 3 * Self.dataSets.count)
    }

    static func partsAndWhole<P: PartitionedAnalysisPlugin>(
        _ plugin: P.Type, entry: any ParameterValue, context: AnalysisContext,
        input: AnalysisInput
    ) throws -> (parts: JSONValue?, whole: JSONValue?) {
        let parameters = try P.decode(entry, context: context)
        let parts = P.parts(of: parameters)
        #expect(!parts.isEmpty)
        let whole = try? JSONValueEncoder().encode(P.run(parameters, input: input))
        let outputs = try? parts.map { try P.run($0, input: input) }
        return (try outputs.map { try JSONValueEncoder().encode(P.merge($0, parameters: parameters)) }, whole)
    }
}

/// The null check itself: it must see a `nil` that an encoder leaves out.
@Suite struct NullCheckTests {
    struct Leaky: Encodable {
        var a: Int
        var b: Double?
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(a, forKey: .a)
            if let b { try c.encode(b, forKey: .b) }
        }
        enum CodingKeys: String, CodingKey { case a, b }
    }

    struct Honest: Encodable {
        var a: Int
        var b: Double?
        var inner: [Leaky]
    }

    @Test func anOmittedNilIsFoundAndAKeptOneIsNot() throws {
        var omitted: [String] = []
        let leaky = Leaky(a: 1, b: nil)
        PluginConformanceTests.nullsKept(leaky, json: try JSONValueEncoder().encode(leaky), path: "x", omitted: &omitted)
        #expect(omitted == ["x.b"])
        omitted = []
        let honest = Honest(a: 1, b: nil, inner: [Leaky(a: 2, b: 3), Leaky(a: 3, b: nil)])
        PluginConformanceTests.nullsKept(honest, json: try JSONValueEncoder().encode(honest), path: "y", omitted: &omitted)
        #expect(omitted == ["y.inner[1].b"])
    }
}
