import CohortStatistics
import Foundation
import Testing

/// `CumulativeIncidence` and `GrayTest` against `cmprsk::cuminc` and `timepoints` on edge cases
/// (`Fixtures/cmprsk/make_cmprsk_edge.R`): causes tied with each other and with censorings,
/// events at time 0, one-patient groups, F reaching 1, a cause in one group only, a singular Gray
/// variance, ρ = 1 and ½, 3 causes × 5 groups with many ties, twelve groups, large times, no
/// group, p below 1e-16, a one-patient group with a tiny score variance. Every corner of cuminc's step vectors, every `timepoints` value and every `Tests` entry,
/// to 1e-9 relative (1e-12 absolute near 0).
@Suite struct CumulativeIncidenceEdgeTests {
    static var reference: [String: Any] { (try? Fixture.json("cmprsk/cmprsk_edge.json")) ?? [:] }

    /// Every case the R script writes (a test below checks that none is forgotten).
    static let cases = [
        "cif_tied_causes", "cif_tied_censoring", "cif_time_zero", "cif_single_patient", "cif_reaches_one",
        "cif_cause_in_one_group", "cif_singular", "cif_rho1", "cif_rho_half", "cif_random_3x5", "cif_large_times",
        "cif_ungrouped", "cif_strong_effect", "cif_moderate_effect", "cif_tiny_variance_group", "cif_reaches_one_rho1",
        "cif_twelve_groups",
    ]

    /// One case: R's entry and the data as the estimators take it.
    struct Case {
        var entry: [String: Any]
        var data: CompetingRisksData
        /// Group codes in R's level order (`-1`: group missing, dropped by cuminc's na.omit).
        var codes: [Int32]
        var levels: [String]
        var rho: Double
    }

    static func load(_ name: String) throws -> Case {
        let entry = try #require(reference[list: "cases"].first { $0["name"] as? String == name }, "no case \(name)")
        let table = try Fixture.csv("cmprsk/\(try #require(entry["csv"] as? String))")
        let time = table.numbers("time")
        let cause = table.numbers("cause").map { Int32($0) }
        let levels = try #require(entry["groups"] as? [String])
        let index = Dictionary(uniqueKeysWithValues: levels.enumerated().map { ($1, Int32($0)) })
        let codes = table.strings("group").map { $0.flatMap { index[$0] } ?? -1 }
        let causeCount = try #require(entry.int("cause_count"))
        let data = try CompetingRisksData(time: time, cause: cause, causeCount: causeCount)
        return Case(entry: entry, data: data, codes: codes, levels: levels, rho: (entry["rho"] as? NSNumber)?.doubleValue ?? 0)
    }

    static func doubles(_ value: Any?) -> [Double?] {
        ((value as? [Any]) ?? []).map { ($0 as? NSNumber)?.doubleValue }
    }

    /// cinc's vectors rebuilt from our jumps: (0, 0, 0), then each jump's two corners (the value
    /// before and after it at its time), then the last follow-up time with the last value.
    static func corners(_ estimate: CumulativeIncidence, cause: Int) -> (time: [Double], est: [Double], variance: [Double]) {
        var time = [0.0]
        var est = [0.0]
        var variance = [0.0]
        for step in estimate.steps[cause - 1] {
            time += [step.time, step.time]
            est += [est[est.count - 1], step.estimate]
            variance += [variance[variance.count - 1], step.variance]
        }
        time.append(estimate.lastTime)
        est.append(est[est.count - 1])
        variance.append(variance[variance.count - 1])
        return (time, est, variance)
    }

    @Test func everyCaseOfTheScriptIsTested() {
        let names = Set(Self.reference[list: "cases"].compactMap { $0["name"] as? String })
        #expect(!names.isEmpty, "cmprsk_edge.json is readable")
        #expect(names == Set(Self.cases))
    }

    @Test(arguments: cases) func stepTablesAndTimepointsAreCumincs(_ name: String) throws {
        let c = try Self.load(name)
        let groups = try c.data.sorted(byGroup: c.codes, groupCount: c.levels.count)
        let times = Self.doubles(c.entry["times"]).compactMap { $0 }
        let curves = c.entry[list: "curves"]
        #expect(!curves.isEmpty)
        // cuminc lists the causes with an event among the analysed rows, for every group.
        let listed = Set(curves.compactMap { $0.int("cause") })
        let occurring = Set(
            zip(c.data.cause, c.codes).compactMap { cause, code in cause > 0 && code >= 0 ? Int(cause) : nil })
        #expect(listed == occurring, "\(name): causes")
        #expect(curves.count == listed.count * c.levels.count, "\(name): one curve per group and cause")
        for curve in curves {
            let label = try #require(curve["group"] as? String)
            let cause = try #require(curve.int("cause"))
            let g = try #require(c.levels.firstIndex(of: label))
            let estimate = CumulativeIncidence(groups[g])
            let what = "\(name) \(label) cause \(cause)"
            let ours = Self.corners(estimate, cause: cause)
            let (rTime, rEst, rVar) = (Self.doubles(curve["time"]), Self.doubles(curve["est"]), Self.doubles(curve["var"]))
            #expect(ours.time.count == rTime.count, "\(what): \(ours.time.count) corners, cuminc has \(rTime.count)")
            for k in 0..<min(ours.time.count, rTime.count) {
                expectClose(ours.time[k], rTime[k], "\(what) time[\(k + 1)]")
                expectClose(ours.est[k], rEst[k], "\(what) est[\(k + 1)] (t = \(ours.time[k]))")
                expectClose(ours.variance[k], rVar[k], "\(what) var[\(k + 1)] (t = \(ours.time[k]))")
            }
            // timepoints: NA past the group's last time and before 0.
            let points = estimate.at(times, cause: cause)
            let (atEst, atVar) = (Self.doubles(curve["at_est"]), Self.doubles(curve["at_var"]))
            #expect(points.count == atEst.count && points.count == atVar.count, "\(what): timepoints")
            for (k, point) in points.enumerated() where k < atEst.count && k < atVar.count {
                expectClose(point?.estimate, atEst[k], "\(what) timepoints est at \(times[k])")
                expectClose(point?.variance, atVar[k], "\(what) timepoints var at \(times[k])")
            }
        }
    }

