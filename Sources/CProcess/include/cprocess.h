#ifndef CPROCESS_H
#define CPROCESS_H

#include <stdint.h>

/// What `cproc_spawn` starts: a program, contained.
///
/// The daemon forks a *shepherd* (a copy of itself that never execs and makes only
/// async-signal-safe calls). The shepherd makes itself a child subreaper, forks the program and,
/// when the program ends, the timeout passes, SIGTERM/SIGINT/SIGHUP arrives or the daemon goes
/// away, SIGKILLs every process left below it (orphans re-parent to it, whatever `setsid` or
/// double forks they did), reaps them, writes one `cproc_report` on the status pipe and exits.
struct cproc_request {
    /// The program to execve (an absolute path).
    const char *path;
    /// NULL-terminated argument and environment vectors.
    char *const *argv;
    char *const *envp;
    /// The program's working directory and the only place it may write (Landlock); NULL: none
    /// (the working directory is then inherited and nothing is writable under Landlock but /dev/null).
    const char *workdir;
    /// The Landlock ABI to confine the program with (`cproc_landlock_abi()`); 0: not confined.
    int landlock_abi;
    /// Milliseconds after which the shepherd kills the program and its descendants (> 0).
    int64_t timeout_ms;
};

/// The daemon's ends of a started shepherd. Every descriptor is close-on-exec and non-blocking.
struct cproc_child {
    /// The shepherd's pid; the caller reaps it (waitpid).
    int pid;
    /// A pidfd for the shepherd (readable when it has exited), or -1 where pidfd_open is missing.
    int pidfd;
    /// The write end of the program's standard input.
    int stdin_fd;
    /// The read ends of the program's standard output and error.
    int stdout_fd;
    int stderr_fd;
    /// The read end of the status pipe: one `cproc_report`, then end of file.
    int status_fd;
};

/// How the run ended, as the shepherd saw it.
enum cproc_kind {
    /// The program exited with `value` as status.
    CPROC_EXITED = 1,
    /// The program was killed by signal `value`.
    CPROC_SIGNALED = 2,
    /// The timeout passed; the program and its descendants were killed.
    CPROC_TIMED_OUT = 3,
    /// The shepherd was asked to stop (SIGTERM, SIGINT, SIGHUP, or the daemon went away).
    CPROC_STOPPED = 4,
    /// The program could not be started: `value` is the errno, `stage` says at which step.
    CPROC_START_FAILED = 5,
};

/// Steps of starting the program, for CPROC_START_FAILED.
enum cproc_stage {
    CPROC_STAGE_FORK = 1,
    CPROC_STAGE_CHDIR = 2,
    CPROC_STAGE_LANDLOCK = 3,
    CPROC_STAGE_EXEC = 4,
};

/// The record the shepherd writes on the status pipe before it exits.
struct cproc_report {
    int32_t kind;
    int32_t value;
    int32_t stage;
    /// Descendants that were still running when the program ended (or the run was stopped) and
    /// were killed by the shepherd.
    int32_t descendants_killed;
};

/// Starts a contained program (see `cproc_request`). Returns 0 and fills `child`, or an errno
/// (EMFILE, EAGAIN, ENOMEM...) with nothing left open.
int cproc_spawn(const struct cproc_request *request, struct cproc_child *child);

/// The Landlock ABI version this kernel offers (1, 2, ...), or 0 when Landlock is missing,
/// disabled, or the system call is filtered.
int cproc_landlock_abi(void);

/// How the shepherd finds the processes left below it: 1 through /proc/<pid>/task/<pid>/children
/// (CONFIG_PROC_CHILDREN), 2 by scanning /proc for processes whose parent it is, 0 when /proc
/// cannot be read (then only the program itself can be killed).
int cproc_descendant_listing(void);

#endif
