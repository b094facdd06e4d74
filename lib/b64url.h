/* base64url decoding (b64url.c), as %KEYGEN and %ATTESTTOKEN answers use it. */
#ifndef MODEMCRED_B64URL_H
#define MODEMCRED_B64URL_H

#include <stddef.h>
#include <stdint.h>

#include "modemcred.h"

/*
 * Decode base64url without padding ('=' at the end tolerated); CR, LF, TAB
 * and spaces anywhere are skipped. *out is malloc'd (at least 1 byte, even
 * for empty input). what names the part in error messages ("CSR body").
 */
enum mcred_err mcred_b64url_decode(const char *in, size_t len, const char *what, uint8_t **out,
				   size_t *out_len, struct mcred_error *err);

#endif
