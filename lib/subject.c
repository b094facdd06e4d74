/*
 * The subject of the CSR a modem returns from %KEYGEN must be the one asked
 * for: a modem that drops, adds or changes an attribute makes a CSR for
 * another name, and a CA that signs it certifies that other name.
 *
 * What the modem makes, per the %KEYGEN reference ("<attributes>"): the
 * subject built from the comma-separated NAME=VALUE list, by default
 * "CN=<device-uuid>". Real answers show the rest:
 * - the reference's worked example (real modem output, see
 *   /work/shared/spec/NOTES.md) asks for "O=Nordic Semiconductor,
 *   L=Trondheim,C=no" and its CSR holds O, L, C in that order, one RDN each:
 *   the modem keeps the order it is given (X.509 names are ordered, so a
 *   reordered subject is another name);
 * - nRFCloud/utils tests/test_modem_credentials_parser.py (KEYGEN_CSR), a
 *   real answer to %KEYGEN without attributes: the subject is one RDN,
 *   CN=50363154-3931-44f0-8022-121b6401627d, the device UUID of the payload
 *   in lower-case hex;
 * - nRFCloud/utils tests/test_device_credentials_installer.py: real answers
 *   to "CN=nrf-<IMEI>" and to no attributes, each exactly that subject
 *   (tests/fixtures/transcripts/keygen_nrfcloud_utils_installer_*.txt).
 * Values are compared as UTF-8 bytes, whatever the string type (the
 * example's C is a PrintableString, its O a UTF8String).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "subject.h"
#include "util.h"

/* Attribute names %KEYGEN accepts (the reference's "Supported attributes"). */
static const struct {
	const char *name;
	int nid;
} attribute_names[] = {
	{ "CN", NID_commonName },
	{ "commonName", NID_commonName },
	{ "L", NID_localityName },
	{ "locality", NID_localityName },
	{ "localityName", NID_localityName },
	{ "ST", NID_stateOrProvinceName },
	{ "stateOrProvinceName", NID_stateOrProvinceName },
	{ "O", NID_organizationName },
	{ "organizationName", NID_organizationName },
	{ "OU", NID_organizationalUnitName },
	{ "organizationalUnitName", NID_organizationalUnitName },
	{ "C", NID_countryName },
	{ "countryName", NID_countryName },
	{ "DC", NID_domainComponent },
	{ "domainComponent", NID_domainComponent },
	{ "SN", NID_surname },
	{ "surName", NID_surname },
	{ "surname", NID_surname },
	{ "GN", NID_givenName },
	{ "givenName", NID_givenName },
	{ "R", NID_pkcs9_emailAddress },
	{ "emailAddress", NID_pkcs9_emailAddress },
	{ "serialNumber", NID_serialNumber },
	{ "postalAddress", NID_postalAddress },
	{ "postalCode", NID_postalCode },
	{ "dnQualifier", NID_dnQualifier },
	{ "title", NID_title },
	{ "initials", NID_initials },
	{ "pseudonym", NID_pseudonym },
	{ "generationQualifier", NID_generationQualifier },
};

int mcred_attribute_nid(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(attribute_names) / sizeof(attribute_names[0]); i++)
		if (strlen(attribute_names[i].name) == len &&
		    memcmp(attribute_names[i].name, name, len) == 0)
			return attribute_names[i].nid;
	return NID_undef;
}

/* One attribute asked for. */
struct wanted {
	int nid;
	const char *label; /* the name as asked ("R", "emailAddress") */
	size_t label_len;
	const char *value;
	size_t len;
	int any_case; /* the default CN: the UUID's hex in either case */
};

/* One attribute of the CSR's subject, in its order. */
struct got {
	int nid;
	char label[64];       /* short name, or the OID in dots */
	unsigned char *value; /* UTF-8; NULL when the value is no string */
	size_t len;
	int set; /* its RDN */
};

/* The attributes asked for; NULL on out of memory. */
static struct wanted *load_wanted(const char *attributes, const char *device_uuid, size_t *n)
{
	static const char cn[] = "CN";
	struct wanted *w;
	const char *p;
	size_t i;

	*n = 1;
	if (attributes)
		for (p = attributes; *p; p++)
			*n += *p == ',';
	w = calloc(*n, sizeof(*w));
	if (!w)
		return NULL;
	if (!attributes) {
		w[0] = (struct wanted){ NID_commonName, cn, 2, device_uuid, strlen(device_uuid), 1 };
		return w;
	}
	for (i = 0, p = attributes; i < *n; i++) {
		const char *comma = strchr(p, ',');
		size_t item = comma ? (size_t)(comma - p) : strlen(p);
		const char *eq = memchr(p, '=', item);
		size_t name_len = eq ? (size_t)(eq - p) : item;

		w[i].nid = mcred_attribute_nid(p, name_len);
		w[i].label = p;
		w[i].label_len = name_len;
		w[i].value = eq ? eq + 1 : p + item;
		w[i].len = eq ? item - name_len - 1 : 0;
		p = comma ? comma + 1 : p + item;
	}
	return w;
}

