import CohortData
import Testing

/// The input limits: each violation fails with its own code and line, whatever chunk it falls
/// in, and every value echoed in an error is cut and escaped.
@Suite struct InputLimitTests {
    static func error(
        _ bytes: [UInt8], columns: [ColumnSpec] = CSVReaderTests.columns, options: InputOptions = InputOptions(),
        chunk: Int = CSVReader.defaultChunkSize
    ) -> DataError? {
        var source = MemorySource(bytes)
        do {
            _ = try CSVReader(columns: columns, options: options, chunkSize: chunk).read(from: &source)
            return nil
        } catch let e as DataError { return e } catch { return nil }
    }

    /// Whether everything an error says is short: its message and each problem's value.
    static func isShort(_ e: DataError) -> Bool {
        e.message.utf8.count < 400 && e.problems.allSatisfy { $0.value.utf8.count <= Excerpt.limit } && (e.column?.utf8.count ?? 0) <= Excerpt.limit
    }

    static let good = "p1,1,a\n"

    @Test(arguments: [CSVReader.defaultChunkSize, 64 << 10])
    func aLongRecordIsTooLong(chunk: Int) throws {
        // 1.5 MiB on one line in fields under the field limit: 24 fields of 64 KiB.
        let names = (0..<24).map { "c\($0)" }
        let columns = [ColumnSpec(name: "c0", kind: .id)]
        let field = String(repeating: "x", count: 65_000)
        let text =
            names.joined(separator: ",") + "\n" + Array(repeating: "y", count: 24).joined(separator: ",") + "\n"
            + Array(repeating: field, count: 24).joined(separator: ",") + "\n"
        let e = try #require(Self.error(Array(text.utf8), columns: columns, chunk: chunk))
        #expect(e.code == .recordTooLong && e.line == 3 && Self.isShort(e))
        // The limit can be raised in the pipeline.
        var options = InputOptions()
        options.limits.maxRecordBytes = 2 << 20
        #expect(Self.error(Array(text.utf8), columns: columns, options: options, chunk: chunk) == nil)
    }

    @Test func aRecordLongerThanAChunkIsTooLongWithoutBeingHeld() throws {
        // No line break for 3 MiB: found once the carried record passes the limit.
        let text = "id,x,g\n" + Self.good + "p2,1," + String(repeating: "z,", count: 1_500_000) + "\n"
        let e = try #require(Self.error(Array(text.utf8), chunk: 256 << 10))
        #expect(e.code == .recordTooLong && e.line == 3 && Self.isShort(e))
        // A quote never closed makes the rest one record.
        let open = "id,x,g\n" + Self.good + "p2,1,\"" + String(repeating: "z\n", count: 1_000_000)
        let q = try #require(Self.error(Array(open.utf8), chunk: 256 << 10))
        #expect(q.code == .recordTooLong && q.line == 3 && Self.isShort(q))
    }

    @Test func manyCommas() throws {
        // 100,000 commas in the header: too many columns; in a row: a ragged row, at once.
        let header = "id,x,g" + String(repeating: ",", count: 100_000) + "\n"
        let wide = try #require(Self.error(Array((header + Self.good).utf8)))
        #expect(wide.code == .tooManyColumns && wide.line == 1 && Self.isShort(wide))
        let row = "id,x,g\n" + Self.good + "p2,1,a" + String(repeating: ",", count: 100_000) + "\n"
        let ragged = try #require(Self.error(Array(row.utf8)))
        #expect(ragged.code == .raggedRow && ragged.line == 3 && Self.isShort(ragged))
        var options = InputOptions()
        options.limits.maxColumns = 2
        #expect(Self.error(Array(("id,x,g\n" + Self.good).utf8), options: options)?.code == .tooManyColumns)
    }

    @Test(arguments: [false, true])
    func aLongFieldIsTooLong(quoted: Bool) throws {
        let field = String(repeating: "v", count: 100 << 10)
        let text = "id,x,g\n" + Self.good + "p2,1,a\n" + "p3,1," + (quoted ? "\"\(field)\"" : field) + "\n"
        let e = try #require(Self.error(Array(text.utf8)))
        #expect(e.code == .fieldTooLong && e.line == 4 && e.column == "g" && Self.isShort(e))
        #expect(e.message.contains("vvvv…"))
        // An undeclared column's field too.
        let undeclared = "id,x,g,skip\n" + "p1,1,a," + field + "\n"
        let u = try #require(Self.error(Array(undeclared.utf8)))
        #expect(u.code == .fieldTooLong && u.line == 2 && u.column == "skip")
    }

