import CohortStatistics
import Testing

/// Fisher's exact test gives up after a count of enumeration steps, not a time: the same table
/// gives the same answer whatever the machine is doing. (R's `fisher.test` refuses the 4 × 4 table
/// with its default workspace; the 3 × 3 one's p is R's, `fisher.test(matrix(c(5,3,2, 4,6,1,
/// 2,3,7), 3, byrow = TRUE))`.)
@Suite struct FisherBudgetTests {
    static let table = ContingencyTable(counts: [15, 17, 9, 6, 12, 5, 6, 9, 8, 4, 2, 1, 8, 3, 2, 0], rowCount: 4, columnCount: 4)
    static let small = ContingencyTable(counts: [5, 3, 2, 4, 6, 1, 2, 3, 7], rowCount: 3, columnCount: 3)

    @Test func theBudgetIsACountOfSteps() {
        let small = FisherExact.test(Self.table, maximumSteps: 100_000)
        #expect(small == .budgetExceeded(tablesVisited: 100_001))
        #expect(FisherExact.test(Self.table, maximumSteps: 100_000) == small)
        guard case .exact(let p) = FisherExact.test(Self.small, maximumSteps: 1_000_000) else {
            Issue.record("a small table finishes within the budget")
            return
        }
        #expect(abs(p - 0.10243327504695605) <= 1e-9 * 0.10243327504695605)
    }
}
