public import CohortData

/// A pipeline file (contract `pipeline.md`, version 1), decoded and checked except for the
/// analyses' own parameters, which their plugins decode from ``AnalysisSpec/node``.
public struct Pipeline: Sendable {
    /// Defaults for confidence type and Cox ties.
    public enum Profile: String, Sendable, Hashable, CaseIterable {
        /// EZR: KM CI log-log, Cox ties Breslow.
        case ezr
        /// R's own defaults: log, Efron.
        case r
    }

    /// `survival:` — which columns are follow-up time and event.
    public struct Survival: Sendable, Hashable {
        public var time: String
        public var event: String
        public var unit: String
        public var node: YAMLNode
    }

    /// `competing:` — competing risks (`analyses-v2.md`, "cumulative_incidence"): a follow-up time
    /// and a category column with one level per event type, `censored` naming its levels that
    /// mean "no event".
    public struct Competing: Sendable, Hashable {
        public var time: String
        public var status: String
        public var censored: [String]
        public var unit: String
        public var node: YAMLNode
    }

    /// One entry of `analyses:`.
    public struct AnalysisSpec: Sendable {
        public var id: String
        public var plugin: String
        /// The analysis's whole mapping (`id` and `plugin` included).
        public var node: YAMLNode
    }

    /// `report:`.
    public struct Report: Sendable, Hashable {
        public var title: String?
        public var minCell: Int
        /// The files a run folder holds besides results.json (`outputs:`, every one by default).
        public var outputs: Set<ReportOutput>

        public init(title: String? = nil, minCell: Int = 0, outputs: Set<ReportOutput> = ReportOutput.all) {
            self.title = title
            self.minCell = minCell
            self.outputs = outputs
        }
    }

    public var name: String
    public var profile: Profile?
    public var title: String?
    public var match: [String]
    public var input: InputOptions
    public var columns: [ColumnSpec]
    public var derivations: [Derivation]
    public var cohort: [CohortStep]
    public var survival: Survival?
    public var competing: Competing?
    public var analyses: [AnalysisSpec]
    public var report: Report
    /// Display labels for variables (`labels: {age: "Age (years)"}`), used by reports.
    public var labels: [String: String]
    /// The file the pipeline came from, as named to the loader.
    public var file: String

    /// The display label of a variable (its name when no label is given).
    public func label(_ variable: String) -> String { labels[variable] ?? variable }

    static let topKeys = [
        "name", "profile", "title", "match", "input", "columns", "derive", "cohort",
        "survival", "competing", "analyses", "report", "labels",
    ]

    /// Decodes a pipeline from its YAML text.
    ///
    /// - Throws: ``ConfigurationError`` located at the offending node.
    public init(yaml text: String, file: String) throws {
        try self.init(node: YAMLParser.parse(text, file: file))
    }

