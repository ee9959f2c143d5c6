/// The font family every SVG figure names.
///
/// DejaVu Sans first, which Debian's `fonts-dejavu-core` provides, so that the PDF and PNG that
/// librsvg renders from a figure look the same on every machine that has it; generic fallbacks
/// after it for browsers showing the SVG elsewhere.
public enum FigureFont {
    /// The value of the figures' `font-family` attribute.
    public static let family = "DejaVu Sans, Helvetica, Arial, sans-serif"
}

extension FigureFont {
    /// The opening of a figure's SVG: its size, the font, an accessible label and a white page.
    static func svgOpening(width: Double, height: Double, title: String) -> String {
        let w = Format.fixed(width, digits: 1)
        let h = Format.fixed(height, digits: 1)
        return
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(w) \(h)\" width=\"\(w)\" height=\"\(h)\" font-family=\"\(family)\" font-size=\"12\" role=\"img\" aria-label=\"\(XML.escape(title))\">\n"
            + "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
    }
}
