import CohortIngest
import Foundation
import Testing

/// ``RunFolderWriter/write(_:to:)``: the folder made, each file whole with mode 0640, an older file
/// replaced, no temporary file left behind, and an error naming the path when one cannot be written.
@Suite struct RunFolderWriterTests {
    static func folder() -> String {
        NSTemporaryDirectory() + "cohortd-write-\(UUID().uuidString)/run"
    }

    @Test func writesEveryFileWholeWithMode0640AndReplacesAnOlderOne() throws {
        let directory = Self.folder()
        defer { try? FileManager.default.removeItem(atPath: (directory as NSString).deletingLastPathComponent) }
        let big = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try RunFolderWriter.write([("results.json", Array("{\"old\": true}\n".utf8))], to: directory)
        try RunFolderWriter.write([("results.json", Array("{}\n".utf8)), ("overall.png", big), ("empty.csv", [])], to: directory)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        #expect(names == ["empty.csv", "overall.png", "results.json"])
        #expect(try Data(contentsOf: URL(fileURLWithPath: directory + "/results.json")) == Data("{}\n".utf8))
        #expect(try Data(contentsOf: URL(fileURLWithPath: directory + "/overall.png")) == Data(big))
        #expect(try Data(contentsOf: URL(fileURLWithPath: directory + "/empty.csv")).isEmpty)
        for name in names {
            let attributes = try FileManager.default.attributesOfItem(atPath: directory + "/" + name)
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o640, "\(name)")
        }
        let folderAttributes = try FileManager.default.attributesOfItem(atPath: directory)
        #expect((folderAttributes[.posixPermissions] as? NSNumber)?.intValue == 0o750)
    }

    @Test func aFileThatCannotBeWrittenNamesItsPathAndLeavesNoTemporaryFile() throws {
        let directory = Self.folder()
        defer { try? FileManager.default.removeItem(atPath: (directory as NSString).deletingLastPathComponent) }
        // A directory where the file should go: the rename over it fails, even for root.
        try FileManager.default.createDirectory(atPath: directory + "/report.html", withIntermediateDirectories: true)
        #expect {
            try RunFolderWriter.write([("results.json", Array("{}".utf8)), ("report.html", Array("<p>".utf8))], to: directory)
        } throws: { error in
            guard let error = error as? RunFolderError else { return false }
            return error.path == directory + "/report.html" && error.code == EISDIR && "\(error)".hasPrefix(directory + "/report.html: ")
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        #expect(names == ["report.html", "results.json"])
    }

    @Test func aFolderPathThatIsAFileIsRefusedAsNotAFolder() throws {
        let path = NSTemporaryDirectory() + "cohortd-write-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data("a file".utf8).write(to: URL(fileURLWithPath: path))
        #expect {
            try RunFolderWriter.write([("results.json", [])], to: path)
        } throws: { error in
            guard let error = error as? RunFolderError else { return false }
            return error.path == path && error.code == ENOTDIR && error.reason == String(cString: strerror(ENOTDIR))
        }
    }

    @Test func aLinkAtAFilesNameIsReplacedNotWrittenThrough() throws {
        let directory = Self.folder()
        defer { try? FileManager.default.removeItem(atPath: (directory as NSString).deletingLastPathComponent) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let outside = (directory as NSString).deletingLastPathComponent + "/outside.txt"
        try Data("untouched".utf8).write(to: URL(fileURLWithPath: outside))
        try FileManager.default.createSymbolicLink(atPath: directory + "/report.md", withDestinationPath: outside)
        try RunFolderWriter.write([("report.md", Array("# Report\n".utf8))], to: directory)
        #expect(try Data(contentsOf: URL(fileURLWithPath: outside)) == Data("untouched".utf8))
        let attributes = try FileManager.default.attributesOfItem(atPath: directory + "/report.md")
        #expect(attributes[.type] as? FileAttributeType == .typeRegular)
        #expect(try Data(contentsOf: URL(fileURLWithPath: directory + "/report.md")) == Data("# Report\n".utf8))
    }

    @Test func aFolderThatCannotBeMadeIsNamed() throws {
        let parent = NSTemporaryDirectory() + "cohortd-write-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: parent) }
        try Data("not a folder".utf8).write(to: URL(fileURLWithPath: parent))
        #expect {
            try RunFolderWriter.write([("results.json", [])], to: parent + "/run")
        } throws: { error in
            (error as? RunFolderError)?.path == parent + "/run"
        }
    }
}
