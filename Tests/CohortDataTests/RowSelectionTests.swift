import CohortData
import Testing

/// ``RowSelection``'s requirements: `self[k]` is the table row of subject `k`; `gather` gives
/// `values[self[k]]` and, for every row, the column's own storage; `subset` maps positions to rows.
@Suite struct RowSelectionTests {
    @Test func everyRowIsTheIdentityAndSharesTheColumn() {
        let all = RowSelection.all(5)
        #expect(all.isAll)
        #expect(Array(all) == [0, 1, 2, 3, 4])
        #expect(all.count == 5 && all[3] == 3)
        let values = [1.5, 2.5, 3.5, 4.5, 5.5]
        let gathered = all.gather(values)
        #expect(gathered == values)
        // The same buffer, not a copy.
        #expect(gathered.withUnsafeBufferPointer { $0.baseAddress } == values.withUnsafeBufferPointer { $0.baseAddress })
        #expect(RowSelection.all(-1).isEmpty)
    }

    @Test func aSubsetGathersItsRowsAndMapsPositions() {
        let some = RowSelection([1, 3, 4])
        #expect(!some.isAll)
        #expect(Array(some) == [1, 3, 4])
        #expect(some.gather(["a", "b", "c", "d", "e"]) == ["b", "d", "e"])
        #expect(Array(some.subset([0, 2])) == [1, 4])
        #expect(Array(RowSelection.all(4).subset([1, 2])) == [1, 2])
        #expect(RowSelection.all(3).subset([0, 1, 2]).isAll)
        #expect(some.map { $0 * 10 } == [10, 30, 40])
    }
}
