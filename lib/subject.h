/*
 * The CSR subject %KEYGEN makes of its <attributes> (subject.c): the
 * attribute names it takes, and whether a CSR's subject is the one asked for.
 */
#ifndef MODEMCRED_SUBJECT_H
#define MODEMCRED_SUBJECT_H

#include <stddef.h>

#include <openssl/types.h>

/*
 * The OpenSSL NID of a %KEYGEN attribute name of len bytes ("CN",
 * "emailAddress", "R", ...), as the %KEYGEN reference lists them; NID_undef
 * for a name %KEYGEN does not take. Names are case-sensitive.
 */
int mcred_attribute_nid(const char *name, size_t len);

/*
 * Whether name is exactly the subject %KEYGEN makes of attributes
 * ("CN=x,O=y", as mcred_keygen_check() accepts them): one RDN per attribute,
 * in the order given, each with its value byte for byte (UTF-8), and no
 * other. attributes NULL: the modem's default, CN=<device_uuid> alone (the
 * UUID's hex digits in either case). 1 when it is; 0 when not, with what
 * differs first in why (printable, at most size bytes); -1 out of memory.
 */
int mcred_subject_matches(const X509_NAME *name, const char *attributes, const char *device_uuid,
			  char *why, size_t size);

/*
 * len bytes of s made printable for a message (other bytes as '?'), cut
 * with "..." to fit size bytes with the NUL; size at least 4.
 */
void mcred_subject_printable(const char *s, size_t len, char *out, size_t size);

#endif