static void free_got(struct got *g, size_t n)
{
	size_t i;

	for (i = 0; g && i < n; i++)
		OPENSSL_free(g[i].value);
	free(g);
}

/* The CSR's attributes in order; NULL on out of memory. */
static struct got *load_got(const X509_NAME *name, size_t *n)
{
	int i, count = X509_NAME_entry_count(name);
	struct got *g = calloc(count > 0 ? (size_t)count : 1, sizeof(*g));

	*n = 0;
	if (!g)
		return NULL;
	for (i = 0; i < count; i++, (*n)++) {
		const X509_NAME_ENTRY *e = X509_NAME_get_entry(name, i);
		const ASN1_OBJECT *obj = X509_NAME_ENTRY_get_object(e);
		unsigned char *utf8 = NULL;
		int len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(e));

		g[i].nid = OBJ_obj2nid(obj);
		g[i].set = X509_NAME_ENTRY_set(e);
		if (g[i].nid != NID_undef)
			snprintf(g[i].label, sizeof(g[i].label), "%s", OBJ_nid2sn(g[i].nid));
		else if (OBJ_obj2txt(g[i].label, sizeof(g[i].label), obj, 1) <= 0)
			snprintf(g[i].label, sizeof(g[i].label), "?");
		if (len >= 0) {
			g[i].value = utf8;
			g[i].len = (size_t)len;
		}
	}
	return g;
}

static int same_value(const struct wanted *w, const struct got *g)
{
	if (w->nid != g->nid || !g->value || g->len != w->len)
		return 0;
	if (w->any_case)
		return strncasecmp((const char *)g->value, w->value, w->len) == 0;
	return memcmp(g->value, w->value, w->len) == 0;
}

/* The first unused attribute of the CSR that is w (value too, or the name only); -1 if none. */
static long find(const struct wanted *w, const struct got *g, size_t n, const char *used,
		 int with_value)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!used[i] && (with_value ? same_value(w, &g[i]) : w->nid == g[i].nid))
			return (long)i;
	return -1;
}

void mcred_subject_printable(const char *s, size_t len, char *out, size_t size)
{
	size_t i, n = len < size ? len : size - 4;

	for (i = 0; i < n; i++)
		out[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	strcpy(out + n, n < len ? "..." : "");
}

/* A value for why: printable, at most 40 bytes shown. */
static const char *shown(const char *s, size_t len, char out[44])
{
	if (!s)
		return "(not a string)";
	mcred_subject_printable(s, len, out, 44);
	return out;
}

static const char *got_value(const struct got *g, char out[44])
{
	return shown((const char *)g->value, g->len, out);
}

/* The first way got differs from wanted, into why; 1 when it does not. */
static int compare(const struct wanted *w, size_t nw, const struct got *g, size_t ng, char *used,
		   char *why, size_t size)
{
	char a[44], b[44];
	size_t i;
	long j;

	for (i = 0; i < nw; i++) {
		if ((j = find(&w[i], g, ng, used, 1)) >= 0) {
			used[j] = 1;
			continue;
		}
		if ((j = find(&w[i], g, ng, used, 0)) >= 0)
			snprintf(why, size, "its %.*s is '%s', not '%s'", (int)w[i].label_len,
				 w[i].label, got_value(&g[j], a), shown(w[i].value, w[i].len, b));
		else
			snprintf(why, size, "it lacks %.*s=%s", (int)w[i].label_len, w[i].label,
				 shown(w[i].value, w[i].len, b));
		return 0;
	}
	for (i = 0; i < ng; i++)
		if (!used[i]) {
			snprintf(why, size, "it adds %s=%s", g[i].label, got_value(&g[i], a));
			return 0;
		}
	/* the same attributes, one for one: now their order and their RDNs */
	for (i = 0; i < nw; i++)
		if (!same_value(&w[i], &g[i])) {
			snprintf(why, size, "it holds the attributes asked for in another order");
			return 0;
		}
	for (i = 1; i < ng; i++)
		if (g[i].set == g[i - 1].set) {
			snprintf(why, size, "%s and %s share one RDN, each should have its own",
				 g[i - 1].label, g[i].label);
			return 0;
		}
	return 1;
}

int mcred_subject_matches(const X509_NAME *name, const char *attributes, const char *device_uuid,
			  char *why, size_t size)
{
	size_t nw = 0, ng = 0;
	struct wanted *w = load_wanted(attributes, device_uuid ? device_uuid : "", &nw);
	struct got *g = name ? load_got(name, &ng) : NULL;
	char *used = calloc(ng + 1, 1);
	int rc = -1;

	if (w && (g || !name) && used)
		rc = compare(w, nw, g, ng, used, why, size);
	free(used);
	free_got(g, ng);
	free(w);
	mcred_openssl_forget(); /* a value that is no string leaves its error behind */
	return rc;
}
