// The shepherd of an exec plugin's program: see cprocess.h.
//
// Everything between fork and exit/execve in the children uses system calls only (no malloc, no
// stdio, no locks), since the daemon that forks is multi-threaded: only async-signal-safe code may
// run in the child.
#define _GNU_SOURCE
#include "cprocess.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif
#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#endif
#ifndef SYS_landlock_add_rule
#define SYS_landlock_add_rule 445
#endif
#ifndef SYS_landlock_restrict_self
#define SYS_landlock_restrict_self 446
#endif

// Landlock's user API, defined here so that old kernel headers do not limit what is used.
#define LL_CREATE_RULESET_VERSION (1U << 0)
#define LL_RULE_PATH_BENEATH 1
#define LL_FS_WRITE_FILE (1ULL << 1)
#define LL_FS_REMOVE_DIR (1ULL << 4)
#define LL_FS_REMOVE_FILE (1ULL << 5)
#define LL_FS_MAKE_CHAR (1ULL << 6)
#define LL_FS_MAKE_DIR (1ULL << 7)
#define LL_FS_MAKE_REG (1ULL << 8)
#define LL_FS_MAKE_SOCK (1ULL << 9)
#define LL_FS_MAKE_FIFO (1ULL << 10)
#define LL_FS_MAKE_BLOCK (1ULL << 11)
#define LL_FS_MAKE_SYM (1ULL << 12)
#define LL_FS_REFER (1ULL << 13)    // ABI 2
#define LL_FS_TRUNCATE (1ULL << 14) // ABI 3
#define LL_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0) // ABI 6
#define LL_SCOPE_SIGNAL (1ULL << 1)               // ABI 6

struct ll_ruleset_attr {
    uint64_t handled_access_fs;
    uint64_t handled_access_net; // ABI 4
    uint64_t scoped;             // ABI 6
};

struct ll_path_beneath_attr {
    uint64_t allowed_access;
    int32_t parent_fd;
} __attribute__((packed));

// The shepherd's descriptors, moved to fixed numbers.
enum { FD_STATUS = 3, FD_WORKDIR = 4, FD_DEVNULL = 5, FD_FIRST_FREE = 6 };

int cproc_landlock_abi(void) {
    long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LL_CREATE_RULESET_VERSION);
    return abi > 0 ? (int)abi : 0;
}

int cproc_descendant_listing(void) {
    char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%d/children", (int)getpid());
    if (access(path, R_OK) == 0) return 1;
    if (access("/proc/self/stat", R_OK) == 0) return 2;
    return 0;
}

// ---- async-signal-safe helpers (children only) ----

static int64_t now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static char *put_int(char *p, long v) {
    char digits[24];
    int n = 0;
    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0);
    while (n > 0) *p++ = digits[--n];
    return p;
}

static char *put_text(char *p, const char *s) {
    while (*s) *p++ = *s++;
    return p;
}

/// Reads up to `size - 1` bytes of a small file into `buffer` (NUL-terminated). Returns the count or -1.
static long read_small(const char *path, char *buffer, long size) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    long total = 0;
    while (total < size - 1) {
        ssize_t n = read(fd, buffer + total, (size_t)(size - 1 - total));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        total += n;
    }
    close(fd);
    buffer[total] = 0;
    return total;
}

/// The children of this (single-threaded) process, from /proc/self/task/<pid>/children.
static int children_from_task(pid_t self, pid_t *out, int capacity) {
    static char buffer[16384];
    char path[64];
    char *p = put_text(path, "/proc/self/task/");
    p = put_int(p, self);
    p = put_text(p, "/children");
    *p = 0;
    if (read_small(path, buffer, sizeof buffer) < 0) return -1;
    int n = 0;
    long v = -1;
    for (char *c = buffer;; c++) {
        if (*c >= '0' && *c <= '9') {
            v = (v < 0 ? 0 : v * 10) + (*c - '0');
        } else {
            if (v > 0 && n < capacity) out[n++] = (pid_t)v;
            v = -1;
            if (*c == 0) break;
        }
    }
    return n;
}

