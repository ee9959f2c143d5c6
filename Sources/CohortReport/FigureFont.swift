/// The font family every SVG figure names.
///
/// DejaVu Sans first, which Debian's `fonts-dejavu-core` provides, so that the PDF and PNG that
/// librsvg renders from a figure look the same on every machine that has it; generic fallbacks
/// after it for browsers showing the SVG elsewhere.
public enum FigureFont {
    /// The value of the figures' `font-family` attribute.
    public static let family = "DejaVu Sans, Helvetica, Arial, sans-serif"
}
