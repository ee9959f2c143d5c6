import CohortConfiguration
import CohortData
import CohortIngest
import Foundation
import SystemPackage
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The real file actions on the kernel: directory descriptors, links and swaps, byte names,
/// modes, and files that change while read.
@Suite struct DirectoryFileSystemTests {
    struct Tree {
        let scratch = ScratchDirectory("fs")
        var root: String { scratch.path }
        let layout: DaemonLayout
        let files: DirectoryFileSystem

        init() throws {
            let configuration = try DaemonConfiguration(yaml: "drop: drop\nstate: state\nresults: results\n", file: "c.yaml", directory: scratch.path)
            layout = DaemonLayout(configuration)
            try layout.prepare()
            files = try DirectoryFileSystem(layout: layout)
        }

        func write(_ relative: String, _ text: String = Fixture.csv) throws {
            let path = layout.drop + "/" + relative
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: path, atomically: false, encoding: .utf8)
        }

        func entry(_ relative: String) throws -> DropEntry { try #require(try files.listDrop().first { $0.path == FilePath(relative) }) }
    }

    @Test func aSymlinkedSubdirectoryIsListedAsALinkAndNeverWalked() throws {
        let tree = try Tree()
        let outside = tree.root + "/outside"
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        try Fixture.csv.write(toFile: outside + "/km_secret.csv", atomically: false, encoding: .utf8)
        #expect(symlink(outside, tree.layout.drop + "/sub") == 0)
        let listing = try tree.files.listDrop()
        #expect(listing.map(\.path) == ["sub"])
        #expect(listing.first?.identity.kind == .symbolicLink)
    }

    @Test func aSubdirectorySwappedForALinkAfterTheScanIsNotClaimedThrough() throws {
        let tree = try Tree()
        try tree.write("sub/km_1.csv")
        let entry = try tree.entry("sub/km_1.csv")
        // The attacker's swap: the scanned directory moves away, a link to outside takes its place.
        let outside = tree.root + "/outside"
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        try Fixture.csv.write(toFile: outside + "/km_1.csv", atomically: false, encoding: .utf8)
        #expect(rename(tree.layout.drop + "/sub", tree.root + "/moved-away") == 0)
        #expect(symlink(outside, tree.layout.drop + "/sub") == 0)
        let stored = StoredName(runID: "r1", relativePath: entry.path)
        #expect(throws: IngestError.self) { try tree.files.claim(entry.path, expecting: entry.identity, as: stored) }
        #expect(FileManager.default.fileExists(atPath: outside + "/km_1.csv"))
        #expect(tree.files.processingNames().isEmpty)
    }

