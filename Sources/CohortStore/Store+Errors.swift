import GRDB

extension Store {
    /// Whether a journal error is worth retrying: a busy or locked database, a full disk, an I/O
    /// error (SQLITE_BUSY, SQLITE_LOCKED, SQLITE_FULL, SQLITE_IOERR, SQLITE_CANTOPEN).
    public static func isTransient(_ error: any Error) -> Bool {
        guard let error = error as? DatabaseError else { return false }
        return [.SQLITE_BUSY, .SQLITE_LOCKED, .SQLITE_FULL, .SQLITE_IOERR, .SQLITE_CANTOPEN].contains(error.resultCode)
    }

    /// Whether the journal could not be written for lack of space (SQLITE_FULL, or an I/O error
    /// whose extended code is a short write).
    public static func isFull(_ error: any Error) -> Bool {
        guard let error = error as? DatabaseError else { return false }
        return error.resultCode == .SQLITE_FULL
    }

    /// A journal error's code for logs and error records ("SQLITE_FULL"), never its SQL or values.
    public static func describe(_ error: any Error) -> String {
        guard let error = error as? DatabaseError else { return String(describing: type(of: error)) }
        return "SQLite error \(error.extendedResultCode.rawValue)"
    }
}
