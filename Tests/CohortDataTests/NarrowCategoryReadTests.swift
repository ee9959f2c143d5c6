import CohortData
import Testing

/// Category columns read into narrow codes: levels that first appear in later chunks (past 255
/// and past 65,535 levels, where the storage widens mid-file), missing values, declared levels
/// and absent columns give the same levels and codes as one pass over the file.
@Suite struct NarrowCategoryReadTests {
    static let columns = [ColumnSpec(name: "id", kind: .id), ColumnSpec(name: "g", kind: .category)]

    /// Reads `text` in chunks of `chunk` bytes (several pieces per chunk above 256 bytes).
    static func read(_ text: String, columns: [ColumnSpec] = columns, chunk: Int) throws -> Table {
        var source = TrickleSource(bytes: Array(text.utf8), step: .max)
        return try CSVReader(columns: columns, options: InputOptions(), parallelThreshold: 256, chunkSize: chunk).read(from: &source)
    }

    /// A file whose row `i` has level `level(i)` ("NA" where it is `nil`), with the levels in
    /// order of first appearance and every row's expected code.
    static func file(rows: Int, level: (Int) -> Int?) -> (text: String, levels: [String], codes: [Int32]) {
        var text = "id,g\n"
        var levels: [String] = []
        var codeOf: [String: Int32] = [:]
        var codes: [Int32] = []
        for i in 0..<rows {
            guard let l = level(i) else {
                text += "p\(i),NA\n"
                codes.append(-1)
                continue
            }
            let value = "v\(l)"
            text += "p\(i),\(value)\n"
            if codeOf[value] == nil {
                codeOf[value] = Int32(levels.count)
                levels.append(value)
            }
            codes.append(codeOf[value] ?? -2)
        }
        return (text, levels, codes)
    }

    static func category(_ t: Table) -> (codes: CategoryCodes, levels: [String])? {
        guard case .category(let codes, let levels)? = t["g"]?.data else { return nil }
        return (codes, levels)
    }

    @Test func newLevelsInLaterChunksStayNarrow() throws {
        // 5 levels in the first rows, 20 more later; every sixth row missing.
        let f = Self.file(rows: 3_000) { i in i % 6 == 5 ? nil : (i < 1_000 ? i % 5 : (i * 7) % 25) }
        for chunk in [64, 300, 4_096, 1 << 20] {
            let g = try #require(Self.category(try Self.read(f.text, chunk: chunk)))
            #expect(g.levels == f.levels && g.levels.count == 25, "chunk \(chunk)")
            #expect(Array(g.codes) == f.codes, "chunk \(chunk)")
            #expect(g.codes.bytesPerCode == 1)
        }
    }

    @Test func threeHundredLevelsWidenMidFileWithMissingValues() throws {
        // 100 levels in the first rows, the other 200 only after row 1,000 (in later chunks).
        let f = Self.file(rows: 4_000) { i in i % 9 == 4 ? nil : (i < 1_000 ? i % 100 : (i * 13) % 300) }
        let whole = try Self.read(f.text, chunk: 1 << 20)
        for chunk in [128, 1_000, 1 << 20] {
            let t = try Self.read(f.text, chunk: chunk)
            let g = try #require(Self.category(t))
            #expect(g.levels == f.levels && g.levels.count == 300, "chunk \(chunk)")
            #expect(Array(g.codes) == f.codes, "chunk \(chunk)")
            #expect(g.codes.bytesPerCode == 2)
            #expect(t == whole)
            #expect(t["g"]?.data.isMissing(4) == true && t["g"]?.data.isMissing(5) == false)
        }
    }

    @Test func beyondTwoBytesOfLevelsTheCodesAreFourBytes() throws {
        // 70,000 distinct levels arriving chunk by chunk: one byte, then two, then four.
        let f = Self.file(rows: 70_500) { i in i % 1_000 == 999 ? nil : i }
        let g = try #require(Self.category(try Self.read(f.text, chunk: 8_192)))
        #expect(g.levels.count == f.levels.count && g.levels.count > 65_535)
        #expect(g.codes.bytesPerCode == 4)
        #expect(Array(g.codes) == f.codes)
    }

    @Test func declaredLevelsChooseTheWidthFromTheStart() throws {
        let labels = (0..<300).map { "L\($0)" }
        let mapping = (0..<300).map { (value: "v\($0)", label: labels[$0]) }
        let columns = [ColumnSpec(name: "id", kind: .id), ColumnSpec(name: "g", kind: .category, levels: CategoryLevels(mapping: mapping))]
        let f = Self.file(rows: 1_200) { i in i % 4 == 0 ? nil : (i * 11) % 300 }
        let g = try #require(Self.category(try Self.read(f.text, columns: columns, chunk: 256)))
        #expect(g.levels == labels && g.codes.bytesPerCode == 2)
        // Declared levels keep the declared order: code = the value's number.
        let expected: [Int32] = (0..<1_200).map { i in i % 4 == 0 ? -1 : Int32((i * 11) % 300) }
        #expect(Array(g.codes) == expected)
    }

    @Test func anAbsentOptionalCategoryIsAllMissing() throws {
        let labels = ["a", "b"]
        let columns = [
            ColumnSpec(name: "id", kind: .id),
            ColumnSpec(
                name: "g", kind: .category, levels: CategoryLevels(mapping: [("1", "a"), ("2", "b")]), required: false),
        ]
        let t = try Self.read("id\np1\np2\np3\n", columns: columns, chunk: 1 << 20)
        let g = try #require(Self.category(t))
        #expect(g.levels == labels && Array(g.codes) == [-1, -1, -1] && g.codes.bytesPerCode == 1)
    }
}
