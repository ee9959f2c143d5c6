import Testing

@testable import CohortStatistics

/// The per-run sums behind the Cox fit and `cox.zph` (issue 10's speed): blocks and threads
/// change nothing, the SIMD and general loops agree, `cox.zph` from the fit's retained sums is
/// the one recomputed, and the concordance split over two cores counts every pair.
@Suite struct CoxRiskSetRunsTests {
    /// Subjects in risk-set order (descending time, censorings first at a tie), `p` covariates.
    static func rows(_ n: Int, p: Int, strata: Int = 1) -> (time: [Double], status: [Bool], stratum: [Int32], x: [Double]) {
        var time: [Double] = []
        var status: [Bool] = []
        var stratum: [Int32] = []
        var x: [Double] = []
        let perStratum = n / strata
        for s in 0..<strata {
            for k in 0..<perStratum {
                // 40 distinct times per stratum, descending; within a time, censorings first.
                let t = Double(40 - k * 40 / perStratum)
                time.append(t)
                stratum.append(Int32(s))
                // The second half of a time's subjects die, except at every seventh time.
                let run = max(1, perStratum / 40)
                status.append(k % run >= run / 2 && Int(t) % 7 != 0)
                for j in 0..<p { x.append(Double((k * (7 + j) + j * 13) % 23) / 11 - 1) }
            }
        }
        return (time, status, stratum, x)
    }

    /// Every block's sums, concatenated in run order.
    static func allSums(_ groups: RiskSetGroups, beta: [Double], x: [Double], status: [Bool], blockRows: Int, parallelRows: Int)
        -> (sums: [Double], blocks: Int)
    {
        var sums: [Double] = []
        var blocks = 0
        groups.forEachBlock(beta: beta, x: x, status: status, blockRows: blockRows, parallelRows: parallelRows) { range, block in
            #expect(range.lowerBound * RiskSetGroups.width(p: groups.p) == sums.count)
            sums += block
            blocks += 1
        }
        return (sums, blocks)
    }

    @Test func blocksAndThreadsGiveTheSameSumsBitForBit() {
        for p in [1, 3, 6] {
            let d = Self.rows(2_000, p: p, strata: 2)
            let groups = RiskSetGroups(time: d.time, status: d.status, stratum: d.stratum, x: d.x, p: p)
            #expect(groups.count == 80)
            #expect(groups.opensStratum.filter { $0 }.count == 2)
            let beta = (0..<p).map { 0.3 - 0.2 * Double($0) }
            let whole = Self.allSums(groups, beta: beta, x: d.x, status: d.status, blockRows: 1 << 30, parallelRows: 1 << 30)
            #expect(whole.blocks == 1)
            // Blocks of ~300 rows, each split over two threads.
            let split = Self.allSums(groups, beta: beta, x: d.x, status: d.status, blockRows: 300, parallelRows: 100)
            #expect(split.blocks > 4)
            #expect(split.sums == whole.sums)
        }
    }

    @Test func theSIMDLoopAgreesWithTheGeneralOne() {
        for p in 1...4 {
            let d = Self.rows(1_000, p: p)
            let groups = RiskSetGroups(time: d.time, status: d.status, stratum: d.stratum, x: d.x, p: p)
            #expect(groups.censoringsFirst)
            let beta = (0..<p).map { 0.5 - 0.3 * Double($0) }
            let fast = groups.sums4(0..<groups.count, beta: beta, x: d.x)
            let general = groups.sumsAnyOrder(0..<groups.count, beta: beta, x: d.x, status: d.status)
            #expect(fast.count == general.count)
            #expect(zip(fast, general).allSatisfy { abs($0 - $1) <= 1e-12 * max(1, abs($1)) })
            // The deaths' part of a run with deaths is not empty: the comparison is not vacuous.
            let half = RiskSetGroups.half(p: p)
            #expect(general[half] > 0 || general[RiskSetGroups.width(p: p) + half] > 0)
        }
    }

    @Test func runsWithADeathBeforeACensoringUseTheGeneralLoop() {
        // One time, a death then a censoring: not the order CoxModel makes, still summed right.
        let groups = RiskSetGroups(time: [5, 5, 3], status: [true, false, true], stratum: [0, 0, 0], x: [1, 2, 4], p: 1)
        #expect(!groups.censoringsFirst)
        #expect(groups.deaths == [1, 1])
        var sums: [Double] = []
        groups.forEachBlock(beta: [0], x: [1, 2, 4], status: [true, false, true]) { _, block in sums += block }
        // Run 0: censoring (r = 1, x = 2), death (x = 1); layout per half: Σr, Σr·x, Σr·x².
        #expect(sums == [1, 2, 4, 1, 1, 1, 0, 0, 0, 1, 4, 16])
        #expect(groups.totalDeathSums == [5])
    }

