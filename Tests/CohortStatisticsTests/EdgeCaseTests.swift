import CohortStatistics
import Foundation
import Testing

/// Hand-made edge cases against R (values made by Fixtures/edge_cases.R): ties of events and
/// censorings, events at time 0, S exactly 0.5, all censored, all dead, a single subject, S = 1 at
/// observed and at requested times (leading censorings, censorings at time 0, a stratum that starts
/// late) for every confidence type, a group with one subject, strata, Breslow ties, a factor, and
/// perfect separation in ROC and Cox.
@Suite struct EdgeCaseTests {
    static var reference: [String: Any] { (try? Fixture.json("edge_cases.json")) ?? [:] }

    /// R's `auto_unbox` writes a one-element vector as a scalar.
    static func array(_ value: Any?) -> [Any?] {
        if let list = value as? [Any] { return list.map { $0 is NSNull ? nil : $0 } }
        if value == nil || value is NSNull { return [] }
        return [value]
    }
    static func doubles(_ value: Any?) -> [Double] { array(value).compactMap { ($0 as? NSNumber)?.doubleValue } }

    static let kaplanMeierCases = [
        "km_ties", "km_ties_log", "km_ties_plain", "km_half", "km_all_censored", "km_all_dead", "km_single",
        "km_all_censored_log", "km_all_censored_plain",
        "km_leading_censored_plain", "km_leading_censored_log", "km_leading_censored_loglog",
        "km_censored_at_zero_plain", "km_censored_at_zero_log", "km_censored_at_zero_loglog",
        "km_event_at_zero_loglog",
    ]

    @Test(arguments: kaplanMeierCases)
    func kaplanMeier(key: String) throws {
        let ref = Self.reference[dict: key]
        #expect(!ref.isEmpty, "\(key) missing from edge_cases.json")
        let type = try #require(SurvivalConfidenceType(rawValue: ref["conf_type"] as? String ?? ""))
        let data = try SurvivalData(time: Self.doubles(ref["time"]), event: Self.doubles(ref["event"]))
        let km = try KaplanMeier(data.sorted(), confidence: SurvivalConfidence(type: type))
        Self.compare(km, ref, times: Self.doubles(ref["times"]), key)
        let followUp = try FollowUp(data)
        expectClose(followUp.reverseKaplanMeierMedian, ref["reverse_median"], "\(key) reverse KM median")
    }

    /// Strata fitted together in R (`survfit(Surv(time, event) ~ group)`), each against its own curve:
    /// the second stratum starts after the first ends, so a requested time before its first
    /// observation (and past the first stratum's end) is tested per stratum.
    @Test(arguments: ["km_strata_plain", "km_strata_log", "km_strata_loglog"])
    func kaplanMeierStrata(key: String) throws {
        let ref = Self.reference[dict: key]
        let type = try #require(SurvivalConfidenceType(rawValue: ref["conf_type"] as? String ?? ""))
        let time = Self.doubles(ref["time"])
        let event = Self.doubles(ref["event"])
        let group = Self.doubles(ref["group"])
        let levels = Array(Set(group)).sorted()
        let strata = ref[list: "strata"]
        #expect(strata.count == levels.count, "\(key) strata")
        for (k, level) in levels.enumerated() where k < strata.count {
            let keep = group.indices.filter { group[$0] == level }
            let km = try KaplanMeier(
                time: keep.map { time[$0] }, event: keep.map { event[$0] == 1 },
                confidence: SurvivalConfidence(type: type))
            Self.compare(km, strata[k], times: Self.doubles(ref["times"]), "\(key) stratum \(level)")
        }
    }

