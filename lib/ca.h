/*
 * The factory CA inside the library (ca.c): the PIN or passphrase of a CA
 * key, which ca_pkcs11.c uses too, and what provision.c needs beyond the
 * public mcred_ca_* functions.
 */
#ifndef MODEMCRED_CA_H
#define MODEMCRED_CA_H

#include <stddef.h>

#include "modemcred.h"

/*
 * The PIN or passphrase of a struct mcred_ca_key, asked for at most once
 * (its password_cb) and wiped by mcred_ca_secret_wipe().
 */
struct ca_secret {
	const struct mcred_ca_key *key;
	int asked;      /* password_cb was called */
	int given;      /* and gave a secret: buf[0..len) */
	char buf[1024]; /* OpenSSL's PEM_BUFSIZE: the longest passphrase it asks for */
	size_t len;
};

/* The secret (asking for it the first time): 0, or -1 when there is none. */
int mcred_ca_secret_get(struct ca_secret *s, int is_pin);
void mcred_ca_secret_wipe(struct ca_secret *s);

/*
 * mcred_ca_sign() that also gives the seconds it waited for the CA's token
 * (*token_wait_s, 0 for a key in memory; may be NULL), and checks the
 * certificate it made as mcred_cert_check() would, without reading it back:
 * for public_key_pem (the modem's on-device key; NULL: any key), issued by
 * the CA (its signature verifies under the CA's certificate).
 */
enum mcred_err mcred_ca_sign_timed(const mcred_ca *ca, const char *csr_pem,
				   const char *public_key_pem, unsigned days, char **cert_pem,
				   char serial[33], double *token_wait_s, struct mcred_error *err);

/*
 * Whether the certificate (PEM) expires within days days from now (or has
 * expired): 1 yes, 0 no, -1 when it does not parse.
 */
int mcred_cert_expires_within(const char *cert_pem, unsigned days);

#endif
