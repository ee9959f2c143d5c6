import CohortData
import Foundation
import Testing

/// Reading an open file with read(2): a file that changes between claim and the end of reading
/// (size, modification time, or bytes read) fails with `changed_during_read`, never SIGBUS.
@Suite struct FileDescriptorSourceTests {
    static let text = "id,x,g\n" + (0..<20_000).map { "p\($0),\($0),a\n" }.joined()

    /// A temporary file holding `text`, opened for reading, with its identity as claimed.
    static func withFile(_ body: (String, Int32, FileDescriptorSource.Identity) throws -> Void) throws {
        let path = NSTemporaryDirectory() + "fds-\(UUID().uuidString).csv"
        defer { unlink(path) }
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        let fd = open(path, O_RDONLY)
        #expect(fd >= 0)
        defer { close(fd) }
        let identity = try #require(FileDescriptorSource.Identity.of(descriptor: fd))
        try body(path, fd, identity)
    }

    static func read(_ fd: Int32, _ identity: FileDescriptorSource.Identity) -> Result<Table, DataError> {
        var source = FileDescriptorSource(descriptor: fd, expected: identity)
        do {
            return .success(try CSVReader(columns: CSVReaderTests.columns, options: InputOptions(), chunkSize: 4_096).read(from: &source))
        } catch let e
            as DataError
        {
            return .failure(e)
        } catch { return .failure(DataError(.unreadable, "other")) }
    }

    @Test func anUnchangedFileReads() throws {
        try Self.withFile { _, fd, identity in
            #expect(identity.size == Self.text.utf8.count)
            #expect((try? Self.read(fd, identity).get().rowCount) == 20_000)
        }
    }

    @Test func aTruncatedFileChangedDuringRead() throws {
        try Self.withFile { path, fd, identity in
            #expect(truncate(path, 1_000) == 0)
            guard case .failure(let e) = Self.read(fd, identity) else {
                Issue.record("read")
                return
            }
            // The shorter file may also end in a ragged row: the change is what is reported.
            #expect(e.code == .changedDuringRead)
        }
    }

    @Test func aGrownFileChangedDuringRead() throws {
        try Self.withFile { path, fd, identity in
            let handle = try #require(FileHandle(forWritingAtPath: path))
            handle.seekToEndOfFile()
            handle.write(Data("late,1,a\n".utf8))
            try handle.close()
            guard case .failure(let e) = Self.read(fd, identity) else {
                Issue.record("read")
                return
            }
            #expect(e.code == .changedDuringRead)
        }
    }

    @Test func aFileWithANewModificationTimeChangedDuringRead() throws {
        try Self.withFile { path, fd, identity in
            // Same size, same bytes, another modification time (as a rewrite in place leaves it).
            var times = [timespec(tv_sec: 1_000_000, tv_nsec: 5), timespec(tv_sec: 1_000_000, tv_nsec: 5)]
            #expect(utimensat(AT_FDCWD, path, &times, 0) == 0)
            guard case .failure(let e) = Self.read(fd, identity) else {
                Issue.record("read")
                return
            }
            #expect(e.code == .changedDuringRead && e.message.contains("modification time"))
        }
    }

    @Test func aDescriptorThatCannotBeReadIsUnreadable() throws {
        var source = FileDescriptorSource(descriptor: -1, expected: .init(size: 0, modificationNanoseconds: 0))
        var buffer = [UInt8](repeating: 0, count: 16)
        do {
            _ = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
            Issue.record("no error")
        } catch {
            #expect((error as? DataError)?.code == .unreadable)
        }
    }
}
