/// A small set of byte strings matched against fields without allocating or retaining anything
/// per comparison (the tokens live in one contiguous buffer).
struct TokenSet: Sendable {
    private var bytes: [UInt8] = []
    private var starts: [Int] = [0]
    /// Bit `k` set when some token has length `k` (lengths ≥ 63 share bit 63).
    private var lengths: UInt64 = 0

    init(_ tokens: [[UInt8]] = []) {
        for token in tokens { append(token) }
    }

    var count: Int { starts.count - 1 }

    mutating func append(_ token: [UInt8]) {
        bytes += token
        starts.append(bytes.count)
        lengths |= 1 << UInt64(min(token.count, 63))
    }

    /// The index of the token equal to `field`, if any.
    @inline(__always)
    func index(of field: UnsafeBufferPointer<UInt8>) -> Int? {
        let n = field.count
        guard lengths & (1 << UInt64(min(n, 63))) != 0 else { return nil }
        return bytes.withUnsafeBufferPointer { b in
            starts.withUnsafeBufferPointer { s in
                for k in 0..<(s.count - 1) where s[k + 1] - s[k] == n {
                    var equal = true
                    let base = s[k]
                    for j in 0..<n where b[base + j] != field[j] {
                        equal = false
                        break
                    }
                    if equal { return k }
                }
                return nil
            }
        }
    }

    func contains(_ field: UnsafeBufferPointer<UInt8>) -> Bool { index(of: field) != nil }
}
