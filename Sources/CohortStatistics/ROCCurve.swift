/// The empirical ROC curve of a numeric predictor for a binary outcome, with the AUC, its DeLong
/// variance and the optimal cut-offs, computed as R's pROC 1.18 does (`roc`, `auc`,
/// `ci.auc(method = "delong")`, `coords(r, "best")`).
///
/// Cases are subjects with the outcome (`true`), controls those without.
public struct ROCCurve: Sendable, Hashable {
    /// Which side of a threshold counts as positive.
    public enum Direction: String, Sendable, Hashable, Codable {
        /// pROC `"<"` (controls < cases): a value above the threshold is positive.
        case higherIsPositive = "higher_is_positive"
        /// pROC `">"` (controls > cases): a value below the threshold is positive.
        case lowerIsPositive = "lower_is_positive"

        /// pROC's notation.
        public var pROCSymbol: String { self == .higherIsPositive ? "<" : ">" }
    }

    /// How the direction is chosen.
    public enum DirectionChoice: Sendable, Hashable {
        /// pROC's `direction = "auto"`: "<" when median(controls) ≤ median(cases), else ">".
        case auto
        case fixed(Direction)
    }

    /// The criterion for the best threshold.
    public enum CutoffMethod: String, Sendable, Hashable, Codable, CaseIterable {
        /// Maximise sensitivity + specificity (Youden's J).
        case youden
        /// Minimise (1 − sensitivity)² + (1 − specificity)².
        case closestTopLeft = "closest_topleft"
    }

    /// A threshold with its performance, as `coords` reports it, plus the observed value and
    /// inequality that EZR prints ("≥ 28", "≤ 14.8").
    public struct Cutoff: Sendable, Hashable {
        /// pROC's threshold: midway between neighbouring observed values (±∞ at the ends).
        public var threshold: Double
        /// The observed value nearest the threshold on its positive side; `nil` when no value is.
        public var value: Double?
        /// `true`: positive when predictor ≥ `value`; `false`: positive when predictor ≤ `value`.
        public var positiveAtOrAbove: Bool
        public var sensitivity: Double
        public var specificity: Double
        /// sensitivity + specificity − 1.
        public var youden: Double
    }

    public let direction: Direction
    public let positives: Int
    public let negatives: Int
    /// Subjects left out because the predictor was missing (NaN).
    public let missing: Int
    /// Thresholds in pROC's order: from −∞ up to +∞ when higher values are positive, from +∞ down
    /// to −∞ when lower values are positive, so that sensitivity falls from 1 to 0 in both.
    public let thresholds: [Double]
    public let sensitivities: [Double]
    public let specificities: [Double]
    /// Distinct observed values, ascending.
    let values: [Double]
    /// Area under the curve, ties counted one half.
    public let auc: Double
    /// DeLong's variance of the AUC; `nil` with fewer than two cases or two controls.
    public let aucVariance: Double?

    /// Builds the curve.
    ///
    /// - Throws: `length_mismatch`; `invalid_value` for an infinite predictor value;
    ///   `empty_group` when there are no cases or no controls; `constant_predictor` when every
    ///   subject has the same value (no threshold separates anyone).
    public init(predictor: [Double], outcome: [Bool], direction choice: DirectionChoice = .auto) throws {
        guard predictor.count == outcome.count else {
            throw StatisticsError(.lengthMismatch, "\(predictor.count) predictor values but \(outcome.count) outcomes")
        }
        let cases = outcome.reduce(0) { $0 + ($1 ? 1 : 0) }
        var sample = Sample(reservingCases: cases, controls: outcome.count - cases)
        for i in 0..<predictor.count { sample.append(predictor[i], isCase: outcome[i]) }
        try self.init(sample, direction: choice)
    }

