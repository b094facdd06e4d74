/*
 * Caller-filled structs the way a program builds them: _init first (which
 * sets the size field), then the fields. The tests use these instead of
 * positional initialisers, which the leading size field would shift.
 */
#ifndef TEST_SUPPORT_STRUCTS_H
#define TEST_SUPPORT_STRUCTS_H

#include "modemcred.h"

static inline struct mcred_keygen_request keygen_req(uint32_t tag, enum mcred_keygen_kind kind,
						     const char *attributes, const char *key_usage)
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

/* A list over an array of n ports (ptrs has n places), as mcred_port_list_get() gives one. */
static inline struct mcred_port_list port_list_of(struct mcred_port *ports, size_t n,
						  struct mcred_port **ptrs)
{
	struct mcred_port_list list;

	for (size_t i = 0; i < n; i++)
		ptrs[i] = &ports[i];
	list.ports = ptrs;
	list.count = n;
	return list;
}

#endif