    public init(node root: YAMLNode) throws {
        let top = try root.mapping(allowing: Self.topKeys)
        file = root.file
        let nameNode = try top.required("name")
        name = try nameNode.string()
        guard Self.isValidName(name) else {
            throw nameNode.error(
                .invalidValue,
                "name '\(ShownText.cut(name))' must match [a-z0-9][a-z0-9-]* and be at most \(Self.maximumNameLength) characters "
                    + "(it names the pipeline's results directory)")
        }
        profile = try top["profile"].map { try $0.choice(Profile.self) }
        title = try top["title"]?.string()
        let matchNode = try top.required("match")
        match = try matchNode.stringList()
        if match.isEmpty { throw matchNode.error(.invalidValue, "match needs at least one glob") }
        input = try top["input"].map(Self.input) ?? InputOptions()
        let columnsNode = try top.required("columns")
        columns = try Self.columns(columnsNode)
        var known = Set(columns.map(\.name))
        derivations = []
        if let deriveNode = top["derive"] {
            for pair in try deriveNode.anyMapping().pairs {
                let name = try pair.key.string()
                if known.contains(name) { throw pair.key.error(.duplicate, "'\(ShownText.cut(name))' is already declared or derived") }
                let expression = try ExpressionDecoder(known: known).decode(pair.value)
                derivations.append(Derivation(name: name, expression: expression))
                known.insert(name)
            }
        }
        cohort = try top["cohort"].map { try Self.cohort($0, known: known) } ?? []
        if let s = top["survival"] {
            let m = try s.mapping(allowing: ["time", "event", "unit"])
            let time = try m.required("time")
            let event = try m.required("event")
            for v in [time, event] where !known.contains(try v.string()) {
                throw v.error(.undeclaredVariable, Self.undeclared(try v.string(), known: known))
            }
            survival = Survival(
                time: try time.string(), event: try event.string(),
                unit: try m["unit"]?.string() ?? "months", node: s)
        } else {
            survival = nil
        }
        if let c = top["competing"] {
            competing = try Self.competing(c, columns: columns, known: known, survivalUnit: survival?.unit)
        } else {
            competing = nil
        }
        let analysesNode = try top.required("analyses")
        var ids = Set<String>()
        analyses = []
        for item in try analysesNode.list() {
            let m = try item.anyMapping()
            let idNode = try m.required("id")
            let id = try idNode.string()
            guard Self.isValidID(id) else {
                throw idNode.error(
                    .invalidValue,
                    "id '\(ShownText.cut(id))' must match [A-Za-z0-9][A-Za-z0-9_-]* and be at most \(Self.maximumNameLength) characters "
                        + "(it names the analysis's files in a run folder)")
            }
            if !ids.insert(id).inserted { throw idNode.error(.duplicate, "analysis id '\(id)' is used twice") }
            analyses.append(AnalysisSpec(id: id, plugin: try m.required("plugin").string(), node: item))
        }
        labels = [:]
        if let l = top["labels"] {
            for pair in try l.anyMapping().pairs {
                let name = try pair.key.string()
                guard known.contains(name) else { throw pair.key.error(.undeclaredVariable, Self.undeclared(name, known: known)) }
                labels[name] = try pair.value.string()
            }
        }
        if let r = top["report"] {
            let m = try r.mapping(allowing: ["title", "min_cell", "outputs"])
            let minCell = try m["min_cell"]?.int() ?? 0
            if minCell < 0, let node = m["min_cell"] { throw node.error(.invalidValue, "min_cell must be 0 or more") }
            report = Report(
                title: try m["title"]?.string(), minCell: minCell, outputs: try m["outputs"].map(Self.reportOutputs) ?? ReportOutput.all)
        } else {
            report = Report()
        }
    }

    /// Decodes `report: outputs: [html, md, csv, svg, pdf, png, docx]`: each value one of those,
    /// once (an empty list leaves results.json alone); a single value is a list of one.
    ///
    /// - Throws: `invalid_value` at an unknown value (with a suggestion for a near miss),
    ///   `duplicate` at a value given twice, `wrong_type` for a mapping.
    static func reportOutputs(_ node: YAMLNode) throws -> Set<ReportOutput> {
        let items: [YAMLNode]
        if case .scalar = node.content { items = [node] } else { items = try node.list() }
        var outputs = Set<ReportOutput>()
        for item in items {
            let output = try item.choice(ReportOutput.self)
            if !outputs.insert(output).inserted { throw item.error(.duplicate, "output '\(output.rawValue)' is listed twice") }
        }
        return outputs
    }

