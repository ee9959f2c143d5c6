import CRSVG

/// Renders the project's SVG figures as vector PDF and as PNG, through librsvg and cairo's C
/// libraries (never a subprocess), for the run folder's `<figure>.pdf` and `<figure>.png`.
///
/// Thread safety: every call into librsvg and cairo runs on one process-wide thread (see
/// ``RenderThread``), because librsvg + cairo crash when documents with text are drawn from several
/// threads at once. Calling from many tasks is safe; the figures are drawn one after another, and
/// a PNG's encoding (the project's own code) runs on the caller's thread, beside another drawing.
public struct FigureRenderer: Sendable {
    /// The PDF's Creator entry.
    public var creator: String

    public init(creator: String = "cohortd") {
        self.creator = creator
    }

    /// Draws a small figure with text, as PDF and as a PNG at `dpi`, and throws it away: the
    /// render thread's font map, the fonts' faces and the glyphs of digits, letters and the
    /// usual signs in the figures' text styles (12 and 13 px, bold 12 and 14 px, and 12 px turned
    /// for a y axis) are then loaded, so that the first real figures do not pay for them (the
    /// first PDF alone costs about 20 ms more than the next, measured). For a caller that has a
    /// core idle before its figures (`cohortd analyze` while the export is read).
    public func warmUp(dpi: Double = 300) {
        let glyphs = "0123456789 .,:;%()[]/+−–·≥≤ abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        let styles = [
            #"y="16""#, #"y="34" font-weight="bold""#, #"y="54" font-size="14" font-weight="bold""#, #"y="74" font-size="13""#,
        ]
        // Rotated text (axis titles) has glyphs of its own: drawn in pieces short enough to stay
        // on the canvas, for glyphs off it are not drawn.
        let characters = Array(glyphs)
        let rotated = stride(from: 0, to: characters.count, by: 12).enumerated().map { k, start in
            #"<text transform="translate(\#(200 + 30 * k) 98) rotate(-90)">"#
                + String(characters[start..<min(start + 12, characters.count)]) + "</text>"
        }
        let svg =
            #"<svg xmlns="http://www.w3.org/2000/svg" width="600" height="100" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="12">"#
            + styles.map { #"<text x="2" "# + $0 + ">" + glyphs + "</text>" }.joined() + rotated.joined() + "</svg>"
        _ = try? pdf(svg: svg)
        _ = try? png(svg: svg, dpi: dpi)
    }

