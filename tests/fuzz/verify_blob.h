/*
 * Shared body of the KEYGEN and ATTESTTOKEN blob fuzz targets. The first
 * input byte picks the identity key: none, a fixed PEM, or a fixed raw
 * point, so the signature path runs too; the rest is the blob. Nothing may
 * crash, leak or read past the input.
 */
#ifndef FUZZ_VERIFY_BLOB_H
#define FUZZ_VERIFY_BLOB_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "modemcred.h"

/* A fixed P-256 public key (tests/fixtures/identity_pub.pem). */
static const char identity_pem[] =
	"-----BEGIN PUBLIC KEY-----\n"
	"MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE5T0jjx/ZKv813gRiQCHBCUsO9T5T\n"
	"DOXUCknoTj59eZ1aakw66wzYfXhLDP/fA+kIsZBN6X65WCzE4vQZHJUiuA==\n"
	"-----END PUBLIC KEY-----\n";

static const uint8_t identity_raw[65] = {
	0x04, 0xe5, 0x3d, 0x23, 0x8f, 0x1f, 0xd9, 0x2a, 0xff, 0x35, 0xde, 0x04, 0x62,
	0x40, 0x21, 0xc1, 0x09, 0x4b, 0x0e, 0xf5, 0x3e, 0x53, 0x0c, 0xe5, 0xd4, 0x0a,
	0x49, 0xe8, 0x4e, 0x3e, 0x7d, 0x79, 0x9d, 0x5a, 0x6a, 0x4c, 0x3a, 0xeb, 0x0c,
	0xd8, 0x7d, 0x78, 0x4b, 0x0c, 0xff, 0xdf, 0x03, 0xe9, 0x08, 0xb1, 0x90, 0x4d,
	0xe9, 0x7e, 0xb9, 0x58, 0x2c, 0xc4, 0xe2, 0xf4, 0x19, 0x1c, 0x95, 0x22, 0xb8
};

typedef enum mcred_err (*verify_fn)(const char *blob, size_t len,
				    const struct mcred_verify_options *opts, mcred_report **out,
				    struct mcred_error *err);

static int fuzz_verify_blob(const uint8_t *data, size_t size, verify_fn verify)
{
	struct mcred_verify_options o;
	struct mcred_error e;
	mcred_report *r = NULL;
	char *copy;
	size_t len;

	if (size == 0)
		return 0;
	mcred_verify_options_init(&o);
	if (data[0] % 3 == 1)
		o.identity_key_pem = identity_pem;
	else if (data[0] % 3 == 2) {
		o.identity_key_raw = identity_raw;
		o.identity_key_raw_len = sizeof(identity_raw);
	}
	o.expected_tag = data[0] & 0x80 ? 11 : -1;
	/* An exact-size heap copy, so ASan sees any read past the end. */
	len = size - 1;
	copy = malloc(len ? len : 1);
	if (!copy)
		return 0;
	memcpy(copy, data + 1, len);
	if (verify(copy, len, &o, &r, &e) == MCRED_OK) {
		(void)mcred_report_ok(r);
		(void)mcred_report_problem(r);
		mcred_report_free(r);
	}
	free(copy);
	return 0;
}

#endif
