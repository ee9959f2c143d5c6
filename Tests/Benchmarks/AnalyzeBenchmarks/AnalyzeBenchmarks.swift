// End-to-end analysis of a 1,000,000-row export with the benchmark pipeline of ../shared/bench
// (copied here as bench-pipeline.yaml): read + derive + all analyses + report files, in process.
// Budget (issue): under 0.9 s wall and 400 MB peak RSS for `cohortd analyze` on this machine.
//
// Run: COHORTD_BENCHMARKS=1 swift package --scratch-path .build-bench benchmark --target AnalyzeBenchmarks
import Benchmark
import CohortPipeline
import CoxPlugin
import DescriptivesPlugin
import Foundation
import KaplanMeierPlugin
import LogRankPlugin
import ROCCutoffPlugin

/// A synthetic export with the columns and distributions of shared/bench/gen_cohort.py.
enum SyntheticExport {
    static func csv(rows: Int) -> Data {
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        func uniform() -> Double {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return Double(state >> 11) / Double(1 << 53)
        }
        func pick(_ options: [String], _ weights: [Double]? = nil) -> String {
            let u = uniform()
            guard let weights else { return options[min(options.count - 1, Int(u * Double(options.count)))] }
            var acc = 0.0
            for (k, w) in weights.enumerated() {
                acc += w
                if u < acc { return options[k] }
            }
            return options[options.count - 1]
        }
        var out =
            "patient_id,first_pm_date,age,sex,primary_site,histology,lung_met_extent,surgical_approach,chemo_for_lung_mets,complete_resection,largest_tumor_mm,nlr_first_pm,dfi_months,total_resected_tumors,os_months,dead\n"
        out.reserveCapacity(rows * 96)
        for i in 0..<rows {
            let age = 18 + Int(uniform() * 72)
            let size = (-log(1 - uniform()) * 12 - log(1 - uniform()) * 12) * 10
            let nlr = exp(0.8 + 0.4 * (uniform() + uniform() + uniform() - 1.5) * 2)
            let dfi = -log(1 - uniform()) * 24
            let complete = pick(["yes", "no"], [0.8, 0.2])
            let hazard = 0.01 * exp(0.03 * Double(age - 55) + 0.02 * (size / 10 - 24) - 0.01 * (dfi - 24) + (complete == "no" ? 0.5 : 0))
            let eventTime = -log(1 - uniform()) / hazard
            let censorTime = 1 + uniform() * 119
            let time = min(eventTime, censorTime)
            let missingNLR = uniform() < 0.02
            let day = 1 + Int(uniform() * 28)
            let month = 1 + Int(uniform() * 12)
            let year = 2006 + Int(uniform() * 13)
            out += "P\(String(format: "%07d", i)),\(year)-\(String(format: "%02d-%02d", month, day)),\(age),\(pick(["M", "F"])),"
            out += "\(pick(["retroperitoneum", "extremity", "trunk", "uterus", "head_neck"], [0.15, 0.4, 0.2, 0.15, 0.1])),"
            out += "\(pick(["leiomyosarcoma", "liposarcoma", "synovial", "ups", "other"])),\(pick(["unilateral", "bilateral"])),"
            out += "\(pick(["open", "mini-thoracotomy", "VATS"])),\(pick(["yes", "no"])),\(complete),"
            out += String(format: "%.1f,", (size).rounded() / 10)
            out += missingNLR ? "," : String(format: "%.2f,", nlr)
            out += String(format: "%.1f,%d,%.1f,%d\n", dfi, 1 + Int(uniform() * 39), time, eventTime <= censorTime ? 1 : 0)
        }
        return Data(out.utf8)
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .peakMemoryResident], maxDuration: .seconds(20), maxIterations: 5)
    let pipelinePath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("bench-pipeline.yaml").path
    let export = SyntheticExport.csv(rows: 1_000_000)

    Benchmark("analyze 1M rows (bench pipeline), read to report files") { benchmark in
        let loaded = try LoadedPipeline(contentsOf: pipelinePath, registry: registry)
        let runner = PipelineRunner(loaded)
        for _ in benchmark.scaledIterations {
            let info = RunInfo(id: "bench", fileName: "bench.csv")
            let outcome = await runner.run(export, info: info)
            blackHole(RunWriter.files(for: outcome, pipeline: loaded.pipeline, info: info))
        }
    }
}

/// The analyses the benchmark pipeline names (an executable cannot import the cohortd executable's list).
let registry = PluginRegistry(plugins: [
    DescriptivesPlugin.self, KaplanMeierPlugin.self, LogRankPlugin.self, ROCCutoffPlugin.self, CoxPlugin.self,
])