    /// Every field of the curve against R: the median and its CI, the step table, and
    /// `summary(fit, times)`, at 1e-9 relative; a `nil` limit must be R's `NA` and vice versa.
    static func compare(_ km: KaplanMeier, _ ref: [String: Any], times requested: [Double], _ key: String) {
        expectClose(km.median.estimate, ref[dict: "median"]["estimate"], "\(key) median")
        expectClose(km.median.lower, ref[dict: "median"]["lower"], "\(key) median lower")
        expectClose(km.median.upper, ref[dict: "median"]["upper"], "\(key) median upper")
        let table = ref[dict: "table"]
        let times = doubles(table["time"])
        #expect(!times.isEmpty, "\(key): no table in the reference")
        #expect(km.rows.count == times.count, "\(key) rows")
        for (i, row) in km.rows.enumerated() where i < times.count {
            expectClose(row.time, times[i], "\(key) time")
            #expect(row.atRisk == Int(doubles(table["n_risk"])[i]), "\(key) n_risk at \(row.time)")
            #expect(row.events == Int(doubles(table["n_event"])[i]), "\(key) n_event at \(row.time)")
            #expect(row.censored == Int(doubles(table["n_censor"])[i]), "\(key) n_censor at \(row.time)")
            expectClose(row.survival, doubles(table["survival"])[i], "\(key) S at \(row.time)")
            expectClose(row.standardError, array(table["std_err"])[i], "\(key) se at \(row.time)")
            expectClose(row.lower, array(table["lower"])[i], "\(key) lower at \(row.time)")
            expectClose(row.upper, array(table["upper"])[i], "\(key) upper at \(row.time)")
        }
        let at = ref[dict: "at_times"]
        let points = km.survival(at: requested)
        let atTimes = doubles(at["time"])
        #expect(points.map(\.time) == atTimes, "\(key): times past the last observation are dropped")
        for (i, p) in points.enumerated() where i < atTimes.count {
            #expect(p.atRisk == Int(doubles(at["n_risk"])[i]), "\(key) n_risk at \(p.time)")
            #expect(p.events == Int(doubles(at["n_event"])[i]), "\(key) n_event at \(p.time)")
            expectClose(p.survival, doubles(at["survival"])[i], "\(key) S(\(p.time))")
            expectClose(p.standardError, array(at["std_err"])[i], "\(key) se(\(p.time))")
            expectClose(p.lower, array(at["lower"])[i], "\(key) lower(\(p.time))")
            expectClose(p.upper, array(at["upper"])[i], "\(key) upper(\(p.time))")
        }
    }

    /// Contract version 2 (R's `survfit_confint` and `summary.survfit`) where S = 1: at an observed
    /// time plain and log give 1 and 1, log-log nil; before the first observation 1 and 1 for all.
    @Test(arguments: SurvivalConfidenceType.allCases)
    func limitsWhereSurvivalIsOne(type: SurvivalConfidenceType) throws {
        let confidence = try SurvivalConfidence(type: type)
        let limits = confidence.limits(survival: 1, logStandardError: 0)
        #expect(limits.lower == (type == .logLog ? nil : 1) && limits.upper == (type == .logLog ? nil : 1))
        let km = try KaplanMeier(time: [1, 2, 3, 4], event: [false, false, true, false], confidence: confidence)
        let observed = km.rows[0]
        #expect(observed.survival == 1 && observed.standardError == 0)
        #expect(observed.lower == (type == .logLog ? nil : 1) && observed.upper == (type == .logLog ? nil : 1))
        let before = km.survival(at: [0, 0.5, 1])
        #expect(before.map(\.time) == [0, 0.5, 1])
        #expect(before[0].lower == 1 && before[0].upper == 1 && before[0].standardError == 0 && before[0].atRisk == 4)
        #expect(before[1].lower == 1 && before[1].upper == 1)
        #expect(before[2].lower == observed.lower && before[2].upper == observed.upper, "at the observed time 1")
        #expect(km.survival(at: [-.infinity, .nan, .infinity]).isEmpty, "R drops times that are not finite")
    }

    @Test func medianWhereSurvivalIsExactlyOneHalf() throws {
        // S = 0.5 from t = 3 until the next death at t = 5: R's median is the midpoint, 4.
        let km = try KaplanMeier(
            time: [1, 2, 3, 4, 5, 6], event: [true, true, true, false, true, false],
            confidence: SurvivalConfidence(type: .logLog))
        #expect(km.median.estimate == 4)
    }

    @Test(arguments: ["logrank_ties", "peto_ties", "logrank_strata", "logrank_single_subject_group"])
    func logRank(key: String) throws {
        let ref = Self.reference[dict: key]
        let data = try SurvivalData(time: Self.doubles(ref["time"]), event: Self.doubles(ref["event"]))
        let group = Self.doubles(ref["group"]).map { Int32($0) }
        let strataCodes = Self.doubles(ref["strata"]).map { Int32($0) }
        let strata = strataCodes.isEmpty ? nil : strataCodes
        let groupCount = Int((group.max() ?? 0) + 1)
        let test = try LogRankTest(
            data, group: group, groupCount: groupCount, strata: strata,
            strataCount: Int((strata?.max() ?? 0) + 1), rho: (ref["rho"] as? Double) ?? 0)
        expectClose(test.chiSquare, ref["chisq"], "\(key) chisq")
        expectClose(test.p, ref["p"], "\(key) p")
        #expect(test.degreesOfFreedom == ref.int("df"))
        for (g, group) in test.groups.enumerated() {
            #expect(group.count == Int(Self.doubles(ref["n"])[g]))
            expectClose(group.observed, Self.doubles(ref["observed"])[g], "\(key) observed \(g)")
            expectClose(group.expected, Self.doubles(ref["expected"])[g], "\(key) expected \(g)")
        }
    }

