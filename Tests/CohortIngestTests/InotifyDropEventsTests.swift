import CohortConfiguration
import CohortIngest
import Foundation
import Synchronization
import SystemPackage
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// inotify as an AsyncSequence, on the kernel: overflow, moved subdirectories, links.
@Suite struct InotifyDropEventsTests {
    /// Collects events for up to `timeout`, until `enough` says so.
    func collect(
        _ source: InotifyDropEvents, timeout: Duration = .seconds(5), until enough: @escaping @Sendable ([DropEvent]) -> Bool
    ) async -> [DropEvent] {
        let seen = Seen()
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await event in source.events {
                    if seen.events.withLock({ all in
                        all.append(event)
                        return enough(all)
                    }) {
                        break
                    }
                }
            }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
        return seen.events.withLock { $0 }
    }

    final class Seen: Sendable {
        let events = Mutex<[DropEvent]>([])
    }

    @Test func aForcedOverflowAsksForARescanThatFindsTheLostFiles() async throws {
        let scratch = ScratchDirectory("overflow")
        let root = scratch.path
        let handle = try DirectoryHandle.open(FilePath(root))
        let made = InotifyDropEvents(root: { handle })
        let source = try #require(made)
        defer { source.stop() }
        // The reader stops draining the queue, as under a burst it cannot keep up with.
        source.pauseReading(true)
        try await Task.sleep(for: .milliseconds(30))
        let limit =
            Int(
                (try? String(contentsOfFile: "/proc/sys/fs/inotify/max_queued_events", encoding: .utf8))?
                    .trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 16_384
        for i in 0..<limit {
            let fd = open(root + "/fill-\(i).part", O_CREAT | O_WRONLY | O_CLOEXEC, 0o640)
            if fd >= 0 { close(fd) }
        }
        for i in 0..<3 {
            try Fixture.csv.write(toFile: root + "/.export-\(i).csv", atomically: false, encoding: .utf8)
            try FileManager.default.moveItem(atPath: root + "/.export-\(i).csv", toPath: root + "/export-\(i).csv")
        }
        source.pauseReading(false)
        let events = await collect(source, timeout: .seconds(10)) { $0.contains(.rescan(overflow: true)) }
        #expect(events.contains(.rescan(overflow: true)))
        #expect(source.overflows >= 1)
    }

    @Test func subdirectoriesMovedWithinTheTreeStayWatchedAndMovedOutAreForgotten() async throws {
        // The watched tree and a directory outside it, side by side in one scratch directory.
        let scratch = ScratchDirectory("moves")
        let root = scratch.path + "/tree"
        let outside = scratch.path + "/outside"
        try FileManager.default.createDirectory(atPath: root + "/a", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/c", withIntermediateDirectories: true)
        let handle = try DirectoryHandle.open(FilePath(root))
        let made = InotifyDropEvents(root: { handle })
        let source = try #require(made)
        defer { source.stop() }
        try FileManager.default.moveItem(atPath: root + "/a", toPath: root + "/b")
        try FileManager.default.moveItem(atPath: root + "/c", toPath: outside)
        try await Task.sleep(for: .milliseconds(200))
        for (dir, name) in [(root + "/b", "x.csv"), (outside, "y.csv")] {
            try "x\n".write(toFile: dir + "/." + name, atomically: false, encoding: .utf8)
            try FileManager.default.moveItem(atPath: dir + "/." + name, toPath: dir + "/" + name)
        }
        let events = await collect(source) { $0.contains(.arrived("b/x.csv")) }
        #expect(events.contains(.arrived("b/x.csv")))
        #expect(!events.contains { if case .arrived(let p) = $0 { return p.string.hasSuffix("y.csv") } else { return false } })
    }

    @Test func aHardLinkArrivesCompleteAndALinkedDirectoryIsNotWatchedThrough() async throws {
        let scratch = ScratchDirectory("links")
        let root = scratch.path + "/tree"
        let outside = scratch.path + "/outside"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        let handle = try DirectoryHandle.open(FilePath(root))
        let made = InotifyDropEvents(root: { handle })
        let source = try #require(made)
        defer { source.stop() }
        #expect(symlink(outside, root + "/linked") == 0)
        try "x\n".write(toFile: outside + "/original.csv", atomically: false, encoding: .utf8)
        #expect(link(outside + "/original.csv", root + "/km_linked.csv") == 0)
        try "y\n".write(toFile: outside + "/.z", atomically: false, encoding: .utf8)
        try FileManager.default.moveItem(atPath: outside + "/.z", toPath: outside + "/z.csv")
        let events = await collect(source, timeout: .seconds(2)) { _ in false }
        #expect(events.contains(.arrived("km_linked.csv")))
        #expect(!events.contains(.arrived("linked/z.csv")))
    }

    @Test func directoriesOnDifferentFilesystemsAreRefused() throws {
        // /dev/shm is a tmpfs: a state directory there cannot receive renames from /tmp.
        guard FileManager.default.fileExists(atPath: "/dev/shm") else { return }
        let scratch = ScratchDirectory("xdev")
        let root = scratch.path
        let state = "/dev/shm/cohortd-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: state) }
        let yaml = "drop: \(root)/drop\nstate: \(state)\nresults: \(root)/results\n"
        let configuration = try DaemonConfiguration(yaml: yaml, file: "c.yaml", directory: root)
        var info1 = stat()
        var info2 = stat()
        stat(root, &info1)
        stat("/dev/shm", &info2)
        guard info1.st_dev != info2.st_dev else { return }
        #expect(throws: DaemonError.self) { try DaemonLayout(configuration).prepare() }
    }
}
