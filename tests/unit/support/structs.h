/*
 * Caller-filled structs the way a program builds them: _init first (which
 * sets the size field), then the fields. The tests use these instead of
 * positional initialisers, which the leading size field would shift.
 */
#ifndef TEST_SUPPORT_STRUCTS_H
#define TEST_SUPPORT_STRUCTS_H

#include "modemcred.h"

static inline struct mcred_keygen_request keygen_req(uint32_t tag, enum mcred_keygen_kind kind,
						     const char *attributes,
						     const char *key_usage)
{
	struct mcred_keygen_request r;

	mcred_keygen_request_init(&r);
	r.tag = tag;
	r.kind = kind;
	r.attributes = attributes;
	r.key_usage = key_usage;
	return r;
}

static inline struct mcred_transport
transport_of(int (*rd)(void *, uint8_t *, size_t, unsigned),
	     int (*wr)(void *, const uint8_t *, size_t, unsigned), void (*cl)(void *), void *user)
{
	struct mcred_transport t;

	mcred_transport_init(&t);
	t.read = rd;
	t.write = wr;
	t.close = cl;
	t.user = user;
	return t;
}

#endif