    @Test func aLongHeaderNameIsTooLong() throws {
        let name = String(repeating: "n", count: 2 << 10)
        let e = try #require(Self.error(Array(("id,x,g," + name + "\n" + "p1,1,a,b\n").utf8)))
        #expect(e.code == .headerNameTooLong && e.line == 1 && Self.isShort(e))
        #expect(e.message.contains("column 4"))
    }

    @Test func aLongBadValueMakesAShortError() throws {
        let value = "\u{1b}[2J" + String(repeating: "bad\n", count: (1 << 20) / 4)
        var options = InputOptions()
        options.limits.maxFieldBytes = 2 << 20
        options.limits.maxRecordBytes = 4 << 20
        let text = "id,x,g\n" + Self.good + "p2,\"" + value + "\",a\n"
        let e = try #require(Self.error(Array(text.utf8), options: options))
        #expect(e.code == .badValue && e.line == 3 && e.column == "x" && Self.isShort(e))
        // Control characters are escaped and the value is cut with an ellipsis.
        #expect(e.problems.first?.value.hasPrefix("\\u{1b}[2Jbad\\nbad\\n") == true)
        #expect(e.problems.first?.value.hasSuffix("…") == true)
        #expect(!e.message.contains("\u{1b}") && !e.message.contains("\n"))
        // Under the default limits the same value is a field too long.
        #expect(Self.error(Array(text.utf8))?.code == .fieldTooLong)
    }

    @Test func excerpts() {
        #expect(Excerpt.of("plain") == "plain")
        #expect(Excerpt.of("a\tb\r\nc\u{0}d\u{7f}") == "a\\tb\\r\\nc\\u{0}d\\u{7f}")
        let long = Excerpt.of(String(repeating: "é", count: 100))
        #expect(long.utf8.count <= Excerpt.limit && long.hasSuffix("…") && long.dropLast().allSatisfy { $0 == "é" })
        // An escape is never cut in half.
        let escapes = Excerpt.of(String(repeating: "\u{1b}", count: 20))
        #expect(escapes.utf8.count <= Excerpt.limit && escapes.hasSuffix("\\u{1b}…"))
        // Bytes that are not UTF-8 show as U+FFFD.
        #expect(Excerpt.of([0x61, 0xFF, 0x62]) == "a\u{FFFD}b")
    }
}

/// Integer columns take integers written as integers, within ±2^53.
@Suite struct IntegerColumnTests {
    static let columns = [ColumnSpec(name: "n", kind: .integer)]

    static func value(_ text: String, decimalComma: Bool = false) -> Double? {
        var options = InputOptions()
        options.decimalComma = decimalComma
        options.delimiter = 0x3B
        guard let t = try? CSVReader(columns: columns, options: options).read(Array("n\n\(text)\n".utf8)) else { return nil }
        return t["n"]?.numbers?.first
    }

    @Test func accepted() {
        #expect(Self.value("42") == 42)
        #expect(Self.value("-7") == -7)
        #expect(Self.value("+7") == 7)
        #expect(Self.value(" 12 ") == 12)
        #expect(Self.value("007") == 7)
        #expect(Self.value("9007199254740992") == 9_007_199_254_740_992)
        #expect(Self.value("-9007199254740992") == -9_007_199_254_740_992)
        // A whole number with a zero fraction, as pandas writes integers in a column with gaps.
        #expect(Self.value("3.0") == 3)
        #expect(Self.value("3,00", decimalComma: true) == 3)
        #expect(Self.value("-0")?.sign == .plus)
    }

    @Test func rejected() throws {
        for text in [
            "1e3", "1E3", "9007199254740993", "9223372036854775808", "99999999999999999999999", "3.5", "3.", ".0", "0x10", "1_000", "--1", "+",
        ] {
            #expect(Self.value(text) == nil, "\(text) was accepted")
        }
        let e = try #require(
            { () -> DataError? in
                do {
                    _ = try CSVReader(columns: Self.columns, options: InputOptions()).read(Array("n\n1e3\n3.5\n".utf8))
                    return nil
                } catch let e as DataError { return e } catch { return nil }
            }())
        #expect(e.problems.map(\.reason) == ["not an integer written in digits within ±2^53 (9007199254740992)", "not a whole number"])
    }
}

/// "Did you mean" stays linear in the candidates.
@Suite struct SuggestionTests {
    @Test func farCandidatesAreNotScoredAndLongWordsGetNoSuggestion() {
        let names = (0..<20_000).map { "column_\($0)" } + ["age"]
        #expect(Suggestion.closest(to: "agee", among: names) == "age")
        #expect(Suggestion.closest(to: "column_1999x", among: names) == "column_1999")
        #expect(Suggestion.closest(to: String(repeating: "x", count: 300_000), among: names) == nil)
        #expect(Suggestion.undeclared(String(repeating: "y", count: 300_000), known: Set(names)).utf8.count < 200)
    }
}