    @Test func thePHTestFromRetainedSumsIsTheRecomputedOne() throws {
        let (data, design, strata) = try CoxFitMechanicsTests.sample()
        for s in [nil, strata] {
            for ties in CoxModel.Ties.allCases {
                let model = try CoxModel(
                    data, design: design, strata: s, ties: ties, confidenceLevel: 0.95, proportionalHazards: nil, pass: .runs)
                #expect(model.fitted.runSums != nil)
                var recomputed = model
                recomputed.fitted.runSums = nil
                let a = try CoxProportionalHazardsTest(model, groups: [[0], [1]])
                let b = try CoxProportionalHazardsTest(recomputed, groups: [[0], [1]])
                #expect(a == b)
                #expect(a.global.chisq > 0)
            }
        }
    }

    @Test func theConcordanceSplitOverTwoCoresCountsEveryPair() {
        // Tied scores and times, below the threshold forced down to split.
        let n = 400
        let time = (0..<n).map { Double(50 - ($0 * 50) / n) }
        let event = (0..<n).map { $0 % 4 != 1 }
        let score = (0..<n).map { Double(($0 * 37) % 29) / 4 }
        let expected = CoxFitMechanicsTests.bruteForce(time: time, event: event, score: score, strata: [Int32](repeating: 0, count: n))
        let serial = time.withUnsafeBufferPointer { t in
            event.withUnsafeBufferPointer { e in
                score.withUnsafeBufferPointer { Concordance.counts(time: t, event: e, score: $0, parallelFrom: .max) }
            }
        }
        let split = time.withUnsafeBufferPointer { t in
            event.withUnsafeBufferPointer { e in
                score.withUnsafeBufferPointer { Concordance.counts(time: t, event: e, score: $0, parallelFrom: 10) }
            }
        }
        #expect(split.concordant == serial.concordant && split.discordant == serial.discordant && split.tied == serial.tied)
        let value = (split.concordant + split.tied / 2) / (split.concordant + split.discordant + split.tied)
        #expect(value == expected)
        #expect(split.tied > 0)
        // Every score the same: no split is possible, and every comparable pair is tied.
        let same = [Double](repeating: 1, count: 50)
        #expect(same.withUnsafeBufferPointer { Concordance.splitScore($0) } == nil)
        #expect(score.withUnsafeBufferPointer { Concordance.splitScore($0) } != nil)
    }

    /// R's figures (`Fixtures/cox_zph.R`) from both ways of summing the risk sets: through the
    /// runs of one time (what large data with rounded times use) and row by row.
    @Test(arguments: ["efron", "breslow", "efron_strata", "breslow_strata", "efron_strata_missing"], [CoxModel.Pass.runs, .rows])
    func bothPassesAgreeWithR(_ name: String, _ pass: CoxModel.Pass) throws {
        let s = try CoxStrataZPHTests.setup(missing: name.hasSuffix("missing"))
        let r = try #require(s.cases.first { $0["name"] as? String == name })
        let ties: CoxModel.Ties = name.hasPrefix("efron") ? .efron : .breslow
        let model = try CoxModel(
            s.data, design: s.design, strata: name.contains("strata") ? s.strata : nil, ties: ties, confidenceLevel: 0.95,
            proportionalHazards: [[0], [1, 2]], pass: pass)
        #expect(model.fitted.byRuns == (pass == .runs))
        let coef = try #require(r["coef"] as? [Double])
        let se = try #require(r["se"] as? [Double])
        for j in 0..<3 {
            expectClose(model.terms[j].coefficient, coef[j], "\(name) \(pass) coef \(j)")
            expectClose(model.terms[j].standardError, se[j], "\(name) \(pass) se \(j)")
        }
        let loglik = try #require(r["loglik"] as? [Double])
        expectClose(model.nullLogLikelihood, loglik[0], "\(name) \(pass) null loglik")
        expectClose(model.logLikelihood, loglik[1], "\(name) \(pass) loglik")
        expectClose(model.concordance, r["concordance"], "\(name) \(pass) concordance")
        let zph = try #require(try model.proportionalHazardsTest?.get())
        let terms = r[list: "zph_terms"]
        try #require(terms.count == 2)
        for (k, row) in zph.terms.enumerated() {
            expectClose(row.chisq, terms[k]["chisq"], "\(name) \(pass) zph \(k) chisq")
        }
        expectClose(zph.global.chisq, r[dict: "zph_global"]["chisq"], "\(name) \(pass) zph global chisq")
    }

    @Test func shortRunsAreSummedRowByRow() throws {
        // 300 subjects over 123 runs (41 times × 3 strata): fewer than 4 subjects a run.
        let (data, design, strata) = try CoxFitMechanicsTests.sample()
        #expect(try !CoxModel(data, design: design, strata: strata).fitted.byRuns)
        // One stratum, 41 times: about 7 a run.
        #expect(try CoxModel(data, design: design).fitted.byRuns)
    }

    @Test func aFenwickTreeBuiltFromCountsAnswersLikeOneBuiltByAdding() {
        let counts: [Int32] = [3, 0, 2, 5, 1, 0, 0, 4, 2]
        var added = FenwickTree(size: counts.count)
        for (i, c) in counts.enumerated() where c > 0 { added.add(i, c) }
        let built = FenwickTree(counts: counts)
        for i in -1..<counts.count { #expect(built.prefixCount(i) == added.prefixCount(i)) }
        #expect(built.prefixCount(counts.count - 1) == 17)
    }
}
