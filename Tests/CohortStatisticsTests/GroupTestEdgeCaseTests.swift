import CohortStatistics
import Testing

/// The group tests on the inputs Table 1 meets in practice: not estimable is an error with a
/// reason (the plugin turns it into null + reason), never NaN; Fisher gives up beyond its budget.
@Suite struct GroupTestEdgeCaseTests {
    /// A 10 × 4 table with 2,000 patients: far too many tables to enumerate in no time.
    static let large: ContingencyTable = {
        var counts: [Int] = []
        for i in 0..<10 { for j in 0..<4 { counts.append(20 + (i * 7 + j * 13) % 60) } }
        return ContingencyTable(counts: counts, rowCount: 10, columnCount: 4)
    }()

    @Test func fisherBeyondItsBudgetSaysSo() {
        guard case .budgetExceeded(let visited) = FisherExact.test(Self.large, budget: .zero) else {
            Issue.record("a 10 x 4 table with 2,000 patients was enumerated in no time")
            return
        }
        #expect(visited > 0)
    }

    @Test func fisherOnDegenerateTablesIsOneAsInR() {
        // fisher.test gives 1 when fewer than two rows or columns are non-empty.
        #expect(FisherExact.test(ContingencyTable(counts: [3, 0, 2, 0], rowCount: 2, columnCount: 2)) == .exact(p: 1))
        #expect(FisherExact.test(ContingencyTable(counts: [0, 0, 0, 0], rowCount: 2, columnCount: 2)) == .exact(p: 1))
        #expect(FisherExact.test(ContingencyTable(counts: [], rowCount: 0, columnCount: 0)) == .exact(p: 1))
    }

    @Test func anovaNeedsTwoGroupsWithTwoValuesAndVariation() {
        let oneGroup = GroupedSample(values: [1, 2, 3], groups: [0, 0, 0], groupCount: 2)
        #expect(throws: StatisticsError.self) { try OneWayANOVA.test(oneGroup) }
        let single = GroupedSample(values: [1, 2, 3], groups: [0, 0, 1], groupCount: 2)
        #expect(throws: StatisticsError.self) { try OneWayANOVA.test(single) }
        let constant = GroupedSample(values: [4, 4, 4, 4], groups: [0, 0, 1, 1], groupCount: 2)
        #expect(throws: StatisticsError.self) { try OneWayANOVA.test(constant) }
        // An empty declared level is dropped, as R's factor(g) does: df = (1, n - 2).
        let empty = GroupedSample(values: [1, 2, 3, 5], groups: [0, 0, 2, 2], groupCount: 3)
        #expect((try? OneWayANOVA.test(empty))?.df == [1, 2])
    }

    @Test func kruskalNeedsTwoGroupsAndVariation() {
        #expect(throws: StatisticsError.self) {
            try KruskalWallis.test(GroupedSample(values: [1, 2], groups: [1, 1], groupCount: 2))
        }
        #expect(throws: StatisticsError.self) {
            try KruskalWallis.test(GroupedSample(values: [2, 2, 2], groups: [0, 1, 1], groupCount: 2))
        }
        // Missing values and codes out of range are left out.
        let sample = GroupedSample(values: [1, .nan, 3, 4], groups: [0, 1, 1, 7], groupCount: 2)
        #expect(sample.values == [1, 3] && sample.sizes == [1, 1])
    }

    @Test func chiSquareOnATableWithAnEmptyLevelIsNotEstimable() {
        let table = ContingencyTable(rows: [0, 0, 1, 1, 0], columns: [0, 1, 0, 1, 1], rowCount: 3, columnCount: 2)
        #expect(table.rowSums == [3, 2, 0])
        #expect(table.hasExpectedBelow(5))
        #expect(throws: StatisticsError.self) { try ContingencyChiSquare.test(table, correct: false) }
    }

    @Test func smdOfEmptyOrConstantGroupsIsNotEstimable() {
        #expect(throws: StatisticsError.self) { try StandardizedMeanDifference.continuous([], [1, 2]) }
        #expect(throws: StatisticsError.self) { try StandardizedMeanDifference.continuous([2, 2, 2], [2, 2]) }
        // Every patient in the reference level of both groups: S = 0, ginv(0) = 0, SMD 0 (as R).
        #expect((try? StandardizedMeanDifference.categorical(counts: [5, 0], [3, 0])) == 0)
        #expect((try? PseudoInverse.quadraticForm([1, 1], [2, 0, 0, 0], size: 2)) == 0.5)
        #expect(PseudoInverse.quadraticForm([1], [1, 2], size: 2) == nil)
    }
}