    @Test func aDirectorySwappedInForAFileIsNeverMoved() throws {
        let tree = try Tree()
        try tree.write("km_1.csv")
        let entry = try tree.entry("km_1.csv")
        #expect(unlink(tree.layout.drop + "/km_1.csv") == 0)
        try FileManager.default.createDirectory(atPath: tree.layout.drop + "/km_1.csv", withIntermediateDirectories: true)
        for k in 0..<3 { try "x".write(toFile: tree.layout.drop + "/km_1.csv/f\(k)", atomically: false, encoding: .utf8) }
        #expect(throws: IngestError.self) {
            try tree.files.claim(entry.path, expecting: entry.identity, as: StoredName(runID: "r1", relativePath: entry.path))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: tree.layout.drop + "/km_1.csv").count == 3)
        #expect(tree.files.processingNames().isEmpty)
    }

    @Test func namesAreBytesAndLongNamesAreShortened() throws {
        let tree = try Tree()
        let invalid: [UInt8] = Array("km_".utf8) + [0xFF, 0xFE] + Array(".csv".utf8)
        let long = "km_" + String(repeating: "x", count: 240) + ".csv"
        let drop = try DirectoryHandle.open(FilePath(tree.layout.drop))
        try drop.write(Array(Fixture.csv.utf8), as: try #require(FilePath.Component(platformString: invalid.map { CChar(bitPattern: $0) } + [0])))
        try tree.write(long)
        let listing = try tree.files.listDrop()
        #expect(listing.count == 2)
        for entry in listing {
            let stored = StoredName(runID: "20261201T000000000Z-00000001", relativePath: entry.path)
            _ = try tree.files.claim(entry.path, expecting: entry.identity, as: stored)
            try tree.files.fail(stored, errorFile: Array("{}\n".utf8))
            #expect(tree.files.isFailed(stored))
        }
        #expect(try tree.files.listDrop().isEmpty)
        #expect(listing.contains { EscapedName.escape($0.path) == "km_\\xff\\xfe.csv" })
    }

    @Test func archivedAndFailedFilesAndErrorFilesAre0640WhateverTheUmask() throws {
        let old = umask(0)
        defer { umask(old) }
        let tree = try Tree()
        try tree.write("km_1.csv")
        try tree.write("km_2.csv")
        #expect(chmod(tree.layout.drop + "/km_1.csv", 0o666) == 0)
        #expect(chmod(tree.layout.drop + "/km_2.csv", 0o666) == 0)
        let one = try tree.entry("km_1.csv")
        let two = try tree.entry("km_2.csv")
        let a = StoredName(runID: "r1", relativePath: one.path)
        let b = StoredName(runID: "r2", relativePath: two.path)
        _ = try tree.files.claim(one.path, expecting: one.identity, as: a)
        _ = try tree.files.claim(two.path, expecting: two.identity, as: b)
        try tree.files.archive(a, day: "2026-12-01")
        try tree.files.fail(b, errorFile: Array("{}\n".utf8))
        func mode(_ path: String) -> mode_t {
            var info = stat()
            stat(path, &info)
            return info.st_mode & 0o777
        }
        #expect(mode(tree.layout.archive + "/2026-12-01/" + a.description) == 0o640)
        #expect(mode(tree.layout.failed + "/" + b.description) == 0o640)
        #expect(mode(tree.layout.failed + "/" + b.errorFileName.description) == 0o640)
    }

    @Test func aFileTruncatedOrGrownWhileReadFailsAsChanged() throws {
        let tree = try Tree()
        for (k, change) in ["truncate", "append"].enumerated() {
            let name = "km_\(k).csv"
            try tree.write(name, String(repeating: Fixture.csv, count: 20_000))
            let entry = try tree.entry(name)
            let stored = StoredName(runID: "r\(k)", relativePath: entry.path)
            let claimed = try tree.files.claim(entry.path, expecting: entry.identity, as: stored)
            var source = try tree.files.openClaimed(stored, expecting: claimed)
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 1)
            defer { buffer.deallocate() }
            _ = try source.read(into: buffer)
            let path = tree.layout.processing + "/" + stored.description
            if change == "truncate" {
                #expect(truncate(path, 10_000) == 0)
            } else {
                let handle = try #require(FileHandle(forWritingAtPath: path))
                handle.seekToEndOfFile()
                handle.write(Data("1,1,M\n".utf8))
                try handle.close()
            }
            let error = #expect(throws: DataError.self) {
                while try source.read(into: buffer) > 0 {}
            }
            #expect(error?.code == .changedDuringRead, "\(change)")
        }
    }

    @Test func theHealthOfTheDirectoriesIsReported() throws {
        let tree = try Tree()
        #expect(tree.files.health() == .healthy)
        // The drop directory deleted: re-created and re-opened.
        try FileManager.default.removeItem(atPath: tree.layout.drop)
        #expect(tree.files.health() == .healthy)
        try tree.write("km_1.csv")
        #expect(try tree.files.listDrop().count == 1)
        // Replaced by a file: degraded until it is a directory again.
        try FileManager.default.removeItem(atPath: tree.layout.drop)
        try "x".write(toFile: tree.layout.drop, atomically: false, encoding: .utf8)
        guard case .dropDegraded = tree.files.health() else {
            Issue.record("a drop path that is a file is not degraded")
            return
        }
        try FileManager.default.removeItem(atPath: tree.layout.drop)
        #expect(tree.files.health() == .healthy)
        // The state directory removed: lost.
        try FileManager.default.removeItem(atPath: tree.layout.state)
        guard case .stateLost = tree.files.health() else {
            Issue.record("a deleted state directory is not reported lost")
            return
        }
    }
}
