import CohortJSON
import CohortPipeline
import CohortPluginAPI
import CohortReport
import Foundation
import Synchronization
import Testing

/// results.json and the human-readable report: nulls, small-cell suppression, safe CSV, a
/// self-contained HTML page.
@Suite struct ReportTests {
    static let pipeline = """
        name: report-test
        match: ["*.csv"]
        columns: {time: number, dead: {type: boolean, true: ["1"], false: ["0"]}, grp: category, note: category}
        survival: {time: time, event: dead, unit: days}
        analyses:
          - {id: desc, plugin: descriptives, variables: [grp, note]}
          - {id: km, plugin: kaplan_meier, times: [1, 100], by: grp}
        report: {min_cell: 3}
        """
    static let csv = "time,dead,grp,note\n5,0,a,=cmd()\n8,0,a,x\n12,1,b,x\n20,0,b,x\n30,0,b,x\n"

    @Test func notEstimableValuesAreNullNeverMissing() async throws {
        let outcome = try await runPipeline(Self.pipeline, csv: Self.csv)
        #expect(outcome.status == .ok)
        let strata = try #require(outcome.document.analysis("km")?["result"]?["strata"]).array
        let a = try #require(strata.first)
        // Group a has no events: the median is not reached (null, not missing); at 1, before its
        // first observation, S = 1 with limits 1 and 1 for every type (R's summary(fit, times)).
        #expect(a["median"]?["estimate"] == .null)
        #expect(a["median"]?["lower"] == .null)
        #expect(a["median"]?["upper"] == .null)
        #expect(a["at_times"]?.array.first?["lower"] == .number(1))
        #expect(a["at_times"]?.array.first?["upper"] == .number(1))
        // 100 days is past every observation: no entry (summary(times, extend = FALSE)).
        #expect(a["at_times"]?.array.count == 1)
        let text = outcome.document.serialized()
        #expect(!text.contains("NaN") && !text.contains("nan") && !text.contains("inf"))
        let parsed = try JSONSerialization.jsonObject(with: Data(text.utf8))
        #expect(parsed is [String: Any])
    }

