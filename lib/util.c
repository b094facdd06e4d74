/* Digests and secret wiping. */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "internal.h"

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

void mcred_free_secret(void *p, size_t len)
{
	if (!p)
		return;
	OPENSSL_cleanse(p, len);
	free(p);
}

/* Copy content with every CRLF turned into LF; returns the new length. */
static size_t crlf_to_lf(const char *in, size_t len, char *out)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		if (in[i] == '\r' && i + 1 < len && in[i + 1] == '\n')
			continue;
		out[n++] = in[i];
	}
	return n;
}

enum mcred_err mcred_content_digest(const char *content, size_t len, int normalise,
				    char sha256[65])
{
	if (!sha256)
		return MCRED_ERR_INVALID_ARG;
	sha256[0] = '\0';
	if (!content && len)
		return MCRED_ERR_INVALID_ARG;
	if (!normalise)
		return mcred_sha256_hex(content ? content : "", len, sha256);
	char *copy = malloc(len + 1);
	if (!copy)
		return MCRED_ERR_NOMEM;
	size_t n = crlf_to_lf(content, len, copy);
	enum mcred_err rc = mcred_sha256_hex(copy, n, sha256);
	/* the content may be a private key or PSK */
	mcred_free_secret(copy, len + 1);
	return rc;
}
