import CohortStatistics
import Testing

/// Kaplan–Meier, follow-up and per-group curves against R's survfit on lung and aml.
@Suite struct ReferenceKaplanMeierTests {
    static let cases = ["lung", "aml"]

    @Test(arguments: cases)
    func overallCurves(name: String) throws {
        let reference = try Fixture.json("\(name).json")
        let table = try Fixture.csv("\(name).csv")
        let data = try SurvivalData(time: table.numbers("time"), event: table.numbers("event"))
        let times = (reference["times"] as? [Double]) ?? []
        for (key, type) in [("log", SurvivalConfidenceType.log), ("log-log", .logLog), ("plain", .plain)] {
            let ref = reference[dict: "km"][dict: key]
            let km = try KaplanMeier(data.sorted(), confidence: SurvivalConfidence(type: type))
            #expect(km.count == ref.int("n"))
            #expect(km.events == ref.int("events"))
            let median = ref[dict: "median"]
            expectClose(km.median.estimate, median["estimate"], "\(name) \(key) median")
            expectClose(km.median.lower, median["lower"], "\(name) \(key) median lower")
            expectClose(km.median.upper, median["upper"], "\(name) \(key) median upper")

            let points = km.survival(at: times)
            let refPoints = ref[list: "at_times"]
            #expect(points.count == refPoints.count, "\(name) \(key) at_times count")
            for (p, r) in zip(points, refPoints) {
                expectClose(p.time, r["time"], "\(name) \(key) at time")
                #expect(p.atRisk == r.int("n_risk"), "\(name) \(key) n_risk at \(p.time)")
                expectClose(p.survival, r["survival"], "\(name) \(key) S(\(p.time))")
                expectClose(p.standardError, r["std_err"], "\(name) \(key) se(\(p.time))")
                expectClose(p.lower, r["lower"], "\(name) \(key) lower(\(p.time))")
                expectClose(p.upper, r["upper"], "\(name) \(key) upper(\(p.time))")
            }

            let refRows = ref[list: "table"]
            #expect(km.rows.count == refRows.count, "\(name) \(key) table rows")
            for (row, r) in zip(km.rows, refRows) {
                expectClose(row.time, r["time"], "\(name) \(key) time")
                #expect(row.atRisk == r.int("n_risk"))
                #expect(row.events == r.int("n_event"))
                #expect(row.censored == r.int("n_censor"))
                expectClose(row.survival, r["survival"], "\(name) \(key) S at \(row.time)")
                expectClose(row.standardError, r["std_err"], "\(name) \(key) se at \(row.time)")
                expectClose(row.lower, r["lower"], "\(name) \(key) lower at \(row.time)")
                expectClose(row.upper, r["upper"], "\(name) \(key) upper at \(row.time)")
            }
        }
    }

    @Test(arguments: cases)
    func curvesByGroup(name: String) throws {
        let reference = try Fixture.json("\(name).json")
        let table = try Fixture.csv("\(name).csv")
        let data = try SurvivalData(time: table.numbers("time"), event: table.numbers("event"))
        let times = (reference["times"] as? [Double]) ?? []
        let byGroup = reference[dict: "km_by"]
        #expect(!byGroup.isEmpty)
        for (variable, value) in byGroup {
            let strata = try #require(value as? [[String: Any]])
            let (codes, levels) = table.codes(variable)
            let groups = try data.sorted(byGroup: codes, groupCount: levels.count)
            #expect(levels == strata.compactMap { $0["level"] as? String })
            for (g, ref) in strata.enumerated() {
                let km = try KaplanMeier(groups[g], confidence: SurvivalConfidence(type: .logLog))
                let label = "\(name) \(variable)=\(levels[g])"
                #expect(km.count == ref.int("n"))
                #expect(km.events == ref.int("events"))
                expectClose(km.median.estimate, ref[dict: "median"]["estimate"], "\(label) median")
                expectClose(km.median.lower, ref[dict: "median"]["lower"], "\(label) median lower")
                expectClose(km.median.upper, ref[dict: "median"]["upper"], "\(label) median upper")
                let points = km.survival(at: times)
                let refPoints = ref[list: "at_times"]
                #expect(points.count == refPoints.count, "\(label) at_times count")
                for (p, r) in zip(points, refPoints) {
                    #expect(p.atRisk == r.int("n_risk"), "\(label) n_risk at \(p.time)")
                    expectClose(p.survival, r["survival"], "\(label) S(\(p.time))")
                    expectClose(p.standardError, r["std_err"], "\(label) se(\(p.time))")
                    expectClose(p.lower, r["lower"], "\(label) lower(\(p.time))")
                    expectClose(p.upper, r["upper"], "\(label) upper(\(p.time))")
                }
            }
        }
    }
}
