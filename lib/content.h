/*
 * What a credential file holds (content.c): its PEM blocks found, and
 * checked with OpenSSL against the type it is to be written as. Pure: no
 * handle, no I/O. The public side is mcred_pem_find() and
 * mcred_cmng_check_content() (modemcred.h).
 */
#ifndef MODEMCRED_CONTENT_H
#define MODEMCRED_CONTENT_H

#include <stddef.h>

/*
 * 1 when content holds private key material (a PEM private key block, or
 * anything with "PRIVATE KEY-----" in it): a secret, whatever type it is
 * written as.
 */
int mcred_content_holds_key(const char *content, size_t len);

#endif
