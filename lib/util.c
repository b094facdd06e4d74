/* The one hex encoder, digests and the one secret wiper. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "util.h"

void mcred_hex_encode(const uint8_t *bytes, size_t n, int upper, char *out)
{
	const char *hex = upper ? "0123456789ABCDEF" : "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[bytes[i] >> 4];
		out[2 * i + 1] = hex[bytes[i] & 0x0f];
	}
	out[2 * n] = '\0';
}

enum mcred_err mcred_sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char digest[32];
	unsigned int digest_len = 0;

	out[0] = '\0';
	if (!EVP_Digest(data, len, digest, &digest_len, EVP_sha256(), NULL) || digest_len != 32)
		return MCRED_ERR_CRYPTO;
	mcred_hex_encode(digest, sizeof(digest), 1, out);
	return MCRED_OK;
}

void mcred_secret_free(void *p, size_t len)
{
	if (!p)
		return;
	OPENSSL_cleanse(p, len);
	free(p);
}

enum mcred_err mcred_cmng_read_digest(const char *content, size_t len, char sha256[65])
{
	if (!sha256)
		return MCRED_ERR_INVALID_ARG;
	sha256[0] = '\0';
	if (!content && len)
		return MCRED_ERR_INVALID_ARG;
	return mcred_sha256_hex(content ? content : "", len, sha256);
}

long long mcred_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void mcred_openssl_enter(void)
{
	/* on an empty queue there is nothing to mark: leave() then empties it */
	ERR_set_mark();
}

void mcred_openssl_leave(void)
{
	/* without a mark (the queue was empty, or a step cleared it) it empties the queue */
	(void)ERR_pop_to_mark();
}

void mcred_openssl_forget(void)
{
	(void)ERR_pop_to_mark();
	ERR_set_mark(); /* on the program's topmost error again, if it has one */
}
