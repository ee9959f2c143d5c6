import CohortConfiguration
import Testing

/// The configuration error `body` throws, or `nil` when it throws none (any other error is
/// recorded as an issue).
func configurationError(_ body: () throws -> Void) -> ConfigurationError? {
    do {
        try body()
        return nil
    } catch let error as ConfigurationError {
        return error
    } catch {
        Issue.record("unexpected error \(error)")
        return nil
    }
}
