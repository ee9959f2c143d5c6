/// Small text helpers shared by the reader and the configuration (which reports near misses).
public enum EditDistance {
    /// The Levenshtein distance between two strings (insertions, deletions, substitutions).
    public static func levenshtein(_ a: String, _ b: String) -> Int {
        let x = Array(a)
        let y = Array(b)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var previous = Array(0...y.count)
        var current = [Int](repeating: 0, count: y.count + 1)
        for i in 1...x.count {
            current[0] = i
            for j in 1...y.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[y.count]
    }
}

extension StringProtocol {
    /// The text without leading and trailing white space.
    public func trimmingCharacters() -> String {
        var s = Substring(self)
        while let c = s.first, c.isWhitespace { s = s.dropFirst() }
        while let c = s.last, c.isWhitespace { s = s.dropLast() }
        return String(s)
    }
}

/// "Did you mean" suggestions by edit distance.
public enum Suggestion {
    /// The option nearest to `word` when it is close enough to be a likely typo.
    public static func closest(to word: String, among options: [String]) -> String? {
        // In time linear in the candidates: no suggestion for a word longer than any name a
        // pipeline accepts, and a candidate whose length alone puts it past the distance a
        // suggestion may have (max(2, shorter length / 3)) is never scored.
        let length = word.count
        guard length <= 64 else { return nil }
        let reach = max(2, length / 3)
        let candidates = options.filter { option in
            var count = 0
            for _ in option {
                count += 1
                if count > length + reach { return false }
            }
            return abs(count - length) <= reach
        }
        let scored = candidates.map { ($0, EditDistance.levenshtein(word.lowercased(), $0.lowercased())) }
        guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
        let limit = max(2, min(word.count, best.0.count) / 3)
        return best.1 <= limit ? best.0 : nil
    }

    /// "\"x\" is not one of a, b, c — did you mean 'b'?"
    public static func notOneOf(_ text: String, options: [String]) -> String {
        var message = "\"\(Excerpt.of(text))\" is not one of \(options.joined(separator: ", "))"
        if let guess = closest(to: text, among: options) { message += " — did you mean '\(guess)'?" }
        return message
    }

    /// "'x' is neither a declared column nor a derived variable — did you mean 'y'?"
    public static func undeclared(_ name: String, known: Set<String>) -> String {
        var message = "'\(Excerpt.of(name))' is neither a declared column nor a derived variable"
        if let guess = closest(to: name, among: known.sorted()) { message += " — did you mean '\(guess)'?" }
        return message
    }
}
