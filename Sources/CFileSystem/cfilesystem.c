#define _GNU_SOURCE
#include "cfilesystem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <string.h>
#include <unistd.h>
#include <linux/openat2.h>

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#endif

int cfs_rename_noreplace(int olddirfd, const char *oldpath, int newdirfd, const char *newpath) {
#ifdef SYS_renameat2
    return (int)syscall(SYS_renameat2, olddirfd, oldpath, newdirfd, newpath, RENAME_NOREPLACE);
#else
    errno = ENOSYS;
    return -1;
#endif
}

int cfs_open_nofollow(int dirfd, const char *path, int flags) {
    return openat(dirfd, path, flags | O_NOFOLLOW | O_CLOEXEC);
}

static int cfs_openat2(int dirfd, const char *path, int flags) {
#ifdef SYS_openat2
    struct open_how how;
    memset(&how, 0, sizeof how);
    how.flags = (unsigned long long)(flags | O_CLOEXEC);
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
    return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof how);
#else
    (void)dirfd; (void)path; (void)flags;
    errno = ENOSYS;
    return -1;
#endif
}

int cfs_openat_beneath(int dirfd, const char *path, int flags) {
    int fd = cfs_openat2(dirfd, path, flags);
    if (fd >= 0 || errno != ENOSYS) return fd;
    /* No openat2: one component at a time, never following a link. */
    char buffer[4096];
    size_t length = strlen(path);
    if (length == 0 || length >= sizeof buffer || path[0] == '/') { errno = EXDEV; return -1; }
    memcpy(buffer, path, length + 1);
    int current = dirfd;
    char *component = buffer;
    for (;;) {
        char *slash = strchr(component, '/');
        if (slash) *slash = 0;
        if (strcmp(component, "..") == 0) {
            if (current != dirfd) close(current);
            errno = EXDEV;
            return -1;
        }
        int next = slash ? openat(current, component, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                         : openat(current, component, flags | O_NOFOLLOW | O_CLOEXEC);
        int saved = errno;
        if (current != dirfd) close(current);
        if (next < 0) { errno = saved; return -1; }
        if (!slash) return next;
        current = next;
        component = slash + 1;
        while (*component == '/') component++;
    }
}

int cfs_fd_open_for_writing(int fd) {
    if (fcntl(fd, F_SETLEASE, F_RDLCK) == 0) {
        fcntl(fd, F_SETLEASE, F_UNLCK);
        return 0;
    }
    return (errno == EAGAIN) ? 1 : -1;
}

int cfs_syncfs_fd(int fd) { return syncfs(fd); }
