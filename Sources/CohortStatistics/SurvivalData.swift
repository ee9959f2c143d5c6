/// Right-censored survival data: one follow-up time and one event indicator per subject.
///
/// Construction validates every observation, so the estimators that take a `SurvivalData`
/// never meet a negative or non-finite time, or an event code other than 0/1.
public struct SurvivalData: Sendable, Hashable {
    /// Follow-up times, finite and not negative.
    public let time: [Double]
    /// `true` for an event (death), `false` for a censored observation.
    public let event: [Bool]
    /// The permutation sorting subjects by time, events first at equal times (computed once,
    /// shared by every estimator that needs time order).
    let order: [Int32]
    /// Times and events in that order (gathered once, so estimators read them sequentially).
    let sortedTime: [Double]
    let sortedEvent: [Bool]
    /// When the times were sorted by counting: each subject's distinct time, as an index into a
    /// hash table of the distinct (time, event) keys, and for each entry of that table the index
    /// of its time among the distinct times (ascending) × 2, + 1 for a censoring (−1: unused).
    /// What ``groupTimeTable(bytes:count:)`` counts subjects by, in input order, without the
    /// time order's gather (2 bytes a subject).
    let timeSlots: TimeSlots?

    struct TimeSlots: Sendable, Hashable {
        var slots: [UInt16]
        var cell: [Int32]
        var times: [Double]
    }

    /// The number of subjects.
    public var count: Int { time.count }
    /// The number of events.
    public var eventCount: Int { event.reduce(0) { $0 + ($1 ? 1 : 0) } }

    /// Validates times and takes event flags as given.
    ///
    /// - Throws: ``StatisticsError`` `length_mismatch`, or `invalid_time` naming the first
    ///   negative, infinite or NaN time and its position (1-based).
    public init(time: [Double], event: [Bool]) throws {
        guard time.count == event.count else {
            throw StatisticsError(.lengthMismatch, "\(time.count) times but \(event.count) event indicators")
        }
        if let i = time.firstIndex(where: { !($0 >= 0 && $0.isFinite) }) {
            throw StatisticsError(
                .invalidTime,
                "follow-up time \(time[i]) of observation \(i + 1) is not a finite, non-negative number")
        }
        // Normalise -0.0 so that time keys sort and compare consistently.
        let normalised = time.contains(where: { $0 == 0 && $0.sign == .minus }) ? time.map { $0 == 0 ? 0 : $0 } : time
        self.time = normalised
        self.event = event
        (order, sortedTime, sortedEvent, timeSlots) = Self.timeOrder(time: normalised, event: event)
    }

    /// Validates times and numeric event codes (1 = event, 0 = censored).
    ///
    /// - Throws: ``StatisticsError`` `invalid_event` naming the first code that is not 0 or 1.
    public init(time: [Double], event: [Double]) throws {
        if let i = event.firstIndex(where: { $0 != 0 && $0 != 1 }) {
            throw StatisticsError(
                .invalidEvent,
                "event code \(event[i]) of observation \(i + 1) is neither 1 (event) nor 0 (censored)")
        }
        try self.init(time: time, event: event.map { $0 == 1 })
    }

    /// The subjects in time order, events before censorings at equal times.
    public func sorted() -> SortedSurvival {
        SortedSurvival(time: sortedTime, event: sortedEvent)
    }

    /// Each subject's code in time order (`codes[order[k]]`).
    func inTimeOrder(_ codes: [Int32]) -> [Int32] {
        codes.withUnsafeBufferPointer { c in order.map { c[Int($0)] } }
    }

    /// The subjects of each group in time order. `group[i]` is a code in `0..<groupCount`, or
    /// negative when subject `i` belongs to no group (it is left out).
    ///
    /// - Throws: `length_mismatch`, or `invalid_parameter` for a code ≥ `groupCount`.
    public func sorted(byGroup group: [Int32], groupCount: Int) throws -> [SortedSurvival] {
        sorted(by: try assign(group, count: groupCount))
    }

    /// Group codes checked once and put in time order, to be shared by several estimators
    /// (a log-rank test and the per-group curves of the same grouping).
    public struct GroupAssignment: Sendable, Hashable {
        /// The number of groups (codes are `0..<count`).
        public let count: Int
        /// Each subject's code in time order; negative = in no group.
        let timeOrdered: [Int32]
    }

