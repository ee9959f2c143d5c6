import CohortData
import Testing

/// The export reader: RFC 4180 quoting, line endings, delimiters, encodings, missing tokens and
/// every error path, each naming line, column and value.
@Suite struct CSVReaderTests {
    static let columns = [
        ColumnSpec(name: "id", kind: .id),
        ColumnSpec(name: "x", kind: .number),
        ColumnSpec(name: "g", kind: .category),
    ]

    static func read(_ text: String, columns: [ColumnSpec] = columns, options: InputOptions = InputOptions()) throws -> Table {
        try CSVReader(columns: columns, options: options).read(Array(text.utf8))
    }

    static func error(_ text: String, columns: [ColumnSpec] = columns, options: InputOptions = InputOptions()) -> DataError? {
        do {
            _ = try read(text, columns: columns, options: options)
            return nil
        } catch let e as DataError { return e } catch { return nil }
    }

    static func numbers(_ t: Table, _ name: String) -> [Double] { t[name]?.numbers ?? [] }

    @Test func quotingAndLineEndings() throws {
        let t = try Self.read("id,x,g,skip\r\n\"a,1\",1.5,\"he said \"\"hi\"\"\",\"line\nbreak\"\r\nb,2,plain,z\r\n")
        #expect(t.rowCount == 2)
        guard case .id(let ids)? = t["id"]?.data, case .category(let codes, let levels)? = t["g"]?.data else {
            Issue.record("wrong column types")
            return
        }
        #expect(ids == ["a,1", "b"])
        #expect(levels == ["he said \"hi\"", "plain"] && codes == [0, 1])
        #expect(Self.numbers(t, "x") == [1.5, 2])
    }

    @Test(arguments: [";", "\t", "|"])
    func delimiterIsDetected(delimiter: String) throws {
        let t = try Self.read(["id", "x", "g"].joined(separator: delimiter) + "\n" + ["a", "3", "u"].joined(separator: delimiter) + "\n")
        #expect(Self.numbers(t, "x") == [3])
    }

    @Test func bomDecimalCommaAndMissingTokens() throws {
        var options = InputOptions()
        options.decimalComma = true
        let t = try Self.read("\u{FEFF}id;x;g\na;1,25;u\nb;NA;\nc;.;v\n", options: options)
        let x = Self.numbers(t, "x")
        #expect(x[0] == 1.25 && x[1].isNaN && x[2].isNaN)
        #expect(t["g"]?.data.isMissing(1) == true)
    }