    /// Builds the curve from the cases' and controls' values gathered in a ``Sample``.
    ///
    /// - Throws: `invalid_value` for an infinite predictor value (naming its observation, the
    ///   order of ``Sample/append(_:isCase:)``); `empty_group` and `constant_predictor` as
    ///   ``init(predictor:outcome:direction:)``.
    public init(_ sample: consuming Sample, direction choice: DirectionChoice = .auto) throws {
        if let (value, observation) = sample.firstInfinite {
            throw StatisticsError(.invalidValue, "predictor value \(value) of observation \(observation) is not finite")
        }
        missing = sample.missing
        let m = sample.cases
        let n = sample.controls
        let (values, caseCounts, controlCounts) = sample.distinct()
        guard m > 0 else { throw StatisticsError(.emptyGroup, "no subject has the outcome (no cases), so there is no ROC curve") }
        guard n > 0 else { throw StatisticsError(.emptyGroup, "every subject has the outcome (no controls), so there is no ROC curve") }
        guard values.count > 1 else {
            throw StatisticsError(
                .constantPredictor, "the predictor has the same value for every subject, so no cut-off separates cases from controls")
        }

        let direction: Direction
        switch choice {
        case .fixed(let d): direction = d
        case .auto:
            direction =
                Self.median(values, controlCounts, total: n) <= Self.median(values, caseCounts, total: m)
                ? .higherIsPositive : .lowerIsPositive
        }
        self.direction = direction
        self.positives = m
        self.negatives = n
        self.values = values
        let ascendingThresholds = Self.thresholds(values, direction: direction)

        // Sensitivity and specificity at each threshold, computed as pROC's fast algorithm does
        // (se = tp / cases, sp = (controls − fp) / controls) so that ties in the criterion match.
        let u = values.count
        var se = [Double](repeating: 0, count: u + 1)
        var sp = [Double](repeating: 0, count: u + 1)
        let mm = Double(m)
        let nn = Double(n)
        switch direction {
        case .higherIsPositive:
            // Threshold i lies below values[i]: positives are values[i...].
            var tp = 0
            var fp = 0
            se[u] = 0
            sp[u] = nn / nn
            for i in stride(from: u - 1, through: 0, by: -1) {
                tp += caseCounts[i]
                fp += controlCounts[i]
                se[i] = Double(tp) / mm
                sp[i] = Double(n - fp) / nn
            }
        case .lowerIsPositive:
            // Threshold i lies above values[i - 1]: positives are values[..<i].
            var tp = 0
            var fp = 0
            se[0] = 0
            sp[0] = nn / nn
            for i in 1...u {
                tp += caseCounts[i - 1]
                fp += controlCounts[i - 1]
                se[i] = Double(tp) / mm
                sp[i] = Double(n - fp) / nn
            }
        }
        if direction == .lowerIsPositive {
            thresholds = ascendingThresholds.reversed()
            sensitivities = se.reversed()
            specificities = sp.reversed()
        } else {
            thresholds = ascendingThresholds
            sensitivities = se
            specificities = sp
        }

        // AUC and DeLong placements from the per-value counts (Mann–Whitney, ties one half).
        // For a case at v: V10 = P(control "less positive" than v) + ½ P(tie); for a control at v:
        // V01 = P(case "more positive" than v) + ½ P(tie).
        var casePlacements = [Double](repeating: 0, count: u)
        var controlPlacements = [Double](repeating: 0, count: u)
        var below = 0
        var casesBelow = 0
        for i in 0..<u {
            let controlsBelowOrTie = Double(below) + 0.5 * Double(controlCounts[i])
            let casesAboveOrTie = Double(m - casesBelow - caseCounts[i]) + 0.5 * Double(caseCounts[i])
            switch direction {
            case .higherIsPositive:
                casePlacements[i] = controlsBelowOrTie / nn
                controlPlacements[i] = casesAboveOrTie / mm
            case .lowerIsPositive:
                casePlacements[i] = (Double(n - below - controlCounts[i]) + 0.5 * Double(controlCounts[i])) / nn
                controlPlacements[i] = (Double(casesBelow) + 0.5 * Double(caseCounts[i])) / mm
            }
            below += controlCounts[i]
            casesBelow += caseCounts[i]
        }
        var theta = 0.0
        for i in 0..<u { theta += Double(caseCounts[i]) * casePlacements[i] }
        theta /= mm
        auc = theta
        if m > 1 && n > 1 {
            var sx = 0.0
            var sy = 0.0
            for i in 0..<u {
                let dx = casePlacements[i] - theta
                let dy = controlPlacements[i] - theta
                sx += Double(caseCounts[i]) * dx * dx
                sy += Double(controlCounts[i]) * dy * dy
            }
            aucVariance = sx / (mm - 1) / mm + sy / (nn - 1) / nn
        } else {
            aucVariance = nil
        }
    }

