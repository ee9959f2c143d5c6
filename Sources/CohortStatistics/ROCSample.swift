extension ROCCurve {
    /// The predictor values of an ROC curve's cases and controls, gathered one subject at a time.
    ///
    /// A curve needs only the distinct values with their numbers of cases and controls. While the
    /// values take at most ``RadixSort/countingLimit`` distinct ones (as measurements rounded to a
    /// unit do) they are counted in a table of that size, and a cohort of any size costs no
    /// per-subject memory; beyond, the values are kept as sort keys (8 bytes a subject) and
    /// sorted when the curve is built.
    ///
    /// Requirements: a NaN value is counted in ``missing`` and left out; every other value is a
    /// case's or a control's, in the order appended; the curve built from a sample is the curve
    /// ``ROCCurve/init(predictor:outcome:direction:)`` builds from the same values and outcomes,
    /// whichever way the values were kept. A sample is a builder: not copyable, consumed by the
    /// curve made from it.
    public struct Sample: ~Copyable {
        /// Distinct keys with their counts, until there are too many (then `nil`; `nil` from the
        /// start for a sample expected to be small, whose keys are cheaper sorted than counted).
        var table: DistinctKeys?
        /// Every value's key, once the table has overflowed.
        var caseKeys: [UInt64] = []
        var controlKeys: [UInt64] = []
        /// Room to reserve for the keys if the table overflows.
        let expectedCases: Int
        let expectedControls: Int
        /// The first infinite value and its observation number (1-based, in the order appended).
        var firstInfinite: (value: Double, observation: Int)? = nil
        /// Values left out because they were missing (NaN).
        public private(set) var missing = 0
        /// Cases so far.
        public private(set) var cases = 0
        /// Controls so far.
        public private(set) var controls = 0

        /// An empty sample of about `cases` cases and `controls` controls (what to reserve room
        /// for if the values take too many distinct values to be counted).
        public init(reservingCases cases: Int = 0, controls: Int = 0) {
            self.init(reservingCases: cases, controls: controls, counting: cases + controls >= RadixSort.countingMinimum)
        }

        /// The same, counting distinct values first only when `counting` (tests compare both ways).
        init(reservingCases cases: Int, controls: Int, counting: Bool) {
            expectedCases = cases
            expectedControls = controls
            table = counting ? DistinctKeys() : nil
            if !counting {
                caseKeys.reserveCapacity(cases)
                controlKeys.reserveCapacity(controls)
            }
        }

        /// Adds one subject's value: a case's when `isCase`, else a control's.
        @inline(__always)
        public mutating func append(_ value: Double, isCase: Bool) {
            if value.isNaN {
                missing += 1
                return
            }
            if value.isInfinite && firstInfinite == nil {
                firstInfinite = (value, cases + controls + missing + 1)
            }
            if isCase { cases += 1 } else { controls += 1 }
            let key = RadixSort.key(value)
            if let table {
                if table.add(key, second: !isCase) { return }
                spill()
            }
            if isCase { caseKeys.append(key) } else { controlKeys.append(key) }
        }

        /// Moves the counted values into key arrays (the table is full): each distinct key as
        /// many times as it was seen. The keys are sorted later, so their order does not matter.
        private mutating func spill() {
            guard let full = table else { return }
            table = nil
            caseKeys.reserveCapacity(Swift.max(expectedCases, cases))
            controlKeys.reserveCapacity(Swift.max(expectedControls, controls))
            full.forEachDistinct { key, cases, controls in
                caseKeys.append(contentsOf: repeatElement(key, count: cases))
                controlKeys.append(contentsOf: repeatElement(key, count: controls))
            }
        }

        /// The distinct values in ascending order with their numbers of cases and of controls.
        consuming func distinct() -> (values: [Double], cases: [Int], controls: [Int]) {
            var values: [Double] = []
            var caseCounts: [Int] = []
            var controlCounts: [Int] = []
            if let table {
                for run in table.sortedRuns() {
                    values.append(RadixSort.value(ofKey: run.key))
                    caseCounts.append(run.first)
                    controlCounts.append(run.second)
                }
                return (values, caseCounts, controlCounts)
            }
            // Sort the cases' and the controls' keys separately, then merge them into distinct
            // values with their numbers of cases and controls.
            var caseKeys = self.caseKeys
            var controlKeys = self.controlKeys
            self.caseKeys = []
            self.controlKeys = []
            var none: [Int32] = []
            RadixSort.sort(&caseKeys, carrying: &none)
            RadixSort.sort(&controlKeys, carrying: &none)
            let m = caseKeys.count
            let n = controlKeys.count
            var a = 0
            var b = 0
            while a < m || b < n {
                let key = b >= n || (a < m && caseKeys[a] <= controlKeys[b]) ? caseKeys[a] : controlKeys[b]
                var cases = 0
                var controls = 0
                while a < m && caseKeys[a] == key {
                    cases += 1
                    a += 1
                }
                while b < n && controlKeys[b] == key {
                    controls += 1
                    b += 1
                }
                values.append(RadixSort.value(ofKey: key))
                caseCounts.append(cases)
                controlCounts.append(controls)
            }
            return (values, caseCounts, controlCounts)
        }
    }
}
