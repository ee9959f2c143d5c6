import CohortConfiguration
import CohortIngest
import CohortIngestTesting
import Foundation
import SystemPackage
import Testing

/// The rules of ``IngestFileSystem``, checked on the real implementation and on the in-memory
/// one the service tests use, so that a test on the fake says something about the daemon.
@Suite struct FileSystemConformanceTests {
    /// A file system under test and a way to drop files into it.
    struct Subject: Sendable, CustomTestStringConvertible {
        let name: String
        let files: any IngestFileSystem
        let drop: @Sendable (String, String) throws -> Void
        /// The real file system's directory, kept as long as the subject.
        var scratch: ScratchDirectory? = nil

        var testDescription: String { name }

        static func real() throws -> Subject {
            let scratch = ScratchDirectory("conformance")
            let configuration = try DaemonConfiguration(
                yaml: "drop: drop\nstate: state\nresults: results\n", file: "c.yaml", directory: scratch.path)
            let layout = DaemonLayout(configuration)
            try layout.prepare()
            let files = try DirectoryFileSystem(layout: layout)
            let drop: @Sendable (String, String) throws -> Void = { path, text in
                let full = layout.drop + "/" + path
                try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try text.write(toFile: full, atomically: false, encoding: .utf8)
            }
            return Subject(name: "directory", files: files, drop: drop, scratch: scratch)
        }

        static func memory() -> Subject {
            let files = InMemoryFileSystem()
            return Subject(name: "in-memory", files: files) { path, text in files.drop(FilePath(path), text) }
        }
    }

    static func subjects() throws -> [Subject] { [try .real(), .memory()] }

    @Test(arguments: try subjects())
    func listingIsSortedWithoutIgnoredNames(subject: Subject) throws {
        for name in ["sub/b.csv", "a.csv", ".hidden.csv", "c.csv.part", "sub/.x.csv"] { try subject.drop(name, "x") }
        #expect(try subject.files.listDrop().map(\.path) == ["a.csv", "sub/b.csv"])
    }

    @Test(arguments: try subjects())
    func aClaimTakesOnlyTheListedEntryAndNeverReplaces(subject: Subject) throws {
        try subject.drop("a.csv", "x")
        try subject.drop("b.csv", "y")
        let listing = try subject.files.listDrop()
        let a = try #require(listing.first { $0.path == "a.csv" })
        let b = try #require(listing.first { $0.path == "b.csv" })
        let stored = StoredName(runID: "r1", relativePath: a.path)
        // The wrong identity: not taken.
        #expect(throws: IngestError.self) { try subject.files.claim(a.path, expecting: b.identity, as: stored) }
        #expect(try subject.files.listDrop().count == 2)
        let claimed = try subject.files.claim(a.path, expecting: a.identity, as: stored)
        #expect(claimed.isSameEntry(as: a.identity))
        #expect(subject.files.processingNames() == [stored])
        // The stored name exists: b is not moved over it.
        #expect(throws: IngestError.self) { try subject.files.claim(b.path, expecting: b.identity, as: stored) }
        #expect(try subject.files.listDrop().map(\.path) == ["b.csv"])
        // Reading gives back the bytes, and only for the claimed inode.
        var source = try subject.files.openClaimed(stored, expecting: claimed)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 16, alignment: 1)
        defer { buffer.deallocate() }
        #expect(try source.read(into: buffer) == 1 && buffer[0] == UInt8(ascii: "x"))
        #expect(try source.read(into: buffer) == 0)
        #expect(throws: IngestError.self) { try subject.files.openClaimed(stored, expecting: b.identity) }
    }

    @Test(arguments: try subjects())
    func publishingArchivingAndFailingAreIdempotent(subject: Subject) throws {
        try subject.drop("a.csv", "x")
        try subject.drop("b.csv", "y")
        let listing = try subject.files.listDrop()
        let names = listing.map { StoredName(runID: "r-" + $0.path.string, relativePath: $0.path) }
        for (entry, stored) in zip(listing, names) { _ = try subject.files.claim(entry.path, expecting: entry.identity, as: stored) }
        let files: [(name: String, bytes: [UInt8])] = [("results.json", Array("{}\n".utf8)), ("report.md", Array("# r\n".utf8))]
        let folder = try subject.files.publish(files, pipeline: "p", runID: "r1")
        #expect(try subject.files.publish([("results.json", Array("other".utf8))], pipeline: "p", runID: "r1") == folder)
        #expect(subject.files.resultsDocument(pipeline: "p", runID: "r1") == Array("{}\n".utf8))
        #expect(subject.files.runFolder(pipeline: "p", runID: "r1") != nil)
        #expect(subject.files.runFolders().map { "\($0.pipeline)/\($0.runID)" } == ["p/r1"])
        try subject.files.archive(names[0], day: "2026-12-01")
        try subject.files.archive(names[0], day: "2026-12-01")
        #expect(subject.files.isArchived(names[0]))
        try subject.files.fail(names[1], errorFile: Array("{}\n".utf8))
        try subject.files.fail(names[1], errorFile: Array("{}\n".utf8))
        #expect(subject.files.isFailed(names[1]))
        #expect(subject.files.processingNames().isEmpty)
        #expect(subject.files.claimedIdentity(names[0]) == nil)
    }
}
