import CRSVG
import Glibc

/// The fonts figures are drawn with: fontconfig limited to Debian's `fonts-dejavu-core` folder.
///
/// The figures name "DejaVu Sans" first (see the report's SVG writer). Left to the system's
/// configuration, fontconfig reads every file under `/etc/fonts/conf.d` and matches each text run
/// against every installed font — about 6 ms before the first figure and a share of every text
/// run — and a machine with other fonts could substitute one of them. Limited to the DejaVu
/// folder (with the generic families mapped onto it and the system's font caches reused), every
/// machine with `fonts-dejavu-core` draws the same glyphs, and sooner.
///
/// Requirements (checked by `FigureFontsTests`):
/// - after ``install()``, fontconfig's current configuration matches "DejaVu Sans" and
///   "sans-serif" to a file in ``folder``;
/// - ``install()`` may be called any number of times from any thread; it configures once;
/// - when ``folder`` does not exist, the system's configuration is left in place (figures still
///   draw, with whatever fonts the machine has).
enum FigureFonts {
    /// Debian's `fonts-dejavu-core` folder.
    static let folder = "/usr/share/fonts/truetype/dejavu"

    /// Whether the DejaVu-only configuration is fontconfig's current one (false when the folder
    /// is missing or fontconfig refused the configuration).
    static var installed: Bool { installation }

    /// Makes the DejaVu-only configuration current, once per process. Call before librsvg or
    /// pango first touch fontconfig (``FigureRenderer`` does, on ``RenderThread``).
    static func install() {
        _ = installation
    }

    // A global `let` is initialised exactly once, thread-safely, on first use.
    private static let installation: Bool = configure()

    private static func configure() -> Bool {
        var isDirectory = false
        guard directoryExists(folder, &isDirectory), isDirectory else { return false }
        guard let config = FcConfigCreate() else { return false }
        let xml = """
            <?xml version="1.0"?>
            <fontconfig>
              <dir>\(folder)</dir>
              <cachedir>/var/cache/fontconfig</cachedir>
              <cachedir prefix="xdg">fontconfig</cachedir>
              <alias binding="same"><family>sans-serif</family><prefer><family>DejaVu Sans</family></prefer></alias>
              <alias binding="same"><family>serif</family><prefer><family>DejaVu Serif</family></prefer></alias>
              <alias binding="same"><family>monospace</family><prefer><family>DejaVu Sans Mono</family></prefer></alias>
              <match target="font">
                <edit name="antialias" mode="assign"><bool>true</bool></edit>
                <edit name="hinting" mode="assign"><bool>true</bool></edit>
                <edit name="hintstyle" mode="assign"><const>hintslight</const></edit>
              </match>
            </fontconfig>
            """
        let parsed = xml.withCString { FcConfigParseAndLoadFromMemory(config, $0, FcTrue) }
        guard parsed != 0, FcConfigBuildFonts(config) != 0, FcConfigSetCurrent(config) != 0 else {
            FcConfigDestroy(config)
            return false
        }
        // FcConfigSetCurrent took its own reference.
        FcConfigDestroy(config)
        return true
    }

    private static func directoryExists(_ path: String, _ isDirectory: inout Bool) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0 else { return false }
        isDirectory = (info.st_mode & S_IFMT) == S_IFDIR
        return true
    }
}
