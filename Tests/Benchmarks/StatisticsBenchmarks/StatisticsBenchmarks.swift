// Benchmarks of the statistics core on 1,000,000 synthetic subjects (issue budget: KM + log-rank
// with 5 groups + ROC with DeLong under 0.3 s on one core).
//
// Run: COHORTD_BENCHMARKS=1 swift package --scratch-path .build-bench benchmark
import Benchmark
import CohortStatistics
import Foundation

/// A reproducible synthetic cohort (xorshift generator, fixed seed).
struct SyntheticCohort {
    var time: [Double] = []
    var event: [Bool] = []
    var group: [Int32] = []
    var predictor: [Double] = []

    init(rows: Int) {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Double {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return Double(state >> 11) / Double(1 << 53)
        }
        time.reserveCapacity(rows)
        for _ in 0..<rows {
            let g = Int32(next() * 5)
            let size = (next() * 60 * 10).rounded() / 10
            // Exponential event times whose hazard grows with size and group; uniform censoring.
            let hazard = 0.01 * (1 + Double(g) * 0.2) * (1 + size / 30)
            let eventTime = -log(1 - next()) / hazard
            let censorTime = 1 + next() * 119
            time.append((min(eventTime, censorTime) * 10).rounded() / 10)
            event.append(eventTime <= censorTime)
            group.append(g)
            predictor.append(size)
        }
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .peakMemoryResident], maxDuration: .seconds(10), maxIterations: 10)
    let cohort = SyntheticCohort(rows: 1_000_000)

    Benchmark("KM + log-rank (5 groups) + ROC with DeLong, 1M rows") { benchmark in
        for _ in benchmark.scaledIterations {
            let data = try SurvivalData(time: cohort.time, event: cohort.event)
            let km = try KaplanMeier(data.sorted(), confidence: SurvivalConfidence(type: .logLog))
            blackHole(km.median)
            blackHole(km.survival(at: [36, 60]))
            let test = try LogRankTest(data, group: cohort.group, groupCount: 5)
            blackHole(test.p)
            let outcome = zip(cohort.time, cohort.event).map { $1 && $0 <= 36 }
            let curve = try ROCCurve(predictor: cohort.predictor, outcome: outcome)
            blackHole(try curve.aucConfidenceInterval())
            blackHole(curve.best())
        }
    }

    Benchmark("Kaplan–Meier, 1M rows") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try KaplanMeier(time: cohort.time, event: cohort.event, confidence: SurvivalConfidence(type: .logLog)))
        }
    }

    Benchmark("Log-rank, 5 groups, 1M rows") { benchmark in
        let data = try? SurvivalData(time: cohort.time, event: cohort.event)
        for _ in benchmark.scaledIterations {
            if let data { blackHole(try LogRankTest(data, group: cohort.group, groupCount: 5)) }
        }
    }

    // Issue 10: a Cox model on 4 covariates with its cox.zph test and concordance (the work
    // `plugin: cox` with `ph_test: true` adds). Follow-up times have one decimal, so the fit
    // sums ~1,000 distinct times per pass, on two cores.
    Benchmark("Cox (Efron), 4 covariates, with cox.zph and concordance, 1M rows") { benchmark in
        let data = try SurvivalData(time: cohort.time, event: cohort.event)
        var design = CoxDesign()
        design.addNumeric("size", cohort.predictor)
        design.addNumeric("group", cohort.group.map { Double($0) })
        design.addNumeric("size x group", zip(cohort.predictor, cohort.group).map { $0 * Double($1) / 10 })
        design.addCategorical("large", codes: cohort.predictor.map { $0 > 30 ? 1 : 0 }, levels: ["no", "yes"])
        for _ in benchmark.scaledIterations {
            blackHole(try CoxModel(data, design: design, proportionalHazards: [[0], [1], [2], [3]]))
        }
    }

    Benchmark("ROC + DeLong + Youden, 1M rows") { benchmark in
        let outcome = zip(cohort.time, cohort.event).map { $1 && $0 <= 36 }
        for _ in benchmark.scaledIterations {
            let curve = try ROCCurve(predictor: cohort.predictor, outcome: outcome)
            blackHole(try curve.aucConfidenceInterval())
            blackHole(curve.best())
        }
    }
}
