#define _GNU_SOURCE
#include "csandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static int make_netns_dir_shared(const char *dir) {
    // As iproute2 does: the pin directory is a shared mount so pins propagate to other mount namespaces.
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) return errno;
    if (mount("", dir, "none", MS_SHARED | MS_REC, NULL) == 0) return 0;
    if (errno != EINVAL) return errno;
    if (mount(dir, dir, "none", MS_BIND | MS_REC, NULL) != 0) return errno;
    if (mount("", dir, "none", MS_SHARED | MS_REC, NULL) != 0) return errno;
    return 0;
}

int lv_netns_create_here(const char *path) {
    char dir[4096];
    strncpy(dir, path, sizeof dir - 1);
    dir[sizeof dir - 1] = 0;
    char *slash = strrchr(dir, '/');
    if (slash == NULL) return EINVAL;
    *slash = 0;
    int rc = make_netns_dir_shared(dir);
    if (rc != 0) return rc;
    int fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
    if (fd < 0) return errno;
    close(fd);
    if (unshare(CLONE_NEWNET) != 0) { rc = errno; unlink(path); return rc; }
    if (mount("/proc/thread-self/ns/net", path, "none", MS_BIND, NULL) != 0) { rc = errno; unlink(path); return rc; }
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0) return errno;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
    if (ioctl(s, SIOCGIFFLAGS, &ifr) != 0 || (ifr.ifr_flags |= IFF_UP, ioctl(s, SIOCSIFFLAGS, &ifr) != 0)) {
        rc = errno; close(s); return rc;
    }
    close(s);
    return 0;
}

int lv_netns_enter(const char *path, int fd) {
    int nsfd = fd;
    if (path != NULL) {
        nsfd = open(path, O_RDONLY | O_CLOEXEC);
        if (nsfd < 0) return errno;
    }
    int rc = setns(nsfd, CLONE_NEWNET) == 0 ? 0 : errno;
    if (path != NULL) close(nsfd);
    return rc;
}

int lv_netns_open_current(void) { return open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC); }

int lv_netns_delete(const char *path) {
    if (umount2(path, MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT) return errno;
    if (unlink(path) != 0 && errno != ENOENT) return errno;
    return 0;
}

int lv_listen_loopback(int port, int *bound_port) {
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0) return -1;
    int one = 1;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(s, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(s, 128) != 0) { close(s); return -1; }
    socklen_t len = sizeof addr;
    if (getsockname(s, (struct sockaddr *)&addr, &len) != 0) { close(s); return -1; }
    *bound_port = ntohs(addr.sin_port);
    return s;
}

int lv_spawn(const char *path, char *const argv[], char *const envp[], const char *cwd, int out_fd, pid_t *pid) {
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&attr);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
    posix_spawn_file_actions_adddup2(&fa, out_fd, 2);
    posix_spawn_file_actions_addclosefrom_np(&fa, 3);
    if (cwd != NULL) posix_spawn_file_actions_addchdir_np(&fa, cwd);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    int rc = posix_spawn(pid, path, &fa, &attr, argv, envp);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    return rc;
}

int lv_pidfd_open(pid_t pid) { return (int)syscall(SYS_pidfd_open, pid, 0); }

int lv_poll2(int fd_a, int fd_b) {
    struct pollfd fds[2] = {{.fd = fd_a, .events = POLLIN}, {.fd = fd_b, .events = POLLIN}};
    int n = poll(fds, 2, -1);
    if (n <= 0) return 0;
    int mask = 0;
    if (fds[0].revents) mask |= 1;
    if (fds[1].revents) mask |= 2;
    return mask;
}

long lv_read_nonblocking(int fd, void *buf, unsigned long len) {
    ssize_t n = read(fd, buf, len);
    if (n < 0) return -1;
    return (long)n;
}

long lv_peak_rss_kib(pid_t pid) {
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "re");
    if (f == NULL) return -1;
    long kib = -1;
    while (fgets(line, sizeof line, f) != NULL) {
        if (strncmp(line, "VmHWM:", 6) == 0) { kib = strtol(line + 6, NULL, 10); break; }
    }
    fclose(f);
    return kib;
}

int lv_output_pipe(int fds[2]) {
    if (pipe2(fds, O_CLOEXEC) != 0) return errno;
    int flags = fcntl(fds[0], F_GETFL);
    fcntl(fds[0], F_SETFL, flags | O_NONBLOCK);
    return 0;
}

// ---- The execution environment's sandbox --------------------------------------------------------------------------
// The child shares the parent's memory (CLONE_VM | CLONE_VFORK, as posix_spawn does) so starting costs no page-table
// copy of the server. It therefore calls the kernel directly for credentials (glibc's setuid would signal the
// parent's threads) and touches no allocator: every string was prepared by the parent.

#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/wait.h>