    @Test func smallCountsAreSuppressedAndFormulasNeutralised() async throws {
        let outcome = try await runPipeline(Self.pipeline, csv: Self.csv)
        let loaded = try LoadedPipeline(text: Self.pipeline, file: "t.yaml", directory: "/tmp", registry: testRegistry)
        let files = RunWriter.files(for: outcome, pipeline: loaded.pipeline, info: RunInfo(id: "r1", fileName: "t.csv"))
        let names = files.map(\.name)
        #expect(names.contains("results.json") && names.contains("report.html") && names.contains("report.md"))
        #expect(names.contains("km.svg") && names.contains("km.csv"))
        let csvFile = try #require(files.first { $0.name == "desc.csv" })
        let csv = String(decoding: csvFile.bytes, as: UTF8.self)
        #expect(csv.contains("'=cmd()"))  // a formula is written as text
        #expect(csv.contains("<3"))  // 2 (40%) suppressed under min_cell 3
        #expect(!csv.contains("2 (40.0%)"))
        #expect(csv.contains("3 (60.0%)"))
        let html = String(decoding: try #require(files.first { $0.name == "report.html" }).bytes, as: UTF8.self)
        #expect(html.contains("<svg"))
        // Nothing is fetched: no scripts, no external sources or style sheets (the SVG namespace is not a fetch).
        #expect(!html.contains("<script") && !html.contains("src=") && !html.contains("href=") && !html.contains("url("))
        #expect(!html.contains("<link"))
    }

    @Test func badValuesBecomeMissingAndAreCounted() async throws {
        let pipeline = Self.pipeline.replacingOccurrences(of: "columns:", with: "input: {on_error: missing}\ncolumns:")
        let outcome = try await runPipeline(pipeline, csv: "time,dead,grp,note\n5,2,a,x\n7,1,a,x\n9,0,b,x\n")
        #expect(outcome.status == .ok)
        #expect(outcome.document["input"]?["bad_values"]?["dead"]?.number == 1)
        #expect(outcome.document.analysis("km")?["result"]?["excluded"]?.number == 1)
    }

    @Test func aFileThatCannotBeReadFailsTheRunWithItsLocation() async throws {
        let outcome = try await runPipeline(Self.pipeline, csv: "time,dead,grp,note\n5,2,a,x\n")
        #expect(outcome.status == .failed)
        let failure = try #require(outcome.failure)
        #expect(failure.line == 2 && failure.column == "dead")
        #expect(outcome.document["error"]?["line"]?.number == 2)
        #expect(outcome.document["error"]?["column"]?.string == "dead")
    }
}

/// Run ids and timestamps are formatted without ICU; they must read as Foundation's do.
@Suite struct UTCTimeTests {
    @Test(arguments: [0.0, 1_795_745_563.821, 951_782_400.5, -86_400.25, 4_102_444_799.999])
    func agreesWithFoundation(seconds: Double) {
        let date = Date(timeIntervalSince1970: seconds)
        let iso = ISO8601DateFormatter()
        iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        #expect(UTCTime(date).iso8601 == iso.string(from: date))
        let day = DateFormatter()
        day.locale = Locale(identifier: "en_US_POSIX")
        day.timeZone = TimeZone(identifier: "UTC")
        day.dateFormat = "yyyy-MM-dd"
        #expect(UTCTime(date).date == day.string(from: date))
        #expect(RunInfo.newID(at: date).hasPrefix(UTCTime(date).compact + "-"))
    }
}

/// The daemon stores each analysis's result cut from results.json as written; it must be the
/// same JSON as serialising the result on its own.
@Suite struct StoredResultTests {
    @Test func resultsCutFromResultsJSONEqualTheirOwnSerialisation() async throws {
        let loaded = try LoadedPipeline(contentsOf: Repository.paperPipeline, registry: testRegistry)
        let data = try Data(contentsOf: URL(fileURLWithPath: Repository.paperExport))
        var outcome = await PipelineRunner(loaded).run(data, info: RunInfo(id: "cut", fileName: "pm_database_export.csv"))
        // One analysis failing (no result) keeps the others aligned.
        #expect(outcome.result.analyses.count > 1)
        outcome.result.analyses[0].status = .error
        outcome.result.analyses[0].result = nil
        outcome.result.analyses[0].error = AnalysisError(.internal, "test: made to fail")
        let (files, results) = RunWriter.filesAndResults(for: outcome, pipeline: loaded.pipeline, info: RunInfo(id: "cut", fileName: "x.csv"))
        let analyses = outcome.document["analyses"]?.array ?? []
        #expect(results.count == analyses.count && analyses.count >= 5)
        #expect(results.first == .some(nil))
        for (result, analysis) in zip(results, analyses) {
            #expect(result == analysis["result"].map { $0.serialized(indent: 0) })
        }
        #expect(files.first?.name == "results.json" && files.first?.bytes == outcome.document.serializedBytes() + [0x0A])
        // Whitespace inside strings survives minifying.
        #expect(JSONValue.minified(Array(#"{ "a b": [1, "x \" y\\"] }"#.utf8)[...]) == Array(#"{"a b":[1,"x \" y\\"]}"#.utf8))
    }
}

/// On a large cohort the runner computes the parts of partitioned analyses (a univariate
/// table's groupings, a Table 1's variables, an ROC analysis's predictors) as tasks of their own;
/// the results must be those of running each analysis whole.
@Suite struct PartitionedAnalysisTests {
    @Test func partsComputedApartGiveTheWholeResult() async throws {
        let yaml = """
            name: parts
            match: ["*.csv"]
            columns: {age: integer, size: number, sex: category, site: category, months: number, dead: boolean}
            survival: {time: months, event: dead, unit: months}
            analyses:
              - {id: table1, plugin: descriptives, variables: [age, size, sex, site]}
              - {id: roc, plugin: roc_cutoff, outcome: {event_within: 24}, predictors: [age, size]}
              - id: uni
                plugin: logrank
                times: [12, 24]
                groups: [sex, site, {variable: size, cutoff: {from: roc}}, {variable: age, cutoff: median}]
            """
        var csv = "age,size,sex,site,months,dead\n"
        var state: UInt64 = 42
        func next(_ n: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(n))
        }
        let rows = PipelineRunner.partitionThreshold + 500
        for _ in 0..<rows {
            csv +=
                "\(30 + next(50)),\(Double(next(900)) / 10),\(["F", "M"][next(2)]),\(["lung", "limb", "trunk"][next(3)]),\(Double(1 + next(600)) / 10),\(next(3) == 0 ? 1 : 0)\n"
        }
        let loaded = try LoadedPipeline(text: yaml, file: "parts.yaml", directory: NSTemporaryDirectory(), registry: testRegistry)
        let runner = PipelineRunner(loaded)
        let outcome = await runner.run(Data(csv.utf8), info: RunInfo(id: "parts", fileName: "parts.csv"))
        #expect(outcome.status == .ok)
        // Each analysis run whole, in order, on the same cohort.
        let prepared = try Data(csv.utf8).withUnsafeBytes { try runner.prepare($0) }
        let input = AnalysisInput(table: prepared.table, survival: loaded.survival, earlierOutputs: [:], pipelineDirectory: NSTemporaryDirectory())
        let context = ReportContext(minCell: 0, timeUnit: "months")
        var earlier: [String: any Sendable] = [:]
        for analysis in loaded.analyses {
            #expect(analysis.partCount > 1)
            let whole = try analysis.run(input.with(earlierOutputs: earlier), report: context)
            earlier[analysis.id] = whole.output
            #expect(outcome.document.analysis(analysis.id)?["result"] == whole.result, "analysis \(analysis.id)")
        }
        // The same with each analysis's figures drawn as it finishes (assembled by the task of its
        // last part, which hands the figures over): the same results, every figure drawn once.
        var drawing = runner
        drawing.drawsFigures = true
        let events = Mutex<[RunProgress]>([])
        drawing.progress = { event in events.withLock { $0.append(event) } }
        let drawn = await drawing.run(Data(csv.utf8), info: RunInfo(id: "parts", fileName: "parts.csv"))
        // Each task and each analysis told once, with counts in order, all before run returns.
        let told = events.withLock { $0 }
        let tasks = told.compactMap { if case .taskFinished(let done, let total) = $0 { (done, total) } else { nil } }
        let totalParts = loaded.analyses.reduce(0) { $0 + $1.partCount }
        #expect(tasks.map(\.0) == Array(1...totalParts) && tasks.allSatisfy { $0.1 == totalParts })
        let finished = told.compactMap { if case .analysisFinished(let id, _, _, _, let done, _) = $0 { (id, done) } else { nil } }
        #expect(finished.map(\.1) == Array(1...loaded.analyses.count))
        #expect(Set(finished.map(\.0)) == Set(loaded.analyses.map(\.id)))
        // `uni` uses `roc`'s cut-off: it cannot finish first.
        #expect(finished.firstIndex { $0.0 == "roc" } ?? .max < finished.firstIndex { $0.0 == "uni" } ?? -1)
        for analysis in loaded.analyses {
            #expect(drawn.document.analysis(analysis.id)?["result"] == outcome.document.analysis(analysis.id)?["result"], "\(analysis.id)")
        }
        let figureCount = drawn.report.flatMap(\.blocks).filter { if case .figure = $0 { true } else { false } }.count
        drawn.figures?.waitForSubmitted()
        #expect(figureCount > 0 && drawn.figures?.drawings == figureCount)
        let files = RunWriter.files(for: drawn, pipeline: loaded.pipeline, info: RunInfo(id: "parts", fileName: "parts.csv"))
        #expect(drawn.figures?.drawings == figureCount)
        #expect(files.filter { $0.name.hasSuffix(".png") }.count == figureCount)
    }
}
