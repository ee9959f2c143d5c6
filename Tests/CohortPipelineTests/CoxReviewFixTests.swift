import CohortJSON
import Foundation
import Testing

/// Review fixes of `plugin: cox` (issue 10): references chosen on the model's complete cases,
/// figures that cannot be represented are null with a reason, strata crossing with missing
/// values.
@Suite struct CoxReviewFixTests {
    typealias T = CoxReportingTests

    /// Every patient of level `a` lacks age: the multivariable model [group, age] has b as the
    /// reference, c's coefficient as if the a patients were not in the file, and a null term
    /// for a with a reason (coxph gives its coefficient NA), instead of a singular model.
    @Test func referenceLevelsAreChosenOnTheCompleteCases() async throws {
        let base = T.csv().split(separator: "\n").map(String.init)
        var lines = [base[0]]
        var withoutA = [base[0]]
        for line in base.dropFirst() {
            var f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            if f[2] == "a" { f[4] = "" } else { withoutA.append(line) }
            lines.append(f.joined(separator: ","))
        }
        let keys = "    multivariable: [group, age]\n    ph_test: true\n"
        let result = try await T.run(keys, csv: lines.joined(separator: "\n") + "\n")
        let model = try #require(result["models"]?.array.first)
        #expect(model["error"] == .null)
        let terms = model["terms"]?.array ?? []
        #expect(terms.compactMap { $0["term"]?.string } == ["group=c", "group=a", "age"])
        let a = try #require(terms.first { $0["term"]?.string == "group=a" })
        #expect(a["coef"] == .null && a["hr"] == .null)
        #expect((a["reason"]?.string ?? "").contains("complete cases"))
        #expect(T.codes(result).contains("not_estimable"))

        let reference = try await T.run(keys, csv: withoutA.joined(separator: "\n") + "\n")
        let refModel = try #require(reference["models"]?.array.first)
        let c = try #require(terms.first?["coef"]?.number)
        let expected = try #require(refModel["terms"]?.array.first { $0["term"]?.string == "group=c" }?["coef"]?.number)
        #expect(abs(c - expected) <= 1e-12 * abs(expected))
        #expect(model["n"]?.number == refModel["n"]?.number)
        T.noNaN(result)
    }

    /// A covariate on a scale of 1e-300: its coefficient is finite, exp(coef) is not, so the
    /// hazard ratio is null with a reason and a warning, never Infinity.
    @Test func anOverflowingHazardRatioIsNullWithReason() async throws {
        let base = T.csv().split(separator: "\n").map(String.init)
        var lines = [base[0]]
        for line in base.dropFirst() {
            var f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            f[4] = "\(Double(f[4]) ?? 0)e-300"
            lines.append(f.joined(separator: ","))
        }
        let result = try await T.run("    univariable: [age]\n", csv: lines.joined(separator: "\n") + "\n")
        let model = try #require(result["models"]?.array.first)
        let age = try #require(model["terms"]?.array.first)
        #expect(age["hr"] == .null && age["coef"] == .null)
        #expect((age["reason"]?.string ?? "").contains("too large"))
        #expect(T.codes(result).contains("not_estimable"))
        T.noNaN(result)
    }

    /// Every patient dies at the same time: no pair is comparable, so the concordance is null
    /// with a reason (the model itself is fitted).
    @Test func noComparablePairsGiveANullConcordanceWithReason() async throws {
        var lines = ["time,dead,group,centre,age,flat"]
        for k in 0..<12 { lines.append("5,yes,\(["a", "b", "c"][k % 3]),x,\(40 + k * 3),5") }
        let result = try await T.run("    univariable: [age]\n", csv: lines.joined(separator: "\n") + "\n")
        let model = try #require(result["models"]?.array.first)
        #expect(model["concordance"] == .null)
        #expect((model["concordance_reason"]?.string ?? "").contains("comparable"))
        #expect(model["loglik"]?.array.count == 2)
        #expect(model["loglik_reason"] == .null)
        #expect(T.codes(result).contains("not_estimable"))
    }

    /// Crossing strata columns: a patient missing one of them is left out of the model.
    @Test func aMissingStratumValueLeavesThePatientOut() async throws {
        var lines = T.csv().split(separator: "\n").map(String.init)
        var f = lines[5].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        f[3] = ""
        lines[5] = f.joined(separator: ",")
        let result = try await T.run("    univariable: [age]\n    strata: [centre, group]\n", csv: lines.joined(separator: "\n") + "\n")
        let model = try #require(result["models"]?.array.first)
        #expect(model["n"]?.number == 59)
        #expect(model["terms"]?.array.first?["coef"]?.number != nil)
    }
}
