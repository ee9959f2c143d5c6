import Testing

@testable import CohortStatistics

/// The large-cohort paths that read shared storage instead of copying subjects give the results of
/// the paths that copy them: an ROC curve from counted distinct values (and after the count
/// overflows) equals the curve from sorted keys; a Kaplan–Meier curve from a group's time counts
/// equals the curve from the group's subjects, and so does the follow-up; a log-rank test where every subject takes part
/// (no position list) equals the test on the same subjects laid out by position (beside a group
/// left out with `including`).
@Suite struct SharedStorageTests {
    static func cohort(_ n: Int, distinctTimes: Int, seed: UInt64) -> (time: [Double], event: [Bool], codes: [Int32]) {
        var g = LargeInputTests.Generator(state: seed)
        let time = (0..<n).map { _ in Double(Int.random(in: 0..<distinctTimes, using: &g)) / 10 }
        let event = (0..<n).map { _ in Double.random(in: 0..<1, using: &g) < 0.6 }
        let codes = (0..<n).map { _ in Int32.random(in: 0..<3, using: &g) }
        return (time, event, codes)
    }

    /// One ROC sample of `values` (case when `outcome`), counting distinct values or not.
    static func curve(_ values: [Double], _ outcome: [Bool], counting: Bool) throws -> ROCCurve {
        let cases = outcome.filter { $0 }.count
        var sample = ROCCurve.Sample(reservingCases: cases, controls: outcome.count - cases, counting: counting)
        for (x, y) in zip(values, outcome) { sample.append(x, isCase: y) }
        return try ROCCurve(sample, direction: .auto)
    }

    @Test(arguments: [50, 5_000, RadixSort.countingLimit + 3_000])
    func rocCurveFromCountedValuesEqualsTheCurveFromSortedKeys(distinct: Int) throws {
        var g = LargeInputTests.Generator(state: UInt64(distinct))
        let n = 40_000
        let values = (0..<n).map { k in k % 97 == 0 ? Double.nan : Double(Int.random(in: 0..<distinct, using: &g)) / 4 }
        let outcome = values.map { x in Double.random(in: 0..<1, using: &g) < (x.isNaN ? 0.5 : 0.2 + x / Double(distinct)) }
        let counted = try Self.curve(values, outcome, counting: true)
        let sorted = try Self.curve(values, outcome, counting: false)
        #expect(counted == sorted)
        #expect(counted.missing == values.filter(\.isNaN).count)
        #expect(counted.positives + counted.negatives + counted.missing == n)
        #expect(try ROCCurve(predictor: values, outcome: outcome) == sorted)
    }

    @Test func rocSampleNamesTheFirstInfiniteValueWhicheverWayItCounts() {
        for counting in [true, false] {
            var sample = ROCCurve.Sample(reservingCases: 5_000, controls: 5_000, counting: counting)
            for k in 0..<10_000 { sample.append(k == 7 ? .nan : (k == 4_321 ? -.infinity : Double(k % 10)), isCase: k % 2 == 0) }
            #expect(sample.firstInfinite?.observation == 4_322)
            do {
                _ = try ROCCurve(sample)
                Issue.record("an infinite value makes no curve")
            } catch let error as StatisticsError {
                #expect(error.message.contains("-inf") && error.message.contains("observation 4322"), "\(error.message)")
            } catch {
                Issue.record("not a StatisticsError: \(error)")
            }
        }
    }

    @Test(arguments: [30, 200_000])
    func kaplanMeierFromTimeCountsEqualsTheCurveFromTheGroupsSubjects(distinctTimes: Int) throws {
        let c = Self.cohort(50_000, distinctTimes: distinctTimes, seed: UInt64(distinctTimes))
        let data = try SurvivalData(time: c.time, event: c.event)
        let assignment = try data.assign(c.codes, count: 3)
        let counts = data.timeCounts(by: assignment)
        let subjects = data.sorted(by: assignment)
        let confidence = try SurvivalConfidence(type: .logLog)
        for g in 0..<3 {
            #expect(try KaplanMeier(counts[g], confidence: confidence) == KaplanMeier(subjects[g], confidence: confidence))
            #expect(counts[g].reduce(0) { $0 + $1.events + $1.censored } == c.codes.filter { $0 == Int32(g) }.count)
        }
        #expect(throws: StatisticsError.self) { try KaplanMeier([], confidence: confidence) }
    }

