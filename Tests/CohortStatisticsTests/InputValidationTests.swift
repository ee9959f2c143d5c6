import CohortStatistics
import Testing

/// Bad input gives a typed error (or a documented not-estimable nil), never a trap or a NaN.
@Suite struct InputValidationTests {
    static func code(_ body: () throws -> Void) -> StatisticsError.Code? {
        do {
            try body()
            return nil
        } catch let error as StatisticsError { return error.code } catch { return nil }
    }

    @Test func survivalDataRejectsBadTimesAndEventCodes() {
        #expect(Self.code { _ = try SurvivalData(time: [1, -2], event: [1.0, 0]) } == .invalidTime)
        #expect(Self.code { _ = try SurvivalData(time: [1, .nan], event: [1.0, 0]) } == .invalidTime)
        #expect(Self.code { _ = try SurvivalData(time: [1, .infinity], event: [1.0, 0]) } == .invalidTime)
        #expect(Self.code { _ = try SurvivalData(time: [1, 2], event: [1.0, 2]) } == .invalidEvent)
        #expect(Self.code { _ = try SurvivalData(time: [1, 2], event: [true]) } == .lengthMismatch)
        do {
            _ = try SurvivalData(time: [1, 2, -3], event: [1.0, 0, 1])
        } catch let error as StatisticsError {
            #expect(error.message.contains("-3.0") && error.message.contains("observation 3"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func kaplanMeierOnNothingOrEverybodyCensored() throws {
        #expect(Self.code { _ = try KaplanMeier(time: [], event: [], confidence: SurvivalConfidence(type: .log)) } == .emptyInput)
        let km = try KaplanMeier(time: [2, 3, 5], event: [false, false, false], confidence: SurvivalConfidence(type: .logLog))
        #expect(km.events == 0)
        #expect(km.median.estimate == nil && km.median.lower == nil && km.median.upper == nil)
        // S = 1 throughout: R's survfit_confint gives no log-log limits there, 1 and 1 for log and plain.
        #expect(km.rows.allSatisfy { $0.survival == 1 && $0.lower == nil && $0.upper == nil })
        for type in [SurvivalConfidenceType.log, .plain] {
            let other = try KaplanMeier(time: [2, 3, 5], event: [false, false, false], confidence: SurvivalConfidence(type: type))
            #expect(other.rows.allSatisfy { $0.survival == 1 && $0.lower == 1 && $0.upper == 1 })
        }
        #expect(Self.code { _ = try SurvivalConfidence(type: .log, level: 1.5) } == .invalidParameter)
    }

    @Test func logRankNeedsTwoGroupsAndEvents() throws {
        let data = try SurvivalData(time: [1, 2, 3, 4], event: [1.0, 1, 0, 1])
        #expect(Self.code { _ = try LogRankTest(data, group: [0, 0, 0, 0], groupCount: 2) } == .tooFewGroups)
        #expect(Self.code { _ = try LogRankTest(data, group: [0, 1, -1, 0], groupCount: 2, rho: -1) } == .invalidParameter)
        #expect(Self.code { _ = try LogRankTest(data, group: [0, 1, 3, 0], groupCount: 2) } == .invalidParameter)
        let censored = try SurvivalData(time: [1, 2, 3, 4], event: [0.0, 0, 0, 0])
        #expect(Self.code { _ = try LogRankTest(censored, group: [0, 1, 0, 1], groupCount: 2) } == .tooFewEvents)
    }

    @Test func rocNeedsCasesControlsAndAVaryingPredictor() throws {
        #expect(Self.code { _ = try ROCCurve(predictor: [1, 2], outcome: [true, true]) } == .emptyGroup)
        #expect(Self.code { _ = try ROCCurve(predictor: [1, 2], outcome: [false, false]) } == .emptyGroup)
        #expect(Self.code { _ = try ROCCurve(predictor: [3, 3, 3], outcome: [true, false, true]) } == .constantPredictor)
        #expect(Self.code { _ = try ROCCurve(predictor: [1, .infinity], outcome: [true, false]) } == .invalidValue)
        // Missing predictor values are left out and counted; one case means no DeLong CI (nil).
        let curve = try ROCCurve(predictor: [1, .nan, 2, 3], outcome: [true, false, false, false])
        #expect(curve.missing == 1)
        #expect(try curve.aucConfidenceInterval() == nil)
        #expect(curve.auc == 0 || curve.auc == 1)
    }

    @Test func coxReportsWhatItCannotEstimate() throws {
        let data = try SurvivalData(time: [1, 2, 3, 4, 5], event: [0.0, 0, 0, 0, 0])
        var design = CoxDesign()
        design.addNumeric("age", [50, 60, 70, 55, 65])
        #expect(Self.code { _ = try CoxModel(data, design: design) } == .tooFewEvents)
        let dead = try SurvivalData(time: [1, 2, 3, 4, 5], event: [1.0, 0, 1, 1, 0])
        var constant = CoxDesign()
        constant.addNumeric("age", [50, 50, 50, 50, 50])
        #expect(Self.code { _ = try CoxModel(dead, design: constant) } == .constantPredictor)
        var collinear = CoxDesign()
        collinear.addNumeric("a", [1, 2, 3, 4, 6])
        collinear.addNumeric("b", [2, 4, 6, 8, 12])
        #expect(Self.code { _ = try CoxModel(dead, design: collinear) } == .singularMatrix)
        var missing = CoxDesign()
        missing.addNumeric("a", [.nan, .nan, .nan, .nan, .nan])
        #expect(Self.code { _ = try CoxModel(dead, design: missing) } == .emptyInput)
        #expect(Self.code { _ = try CoxModel(dead, design: CoxDesign()) } == .emptyInput)
    }

    @Test func binsParseAndAssign() throws {
        let bins = try IntegerBins(["1-5", "6-10", "11-"])
        #expect(try bins.codes([1, 5, 6, 10, 11, 42, .nan]) == [0, 0, 1, 1, 2, 2, -1])
        #expect(Self.code { _ = try bins.codes([0]) } == .outsideBins)
        #expect(Self.code { _ = try IntegerBins(["1-5", "5-10"]) } == .invalidParameter)
        #expect(Self.code { _ = try IntegerBins(["ten"]) } == .invalidParameter)
        #expect(Self.code { _ = try IntegerBins(["9-3"]) } == .invalidParameter)
        let summary = try CategoricalSummary(codes: try bins.codes([1, 2, 7, 12]), levelCount: 3)
        #expect(summary.levels.map(\.count) == [2, 1, 1])
        #expect(summary.levels[0].percent == 50)
    }

    @Test func aSummaryFromCountsIsTheSummaryOfTheCodes() throws {
        let fromCodes = try CategoricalSummary(codes: [0, 2, -1, 2, 2, -1, 0], levelCount: 4)
        let fromCounts = CategoricalSummary(counts: [2, 0, 3, 0], missing: 2)
        #expect(fromCounts == fromCodes)
        #expect(fromCounts.count == 5 && fromCounts.missing == 2 && fromCounts.levels[2].percent == 60 && fromCounts.levels[3].count == 0)
        #expect(CategoricalSummary(counts: [0, 0], missing: 3).levels.allSatisfy { $0.percent == nil })
    }

    @Test func descriptivesOfNothingAreNil() {
        let s = ContinuousSummary([.nan, .nan])
        #expect(s.count == 0 && s.missing == 2 && s.median == nil && s.mean == nil && s.standardDeviation == nil)
        let one = ContinuousSummary([4])
        #expect(one.median == 4 && one.standardDeviation == nil)
    }
}

/// Integer bins: overlaps found among many bins without comparing every pair.
@Suite struct IntegerBinsTests {
    @Test func overlapsAreFoundWhereverTheyAre() throws {
        #expect(throws: StatisticsError.self) { try IntegerBins(["1-10", "20-30", "2-3"]) }
        #expect(throws: StatisticsError.self) { try IntegerBins(["11-", "1-5", "40-50"]) }
        #expect(throws: StatisticsError.self) { try IntegerBins(["1-5", "5-9"]) }
        let many = (0..<40_000).map { "\($0 * 10)-\($0 * 10 + 9)" }.reversed()
        #expect(try IntegerBins(Array(many)).bins.count == 40_000)
        #expect(throws: StatisticsError.self) { try IntegerBins(Array(many) + ["123-124"]) }
    }
}
