import Foundation
import Testing

@testable import CohortStatistics

/// Stratified Cox models, `cox.zph` and the factor tests against R (`Fixtures/cox_zph.R`):
/// 120 synthetic subjects with whole-day times (many ties), a number, a 3-level factor and
/// strata, one of them with a single subject.
@Suite struct CoxStrataZPHTests {
    struct Setup {
        let data: SurvivalData
        let design: CoxDesign
        let strata: [Int32]
        let cases: [[String: Any]]
    }

    /// With `missing`, the fixture's missing strata (−1) and x values (NaN) are applied.
    static func setup(missing: Bool = false) throws -> Setup {
        let json = try Fixture.json("cox_zph.json")
        let d = json[dict: "data"]
        let time = try #require(d["time"] as? [Double])
        let event = try #require(d["event"] as? [Int])
        var x = try #require(d["x"] as? [Double])
        let g = try #require(d["g"] as? [String])
        let s = try #require(d["s"] as? [String])
        let data = try SurvivalData(time: time, event: event.map { $0 == 1 })
        let gaps = json[dict: "missing"]
        if missing { for i in (gaps["x"] as? [Int]) ?? [] { x[i - 1] = .nan } }
        var design = CoxDesign()
        design.addNumeric("x", x)
        let levels = ["a", "b", "c"]
        design.addCategorical("g", codes: g.map { Int32(levels.firstIndex(of: $0) ?? -1) }, levels: levels)
        let strataLevels = Array(Set(s)).sorted()
        var strata = s.map { Int32(strataLevels.firstIndex(of: $0) ?? -1) }
        if missing { for i in (gaps["s"] as? [Int]) ?? [] { strata[i - 1] = -1 } }
        return Setup(data: data, design: design, strata: strata, cases: json[list: "cases"])
    }

    @Test(arguments: ["efron", "breslow", "efron_strata", "breslow_strata", "efron_strata_missing"])
    func agreesWithR(_ name: String) throws {
        let s = try Self.setup(missing: name.hasSuffix("missing"))
        let r = try #require(s.cases.first { $0["name"] as? String == name })
        let ties: CoxModel.Ties = name.hasPrefix("efron") ? .efron : .breslow
        let stratified = name.contains("strata")
        let model = try CoxModel(s.data, design: s.design, strata: stratified ? s.strata : nil, ties: ties)
        #expect(model.strataCount == (stratified ? 4 : 1))
        #expect(model.count == (name.hasSuffix("missing") ? 114 : 120))
        let coef = try #require(r["coef"] as? [Double])
        let se = try #require(r["se"] as? [Double])
        for j in 0..<3 {
            expectClose(model.terms[j].coefficient, coef[j], "\(name) coef \(j)")
            expectClose(model.terms[j].standardError, se[j], "\(name) se \(j)")
        }
        let loglik = try #require(r["loglik"] as? [Double])
        expectClose(model.nullLogLikelihood, loglik[0], "\(name) null loglik")
        expectClose(model.logLikelihood, loglik[1], "\(name) loglik")
        expectClose(model.concordance, r["concordance"], "\(name) concordance")

        let zph = try CoxProportionalHazardsTest(model, groups: [[0], [1, 2]])
        let terms = r[list: "zph_terms"]
        try #require(terms.count == 2)
        for (k, row) in zph.terms.enumerated() {
            expectClose(row.chisq, terms[k]["chisq"], "\(name) zph \(terms[k]["term"] ?? "") chisq")
            expectClose(row.p, terms[k]["p"], "\(name) zph \(terms[k]["term"] ?? "") p")
            #expect(row.df == terms[k].int("df"))
        }
        expectClose(zph.global.chisq, r[dict: "zph_global"]["chisq"], "\(name) zph global chisq")
        expectClose(zph.global.p, r[dict: "zph_global"]["p"], "\(name) zph global p")
        #expect(zph.global.df == 3)

        let wald = try CoxFactorTest.wald(model, coefficients: s.design.columns(of: "g"))
        expectClose(wald.chisq, r[dict: "wald"]["chisq"], "\(name) wald chisq")
        expectClose(wald.p, r[dict: "wald"]["p"], "\(name) wald p")
        let reduced = try CoxModel(s.data, design: s.design.removing("g"), strata: stratified ? s.strata : nil, ties: ties)
        let lr = try CoxFactorTest.likelihoodRatio(full: model, reducedLogLikelihood: reduced.logLikelihood, df: 2)
        expectClose(lr.chisq, r[dict: "lr"]["chisq"], "\(name) lr chisq")
        expectClose(lr.p, r[dict: "lr"]["p"], "\(name) lr p")
    }

    /// A stratum of one subject adds nothing to the partial likelihood: the fit equals the fit
    /// without that subject.
    @Test func aStratumOfOneSubjectContributesNothing() throws {
        let s = try Self.setup()
        let full = try CoxModel(s.data, design: s.design, strata: s.strata, ties: .efron)
        let lonely = try #require(s.strata.indices.first { i in s.strata.filter { $0 == s.strata[i] }.count == 1 })
        var withoutLonely = s.strata
        withoutLonely[lonely] = -1
        let reduced = try CoxModel(s.data, design: s.design, strata: withoutLonely, ties: .efron)
        #expect(full.count == reduced.count + 1)
        for j in 0..<3 {
            #expect(abs(full.terms[j].coefficient - reduced.terms[j].coefficient) <= 1e-12 * max(1, abs(reduced.terms[j].coefficient)))
        }
    }

    /// Removing a variable keeps the rows of the full design (a subject missing only that
    /// variable stays out of the reduced model).
    @Test func removingKeepsTheFullModelsRows() throws {
        var design = CoxDesign()
        design.addNumeric("x", [1, 2, 3, 4])
        design.addCategorical("g", codes: [0, -1, 1, 0], levels: ["a", "b"])
        let reduced = design.removing("g")
        #expect(reduced.names == ["x"])
        #expect(reduced.columns[0][1].isNaN)
        #expect(reduced.columns[0][0] == 1 && reduced.columns[0][3] == 4)
    }

    @Test func strataCodesMustMatchTheSubjects() throws {
        let s = try Self.setup()
        #expect(throws: StatisticsError.self) { _ = try CoxModel(s.data, design: s.design, strata: [0, 1]) }
        let model = try CoxModel(s.data, design: s.design)
        #expect(throws: StatisticsError.self) { _ = try CoxProportionalHazardsTest(model, groups: [[7]]) }
        #expect(throws: StatisticsError.self) { _ = try CoxFactorTest.wald(model, coefficients: []) }
    }
}
