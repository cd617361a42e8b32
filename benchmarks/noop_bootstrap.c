// A minimal `provided` runtime for the invoke benchmark: one keep-alive connection to the Runtime API, no handler,
// answers every event with `null`. Its per-invocation cost is a few syscalls, so with it the benchmark measures
// lambda-vpc's own overhead rather than a language runtime's. Built by benchmarks/invoke_http.py with `cc -O2`.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

static char buf[1 << 20];

// Reads one HTTP response (headers + Content-Length body) into buf; returns the header length or -1.
static int read_response(int fd, int *total) {
    int have = 0;
    for (;;) {
        ssize_t n = read(fd, buf + have, sizeof buf - 1 - have);
        if (n <= 0) return -1;
        have += (int)n;
        buf[have] = 0;
        char *end = strstr(buf, "\r\n\r\n");
        if (!end) continue;
        int head = (int)(end - buf) + 4;
        long length = 0;
        for (char *p = buf; p && p < end; p = strstr(p, "\r\n")) {
            if (*p == '\r') p += 2;
            if (strncasecmp(p, "Content-Length:", 15) == 0) length = strtol(p + 15, NULL, 10);
        }
        while (have < head + length) {
            n = read(fd, buf + have, sizeof buf - 1 - have);
            if (n <= 0) return -1;
            have += (int)n;
        }
        buf[have] = 0;
        *total = have;
        return head;
    }
}

static int send_all(int fd, const char *data, size_t len) {
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n <= 0) return -1;
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

int main(void) {
    const char *api = getenv("AWS_LAMBDA_RUNTIME_API");
    if (!api) return 1;
    char host[64];
    const char *colon = strchr(api, ':');
    if (!colon || (size_t)(colon - api) >= sizeof host) return 1;
    memcpy(host, api, (size_t)(colon - api));
    host[colon - api] = 0;
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(colon + 1))};
    inet_pton(AF_INET, host, &addr.sin_addr);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) return 1;
    static const char next[] = "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\n\r\n";
    char post[512];
    for (;;) {
        int total = 0;
        if (send_all(fd, next, sizeof next - 1) != 0) return 1;
        int head = read_response(fd, &total);
        if (head < 0) return 1;
        char id[128] = {0};
        for (char *p = buf; p && p < buf + head; p = strstr(p, "\r\n")) {
            if (*p == '\r') p += 2;
            if (strncasecmp(p, "Lambda-Runtime-Aws-Request-Id:", 30) == 0) {
                sscanf(p + 30, " %127[^\r\n]", id);
                break;
            }
        }
        int len = snprintf(post, sizeof post,
                           "POST /2018-06-01/runtime/invocation/%s/response HTTP/1.1\r\nHost: x\r\n"
                           "Content-Type: application/json\r\nContent-Length: 4\r\n\r\nnull", id);
        if (send_all(fd, post, (size_t)len) != 0) return 1;
        if (read_response(fd, &total) < 0) return 1;
    }
}
