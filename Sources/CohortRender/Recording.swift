import CRSVG
import Synchronization

/// A figure drawn once onto a cairo recording surface of `width` × `height` pixels, to be played
/// back onto bands of an image (``FigureRenderer/png(svg:dpi:scratch:)``); destroyed, on
/// ``RenderThread``, when the value goes.
///
/// Non-copyable so that exactly one owner destroys the surface, on every path. Used on
/// ``RenderThread`` only (the recording holds the fonts' glyphs, which cairo shares).
struct Recording: ~Copyable {
    let surface: OpaquePointer
    let width: Int
    let height: Int

    /// An empty recording of opaque content (`CAIRO_CONTENT_COLOR`) bounded to the image.
    init(width: Int, height: Int) throws(RenderError) {
        var extents = cairo_rectangle_t(x: 0, y: 0, width: Double(width), height: Double(height))
        guard let made = cairo_recording_surface_create(CAIRO_CONTENT_COLOR, &extents) else {
            throw RenderError(.cairo, "cairo could not create a recording surface")
        }
        let status = cairo_surface_status(made)
        guard status == CAIRO_STATUS_SUCCESS else {
            cairo_surface_destroy(made)
            throw RenderError(.cairo, CairoStatus.text(status))
        }
        surface = made
        self.width = width
        self.height = height
    }

    deinit {
        let surface = self.surface
        RenderThread.run { cairo_surface_destroy(surface) }
    }

    /// Plays the image's rows `top..<top + rows` back onto `pixels` (cairo `RGB24`, rows `stride`
    /// bytes apart), replacing every pixel there (the recording starts with an opaque background).
    func play(into pixels: UnsafeMutableRawPointer, rows: Int, stride: Int, top: Int) throws(RenderError) {
        try Self.play(surface, width: width, into: pixels, rows: rows, stride: stride, top: top)
    }

    /// ``play(into:rows:stride:top:)`` of the recording `surface`, `width` pixels wide.
    static func play(
        _ surface: OpaquePointer, width: Int, into pixels: UnsafeMutableRawPointer, rows: Int, stride: Int, top: Int
    ) throws(RenderError) {
        guard
            let target = cairo_image_surface_create_for_data(
                pixels.assumingMemoryBound(to: UInt8.self), CAIRO_FORMAT_RGB24, Int32(width), Int32(rows), Int32(stride))
        else {
            throw RenderError(.cairo, "cairo could not create an image surface")
        }
        defer { cairo_surface_destroy(target) }
        try Self.check(cairo_surface_status(target))
        guard let context = cairo_create(target) else { throw RenderError(.cairo, "cairo could not create a drawing context") }
        defer { cairo_destroy(context) }
        cairo_set_operator(context, CAIRO_OPERATOR_SOURCE)
        cairo_set_source_surface(context, surface, 0, -Double(top))
        cairo_paint(context)
        try Self.check(cairo_status(context))
        cairo_surface_flush(target)
        try Self.check(cairo_surface_status(target))
    }

    private static func check(_ status: cairo_status_t) throws(RenderError) {
        guard status == CAIRO_STATUS_SUCCESS else { throw RenderError(.cairo, CairoStatus.text(status)) }
    }
}

/// A recording's bands played back on the render thread while the caller encodes the one before
/// (``RenderThread/post(_:)``); the first error is kept for the caller to throw.
final class BandPlayback: Sendable {
    /// A pointer the posted body uses while the caller, which owns what it points to, waits for
    /// the body before it frees or reads it.
    private struct Shared<Pointer>: @unchecked Sendable {
        let pointer: Pointer
    }

    private let surface: Shared<OpaquePointer>
    private let width: Int
    private let stride: Int
    private let error = Mutex<RenderError?>(nil)

    init(surface: OpaquePointer, width: Int, stride: Int) {
        self.surface = Shared(pointer: surface)
        self.width = width
        self.stride = stride
    }

    /// The first playback's error, if one failed.
    var failure: RenderError? { error.withLock { $0 } }

    /// Plays the image's rows `top..<top + rows` back onto `pixels` in the render thread's turn.
    func post(into pixels: UnsafeMutableRawPointer, rows: Int, top: Int) -> RenderThread.Posted {
        let target = Shared(pointer: pixels)
        return RenderThread.post { [self] in
            do throws(RenderError) {
                try Recording.play(surface.pointer, width: width, into: target.pointer, rows: rows, stride: stride, top: top)
            } catch let failure {
                error.withLock { if $0 == nil { $0 = failure } }
            }
        }
    }
}