    /// Decodes `competing: {time, status, censored, unit}`: `status` a category column; `censored`
    /// one or more of its levels, leaving at least one event type when the levels are declared.
    static func competing(_ node: YAMLNode, columns: [ColumnSpec], known: Set<String>, survivalUnit: String?) throws -> Competing {
        let m = try node.mapping(allowing: ["time", "status", "censored", "unit"])
        let time = try m.required("time")
        let status = try m.required("status")
        for v in [time, status] where !known.contains(try v.string()) {
            throw v.error(.undeclaredVariable, Self.undeclared(try v.string(), known: known))
        }
        let statusName = try status.string()
        let declared = columns.first { $0.name == statusName }
        if let declared, declared.kind != .category {
            throw status.error(
                .invalidValue,
                "the competing status '\(statusName)' is a \(declared.kind.rawValue) column; it must be a category (one level per event type)")
        }
        if declared == nil { throw status.error(.invalidValue, "the competing status '\(statusName)' must be a declared category column") }
        let censoredNode = try m.required("censored")
        let censored = try censoredNode.stringList()
        var items: [YAMLNode] = [censoredNode]
        if case .sequence(let list) = censoredNode.content { items = list }
        if censored.isEmpty { throw censoredNode.error(.invalidValue, "censored needs at least one level of '\(statusName)'") }
        if let declared, declared.levels.mapping != nil {
            let levels = declared.levels.labels
            for (k, level) in censored.enumerated() where !levels.contains(level) {
                throw items[min(k, items.count - 1)].error(
                    .invalidValue,
                    "'\(ShownText.cut(level))' is not a level of '\(statusName)' (its levels: \(levels.map { ShownText.cut($0) }.joined(separator: ", ")))"
                )
            }
            if levels.allSatisfy({ censored.contains($0) }) {
                throw censoredNode.error(.invalidValue, "every level of '\(statusName)' is listed as censored: no event type is left")
            }
        }
        return Competing(
            time: try time.string(), status: statusName, censored: censored,
            unit: try m["unit"]?.string() ?? survivalUnit ?? "months", node: node)
    }

    /// The longest pipeline name or analysis id (a directory name and file names in a run folder,
    /// with room for the run id and extensions within NAME_MAX).
    public static let maximumNameLength = 64

    /// `[a-z0-9][a-z0-9-]*`, at most ``maximumNameLength`` characters.
    static func isValidName(_ name: String) -> Bool {
        let scalars = name.unicodeScalars
        guard let first = scalars.first, first.isLowerAlphanumeric, name.utf8.count <= maximumNameLength else { return false }
        return scalars.allSatisfy { $0.isLowerAlphanumeric || $0 == "-" }
    }

    /// `[A-Za-z0-9][A-Za-z0-9_-]*`, at most ``maximumNameLength`` characters.
    static func isValidID(_ id: String) -> Bool {
        let scalars = id.unicodeScalars
        guard let first = scalars.first, first.isASCIIAlphanumeric, id.utf8.count <= maximumNameLength else { return false }
        return scalars.allSatisfy { $0.isASCIIAlphanumeric || $0 == "-" || $0 == "_" }
    }

    /// "'x' is neither declared nor derived — did you mean 'y'?"
    static func undeclared(_ name: String, known: Set<String>) -> String { NearMiss.undeclared(name, known: known) }

    static func input(_ node: YAMLNode) throws -> InputOptions {
        let m = try node.mapping(
            allowing: ["delimiter", "encoding", "decimal", "missing", "on_error", "max_record", "max_field", "max_header_name", "max_columns"])
        var options = InputOptions()
        if let n = m["max_record"] { options.limits.maxRecordBytes = try byteSize(n, "max_record") }
        if let n = m["max_field"] { options.limits.maxFieldBytes = try byteSize(n, "max_field") }
        if let n = m["max_header_name"] { options.limits.maxHeaderNameBytes = try byteSize(n, "max_header_name") }
        if let n = m["max_columns"] {
            let value = try n.int()
            guard value >= 1 else { throw n.error(.invalidValue, "max_columns must be 1 or more") }
            options.limits.maxColumns = value
        }
        if let d = m["delimiter"] {
            let text = try d.string()
            switch text {
            case "auto": options.delimiter = nil
            case ",", ";", "\t", "|": options.delimiter = text.utf8.first
            case "\\t", "tab": options.delimiter = 0x09
            default: throw d.error(.invalidValue, "delimiter must be auto, \",\", \";\", \"\\t\" or \"|\"")
            }
        }
        if let e = m["encoding"] {
            let text = try e.string().lowercased()
            switch text {
            case "utf-8", "utf8": options.encoding = .utf8
            case "windows-1252", "cp1252": options.encoding = .windows1252
            case "iso-8859-1", "latin1", "latin-1": options.encoding = .iso88591
            default: throw e.error(.invalidValue, "encoding must be utf-8, windows-1252 or iso-8859-1")
            }
        }
        if let d = m["decimal"] {
            switch try d.string() {
            case ".": options.decimalComma = false
            case ",": options.decimalComma = true
            default: throw d.error(.invalidValue, "decimal must be \".\" or \",\"")
            }
        }
        if let missing = m["missing"] { options.missing = try missing.stringList() }
        if let e = m["on_error"] { options.onError = try e.choice(InputOptions.OnError.self) }
        return options
    }

