import Synchronization

/// The one lock every call into librsvg and cairo takes.
///
/// librsvg and cairo are not safe to call from several threads at once for documents with text:
/// cairo's FreeType backend shares a font face between scaled fonts, and concurrent glyph loading
/// (`_cairo_ft_scaled_glyph_load_glyph`, under `rsvg_handle_render_document`) has been seen to
/// crash. Swift tasks run on a thread pool, so ``FigureRenderer`` serialises parsing and drawing
/// through this lock; figures of one run, or of runs side by side, are rendered one at a time.
enum RenderLock {
    private static let mutex = Mutex(())

    /// Runs `body` while holding the lock, with the figures' fonts configured (``FigureFonts``)
    /// before librsvg first needs them.
    static func withLock<T>(_ body: () throws(RenderError) -> T) throws(RenderError) -> T {
        try mutex.withLock { _ throws(RenderError) -> T in
            FigureFonts.install()
            return try body()
        }
    }
}
