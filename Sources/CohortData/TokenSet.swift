/// A small set of byte strings matched against fields without allocating or retaining anything
/// per comparison (the tokens live in one contiguous buffer).
struct TokenSet: Sendable {
    private var bytes: [UInt8] = []
    private var starts: [Int] = [0]
    /// Bit `k` set when some token has length `k` (lengths ≥ 63 share bit 63).
    private var lengths: UInt64 = 0
    /// For each first byte, the tokens that start with it (bit k = token k, first 64 tokens).
    private var byFirstByte = [UInt64](repeating: 0, count: 256)
    /// Whether the empty string is a token.
    private var hasEmpty = false

    init(_ tokens: [[UInt8]] = []) {
        for token in tokens { append(token) }
    }

    var count: Int { starts.count - 1 }

    mutating func append(_ token: [UInt8]) {
        let k = count
        bytes += token
        starts.append(bytes.count)
        lengths |= 1 << UInt64(min(token.count, 63))
        if let first = token.first {
            if k < 64 { byFirstByte[Int(first)] |= 1 << UInt64(k) }
        } else {
            hasEmpty = true
        }
    }

    /// The index of the token equal to `field`, if any.
    @inline(__always)
    func index(of field: UnsafeBufferPointer<UInt8>) -> Int? {
        let n = field.count
        guard lengths & (1 << UInt64(min(n, 63))) != 0 else { return nil }
        if n == 0 {
            return hasEmpty ? emptyIndex() : nil
        }
        return bytes.withUnsafeBufferPointer { b in
            starts.withUnsafeBufferPointer { s in
                func matches(_ k: Int) -> Bool {
                    let base = s[k]
                    guard s[k + 1] - base == n else { return false }
                    for j in 0..<n where b[base + j] != field[j] { return false }
                    return true
                }
                guard count <= 64 else {
                    for k in 0..<count where matches(k) { return k }
                    return nil
                }
                // Only tokens with the same first byte (one bit per candidate).
                var candidates = byFirstByte[Int(field[0])]
                while candidates != 0 {
                    let k = candidates.trailingZeroBitCount
                    candidates &= candidates - 1
                    if matches(k) { return k }
                }
                return nil
            }
        }
    }

    private func emptyIndex() -> Int? {
        for k in 0..<count where starts[k + 1] == starts[k] { return k }
        return nil
    }

    func contains(_ field: UnsafeBufferPointer<UInt8>) -> Bool { index(of: field) != nil }
}