    @Test func windows1252IsTranscoded() throws {
        var options = InputOptions()
        options.encoding = .windows1252
        let bytes: [UInt8] = Array("id,x,g\na,1,".utf8) + [0x4D, 0xFC, 0x6C, 0x6C, 0x65, 0x72, 0x80] + [0x0A]
        let t = try CSVReader(columns: Self.columns, options: options).read(bytes)
        guard case .category(_, let levels)? = t["g"]?.data else {
            Issue.record("no g")
            return
        }
        #expect(levels == ["Müller€"])
        // The same bytes read as UTF-8 are rejected with the line.
        let e = try #require(
            { () -> DataError? in
                do {
                    _ = try CSVReader(columns: Self.columns, options: InputOptions()).read(bytes)
                    return nil
                } catch let e as DataError { return e } catch { return nil }
            }())
        #expect(e.code == .invalidEncoding && e.line == 2)
    }

    @Test func headerNamesAreTrimmedAndMissingColumnsNamed() throws {
        let t = try Self.read(" id , x ,g\na,1,u\n")
        #expect(t.rowCount == 1)
        let e = try #require(Self.error("id,X_value,g\na,1,u\n"))
        #expect(e.code == .missingColumn && e.column == "x")
        let close = try #require(Self.error("id,xx,g\na,1,u\n"))
        #expect(close.message.contains("similar: 'xx'"))
        var optional = Self.columns
        optional[1].required = false
        let t2 = try Self.read("id,g\na,u\n", columns: optional)
        #expect(Self.numbers(t2, "x").first?.isNaN == true)
    }

    @Test func badValuesAreRejectedWithLineColumnAndValue() throws {
        let rows = (1...25).map { "p\($0),oops\($0),u" }.joined(separator: "\n")
        let e = try #require(Self.error("id,x,g\n" + rows + "\n"))
        #expect(e.code == .badValue && e.line == 2 && e.column == "x")
        #expect(e.message.contains("oops1") && e.message.contains("25 bad values"))
        #expect(e.problems.count == 20)
        #expect(e.problems.last?.line == 21 && e.problems.last?.value == "oops20")
    }

    @Test func badValuesCanBecomeMissing() throws {
        var options = InputOptions()
        options.onError = .missing
        let t = try Self.read("id,x,g\na,1,u\nb,x,u\nc,3,u\n", options: options)
        #expect(t["x"]?.badValues == 1)
        #expect(Self.numbers(t, "x")[1].isNaN)
    }

    @Test func structuralErrors() throws {
        #expect(Self.error("")?.code == .emptyFile)
        #expect(Self.error("\n\n")?.code == .emptyFile)
        #expect(Self.error("id,x,g\n")?.code == .noRows)
        let ragged = try #require(Self.error("id,x,g\na,1,u\nb,2\n"))
        #expect(ragged.code == .raggedRow && ragged.line == 3)
        let open = try #require(Self.error("id,x,g\na,1,\"never closed\nb,2,u\n"))
        #expect(open.code == .unterminatedQuote && open.line == 2)
        #expect(Self.error("id,x,g\na,1,\"q\"x\n")?.code == .malformedQuote)
        #expect(Self.error("id,x,x,g\na,1,2,u\n")?.code == .duplicateColumn)
    }

    @Test func typedColumns() throws {
        let columns = [
            ColumnSpec(name: "d", kind: .date, dateFormats: ["dd.MM.yyyy", "yyyy-MM-dd"]),
            ColumnSpec(name: "b", kind: .boolean, trueTokens: ["ja"], falseTokens: ["nein"]),
            ColumnSpec(name: "n", kind: .integer),
            ColumnSpec(name: "c", kind: .category, levels: CategoryLevels(mapping: [("M", "Male"), ("F", "Female")], other: nil)),
        ]
        let t = try Self.read("d,b,n,c\n01.02.2020,ja,3,F\n2020-02-29,nein,4,M\n", columns: columns)
        guard case .date(let days)? = t["d"]?.data, case .boolean(let flags)? = t["b"]?.data,
            case .category(let codes, let levels)? = t["c"]?.data
        else {
            Issue.record("types")
            return
        }
        #expect(days == [CivilDate.dayNumber(year: 2020, month: 2, day: 1), CivilDate.dayNumber(year: 2020, month: 2, day: 29)])
        #expect(flags == [1, 0])
        #expect(levels == ["Male", "Female"] && codes == [1, 0])
        #expect(Self.error("d,b,n,c\n30.02.2020,ja,3,F\n", columns: columns)?.problems.first?.column == "d")
        #expect(Self.error("d,b,n,c\n01.02.2020,vielleicht,3,F\n", columns: columns)?.problems.first?.column == "b")
        #expect(Self.error("d,b,n,c\n01.02.2020,ja,3.5,F\n", columns: columns)?.problems.first?.column == "n")
        #expect(Self.error("d,b,n,c\n01.02.2020,ja,3,X\n", columns: columns)?.problems.first?.value == "X")
    }

    @Test func manyLevelsAreMatchedByHash() throws {
        // Beyond 24 values a category's lookup switches to a hash table; long values (> 16 bytes) too.
        let values = (0..<40).map { $0 % 3 == 0 ? "a-rather-long-level-name-\($0)" : "level\($0)" }
        var text = "id,x,g\n"
        for i in 0..<400 { text += "p\(i),1,\(values[(i * 7) % 40])\n" }
        let t = try Self.read(text)
        guard case .category(let codes, let levels)? = t["g"]?.data else {
            Issue.record("g")
            return
        }
        #expect(Set(levels) == Set(values))
        #expect((0..<400).allSatisfy { levels[Int(codes[$0])] == values[($0 * 7) % 40] })
        // Declared levels (30 values mapped to 3 labels), with one value outside them.
        let mapping = (0..<30).map { (value: values[$0], label: ["A", "B", "C"][$0 % 3]) }
        let declared = [ColumnSpec(name: "id", kind: .id), ColumnSpec(name: "g", kind: .category, levels: CategoryLevels(mapping: mapping))]
        var mapped = "id,g\n"
        for i in 0..<30 { mapped += "p\(i),\(values[i])\n" }
        let m = try Self.read(mapped, columns: declared)
        guard case .category(let mc, let ml)? = m["g"]?.data else {
            Issue.record("g")
            return
        }
        #expect(ml == ["A", "B", "C"] && Array(mc) == (0..<30).map { Int32($0 % 3) })
        #expect(Self.error(mapped + "p30,\(values[35])\n", columns: declared)?.problems.first?.value == values[35])
    }

    @Test func largeFilesAreParsedInChunksWithTheSameResult() throws {
        // Above the parallel threshold the body is split in two; results and line numbers agree.
        var text = "id,x,g\n"
        let rows = 300_000
        for i in 0..<rows { text += "p\(i),\(i % 97).5,\(["a", "b", "c"][i % 3])\n" }
        let t = try Self.read(text)
        #expect(t.rowCount == rows)
        #expect(Self.numbers(t, "x")[rows - 1] == Double((rows - 1) % 97) + 0.5)
        guard case .category(let codes, let levels)? = t["g"]?.data else {
            Issue.record("g")
            return
        }
        #expect(levels == ["a", "b", "c"] && codes[rows - 1] == Int32((rows - 1) % 3))
        let bad = text + "late,notanumber,a\n"
        let e = try #require(Self.error(bad))
        #expect(e.line == rows + 2)
    }
}

/// Chunked parsing: the body split at line breaks outside quotes, each chunk parsed on its own
/// thread (by the fast path or, when it holds a quote, the RFC 4180 path), then merged.
@Suite struct ChunkedCSVTests {
    static func read(_ text: String, threshold: Int, options: InputOptions = InputOptions()) throws -> Table {
        try CSVReader(columns: CSVReaderTests.columns, options: options, parallelThreshold: threshold).read(Array(text.utf8))
    }