    @Test(arguments: ["roc_ties", "roc_separated", "roc_reversed"])
    func roc(key: String) throws {
        let ref = Self.reference[dict: key]
        let curve = try ROCCurve(predictor: Self.doubles(ref["x"]), outcome: Self.doubles(ref["y"]).map { $0 == 1 })
        #expect(curve.direction.pROCSymbol == ref["direction"] as? String)
        expectClose(curve.auc, ref["auc"], "\(key) auc")
        let ci = try curve.aucConfidenceInterval()
        expectClose(ci?.lower, Self.array(ref["auc_ci"]).first ?? nil, "\(key) ci lower")
        expectClose(ci?.upper, Self.array(ref["auc_ci"]).last ?? nil, "\(key) ci upper")
        // jsonlite writes ±Inf as null.
        let thresholds = Self.array(ref["thresholds"])
        #expect(curve.thresholds.count == thresholds.count, "\(key) thresholds")
        for (t, r) in zip(curve.thresholds, thresholds) { expectClose(t.isFinite ? t : nil, r, "\(key) threshold") }
        #expect(curve.sensitivities.count == Self.doubles(ref["sensitivities"]).count)
        for (i, se) in curve.sensitivities.enumerated() {
            expectClose(se, Self.doubles(ref["sensitivities"])[i], "\(key) sensitivity \(i)")
            expectClose(curve.specificities[i], Self.doubles(ref["specificities"])[i], "\(key) specificity \(i)")
        }
        for (method, name) in [(ROCCurve.CutoffMethod.youden, "youden"), (.closestTopLeft, "topleft")] {
            let best = curve.best(method)
            let r = ref[dict: name]
            #expect(best.map(\.threshold) == Self.doubles(r["threshold"]), "\(key) \(name) thresholds")
            for (b, (se, sp)) in zip(best, zip(Self.doubles(r["sensitivity"]), Self.doubles(r["specificity"]))) {
                expectClose(b.sensitivity, se, "\(key) \(name) sensitivity")
                expectClose(b.specificity, sp, "\(key) \(name) specificity")
            }
        }
    }

    @Test func rocCutoffReportsTheObservedValueOnThePositiveSide() throws {
        // Lower values positive: the cut-off between 14.8 and 15.2 is "≤ 14.8".
        let curve = try ROCCurve(predictor: [3, 9, 14.8, 15.2, 30, 41], outcome: [true, true, true, false, false, false])
        #expect(curve.direction == .lowerIsPositive)
        let best = try #require(curve.best().first)
        #expect(best.threshold == 15)
        #expect(best.value == 14.8)
        #expect(best.positiveAtOrAbove == false)
        let up = try ROCCurve(predictor: [3, 9, 14.8, 28, 30, 41], outcome: [false, false, false, true, true, true])
        let b = try #require(up.best().first)
        #expect(b.value == 28 && b.positiveAtOrAbove)
    }

    @Test(arguments: ["cox_breslow", "cox_efron", "cox_factor", "cox_separated"])
    func cox(key: String) throws {
        let ref = Self.reference[dict: key]
        let data = try SurvivalData(time: Self.doubles(ref["time"]), event: Self.doubles(ref["event"]))
        var design = CoxDesign()
        let raw = Self.array(ref["x"])
        if let strings = raw as? [String] {
            let levels = ["a", "b", "c"]
            design.addCategorical("x", codes: strings.map { Int32(levels.firstIndex(of: $0) ?? -1) }, levels: levels)
        } else {
            design.addNumeric("x", Self.doubles(ref["x"]))
        }
        let ties = try #require(CoxModel.Ties(rawValue: ref["ties"] as? String ?? ""))
        let model = try CoxModel(data, design: design, ties: ties)
        let coef = Self.doubles(ref["coef"])
        let se = Self.doubles(ref["se"])
        let p = Self.doubles(ref["p"])
        #expect(model.terms.count == coef.count)
        // Under perfect separation the information is ~1e-9 of its terms, so its last digits are
        // rounding noise in R as here: compare those coefficients to 1e-6.
        let separated = key == "cox_separated"
        for (k, term) in model.terms.enumerated() where k < coef.count {
            if separated {
                #expect(abs(term.coefficient / coef[k] - 1) < 1e-6 && abs(term.standardError / se[k] - 1) < 1e-6)
                continue
            }
            expectClose(term.coefficient, coef[k], "\(key) coef \(term.name)")
            expectClose(term.standardError, se[k], "\(key) se \(term.name)")
            expectClose(term.p, p[k], "\(key) p \(term.name)")
        }
        let loglik = Self.doubles(ref["loglik"])
        expectClose(model.nullLogLikelihood, loglik.first, "\(key) null loglik")
        expectClose(model.logLikelihood, loglik.last, "\(key) loglik")
        expectClose(model.concordance, ref["concordance"], "\(key) concordance")
        #expect(model.iterations == ref.int("iter"), "\(key) iterations")
        #expect(model.warnings.isEmpty == (ref["warning"] == nil || ref["warning"] is NSNull), "\(key) warnings \(model.warnings)")
    }
}
