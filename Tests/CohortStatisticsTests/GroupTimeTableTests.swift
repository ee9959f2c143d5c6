import Testing

@testable import CohortStatistics

/// `SurvivalData.groupTimeTable(bytes:count:)`: subjects counted by time and group in input
/// order give the log-rank test and the per-group curves that the time-ordered assignment gives,
/// number for number (the requirements of ``SurvivalData/GroupTimeTable``).
@Suite struct GroupTimeTableTests {
    /// A cohort whose group codes are bytes, every `missingEvery`-th subject in no group (255).
    static func cohort(_ n: Int, distinctTimes: Int, groups: Int, missingEvery: Int, seed: UInt64) throws
        -> (data: SurvivalData, bytes: [UInt8], codes: [Int32])
    {
        var g = LargeInputTests.Generator(state: seed)
        let time = (0..<n).map { _ in Double(Int.random(in: 0..<distinctTimes, using: &g)) / 10 }
        let event = (0..<n).map { _ in Double.random(in: 0..<1, using: &g) < 0.55 }
        let codes = (0..<n).map { k in k % missingEvery == 0 ? Int32(-1) : Int32.random(in: 0..<Int32(groups), using: &g) }
        let data = try SurvivalData(time: time, event: event)
        return (data, codes.map { $0 < 0 ? UInt8.max : UInt8($0) }, codes)
    }

    @Test(arguments: [(2, 0.0), (3, 0.0), (5, 1.0), (4, 0.5)])
    func theCountedTestIsTheAssignedTest(groups: Int, rho: Double) throws {
        let c = try Self.cohort(40_000, distinctTimes: 700, groups: groups, missingEvery: 13, seed: UInt64(groups * 31))
        let table = try #require(try c.data.groupTimeTable(bytes: c.bytes, count: groups))
        let counted = try LogRankTest(table, rho: rho)
        let assigned = try LogRankTest(c.data, groups: c.data.assign(c.codes, count: groups), rho: rho)
        // Bit for bit: the same sums in the same order.
        #expect(counted == assigned)
        #expect(counted.countUsed < 40_000)
        let assignment = try c.data.assign(c.codes, count: groups)
        #expect(table.timeCounts() == c.data.timeCounts(by: assignment))
    }

    @Test func aGroupWithoutSubjectsFailsAsTheAssignedTestFails() throws {
        let c = try Self.cohort(10_000, distinctTimes: 200, groups: 1, missingEvery: 7, seed: 3)
        let table = try #require(try c.data.groupTimeTable(bytes: c.bytes, count: 2))
        #expect(throws: StatisticsError.self) { try LogRankTest(table) }
        #expect(throws: StatisticsError.self) { try LogRankTest(c.data, groups: c.data.assign(c.codes, count: 2)) }
    }

    @Test func badCodesAndLengthsAreRefusedAndManyTimesGiveNoTable() throws {
        let c = try Self.cohort(10_000, distinctTimes: 300, groups: 3, missingEvery: 5, seed: 8)
        #expect(throws: StatisticsError.self) { try c.data.groupTimeTable(bytes: c.bytes, count: 2) }
        #expect(throws: StatisticsError.self) { try c.data.groupTimeTable(bytes: Array(c.bytes.dropLast()), count: 3) }
        // More distinct times than counting takes: the times were radix-sorted, no table.
        let many = try Self.cohort(40_000, distinctTimes: 400_000, groups: 3, missingEvery: 5, seed: 9)
        #expect(try many.data.groupTimeTable(bytes: many.bytes, count: 3) == nil)
        // A small cohort is sorted without counting: no table either, and the assigned path serves.
        let small = try Self.cohort(500, distinctTimes: 50, groups: 2, missingEvery: 9, seed: 10)
        #expect(try small.data.groupTimeTable(bytes: small.bytes, count: 2) == nil)
    }
}
