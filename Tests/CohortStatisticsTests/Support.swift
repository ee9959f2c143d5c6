import Foundation
import Testing

/// Test helpers: fixtures copied from R's reference outputs, and R's tolerance.
enum Fixture {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// A reference JSON document written by `make_refs.R`.
    static func json(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: directory.appendingPathComponent(name))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// A CSV written by R's `write.csv(na = "")`: header, quoted strings, empty = missing.
    static func csv(_ name: String) throws -> RTable {
        let text = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
        var lines = text.split(whereSeparator: \.isNewline).map(String.init)
        let header = splitRecord(lines.removeFirst())
        var columns = [[String?]](repeating: [], count: header.count)
        for line in lines {
            for (j, cell) in splitRecord(line).enumerated() { columns[j].append(cell) }
        }
        return RTable(names: header.map { $0 ?? "" }, columns: columns)
    }

    private static func splitRecord(_ line: String) -> [String?] {
        var cells: [String?] = []
        var current = ""
        var quoted = false
        var wasQuoted = false
        for ch in line {
            if ch == "\"" {
                quoted.toggle()
                wasQuoted = true
                continue
            }
            if ch == "," && !quoted {
                cells.append(current.isEmpty && !wasQuoted ? nil : current)
                current = ""
                wasQuoted = false
                continue
            }
            current.append(ch)
        }
        cells.append(current.isEmpty && !wasQuoted ? nil : current)
        return cells
    }
}

struct RTable {
    let names: [String]
    let columns: [[String?]]

    func strings(_ name: String) -> [String?] {
        guard let j = names.firstIndex(of: name) else {
            Issue.record("no column \(name)")
            return []
        }
        return columns[j]
    }

    /// Numeric column; missing = NaN.
    func numbers(_ name: String) -> [Double] {
        strings(name).map { $0.flatMap(Double.init) ?? .nan }
    }

    /// Codes of the sorted distinct values (R's `sort(unique(x))`; numeric order when numeric).
    func codes(_ name: String) -> (codes: [Int32], levels: [String]) {
        let raw = strings(name)
        let present = Set(raw.compactMap { $0 })
        let numeric = present.allSatisfy { Double($0) != nil }
        let levels = present.sorted { numeric ? Double($0)! < Double($1)! : $0 < $1 }
        let index = Dictionary(uniqueKeysWithValues: levels.enumerated().map { ($1, Int32($0)) })
        return (raw.map { $0.flatMap { index[$0] } ?? -1 }, levels)
    }
}

/// R's tolerance for reference comparisons: 1e-9 relative, 1e-12 absolute near zero.
func expectClose(
    _ actual: Double?, _ expected: Any?, _ what: @autoclosure () -> String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let want: Double? = (expected as? NSNumber)?.doubleValue
    switch (actual, want) {
    case (nil, nil): return
    case (let a?, let w?):
        let ok = a == w || abs(a - w) <= max(1e-9 * abs(w), 1e-12)
        #expect(ok, "\(what()): got \(a), R gives \(w)", sourceLocation: sourceLocation)
    default:
        Issue.record(
            "\(what()): got \(String(describing: actual)), R gives \(String(describing: want))",
            sourceLocation: sourceLocation)
    }
}

extension Dictionary where Key == String, Value == Any {
    subscript(dict key: String) -> [String: Any] { (self[key] as? [String: Any]) ?? [:] }
    subscript(list key: String) -> [[String: Any]] { (self[key] as? [[String: Any]]) ?? [] }
    func int(_ key: String) -> Int? { (self[key] as? NSNumber)?.intValue }
}
