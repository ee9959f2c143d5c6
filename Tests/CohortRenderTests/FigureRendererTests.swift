import CohortRender
import CohortReport
import Foundation
import Testing

/// PDF and PNG of SVG figures through librsvg and cairo: headers, sizes, errors, concurrency.
@Suite struct FigureRendererTests {
    /// A small figure of the project's own kind (written here rather than drawn by StepPlot, whose
    /// drawing changes), with text: text is what exercises fonts.
    static let svg = """
        <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 720.0 480.0" width="720.0" height="480.0" \
        font-family="\(FigureFont.family)" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <text x="70" y="22" font-size="14" font-weight="bold">Overall survival</text>
        <line x1="70" y1="40" x2="70" y2="400" stroke="black"/>
        <line x1="70" y1="400" x2="690" y2="400" stroke="black"/>
        <path d="M70,40 H200 V120 H400 V220 H690" fill="none" stroke="#0072B2" stroke-width="2"/>
        <text x="380" y="440" text-anchor="middle">Time (months)</text>
        <text x="62" y="44" text-anchor="end">1.0</text>
        </svg>
        """

    @Test func pdfIsAPDF() throws {
        let pdf = try FigureRenderer().pdf(svg: Self.svg)
        #expect(pdf.starts(with: Array("%PDF-".utf8)))
        #expect(pdf.suffix(8).contains(where: { $0 == UInt8(ascii: "F") }), "ends with %%EOF")
        let text = String(decoding: pdf, as: UTF8.self)
        #expect(text.contains("%%EOF"))
        // Vector, not an embedded raster: the page is the SVG's size in points (px × 72/96).
        let (width, height) = try SVGSize.of(Self.svg)
        #expect(text.contains("/MediaBox [ 0 0 \(PDFNumber.text(width * 0.75)) \(PDFNumber.text(height * 0.75)) ]"))
        #expect(!text.contains("/Subtype /Image"))
    }

    @Test func pdfIsTheSameEveryTimeButItsDateAndCarriesTheTitle() throws {
        let renderer = FigureRenderer()
        let first = try renderer.pdf(svg: Self.svg, title: "Overall survival")
        let second = try renderer.pdf(svg: Self.svg, title: "Overall survival")
        #expect(PDFText.undated(first) == PDFText.undated(second))
        let text = String(decoding: first, as: UTF8.self)
        #expect(text.contains("/Title (Overall survival)"))
        #expect(text.contains("/Creator (cohortd)"))
        #expect(text.contains("/CreationDate (D:20"), "a PDF date, D:YYYYMMDDHHmmSS")
    }

    @Test(arguments: [300.0, 96, 150])
    func pngHasTheSignatureAndTheScaledSize(dpi: Double) throws {
        let png = try FigureRenderer().png(svg: Self.svg, dpi: dpi)
        #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        let header = try PNGHeader(png)
        let (width, height) = try SVGSize.of(Self.svg)
        #expect(header.width == Int((width * dpi / 96).rounded()))
        #expect(header.height == Int((height * dpi / 96).rounded()))
        #expect(header.colourType == 2, "opaque RGB, no alpha")
        #expect(header.pixelsPerMetre == Int((dpi / 0.0254).rounded()))
    }

    @Test func pngOfAnOddSizeRoundsToTheNearestPixel() throws {
        let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"100.3\" height=\"50.2\"><rect width=\"10\" height=\"10\"/></svg>"
        let header = try PNGHeader(try FigureRenderer().png(svg: svg))
        #expect(header.width == 313)  // 100.3 × 300/96 = 313.4
        #expect(header.height == 157)  // 50.2 × 300/96 = 156.9
    }