    /// A size in bytes: a whole number, or one with a unit B, KiB, MiB or GiB (`64KiB`, `1 MiB`).
    static func byteSize(_ node: YAMLNode, _ key: String) throws -> Int {
        let text = try node.string().trimmingCharacters()
        let units: [(String, Int)] = [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10), ("B", 1)]
        var number = Substring(text)
        var scale = 1
        if let (unit, factor) = units.first(where: { text.hasSuffix($0.0) }) {
            number = text.dropLast(unit.count)
            scale = factor
        }
        guard let value = Int(number.trimmingCharacters()), value >= 1, value <= (1 << 40) / scale else {
            throw node.error(
                .invalidValue, "\(key) must be a size of at least 1 byte: a whole number of bytes or one with B, KiB, MiB or GiB (64KiB)")
        }
        return value * scale
    }

    static func columns(_ node: YAMLNode) throws -> [ColumnSpec] {
        var specs: [ColumnSpec] = []
        for pair in try node.anyMapping().pairs {
            let name = try pair.key.string()
            let value = pair.value
            if case .scalar = value.content {
                specs.append(ColumnSpec(name: name, kind: try value.choice(ColumnKind.self)))
                continue
            }
            let m = try value.mapping(allowing: ["type", "levels", "other", "format", "true", "false", "required"])
            let kind = try m.required("type").choice(ColumnKind.self)
            var spec = ColumnSpec(name: name, kind: kind)
            if let levels = m["levels"] {
                guard kind == .category else { throw levels.error(.invalidValue, "levels apply to category columns only") }
                switch levels.content {
                case .sequence(let items):
                    let values = try items.map { try $0.string() }
                    spec.levels.mapping = values.map { ($0, $0) }
                case .mapping:
                    spec.levels.mapping = try levels.anyMapping().pairs.map { (try $0.key.string(), try $0.value.string()) }
                case .scalar:
                    throw levels.error(.wrongType, "levels must be a list of values or a mapping value: label")
                }
            }
            if let other = m["other"] {
                guard kind == .category else { throw other.error(.invalidValue, "other applies to category columns only") }
                spec.levels.other = try other.string()
            }
            if let format = m["format"] {
                guard kind == .date else { throw format.error(.invalidValue, "format applies to date columns only") }
                spec.dateFormats = try format.stringList()
                for (k, pattern) in spec.dateFormats.enumerated() where DatePatternCheck.isValid(pattern) == false {
                    let at = (try? format.list())?[k] ?? format
                    throw at.error(.invalidValue, "date format '\(ShownText.cut(pattern))' needs yyyy (or yy), M or MM, and d or dd")
                }
            }
            if let t = m["true"] { spec.trueTokens = try t.stringList() }
            if let f = m["false"] { spec.falseTokens = try f.stringList() }
            if m["true"] != nil || m["false"] != nil, kind != .boolean {
                throw value.error(.invalidValue, "true and false apply to boolean columns only")
            }
            if let r = m["required"] { spec.required = try r.bool() }
            specs.append(spec)
        }
        if specs.isEmpty { throw node.error(.invalidValue, "columns must declare at least one column") }
        return specs
    }

    static func cohort(_ node: YAMLNode, known: Set<String>) throws -> [CohortStep] {
        try node.list().map { item in
            let m = try item.mapping(allowing: ["keep", "drop", "reason"])
            let keep = m["keep"]
            let drop = m["drop"]
            guard (keep == nil) != (drop == nil), let conditionNode = keep ?? drop else {
                throw item.error(.invalidValue, "a cohort step has exactly one of keep or drop")
            }
            var conditions: [(String, String)] = []
            for pair in try conditionNode.anyMapping().pairs {
                let column = try pair.key.string()
                guard known.contains(column) else { throw pair.key.error(.undeclaredVariable, undeclared(column, known: known)) }
                conditions.append((column, try pair.value.string()))
            }
            let reason = try m["reason"]?.string() ?? conditions.map { "\($0.0) = \($0.1)" }.joined(separator: ", ")
            return CohortStep(action: keep != nil ? .keep : .drop, conditions: conditions, reason: reason)
        }
    }
}

