/* What a %KEYGEN body says about itself: CSR and public key inspection (csr.c). */
#ifndef MODEMCRED_CSR_H
#define MODEMCRED_CSR_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>

#include "modemcred.h"

/* What a KEYGEN body says about itself. */
struct mcred_body_info {
	int sig_valid;   /* CSR self-signature: 1 valid, 0 not */
	char *subject;   /* "O=...,L=...,C=..." (CSR) */
	X509_NAME *name; /* (CSR) the subject itself, for mcred_subject_matches() */
	int has_key_usage;
	char key_usage[10]; /* 9 x 0/1 */
	char *pubkey_pem;
	char *csr_pem; /* (CSR) from the DER exactly as received */
};

/* Parse a CSR DER (legacy NULL parameters accepted) and check its signature.
 * MCRED_ERR_DECODE when the bytes are not a CSR. */
enum mcred_err mcred_csr_inspect(const uint8_t *der, size_t len, struct mcred_body_info *info,
				 struct mcred_error *err);
/* Parse a SubjectPublicKeyInfo DER. MCRED_ERR_DECODE when it is not one. */
enum mcred_err mcred_pubkey_inspect(const uint8_t *der, size_t len, struct mcred_body_info *info,
				    struct mcred_error *err);
void mcred_body_info_clear(struct mcred_body_info *info);

#endif
