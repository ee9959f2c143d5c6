import CRSVG

/// Renders the project's SVG figures as vector PDF and as PNG, through librsvg and cairo's C
/// libraries (never a subprocess), for the run folder's `<figure>.pdf` and `<figure>.png`.
///
/// Thread safety: every call into librsvg and cairo is serialised on one process-wide lock (see
/// ``RenderLock``), because librsvg + cairo crash when documents with text are drawn from several
/// threads at once. Calling from many tasks is safe; the figures are drawn one after another, and
/// a PNG's encoding (the project's own code) runs outside the lock, beside another drawing.
public struct FigureRenderer: Sendable {
    /// The PDF's Creator entry.
    public var creator: String

    public init(creator: String = "cohortd") {
        self.creator = creator
    }

    /// Draws a small figure with text and throws it away: fontconfig, pango and cairo's font
    /// faces are then loaded, so that the first real figure does not pay for them. For a caller
    /// that has a core idle before its figures (`cohortd analyze` while the export is read).
    public func warmUp() {
        let text = #"<text x="2" y="14" font-family="DejaVu Sans" font-size="12""#
        let svg =
            #"<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20">"# + text + ">0.5 ≥</text>" + text
            + #" font-weight="bold">n</text></svg>"#
        _ = try? png(svg: svg, dpi: 96)
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
        try RenderLock.withLock { () throws(RenderError) -> [UInt8] in
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
    public func png(svg: String, dpi: Double = 300, scratch: inout RasterScratch) throws(RenderError) -> [UInt8] {
        try Self.withRaster(svg: svg, dpi: dpi, scratch: &scratch) { image, scratch in
            PNGEncoder.encode(image.pixels, width: image.width, height: image.height, stride: image.stride, dpi: dpi, scratch: &scratch)
        }
    }

    /// Draws the SVG at `dpi` on white into `scratch`'s pixel memory (cairo `RGB24`) and calls
    /// `body` with the pixels, valid only inside it.
    ///
    /// Only the drawing holds ``RenderLock``: `body` (the PNG encoding) runs after it is released,
    /// on memory the caller owns, so that a run's PNG is encoded while the daemon's run beside it
    /// draws. (Measured on the benchmark's figures: drawing takes 8–25 ms a figure and format,
    /// encoding 2–3 ms; the lock, not the encoder, sets the figures' time.)
    static func withRaster<T>(
        svg: String, dpi: Double, scratch: inout RasterScratch, _ body: (RasterImage, inout RasterScratch) -> T
    ) throws(RenderError) -> T {
        guard dpi.isFinite, dpi > 0 else { throw RenderError(.invalidArgument, "dpi must be a positive number") }
        let image = try RenderLock.withLock { () throws(RenderError) -> RasterImage in
            let document = try SVGHandle(svg: svg)
            let (width, height) = try Self.pixelSize(width: document.width, height: document.height, dpi: dpi)
            let stride = Int(cairo_format_stride_for_width(CAIRO_FORMAT_RGB24, Int32(width)))
            guard stride >= 4 * width else { throw RenderError(.cairo, "cairo has no row stride for \(width) pixels") }
            let pixels = scratch.pixels(byteCount: stride * height)
            let image = RasterImage(pixels: UnsafeRawPointer(pixels), width: width, height: height, stride: stride)
            guard
                let surface = cairo_image_surface_create_for_data(
                    pixels.assumingMemoryBound(to: UInt8.self), CAIRO_FORMAT_RGB24, Int32(width), Int32(height), Int32(stride))
            else {
                throw RenderError(.cairo, "cairo could not create an image surface")
            }
            do {
                defer { cairo_surface_destroy(surface) }
                try Self.check(surface)
                try Self.draw(document, on: surface, width: Double(width), height: Double(height), background: true)
                cairo_surface_flush(surface)
                try Self.check(surface)
            }
            return image
        }
        return body(image, &scratch)
    }

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
