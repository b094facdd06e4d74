/*
 * The factory CA inside the library: ca.c (certificates, PEM keys,
 * signing), ca_pkcs11.c (a key in a PKCS#11 token) and what provision.c
 * needs beyond the public mcred_ca_* functions.
 */
#ifndef MODEMCRED_CA_H
#define MODEMCRED_CA_H

#include <stddef.h>

#include <openssl/types.h>

#include "modemcred.h"

/*
 * The PIN or passphrase of a struct mcred_ca_key, asked for at most once
 * (its password_cb) and wiped by ca_secret_wipe().
 */
struct ca_secret {
	const struct mcred_ca_key *key;
	int asked; /* password_cb was called */
	int given; /* and gave a secret: buf[0..len) */
	char buf[256];
	size_t len;
};

/* The secret (asking for it the first time): 0, or -1 when there is none. */
int ca_secret_get(struct ca_secret *s, int is_pin);
void ca_secret_wipe(struct ca_secret *s);

/* A key in a PKCS#11 token, opened through OpenSSL's pkcs11 engine (ca_pkcs11.c). */
struct mcred_ca_token;

/*
 * Open key->uri through the engine (key->pkcs11_module, else p11-kit's
 * proxy), logging in with the PIN of secret when the token asks for one.
 * *pkey is the key, whose private half stays in the token. MCRED_OK, or
 * MCRED_ERR_INVALID_ARG saying what is wrong (no engine, no such key, no
 * PIN, a wrong PIN, a URI holding a PIN).
 */
enum mcred_err mcred_ca_token_open(const struct mcred_ca_key *key, struct ca_secret *secret,
				   struct mcred_ca_token **token, EVP_PKEY **pkey,
				   struct mcred_error *err);

/* Close the token (after the EVP_PKEY from it is freed); NULL is allowed. */
void mcred_ca_token_close(struct mcred_ca_token *token);

/*
 * Take the token for one signature (see ca_pkcs11.c for why one at a time);
 * returns the seconds spent waiting for it. mcred_ca_token_release() after.
 */
double mcred_ca_token_take(struct mcred_ca_token *token);
void mcred_ca_token_release(struct mcred_ca_token *token);

/*
 * mcred_ca_sign() that also gives the seconds it waited for the CA's token
 * (*token_wait_s, 0 for a key in memory; may be NULL).
 */
enum mcred_err mcred_ca_sign_timed(const mcred_ca *ca, const char *csr_pem, unsigned days,
				   char **cert_pem, char serial[33], double *token_wait_s,
				   struct mcred_error *err);

/*
 * Whether the certificate (PEM) expires within days days from now (or has
 * expired): 1 yes, 0 no, -1 when it does not parse.
 */
int mcred_cert_expires_within(const char *cert_pem, unsigned days);

#endif
