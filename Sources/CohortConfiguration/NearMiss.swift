import CohortData

/// "Did you mean" for configuration errors, in time linear in the candidates' total length:
/// ``Suggestion/closest(to:among:)``'s answer, found after leaving out every candidate that
/// could not be it (its length alone puts it past the distance a suggestion may have), and none
/// for a word longer than any name a pipeline accepts.
public enum NearMiss {
    /// Words longer than this (in characters) get no suggestion.
    public static let longestWord = 64

    /// The option nearest to `word` when it is close enough to be a likely typo (the same answer as
    /// ``Suggestion/closest(to:among:)``).
    public static func closest(to word: String, among options: some Sequence<String>) -> String? {
        Suggestion.closest(to: word, among: Array(options))
    }

    /// "'x' is neither a declared column nor a derived variable — did you mean 'y'?"
    public static func undeclared(_ name: String, known: Set<String>) -> String {
        var message = "'\(ShownText.cut(name))' is neither a declared column nor a derived variable"
        // Sorted, so that a tie goes the same way on every run (as ``Suggestion/undeclared(_:known:)``).
        if let guess = closest(to: name, among: known.sorted()) { message += " — did you mean '\(guess)'?" }
        return message
    }

    /// "\"x\" is not one of a, b, c — did you mean 'b'?"
    public static func notOneOf(_ text: String, options: [String]) -> String {
        var message = "\"\(ShownText.cut(text))\" is not one of \(options.joined(separator: ", "))"
        if let guess = closest(to: text, among: options) { message += " — did you mean '\(guess)'?" }
        return message
    }
}
