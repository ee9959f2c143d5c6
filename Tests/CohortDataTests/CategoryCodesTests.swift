import CohortData
import Testing

/// Category codes stored narrow: the width chosen from the level count, missing read back as −1
/// in every width, equality by codes, and the gathers and counts that hot loops use.
@Suite struct CategoryCodesTests {
    /// Codes `0..<levelCount` in a fixed pattern, with every seventh row missing.
    static func pattern(rows: Int, levelCount: Int) -> [Int32] {
        (0..<rows).map { $0 % 7 == 3 ? -1 : Int32(($0 * 31) % levelCount) }
    }

    @Test func theWidthFollowsTheLevelCount() {
        #expect(CategoryCodes.bytesPerCode(levelCount: 0) == 1)
        #expect(CategoryCodes.bytesPerCode(levelCount: 255) == 1)
        #expect(CategoryCodes.bytesPerCode(levelCount: 256) == 2)
        #expect(CategoryCodes.bytesPerCode(levelCount: 65_535) == 2)
        #expect(CategoryCodes.bytesPerCode(levelCount: 65_536) == 4)
        #expect(CategoryCodes([0, 1, -1], levelCount: 3).bytesPerCode == 1)
        #expect(CategoryCodes([0, 254, -1], levelCount: 255).bytesPerCode == 1)
        #expect(CategoryCodes([0, 299, -1], levelCount: 300).bytesPerCode == 2)
        #expect(CategoryCodes([0, 70_000, -1], levelCount: 70_001).bytesPerCode == 4)
        // A code beyond the level count still fits: the width holds every code given.
        #expect(CategoryCodes([0, 255], levelCount: 2).bytesPerCode == 2)
        #expect(CategoryCodes([0, 255], levelCount: 2)[1] == 255)
    }

    @Test func everyWidthReadsBackTheCodesAndMissing() {
        for levelCount in [3, 255, 300, 65_535, 70_000] {
            let codes = Self.pattern(rows: 1_000, levelCount: levelCount) + [Int32(levelCount - 1), -1]
            let stored = CategoryCodes(codes, levelCount: levelCount)
            #expect(stored.count == codes.count)
            #expect(Array(stored) == codes, "\(levelCount) levels")
            #expect(stored[codes.count - 2] == Int32(levelCount - 1) && stored[codes.count - 1] == -1)
            #expect(stored.indices.allSatisfy { stored[$0] == codes[$0] })
        }
    }

    @Test func theLargestCodeOfAWidthIsNotMissing() {
        // 254 is the last code of one byte (255 is missing there); 65,534 the last of two.
        let narrow = CategoryCodes([254, -1, 0], levelCount: 255)
        #expect(narrow.bytesPerCode == 1 && Array(narrow) == [254, -1, 0])
        let medium = CategoryCodes([65_534, -1, 255], levelCount: 65_535)
        #expect(medium.bytesPerCode == 2 && Array(medium) == [65_534, -1, 255])
    }

    @Test func anyNegativeCodeIsMissing() {
        for levelCount in [2, 300, 70_000] {
            #expect(Array(CategoryCodes([-5, 1, Int32.min], levelCount: levelCount)) == [-1, 1, -1])
        }
    }

    @Test func equalityAndHashingCompareCodesNotWidths() {
        let narrow = CategoryCodes([0, 1, -1, 2], levelCount: 3)
        let wide = CategoryCodes([0, 1, -1, 2], levelCount: 70_000)
        #expect(narrow.bytesPerCode == 1 && wide.bytesPerCode == 4)
        #expect(narrow == wide && narrow.hashValue == wide.hashValue)
        #expect(narrow == [0, 1, -1, 2])
        #expect(narrow != CategoryCodes([0, 1, 2, -1], levelCount: 3))
        #expect(narrow != CategoryCodes([0, 1, -1], levelCount: 3))
        #expect(wide != CategoryCodes([0, 1, -1, 1], levelCount: 300))
        #expect(CategoryCodes() == [] && CategoryCodes().isEmpty)
        #expect(ColumnData.category(codes: narrow, levels: ["a", "b", "c"]) == .category(codes: wide, levels: ["a", "b", "c"]))
    }

    @Test func gatherKeepsTheWidthAndTheRowsOrder() {
        let rows = [5, 0, 3, 3, 999, 1]
        for levelCount in [4, 300, 70_000] {
            let codes = Self.pattern(rows: 1_000, levelCount: levelCount)
            let stored = CategoryCodes(codes, levelCount: levelCount)
            let gathered = stored.gather(rows)
            #expect(gathered.bytesPerCode == stored.bytesPerCode)
            #expect(Array(gathered) == rows.map { codes[$0] })
            #expect(gathered[2] == -1, "row 3 is missing")
            #expect(stored.codes(at: rows) == rows.map { codes[$0] })
        }
        #expect(CategoryCodes([1, 2], levelCount: 3).gather([]).isEmpty)
    }

    @Test func levelCountsCountEveryLevelAndMissing() throws {
        for levelCount in [4, 300, 70_000] {
            let codes = Self.pattern(rows: 2_000, levelCount: levelCount)
            let tally = try #require(CategoryCodes(codes, levelCount: levelCount).levelCounts(levelCount))
            var expected = [Int](repeating: 0, count: levelCount)
            for c in codes where c >= 0 { expected[Int(c)] += 1 }
            #expect(tally.counts == expected, "\(levelCount) levels")
            #expect(tally.missing == codes.filter { $0 < 0 }.count)
        }
        // Levels no row has are counted 0, also beyond what the width holds.
        let few = try #require(CategoryCodes([0, -1], levelCount: 1).levelCounts(300))
        #expect(few.counts.count == 300 && few.counts[0] == 1 && few.counts[1...].allSatisfy { $0 == 0 } && few.missing == 1)
    }

    @Test func aCodeNotBelowTheLevelCountIsNotCounted() {
        #expect(CategoryCodes([0, 3], levelCount: 4).levelCounts(3) == nil)
        #expect(CategoryCodes([0, 299], levelCount: 300).levelCounts(299) == nil)
        #expect(CategoryCodes([0, 70_000], levelCount: 70_001).levelCounts(70_000) == nil)
        #expect(CategoryCodes([0, -1], levelCount: 4).levelCounts(1) != nil)
    }

    @Test func aBooleanGroupsAsYesNoInOneByte() throws {
        let column = Column(name: "b", kind: .boolean, data: .boolean([1, 0, -1, 1]))
        let groups = try #require(column.groups)
        #expect(groups.levels == ["yes", "no"] && groups.codes == [0, 1, -1, 0] && groups.codes.bytesPerCode == 1)
    }

    @Test func aTableGathersCategoryColumnsNarrow() throws {
        let codes = CategoryCodes(Self.pattern(rows: 10, levelCount: 300), levelCount: 300)
        var table = Table(rowCount: 10)
        table.set(Column(name: "g", kind: .category, data: .category(codes: codes, levels: (0..<300).map { "l\($0)" })))
        #expect(table["g"]?.data.isMissing(3) == true && table["g"]?.data.isMissing(4) == false)
        table.keepRows([9, 3, 0])
        guard case .category(let kept, let levels)? = table["g"]?.data else {
            Issue.record("g")
            return
        }
        #expect(levels.count == 300 && kept.bytesPerCode == 2 && Array(kept) == [codes[9], -1, codes[0]])
    }
}
