import CohortPipeline
import Foundation
import Testing

/// report.docx of the paper example read back by python-docx (Tests/scripts/docx-tables.py):
/// every table holds the cells report.md prints, and the rows of Tables 1–3 are merged under their
/// variable. Needs python3 with python-docx (.ci/run installs it).
@Suite struct DocxReadBackTests {
    /// The tables of report.md, each as its rows of cells (header first), unescaped.
    static func markdownTables(_ markdown: String) -> [(title: String, rows: [[String]])] {
        var tables: [(String, [[String]])] = []
        var title = ""
        var rows: [[String]] = []
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("|") {
                rows.append(markdownCells(String(line)))
                continue
            }
            if !rows.isEmpty {
                // The second line is the --- separator.
                tables.append((title, [rows[0]] + rows.dropFirst(2)))
                rows = []
            }
            if line.hasPrefix("## ") { title = unescape(String(line.dropFirst(3))) }
        }
        if !rows.isEmpty { tables.append((title, [rows[0]] + rows.dropFirst(2))) }
        return tables
    }

    /// The cells of a Markdown table row `| a | b |`: split at unescaped bars, one space trimmed
    /// from each side as ReportRenderer pads them, backslash escapes removed.
    static func markdownCells(_ line: String) -> [String] {
        var cells: [String] = []
        var current = ""
        var escaped = false
        for c in line.dropFirst() {
            if escaped {
                current.append("\\")
                current.append(c)
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else if c == "|" {
                cells.append(current)
                current = ""
            } else {
                current.append(c)
            }
        }
        return cells.map { cell in
            var s = Substring(cell)
            if s.hasPrefix(" ") { s = s.dropFirst() }
            if s.hasSuffix(" ") { s = s.dropLast() }
            return unescape(String(s))
        }
    }

    static func unescape(_ s: String) -> String {
        var out = ""
        var escaped = false
        for c in s {
            if !escaped && c == "\\" {
                escaped = true
                continue
            }
            out.append(c)
            escaped = false
        }
        return out
    }

    /// Runs docx-tables.py on `docx`: the tables as python-docx reads them.
    static func pythonDocxTables(_ docx: URL) throws -> [[String: Any]] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Repository.root.appendingPathComponent("Tests/scripts/docx-tables.py").path, docx.path]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "docx-tables.py failed (is python-docx installed?): \(stderr)")
        return try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
    }

    @Test func pythonDocxReadsTheTablesOfReportMD() async throws {
        let loaded = try LoadedPipeline(contentsOf: Repository.paperPipeline, registry: testRegistry)
        let data = try Data(contentsOf: URL(fileURLWithPath: Repository.paperExport))
        let info = RunInfo(id: "docx", fileName: "pm_database_export.csv")
        let outcome = await PipelineRunner(loaded).run(data, info: info)
        let files = RunWriter.files(for: outcome, pipeline: loaded.pipeline, info: info)
        let docx = try #require(files.first { $0.name == "report.docx" }).bytes
        let markdown = String(decoding: try #require(files.first { $0.name == "report.md" }).bytes, as: UTF8.self)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("docx-readback-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("report.docx")
        try Data(docx).write(to: url)

        let read = try Self.pythonDocxTables(url)
        let expected = Self.markdownTables(markdown)
        // The flow table, Tables 1–3, the KM summary, ROC and Cox: every table of the report.
        #expect(expected.count >= 7)
        try #require(read.count == expected.count)
        for (table, md) in zip(read, expected) {
            let rows = table["rows"] as? [[String]] ?? []
            #expect(rows == md.rows, "\(md.title)")
            #expect(table["title"] as? String == md.title)
            #expect(table["header_repeats"] as? Bool == true, "\(md.title)")
        }
        // Tables 1–3 (descriptives and log-rank) merge each variable's first-column cell down its
        // rows; no other table merges anything.
        for (table, md) in zip(read, expected) {
            let merge = table["merge"] as? [[Any]] ?? []
            let firstColumn = merge.dropFirst().map { $0.first as? String }
            if ["Table 1", "Table 2", "Table 3"].contains(where: { md.title.hasPrefix($0) }) {
                let wanted = md.rows.dropFirst().enumerated().map { r, row -> String? in
                    let rows = Array(md.rows.dropFirst())
                    if row.first == "" { return "continue" }
                    return r + 1 < rows.count && rows[r + 1].first == "" ? "restart" : nil
                }
                #expect(firstColumn == wanted)
                #expect(firstColumn.contains("continue"))
            } else {
                #expect(merge.allSatisfy { $0.allSatisfy { $0 is NSNull } }, "\(md.title)")
            }
        }
    }

    @Test func markdownRowsAreSplitAtUnescapedBarsOnly() {
        #expect(Self.markdownCells(#"| a \| b | \< 56 |  |   Female |"#) == ["a | b", "< 56", "", "  Female"])
    }
}
