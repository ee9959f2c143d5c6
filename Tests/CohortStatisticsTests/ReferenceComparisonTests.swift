import CohortStatistics
import Testing

/// Log-rank, Peto–Peto, ROC, descriptives and Cox against R on lung and aml.
@Suite struct ReferenceComparisonTests {
    static let cases = ["lung", "aml"]

    @Test(arguments: cases)
    func survdiff(name: String) throws {
        let reference = try Fixture.json("\(name).json")
        let table = try Fixture.csv("\(name).csv")
        let data = try SurvivalData(time: table.numbers("time"), event: table.numbers("event"))
        for (key, rho) in [("logrank", 0.0), ("peto", 1.0)] {
            for (variable, value) in reference[dict: key] {
                let ref = try #require(value as? [String: Any])
                let (codes, levels) = table.codes(variable)
                let test = try LogRankTest(data, group: codes, groupCount: levels.count, rho: rho)
                let label = "\(name) \(key) \(variable)"
                #expect(test.countUsed == ref.int("n_used"), "\(label) n_used")
                #expect(test.degreesOfFreedom == ref.int("df"), "\(label) df")
                expectClose(test.chiSquare, ref["chisq"], "\(label) chisq")
                expectClose(test.p, ref["p"], "\(label) p")
                let groups = ref[list: "groups"]
                #expect(groups.count == levels.count)
                for (g, r) in groups.enumerated() {
                    #expect(levels[g] == r["level"] as? String)
                    #expect(test.groups[g].count == r.int("n"), "\(label) n")
                    expectClose(test.groups[g].observed, r["observed"], "\(label) observed \(levels[g])")
                    expectClose(test.groups[g].expected, r["expected"], "\(label) expected \(levels[g])")
                }
            }
        }
    }

    @Test(arguments: cases)
    func roc(name: String) throws {
        let reference = try Fixture.json("\(name).json")
        let table = try Fixture.csv("\(name).csv")
        let time = table.numbers("time")
        let event = table.numbers("event")
        for (variable, value) in reference[dict: "roc"] {
            let ref = try #require(value as? [String: Any])
            let horizon = try #require(ref["horizon"] as? Double)
            let x = table.numbers(variable)
            // make_refs.R: rows with the predictor missing dropped first; event ≤ horizon = case,
            // observed beyond horizon = control, censored at or before horizon excluded.
            var predictor: [Double] = []
            var outcome: [Bool] = []
            var excluded = 0
            for i in x.indices where !x[i].isNaN {
                if event[i] == 1 && time[i] <= horizon {
                    predictor.append(x[i])
                    outcome.append(true)
                } else if time[i] > horizon {
                    predictor.append(x[i])
                    outcome.append(false)
                } else {
                    excluded += 1
                }
            }
            let curve = try ROCCurve(predictor: predictor, outcome: outcome)
            let label = "\(name) roc \(variable)"
            #expect(curve.positives == ref.int("n_positive"))
            #expect(curve.negatives == ref.int("n_negative"))
            #expect(excluded == ref.int("excluded"))
            #expect(curve.direction.pROCSymbol == ref["direction"] as? String)
            expectClose(curve.auc, ref["auc"], "\(label) auc")
            let ci = try curve.aucConfidenceInterval()
            expectClose(ci?.lower, ref[dict: "auc_ci"]["lower"], "\(label) ci lower")
            expectClose(ci?.upper, ref[dict: "auc_ci"]["upper"], "\(label) ci upper")
            let best = curve.best(.youden)
            let refBest = ref[list: "best"]
            #expect(best.count == refBest.count, "\(label) number of best thresholds")
            for (b, r) in zip(best, refBest) {
                expectClose(b.threshold, r["threshold"], "\(label) threshold")
                expectClose(b.sensitivity, r["sensitivity"], "\(label) sensitivity")
                expectClose(b.specificity, r["specificity"], "\(label) specificity")
                expectClose(b.youden, r["youden"], "\(label) youden")
            }
        }
    }

