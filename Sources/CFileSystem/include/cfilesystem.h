#ifndef CFILESYSTEM_H
#define CFILESYSTEM_H

/// Renames `oldpath` (relative to `olddirfd`) to `newpath` (relative to `newdirfd`) only if
/// `newpath` does not exist (renameat2 with RENAME_NOREPLACE). Returns 0, or -1 with errno set
/// (EEXIST when the target exists, EXDEV across filesystems).
int cfs_rename_noreplace(int olddirfd, const char *oldpath, int newdirfd, const char *newpath);

/// Opens `path` relative to `dirfd` without following a final symbolic link (O_NOFOLLOW |
/// O_CLOEXEC added to `flags`). Returns the descriptor, or -1 with errno set (ELOOP for a link).
int cfs_open_nofollow(int dirfd, const char *path, int flags);

/// fsyncs a directory, so that renames into or out of it are durable. Returns 0 or -1 (errno).
int cfs_fsync_directory(const char *path);

/// Flushes every dirty page of the filesystem holding `path` (one syncfs(2) instead of an fsync
/// per file when many files were just written). Returns 0 or -1 (errno).
int cfs_syncfs(const char *path);

/// Whether some process has `path` open for writing, asked the only way Linux answers it for
/// any process: a read lease (F_SETLEASE, F_RDLCK) is refused with EAGAIN while the file is
/// open for writing anywhere; a granted lease is released at once. Returns 1 (open for writing),
/// 0 (not), or -1 when it cannot be told (not the file's owner without CAP_LEASE, a network
/// filesystem, a link): the caller then relies on the size and time having settled.
int cfs_open_for_writing(const char *path);

#endif
