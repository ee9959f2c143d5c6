import Testing

@testable import CohortStatistics

/// The mechanics behind the Cox fit's speed (issue 10): reusing the data's time order, the
/// stratified concordance walking stratum runs, the PH test computed with the fit, strata codes
/// validated, and equality that ignores the retained fitted data.
@Suite struct CoxFitMechanicsTests {
    /// 300 subjects with tied whole-number times, a number and a 0/1 covariate, some missing.
    static func sample() throws -> (SurvivalData, CoxDesign, [Int32]) {
        var time: [Double] = []
        var event: [Bool] = []
        var x: [Double] = []
        var z: [Double] = []
        var strata: [Int32] = []
        for k in 0..<300 {
            time.append(Double(1 + (k * 37) % 41))
            event.append(k % 3 != 0)
            x.append(k % 29 == 0 ? .nan : Double((k * 13) % 17) / 3)
            z.append(Double(k % 2))
            strata.append(Int32(k % 3))
        }
        var design = CoxDesign()
        design.addNumeric("x", x)
        design.addNumeric("z", z)
        return (try SurvivalData(time: time, event: event), design, strata)
    }

    /// Harrell's counts by brute force over every pair within a stratum.
    static func bruteForce(time: [Double], event: [Bool], score: [Double], strata: [Int32]) -> Double? {
        var concordant = 0.0
        var discordant = 0.0
        var tied = 0.0
        for i in time.indices where event[i] {
            for j in time.indices where strata[j] == strata[i] && time[j] > time[i] || (strata[j] == strata[i] && time[j] == time[i] && !event[j]) {
                if score[i] > score[j] { concordant += 1 } else if score[i] < score[j] { discordant += 1 } else { tied += 1 }
            }
        }
        let d = concordant + discordant + tied
        return d > 0 ? (concordant + tied / 2) / d : nil
    }

    @Test func stratifiedConcordanceWalksContiguousRuns() {
        // Three runs, each in descending time order; one not (it is sorted first).
        let time: [Double] = [9, 7, 7, 3, 1, 8, 8, 2, 2, 4, 6, 5]
        let event: [Bool] = [true, false, true, true, true, true, false, true, true, true, false, true]
        let score: [Double] = [0.1, 0.5, 0.3, 0.3, 2, -1, 0, 1, 1, 0.2, 0.4, 0.7]
        let strata: [Int32] = [0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2]
        let value = Concordance(descendingTime: time, event: event, score: score, strata: strata).value
        let expected = Self.bruteForce(time: time, event: event, score: score, strata: strata)
        #expect(value != nil)
        #expect(value == expected)
        // Unstratified: every pair.
        let all = Concordance(descendingTime: time, event: event, score: score).value
        #expect(all == Self.bruteForce(time: time, event: event, score: score, strata: [Int32](repeating: 0, count: 12)))
        #expect(all != value)
    }

    @Test func noComparablePairsGiveNoConcordance() {
        let value = Concordance(descendingTime: [5, 5, 5], event: [true, true, true], score: [1, 2, 3]).value
        #expect(value == nil)
    }

    @Test func theModelsConcordanceMatchesBruteForceWithStrata() throws {
        let (data, design, strata) = try Self.sample()
        let model = try CoxModel(data, design: design, strata: strata)
        let f = model.fitted
        let expected = Self.bruteForce(time: f.time, event: f.status, score: f.linearPredictor, strata: f.stratum)
        let c = try #require(model.concordance)
        let e = try #require(expected)
        #expect(abs(c - e) <= 1e-12)
    }

    @Test func thePHTestComputedWithTheFitIsTheSame() throws {
        let (data, design, strata) = try Self.sample()
        for s in [nil, strata] {
            let plain = try CoxModel(data, design: design, strata: s)
            let both = try CoxModel(data, design: design, strata: s, proportionalHazards: [[0], [1]])
            #expect(plain.proportionalHazardsTest == nil)
            let separate = try CoxProportionalHazardsTest(plain, groups: [[0], [1]])
            #expect(try both.proportionalHazardsTest?.get() == separate)
            #expect(both.concordance == plain.concordance)
            #expect(both.terms == plain.terms)
        }
    }

    @Test func theFitUsesTheDataTimeOrderRestrictedToCompleteCases() throws {
        // The same model from the complete cases alone (sorted afresh) and from all subjects.
        let (data, design, _) = try Self.sample()
        let keep = data.time.indices.filter { !design.columns[0][$0].isNaN }
        let subset = try SurvivalData(time: keep.map { data.time[$0] }, event: keep.map { data.event[$0] })
        var reduced = CoxDesign()
        reduced.addNumeric("x", keep.map { design.columns[0][$0] })
        reduced.addNumeric("z", keep.map { design.columns[1][$0] })
        let a = try CoxModel(data, design: design)
        let b = try CoxModel(subset, design: reduced)
        #expect(a.count == keep.count)
        #expect(a.fitted.time == b.fitted.time)
        #expect(a.fitted.status == b.fitted.status)
        #expect(a.fitted.x == b.fitted.x)
        #expect(a == b)
    }

