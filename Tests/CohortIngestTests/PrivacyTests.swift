import CohortStore
import Foundation
import Testing

@testable import cohortd

#if canImport(Glibc)
    import Glibc
#endif

/// What reaches a terminal or the store: no control characters, no cell values, private modes.
@Suite struct PrivacyTests {
    @Test func textForATerminalHasItsControlCharactersEscaped() {
        let hostile = "file\u{1B}[2J\u{1B}]0;owned\u{07}name\r\n"
        let safe = Terminal.safe(hostile)
        #expect(!safe.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F })
        #expect(safe == "file\\x1b[2J\\x1b]0;owned\\x07name\\x0d\\x0a")
        #expect(Terminal.safe("Überweisung März") == "Überweisung März")
    }

    @Test func theStoreIsCreated0640WhateverTheUmask() throws {
        let old = umask(0)
        defer { umask(old) }
        let directory = ScratchDirectory("store")
        let path = directory.path + "/cohortd.sqlite"
        let store = try Store(path: path)
        try store.recordClaim(runID: "r1", name: "x.csv")
        for file in [path, path + "-wal", path + "-shm"] where FileManager.default.fileExists(atPath: file) {
            var info = stat()
            stat(file, &info)
            #expect(info.st_mode & 0o777 == 0o640, "\(file)")
        }
    }
}
