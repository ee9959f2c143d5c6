import CohortData

/// How much memory a run needs, estimated before the file is read, so that the daemon can admit
/// files against a memory budget (and fail one that cannot fit with `too_large_for_memory`
/// rather than be killed).
///
/// The estimate is rows × (the table's bytes per row + the analyses' working bytes per row) plus
/// the reader's buffers and a fixed base, with rows = file size / bytes per record:
/// - table bytes per row, from the declared and derived columns' storage: id 16 (a Swift string of
///   up to 15 bytes is inline; a longer id costs about 32 bytes more plus its length, which the
///   estimate does not know), number and integer 8, category and date 4, boolean 1; a cohort step adds 9 (its match flags
///   and kept row indices) and the largest column while the kept rows are gathered. A category
///   takes 1 byte a row up to 255 levels (``CategoryCodes``), 2 up to 65,535: 4 is the upper
///   bound, kept so that admission stays on the safe side whatever the level count;
/// - analyses' working bytes per row: ``analysisBytesPerRow``, measured (see there), or
///   ``analysisBytesPerRowOneTask`` when the runner runs one analysis task at a time;
/// - bytes per record: the caller's (sampled from the file's start with
///   ``CSVReader/bytesPerRecord(sample:)``), else 4 bytes per declared column, a lower bound of
///   typical exports (the benchmark export has 6.3), so that rows are overestimated.
extension PipelineRunner {
    /// Working memory of the analyses per cohort row, measured on the benchmark pipeline
    /// (`/work/shared/bench/pipeline.yaml`: descriptives of 10 variables, Kaplan–Meier, ROC with
    /// DeLong for 4 predictors, log-rank for 7 groupings; 2 cores) on a 2.16 GB export of 22.6
    /// million rows: peak RSS 3.95 GB (`/usr/bin/time -v`), less the table (93 bytes a row,
    /// 2.10 GB), the reader's buffers (about 51 MB) and the base (67 MB), is 1.74 GB: 77 bytes a
    /// row, rounded up. On the 1-million-row export the estimate (291 MB) is above the measured
    /// peak (226 MB). Measured before issue 13's work (one time order shared, no per-analysis
    /// copies, ROC and summaries from distinct-value counts): the 10M-row benchmark run now peaks at
    /// 798 MB, about 20 bytes a row above its table, so the figure is an upper bound.
    public static let analysisBytesPerRow = 80

    /// The same with the analyses run one at a time (``PipelineRunner/maxConcurrentTasks`` 1):
    /// peak RSS 3.45 GB on the same export, 55 bytes a row, rounded up.
    public static let analysisBytesPerRowOneTask = 56

    /// Memory that does not grow with the file: the executable, the runtime, the pipeline.
    public static let baseBytes = 64 << 20

    /// Bytes per row of the table the pipeline materialises (declared columns it reads, and derived
    /// ones).
    public var tableBytesPerRow: Int {
        let p = loaded.pipeline
        var kinds: [String: ColumnKind] = [:]
        for column in p.columns { kinds[column.name] = column.kind }
        var total = p.columns.filter { !loaded.unreadColumns.contains($0.name) }.reduce(0) { $0 + Self.bytes(of: $1.kind) }
        for d in p.derivations {
            let kind = d.expression.kind(given: kinds)
            kinds[d.name] = kind
            total += Self.bytes(of: kind)
        }
        return total
    }

    static func bytes(of kind: ColumnKind) -> Int {
        switch kind {
        case .id: return 16
        case .number, .integer: return 8
        case .category, .date: return 4
        case .boolean: return 1
        }
    }

    /// An upper estimate of the peak memory (bytes) a run of this pipeline on a file of
    /// `fileSize` bytes needs; `bytesPerRecord`, when known, is the file's average record length.
    public func estimatedPeakBytes(fileSize: Int, bytesPerRecord: Double? = nil) -> Int {
        let p = loaded.pipeline
        let perRecord = max(1, bytesPerRecord ?? Double(4 * max(1, p.columns.count)))
        let rows = Int((Double(max(0, fileSize)) / perRecord).rounded(.up))
        var perRow = tableBytesPerRow + (maxConcurrentTasks <= 1 ? Self.analysisBytesPerRowOneTask : Self.analysisBytesPerRow)
        if !p.cohort.isEmpty { perRow += 9 + 8 }
        let reader = 3 * CSVReader.defaultChunkSize + p.input.limits.maxRecordBytes
        return Self.baseBytes + reader + rows * perRow
    }
}