    /// `Tests`: statistic, p (1 − pchisq) and df per cause; cuminc's stat −1 (a singular
    /// variance) is our null with a reason. The tiny-variance case is in its own test below.
    @Test(arguments: cases.filter { $0 != "cif_tiny_variance_group" && $0 != "cif_ungrouped" })
    func grayTestIsCumincs(_ name: String) throws {
        let c = try Self.load(name)
        try Self.expectTests(c, name: name)
        // Codes with empty groups between them (a level without patients): cuminc drops those
        // levels, so the numbers are the same.
        var gapped = c
        gapped.codes = c.codes.map { $0 < 0 ? $0 : 2 * $0 + 1 }
        gapped.levels = c.levels.flatMap { ["empty \($0)", $0] }
        try Self.expectTests(gapped, name: "\(name) with empty groups")
    }

    static func expectTests(_ c: Case, name: String, causes: Set<Int>? = nil) throws {
        let tests = c.entry[list: "tests"]
        #expect(!tests.isEmpty, "\(name): cuminc reports Tests")
        let sorted = c.data.sorted()
        let group = c.data.inTimeOrder(c.codes)
        for test in tests {
            let cause = try #require(test.int("cause"))
            if let causes, !causes.contains(cause) { continue }
            let gray = try GrayTest(sorted, group: group, groupCount: c.levels.count, cause: cause, rho: c.rho)
            let what = "\(name) Gray cause \(cause)"
            #expect(gray.df == test.int("df"), "\(what) df")
            let stat = try #require((test["stat"] as? NSNumber)?.doubleValue)
            if stat == -1 {
                #expect(gray.statistic == nil && gray.p == nil, "\(what): cuminc's variance is singular (stat -1)")
                #expect(gray.reason?.isEmpty == false, "\(what): a null has a reason")
            } else {
                expectClose(gray.statistic, stat, "\(what) stat")
                expectClose(gray.p, test["pv"], "\(what) pv")
                #expect(gray.reason == nil, "\(what): \(gray.reason ?? "")")
            }
        }
    }

    /// The singular cause of the tiny-variance case agrees with R (stat −1); so does the whole
    /// case once the rank rule is qr()'s.
    @Test func aTinyVarianceGroupWithNoRiskAtTheCausesEventsIsSingularAsInR() throws {
        try Self.expectTests(Self.load("cif_tiny_variance_group"), name: "cif_tiny_variance_group", causes: [2])
    }

    /// cuminc decides whether V is singular by `qr(V)$rank` (LINPACK dqrdc2, tol 1e-7: a column
    /// is dropped when its norm falls below 1e-7 × its own original norm). GrayTest's LDLᵀ drops a
    /// pivot below 1e-7 × the largest diagonal element, so a one-patient group whose score
    /// variance is 6.6e-8 × the large groups' gets null where cuminc reports 0.584 (p 0.747).
    @Test
    func aTinyButNonSingularVarianceGivesCumincsStatistic() throws {
        try Self.expectTests(Self.load("cif_tiny_variance_group"), name: "cif_tiny_variance_group", causes: [1])
    }

    /// Hand-checkable facts of the cases, independent of the R numbers.
    @Test func reachingOneAndFailingAllAtOnce() throws {
        let c = try Self.load("cif_reaches_one")
        let groups = try c.data.sorted(byGroup: c.codes, groupCount: c.levels.count)
        // a: five patients, all of cause 1 (the last two tied at 4): F_1 reaches 1 (cinc's sum of
        // 0.2 + 0.2 + 0.2 + 0.4 is 1 + 2.2e-16, its variance −1.1e-16: R's rounding, kept).
        let a = CumulativeIncidence(groups[0])
        #expect(abs((a.steps[0].last?.estimate ?? 0) - 1) < 1e-15 && a.steps[0].last?.time == 4)
        #expect(abs(a.steps[0].last?.variance ?? 1) < 1e-15)
        #expect(a.steps[1].isEmpty)
        // c: three patients failing at 3, two of cause 1 and one of cause 2.
        let third = CumulativeIncidence(groups[2])
        #expect(abs((third.steps[0].first?.estimate ?? 0) - 2.0 / 3) < 1e-15)
        #expect(abs((third.steps[1].first?.estimate ?? 0) - 1.0 / 3) < 1e-15)
        for step in (a.steps + third.steps).joined() {
            #expect(step.estimate.isFinite && step.variance.isFinite && step.variance >= -1e-15)
        }
    }
}
