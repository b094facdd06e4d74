/*
 * The credential store in memory, unique per tag+type, in the order a real
 * modem lists it (%CMNG=1): the user's entries in the order they were
 * stored, then the modem's own under tags above 2147483647, which every full
 * list shows and nobody may change. A replaced entry keeps its place (the
 * modem lists no timestamps; nothing published says otherwise).
 */
#include "sim.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

/*
 * Stand-ins for what a real modem keeps under its reserved tags, with the
 * types and in the order a real list shows them after the user's entries
 * (sdk-nrf tests/lib/modem_key_mgmt/src/main.c, test_data_list, commit
 * 1f718a31): 10 Nordic identity root CA, 6 device identity public key, 11
 * Nordic base public key.
 */
static const struct {
	uint32_t tag;
	int type;
	const char *content;
} modem_owned[] = {
	{ 4294967293u, 10,
	  "-----BEGIN CERTIFICATE-----\nbW9kZW1zaW0gTm9yZGljIGlkZW50aXR5IHJvb3QgQ0E=\n"
	  "-----END CERTIFICATE-----\n" },
	{ 4294967294u, 6,
	  "-----BEGIN PUBLIC KEY-----\nbW9kZW1zaW0gZGV2aWNlIGlkZW50aXR5IGtleQ==\n"
	  "-----END PUBLIC KEY-----\n" },
	{ 4294967292u, 11,
	  "-----BEGIN PUBLIC KEY-----\nbW9kZW1zaW0gTm9yZGljIGJhc2UgcHVibGljIGtleQ==\n"
	  "-----END PUBLIC KEY-----\n" },
};

void sha256_hex(const char *data, size_t len, char out[65])
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned char md[32];
	unsigned int mdlen = 0;
	if (!EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) || mdlen != 32)
		memset(md, 0, sizeof(md));
	for (int i = 0; i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
}

struct cred *store_find(struct store *s, uint32_t tag, int type)
{
	for (size_t i = 0; i < s->count; i++)
		if (s->items[i].tag == tag && s->items[i].type == type)
			return &s->items[i];
	return NULL;
}

/* Where a new entry goes: after the user's entries, or at the very end for
 * the modem's own. */
static size_t insert_position(const struct store *s, int owned)
{
	size_t i = 0;

	if (owned)
		return s->count;
	while (i < s->count && !s->items[i].modem_owned)
		i++;
	return i;
}

void store_put(struct store *s, uint32_t tag, int type, const char *content, size_t len, int owned)
{
	char *copy = malloc(len + 1);
	if (!copy)
		abort();
	memcpy(copy, content, len);
	copy[len] = '\0';

	struct cred *c = store_find(s, tag, type);
	if (c) {
		free(c->content);
	} else {
		if (s->count == s->cap) {
			s->cap = s->cap ? s->cap * 2 : 16;
			s->items = realloc(s->items, s->cap * sizeof(*s->items));
			if (!s->items)
				abort();
		}
		size_t i = insert_position(s, owned);
		memmove(&s->items[i + 1], &s->items[i], (s->count - i) * sizeof(*s->items));
		s->count++;
		c = &s->items[i];
		c->tag = tag;
		c->type = type;
	}
	c->content = copy;
	c->len = len;
	c->modem_owned = owned;
}

int store_remove(struct store *s, uint32_t tag, int type)
{
	struct cred *c = store_find(s, tag, type);
	if (!c)
		return -1;
	free(c->content);
	size_t i = (size_t)(c - s->items);
	memmove(&s->items[i], &s->items[i + 1], (s->count - i - 1) * sizeof(*s->items));
	s->count--;
	return 0;
}

size_t store_user_count(const struct store *s)
{
	size_t n = 0;
	for (size_t i = 0; i < s->count; i++)
		n += !s->items[i].modem_owned;
	return n;
}

void store_add_modem_owned(struct store *s)
{
	for (size_t i = 0; i < sizeof(modem_owned) / sizeof(modem_owned[0]); i++)
		store_put(s, modem_owned[i].tag, modem_owned[i].type, modem_owned[i].content,
			  strlen(modem_owned[i].content), 1);
}

void store_free(struct store *s)
{
	for (size_t i = 0; i < s->count; i++)
		free(s->items[i].content);
	free(s->items);
	memset(s, 0, sizeof(*s));
}
