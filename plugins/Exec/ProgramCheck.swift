#if canImport(Glibc)
    import Glibc
#endif

/// Where an exec command's program is and whether it can run: resolved the same way when the
/// pipeline is validated and when it runs.
enum ProgramCheck {
    /// The program's path: itself when absolute, else relative to the pipeline file's directory.
    static func resolve(_ program: String, pipelineDirectory: String) -> String {
        program.hasPrefix("/") ? program : pipelineDirectory + "/" + program
    }

    /// Why `program` cannot run, or `nil` when it can (or cannot be told: a relative program with
    /// no pipeline directory known).
    static func problem(_ program: String, pipelineDirectory: String?) -> String? {
        guard program.hasPrefix("/") || pipelineDirectory != nil else { return nil }
        let path = resolve(program, pipelineDirectory: pipelineDirectory ?? "")
        let shown = path == program ? "'\(program)'" : "'\(program)' (\(path))"
        var info = stat()
        guard stat(path, &info) == 0 else {
            return errno == ENOENT || errno == ENOTDIR
                ? "the program \(shown) does not exist" : "the program \(shown) cannot be read (\(String(cString: strerror(errno))))"
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else { return "the program \(shown) is not a regular file" }
        guard access(path, X_OK) == 0 else { return "the program \(shown) is not executable" }
        return nil
    }
}
