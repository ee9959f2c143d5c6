import CRSVG

/// cairo's stream output (`cairo_write_func_t`) collected into a byte array.
enum ByteStream {
    /// Calls `body` with a write function and its closure pointer, which append to the returned
    /// bytes; the stream is valid only inside `body` (finish the surface there).
    static func collect(_ body: (cairo_write_func_t, UnsafeMutableRawPointer) throws(RenderError) -> Void) throws(RenderError) -> [UInt8] {
        var bytes: [UInt8] = []
        try withUnsafeMutablePointer(to: &bytes) { pointer throws(RenderError) in
            try body(append, UnsafeMutableRawPointer(pointer))
        }
        return bytes
    }

    /// Appends `length` bytes at `data` to the `[UInt8]` that `closure` points to.
    private static let append: cairo_write_func_t = { closure, data, length in
        guard let closure else { return CAIRO_STATUS_WRITE_ERROR }
        let bytes = closure.assumingMemoryBound(to: [UInt8].self)
        if let data, length > 0 { bytes.pointee.append(contentsOf: UnsafeBufferPointer(start: data, count: Int(length))) }
        return CAIRO_STATUS_SUCCESS
    }
}
