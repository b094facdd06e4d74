/* Names of protocol values: credential types (and their parsing), functional modes. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "error.h"

struct type_info {
	const char *name;
	const char *description;
};

static const struct type_info types[] = {
	{ "ca", "root CA certificate" },
	{ "cert", "client certificate" },
	{ "key", "client private key" },
	{ "psk", "pre-shared key (PSK)" },
	{ "psk-id", "PSK identity" },
	{ "pubkey", "public key" },
	{ "identity", "device identity public key" },
	{ "reserved", "reserved" },
	{ "endorsement", "endorsement key" },
	{ "ownership", "ownership key" },
	{ "nordic-ca", "Nordic identity root CA" },
	{ "nordic-base", "Nordic base public key" },
};

#define TYPE_COUNT ((int)(sizeof(types) / sizeof(types[0])))

/*
 * Longer spellings people use for the common types, and the names of
 * nrfcredstore's CredType enum, so that its users' scripts move over
 * unchanged (matching ignores case).
 */
static const struct {
	const char *alias;
	int type;
} aliases[] = {
	{ "root-ca", MCRED_TYPE_CA_CERT },
	{ "client-cert", MCRED_TYPE_CLIENT_CERT },
	{ "private-key", MCRED_TYPE_PRIVATE_KEY },
	{ "psk-identity", MCRED_TYPE_PSK_IDENTITY },
	{ "public-key", MCRED_TYPE_PUBLIC_KEY },
	{ "ROOT_CA_CERT", MCRED_TYPE_CA_CERT },
	{ "CLIENT_CERT", MCRED_TYPE_CLIENT_CERT },
	{ "CLIENT_KEY", MCRED_TYPE_PRIVATE_KEY },
	{ "PSK", MCRED_TYPE_PSK },
	{ "PSK_ID", MCRED_TYPE_PSK_IDENTITY },
	{ "PUB_KEY", MCRED_TYPE_PUBLIC_KEY },
	{ "DEV_ID_PUB_KEY", MCRED_TYPE_DEVICE_IDENTITY_KEY },
	{ "RESERVED", MCRED_TYPE_RESERVED },
	{ "ENDORSEMENT_KEY", MCRED_TYPE_ENDORSEMENT_KEY },
	{ "OWNERSHIP_KEY", MCRED_TYPE_OWNERSHIP_KEY },
	{ "NORDIC_ID_ROOT_CA", MCRED_TYPE_NORDIC_ROOT_CA },
	{ "NORDIC_PUB_KEY", MCRED_TYPE_NORDIC_BASE_KEY },
};

const char *mcred_type_name(int type)
{
	return type >= 0 && type < TYPE_COUNT ? types[type].name : NULL;
}

const char *mcred_type_description(int type)
{
	return type >= 0 && type < TYPE_COUNT ? types[type].description : "unknown type";
}

/* A decimal number 0..11 with nothing else; -1 otherwise. */
static int parse_type_number(const char *text)
{
	size_t len = strlen(text);
	if (len == 0 || len > 2)
		return -1;
	int value = 0;
	for (size_t i = 0; i < len; i++) {
		if (text[i] < '0' || text[i] > '9')
			return -1;
		value = value * 10 + (text[i] - '0');
	}
	return value < TYPE_COUNT ? value : -1;
}

static int parse_type_name(const char *text)
{
	for (int t = 0; t < TYPE_COUNT; t++)
		if (strcasecmp(text, types[t].name) == 0)
			return t;
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (strcasecmp(text, aliases[i].alias) == 0)
			return aliases[i].type;
	return -1;
}

enum mcred_err mcred_type_parse(const char *text, int *type, struct mcred_error *err)
{
	if (!text || !type)
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG, "no credential type given");
	int t = parse_type_number(text);
	if (t < 0)
		t = parse_type_name(text);
	if (t < 0)
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "unknown credential type '%.64s': use a number 0-11 or a "
				       "name: ca, cert, key, psk, psk-id, pubkey, identity, "
				       "reserved, endorsement, ownership, nordic-ca, nordic-base",
				       text);
	*type = t;
	mcred_error_clear(err);
	return MCRED_OK;
}

const char *mcred_cfun_name(int mode)
{
	switch (mode) {
	case 0: return "off (minimum functionality)";
	case 1: return "on (normal)";
	case 2: return "receive only";
	case 4: return "offline (flight mode)";
	case 20: return "LTE off";
	case 21: return "LTE on";
	case 30: return "GNSS off";
	case 31: return "GNSS on";
	case 40: return "SIM off";
	case 41: return "SIM on";
	default: return "other";
	}
}
