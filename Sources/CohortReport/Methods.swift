/// A sentence of the run's "Statistical analysis" paragraph, written by the analysis that ran,
/// with the works it cites (numbered in order of first citation when the paragraph is composed).
public struct MethodsStatement: Sendable, Hashable {
    public var text: String
    public var references: [Reference]

    public init(_ text: String, references: [Reference] = []) {
        self.text = text
        self.references = references
    }
}

/// A work cited by the methods paragraph, in Vancouver style.
public struct Reference: Sendable, Hashable {
    public let citation: String

    public init(_ citation: String) { self.citation = citation }

    public static let kaplanMeier = Reference(
        "Kaplan EL, Meier P. Nonparametric estimation from incomplete observations. J Am Stat Assoc. 1958;53(282):457–81.")
    public static let greenwood = Reference(
        "Greenwood M. The natural duration of cancer. Reports on Public Health and Medical Subjects. 1926;33:1–26.")
    public static let mantel = Reference(
        "Mantel N. Evaluation of survival data and two new rank order statistics arising in its consideration. Cancer Chemother Rep. 1966;50(3):163–70."
    )
    public static let petoPeto = Reference(
        "Peto R, Peto J. Asymptotically efficient rank invariant test procedures. J R Stat Soc Ser A. 1972;135(2):185–207.")
    public static let cox = Reference("Cox DR. Regression models and life-tables. J R Stat Soc Ser B. 1972;34(2):187–220.")
    public static let grambschTherneau = Reference(
        "Grambsch PM, Therneau TM. Proportional hazards tests and diagnostics based on weighted residuals. Biometrika. 1994;81(3):515–26.")
    public static let efron = Reference(
        "Efron B. The efficiency of Cox's likelihood function for censored data. J Am Stat Assoc. 1977;72(359):557–65.")
    public static let breslow = Reference("Breslow N. Covariance analysis of censored survival data. Biometrics. 1974;30(1):89–99.")
    public static let harrell = Reference(
        "Harrell FE, Califf RM, Pryor DB, Lee KL, Rosati RA. Evaluating the yield of medical tests. JAMA. 1982;247(18):2543–6.")
    public static let delong = Reference(
        "DeLong ER, DeLong DM, Clarke-Pearson DL. Comparing the areas under two or more correlated receiver operating characteristic curves: a nonparametric approach. Biometrics. 1988;44(3):837–45."
    )
    public static let youden = Reference("Youden WJ. Index for rating diagnostic tests. Cancer. 1950;3(1):32–5.")
    public static let gray = Reference(
        "Gray RJ. A class of K-sample tests for comparing the cumulative incidence of a competing risk. Ann Stat. 1988;16(3):1141–54.")
    public static let aalen = Reference(
        "Aalen O. Nonparametric estimation of partial transition probabilities in multiple decrement models. Ann Stat. 1978;6(3):534–45.")
    public static let roystonParmar = Reference(
        "Royston P, Parmar MKB. Restricted mean survival time: an alternative to the hazard ratio for the design and analysis of randomized trials with a time-to-event outcome. BMC Med Res Methodol. 2013;13:152."
    )
    public static let uno = Reference(
        "Uno H, Claggett B, Tian L, et al. Moving beyond the hazard ratio in quantifying the between-group difference in survival analysis. J Clin Oncol. 2014;32(22):2380–5."
    )
    public static let anderson = Reference(
        "Anderson JR, Cain KC, Gelber RD. Analysis of survival by tumor response. J Clin Oncol. 1983;1(11):710–9.")
    public static let schemper = Reference(
        "Schemper M, Smith TL. A note on quantifying follow-up in studies of failure time. Control Clin Trials. 1996;17(4):343–6.")
    public static let holm = Reference("Holm S. A simple sequentially rejective multiple test procedure. Scand J Stat. 1979;6(2):65–70.")
    public static let benjaminiHochberg = Reference(
        "Benjamini Y, Hochberg Y. Controlling the false discovery rate: a practical and powerful approach to multiple testing. J R Stat Soc Ser B. 1995;57(1):289–300."
    )
    public static let fisher = Reference(
        "Fisher RA. On the interpretation of χ² from contingency tables, and the calculation of P. J R Stat Soc. 1922;85(1):87–94.")
    public static let kruskalWallis = Reference(
        "Kruskal WH, Wallis WA. Use of ranks in one-criterion variance analysis. J Am Stat Assoc. 1952;47(260):583–621.")
    public static let wilcoxon = Reference("Wilcoxon F. Individual comparisons by ranking methods. Biometrics Bulletin. 1945;1(6):80–3.")
    public static let austinSMD = Reference(
        "Austin PC. Balance diagnostics for comparing the distribution of baseline covariates between treatment groups in propensity-score matched samples. Stat Med. 2009;28(25):3083–107."
    )
    public static let kanda = Reference(
        "Kanda Y. Investigation of the freely available easy-to-use software 'EZR' for medical statistics. Bone Marrow Transplant. 2013;48(3):452–8."
    )
    public static let rCore = Reference(
        "R Core Team. R: A language and environment for statistical computing. Vienna: R Foundation for Statistical Computing; 2022.")
    public static let therneauSurvival = Reference("Therneau TM. A package for survival analysis in R. R package version 3.5-3; 2023.")
    public static let robinPROC = Reference(
        "Robin X, Turck N, Hainard A, et al. pROC: an open-source package for R and S+ to analyze and compare ROC curves. BMC Bioinformatics. 2011;12:77."
    )
    public static let grayCmprsk = Reference("Gray B. cmprsk: Subdistribution analysis of competing risks. R package version 2.2-11; 2022.")
}

