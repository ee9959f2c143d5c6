import CRSVG
import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

struct TestFailure: Error, CustomStringConvertible {
    var description: String
}

/// The width and height attributes of an SVG's root element, read with Foundation's XMLParser.
enum SVGSize {
    static func of(_ svg: String) throws -> (width: Double, height: Double) {
        let parser = XMLParser(data: Data(svg.utf8))
        let delegate = RootAttributes()
        parser.delegate = delegate
        guard parser.parse(), let w = delegate.attributes["width"].flatMap(Double.init), let h = delegate.attributes["height"].flatMap(Double.init)
        else { throw TestFailure(description: "the SVG has no numeric width and height") }
        return (w, h)
    }

    private final class RootAttributes: NSObject, XMLParserDelegate {
        var attributes: [String: String] = [:]
        private var seenRoot = false
        func parser(
            _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
            attributes attributeDict: [String: String] = [:]
        ) {
            if !seenRoot { attributes = attributeDict }
            seenRoot = true
        }
    }
}

/// A PNG's IHDR (width, height, colour type) and pHYs (pixels per metre), read from the bytes.
struct PNGHeader {
    var width: Int
    var height: Int
    var colourType: Int
    var pixelsPerMetre: Int?

    init(_ png: [UInt8]) throws {
        guard png.count > 33, Array(png[12..<16]) == Array("IHDR".utf8) else { throw TestFailure(description: "no IHDR chunk") }
        func u32(_ at: Int) -> Int { png[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
        width = u32(16)
        height = u32(20)
        colourType = Int(png[25])
        var offset = 8
        pixelsPerMetre = nil
        while offset + 8 <= png.count {
            let length = u32(offset)
            if Array(png[offset + 4..<offset + 8]) == Array("pHYs".utf8) { pixelsPerMetre = u32(offset + 8) }
            offset += 12 + length
        }
    }
}

/// Numbers as cairo writes them in a PDF (up to 6 decimals, trailing zeros dropped).
enum PDFNumber {
    static func text(_ value: Double) -> String {
        var s = String(format: "%.6f", value)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s
    }
}

/// A PNG decoded by cairo's own reader, to look at its pixels.
struct DecodedPNG {
    var width: Int
    var height: Int
    /// RGB24 pixels as cairo stores them: 4 bytes each (B, G, R, unused on little-endian).
    private var pixels: [UInt8]
    private var stride: Int

    init(_ png: [UInt8]) throws {
        var reader = (bytes: png, offset: 0)
        let surface = withUnsafeMutablePointer(to: &reader) { pointer in
            cairo_image_surface_create_from_png_stream(
                { closure, data, length in
                    guard let closure, let data else { return CAIRO_STATUS_READ_ERROR }
                    let reader = closure.assumingMemoryBound(to: (bytes: [UInt8], offset: Int).self)
                    let count = Int(length)
                    guard reader.pointee.offset + count <= reader.pointee.bytes.count else { return CAIRO_STATUS_READ_ERROR }
                    for i in 0..<count { data[i] = reader.pointee.bytes[reader.pointee.offset + i] }
                    reader.pointee.offset += count
                    return CAIRO_STATUS_SUCCESS
                }, pointer)
        }
        guard let surface else { throw TestFailure(description: "cairo returned no surface") }
        defer { cairo_surface_destroy(surface) }
        guard cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS, let data = cairo_image_surface_get_data(surface) else {
            throw TestFailure(description: "cairo could not read the PNG")
        }
        width = Int(cairo_image_surface_get_width(surface))
        height = Int(cairo_image_surface_get_height(surface))
        stride = Int(cairo_image_surface_get_stride(surface))
        pixels = Array(UnsafeBufferPointer(start: data, count: stride * height))
    }

    func rgb(x: Int, y: Int) -> [UInt8] {
        let at = y * stride + x * 4
        return [pixels[at + 2], pixels[at + 1], pixels[at]]
    }
}

/// A PDF's bytes as text with its CreationDate entry blanked (it is the time of rendering).
enum PDFText {
    static func undated(_ pdf: [UInt8]) -> String {
        String(decoding: pdf, as: UTF8.self).replacingOccurrences(
            of: "/CreationDate \\(D:[0-9]{14}[^)]*\\)", with: "/CreationDate ()", options: .regularExpression)
    }
}