    /// R's median of a sample given as counts per distinct value (ascending).
    static func median(_ values: [Double], _ counts: [Int], total: Int) -> Double {
        func element(_ rank: Int) -> Double {  // 0-based rank in the sorted sample
            var seen = 0
            for (k, c) in counts.enumerated() {
                seen += c
                if rank < seen { return values[k] }
            }
            return values[values.count - 1]
        }
        let half = total / 2
        return total % 2 == 1 ? element(half) : (element(half - 1) + element(half)) / 2
    }

    /// pROC's thresholds: −∞, the midpoints of neighbouring distinct values, +∞ (`roc.utils.thresholds`).
    /// A midpoint that rounds onto one of its neighbours is moved to the positive-side value, as pROC does.
    static func thresholds(_ values: [Double], direction: Direction) -> [Double] {
        var result: [Double] = [-.infinity]
        for i in 1..<max(values.count, 1) {
            let a = values[i - 1]
            let b = values[i]
            var t = (a + b) / 2
            if !t.isFinite || abs(t) > 1e100 { t = a / 2 + b / 2 }
            if direction == .higherIsPositive && t == a { t = b }
            if direction == .lowerIsPositive && t == b { t = a }
            result.append(t)
        }
        result.append(.infinity)
        return result
    }

    /// DeLong's confidence interval for the AUC, clipped to [0, 1]; `nil` when the variance is
    /// not estimable (fewer than two cases or controls).
    public func aucConfidenceInterval(level: Double = 0.95) throws -> (lower: Double, upper: Double)? {
        guard let variance = aucVariance else { return nil }
        guard level > 0, level < 1,
            let zLow = Normal.quantile((1 - level) / 2), let zHigh = Normal.quantile(1 - (1 - level) / 2)
        else {
            throw StatisticsError(.invalidParameter, "confidence level \(level) is not between 0 and 1")
        }
        let sd = variance.squareRoot()
        return (min(max(auc + zLow * sd, 0), 1), min(max(auc + zHigh * sd, 0), 1))
    }

    /// All thresholds that share the best value of the criterion, in the order of ``thresholds``
    /// (pROC's `coords(r, "best", best.method = …)` with the default weights, i.e. r = 1).
    public func best(_ method: CutoffMethod = .youden) -> [Cutoff] {
        let criterion: [Double] = zip(sensitivities, specificities).map { se, sp in
            switch method {
            case .youden: return se + 1.0 * sp
            case .closestTopLeft: return -((1 - se) * (1 - se) + 1.0 * (1 - sp) * (1 - sp))
            }
        }
        guard let top = criterion.max() else { return [] }
        return criterion.indices.filter { criterion[$0] == top }.map(cutoff(at:))
    }

    /// The cut-off at index `i` of ``thresholds``.
    public func cutoff(at i: Int) -> Cutoff {
        // Ascending threshold k lies between values[k - 1] and values[k].
        let value: Double?
        switch direction {
        case .higherIsPositive: value = i < values.count ? values[i] : nil
        case .lowerIsPositive:
            let k = thresholds.count - 1 - i
            value = k > 0 ? values[k - 1] : nil
        }
        return Cutoff(
            threshold: thresholds[i], value: value, positiveAtOrAbove: direction == .higherIsPositive,
            sensitivity: sensitivities[i], specificity: specificities[i],
            youden: sensitivities[i] + specificities[i] - 1)
    }
}
