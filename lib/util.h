/* Small helpers (util.c): hex, digests, the monotonic clock. Pure. */
#ifndef MODEMCRED_UTIL_H
#define MODEMCRED_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "modemcred.h"

/* n bytes as 2n hex digits (upper or lower case) and a NUL. */
void mcred_hex_encode(const uint8_t *bytes, size_t n, int upper, char *out);
/* SHA-256 of data as 64 upper-case hex digits. */
enum mcred_err mcred_sha256_hex(const void *data, size_t len, char out[65]);
/* Monotonic milliseconds, for deadlines and wait_cap. */
long long mcred_now_ms(void);

#endif
