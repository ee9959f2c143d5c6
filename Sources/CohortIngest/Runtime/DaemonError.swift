/// An error that stops the daemon from starting or a file from being processed.
public struct DaemonError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// drop, state and results are not on one filesystem.
        public static let crossDevice = Code("cross_device")
        /// A directory could not be created or opened.
        public static let directory = Code("directory")
        /// Another daemon holds the state directory's lock.
        public static let locked = Code("locked")
        /// The state directory vanished or was replaced while the daemon ran.
        public static let stateLost = Code("state_lost")
        /// Another daemon already watches this drop directory.
        public static let alreadyRunning = Code("already_running")
        /// A file operation failed.
        public static let io = Code("io")
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
