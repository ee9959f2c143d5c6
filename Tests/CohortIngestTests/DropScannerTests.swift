import CohortIngest
import SystemPackage
import Testing

/// The settle rules of ``DropScanner``.
@Suite struct DropScannerTests {
    func entry(_ name: String, size: Int64 = 10, modified: Int64, kind: FileIdentity.Kind = .regular, inode: UInt64 = 7) -> DropEntry {
        DropEntry(path: FilePath(name), identity: FileIdentity(device: 1, inode: inode, kind: kind, size: size, modified: modified))
    }

    let second: Int64 = 1_000_000_000

    @Test func aFileWrittenInPlaceWaitsUntilItHasSettled() {
        var scanner = DropScanner(settle: 2)
        let wall: Int64 = 1000 * second
        let fresh = entry("km_1.csv", modified: wall)
        #expect(scanner.ready([fresh], now: .seconds(0), wallNow: wall).isEmpty)
        #expect(scanner.pendingCount == 1)
        #expect(scanner.ready([fresh], now: .seconds(1), wallNow: wall + second).isEmpty)
        // It grew: the settle time starts again.
        let grown = entry("km_1.csv", size: 20, modified: wall + second)
        #expect(scanner.ready([grown], now: .seconds(1.5), wallNow: wall + 3 * second / 2).isEmpty)
        #expect(scanner.ready([grown], now: .seconds(3), wallNow: wall + 3 * second).isEmpty)
        #expect(scanner.ready([grown], now: .seconds(3.5), wallNow: wall + 7 * second / 2) == [grown])
    }

    @Test func anOldFileOrOneRenamedInIsReadyAtOnce() {
        var scanner = DropScanner(settle: 30)
        let wall: Int64 = 1000 * second
        let old = entry("old.csv", modified: wall - 60 * second)
        let renamed = entry("new.csv", modified: wall, inode: 8)
        scanner.arrivedByRename([renamed.key])
        #expect(scanner.ready([old, renamed], now: .zero, wallNow: wall) == [old, renamed])
    }

    @Test func linksAndFIFOsAreReadyAtOnceToBeFailed() {
        var scanner = DropScanner(settle: 30)
        let link = entry("link.csv", modified: 0, kind: .symbolicLink)
        let fifo = entry("fifo.csv", modified: 0, kind: .fifo, inode: 9)
        #expect(scanner.ready([link, fifo], now: .zero, wallNow: 0) == [link, fifo])
    }

    @Test func aFileHeldBackWaitsAgainAndLosesItsRenamedStatus() {
        var scanner = DropScanner(settle: 2)
        let wall: Int64 = 1000 * second
        let file = entry("km_1.csv", modified: wall)
        scanner.arrivedByRename([file.key])
        #expect(scanner.ready([file], now: .zero, wallNow: wall) == [file])
        scanner.holdBack(file, now: .zero)
        #expect(scanner.ready([file], now: .seconds(1), wallNow: wall + second).isEmpty)
        #expect(scanner.ready([file], now: .seconds(2), wallNow: wall + 2 * second) == [file])
    }

    @Test func entriesNoLongerListedAreForgotten() {
        var scanner = DropScanner(settle: 2)
        let wall: Int64 = 1000 * second
        let file = entry("km_1.csv", modified: wall)
        _ = scanner.ready([file], now: .zero, wallNow: wall)
        _ = scanner.ready([], now: .seconds(1), wallNow: wall + second)
        // Seen again: a new settle time starts (it is not taken on the old first sighting).
        #expect(scanner.ready([file], now: .seconds(2.5), wallNow: wall + second).isEmpty)
    }
}
