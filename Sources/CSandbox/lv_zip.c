#include "lv_zip.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

// Large enough that a write(2) per chunk costs little next to inflating it.
#define CHUNK (256 * 1024)

/// Where an entry's bytes go: a file, a caller's buffer, or nowhere.
struct sink {
    int fd;
    unsigned char *buf;
    unsigned long long write_limit;
};

/// Sends the part of `buf` that falls below the sink's limit to it; `*produced` counts every byte either way.
static int emit(const unsigned char *buf, size_t n, const struct sink *to, unsigned long long *produced,
                unsigned int *crc) {
    *crc = (unsigned int)crc32(*crc, buf, (uInt)n);
    unsigned long long before = *produced;
    *produced += n;
    if (before >= to->write_limit) return LV_ZIP_OK;
    size_t keep = to->write_limit - before < n ? (size_t)(to->write_limit - before) : n;
    if (to->buf != NULL) {
        memcpy(to->buf + before, buf, keep);
        return LV_ZIP_OK;
    }
    int fd = to->fd;
    if (fd < 0) return LV_ZIP_OK;
    while (keep > 0) {
        ssize_t w = write(fd, buf, keep);
        if (w < 0) {
            if (errno == EINTR) continue;
            return LV_ZIP_WRITE_FAILED;
        }
        buf += w;
        keep -= (size_t)w;
    }
    return LV_ZIP_OK;
}

int lv_zip_extract(const unsigned char *in, size_t in_len, int method, int out_fd, unsigned char *out_buf,
                   unsigned long long write_limit, unsigned long long count_limit, unsigned long long *produced,
                   unsigned int *crc) {
    const struct sink to = { out_fd, out_buf, write_limit };
    *produced = 0;
    *crc = (unsigned int)crc32(0, Z_NULL, 0);
    if (method == 0) {
        // Stored: the data is the content; only as much as the limit allows is looked at.
        size_t n = in_len;
        if ((unsigned long long)n > count_limit + 1) n = (size_t)(count_limit + 1);
        while (n > 0) {
            size_t step = n > CHUNK ? CHUNK : n;
            int r = emit(in, step, &to, produced, crc);
            if (r != LV_ZIP_OK) return r;
            in += step;
            n -= step;
        }
        return *produced > count_limit ? LV_ZIP_OVER_LIMIT : LV_ZIP_OK;
    }
    if (method != 8) return LV_ZIP_CORRUPT;

    z_stream z = {0};
    // Raw deflate (negative window bits): zip entries carry no zlib header.
    if (inflateInit2(&z, -MAX_WBITS) != Z_OK) return LV_ZIP_CORRUPT;
    unsigned char *out = malloc(CHUNK);
    if (out == NULL) { inflateEnd(&z); errno = ENOMEM; return LV_ZIP_WRITE_FAILED; }
    int result = LV_ZIP_OK;
    size_t left = in_len;
    const unsigned char *next = in;
    for (;;) {
        if (z.avail_in == 0 && left > 0) {
            // avail_in is 32 bits; feed large inputs in slices.
            size_t step = left > UINT_MAX ? UINT_MAX : left;
            z.next_in = (unsigned char *)next;
            z.avail_in = (uInt)step;
            next += step;
            left -= step;
        }
        z.next_out = out;
        z.avail_out = CHUNK;
        int rc = inflate(&z, Z_NO_FLUSH);
        size_t got = CHUNK - z.avail_out;
        if (got > 0) {
            result = emit(out, got, &to, produced, crc);
            if (result != LV_ZIP_OK) break;
            if (*produced > count_limit) { result = LV_ZIP_OVER_LIMIT; break; }
        }
        if (rc == Z_STREAM_END) break;
        if (rc == Z_BUF_ERROR && z.avail_in == 0 && left == 0) { result = LV_ZIP_CORRUPT; break; }
        if (rc != Z_OK && rc != Z_BUF_ERROR) { result = LV_ZIP_CORRUPT; break; }
    }
    inflateEnd(&z);
    free(out);
    return result;
}
