#ifndef CSANDBOX_H
#define CSANDBOX_H

#include <sys/types.h>

/// Moves the calling thread into a new network namespace, pins it at `path` (like `ip netns add`) and sets `lo` up.
/// Returns 0 or an errno value. The thread stays in the new namespace: call lv_netns_enter to go back.
int lv_netns_create_here(const char *path);

/// Moves the calling thread into the network namespace pinned at `path` (or held by the open fd when path is NULL).
int lv_netns_enter(const char *path, int fd);

/// Opens the calling thread's current network namespace (O_CLOEXEC); -1 on error.
int lv_netns_open_current(void);

/// Unpins a namespace created by lv_netns_create_here: detaches the bind mount and removes the file.
int lv_netns_delete(const char *path);

/// Creates a listening TCP socket on 127.0.0.1:`port` (0 = any), close-on-exec; writes the bound port. -1 on error.
int lv_listen_loopback(int port, int *bound_port);

/// Starts `path` with exactly `argv`/`envp` in `cwd`, stdin from /dev/null, stdout and stderr to `out_fd`,
/// in a new session, default signal dispositions, no other inherited descriptors. Returns 0 or an errno value.
int lv_spawn(const char *path, char *const argv[], char *const envp[], const char *cwd, int out_fd, pid_t *pid);

/// pidfd_open(2); -1 on error.
int lv_pidfd_open(pid_t pid);

/// Blocks until `fd_a` or `fd_b` is readable (or hung up); returns a bit mask (1 = a, 2 = b), 0 on EINTR.
int lv_poll2(int fd_a, int fd_b);

/// Reads without blocking; returns bytes read, 0 at end of file, -1 when nothing is available (or on error).
long lv_read_nonblocking(int fd, void *buf, unsigned long len);

/// Peak resident set size (VmHWM) of `pid` in KiB from /proc; -1 when unknown.
long lv_peak_rss_kib(pid_t pid);

/// A pipe for a child's output: both ends close-on-exec, the read end (fds[0]) non-blocking. 0 or an errno value.
int lv_output_pipe(int fds[2]);

#endif