enum {
    LV_STAGE_CGROUP = -1, LV_STAGE_PRIVATE = -2, LV_STAGE_ROOT = -3, LV_STAGE_PIVOT = -4, LV_STAGE_HOSTNAME = -5,
    LV_STAGE_CWD = -6, LV_STAGE_FDS = -7, LV_STAGE_CREDS = -8, LV_STAGE_EXEC = -9, LV_STAGE_CLONE = -10,
};

struct lv_child {
    const struct lv_sandbox *sb;
    const char *path;
    char *const *argv;
    char *const *envp;
    int out_fd;
    volatile int err;
    volatile int stage;
};

static size_t lv_strlen(const char *s) { size_t n = 0; while (s[n]) n++; return n; }

// root + target into buf; 0 when it does not fit.
static int lv_join(char *buf, size_t cap, const char *root, const char *target) {
    size_t a = root ? lv_strlen(root) : 0, b = lv_strlen(target);
    if (a + b + 1 > cap) return 0;
    if (a) memcpy(buf, root, a);
    memcpy(buf + a, target, b + 1);
    return 1;
}

// mkdir -p of every parent of `path` (and of `path` itself when `self`).
static int lv_mkdirs(char *path, int self) {
    size_t n = lv_strlen(path);
    for (size_t i = 1; i <= n; i++) {
        if (path[i] != '/' && path[i] != 0) continue;
        if (path[i] == 0 && !self) break;
        char c = path[i];
        path[i] = 0;
        int rc = mkdir(path, 0755);
        path[i] = c;
        if (rc != 0 && errno != EEXIST) return -1;
    }
    return 0;
}

// "/proc/self/fd/<fd>" into buf (no stdio in the child).
static void lv_fd_path(char *buf, int fd) {
    const char *prefix = "/proc/self/fd/";
    size_t n = lv_strlen(prefix);
    memcpy(buf, prefix, n);
    char digits[12];
    int k = 0;
    do { digits[k++] = (char)('0' + fd % 10); fd /= 10; } while (fd > 0);
    while (k > 0) buf[n++] = digits[--k];
    buf[n] = 0;
}

