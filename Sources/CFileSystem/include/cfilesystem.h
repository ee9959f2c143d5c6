#ifndef CFILESYSTEM_H
#define CFILESYSTEM_H

/// Renames `oldpath` (relative to `olddirfd`) to `newpath` (relative to `newdirfd`) only if
/// `newpath` does not exist (renameat2 with RENAME_NOREPLACE). Returns 0, or -1 with errno set
/// (EEXIST when the target exists, EXDEV across filesystems).
int cfs_rename_noreplace(int olddirfd, const char *oldpath, int newdirfd, const char *newpath);

/// Opens `path` relative to `dirfd` without following a final symbolic link (O_NOFOLLOW |
/// O_CLOEXEC added to `flags`). Returns the descriptor, or -1 with errno set (ELOOP for a link).
int cfs_open_nofollow(int dirfd, const char *path, int flags);

/// Whether some process has the open file `fd` (opened O_RDONLY | O_NONBLOCK) open for writing,
/// asked the only way Linux answers it for any process: a read lease (F_SETLEASE, F_RDLCK) is
/// refused with EAGAIN while the file is open for writing anywhere; a granted lease is released at
/// once. Returns 1 (open for writing), 0 (not), or -1 when it cannot be told (not the file's owner
/// without CAP_LEASE, a network filesystem): the caller then relies on the settle time.
int cfs_fd_open_for_writing(int fd);

/// syncfs(2) of the filesystem holding the open descriptor `fd`. Returns 0 or -1 (errno).
int cfs_syncfs_fd(int fd);

/// Opens `path` (one or more components) relative to `dirfd` without ever leaving the directory
/// or following a symbolic link: openat2(2) with RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
/// RESOLVE_NO_MAGICLINKS where the kernel has it (5.6+), else a walk of `openat(O_NOFOLLOW)`
/// one component at a time (every intermediate component opened O_DIRECTORY). `..` components
/// are refused (EXDEV), as openat2 refuses them. O_CLOEXEC is added to `flags`. Returns the
/// descriptor, or -1 with errno set (ELOOP or EXDEV for a path that would escape or follow a link).
int cfs_openat_beneath(int dirfd, const char *path, int flags);

#endif