    @Test(arguments: cases)
    func descriptives(name: String) throws {
        let reference = try Fixture.json("\(name).json")
        let table = try Fixture.csv("\(name).csv")
        let variables = reference[list: "descriptives"]
        #expect(!variables.isEmpty)
        for ref in variables {
            let variable = try #require(ref["name"] as? String)
            if ref["type"] as? String == "continuous" {
                let s = ContinuousSummary(table.numbers(variable))
                #expect(s.count == ref.int("n"))
                #expect(s.missing == ref.int("missing"))
                expectClose(s.median, ref["median"], "\(variable) median")
                expectClose(s.minimum, ref["min"], "\(variable) min")
                expectClose(s.maximum, ref["max"], "\(variable) max")
                expectClose(s.firstQuartile, ref["q1"], "\(variable) q1")
                expectClose(s.thirdQuartile, ref["q3"], "\(variable) q3")
                expectClose(s.mean, ref["mean"], "\(variable) mean")
                expectClose(s.standardDeviation, ref["sd"], "\(variable) sd")
            } else {
                let (codes, levels) = table.codes(variable)
                let s = try CategoricalSummary(codes: codes, levelCount: levels.count)
                #expect(s.count == ref.int("n"))
                #expect(s.missing == ref.int("missing"))
                let refLevels = ref[list: "levels"]
                #expect(refLevels.count == levels.count)
                for (l, r) in zip(s.levels, refLevels) {
                    #expect(levels[l.code] == r["level"] as? String)
                    #expect(l.count == r.int("n"))
                    expectClose(l.percent, r["percent"], "\(variable) percent \(levels[l.code])")
                }
            }
        }
    }

    @Test(arguments: cases)
    func cox(name: String) throws {
        let reference = try Fixture.json("\(name).json")
        let table = try Fixture.csv("\(name).csv")
        let data = try SurvivalData(time: table.numbers("time"), event: table.numbers("event"))
        let models = reference[list: "cox"]
        #expect(!models.isEmpty)
        for ref in models {
            let variables = (ref["variables"] as? [String]) ?? [(ref["variables"] as? String) ?? ""]
            var design = CoxDesign()
            var rNames: [String] = []
            for v in variables {
                let raw = table.strings(v)
                if raw.allSatisfy({ $0 == nil || Double($0!) != nil }) {
                    design.addNumeric(v, table.numbers(v))
                    rNames.append(v)
                } else {
                    let (codes, levels) = table.codes(v)
                    design.addCategorical(v, codes: codes, levels: levels)
                    rNames += levels.dropFirst().map { v + $0 }
                }
            }
            let model = try CoxModel(data, design: design, ties: .efron)
            let label = "\(name) cox \(variables)"
            #expect(model.converged)
            #expect(model.warnings.isEmpty)
            #expect(model.count == ref.int("n"))
            #expect(model.events == ref.int("events"))
            let loglik = (ref["loglik"] as? [Double]) ?? []
            expectClose(model.nullLogLikelihood, loglik.first, "\(label) null loglik")
            expectClose(model.logLikelihood, loglik.last, "\(label) loglik")
            expectClose(model.likelihoodRatioChiSquare, ref[dict: "lr_test"]["chisq"], "\(label) LR chisq")
            #expect(model.likelihoodRatioDegreesOfFreedom == ref[dict: "lr_test"].int("df"))
            expectClose(model.likelihoodRatioP, ref[dict: "lr_test"]["p"], "\(label) LR p")
            expectClose(model.concordance, ref["concordance"], "\(label) concordance")
            let terms = ref[list: "terms"]
            #expect(terms.count == model.terms.count)
            for (k, (term, r)) in zip(model.terms, terms).enumerated() {
                #expect(rNames[k] == r["term"] as? String)
                expectClose(term.coefficient, r["coef"], "\(label) coef \(term.name)")
                expectClose(term.hazardRatio, r["hr"], "\(label) hr \(term.name)")
                expectClose(term.standardError, r["se"], "\(label) se \(term.name)")
                expectClose(term.hazardRatioLower, r["hr_lower"], "\(label) hr lower \(term.name)")
                expectClose(term.hazardRatioUpper, r["hr_upper"], "\(label) hr upper \(term.name)")
                expectClose(term.p, r["p"], "\(label) p \(term.name)")
            }
        }
    }
}
