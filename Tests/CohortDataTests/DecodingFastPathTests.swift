import Testing

@testable import CohortData

/// The decoding loop's fast paths against the general ones they stand in for: the one-word
/// decimal (``FieldParsing/shortDecimal(_:count:markWord:integral:)``) gives the value of
/// ``FieldParsing/plainDecimal(_:count:mark:)`` and ``FieldParsing/integer(_:count:mark:)`` bit
/// for bit whenever it gives one, and gives one for every field of 1 to 8 digits with at most one
/// mark; ``KeyLookup`` finds every key it was made from and nothing else.
@Suite struct DecodingFastPathTests {
    /// The field's bytes followed by junk, so that the word load reads past the field (as in a
    /// chunk, where the next field follows).
    static func withField<T>(_ text: [UInt8], _ body: (UnsafePointer<UInt8>, Int) -> T) -> T {
        let padded = text + Array("9.;x,-7 ".utf8)
        return padded.withUnsafeBufferPointer { body($0.baseAddress!, text.count) }
    }

    static func isPlain(_ text: [UInt8], mark: UInt8, integral: Bool) -> Bool {
        let marks = text.filter { $0 == mark }.count
        let digits = text.filter { (0x30...0x39).contains($0) }.count
        return (1...8).contains(text.count) && digits > 0 && digits + marks == text.count && marks <= (integral ? 0 : 1)
    }

    static func check(_ text: [UInt8], mark: UInt8) {
        let markWord = UInt64(mark) &* 0x0101_0101_0101_0101
        withField(text) { start, n in
            let fast = FieldParsing.shortDecimal(start, count: n, markWord: markWord)
            let plain = FieldParsing.plainDecimal(start, count: n, mark: mark)
            let shown = String(decoding: text, as: UTF8.self)
            if let fast {
                #expect(plain?.bitPattern == fast.bitPattern, "\(shown): \(fast) against \(String(describing: plain))")
            }
            #expect((fast != nil) == isPlain(text, mark: mark, integral: false), "\(shown)")
            let whole = FieldParsing.shortDecimal(start, count: n, markWord: markWord, integral: true)
            if let whole {
                #expect(FieldParsing.integer(start, count: n, mark: mark)?.bitPattern == whole.bitPattern, "\(shown)")
            }
            #expect((whole != nil) == isPlain(text, mark: mark, integral: true), "\(shown)")
        }
    }

    @Test func edgeCases() {
        let cases = [
            "0", "7", "12", "19.9", "2.78", "0.1", "83.7", "5.", ".5", ".", "..", "1.2.3", "12345678", "99999999", "1234.567",
            "0.000001", ".0000001", "00000000", "1e5", "-3", "+3", " 3", "3 ", "3,5", "123456789", "", "a", "9:", "/1", "1/",
            "\u{0}1", "1\u{0}", "12\u{FF}", "\u{7F}", "1.0", "12.00",
        ]
        for text in cases {
            Self.check(Array(text.utf8), mark: 0x2E)
            Self.check(Array(text.utf8), mark: 0x2C)
        }
    }

    @Test(arguments: 0..<8)
    func randomFields(seed: Int) {
        var random = UnquotedPathTests.Generator(state: UInt64(seed) &* 7919)
        let alphabet = Array("0123456789012345678901234567890123456789..,,-+e /:\u{7F}".utf8) + [0x00, 0xC3, 0xFA, 0xFF, 0x2F, 0x3A]
        for _ in 0..<20_000 {
            let length = Int.random(in: 0...9, using: &random)
            let text = (0..<length).map { _ in alphabet.randomElement(using: &random) ?? 0x30 }
            Self.check(text, mark: 0x2E)
            Self.check(text, mark: 0x2C)
        }
    }

