import CohortIngest
import CohortJSON
import CohortStore
import Foundation
import SystemPackage

/// Text printed to a terminal: control characters (escape sequences that could clear the screen
/// or move the cursor) are written as `\xNN`, as ``EscapedName`` does for file names.
enum Terminal {
    static func safe(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) {
                out += "\\x" + String(scalar.value, radix: 16).leftPadded(2)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

/// Reads a failure's message from its error file (`--show-values`): the store holds only the
/// kind, line and column.
enum FailureMessages {
    static func message(of input: Store.Input, layout: DaemonLayout) -> String? {
        guard let path = EscapedName.path(of: input.name) else { return nil }
        let stored = StoredName(runID: input.runID, relativePath: path)
        let file = layout.failed + "/" + String(decoding: stored.errorFileName.bytes, as: UTF8.self)
        guard let bytes = FileManager.default.contents(atPath: file), let document = try? JSONParser.parse(Array(bytes)),
            case .object(let fields) = document, let error = fields.first(where: { $0.key == "error" })?.value,
            case .object(let errorFields) = error, case .string(let message) = errorFields.first(where: { $0.key == "message" })?.value
        else { return nil }
        return message
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
