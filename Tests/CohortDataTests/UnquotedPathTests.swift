import CohortData
import Testing

/// The unquoted fast path (separator bit masks) against the quoting path (``RecordScanner``) on
/// the same records: a file whose first value is quoted goes the quoting way, the same file
/// without that quote the fast way, and both must give the same table or the same error (code
/// and line). Line breaks LF, CR LF and lone CR, blank lines, empty and missing fields, a last
/// record with or without a line break, fields across 64-byte blocks, ragged rows, and fields
/// and records at and past their limits.
@Suite struct UnquotedPathTests {
    static let columns = [
        ColumnSpec(name: "id", kind: .id),
        ColumnSpec(name: "x", kind: .number),
        ColumnSpec(name: "g", kind: .category),
    ]

    /// A table as its description (NaN, missing, compares equal to itself there), or an error.
    enum Outcome: Equatable {
        case table(String)
        case error(String, Int?)
    }

    static func read(_ text: String, options: InputOptions = InputOptions()) -> Outcome {
        do {
            return .table(String(describing: try CSVReader(columns: columns, options: options).read(Array(text.utf8))))
        } catch let error as DataError {
            return .error(error.code.name, error.line)
        } catch {
            return .error(String(describing: error), nil)
        }
    }

    /// `body` read unquoted, and with its first id quoted (the same value).
    static func bothWays(_ body: String, options: InputOptions = InputOptions()) -> (fast: Outcome, quoted: Outcome) {
        let header = "id,x,g\n"
        let fast = read(header + body, options: options)
        guard let comma = body.firstIndex(of: ",") else { return (fast, fast) }
        let quoted = header + "\"" + body[..<comma] + "\"" + body[comma...]
        return (fast, read(quoted, options: options))
    }

    static func randomBody(seed: UInt64) -> String {
        var g = Generator(state: seed)
        let breaks = ["\n", "\r\n", "\r"]
        var text = ""
        for k in 0..<Int.random(in: 1...300, using: &g) {
            if Int.random(in: 0..<15, using: &g) == 0 { text += breaks.randomElement(using: &g) ?? "\n" }  // a blank line
            let id = "p\(k)" + String(repeating: "z", count: Int.random(in: 0...70, using: &g))
            let x = Int.random(in: 0..<8, using: &g) == 0 ? "" : "\(Double(Int.random(in: -999...999, using: &g)) / 10)"
            let group = ["a", "bb", "", "NA", "c"].randomElement(using: &g) ?? "a"
            text += "\(id),\(x),\(group)"
            text += breaks.randomElement(using: &g) ?? "\n"
        }
        if Bool.random(using: &g) { text.removeLast() }  // no line break after the last record
        return text
    }

    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            return z ^ (z >> 31)
        }
    }

    @Test(arguments: 0..<40)
    func randomFilesReadTheSameBothWays(seed: Int) {
        let (fast, quoted) = Self.bothWays(Self.randomBody(seed: UInt64(seed)))
        #expect(fast == quoted)
        if case .error(let code, let line) = fast { Issue.record("unexpected error \(code) at line \(line ?? -1)") }
    }

    @Test(arguments: [
        "a,1,x\nb,2\nc,3,y\n", "a,1,x\nb,2,y,z\n", "a,1,x\r\n\r\nb,2\r\n", "a,1,x\rb,2,y,\r", "a,1,x\n,,\n\n\n", "a,1,x\nb,2,y,",
        "a,1,x\n\r\nb,2,y", "a,1,x\r\r\nb,2,y\n",
    ])
    func edgeCasesAndErrorsAreTheSameBothWays(_ body: String) {
        let (fast, quoted) = Self.bothWays(body)
        #expect(fast == quoted)
    }

    @Test(arguments: [9, 10, 11, 12])
    func limitsAreTheSameBothWays(limit: Int) {
        var options = InputOptions()
        options.limits.maxFieldBytes = limit
        options.limits.maxRecordBytes = limit + 8
        for body in ["a,1,x\nabcdefghij,1,x\nb,2,y\n", "a,1,x\r\nabcdefghi,1,x\r\n", "a,1,x\nabcdefghi,2,yy\r\n", "a,1,x\nabcdefgh,2,yy\n"] {
            let (fast, quoted) = Self.bothWays(body, options: options)
            #expect(fast == quoted, "\(body.debugDescription) with limit \(limit)")
        }
    }
}
