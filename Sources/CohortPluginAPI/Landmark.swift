public import CohortData
public import CohortReport
public import CohortStatistics

/// A landmark analysis (`analyses-v2.md`, "landmark"): only patients still followed at the
/// landmark time L, on the clock time − L, so that a grouping fixed by L (a treatment started in
/// the first months, a response at 6 months) carries no immortal time.
///
/// Rules (the references' `landmark_cut`): patients with time < L are left out
/// (`excluded_before`); an event at exactly L is left out (`excluded_at`); a censoring at exactly L
/// is kept, at time 0. Counts are over the patients with time and event, before an analysis drops
/// rows with a missing grouping variable or covariate.
public struct Landmark: Encodable, Sendable, Hashable {
    public var time: Double
    public var excluded_before: Int
    public var excluded_at: Int
    public var n: Int

    public init(time: Double, excluded_before: Int, excluded_at: Int, n: Int) {
        self.time = time
        self.excluded_before = excluded_before
        self.excluded_at = excluded_at
        self.n = n
    }

    /// Why a figure is null when the landmark lies past every patient's follow-up (`n` = 0).
    public static let noPatientsReason = "no patient is still followed at the landmark (it lies past every follow-up time)"

    /// The sentence the report prints under the analysis.
    public func sentence(unit: String) -> String {
        "Landmark analysis at \(Format.short(time)) \(unit): \(excluded_before) patient\(excluded_before == 1 ? "" : "s") followed for less than \(Format.short(time)) \(unit) and \(excluded_at) with an event at \(Format.short(time)) \(unit) left out; \(n) analysed, with time counted from the landmark."
    }
}

extension ParameterMapping {
    /// A landmark time at `key`: a finite number ≥ 0, or `nil` when absent.
    public func landmark(_ key: Key) throws -> Double? {
        guard let value = self[key] else { return nil }
        let time = try value.number()
        guard time.isFinite, time >= 0 else { throw value.error(.invalidValue, "landmark must be a time ≥ 0") }
        return time
    }
}

extension AnalysisInput {
    /// The survival outcome after a landmark at `time` (see ``Landmark``): `rows[k]` is the table
    /// row of subject `k`; `excluded` counts the rows without time or event. Without a landmark,
    /// ``survival()`` and no counts.
    public func survival(landmark time: Double?) throws -> (data: SurvivalData, rows: RowSelection, excluded: Int, landmark: Landmark?) {
        let (data, rows, excluded) = try survival()
        guard let time else { return (data, rows, excluded, nil) }
        var kept: [Int] = []
        var before = 0
        var at = 0
        for k in 0..<data.count {
            if data.time[k] < time {
                before += 1
            } else if data.time[k] == time && data.event[k] {
                at += 1
            } else {
                kept.append(k)
            }
        }
        let shifted = try SurvivalData(time: kept.map { data.time[$0] - time }, event: kept.map { data.event[$0] })
        return (
            shifted, rows.subset(kept), excluded, Landmark(time: time, excluded_before: before, excluded_at: at, n: kept.count)
        )
    }
}

/// The methods sentence of a landmark analysis at `time`.
public func landmarkStatement(_ time: Double, unit: String) -> MethodsStatement {
    MethodsStatement(
        "To avoid immortal-time bias, a landmark analysis at \(Format.short(time)) \(unit) included only the patients still followed then, "
            + "with time counted from the landmark.",
        references: [.anderson])
}
