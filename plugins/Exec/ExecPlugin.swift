import CohortData
public import CohortJSON
public import CohortPluginAPI
public import CohortReport
import Foundation

/// `plugin: exec` — runs an external program as an analysis. It receives one JSON document on
/// standard input and writes its result as JSON on standard output:
///
/// ```json
/// {"analysis": "custom", "parameters": {…}, "survival": {"time": "os_months", "event": "dead", "unit": "months"},
///  "rows": 24, "columns": {"sex": {"type": "category", "values": ["Female", null, …]}, …}}
/// ```
/// Numbers and booleans are JSON numbers and booleans, categories their labels, dates ISO
/// `yyyy-MM-dd`, missing values `null`. A timeout, a non-zero exit, output that is not JSON or is
/// larger than `max_output` become this analysis's error; the other analyses still complete.
/// The program runs with an empty environment except `PATH`, `LANG`, `COHORTD_ANALYSIS` and
/// `TMPDIR`, in a private directory (`TMPDIR`, removed after the run) that is, where the kernel
/// has Landlock, the only place it may write (under the shipped unit nothing there can be
/// executed: `NoExecPaths`); every process it starts is killed when it ends
/// (see ``ExecContainment``). A relative program resolves against the pipeline file's directory;
/// a program that is missing or not executable, a negative `max_output` and a timeout that is not
/// positive or longer than a day are configuration errors.
public enum ExecPlugin: AnalysisPlugin {
    public static let name = "exec"

    public enum Key: String, ParameterKey {
        case command, variables, timeout, parameters, max_output, title
    }

    public struct Parameters: Sendable {
        public var id: String
        public var command: [String]
        public var variables: [String]
        public var timeout: Double
        public var parameters: JSONValue
        public var maxOutput: Int
        public var title: String?
    }

    public typealias Output = JSONValue

    public static func parameters(from m: ParameterMapping<Key>, context: AnalysisContext) throws -> Parameters {
        let commandNode = try m.required(.command)
        let command = try commandNode.strings()
        let programNode = commandNode.shape == .list ? try commandNode.items().first ?? commandNode : commandNode
        guard let program = command.first, !program.isEmpty else { throw commandNode.error(.invalidValue, "command needs a program") }
        if let problem = ProgramCheck.problem(program, pipelineDirectory: context.pipelineDirectory) {
            throw programNode.error(.invalidValue, problem)
        }
        let timeout = try m.number(.timeout) ?? 30
        if !(timeout > 0 && timeout <= ProcessRunner.maximumTimeout), let node = m[.timeout] {
            throw node.error(.invalidValue, "timeout must be a positive number of seconds, at most \(Int(ProcessRunner.maximumTimeout)) (a day)")
        }
        let maxOutput = try m.integer(.max_output) ?? 16 << 20
        if maxOutput < 1, let node = m[.max_output] { throw node.error(.invalidValue, "max_output must be a positive number of bytes") }
        let variables = try m[.variables].map { try context.variables($0) } ?? []
        return Parameters(
            id: context.id, command: command, variables: variables, timeout: timeout,
            parameters: m[.parameters]?.json() ?? .object([]), maxOutput: maxOutput, title: try m.string(.title))
    }

    public static func run(_ p: Parameters, input: AnalysisInput) throws -> JSONValue {
        let program = ProgramCheck.resolve(p.command[0], pipelineDirectory: input.pipelineDirectory)
        let payload = try requestDocument(p, input: input)
        let run = ProcessRunner.run(
            executable: program, arguments: Array(p.command.dropFirst()),
            input: Array(payload.serialized(indent: 0).utf8), timeout: p.timeout,
            maxOutput: p.maxOutput,
            environment: [
                "PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "COHORTD_ANALYSIS": p.id,
            ])
        switch run.outcome {
        case .timedOut: throw AnalysisError(.init("timeout"), "timed out after \(Format.short(p.timeout)) s")
        case .outputTooLarge: throw AnalysisError(.init("output_too_large"), "wrote more than \(p.maxOutput) bytes of output")
        case .failedToStart(let reason): throw AnalysisError(.init("failed_to_start"), "could not start \(p.command[0]): \(reason)")
        case .signaled(let signal): throw AnalysisError(.init("killed"), "was killed by signal \(signal)")
        case .stopped: throw AnalysisError(.init("stopped"), "was stopped before it finished (cohortd is stopping)")
        case .exited(let status, let stdout, let stderr):
            guard status == 0 else {
                let tail = String(decoding: stderr.suffix(500), as: UTF8.self).trimmingCharacters()
                throw AnalysisError(.init("exit_status"), "exited with status \(status)" + (tail.isEmpty ? "" : ": \(tail)"))
            }
            do { return try JSONParser.parse(stdout) } catch {
                throw AnalysisError(.init("bad_output"), "did not write JSON on standard output (\(error))")
            }
        }
    }

    static func requestDocument(_ p: Parameters, input: AnalysisInput) throws -> JSONValue {
        var columns: [(key: String, value: JSONValue)] = []
        for name in p.variables {
            let column = try input.column(name)
            let values: [JSONValue]
            switch column.data {
            case .number(let v): values = v.map { $0.isNaN ? .null : .number($0) }
            case .boolean(let v): values = v.map { $0 < 0 ? .null : .bool($0 == 1) }
            case .category(let codes, let levels): values = codes.map { $0 < 0 ? .null : .string(levels[Int($0)]) }
            case .id(let v): values = v.map { $0.isEmpty ? .null : .string($0) }
            case .date(let v): values = v.map { $0 == ColumnData.missingDate ? .null : .string(CivilDate.iso($0)) }
            }
            columns.append((name, .object([("type", .string(column.kind.rawValue)), ("values", .array(values))])))
        }
        var survival: JSONValue = .null
        if let s = input.survivalOutcome {
            survival = .object([("time", .string(s.time)), ("event", .string(s.event)), ("unit", .string(s.unit))])
        }
        return .object([
            ("analysis", .string(p.id)), ("parameters", p.parameters), ("survival", survival),
            ("rows", .number(Double(input.table.rowCount))), ("columns", .object(columns)),
        ])
    }

    public static func report(_ output: JSONValue, parameters p: Parameters, context: ReportContext) -> [ReportBlock] {
        [
            .heading(p.title ?? "\(p.id) (external analysis)"),
            .paragraph("The program \(p.command[0]) returned its result in results.json (analysis \(p.id))."),
        ]
    }
}