    /// Assigns subjects to groups: `codes[i]` in `0..<count`, or negative to leave subject `i` out.
    ///
    /// - Throws: `length_mismatch`, or `invalid_parameter` for a code ≥ `count`.
    public func assign(_ codes: [Int32], count groupCount: Int) throws -> GroupAssignment {
        try Self.checkGroups(codes, count: count, groupCount: groupCount)
        return GroupAssignment(count: groupCount, timeOrdered: inTimeOrder(codes))
    }

    /// The same from one byte per subject (a category column's narrow storage): `codes[i]` in
    /// `0..<count`, or 255 to leave subject `i` out. Gathered in time order, the bytes are a
    /// quarter of the memory `Int32` codes take: at ten million subjects 10 MB, which the
    /// processor's cache holds, where 40 MB of codes read in random order miss it.
    ///
    /// - Throws: `length_mismatch`, or `invalid_parameter` for a code ≥ `count` (other than 255).
    public func assign(bytes codes: [UInt8], count groupCount: Int) throws -> GroupAssignment {
        guard codes.count == count else {
            throw StatisticsError(.lengthMismatch, "\(count) subjects but \(codes.count) group codes")
        }
        if let i = codes.firstIndex(where: { $0 != .max && Int($0) >= groupCount }) {
            throw StatisticsError(
                .invalidParameter,
                "group code \(codes[i]) of observation \(i + 1) is not below the number of groups (\(groupCount))")
        }
        let timeOrdered = codes.withUnsafeBufferPointer { c in order.map { k in c[Int(k)] == .max ? Int32(-1) : Int32(c[Int(k)]) } }
        return GroupAssignment(count: groupCount, timeOrdered: timeOrdered)
    }

    /// The subjects of each group in time order.
    public func sorted(by assignment: GroupAssignment) -> [SortedSurvival] {
        let groupCount = assignment.count
        var sizes = [Int](repeating: 0, count: groupCount)
        for g in assignment.timeOrdered where g >= 0 { sizes[Int(g)] += 1 }
        // Counting sort by group into flat buffers (stable, so each group stays in time order).
        var offsets = [Int](repeating: 0, count: groupCount + 1)
        for g in 0..<groupCount { offsets[g + 1] = offsets[g] + sizes[g] }
        let total = offsets[groupCount]
        var flatTime = [Double](repeating: 0, count: total)
        var flatEvent = [Bool](repeating: false, count: total)
        var next = Array(offsets.dropLast())
        assignment.timeOrdered.withUnsafeBufferPointer { c in
            sortedTime.withUnsafeBufferPointer { t in
                sortedEvent.withUnsafeBufferPointer { e in
                    flatTime.withUnsafeMutableBufferPointer { ft in
                        flatEvent.withUnsafeMutableBufferPointer { fe in
                            next.withUnsafeMutableBufferPointer { nx in
                                for k in 0..<c.count {
                                    let g = Int(c[k])
                                    if g < 0 { continue }
                                    let at = nx[g]
                                    ft[at] = t[k]
                                    fe[at] = e[k]
                                    nx[g] = at &+ 1
                                }
                            }
                        }
                    }
                }
            }
        }
        return (0..<groupCount).map { g in
            SortedSurvival(time: Array(flatTime[offsets[g]..<offsets[g + 1]]), event: Array(flatEvent[offsets[g]..<offsets[g + 1]]))
        }
    }

    /// Each group's distinct times in ascending order, with the group's events and censorings at
    /// each: all a Kaplan–Meier curve per group needs (a ``KaplanMeier`` is made from them),
    /// counted in one pass over the time-ordered subjects, without copying any group's subjects.
    public func timeCounts(by assignment: GroupAssignment) -> [[TimeCount]] {
        var counts = [[TimeCount]](repeating: [], count: assignment.count)
        assignment.timeOrdered.withUnsafeBufferPointer { c in
            sortedTime.withUnsafeBufferPointer { t in
                sortedEvent.withUnsafeBufferPointer { e in
                    for k in 0..<c.count {
                        let g = Int(c[k])
                        if g < 0 { continue }
                        let time = t[k]
                        if let last = counts[g].indices.last, counts[g][last].time == time {
                            if e[k] { counts[g][last].events += 1 } else { counts[g][last].censored += 1 }
                        } else {
                            counts[g].append(TimeCount(time: time, events: e[k] ? 1 : 0, censored: e[k] ? 0 : 1))
                        }
                    }
                }
            }
        }
        return counts
    }

