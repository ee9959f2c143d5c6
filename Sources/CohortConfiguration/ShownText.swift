import CohortData

/// A value as an error message shows it: ``Excerpt`` (cut to 64 bytes on a character boundary,
/// with `…`, control characters escaped), so that a hostile file can neither make a megabyte error
/// nor drive a terminal. One rule for the configuration's errors and the data's.
public enum ShownText {
    /// The most bytes of a value an error message repeats.
    public static let maximumBytes = Excerpt.limit

    /// `text` cut to ``maximumBytes`` and escaped (`\n`, `\t`, `\u{1b}`).
    public static func cut(_ text: String) -> String { Excerpt.of(text) }
}
