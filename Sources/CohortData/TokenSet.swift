/// A field's bytes packed for comparison: its length and its first 16 bytes as two words
/// (zero beyond the field's end). Two fields of at most 16 bytes are equal exactly when their
/// keys are; longer ones also compare the rest.
struct FieldKey: Hashable {
    var length: Int
    var low: UInt64
    var high: UInt64

    init(length: Int, low: UInt64, high: UInt64) {
        self.length = length
        self.low = low
        self.high = high
    }

    /// The key of `count` bytes at `start`. Reads whole words when 16 bytes lie before `limit`
    /// (the end of the readable buffer), byte by byte otherwise.
    @inline(__always)
    init(_ start: UnsafePointer<UInt8>, count: Int, limit: UnsafePointer<UInt8>) {
        self = limit - start >= 16 ? Self.words(start, count: count) : FieldKey(near: start, count: count)
    }

    /// The key from two whole-word loads (16 readable bytes at `start`).
    @inline(__always)
    static func words(_ start: UnsafePointer<UInt8>, count: Int) -> FieldKey {
        let raw = UnsafeRawPointer(start)
        let a = raw.loadUnaligned(as: UInt64.self)
        let b = raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
        // Masks keep the field's bytes (count < 8: low bytes of a; 8...15: all of a, low bytes of b).
        // Smart shifts (a shift by 64 gives 0) and clamps, without a branch on the length: the
        // values of a column come in lengths in no predictable order.
        let lowBytes = UInt64(Swift.min(Swift.max(count, 0), 8))
        let highBytes = UInt64(Swift.min(Swift.max(count - 8, 0), 8))
        let lowMask = ~UInt64(0) >> (64 - 8 * lowBytes)
        let highMask = ~UInt64(0) >> (64 - 8 * highBytes)
        return FieldKey(length: count, low: a & lowMask, high: b & highMask)
    }

    /// The key of a field near the end of the buffer, byte by byte.
    @inline(never)
    private init(near start: UnsafePointer<UInt8>, count: Int) {
        length = count
        low = 0
        high = 0
        for k in 0..<min(count, 16) {
            if k < 8 { low |= UInt64(start[k]) << UInt64(8 * k) } else { high |= UInt64(start[k]) << UInt64(8 * (k - 8)) }
        }
    }

    init(_ bytes: [UInt8]) {
        length = bytes.count
        low = 0
        high = 0
        for (k, byte) in bytes.prefix(16).enumerated() {
            if k < 8 { low |= UInt64(byte) << UInt64(8 * k) } else { high |= UInt64(byte) << UInt64(8 * (k - 8)) }
        }
    }
}

/// The cheap first test of a ``TokenSet``: the tokens' lengths and first bytes as bit sets, copied
/// into a decoding loop's locals so that most fields are ruled out without a call.
struct TokenFilter {
    /// Bit `k` set when some token has length `k` (lengths ≥ 63 share bit 63).
    var lengths: UInt64 = 0
    /// Bit `b` set when some token starts with byte `b`, as four words.
    var firstBytes: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    var hasEmpty = false

    /// Whether some token has this length and first byte (no false negatives).
    @inline(__always)
    func mayMatch(_ start: UnsafePointer<UInt8>, count: Int) -> Bool {
        guard lengths & (1 << UInt64(min(count, 63))) != 0 else { return false }
        guard count > 0 else { return hasEmpty }
        let first = start.pointee
        let word: UInt64
        switch first >> 6 {
        case 0: word = firstBytes.0
        case 1: word = firstBytes.1
        case 2: word = firstBytes.2
        default: word = firstBytes.3
        }
        return word & (UInt64(1) << UInt64(first & 63)) != 0
    }

    mutating func add(_ token: [UInt8]) {
        lengths |= 1 << UInt64(min(token.count, 63))
        guard let first = token.first else {
            hasEmpty = true
            return
        }
        let bit = UInt64(1) << UInt64(first & 63)
        switch first >> 6 {
        case 0: firstBytes.0 |= bit
        case 1: firstBytes.1 |= bit
        case 2: firstBytes.2 |= bit
        default: firstBytes.3 |= bit
        }
    }
}

/// A small set of byte strings (missing tokens, category values, boolean words) matched against
/// fields without allocating: each field is compared as two words and a length.
struct TokenSet: Sendable {
    private var keys: [FieldKey] = []
    private var tokens: [[UInt8]] = []
    /// The lengths and first bytes of the tokens.
    private(set) var filter = TokenFilter()
    /// Beyond this many tokens a hash table is used.
    private static let linearLimit = 24
    private var table: [FieldKey: [Int]] = [:]

    init(_ tokens: [[UInt8]] = []) {
        for token in tokens { append(token) }
    }

    var count: Int { tokens.count }

    mutating func append(_ token: [UInt8]) {
        let key = FieldKey(token)
        keys.append(key)
        tokens.append(token)
        filter.add(token)
        // The hash table is kept only for large sets (categories with many levels).
        if tokens.count > Self.linearLimit {
            if table.isEmpty {
                for (k, existing) in keys.enumerated() { table[existing, default: []].append(k) }
            } else {
                table[key, default: []].append(tokens.count - 1)
            }
        }
    }

    /// Whether some token has this length and first byte (a cheap first test, no false negatives).
    @inline(__always)
    func mayContain(_ start: UnsafePointer<UInt8>, count: Int) -> Bool { filter.mayMatch(start, count: count) }

    /// The index of the token equal to the field at `start`, if any.
    @inline(__always)
    func index(of key: FieldKey, _ start: UnsafePointer<UInt8>) -> Int? {
        guard mayContain(start, count: key.length) else { return nil }
        if keys.count <= Self.linearLimit {
            return keys.withUnsafeBufferPointer { keys in
                for k in keys.indices where keys[k] == key {
                    if key.length <= 16 || rest(k, equals: start) { return k }
                }
                return nil
            }
        }
        for k in table[key] ?? [] where key.length <= 16 || rest(k, equals: start) { return k }
        return nil
    }

    /// Whether the `count` bytes at `start` (readable up to `limit`) are one of the tokens.
    @inline(__always)
    func contains(_ start: UnsafePointer<UInt8>, count: Int, limit: UnsafePointer<UInt8>) -> Bool {
        mayContain(start, count: count) && index(of: FieldKey(start, count: count, limit: limit), start) != nil
    }

    private func rest(_ k: Int, equals start: UnsafePointer<UInt8>) -> Bool {
        let token = tokens[k]
        for j in 16..<token.count where token[j] != start[j] { return false }
        return true
    }
}
