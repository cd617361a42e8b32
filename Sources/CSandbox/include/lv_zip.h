#ifndef LV_ZIP_H
#define LV_ZIP_H

#include <stddef.h>

/// Results of lv_zip_extract.
enum lv_zip_result {
    LV_ZIP_OK = 0,          ///< the entry's data ended; `*produced` bytes came out of it
    LV_ZIP_OVER_LIMIT = 1,  ///< the data produced more than `count_limit` bytes (it was not read further)
    LV_ZIP_CORRUPT = 2,     ///< not a valid deflate stream, or the input ended before the stream did
    LV_ZIP_WRITE_FAILED = 3 ///< writing to `out_fd` failed (errno is set)
};

/// Unpacks one zip entry's data `in[0, in_len)`: stored (method 0) or deflated (method 8). The first `write_limit`
/// bytes it produces go to `out_buf` when not NULL (it must hold `write_limit` bytes), else to `out_fd` (-1: nowhere);
/// it keeps counting (without writing) up to `count_limit` bytes, so a
/// caller learns how far an entry that lies about its size really goes without storing it. `*crc` is the CRC-32 of
/// every byte produced. Memory use is constant whatever the entry's size.
int lv_zip_extract(const unsigned char *in, size_t in_len, int method, int out_fd, unsigned char *out_buf,
                   unsigned long long write_limit, unsigned long long count_limit, unsigned long long *produced,
                   unsigned int *crc);

#endif