struct dirent64_raw {
    uint64_t d_ino;
    int64_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

/// The children of this process, by reading the parent pid of every process in /proc.
static int children_from_scan(pid_t self, pid_t *out, int capacity) {
    static char entries[8192];
    int dir = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) return -1;
    int n = 0;
    for (;;) {
        long got = syscall(SYS_getdents64, dir, entries, sizeof entries);
        if (got <= 0) break;
        for (long offset = 0; offset < got;) {
            struct dirent64_raw *e = (struct dirent64_raw *)(entries + offset);
            offset += e->d_reclen;
            long pid = 0;
            const char *c = e->d_name;
            for (; *c >= '0' && *c <= '9'; c++) pid = pid * 10 + (*c - '0');
            if (*c != 0 || pid <= 0 || pid == self) continue;
            char path[64], stat[512];
            char *p = put_text(path, "/proc/");
            p = put_int(p, pid);
            p = put_text(p, "/stat");
            *p = 0;
            long length = read_small(path, stat, sizeof stat);
            if (length <= 0) continue;
            // "pid (comm) S ppid ...": the command may hold ')' and spaces; the last ')' ends it.
            char *close_paren = NULL;
            for (char *s = stat; *s; s++)
                if (*s == ')') close_paren = s;
            if (close_paren == NULL || close_paren[1] != ' ' || close_paren[2] == 0 || close_paren[3] != ' ') continue;
            long ppid = 0;
            for (c = close_paren + 4; *c >= '0' && *c <= '9'; c++) ppid = ppid * 10 + (*c - '0');
            if (ppid == self && n < capacity) out[n++] = (pid_t)pid;
        }
    }
    close(dir);
    return n;
}

static int list_children(int method, pid_t self, pid_t *out, int capacity) {
    if (method == 1) return children_from_task(self, out, capacity);
    if (method == 2) return children_from_scan(self, out, capacity);
    return -1;
}

static void drain_signals(int sfd) {
    struct signalfd_siginfo info;
    while (read(sfd, &info, sizeof info) == (ssize_t)sizeof info) {
    }
}

/// Records `status` when `pid` is the program.
static void note(pid_t pid, int status, pid_t program, int *program_status, int *program_done) {
    if (pid == program && !*program_done) {
        *program_status = status;
        *program_done = 1;
    }
}

/// SIGKILLs every process below the shepherd, round after round (the orphans of one round are its
/// children in the next), until it has no child left. Returns how many were killed, besides the
/// program.
static int kill_descendants(int method, int sfd, pid_t program, int *program_status, int *program_done) {
    static pid_t children[1024];
    pid_t self = getpid();
    int killed = 0;
    int64_t give_up = now_ms() + 30000;
    for (;;) {
        int n = list_children(method, self, children, 1024);
        if (n < 0 && !*program_done) {
            // No way to list them: at least the program dies.
            kill(program, SIGKILL);
        }
        for (int i = 0; i < n; i++) kill(children[i], SIGKILL);
        int status;
        pid_t r;
        while ((r = waitpid(-1, &status, WNOHANG)) > 0) {
            if (r != program) killed++;
            note(r, status, program, program_status, program_done);
        }
        if (r < 0 && errno == ECHILD) return killed;
        if (now_ms() > give_up) return killed;
        // Children remain that have not died yet: wait for the next SIGCHLD (or a short while).
        struct pollfd p = {.fd = sfd, .events = POLLIN};
        poll(&p, 1, 20);
        drain_signals(sfd);
    }
}

static void report(int kind, int value, int stage, int killed) {
    struct cproc_report r = {.kind = kind, .value = value, .stage = stage, .descendants_killed = killed};
    ssize_t ignored = write(FD_STATUS, &r, sizeof r);
    (void)ignored;
}

static void close_from(int first) {
    if (syscall(SYS_close_range, (unsigned)first, ~0U, 0) == 0) return;
    struct rlimit limit;
    long last = 65536;
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY && (long)limit.rlim_cur < last) last = (long)limit.rlim_cur;
    for (long fd = first; fd < last; fd++) close((int)fd);
}

static int confine(int abi) {
    uint64_t fs = LL_FS_WRITE_FILE | LL_FS_REMOVE_DIR | LL_FS_REMOVE_FILE | LL_FS_MAKE_CHAR | LL_FS_MAKE_DIR | LL_FS_MAKE_REG |
                  LL_FS_MAKE_SOCK | LL_FS_MAKE_FIFO | LL_FS_MAKE_BLOCK | LL_FS_MAKE_SYM;
    if (abi >= 2) fs |= LL_FS_REFER;
    if (abi >= 3) fs |= LL_FS_TRUNCATE;
    struct ll_ruleset_attr attr = {.handled_access_fs = fs, .handled_access_net = 0, .scoped = 0};
    size_t size = sizeof(uint64_t);
    if (abi >= 4) size = 2 * sizeof(uint64_t);
    if (abi >= 6) {
        attr.scoped = LL_SCOPE_ABSTRACT_UNIX_SOCKET | LL_SCOPE_SIGNAL;
        size = sizeof attr;
    }
    int ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr, size, 0);
    if (ruleset < 0) return -1;
    struct ll_path_beneath_attr devnull = {.allowed_access = LL_FS_WRITE_FILE | (abi >= 3 ? LL_FS_TRUNCATE : 0), .parent_fd = FD_DEVNULL};
    if (syscall(SYS_landlock_add_rule, ruleset, LL_RULE_PATH_BENEATH, &devnull, 0) != 0) return -1;
    if (fcntl(FD_WORKDIR, F_GETFD) >= 0) {
        struct ll_path_beneath_attr workdir = {.allowed_access = fs, .parent_fd = FD_WORKDIR};
        if (syscall(SYS_landlock_add_rule, ruleset, LL_RULE_PATH_BENEATH, &workdir, 0) != 0) return -1;
    }
    if (syscall(SYS_landlock_restrict_self, ruleset, 0) != 0) return -1;
    close(ruleset);
    return 0;
}