    /// Equal tables, NaN (missing) matching NaN; a Bool, so a failure does not print the tables.
    static func same(_ a: Table, _ b: Table) -> Bool {
        guard a.rowCount == b.rowCount, a.columns.count == b.columns.count else { return false }
        for (x, y) in zip(a.columns, b.columns) {
            guard x.name == y.name, x.kind == y.kind, x.badValues == y.badValues, x.aliases == y.aliases else { return false }
            if case .number(let u) = x.data, case .number(let v) = y.data {
                guard u.map(\.bitPattern) == v.map(\.bitPattern) else { return false }
            } else if x.data != y.data {
                return false
            }
        }
        return true
    }

    static func error(_ text: String, threshold: Int) -> DataError? {
        do {
            _ = try read(text, threshold: threshold)
            return nil
        } catch let e as DataError { return e } catch { return nil }
    }

    /// Rows with quoted fields holding delimiters, doubled quotes and line breaks, and category
    /// levels that first appear late in the file.
    static func text(rows: Int) -> String {
        var text = "id,x,g\n"
        for i in 0..<rows {
            let id = i % 7 == 0 ? "\"p\(i),\nsecond line\"" : (i % 5 == 0 ? "\"say \"\"\(i)\"\"\"" : "p\(i)")
            let level = i < rows / 2 ? ["a", "b"][i % 2] : ["a", "b", "late", "\"quoted\nlevel\""][i % 4]
            text += "\(id),\(i % 10 == 3 ? "NA" : "\(i).25"),\(level)\n"
        }
        return text
    }

    @Test(arguments: [64, 1_000, 10_000])
    func chunksGiveTheSameTableAsOnePass(threshold: Int) throws {
        let text = Self.text(rows: 2_000)
        let whole = try Self.read(text, threshold: .max)
        let chunked = try Self.read(text, threshold: threshold)
        #expect(Self.same(chunked, whole))
        #expect(whole.rowCount == 2_000)
        guard case .category(_, let levels)? = whole["g"]?.data, case .id(let ids)? = whole["id"]?.data else {
            Issue.record("wrong column types")
            return
        }
        #expect(levels == ["a", "b", "late", "quoted\nlevel"])
        #expect(ids[7] == "p7,\nsecond line" && ids[5] == "say \"5\"")
    }

    @Test func unquotedChunksGiveTheSameTableAsOnePass() throws {
        var text = "id,x,g\r\n"
        for i in 0..<3_000 { text += "p\(i),\(i % 9 == 0 ? "" : "\(i)e-1"),\(i > 2_500 ? "new" : "old")\r\n" }
        text += "\r\n"
        #expect(Self.same(try Self.read(text, threshold: 100), try Self.read(text, threshold: .max)))
    }

    @Test func strayQuotesInsideUnquotedFieldsDoNotMisleadTheSplit() throws {
        // `p1"0` is a literal (only a field that starts with a quote is quoted), but it makes the
        // count of quote characters odd: the chunks must still give what one pass gives.
        var text = "id,x,g\n"
        for i in 0..<2_000 {
            let id = i == 10 || i == 1_500 ? "p\(i / 10)\"\(i % 10)" : (i % 9 == 0 ? "\"q\(i)\"" : "p\(i)")
            text += "\(id),\(i).5,\(["a", "b"][i % 2])\n"
        }
        let whole = try Self.read(text, threshold: .max)
        let chunked = try Self.read(text, threshold: 64)
        #expect(Self.same(chunked, whole))
        guard case .id(let ids)? = whole["id"]?.data else {
            Issue.record("id")
            return
        }
        #expect(ids[10] == "p1\"0" && ids[9] == "q9")
    }

    @Test func errorsNameTheLineInTheWholeFile() throws {
        let text = Self.text(rows: 2_000)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).count - 1
        // A bad value near the end, in the last chunk.
        let bad = try #require(Self.error(text + "z,notanumber,a\n", threshold: 64))
        #expect(bad.code == .badValue && bad.line == lines + 1 && bad.problems.first?.value == "notanumber")
        // A ragged row in the last chunk.
        let ragged = try #require(Self.error(text + "z,1\n", threshold: 64))
        #expect(ragged.code == .raggedRow && ragged.line == lines + 1)
        // Invalid UTF-8 in the last chunk comes before a bad value in the first.
        var bytes = Array(("id,x,g\nq,bad,a\n" + text.dropFirst("id,x,g\n".count)).utf8)
        bytes += Array("z,1,".utf8) + [0xFF] + Array("\n".utf8)
        do {
            _ = try CSVReader(columns: CSVReaderTests.columns, options: InputOptions(), parallelThreshold: 64).read(bytes)
            Issue.record("no error")
        } catch let e as DataError {
            #expect(e.code == .invalidEncoding && e.line == lines + 2)
        }
        // An unterminated quote.
        let open = try #require(Self.error(text + "\"never closed,1,a\n", threshold: 64))
        #expect(open.code == .unterminatedQuote && open.line == lines + 1)
    }
}
