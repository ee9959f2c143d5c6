/// Why a figure could not be rendered as PDF or PNG: a stable code and a message for people.
///
/// The message comes from librsvg or cairo (it names what failed, e.g. an XML parse error and its
/// line); it never carries the SVG text itself.
public struct RenderError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable, machine-readable classification.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// librsvg could not read the SVG (not well-formed XML, not SVG, or past its limits).
        public static let unreadableSVG = Code("unreadable_svg")
        /// The SVG has no usable size: no `width`/`height` in absolute units, or a size of zero or
        /// one too large to rasterise.
        public static let noSize = Code("no_size")
        /// librsvg failed while drawing the document.
        public static let drawing = Code("drawing")
        /// cairo failed to create, draw or write a surface.
        public static let cairo = Code("cairo")
        /// A parameter of the call is out of range (e.g. a non-positive dpi).
        public static let invalidArgument = Code("invalid_argument")
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `code: message`.
    public var description: String { "\(code): \(message)" }
}
