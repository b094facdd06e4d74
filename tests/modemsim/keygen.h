/*
 * Cryptographic side of the simulated modem: its identity key, and the
 * %KEYGEN and %ATTESTTOKEN answers, built with OpenSSL and libcbor exactly in
 * the layout real nRF91 modems use (the nRF91 AT command reference's %KEYGEN
 * example, and real answers in nRFCloud/utils' tests, commit 7acbfb58).
 *
 * Deliberately independent of libmodemcred: the simulator and the library
 * must not share code, so that they cannot share a mistake.
 */
#ifndef MODEMSIM_KEYGEN_H
#define MODEMSIM_KEYGEN_H

#include <stddef.h>
#include <stdint.h>

struct simkg_identity;

/* Load the identity key from a PEM private key, or make a new P-256 key when
 * private_pem is NULL. NULL on failure. */
struct simkg_identity *simkg_identity_new(const char *private_pem);
/* The identity private key as PEM (the identity's own), to keep it in the store. */
const char *simkg_identity_private_pem(const struct simkg_identity *id);
/* Write the identity public key as PEM to path; 0 on success. */
int simkg_identity_write_public_pem(const struct simkg_identity *id, const char *path);
void simkg_identity_free(struct simkg_identity *id);

struct simkg_request {
	uint32_t sec_tag;
	int key_type;                 /* 2 client private key, 8 endorsement key */
	int response_content;         /* 0 CSR (type 2 only), 1 public key */
	const char *attributes;       /* "CN=x,O=y" or NULL for "CN=<device uuid>" */
	const char *key_usage;        /* 9 characters of 0/1, or NULL for "111010000" */
	const char *existing_key_pem; /* endorsement key already in the tag, or NULL */
	int modern_encoding;          /* 1: CSR signatureAlgorithm without NULL parameters */
	const uint8_t *device_uuid;   /* 16 bytes */
};

/*
 * Generate a key pair and build the answer. Returns 0 on success with *blob
 * = "<base64url body>.<base64url COSE_Sign1>" and *key_pem = the private key
 * to store (both malloc'd); otherwise a CME code: 50 for malformed attributes
 * or key usage, 523 when key generation fails.
 */
int simkg_keygen(const struct simkg_identity *id, const struct simkg_request *req, char **blob,
		 char **key_pem);

/*
 * Build an %ATTESTTOKEN answer: *blob = "<base64url message>.<base64url
 * COSE_Sign1 with nil payload>". challenge_hex is NULL or 32 hex digits
 * (checked by the caller). Returns 0 or a CME code.
 */
int simkg_attest(const struct simkg_identity *id, const uint8_t device_uuid[16], int device_type,
		 const uint8_t fw_uuid[16], const char *challenge_hex, char **blob);

#endif
