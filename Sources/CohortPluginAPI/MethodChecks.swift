public import CohortJSON

/// `checks: false` on an `analyses:` entry (any plugin): the analysis raises no method checks
/// (`analyses-v2.md`, "Common: warnings"). Its result's `warnings` is `[]` and the report prints
/// none, neither under the analysis nor in the "Checks" section. Read by the plugin API itself,
/// before the plugin's own keys, so every plugin accepts it; a plugin may read
/// ``AnalysisContext/checks`` to skip checks that cost time (Cox's default PH test).
public enum MethodChecks {
    /// The analysis-entry key.
    public static let key = "checks"

    /// The value of `checks:` in an `analyses:` entry: `true` when absent or null (checks are on
    /// by default); a value that is not a boolean is an error located at it.
    public static func enabled(in entry: any ParameterValue) throws -> Bool {
        for (name, value) in try entry.entries() where (try? name.string()) == key {
            if value.isNull { return true }
            guard value.shape == .scalar, let flag = try? value.boolean() else {
                throw value.error(.invalidValue, "checks must be true or false (false turns this analysis's method checks off)")
            }
            return flag
        }
        return true
    }

    /// `result` with its `warnings` key emptied (other keys unchanged); results without that key
    /// are returned as they are.
    public static func silenced(_ result: JSONValue) -> JSONValue {
        guard case .object(let pairs) = result else { return result }
        return .object(pairs.map { $0.key == "warnings" ? ($0.key, JSONValue.array([])) : $0 })
    }
}