    /// The SVG as a one-page vector PDF whose page is the SVG's size (CSS pixels at 96 per inch,
    /// so 1 px = 0.75 pt).
    ///
    /// The PDF's CreationDate is the time of rendering, as cairo stamps it; otherwise the same SVG
    /// gives the same bytes. (cairo 1.16, Debian 12's, writes a date it is given through
    /// `CAIRO_PDF_METADATA_CREATE_DATE` without the `D:` prefix PDF dates need, so none is given.)
    ///
    /// - Parameter title: the PDF's Title entry (the figure's caption).
    /// - Throws: ``RenderError`` for an SVG librsvg cannot read or draw, or a cairo failure.
    public func pdf(svg: String, title: String? = nil) throws(RenderError) -> [UInt8] {
        try RenderThread.run { () throws(RenderError) -> [UInt8] in
            let document = try SVGHandle(svg: svg)
            let width = document.width * 72 / 96
            let height = document.height * 72 / 96
            return try ByteStream.collect { write, closure throws(RenderError) in
                guard let surface = cairo_pdf_surface_create_for_stream(write, closure, width, height) else {
                    throw RenderError(.cairo, "cairo could not create a PDF surface")
                }
                defer { cairo_surface_destroy(surface) }
                try Self.check(surface)
                cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, creator)
                if let title { cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, title) }
                try Self.draw(document, on: surface, width: width, height: height, background: false)
                cairo_surface_finish(surface)
                try Self.check(surface)
            }
        }
    }

    /// The SVG as an opaque PNG (white background, no alpha channel) at `dpi` dots per inch: the
    /// SVG's pixel size × `dpi` / 96, each side rounded to the nearest pixel; the PNG records the
    /// resolution in its `pHYs` chunk so that word processors place it at the SVG's size. Drawn
    /// by cairo, encoded by ``PNGEncoder`` (see there why not by cairo's PNG writer).
    ///
    /// For several figures in a row, ``png(svg:dpi:scratch:)`` reuses memory between them.
    ///
    /// - Throws: ``RenderError`` for an SVG librsvg cannot read or draw, a size past cairo's
    ///   32767-pixel limit, or a cairo failure.
    public func png(svg: String, dpi: Double = 300) throws(RenderError) -> [UInt8] {
        var scratch = RasterScratch()
        return try png(svg: svg, dpi: dpi, scratch: &scratch)
    }

    /// The same PNG as ``png(svg:dpi:)``, drawn and encoded in `scratch`'s memory, which it grows
    /// as needed and leaves for the next figure (the bytes do not depend on what it held).
    ///
    /// The figure is drawn once onto a cairo recording surface (librsvg's parsing, text layout
    /// and paths), and the recording is then played back onto bands of about ``bandBytes``, two
    /// in turn: the render thread plays the next back while the caller encodes the one before,
    /// and the whole image is never in memory (see ``RasterScratch`` for why). Playing a
    /// recording back at a whole-pixel offset gives the pixels that drawing the figure whole
    /// gives (checked by `PNGEncodingTests`).
    ///
    /// Only the drawing and the playback run on ``RenderThread``, band by band: the encoding runs
    /// on the caller's thread, beside the next band's playback (and the drawing of a run beside).
    public func png(svg: String, dpi: Double = 300, scratch: inout RasterScratch) throws(RenderError) -> [UInt8] {
        guard dpi.isFinite, dpi > 0 else { throw RenderError(.invalidArgument, "dpi must be a positive number") }
        let recording = try RenderThread.run { () throws(RenderError) -> Recording in
            let document = try SVGHandle(svg: svg)
            let (width, height) = try Self.pixelSize(width: document.width, height: document.height, dpi: dpi)
            let recording = try Recording(width: width, height: height)
            try Self.draw(document, on: recording.surface, width: Double(width), height: Double(height), background: true)
            try Self.check(recording.surface)
            return recording
        }
        let (width, height) = (recording.width, recording.height)
        let stride = Int(cairo_format_stride_for_width(CAIRO_FORMAT_RGB24, Int32(width)))
        guard stride >= 4 * width else { throw RenderError(.cairo, "cairo has no row stride for \(width) pixels") }
        let bandRows = min(height, max(1, Self.bandBytes / stride))
        // Two bands: the render thread plays the next back while this thread encodes one.
        let bands = scratch.pixels(byteCount: 2 * stride * bandRows)
        var above = scratch.zeros(byteCount: 4 * width)
        var encoder = PNGEncoder(width: width, height: height, dpi: dpi, output: &scratch.output)
        let playback = BandPlayback(surface: recording.surface, width: width, stride: stride)
        var posted = playback.post(into: bands, rows: min(bandRows, height), top: 0)
        var top = 0
        var k = 0
        while top < height {
            let rows = min(bandRows, height - top)
            posted.wait()
            if let failure = playback.failure { throw failure }
            let band = bands + (k % 2) * stride * bandRows
            let next = top + rows
            if next < height {
                posted = playback.post(into: bands + ((k + 1) % 2) * stride * bandRows, rows: min(bandRows, height - next), top: next)
            } else {
                posted = RenderThread.Posted.none
            }
            encoder.append(band, rows: rows, stride: stride, above: above, into: &scratch.output)
            top = next
            k += 1
            if top < height { above = scratch.carry(band + (rows - 1) * stride, byteCount: 4 * width) }
        }
        posted.wait()
        // The playbacks used the recording's surface through a pointer: it is destroyed only now,
        // once the last of them has run.
        _ = consume recording
        return encoder.finish(&scratch.output)
    }

    /// About how many bytes of pixels a band holds (a megabyte: 100 rows of a 300-dpi figure, in
    /// the processor's cache while it is encoded).
    static let bandBytes = 1 << 20

    /// The PNG's size in pixels for an SVG of `width` × `height` CSS pixels at `dpi`: each side
    /// × dpi/96, rounded to the nearest pixel (halves away from zero).
    public static func pixelSize(width: Double, height: Double, dpi: Double) throws(RenderError) -> (width: Int, height: Int) {
        let scale = dpi / 96
        let w = (width * scale).rounded()
        let h = (height * scale).rounded()
        guard w >= 1, h >= 1, w <= 32767, h <= 32767 else {
            throw RenderError(.noSize, "a figure of \(w) × \(h) pixels is outside cairo's 1–32767 pixels a side")
        }
        return (Int(w), Int(h))
    }

    /// Draws `document` over the whole surface, on white first when `background` is set.
    private static func draw(_ document: borrowing SVGHandle, on surface: OpaquePointer, width: Double, height: Double, background: Bool)
        throws(RenderError)
    {
        guard let context = cairo_create(surface) else { throw RenderError(.cairo, "cairo could not create a drawing context") }
        defer { cairo_destroy(context) }
        if background {
            cairo_set_source_rgb(context, 1, 1, 1)
            cairo_paint(context)
        }
        try document.render(on: context, width: width, height: height)
    }

    private static func check(_ surface: OpaquePointer) throws(RenderError) {
        let status = cairo_surface_status(surface)
        guard status == CAIRO_STATUS_SUCCESS else { throw RenderError(.cairo, CairoStatus.text(status)) }
    }
}
