import CohortData
import CohortPipeline
import Foundation
import Testing

/// Declared identifier columns that nothing reads are checked in the header but not kept, so a
/// registry export's table does not carry 16 bytes a row or more for them.
@Suite struct UnreadColumnsTests {
    static func pipeline(_ extra: String = "", analyses: String = "  - {id: km, plugin: kaplan_meier}") throws -> LoadedPipeline {
        let yaml = """
            name: ids
            match: ["*.csv"]
            columns: {pid: id, mrn: {type: id, required: false}, time: number, dead: {type: boolean, true: ["1"], false: ["0"]}}
            survival: {time: time, event: dead, unit: days}
            \(extra)
            analyses:
            \(analyses)
            """
        return try LoadedPipeline(text: yaml, file: "ids.yaml", directory: NSTemporaryDirectory(), registry: testRegistry)
    }

    @Test func identifiersNothingNamesAreUnread() throws {
        #expect(try Self.pipeline().unreadColumns == ["pid", "mrn"])
        let exec = "  - {id: x, plugin: exec, command: [/bin/cat], variables: [pid]}"
        #expect(try Self.pipeline(analyses: exec).unreadColumns == ["mrn"])
        #expect(try Self.pipeline("derive: {same: {equals: [mrn, \"7\"]}}").unreadColumns == ["pid"])
        #expect(try Self.pipeline("cohort:\n  - {drop: {pid: p1}, reason: test}").unreadColumns == ["mrn"])
    }

    @Test func anUnreadColumnIsCheckedButNotKept() async throws {
        let runner = PipelineRunner(try Self.pipeline())
        let csv = "pid,time,dead\np1,5,1\np2,7,0\n"
        let outcome = await runner.run(Data(csv.utf8), info: RunInfo(id: "t", fileName: "t.csv"))
        #expect(outcome.status == .ok)
        let prepared = try Array(csv.utf8).withUnsafeBytes { try runner.prepare($0) }
        #expect(prepared.table["pid"] == nil && prepared.table["time"] != nil && prepared.table.rowCount == 2)
        // A required column is still required.
        let missing = await runner.run(Data("time,dead\n5,1\n".utf8), info: RunInfo(id: "t", fileName: "t.csv"))
        #expect(missing.failure?.code == .missingColumn)
        // And the memory estimate leaves it out.
        let kept = PipelineRunner(try Self.pipeline(analyses: "  - {id: x, plugin: exec, command: [/bin/cat], variables: [pid, mrn]}"))
        #expect(kept.tableBytesPerRow == runner.tableBytesPerRow + 32)
    }

    @Test func theReaderSkipsUnreadColumns() throws {
        let columns = [ColumnSpec(name: "a", kind: .id), ColumnSpec(name: "b", kind: .number), ColumnSpec(name: "c", kind: .id, required: false)]
        let table = try CSVReader(columns: columns, options: InputOptions(), unread: ["a", "c"]).read(Array("a,b\nx,1\ny,2\n".utf8))
        #expect(table.columns.map(\.name) == ["b"])
        #expect(table["b"]?.numbers == [1, 2])
        #expect(throws: DataError.self) { try CSVReader(columns: columns, options: InputOptions(), unread: ["a"]).read(Array("b\n1\n".utf8)) }
    }
}