static pid_t fork_raw(void) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
    return _Fork();
#else
    return fork();
#endif
}

/// The program's side of the second fork: never returns.
static void become_program(const struct cproc_request *request, pid_t shepherd, int error_pipe) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != shepherd) _exit(127);
    int stage = 0;
    if (fcntl(FD_WORKDIR, F_GETFD) >= 0 && fchdir(FD_WORKDIR) != 0) stage = CPROC_STAGE_CHDIR;
    struct rlimit no_core = {0, 0};
    setrlimit(RLIMIT_CORE, &no_core); // may be filtered (EPERM); the unit sets LimitCORE=0 too
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    if (stage == 0 && request->landlock_abi > 0 && confine(request->landlock_abi) != 0) stage = CPROC_STAGE_LANDLOCK;
    if (stage == 0) {
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        execve(request->path, request->argv, request->envp);
        stage = CPROC_STAGE_EXEC;
    }
    int32_t failure[2] = {stage, errno};
    ssize_t ignored = write(error_pipe, failure, sizeof failure);
    (void)ignored;
    _exit(127);
}

/// The shepherd: never returns.
static void shepherd(const struct cproc_request *request, pid_t daemon, const int sources[6]) {
    // Default dispositions (SIGCHLD ignored would make the kernel reap children by itself); every
    // signal stays blocked, the ones that matter are read from a signalfd.
    for (int s = 1; s < NSIG; s++) {
        if (s == SIGKILL || s == SIGSTOP) continue;
        struct sigaction action;
        memset(&action, 0, sizeof action);
        action.sa_handler = SIG_DFL;
        sigaction(s, &action, NULL);
    }
    // Move the descriptors to 0...5: first out of the way, then into place; close every other.
    int moved[6];
    for (int i = 0; i < 6; i++) moved[i] = sources[i] < 0 ? -1 : fcntl(sources[i], F_DUPFD, 16);
    for (int i = 0; i < 6; i++) {
        if (moved[i] < 0) continue;
        if (i < 3) dup2(moved[i], i);
        else dup3(moved[i], i, O_CLOEXEC);
    }
    if (moved[FD_WORKDIR] < 0) close(FD_WORKDIR);
    close_from(FD_FIRST_FREE);

    prctl(PR_SET_CHILD_SUBREAPER, 1);
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != daemon) _exit(0);
    int method = 1;
    {
        pid_t probe[1];
        if (children_from_task(getpid(), probe, 1) < 0) method = children_from_scan(getpid(), probe, 1) < 0 ? 0 : 2;
    }
    sigset_t watched;
    sigemptyset(&watched);
    sigaddset(&watched, SIGCHLD);
    sigaddset(&watched, SIGTERM);
    sigaddset(&watched, SIGINT);
    sigaddset(&watched, SIGHUP);
    int sfd = signalfd(-1, &watched, SFD_CLOEXEC | SFD_NONBLOCK);
    int error_pipe[2];
    if (sfd < 0 || pipe2(error_pipe, O_CLOEXEC) != 0) {
        report(CPROC_START_FAILED, errno, CPROC_STAGE_FORK, 0);
        _exit(0);
    }
    int64_t deadline = now_ms() + request->timeout_ms;
    pid_t self = getpid();
    // vfork: the program borrows the shepherd's memory until it execs (no copy of the page tables
    // the shepherd inherited from the daemon, the larger part of a run's start-up cost). Its side
    // (become_program) only makes system calls, writes the error pipe and execs or _exits.
    pid_t program = vfork();
    if (program == 0) become_program(request, self, error_pipe[1]);
    close(error_pipe[1]);
    if (program < 0) {
        report(CPROC_START_FAILED, errno, CPROC_STAGE_FORK, 0);
        _exit(0);
    }
    // The program holds standard input, output and error; the shepherd must not keep them open.
    close(0);
    close(1);
    close(2);
    close(FD_WORKDIR);
    close(FD_DEVNULL);
    int32_t failure[2];
    ssize_t got;
    do got = read(error_pipe[0], failure, sizeof failure);
    while (got < 0 && errno == EINTR);
    close(error_pipe[0]);
    int status = 0, done = 0;
    if (got == (ssize_t)sizeof failure) {
        int killed = kill_descendants(method, sfd, program, &status, &done);
        report(CPROC_START_FAILED, failure[1], failure[0], killed);
        _exit(0);
    }

    int outcome = 0; // 0 while running, else CPROC_TIMED_OUT or CPROC_STOPPED
    while (!done && outcome == 0) {
        int64_t left = deadline - now_ms();
        if (left <= 0) {
            outcome = CPROC_TIMED_OUT;
            break;
        }
        // The status pipe's write end reports POLLERR once the daemon's read end is gone.
        struct pollfd fds[2] = {{.fd = sfd, .events = POLLIN}, {.fd = FD_STATUS, .events = 0}};
        int ready = poll(fds, 2, left > 60000 ? 60000 : (int)left);
        if (ready < 0 && errno != EINTR) {
            outcome = CPROC_STOPPED;
            break;
        }
        if (fds[1].revents & (POLLERR | POLLHUP)) {
            outcome = CPROC_STOPPED;
            break;
        }
        struct signalfd_siginfo info;
        while (read(sfd, &info, sizeof info) == (ssize_t)sizeof info) {
            if (info.ssi_signo != SIGCHLD) outcome = CPROC_STOPPED;
        }
        pid_t r;
        int reaped;
        while ((r = waitpid(-1, &reaped, WNOHANG)) > 0) note(r, reaped, program, &status, &done);
    }
    int program_status = status;
    int killed = kill_descendants(method, sfd, program, &program_status, &done);
    if (outcome != 0) {
        report(outcome, 0, 0, killed);
    } else if (WIFSIGNALED(program_status)) {
        report(CPROC_SIGNALED, WTERMSIG(program_status), 0, killed);
    } else {
        report(CPROC_EXITED, WEXITSTATUS(program_status), 0, killed);
    }
    _exit(0);
}