    @Test func aStratumCodeOutsideTheSubjectsIsRejected() throws {
        let (data, design, strata) = try Self.sample()
        var bad = strata
        bad[5] = Int32(data.count)
        do {
            _ = try CoxModel(data, design: design, strata: bad)
            Issue.record("a stratum code of \(data.count) was accepted")
        } catch {
            #expect((error as? StatisticsError)?.code == .invalidParameter)
        }
        // A huge code on a subject left out (missing covariate) is never used.
        bad = strata
        bad[0] = Int32.max
        _ = try CoxModel(data, design: design, strata: bad)
    }

    @Test func equalityAndHashIgnoreTheRetainedFittedData() throws {
        let (data, design, _) = try Self.sample()
        let a = try CoxModel(data, design: design)
        var b = a
        b.fitted.x = []
        b.fitted.time = []
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        let other = try CoxModel(data, design: design, ties: .breslow)
        #expect(a != other)
    }

    @Test func columnsAreGatheredIntoRowsInOrder() {
        let n = 60_000
        // Columns of −1/0/1 are gathered as they are (coxfit6 neither centres nor scales them).
        func code(_ i: Int, _ j: Int) -> Double {
            let c: Int = (i * (j + 2) + i / 7) % 3
            return Double(c) - 1
        }
        var columns: [[Double]] = (0..<3).map { j in (0..<n).map { code($0, j) } }
        // A measured column is centred and scaled so that its mean absolute value is 1.
        columns.append((0..<n).map { Double(($0 * 31) % 101) / 7 })
        let order = (0..<n).map { ($0 * 7_919) % n }  // a permutation (7919 is prime to 60000)
        let (x, gathered) = CoxModel.gatherRows(columns, order: order)
        let p = columns.count
        #expect(x.count == n * p)
        for j in 0..<3 {
            #expect((0..<n).allSatisfy { x[$0 * p + j] == columns[j][order[$0]] })
            #expect(gathered[j].scale == 1 && !gathered[j].constant)
        }
        let measured = (0..<n).map { x[$0 * p + 3] }
        #expect(abs(measured.reduce(0, +) / Double(n)) < 1e-12)
        #expect(abs(measured.reduce(0) { $0 + abs($1) } / Double(n) - 1) < 1e-12)
        let mean = columns[3].reduce(0, +) / Double(n)
        #expect(abs(measured[0] - (columns[3][order[0]] - mean) * gathered[3].scale) < 1e-12)
        #expect(gathered[3].scale != 1 && !gathered[3].constant)
        // A constant column is reported as such.
        let (_, constant) = CoxModel.gatherRows([[Double](repeating: 2.5, count: 10)], order: Array(0..<10))
        #expect(constant[0].constant)
    }
}

@Suite struct ScoreOrderTests {
    /// Exact ascending order, also among values that round to one Float, and a long run of
    /// them (values near 0 below Float's range).
    @Test func sortsDoublesExactly() {
        var values: [Double] = []
        for k in 0..<5_000 { values.append(Double((k * 7_919) % 5_000) / 7 - 300) }
        for k in 0..<200 { values.append(1 + Double(k % 50) * 1e-12) }  // equal as Float
        for k in 0..<300 { values.append(Double((k * 37) % 300) * 1e-300) }  // Float(x) == 0
        values.append(-0.0)
        let (sorted, order) = values.withUnsafeBufferPointer { ScoreOrder.sorted($0) }
        #expect(sorted == values.map { $0 == 0 ? 0 : $0 }.sorted())
        #expect(order.map { values[Int($0)] == 0 ? 0 : values[Int($0)] } == sorted)
        #expect(Set(order).count == values.count)
    }

    @Test func concordanceIsUnchangedByTheSort() {
        // A brute-force check with a score that needs the exact fix-up (ties below Float).
        let time: [Double] = (0..<40).map { Double(40 - $0) }
        let event = (0..<40).map { $0 % 3 != 0 }
        let score = (0..<40).map { 1 + Double(($0 * 13) % 7) * 1e-13 }
        let value = Concordance(descendingTime: time, event: event, score: score).value
        #expect(
            value
                == CoxFitMechanicsTests.bruteForce(time: time, event: event, score: score, strata: [Int32](repeating: 0, count: 40)))
    }
}
