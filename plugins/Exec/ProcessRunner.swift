import CProcess

#if canImport(Glibc)
    import Glibc
#endif

/// Runs a program contained (see ``ExecContainment``): standard input written, output bounded,
/// a timeout, and no process of the program's left running when ``run(executable:arguments:input:timeout:maxOutput:environment:)``
/// returns.
///
/// The run is driven by one `poll(2)` loop on the calling thread over the pipes and a pidfd for
/// the shepherd: no thread per pipe, no sleeping, no `waitpid` polling. The plugin API's `run` is
/// synchronous, so the calling thread is the analysis's own and waits in `poll`. That thread must
/// be the one that forks and waits: the shepherd's parent-death signal (`PR_SET_PDEATHSIG`)
/// follows the forking *thread*, so an asynchronous version must fork from a thread that lives
/// as long as the run (a shared reactor thread), never from a pool thread that may exit.
enum ProcessRunner {
    /// How a run ended.
    enum Outcome: Sendable {
        case exited(status: Int32, stdout: [UInt8], stderr: [UInt8])
        case signaled(Int32)
        case timedOut
        case outputTooLarge
        /// The shepherd was stopped from outside (SIGTERM: cohortd is stopping).
        case stopped
        case failedToStart(String)
    }

    /// A run's outcome and what containment did.
    struct Run: Sendable {
        var outcome: Outcome
        /// Processes still running below the program when it ended, killed by the shepherd.
        var descendantsKilled: Int
        /// The Landlock ABI the program was confined with (0: not confined).
        var landlockABI: Int
        /// Inode numbers of the run's pipes (tests check that none stays open).
        var pipeInodes: [UInt64]
    }

    /// A failure before the program could be started.
    struct SetupError: Error {
        var message: String
        init(_ message: String) { self.message = message }
    }

    /// Longest timeout accepted (a day); the parameter reading rejects longer ones.
    static let maximumTimeout: Double = 86_400

    /// How long after the timeout the shepherd itself is killed if it has not ended the run.
    static let shepherdGrace: Duration = .seconds(5)

    private static let ignoreSIGPIPE: Void = {
        // A program that stops reading must give EPIPE on its standard input, not a SIGPIPE that ends cohortd.
        _ = signal(SIGPIPE, SIG_IGN)
    }()

    /// Runs `executable` (an absolute path) with `arguments`, `input` on standard input and exactly
    /// `environment` plus `TMPDIR` (its private directory, also its working directory).
    static func run(
        executable: String, arguments: [String], input: [UInt8], timeout: Double, maxOutput: Int,
        environment: [String: String]
    ) -> Run {
        ignoreSIGPIPE
        let abi = ExecContainment.capabilities.landlockABI
        let directory: PrivateDirectory
        do { directory = try PrivateDirectory() } catch {
            return Run(outcome: .failedToStart(error.message), descendantsKilled: 0, landlockABI: abi, pipeInodes: [])
        }
        defer { directory.remove() }
        var environment = environment
        environment["TMPDIR"] = directory.path
        let timeoutMilliseconds = Int64((min(max(timeout, 0.001), maximumTimeout) * 1000).rounded(.up))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for p in argv { free(p) }
            for p in envp { free(p) }
        }
        var child = cproc_child()
        let failure = executable.withCString { path in
            directory.path.withCString { workdir in
                argv.withUnsafeBufferPointer { argv in
                    envp.withUnsafeBufferPointer { envp in
                        var request = cproc_request(
                            path: path, argv: argv.baseAddress, envp: envp.baseAddress, workdir: workdir,
                            landlock_abi: Int32(abi), timeout_ms: timeoutMilliseconds)
                        return cproc_spawn(&request, &child)
                    }
                }
            }
        }
        guard failure == 0 else {
            return Run(
                outcome: .failedToStart("cannot start a process (\(String(cString: strerror(failure))))"), descendantsKilled: 0,
                landlockABI: abi, pipeInodes: [])
        }
        var session = RunSession(child: child, input: input, maxOutput: maxOutput)
        let inodes = session.pipeInodes
        let ended = session.drive(hardDeadline: ContinuousClock.now + .milliseconds(timeoutMilliseconds) + shepherdGrace)
        return Run(outcome: outcome(of: ended), descendantsKilled: Int(ended.report?.descendants_killed ?? 0), landlockABI: abi, pipeInodes: inodes)
    }

    /// The outcome of an ended session.
    static func outcome(of ended: RunSession.Ended) -> Outcome {
        if ended.outputTooLarge { return .outputTooLarge }
        guard let report = ended.report else {
            // The shepherd died without a word: killed at the hard deadline, or by someone else.
            if ended.forced { return .timedOut }
            return .signaled(ended.shepherdSignal)
        }
        switch UInt32(bitPattern: report.kind) {
        case CPROC_EXITED.rawValue: return .exited(status: report.value, stdout: ended.stdout, stderr: ended.stderrTail)
        case CPROC_SIGNALED.rawValue: return .signaled(report.value)
        case CPROC_TIMED_OUT.rawValue: return .timedOut
        case CPROC_STOPPED.rawValue: return .stopped
        default:
            let step: String
            switch UInt32(bitPattern: report.stage) {
            case CPROC_STAGE_CHDIR.rawValue: step = "entering its private directory"
            case CPROC_STAGE_LANDLOCK.rawValue: step = "confining it with Landlock"
            case CPROC_STAGE_FORK.rawValue: step = "creating its process"
            default: step = "executing it"
            }
            return .failedToStart("\(step) failed: \(String(cString: strerror(report.value)))")
        }
    }
}