static void close_all(const int *fds, int n) {
    for (int i = 0; i < n; i++)
        if (fds[i] >= 0) close(fds[i]);
}

int cproc_spawn(const struct cproc_request *request, struct cproc_child *child) {
    int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1}, status[2] = {-1, -1};
    int workdir = -1, devnull = -1;
    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0 || pipe2(status, O_CLOEXEC) != 0) {
        int e = errno;
        int all[] = {in[0], in[1], out[0], out[1], err[0], err[1], status[0], status[1]};
        close_all(all, 8);
        return e;
    }
    if (request->workdir != NULL) workdir = open(request->workdir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    devnull = open("/dev/null", O_PATH | O_CLOEXEC);
    if ((request->workdir != NULL && workdir < 0) || devnull < 0) {
        int e = errno;
        int all[] = {in[0], in[1], out[0], out[1], err[0], err[1], status[0], status[1], workdir, devnull};
        close_all(all, 10);
        return e;
    }
    int sources[6] = {in[0], out[1], err[1], status[1], workdir, devnull};
    sigset_t all_signals, previous;
    sigfillset(&all_signals);
    pthread_sigmask(SIG_SETMASK, &all_signals, &previous);
    pid_t daemon = getpid();
    pid_t pid = fork_raw();
    if (pid == 0) shepherd(request, daemon, sources);
    int fork_errno = errno;
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    int theirs[] = {in[0], out[1], err[1], status[1], workdir, devnull};
    close_all(theirs, 6);
    if (pid < 0) {
        int ours[] = {in[1], out[0], err[0], status[0]};
        close_all(ours, 4);
        return fork_errno;
    }
    int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (pidfd >= 0) fcntl(pidfd, F_SETFD, FD_CLOEXEC);
    int ours[] = {in[1], out[0], err[0], status[0]};
    for (int i = 0; i < 4; i++) fcntl(ours[i], F_SETFL, fcntl(ours[i], F_GETFL) | O_NONBLOCK);
    child->pid = pid;
    child->pidfd = pidfd < 0 ? -1 : pidfd;
    child->stdin_fd = in[1];
    child->stdout_fd = out[0];
    child->stderr_fd = err[0];
    child->status_fd = status[0];
    return 0;
}
