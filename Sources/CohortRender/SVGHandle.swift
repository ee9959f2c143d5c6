import CRSVG

/// A parsed SVG document (an `RsvgHandle`), released when the value goes out of scope.
///
/// Non-copyable so that exactly one owner calls `g_object_unref`, on every path.
struct SVGHandle: ~Copyable {
    private let handle: UnsafeMutablePointer<RsvgHandle>
    /// The document's intrinsic size in CSS pixels (96 per inch).
    let width: Double
    let height: Double

    /// Parses `svg` with librsvg's default limits (no `RSVG_HANDLE_FLAG_UNLIMITED`).
    init(svg: String) throws(RenderError) {
        let bytes = Array(svg.utf8)
        guard !bytes.isEmpty else { throw RenderError(.unreadableSVG, "the SVG is empty") }
        var error: UnsafeMutablePointer<GError>?
        let parsed = bytes.withUnsafeBufferPointer { buffer in
            rsvg_handle_new_from_data(buffer.baseAddress, gsize(buffer.count), &error)
        }
        guard let parsed else {
            throw RenderError(.unreadableSVG, GErrorText.take(error, otherwise: "librsvg could not read the SVG"))
        }
        GErrorText.free(error)
        rsvg_handle_set_dpi(parsed, 96)
        var w = 0.0
        var h = 0.0
        guard rsvg_handle_get_intrinsic_size_in_pixels(parsed, &w, &h) != 0, w.isFinite, h.isFinite, w > 0, h > 0 else {
            g_object_unref(parsed)
            throw RenderError(.noSize, "the SVG has no width and height in absolute units")
        }
        handle = parsed
        width = w
        height = h
    }

    deinit { g_object_unref(handle) }

    /// Draws the whole document scaled to fit `width` × `height` user units of `context`.
    func render(on context: OpaquePointer, width: Double, height: Double) throws(RenderError) {
        var viewport = RsvgRectangle(x: 0, y: 0, width: width, height: height)
        var error: UnsafeMutablePointer<GError>?
        guard rsvg_handle_render_document(handle, context, &viewport, &error) != 0 else {
            throw RenderError(.drawing, GErrorText.take(error, otherwise: "librsvg could not draw the SVG"))
        }
        GErrorText.free(error)
        let status = cairo_status(context)
        guard status == CAIRO_STATUS_SUCCESS else { throw RenderError(.cairo, CairoStatus.text(status)) }
    }
}

/// GLib's `GError`, read and freed.
enum GErrorText {
    /// The error's message (or `otherwise` when there is none); frees the error.
    static func take(_ error: UnsafeMutablePointer<GError>?, otherwise: String) -> String {
        guard let error else { return otherwise }
        defer { g_error_free(error) }
        guard let message = error.pointee.message else { return otherwise }
        return String(cString: message)
    }

    static func free(_ error: UnsafeMutablePointer<GError>?) {
        if let error { g_error_free(error) }
    }
}

/// cairo's status codes as text.
enum CairoStatus {
    static func text(_ status: cairo_status_t) -> String {
        guard let text = cairo_status_to_string(status) else { return "cairo status \(status.rawValue)" }
        return String(cString: text)
    }
}
