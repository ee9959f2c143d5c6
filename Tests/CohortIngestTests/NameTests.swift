import CohortIngest
import SystemPackage
import Testing

/// File names are bytes end to end: escaped for text without loss, shortened with a hash when
/// the run id would push them past NAME_MAX.
@Suite struct NameTests {
    @Test func anyBytesSurviveTheEscape() {
        let samples: [[UInt8]] = [
            Array("plain.csv".utf8), Array("Überweisung März.csv".utf8), [0x66, 0xFF, 0xFE, 0x2E, 0x63],  // invalid UTF-8
            [0x1B, 0x5B, 0x32, 0x4A, 0x78],  // ESC [2J: clears a terminal
            Array("back\\slash\\x41".utf8), [0xC3],  // a cut UTF-8 sequence
            Array("tab\there\n".utf8), [0xE2, 0x80, 0xAE, 0x61],  // U+202E, right-to-left override
        ]
        for bytes in samples {
            let text = EscapedName.escape(bytes)
            #expect(EscapedName.bytes(of: text) == bytes, "\(text)")
            #expect(!text.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F || $0.value == 0x202E }, "\(text)")
        }
        #expect(EscapedName.escape(Array("Überweisung.csv".utf8)) == "Überweisung.csv")
        #expect(EscapedName.escape([0x1B, 0x41]) == "\\x1bA")
        #expect(EscapedName.bytes(of: "bad\\q") == nil)
    }

    @Test func storedNamesFitNameMaxAndStayDistinct() {
        let runID = "20261201T120000000Z-0123abcd"
        let long1 = FilePath("sub/" + String(repeating: "a", count: 250) + "1.csv")
        let long2 = FilePath("sub/" + String(repeating: "a", count: 250) + "2.csv")
        let a = StoredName(runID: runID, relativePath: long1)
        let b = StoredName(runID: runID, relativePath: long2)
        #expect(a.bytes.count <= StoredName.maximumLength - 11)
        #expect(a.errorFileName.bytes.count <= StoredName.maximumLength)
        #expect(a != b)
        #expect(a.description.hasSuffix(".csv"))
        #expect(a.runID == runID)
        let short = StoredName(runID: runID, relativePath: FilePath("rps/pm_1.csv"))
        #expect(short.description == runID + "--pm_1.csv")
        // A long multi-byte name is not cut inside a character.
        let umlauts = StoredName(runID: runID, relativePath: FilePath(String(repeating: "ü", count: 200) + ".csv"))
        #expect(String(validatingCString: umlauts.bytes.map { CChar(bitPattern: $0) } + [0]) != nil)
        #expect(EscapedName.bytes(of: umlauts.description) == umlauts.bytes)
    }

    @Test func ignoredNamesAreThoseOfFilesBeingWritten() {
        for name in [".hidden.csv", "x.tmp", "x.part", "x.partial", "x.filepart", "x.csv~"] {
            #expect(DropNames.isIgnored(FilePath(name)), "\(name)")
        }
        #expect(DropNames.isIgnored(FilePath(".staging/x.csv")))
        #expect(!DropNames.isIgnored(FilePath("sub/x.csv")))
        #expect(!DropNames.isIgnored(FilePath("tmp.csv")))
    }
}
