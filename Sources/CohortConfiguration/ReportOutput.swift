/// One kind of file a run folder may hold besides results.json, as named under `report: outputs:`.
///
/// results.json is always written (it is the record of the run); the others are chosen so that a
/// pipeline run by the daemon for its numbers alone need not pay for rendering PDF and PNG figures.
public enum ReportOutput: String, CaseIterable, Sendable, Hashable, Comparable {
    /// report.html.
    case html
    /// report.md.
    case md
    /// Each table as `<table>.csv` (the patient-selection table as flow.csv).
    case csv
    /// Each figure as `<figure>.svg`.
    case svg
    /// Each figure as vector `<figure>.pdf`.
    case pdf
    /// Each figure as `<figure>.png` at 300 dpi.
    case png
    /// report.docx, the Word report.
    case docx

    /// Every output, the default when `outputs` is not given.
    public static let all = Set(allCases)

    public static func < (lhs: Self, rhs: Self) -> Bool {
        allCases.firstIndex(of: lhs) ?? 0 < allCases.firstIndex(of: rhs) ?? 0
    }
}
