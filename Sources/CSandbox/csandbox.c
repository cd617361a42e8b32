#define _GNU_SOURCE
#include "csandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
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
