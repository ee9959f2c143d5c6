/// A category column's known values (up to ``maximumKeys`` ``FieldKey``s) looked up in one step: a
/// multiplicative hash chosen so that no two of the keys share a slot, then one comparison.
///
/// The values of a column come in no predictable order, so a search that compares key after key
/// mispredicts a branch on most fields; here the only data-dependent part is the slot's index,
/// and the comparison after it almost always succeeds.
///
/// Requirements: ``index(of:)`` returns `k` for the key at position `k` of the keys the lookup
/// was made from, and `nil` for any other key; a lookup is made for at most ``maximumKeys``
/// distinct keys of at most 16 bytes, or not at all (`nil` from the initialiser, as when no
/// multiplier in its list separates the keys).
struct KeyLookup {
    /// A key no field has (a length below zero) in the empty slots.
    private static let empty = FieldKey(length: -1, low: 0, high: 0)
    static let maximumKeys = 24
    /// Odd multipliers tried in turn (the first is 2^64 / φ; the others are as arbitrary).
    private static let multipliers: [UInt64] = [
        0x9E37_79B9_7F4A_7C15, 0xC2B2_AE3D_27D4_EB4F, 0x1656_67B1_9E37_79F9, 0xD6E8_FEB8_6659_FD93,
        0xFF51_AFD7_ED55_8CCD, 0xC4CE_B9FE_1A85_EC53, 0x8796_4F9F_3B23_D3C5, 0x2545_F491_4F6C_DD1D,
    ]

    private var slots: [FieldKey]
    private var codes: [Int32]
    private let multiplier: UInt64
    private let shift: UInt64

    /// A lookup of `keys` (distinct, each at most 16 bytes), or `nil` when there are too many or
    /// no multiplier separates them.
    init?(_ keys: [FieldKey]) {
        guard keys.count <= Self.maximumKeys, keys.allSatisfy({ $0.length >= 0 && $0.length <= 16 }) else { return nil }
        // Slots: at least twice the keys, up to 16 times when the multipliers do not separate them.
        var bits = 1
        while 1 << bits < 2 * Swift.max(1, keys.count) { bits += 1 }
        for extra in 0..<4 {
            let shift = UInt64(64 - (bits + extra))
            for multiplier in Self.multipliers {
                var slots = [FieldKey](repeating: Self.empty, count: 1 << (bits + extra))
                var codes = [Int32](repeating: -1, count: slots.count)
                var separated = true
                for (k, key) in keys.enumerated() {
                    let slot = Int((Self.mix(key) &* multiplier) >> shift)
                    if slots[slot].length >= 0 {
                        separated = false
                        break
                    }
                    slots[slot] = key
                    codes[slot] = Int32(k)
                }
                if separated {
                    self.slots = slots
                    self.codes = codes
                    self.multiplier = multiplier
                    self.shift = shift
                    return
                }
            }
        }
        return nil
    }

    /// The key's words and length folded into one (equal keys, equal words).
    @inline(__always)
    private static func mix(_ key: FieldKey) -> UInt64 {
        key.low ^ (key.high &* 0x9E37_79B9_7F4A_7C15) ^ (UInt64(truncatingIfNeeded: key.length) << 56)
    }

    /// The position of `key` among the keys the lookup was made from, if it is one of them.
    @inline(__always)
    func index(of key: FieldKey) -> Int32? {
        let slot = Int(truncatingIfNeeded: (Self.mix(key) &* multiplier) >> shift)
        return slots.withUnsafeBufferPointer { slots in
            slots[slot] == key ? codes.withUnsafeBufferPointer { $0[slot] } : nil
        }
    }
}