    @Test func pngPixelsAreWhereTheSVGDrawsThem() throws {
        // A black square over the left half of a 96 × 48 figure, nothing on the right: decoded
        // again (by cairo's PNG reader), black on the left, the white background on the right.
        let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"96\" height=\"48\"><rect width=\"48\" height=\"48\" fill=\"#000\"/></svg>"
        let image = try DecodedPNG(try FigureRenderer().png(svg: svg))
        #expect(image.width == 300 && image.height == 150)
        #expect(image.rgb(x: 10, y: 75) == [0, 0, 0])
        #expect(image.rgb(x: 140, y: 10) == [0, 0, 0])
        #expect(image.rgb(x: 160, y: 75) == [255, 255, 255])
        #expect(image.rgb(x: 290, y: 140) == [255, 255, 255])
    }

    @Test func pngTextIsDrawnInDejaVuSans() throws {
        // Text in the figures' font family is drawn (some pixels of the title's band are dark):
        // a missing font would still draw, in a fallback, so this checks the text is not lost.
        let image = try DecodedPNG(try FigureRenderer().png(svg: Self.svg))
        let dark = (0..<image.width).filter { x in (60..<95).contains { y in image.rgb(x: x, y: y)[0] < 100 } }
        #expect(dark.count > 50)
    }

    @Test(arguments: [
        "", "not xml at all", "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"><rect></svg>",
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"", "<html><body/></html>",
    ])
    func malformedSVGIsAnError(svg: String) {
        #expect(throws: RenderError.self) { try FigureRenderer().pdf(svg: svg) }
        #expect(throws: RenderError.self) { try FigureRenderer().png(svg: svg) }
    }

    @Test func svgWithoutASizeIsANoSizeError() {
        let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"100%\" height=\"100%\"><rect width=\"10\" height=\"10\"/></svg>"
        #expect {
            try FigureRenderer().png(svg: svg)
        } throws: { error in
            (error as? RenderError)?.code == .noSize
        }
    }

    @Test func tooLargeAndNonPositiveDPIAreErrors() {
        #expect(throws: RenderError.self) { try FigureRenderer().png(svg: Self.svg, dpi: 0) }
        #expect(throws: RenderError.self) { try FigureRenderer().png(svg: Self.svg, dpi: .nan) }
        #expect(throws: RenderError.self) { try FigureRenderer().png(svg: Self.svg, dpi: 96 * 100) }
    }

    /// Many tasks at once give the same bytes as one at a time (and do not crash).
    @Test func concurrentRenderingGivesTheSameBytes() async throws {
        let renderer = FigureRenderer()
        let png = try renderer.png(svg: Self.svg, dpi: 72)
        let pdf = try renderer.pdf(svg: Self.svg)
        let outputs = try await withThrowingTaskGroup(of: ([UInt8], [UInt8]).self) { group in
            for _ in 0..<8 {
                group.addTask {
                    (try renderer.png(svg: Self.svg, dpi: 72), try renderer.pdf(svg: Self.svg))
                }
            }
            var all: [([UInt8], [UInt8])] = []
            for try await output in group { all.append(output) }
            return all
        }
        #expect(outputs.count == 8)
        for (p, d) in outputs {
            #expect(p == png)
            #expect(PDFText.undated(d) == PDFText.undated(pdf))
        }
    }

    /// The warm-up `cohortd analyze` starts while it reads may run beside figures being drawn:
    /// they come out as they do alone.
    @Test func warmingUpBesideRendersLeavesThemAsTheyAre() async throws {
        let renderer = FigureRenderer()
        let alone = try renderer.png(svg: Self.svg, dpi: 96)
        let drawn = await withTaskGroup(of: [UInt8]?.self) { group in
            for k in 0..<6 {
                group.addTask {
                    guard k % 2 == 1 else {
                        renderer.warmUp()
                        return nil
                    }
                    return try? renderer.png(svg: Self.svg, dpi: 96)
                }
            }
            var all: [[UInt8]] = []
            for await bytes in group { if let bytes { all.append(bytes) } }
            return all
        }
        #expect(drawn.count == 3)
        #expect(drawn.allSatisfy { $0 == alone })
    }
}
