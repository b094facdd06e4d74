/*
 * libFuzzer target: what a credential file holds (lib/content.c), the PEM
 * block scanner and the OpenSSL checks of mcred_cmng_check_content() and
 * mcred_pem_find(), on arbitrary bytes. The first byte picks the type
 * (low bits, 0-4) and whether a password goes with it (0x10).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>

#include "modemcred.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mcred_error err;
	unsigned found;
	char *content;
	int type;
	enum mcred_err rc;

	if (size < 1)
		return 0;
	type = (data[0] & 0x0f) % 5;
	/* an exact-size copy so ASan catches any read past len */
	content = malloc(size - 1 ? size - 1 : 1);
	if (!content)
		return 0;
	memcpy(content, data + 1, size - 1);
	found = mcred_pem_find(content, size - 1);
	if (found & ~0x3fu)
		abort();
	memset(&err, 0x55, sizeof(err));
	rc = mcred_cmng_check_content(type, content, size - 1,
				      (data[0] & 0x10) && type == MCRED_TYPE_PRIVATE_KEY
					      ? "secret-pass"
					      : NULL,
				      &err);
	if (rc != MCRED_OK && rc != MCRED_ERR_INVALID_ARG && rc != MCRED_ERR_NOMEM)
		abort();
	if (err.code != rc || !memchr(err.message, '\0', sizeof(err.message)))
		abort();
	/* a check that accepted certificates found them; keys likewise */
	if (rc == MCRED_OK && type <= MCRED_TYPE_CLIENT_CERT && !(found & MCRED_PEM_CERTIFICATE))
		abort();
	if (rc == MCRED_OK && type == MCRED_TYPE_PRIVATE_KEY && !(found & MCRED_PEM_PRIVATE_KEY))
		abort();
	if (ERR_peek_error() != 0) /* OpenSSL's error queue is left empty */
		abort();
	free(content);
	return 0;
}
