import CohortData
import CohortJSON
import CohortReport

extension AnalysisInput {
    /// The `immortal_time` checks (`analyses-v2.md`, "Common: warnings") of the grouping variables
    /// `variables` (a `by`, the groupings of a test, the covariates of a model) over the analysed
    /// subjects `rows` (table rows): one warning per variable derived from a date that lies
    /// strictly after the time origin of the survival time for at least one of them, with `n`,
    /// the number of those patients (origin and date both present).
    ///
    /// With a `landmark` L (in the survival time's unit) only dates more than L after the origin
    /// count: a landmark at or after the date fixes the group before the clock starts. Without a
    /// known origin (``immortalTime`` is `nil`), for a variable not derived from a date, or when
    /// the dates are not in the table, no warning. Messages carry counts and names, never a date.
    public func immortalTimeWarnings(for variables: [String], rows: some Collection<Int>, landmark: Double?) -> [MethodWarning] {
        guard let check = immortalTime, !rows.isEmpty else { return [] }
        let candidates = variables.enumerated().filter { k, v in check.dateSources[v] != nil && !variables[..<k].contains(v) }
        guard !candidates.isEmpty, let origin = originDates(check) else { return [] }
        let bound = landmark ?? 0
        var warnings: [MethodWarning] = []
        for (_, variable) in candidates {
            let sources = (check.dateSources[variable] ?? []).compactMap { name -> (name: String, dates: [Int32])? in
                guard case .date(let dates)? = table[name]?.data, dates.count == table.rowCount else { return nil }
                return (name, dates)
            }
            var after = [Bool](repeating: false, count: sources.count)
            var n = 0
            for row in rows where row >= 0 && row < origin.count && origin[row] != ColumnData.missingDate {
                var counted = false
                for (s, source) in sources.enumerated() {
                    let date = source.dates[row]
                    // The elapsed time as the survival time's derivation computes it (days / 30.4375
                    // for months), so that a landmark L and `greater_than: [months_between, L]` agree.
                    guard date != ColumnData.missingDate, Double(Int64(date) - Int64(origin[row])) / check.unit.days > bound else {
                        continue
                    }
                    after[s] = true
                    counted = true
                }
                if counted { n += 1 }
            }
            guard n > 0 else { continue }
            let names = zip(sources, after).filter(\.1).map(\.0.name)
            warnings.append(Self.immortalTimeWarning(variable, dates: names, check: check, landmark: landmark, n: n))
        }
        return warnings
    }

    /// The origin date of every table row (`nil` when it cannot be had).
    private func originDates(_ check: ImmortalTimeCheck) -> [Int32]? {
        let data: ColumnData?
        if case .column(let name) = check.origin {
            data = table[name]?.data
        } else {
            data = try? Derivation(name: check.survivalTime, expression: check.origin).evaluate(on: table).data
        }
        guard case .date(let dates)? = data, dates.count == table.rowCount else { return nil }
        return dates
    }

    static func immortalTimeWarning(_ variable: String, dates: [String], check: ImmortalTimeCheck, landmark: Double?, n: Int) -> MethodWarning {
        let list = dates.count <= 1 ? dates.joined() : dates.dropLast().joined(separator: ", ") + " and " + (dates.last ?? "")
        let lies = dates.count == 1 ? "lies" : "lie"
        let patients = n == 1 ? "1 patient" : "\(n) patients"
        let message: String
        if let landmark {
            let at = "\(Format.short(landmark)) \(check.unit.name)"
            message =
                "'\(variable)' is derived from \(list), which \(lies) after the landmark (\(at) after the time origin, \(check.originName)) "
                + "for \(patients): in the landmark analysis they had to survive past the landmark to be in their group (immortal time). "
                + "Use a landmark at or after \(dates.count == 1 ? "that date" : "those dates") or a time-dependent covariate."
        } else {
            message =
                "'\(variable)' is derived from \(list), which \(lies) after the time origin (\(check.originName)) for \(patients): "
                + "patients in that group had to survive until then (immortal time). "
                + "Use a landmark analysis (landmark: a time in \(check.unit.name) by which the group is known) or a time-dependent covariate."
        }
        return MethodWarning(.immortalTime, message, details: [("variable", .string(variable)), ("n", .number(Double(n)))])
    }
}
