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

/// One step of building an environment's file system view (see lv_sandbox_spawn).
enum lv_mount_kind {
    LV_MOUNT_BIND_RO = 0,   ///< bind `source` read-only, nosuid, nodev (directories or files)
    LV_MOUNT_BIND_RW = 1,   ///< bind `source` writable (device nodes such as /dev/null)
    LV_MOUNT_TMPFS = 2,     ///< a fresh tmpfs with `data` as its options (e.g. "size=512m,mode=1777")
    LV_MOUNT_PROC = 3,      ///< the new PID namespace's /proc
    LV_MOUNT_SYMLINK = 4,   ///< a symbolic link at `target` pointing to `source`
    LV_MOUNT_DIR = 5,       ///< an empty directory
    LV_MOUNT_REMOUNT_RO = 6 ///< make the tmpfs at `target` read-only once filled
};

/// `target` is absolute inside the environment; `source` is a host path (or a link's text).
struct lv_mount {
    int kind;
    const char *source;
    const char *target;
    const char *data;
};

/// How to build one environment. With `root` set, the view is a fresh tmpfs at `root` holding only `mounts`, entered
/// with pivot_root; without it, `mounts` are laid over the host's own tree (instances).
struct lv_sandbox {
    const char *root;
    const struct lv_mount *mounts;
    int mount_count;
    const char *hostname;
    /// `cgroup.procs` files the process joins before anything else.
    const char *const *cgroup_procs;
    int cgroup_count;
    /// -1 keeps root with its capabilities; otherwise the process runs as uid/gid with no capabilities and no_new_privs.
    int uid;
    int gid;
    const char *cwd;
};

/// Starts `path` (a path inside the environment) as lv_spawn does, but in new mount, PID, IPC and UTS namespaces
/// built from `sb` (the network namespace is the calling thread's). On failure returns an errno value and sets
/// `*stage` to the step that failed (an index into `mounts`, or a negative step number; see csandbox.c).
int lv_sandbox_spawn(const struct lv_sandbox *sb, const char *path, char *const argv[], char *const envp[],
                     int out_fd, pid_t *pid, int *stage);

#endif
