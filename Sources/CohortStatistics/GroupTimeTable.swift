extension SurvivalData {
    /// Subjects counted by distinct time and group, events and censorings apart: everything a
    /// log-rank test without strata and each group's Kaplan–Meier curve read of a grouping.
    ///
    /// Made from one byte per subject in input order (``SurvivalData/groupTimeTable(bytes:count:)``):
    /// one sequential pass, where a ``GroupAssignment`` gathers every subject's code in time order
    /// (random reads) and the test then walks the subjects. The counts are integers, so the test
    /// and the curves made from them are the same numbers as those made subject by subject.
    public struct GroupTimeTable: Sendable, Hashable {
        /// The number of groups (codes `0..<groupCount`).
        public let groupCount: Int
        /// The distinct follow-up times of the data, ascending (a time may have no subject of
        /// any group: its subjects were in none).
        let times: [Double]
        /// `counts[(2 t + c) × groupCount + g]`: the subjects of group `g` observed at `times[t]`
        /// with the event (`c` = 0) or censored (`c` = 1).
        let counts: [Int32]

        /// The events and censorings of group `g` at time index `t`.
        @inline(__always)
        func cell(_ t: Int, _ g: Int) -> (events: Int, censored: Int) {
            (Int(counts[2 * t * groupCount + g]), Int(counts[(2 * t + 1) * groupCount + g]))
        }

        /// Each group's subjects per distinct time, in time order, times without its subjects
        /// left out: what ``SurvivalData/timeCounts(by:)`` gives for the same grouping.
        public func timeCounts() -> [[TimeCount]] {
            (0..<groupCount).map { g in
                var list: [TimeCount] = []
                for t in times.indices {
                    let (events, censored) = cell(t, g)
                    if events + censored > 0 { list.append(TimeCount(time: times[t], events: events, censored: censored)) }
                }
                return list
            }
        }
    }

    /// The subjects counted by time and group from one byte per subject: `codes[i]` in
    /// `0..<count`, or 255 to leave subject `i` out. `nil` when the table cannot be made this way
    /// (the times were sorted by radix sort, being too many distinct ones; more than 254 groups;
    /// a table past 2²¹ cells): use ``assign(bytes:count:)``.
    ///
    /// - Throws: `length_mismatch`, or `invalid_parameter` for a code ≥ `count` (other than 255),
    ///   as ``assign(bytes:count:)``.
    public func groupTimeTable(bytes codes: [UInt8], count groupCount: Int) throws -> GroupTimeTable? {
        guard codes.count == count else {
            throw StatisticsError(.lengthMismatch, "\(count) subjects but \(codes.count) group codes")
        }
        if let i = codes.firstIndex(where: { $0 != .max && Int($0) >= groupCount }) {
            throw StatisticsError(
                .invalidParameter,
                "group code \(codes[i]) of observation \(i + 1) is not below the number of groups (\(groupCount))")
        }
        guard let timeSlots, groupCount > 0, groupCount < 255, count < Int(Int32.max),
            2 * timeSlots.times.count * groupCount <= 1 << 21
        else { return nil }
        let k = groupCount
        var counts = [Int32](repeating: 0, count: 2 * timeSlots.times.count * k)
        counts.withUnsafeMutableBufferPointer { table in
            codes.withUnsafeBufferPointer { c in
                timeSlots.slots.withUnsafeBufferPointer { slot in
                    timeSlots.cell.withUnsafeBufferPointer { cell in
                        for i in 0..<c.count {
                            let g = c[i]
                            if g == .max { continue }
                            table[Int(cell[Int(slot[i])]) &* k &+ Int(g)] &+= 1
                        }
                    }
                }
            }
        }
        return GroupTimeTable(groupCount: k, times: timeSlots.times, counts: counts)
    }
}
