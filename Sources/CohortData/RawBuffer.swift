/// Growable storage for plain values outside Swift's copy-on-write arrays, so that the CSV parse
/// loop appends without reference counting or uniqueness checks.
///
/// A `RawBuffer` is a view of memory it does not own automatically: copies share the storage, and
/// exactly one owner calls ``free()`` once, after which no copy may be used.
struct RawBuffer<Element: BitwiseCopyable> {
    private(set) var base: UnsafeMutablePointer<Element>
    private(set) var count = 0
    private(set) var capacity: Int

    /// Reserves room for `capacity` elements (0 allocates on the first append).
    init(capacity: Int) {
        self.capacity = max(0, capacity)
        base = .allocate(capacity: max(1, self.capacity))
    }

    @inline(__always)
    mutating func append(_ value: Element) {
        if count == capacity { grow() }
        (base + count).initialize(to: value)
        count += 1
    }

    /// Room for `n` more elements, written at ``end`` and then committed with ``didAppend(_:)``.
    mutating func reserve(_ n: Int) {
        if capacity - count < n { grow(toAtLeast: count + n) }
    }

    /// Where the next element goes.
    var end: UnsafeMutablePointer<Element> { base + count }

    /// Counts `n` elements written at ``end`` (within a ``reserve(_:)``).
    mutating func didAppend(_ n: Int) {
        precondition(count + n <= capacity)
        count += n
    }

    private mutating func grow(toAtLeast minimum: Int = 0) {
        let bigger = max(16, capacity * 2, minimum)
        let storage = UnsafeMutablePointer<Element>.allocate(capacity: bigger)
        storage.moveInitialize(from: base, count: count)
        base.deallocate()
        base = storage
        capacity = bigger
    }

    var elements: UnsafeBufferPointer<Element> { UnsafeBufferPointer(start: base, count: count) }

    /// Releases the storage; the buffer (and every copy) must not be used afterwards.
    func free() { base.deallocate() }
}

extension Array where Element: BitwiseCopyable {
    /// One array holding the parts' elements in order (a single allocation and copy per part).
    init(concatenating parts: [UnsafeBufferPointer<Element>]) {
        let total = parts.reduce(0) { $0 + $1.count }
        self.init(unsafeUninitializedCapacity: total) { buffer, initialized in
            var offset = 0
            for part in parts {
                guard let source = part.baseAddress, let target = buffer.baseAddress else { continue }
                (target + offset).initialize(from: source, count: part.count)
                offset += part.count
            }
            initialized = offset
        }
    }
}