/// The "Statistical analysis" section of a run: the analyses' statements in pipeline order
/// (each sentence once), a closing sentence on the software and the R it agrees with, then the
/// works cited, numbered in order of first citation ("[1]").
public struct MethodsSection: Sendable, Hashable {
    /// The paragraph's sentences, references already numbered.
    public var paragraphs: [String]
    /// The numbered reference list ("1. Kaplan EL, …").
    public var references: [String]

    public init(statements: [MethodsStatement], software: MethodsStatement) {
        var numbers: [Reference: Int] = [:]
        var order: [Reference] = []
        var seen = Set<String>()
        var sentences: [String] = []
        for statement in statements + [software] where seen.insert(statement.text).inserted {
            var cited: [Int] = []
            for reference in statement.references {
                if numbers[reference] == nil {
                    order.append(reference)
                    numbers[reference] = order.count
                }
                if let n = numbers[reference], !cited.contains(n) { cited.append(n) }
            }
            var text = statement.text
            if !cited.isEmpty {
                // "… method [1, 2]." — the citation before the sentence's full stop.
                let mark = " [" + cited.map(String.init).joined(separator: ", ") + "]"
                if text.hasSuffix(".") { text = String(text.dropLast()) + mark + "." } else { text += mark }
            }
            sentences.append(text)
        }
        paragraphs = [sentences.joined(separator: " ")]
        references = order.enumerated().map { "\($0.offset + 1). \($0.element.citation)" }
    }

    /// The section as report blocks: "Statistical analysis", its paragraph, "References".
    public var blocks: [ReportBlock] {
        [.heading("Statistical analysis")] + paragraphs.map(ReportBlock.paragraph)
            + (references.isEmpty ? [] : [.heading("References")] + references.map(ReportBlock.paragraph))
    }

    /// methods.md: the same, as Markdown.
    public var markdown: String {
        var out = "## Statistical analysis\n\n"
        for p in paragraphs { out += MarkdownText.escape(p) + "\n\n" }
        if !references.isEmpty {
            out += "## References\n\n"
            for r in references { out += MarkdownText.escape(r) + "\n\n" }
        }
        return out
    }
}