    /// The permutation sorting subjects by time, events first at equal times. Follow-up times
    /// usually take few distinct values (months to one decimal): then the keys are counted as they
    /// are computed, and no array of keys is made.
    static func sortOrder(time: [Double], event: [Bool]) -> [Int32] {
        timeOrder(time: time, event: event).order
    }

    typealias TimeOrder = (order: [Int32], time: [Double], event: [Bool], slots: TimeSlots?)

    /// The time order (``sortOrder(time:event:)``) and the times and events in it. When the keys
    /// were counted, the sorted times and events are written from the distinct keys' runs (each
    /// key holds its time and event), not gathered through the permutation: at ten million
    /// subjects that is two passes of random reads, cache misses, fewer.
    static func timeOrder(time: [Double], event: [Bool]) -> TimeOrder {
        let n = time.count
        // Non-negative doubles order as their bit patterns; the low bit puts events first.
        if n >= RadixSort.countingMinimum {
            let counted = time.withUnsafeBufferPointer { t in
                event.withUnsafeBufferPointer { e in
                    RadixSort.orderAndRunsByCounting(count: n) { i in (t[i].bitPattern << 1) | (e[i] ? 0 : 1) }
                }
            }
            if let (order, table) = counted {
                let runs = table.runs
                // The runs cover exactly n positions (their counts sum to n).
                let sortedTime = [Double](unsafeUninitializedCapacity: n) { buffer, count in
                    var k = 0
                    for run in runs {
                        buffer.baseAddress?.advanced(by: k).initialize(repeating: Double(bitPattern: run.key >> 1), count: run.count)
                        k += run.count
                    }
                    count = k
                }
                let sortedEvent = [Bool](unsafeUninitializedCapacity: n) { buffer, count in
                    var k = 0
                    for run in runs {
                        buffer.baseAddress?.advanced(by: k).initialize(repeating: run.key & 1 == 0, count: run.count)
                        k += run.count
                    }
                    count = k
                }
                // Each run's time index (runs of one time are adjacent: its event key, then its
                // censoring key) and the table slot → (time index, censored) cells.
                var times: [Double] = []
                var runCell = [Int32](repeating: 0, count: runs.count)
                for (r, run) in runs.enumerated() {
                    let value = Double(bitPattern: run.key >> 1)
                    if times.last != value { times.append(value) }
                    runCell[r] = Int32(2 * (times.count - 1)) + Int32(run.key & 1)
                }
                let cell = table.runOfSlot.map { $0 < 0 ? -1 : runCell[Int($0)] }
                return (order, sortedTime, sortedEvent, TimeSlots(slots: table.slots, cell: cell, times: times))
            }
        }
        let order = radixOrder(time: time, event: event)
        return (order, order.map { time[Int($0)] }, order.map { event[Int($0)] }, nil)
    }

    /// The time order by radix sort (many distinct times).
    private static func radixOrder(time: [Double], event: [Bool]) -> [Int32] {
        let n = time.count
        var keys = [UInt64](repeating: 0, count: n)
        time.withUnsafeBufferPointer { t in
            event.withUnsafeBufferPointer { e in
                keys.withUnsafeMutableBufferPointer { k in
                    for i in 0..<n { k[i] = (t[i].bitPattern << 1) | (e[i] ? 0 : 1) }
                }
            }
        }
        return RadixSort.order(keys, tryingCounting: false)
    }

    static func checkGroups(_ group: [Int32], count: Int, groupCount: Int) throws {
        guard group.count == count else {
            throw StatisticsError(.lengthMismatch, "\(count) subjects but \(group.count) group codes")
        }
        if let i = group.firstIndex(where: { Int($0) >= groupCount }) {
            throw StatisticsError(
                .invalidParameter,
                "group code \(group[i]) of observation \(i + 1) is not below the number of groups (\(groupCount))")
        }
    }
}

/// The subjects observed at one distinct time: how many had the event, how many were censored.
public struct TimeCount: Sendable, Hashable {
    public var time: Double
    public var events: Int
    public var censored: Int

    public init(time: Double, events: Int, censored: Int) {
        self.time = time
        self.events = events
        self.censored = censored
    }
}

/// Survival data sorted by time, events before censorings at equal times.
public struct SortedSurvival: Sendable, Hashable {
    public let time: [Double]
    public let event: [Bool]
    public var count: Int { time.count }
}