    @Test(arguments: 0..<6)
    func lookupFindsItsKeysAndNothingElse(seed: Int) throws {
        var random = UnquotedPathTests.Generator(state: UInt64(seed) &+ 41)
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzAB_ 0123456789".utf8)
        for size in [1, 2, 3, 5, 8, 13, 24] {
            var tokens = Set<[UInt8]>()
            while tokens.count < size {
                let length = Int.random(in: 0...16, using: &random)
                tokens.insert((0..<length).map { _ in alphabet.randomElement(using: &random) ?? 0x61 })
            }
            let keys = Array(tokens)
            let lookup = try #require(KeyLookup(keys.map(FieldKey.init)), "\(size) keys")
            for (k, key) in keys.enumerated() { #expect(lookup.index(of: FieldKey(key)) == Int32(k)) }
            for _ in 0..<2_000 {
                let length = Int.random(in: 0...17, using: &random)
                let other = (0..<length).map { _ in alphabet.randomElement(using: &random) ?? 0x61 }
                let expected = keys.firstIndex(of: other).map(Int32.init)
                #expect(lookup.index(of: FieldKey(other)) == expected)
            }
        }
    }

    @Test func noLookupForLongOrTooManyKeys() {
        #expect(KeyLookup([FieldKey(Array("seventeen bytes!!".utf8))]) == nil)
        #expect(KeyLookup((0..<25).map { FieldKey(Array("v\($0)".utf8)) }) == nil)
        #expect(KeyLookup((0..<24).map { FieldKey(Array("v\($0)".utf8)) }) != nil)
    }

    /// A column read with the lookup (few levels) and one read without it (past its key limit)
    /// give the same codes.
    @Test func categoriesReadTheSameWithManyLevels() throws {
        var random = UnquotedPathTests.Generator(state: 5)
        let few = (0..<6).map { "level\($0)" }
        let many = (0..<80).map { "level\($0)" }
        for levels in [few, many] {
            let values = (0..<5_000).map { _ in levels.randomElement(using: &random) ?? "" }
            let csv = "g\n" + values.joined(separator: "\n") + "\n"
            let table = try CSVReader(columns: [ColumnSpec(name: "g", kind: .category)], options: InputOptions()).read(Array(csv.utf8))
            let column = try #require(table["g"])
            guard case .category(let codes, let read) = column.data else {
                Issue.record("not a category column")
                continue
            }
            let decoded = (0..<codes.count).map { read[Int(codes[$0])] }
            #expect(decoded == values)
        }
    }
}

/// The separator mask of the unquoted path (SSE2 compares on x86-64, words elsewhere) against a
/// byte-by-byte test, on random blocks rich in separators and on every delimiter byte.
@Suite struct SeparatorMaskTests {
    @Test(arguments: [UInt8(0x2C), 0x3B, 0x09, 0x7C, 0x00, 0x80, 0xFF])
    func maskMarksExactlyTheSeparators(delimiter: UInt8) {
        var random = UnquotedPathTests.Generator(state: UInt64(delimiter) &+ 3)
        let masks = SeparatorMask(delimiter: delimiter)
        let alphabet: [UInt8] = [delimiter, 0x0A, 0x0D, 0x30, 0x61, 0x22, 0x00, 0x80, 0xFF, 0x2C, 0x0B]
        for _ in 0..<2_000 {
            let block = (0..<64).map { _ in alphabet.randomElement(using: &random) ?? 0 }
            let available = Int.random(in: 0...64, using: &random)
            var expected: UInt64 = 0
            for k in 0..<available where block[k] == delimiter || block[k] == 0x0A || block[k] == 0x0D { expected |= 1 << UInt64(k) }
            let mask = block.withUnsafeBufferPointer { masks.mask($0.baseAddress!, available: available) }
            #expect(mask == expected)
        }
    }
}

/// Booleans and declared category levels read through ``KeyLookup`` give what the token sets
/// give: a true word is true, a false word false, a word in both lists true (the lists' order,
/// read without the lookup), a declared value its label, another value `other` or a bad value.
@Suite struct LookupDecodingTests {
    @Test func booleansReadTheirWords() throws {
        let text = "b\n1\nyes\n0\nno\nmaybe\nboth\n\n"
        var column = ColumnSpec(name: "b", kind: .boolean)
        column.trueTokens = ["1", "yes", "both"]
        column.falseTokens = ["0", "no", "both"]
        let table = try CSVReader(columns: [column], options: InputOptions(onError: .missing)).read(Array(text.utf8))
        guard case .boolean(let flags)? = table["b"]?.data else {
            Issue.record("not a boolean column")
            return
        }
        #expect(flags == [1, 1, 0, 0, -1, 1])
        #expect(table["b"]?.badValues == 1)
        column.falseTokens = ["0", "no"]
        let unique = try CSVReader(columns: [column], options: InputOptions(onError: .missing)).read(Array(text.utf8))
        guard case .boolean(let same)? = unique["b"]?.data else {
            Issue.record("not a boolean column")
            return
        }
        #expect(same == [1, 1, 0, 0, -1, 1])
    }

    @Test func declaredLevelsReadTheirLabels() throws {
        let text = "g\nM\nF\nm\nX\nF\n"
        let mapping: [(value: String, label: String)] = [("M", "Male"), ("m", "Male"), ("F", "Female")]
        for other in [nil, "Other"] as [String?] {
            let spec = ColumnSpec(name: "g", kind: .category, levels: CategoryLevels(mapping: mapping, other: other))
            let table = try CSVReader(columns: [spec], options: InputOptions(onError: .missing)).read(Array(text.utf8))
            guard case .category(let codes, let levels)? = table["g"]?.data else {
                Issue.record("not a category column")
                continue
            }
            let read = codes.map { $0 < 0 ? nil : levels[Int($0)] }
            #expect(read == ["Male", "Female", "Male", other, "Female"])
            #expect(table["g"]?.badValues == (other == nil ? 1 : 0))
        }
    }
}
