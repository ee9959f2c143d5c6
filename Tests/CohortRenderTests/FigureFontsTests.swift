import CRSVG
import Foundation
import Testing

@testable import CohortRender

/// ``FigureFonts``'s requirements: once installed, fontconfig's current configuration resolves the
/// family the figures name and the generic families to the DejaVu folder; installing again (from
/// several threads) changes nothing.
@Suite struct FigureFontsTests {
    /// The file fontconfig's current configuration matches for `family`.
    static func matchedFile(_ family: String) -> String? {
        guard let pattern = FcNameParse(family) else { return nil }
        defer { FcPatternDestroy(pattern) }
        FcConfigSubstitute(nil, pattern, FcMatchPattern)
        FcDefaultSubstitute(pattern)
        var result = FcResultNoMatch
        guard let match = FcFontMatch(nil, pattern, &result) else { return nil }
        defer { FcPatternDestroy(match) }
        var file: UnsafeMutablePointer<FcChar8>?
        guard FcPatternGetString(match, FC_FILE, 0, &file) == FcResultMatch, let file else { return nil }
        return String(cString: file)
    }

    @Test func figureFamiliesResolveToTheDejaVuFolder() throws {
        try #require(
            FileManager.default.fileExists(atPath: FigureFonts.folder), "fonts-dejavu-core is installed (.ci/run installs it)")
        FigureFonts.install()
        #expect(FigureFonts.installed)
        for family in ["DejaVu Sans", "sans-serif", "Helvetica", "DejaVu Sans:bold"] {
            let file = try #require(Self.matchedFile(family), "\(family) matches a font")
            #expect(file.hasPrefix(FigureFonts.folder + "/"), "\(family) → \(file)")
        }
        #expect(Self.matchedFile("DejaVu Sans")?.hasSuffix("/DejaVuSans.ttf") == true)
        #expect(Self.matchedFile("DejaVu Sans:bold")?.hasSuffix("/DejaVuSans-Bold.ttf") == true)
        #expect(Self.matchedFile("monospace")?.hasSuffix("/DejaVuSansMono.ttf") == true)
    }

    @Test func installingAgainFromManyThreadsKeepsOneConfiguration() async throws {
        FigureFonts.install()
        let first = FcConfigGetCurrent()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 { group.addTask { FigureFonts.install() } }
        }
        #expect(FcConfigGetCurrent() == first)
        #expect(FigureFonts.installed)
    }
}