    /// Follow-up from time counts equals follow-up from the group's subjects (odd and even numbers
    /// of survivors, so both forms of the median), and the survivors' figures are those of sorting.
    @Test(arguments: [(12, 5_001), (12, 5_000), (200_000, 7_777)])
    func followUpFromTimeCountsEqualsFollowUpFromTheSubjects(distinctTimes: Int, n: Int) throws {
        let c = Self.cohort(n, distinctTimes: distinctTimes, seed: UInt64(n))
        let data = try SurvivalData(time: c.time, event: c.event)
        let counts = data.timeCounts(by: try data.assign(c.codes, count: 3))
        for g in 0..<3 {
            let members = c.codes.indices.filter { c.codes[$0] == Int32(g) }
            let subjects = try SurvivalData(time: members.map { c.time[$0] }, event: members.map { c.event[$0] })
            #expect(try FollowUp(counts[g]) == FollowUp(subjects))
        }
        let alive = c.time.indices.filter { !c.event[$0] }.map { c.time[$0] }.sorted()
        let survivors = try #require(try FollowUp(data).survivors)
        let half = alive.count / 2
        #expect(survivors.median == (alive.count % 2 == 1 ? alive[half] : (alive[half - 1] + alive[half]) / 2))
        #expect(survivors.minimum == alive.first && survivors.maximum == alive.last && survivors.count == alive.count)
    }

    @Test func assigningByteCodesEqualsAssigningTheirInt32Codes() throws {
        let c = Self.cohort(20_000, distinctTimes: 300, seed: 4)
        let data = try SurvivalData(time: c.time, event: c.event)
        let codes = c.codes.enumerated().map { k, code in k % 11 == 0 ? Int32(-1) : code }
        let bytes = codes.map { $0 < 0 ? UInt8.max : UInt8($0) }
        #expect(try data.assign(bytes: bytes, count: 3) == data.assign(codes, count: 3))
        #expect(throws: StatisticsError.self) { try data.assign(bytes: bytes, count: 2) }
        #expect(throws: StatisticsError.self) { try data.assign(bytes: Array(bytes.dropLast()), count: 3) }
    }

    @Test func logRankWithEverySubjectEqualsTheTestOnTheSameSubjectsListedByPosition() throws {
        let c = Self.cohort(30_000, distinctTimes: 400, seed: 9)
        // Every subject in groups 0–2 (no position list) against the same subjects plus a fourth
        // group that is left out by `including` (a position list).
        var withExtra = c.codes
        var time = c.time
        var event = c.event
        for k in 0..<500 {
            withExtra.append(3)
            time.append(Double(k % 40))
            event.append(k % 3 == 0)
        }
        let every = try SurvivalData(time: c.time, event: c.event)
        let listed = try SurvivalData(time: time, event: event)
        let a = try LogRankTest(every, groups: every.assign(c.codes, count: 3))
        let b = try LogRankTest(listed, groups: listed.assign(withExtra, count: 4), including: [true, true, true, false])
        #expect(a.chiSquare == b.chiSquare)
        #expect(a.p == b.p)
        #expect(a.countUsed == 30_000 && b.countUsed == 30_000)
        #expect(a.groups == Array(b.groups.prefix(3)))
        // A subject missing from the grouping takes the listed path too, and changes the counts.
        var missingOne = c.codes
        missingOne[0] = -1
        let d = try LogRankTest(every, groups: every.assign(missingOne, count: 3))
        #expect(d.countUsed == 29_999)
    }
}
