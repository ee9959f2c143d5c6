import Foundation
import ZIPFoundation

/// Zips parts in memory with ZIPFoundation: XML deflated, PNG stored (already compressed), each
/// entry dated 1980-01-01 so that the same report gives the same bytes.
enum ZipWriter {
    /// The earliest date a ZIP entry can carry (DOS time), in UTC.
    static let entryDate = Date(timeIntervalSince1970: 315_532_800)

    static func zip(_ parts: [(path: String, bytes: [UInt8])]) throws(DocxError) -> [UInt8] {
        do {
            let archive = try Archive(data: Data(), accessMode: .create)
            for (path, bytes) in parts {
                let data = Data(bytes)
                try archive.addEntry(
                    with: path, type: .file, uncompressedSize: Int64(data.count), modificationDate: entryDate,
                    compressionMethod: path.hasSuffix(".png") ? .none : .deflate,
                    provider: { position, size in data.subdata(in: Int(position)..<min(Int(position) + size, data.count)) })
            }
            guard let data = archive.data else { throw DocxError(code: "zip", message: "the in-memory archive held no data") }
            return [UInt8](data)
        } catch let error as DocxError {
            throw error
        } catch {
            throw DocxError(code: "zip", message: "the report could not be zipped: \(type(of: error))")
        }
    }
}
