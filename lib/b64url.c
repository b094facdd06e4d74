/*
 * base64url (RFC 4648 §5, no padding) as nRF91 modems emit it in %KEYGEN and
 * %ATTESTTOKEN answers. The alphabet is mapped to standard base64 and padding
 * added, then OpenSSL decodes: no hand-written decoder to get wrong.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "b64url.h"
#include "error.h"

/* Whitespace a wrapped blob may carry; skipped wherever it appears. */
static int is_skippable(char c)
{
	return c == '\r' || c == '\n' || c == ' ' || c == '\t';
}

/* Map one base64url character to standard base64; 0 if not in the alphabet. */
static char map_char(char c)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
		return c;
	if (c == '-')
		return '+';
	if (c == '_')
		return '/';
	return 0;
}

/*
 * Copy in to std (room for len + 3 bytes) in the standard alphabet, without
 * whitespace and trailing '='. Returns the count or (size_t)-1 with err set.
 */
static size_t to_standard(const char *in, size_t len, const char *what, char *std,
			  struct mcred_error *err)
{
	size_t n = 0;
	size_t i, first_pad = 0;
	int padding = 0;

	for (i = 0; i < len; i++) {
		char c = in[i];
		char m;

		if (is_skippable(c))
			continue;
		if (c == '=') {
			if (!padding++)
				first_pad = i;
			continue;
		}
		m = map_char(c);
		if (padding) { /* padding ends the data: more after it is the error, named at the '=' */
			mcred_error_set(err, MCRED_ERR_DECODE,
					"%s: padding '=' at offset %zu is followed by more data",
					what, first_pad);
			return (size_t)-1;
		}
		if (m == 0) {
			unsigned char uc = (unsigned char)c;

			mcred_error_set(err, MCRED_ERR_DECODE,
					"%s: invalid base64url character 0x%02x at offset %zu",
					what, uc, i);
			return (size_t)-1;
		}
		std[n++] = m;
	}
	return n;
}

enum mcred_err mcred_b64url_decode(const char *in, size_t len, const char *what, uint8_t **out,
				   size_t *out_len, struct mcred_error *err)
{
	char *std;
	uint8_t *bytes;
	size_t n, padded, pad;
	int got;

	*out = NULL;
	*out_len = 0;
	if (len > (size_t)1 << 24)
		return mcred_error_set(err, MCRED_ERR_DECODE, "%s: too long (%zu bytes)", what,
				       len);
	std = malloc(len + 4);
	if (!std)
		return mcred_error_set(err, MCRED_ERR_NOMEM, "%s: out of memory", what);
	n = to_standard(in, len, what, std, err);
	if (n == (size_t)-1) {
		free(std);
		return MCRED_ERR_DECODE;
	}
	if (n % 4 == 1) {
		free(std);
		return mcred_error_set(err, MCRED_ERR_DECODE,
				       "%s: truncated base64url (%zu characters)", what, n);
	}
	pad = (4 - n % 4) % 4;
	memset(std + n, '=', pad);
	padded = n + pad;
	bytes = malloc(padded / 4 * 3 + 1);
	if (!bytes) {
		free(std);
		return mcred_error_set(err, MCRED_ERR_NOMEM, "%s: out of memory", what);
	}
	got = padded ? EVP_DecodeBlock(bytes, (const unsigned char *)std, (int)padded) : 0;
	free(std);
	/* EVP_DecodeBlock counts the zero bytes the padding stands for. */
	if (got < 0 || (size_t)got < pad) {
		free(bytes);
		return mcred_error_set(err, MCRED_ERR_DECODE, "%s: invalid base64url", what);
	}
	*out = bytes;
	*out_len = (size_t)got - pad;
	return MCRED_OK;
}
