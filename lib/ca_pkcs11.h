/*
 * A factory CA key in a PKCS#11 token (ca_pkcs11.c), opened through
 * OpenSSL's pkcs11 engine; ca.c signs with it.
 */
#ifndef MODEMCRED_CA_PKCS11_H
#define MODEMCRED_CA_PKCS11_H

#include <openssl/types.h>

#include "ca.h"
#include "modemcred.h"

/* The token of a CA key. */
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

#endif
