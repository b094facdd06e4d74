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

/*
 * OpenSSL's error queue belongs to the calling thread, which it shares with
 * the program: errors left there break the program's next TLS call
 * (SSL_get_error() reads the queue, and OpenSSL asks for it to be empty
 * before SSL I/O). Every public function that uses OpenSSL marks the queue
 * on entry (mcred_openssl_enter()) and pops back to the mark on return
 * (mcred_openssl_leave()): no error of the library's is left behind, and
 * the program's own pending errors stay, unless a step in between cleared
 * the whole queue.
 */
void mcred_openssl_enter(void);
void mcred_openssl_leave(void);
/*
 * Drop the errors OpenSSL queued since mcred_openssl_enter(), keeping the
 * program's: what a step does instead of ERR_clear_error(), which would
 * take the program's errors and the mark too. Outside enter/leave it
 * empties the queue, as ERR_clear_error() does.
 */
void mcred_openssl_forget(void);

#endif
