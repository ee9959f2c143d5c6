import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A fresh directory (mode 0700) for one run of a program: its working directory, its `TMPDIR`
/// and the only place Landlock lets it write. Removed, with whatever the program left, after the
/// run (every process that could write to it is dead by then).
struct PrivateDirectory {
    let path: String

    /// Creates `cohortd-exec-XXXXXX` under the temporary directory (`TMPDIR`, else /tmp).
    init() throws(ProcessRunner.SetupError) {
        let base = FileManager.default.temporaryDirectory.path
        var template = Array(((base.hasSuffix("/") ? base : base + "/") + "cohortd-exec-XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer in buffer.baseAddress.flatMap { mkdtemp($0).map { String(cString: $0) } } }
        guard let made else { throw ProcessRunner.SetupError("cannot create a private directory (\(String(cString: strerror(errno))))") }
        path = made
    }

    /// Removes the directory and its contents; a directory the program made unwritable is made
    /// writable first. Failures are ignored: the directory lives in the service's private /tmp.
    func remove() {
        let manager = FileManager.default
        if let walker = manager.enumerator(atPath: path) {
            for case let relative as String in walker {
                let full = path + "/" + relative
                var info = stat()
                if lstat(full, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR { chmod(full, 0o700) }
            }
        }
        try? manager.removeItem(atPath: path)
    }
}
