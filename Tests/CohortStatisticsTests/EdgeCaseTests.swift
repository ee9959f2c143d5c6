import CohortStatistics
import Foundation
import Testing

/// Hand-made edge cases against R (values made by Fixtures/edge_cases.R): ties of events and
/// censorings, events at time 0, S exactly 0.5, all censored, all dead, a single subject, a group
/// with one subject, strata, Breslow ties, a factor, and perfect separation in ROC and Cox.
@Suite struct EdgeCaseTests {
    static var reference: [String: Any] { (try? Fixture.json("edge_cases.json")) ?? [:] }

    /// R's `auto_unbox` writes a one-element vector as a scalar.
    static func array(_ value: Any?) -> [Any?] {
        if let list = value as? [Any] { return list.map { $0 is NSNull ? nil : $0 } }
        if value == nil || value is NSNull { return [] }
        return [value]
    }
    static func doubles(_ value: Any?) -> [Double] { array(value).compactMap { ($0 as? NSNumber)?.doubleValue } }

    @Test(arguments: ["km_ties", "km_ties_log", "km_ties_plain", "km_half", "km_all_censored", "km_all_dead", "km_single"])
    func kaplanMeier(key: String) throws {
        let ref = Self.reference[dict: key]
        let type = try #require(SurvivalConfidenceType(rawValue: ref["conf_type"] as? String ?? ""))
        let data = try SurvivalData(time: Self.doubles(ref["time"]), event: Self.doubles(ref["event"]))
        let km = try KaplanMeier(data.sorted(), confidence: SurvivalConfidence(type: type))
        expectClose(km.median.estimate, ref[dict: "median"]["estimate"], "\(key) median")
        expectClose(km.median.lower, ref[dict: "median"]["lower"], "\(key) median lower")
        expectClose(km.median.upper, ref[dict: "median"]["upper"], "\(key) median upper")
        let table = ref[dict: "table"]
        let times = Self.doubles(table["time"])
        #expect(km.rows.count == times.count, "\(key) rows")
        for (i, row) in km.rows.enumerated() where i < times.count {
            expectClose(row.time, times[i], "\(key) time")
            #expect(row.atRisk == Int(Self.doubles(table["n_risk"])[i]))
            #expect(row.events == Int(Self.doubles(table["n_event"])[i]))
            #expect(row.censored == Int(Self.doubles(table["n_censor"])[i]))
            expectClose(row.survival, Self.doubles(table["survival"])[i], "\(key) S")
            expectClose(row.standardError, Self.array(table["std_err"])[i], "\(key) se at \(row.time)")
            // cohortd's contract: no log or log-log limits where S = 1 (R prints 1–1 for log).
            let s1 = row.survival == 1 && type != .plain
            expectClose(row.lower, s1 ? nil : Self.array(table["lower"])[i], "\(key) lower at \(row.time)")
            expectClose(row.upper, s1 ? nil : Self.array(table["upper"])[i], "\(key) upper at \(row.time)")
        }
        let at = ref[dict: "at_times"]
        let points = km.survival(at: Self.doubles(ref["times"]))
        let atTimes = Self.doubles(at["time"])
        #expect(points.map(\.time) == atTimes, "\(key): times past the last observation are dropped")
        for (i, p) in points.enumerated() where i < atTimes.count {
            #expect(p.atRisk == Int(Self.doubles(at["n_risk"])[i]), "\(key) n_risk at \(p.time)")
            expectClose(p.survival, Self.doubles(at["survival"])[i], "\(key) S(\(p.time))")
            expectClose(p.standardError, Self.array(at["std_err"])[i], "\(key) se(\(p.time))")
            let s1 = p.survival == 1 && type != .plain
            expectClose(p.lower, s1 ? nil : Self.array(at["lower"])[i], "\(key) lower(\(p.time))")
            expectClose(p.upper, s1 ? nil : Self.array(at["upper"])[i], "\(key) upper(\(p.time))")
        }
        let followUp = try FollowUp(data)
        expectClose(followUp.reverseKaplanMeierMedian, ref["reverse_median"], "\(key) reverse KM median")
    }

    @Test func medianWhereSurvivalIsExactlyOneHalf() throws {
        // S = 0.5 from t = 3 until the next death at t = 5: R's median is the midpoint, 4.
        let km = try KaplanMeier(time: [1, 2, 3, 4, 5, 6], event: [true, true, true, false, true, false],
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
        let test = try LogRankTest(data, group: group, groupCount: groupCount, strata: strata,
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
        let coef = Self.doubles(ref["coef"]), se = Self.doubles(ref["se"]), p = Self.doubles(ref["p"])
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
