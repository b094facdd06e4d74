/*
 * Guarded CBOR loading, COSE_Sign1 decoding and ES256 checking, and the
 * identity key of verify options (cose.c). Pure: no handle.
 */
#ifndef MODEMCRED_COSE_H
#define MODEMCRED_COSE_H

#include <stddef.h>
#include <stdint.h>

#include <cbor.h>
#include <openssl/evp.h>

#include "modemcred.h"

/* COSE payload ids of %KEYGEN answers (see mcred_keygen_kind_payload_id()). */
#define MCRED_PAYLOAD_ID_PUBKEY 8
#define MCRED_PAYLOAD_ID_CSR 9

/*
 * cbor_load() after a structural pre-check: every declared length fits in
 * the buffer, nesting is at most 16 deep and nothing trails the item. libcbor
 * allocates what a header claims and frees nested items recursively, so a
 * hostile header must not reach it.
 */
enum mcred_err mcred_cbor_load(const uint8_t *data, size_t len, const char *what, cbor_item_t **out,
			       struct mcred_error *err);

/* Read a CBOR integer (major type 0 or 1) as int64; 0 when not an int. */
int mcred_cbor_int(const cbor_item_t *item, int64_t *value);

/* A decoded COSE_Sign1 (RFC 9052 §4.2). */
struct mcred_cose {
	uint8_t *protected_hdr; /* the protected bstr's content, as received */
	size_t protected_len;
	int has_payload; /* 0: nil (detached) */
	uint8_t *payload;
	size_t payload_len;
	uint8_t signature[64]; /* r || s */
	int kid;               /* -2, -4, -5 ...; 0 when absent */
};

/* Decode and check the structure; MCRED_ERR_DECODE with a message if bad. */
enum mcred_err mcred_cose_decode(const uint8_t *data, size_t len, struct mcred_cose *out,
				 struct mcred_error *err);
void mcred_cose_clear(struct mcred_cose *c);

/*
 * ES256 over the Sig_structure ["Signature1", protected, h'', payload].
 * *valid = 1 when the signature checks out with key, 0 when not. Returns
 * MCRED_ERR_CRYPTO/NOMEM only when the check itself could not run.
 */
enum mcred_err mcred_cose_verify(const struct mcred_cose *c, const uint8_t *payload,
				 size_t payload_len, EVP_PKEY *key, int *valid,
				 struct mcred_error *err);

/*
 * The identity key of verify options: PEM or raw point, or *key = NULL when
 * neither is given. A key that is not a P-256 public key: MCRED_ERR_INVALID_ARG.
 */
enum mcred_err mcred_identity_key_load(const struct mcred_verify_options *o, EVP_PKEY **key,
				       struct mcred_error *err);

#endif