// `source_fd`: the bind source opened (O_PATH) before any step ran, so a later step may hide the source's path.
static int lv_apply_mount(const struct lv_sandbox *sb, const struct lv_mount *m, int source_fd) {
    char where[4096];
    if (!lv_join(where, sizeof where, sb->root, m->target)) { errno = ENAMETOOLONG; return -1; }
    unsigned long hardening = MS_NOSUID | MS_NODEV;
    switch (m->kind) {
    case LV_MOUNT_DIR:
        return lv_mkdirs(where, 1);
    case LV_MOUNT_SYMLINK:
        if (lv_mkdirs(where, 0) != 0) return -1;
        return symlink(m->source, where) == 0 || errno == EEXIST ? 0 : -1;
    case LV_MOUNT_TMPFS:
        if (lv_mkdirs(where, 1) != 0) return -1;
        return mount("tmpfs", where, "tmpfs", hardening, m->data);
    case LV_MOUNT_PROC:
        if (lv_mkdirs(where, 1) != 0) return -1;
        return mount("proc", where, "proc", hardening | MS_NOEXEC, NULL);
    case LV_MOUNT_REMOUNT_RO:
        return mount(NULL, where, NULL, MS_REMOUNT | MS_RDONLY | hardening, m->data);
    case LV_MOUNT_BIND_RO:
    case LV_MOUNT_BIND_RW: {
        struct stat st;
        if (fstat(source_fd, &st) != 0) return -1;
        if (S_ISDIR(st.st_mode)) {
            if (lv_mkdirs(where, 1) != 0) return -1;
        } else {
            // An existing file (a host file under a read-only bind, such as /etc/resolv.conf) is mounted over as it
            // is: opening it for writing would fail there.
            struct stat existing;
            if (stat(where, &existing) != 0) {
                if (lv_mkdirs(where, 0) != 0) return -1;
                int fd = open(where, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
                if (fd < 0 && errno != EEXIST && errno != EISDIR) return -1;
                if (fd >= 0) close(fd);
            }
        }
        char from[64];
        lv_fd_path(from, source_fd);
        if (mount(from, where, NULL, MS_BIND | MS_REC, NULL) != 0) return -1;
        if (m->kind == LV_MOUNT_BIND_RW) return 0;
        return mount(NULL, where, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | hardening, NULL);
    }
    }
    errno = EINVAL;
    return -1;
}

#define LV_MAX_MOUNTS 64
#define LV_FAIL(st) do { c->err = errno ? errno : EPERM; c->stage = (st); _exit(127); } while (0)

static int lv_child_main(void *arg) {
    struct lv_child *c = arg;
    const struct lv_sandbox *sb = c->sb;

    // Handlers are the parent's copies; none of them may run here.
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    for (int s = 1; s < _NSIG; s++) sigaction(s, &dfl, NULL);

    for (int i = 0; i < sb->cgroup_count; i++) {
        int fd = open(sb->cgroup_procs[i], O_WRONLY | O_CLOEXEC);
        if (fd < 0 || write(fd, "0", 1) != 1) LV_FAIL(LV_STAGE_CGROUP);
        close(fd);
    }
    // Nothing mounted here may reach the server's namespace (or come back from it).
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) LV_FAIL(LV_STAGE_PRIVATE);
    if (sb->root != NULL && mount("tmpfs", sb->root, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=1m") != 0)
        LV_FAIL(LV_STAGE_ROOT);
    if (sb->mount_count > LV_MAX_MOUNTS) { errno = E2BIG; LV_FAIL(LV_STAGE_ROOT); }
    int sources[LV_MAX_MOUNTS];
    for (int i = 0; i < sb->mount_count; i++) {
        const struct lv_mount *m = &sb->mounts[i];
        int bind = m->kind == LV_MOUNT_BIND_RO || m->kind == LV_MOUNT_BIND_RW;
        sources[i] = bind ? open(m->source, O_PATH | O_CLOEXEC) : -1;
        if (bind && sources[i] < 0) LV_FAIL(i);
    }
    for (int i = 0; i < sb->mount_count; i++) {
        if (lv_apply_mount(sb, &sb->mounts[i], sources[i]) != 0) LV_FAIL(i);
    }
    if (sb->root != NULL) {
        char old[4096];
        if (!lv_join(old, sizeof old, sb->root, "/.old") || mkdir(old, 0700) != 0) LV_FAIL(LV_STAGE_PIVOT);
        if (syscall(SYS_pivot_root, sb->root, old) != 0 || chdir("/") != 0) LV_FAIL(LV_STAGE_PIVOT);
        if (umount2("/.old", MNT_DETACH) != 0 || rmdir("/.old") != 0) LV_FAIL(LV_STAGE_PIVOT);
        if (mount(NULL, "/", NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, "mode=0755,size=1m") != 0)
            LV_FAIL(LV_STAGE_PIVOT);
    }
    if (sb->hostname != NULL && sethostname(sb->hostname, lv_strlen(sb->hostname)) != 0) LV_FAIL(LV_STAGE_HOSTNAME);
    if (sb->cwd != NULL && chdir(sb->cwd) != 0) LV_FAIL(LV_STAGE_CWD);

    int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd < 0 || dup2(null_fd, 0) != 0 || dup2(c->out_fd, 1) != 1 || dup2(c->out_fd, 2) != 2) LV_FAIL(LV_STAGE_FDS);
    if (syscall(SYS_close_range, 3, ~0U, 0) != 0) {
        for (int fd = 3; fd < 65536; fd++) close(fd);
    }
    setsid();

    if (sb->uid >= 0) {
        for (int cap = 0; cap <= 63; cap++) {
            if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL) LV_FAIL(LV_STAGE_CREDS);
        }
        prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
        if (syscall(SYS_setgroups, 0, NULL) != 0) LV_FAIL(LV_STAGE_CREDS);
        if (syscall(SYS_setresgid, sb->gid, sb->gid, sb->gid) != 0) LV_FAIL(LV_STAGE_CREDS);
        // Leaving uid 0 for good clears the permitted and effective capability sets (no SECBIT_KEEP_CAPS).
        if (syscall(SYS_setresuid, sb->uid, sb->uid, sb->uid) != 0) LV_FAIL(LV_STAGE_CREDS);
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) LV_FAIL(LV_STAGE_CREDS);
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    execve(c->path, c->argv, c->envp);
    LV_FAIL(LV_STAGE_EXEC);
    return 127;
}

int lv_sandbox_spawn(const struct lv_sandbox *sb, const char *path, char *const argv[], char *const envp[],
                     int out_fd, pid_t *pid, int *stage) {
    const size_t stack_size = 256 << 10;
    char *stack = malloc(stack_size);
    if (stack == NULL) return ENOMEM;
    struct lv_child child = {.sb = sb, .path = path, .argv = argv, .envp = envp, .out_fd = out_fd, .err = 0, .stage = 0};
    sigset_t all, saved;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &saved);
    int flags = CLONE_VM | CLONE_VFORK | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | SIGCHLD;
    pid_t p = clone(lv_child_main, stack + stack_size, flags, &child);
    int clone_errno = errno;
    pthread_sigmask(SIG_SETMASK, &saved, NULL);
    free(stack);
    if (p < 0) { *stage = LV_STAGE_CLONE; return clone_errno; }
    if (child.err != 0) {
        int status;
        while (waitpid(p, &status, 0) < 0 && errno == EINTR) {}
        *stage = child.stage;
        return child.err;
    }
    *pid = p;
    return 0;
}