/// Decodes `derive:` formulas, checking every variable they use.
struct ExpressionDecoder {
    let known: Set<String>
    static let operators = [
        "years_between", "months_between", "days_between", "first_of", "equals", "in", "not",
        "greater_than", "less_than",
    ]

    func decode(_ node: YAMLNode) throws -> Expression {
        if case .scalar = node.content {
            let name = try node.string()
            guard known.contains(name) else { throw node.error(.undeclaredVariable, Pipeline.undeclared(name, known: known)) }
            return .column(name)
        }
        let m = try node.mapping(allowing: Self.operators)
        guard m.pairs.count == 1, let pair = m.pairs.first else {
            throw node.error(.invalidValue, "a formula has exactly one operator (\(Self.operators.joined(separator: ", ")))")
        }
        let op = try pair.key.string()
        let arg = pair.value
        func two() throws -> (Expression, Expression) {
            let items = try arg.list()
            guard items.count == 2 else { throw arg.error(.invalidValue, "\(op) takes two operands") }
            return (try decode(items[0]), try decode(items[1]))
        }
        func operandAndValue() throws -> (Expression, YAMLNode) {
            let items = try arg.list()
            guard items.count == 2 else { throw arg.error(.invalidValue, "\(op) takes [variable, value]") }
            return (try decode(items[0]), items[1])
        }
        switch op {
        case "years_between":
            let (a, b) = try two()
            return .yearsBetween(a, b)
        case "months_between":
            let (a, b) = try two()
            return .monthsBetween(a, b)
        case "days_between":
            let (a, b) = try two()
            return .daysBetween(a, b)
        case "first_of":
            let items = try arg.list()
            guard !items.isEmpty else { throw arg.error(.invalidValue, "first_of needs at least one operand") }
            return .firstOf(try items.map(decode))
        case "equals":
            let (e, v) = try operandAndValue()
            return .equals(e, try v.string())
        case "in":
            let (e, v) = try operandAndValue()
            return .isIn(e, try v.stringList())
        case "not": return .not(try decode(arg))
        case "greater_than":
            let (e, v) = try operandAndValue()
            return .greaterThan(e, try v.double())
        default:
            let (e, v) = try operandAndValue()
            return .lessThan(e, try v.double())
        }
    }
}

/// Checks a date pattern the way the reader will compile it.
enum DatePatternCheck {
    static func isValid(_ pattern: String) -> Bool {
        let hasYear = pattern.contains("yy")
        let hasMonth = pattern.contains("M")
        let hasDay = pattern.contains("d")
        let letters = pattern.filter { $0.isLetter }
        return hasYear && hasMonth && hasDay && letters.allSatisfy { "yMdHhms".contains($0) }
    }
}

extension Unicode.Scalar {
    var isLowerAlphanumeric: Bool { ("a"..."z").contains(self) || ("0"..."9").contains(self) }
    var isASCIIAlphanumeric: Bool { isLowerAlphanumeric || ("A"..."Z").contains(self) }
}
