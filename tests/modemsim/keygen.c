/*
 * Cryptographic side of the simulated modem (see keygen.h), in the layout of
 * the nRF91 AT command reference (%KEYGEN, %ATTESTTOKEN) and of real modem
 * answers kept as test data by Nordic (nRFCloud/utils,
 * tests/test_modem_credentials_parser.py, commit 7acbfb58).
 *
 * Layout produced, matching the worked example from a real modem:
 *
 *   %KEYGEN blob   = base64url(body) "." base64url(COSE_Sign1), no padding
 *   body           = CSR DER (payload id 9) or SubjectPublicKeyInfo DER (8)
 *   COSE_Sign1     = 18([h'A10126', {4: h'21'}, bstr(payload), bstr(r||s)])
 *   payload        = 55799([payload_id, bstr16 device_uuid, bstr(cbor int sec_tag),
 *                           bstr32 SHA-256(body), bstr16 nonce])
 *   signature      = ES256 with the identity key over
 *                    ["Signature1", h'A10126', h'', bstr(payload)]
 *
 *   %ATTESTTOKEN   = base64url(message) "." base64url(COSE_Sign1 with nil payload)
 *   message        = 55799([1, bstr16 device_uuid, device_type, bstr16 fw_uuid,
 *                           bstr16 nonce])
 *                    the nonce is the challenge when one was given, else 16
 *                    random bytes: a real token taken without a challenge has
 *                    5 elements (nRFCloud/utils tests/test_modem_credentials_
 *                    parser.py, ATTESTTOKEN, commit 7acbfb58)
 *   signature      = ES256 over ["Signature1", h'A10126', h'', bstr(message)]
 *
 * Independent of libmodemcred on purpose: OpenSSL and libcbor only.
 */
#include "keygen.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cbor.h>
#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#define SIMKG_CME_PARAM 50   /* incorrect parameters */
#define SIMKG_CME_SYSTEM 60  /* system error */
#define SIMKG_CME_KEYGEN 523 /* key generation failed */

#define SIMKG_PAYLOAD_PUBKEY 8
#define SIMKG_PAYLOAD_CSR 9
#define SIMKG_MSG_IDENTITY 1
#define SIMKG_KID_IDENTITY 1 /* CBOR -2 = negint(1), h'21' */

struct simkg_identity {
	EVP_PKEY *pkey;
	/* its PKCS#8 PEM, made once: the store is rewritten after every change */
	char *private_pem;
};

/* ---- small helpers ------------------------------------------------------- */

/* P-256 (prime256v1) EC key? */
static bool is_p256(EVP_PKEY *pk)
{
	char group[64];
	size_t len = 0;

	if (pk == NULL || !EVP_PKEY_is_a(pk, "EC"))
		return false;
	if (!EVP_PKEY_get_utf8_string_param(pk, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
					    &len))
		return false;
	return strcmp(group, "prime256v1") == 0 || strcmp(group, "P-256") == 0;
}

static EVP_PKEY *load_private_pem(const char *pem)
{
	BIO *bio;
	EVP_PKEY *pk;

	if (pem == NULL)
		return NULL;
	bio = BIO_new_mem_buf(pem, -1);
	if (bio == NULL)
		return NULL;
	pk = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (pk != NULL && !is_p256(pk)) {
		EVP_PKEY_free(pk);
		pk = NULL;
	}
	return pk;
}

static EVP_PKEY *new_p256(void)
{
	return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
}

/* PKCS#8 PEM of a private key, malloc'd; the BIO's copy is wiped. */
static char *make_private_pem(EVP_PKEY *pk)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data = NULL, *out = NULL;
	long len;

	if (bio == NULL)
		return NULL;
	if (PEM_write_bio_PrivateKey(bio, pk, NULL, NULL, 0, NULL, NULL) == 1) {
		len = BIO_get_mem_data(bio, &data);
		if (len > 0 && data != NULL) {
			out = malloc((size_t)len + 1);
			if (out != NULL) {
				memcpy(out, data, (size_t)len);
				out[len] = '\0';
			}
			OPENSSL_cleanse(data, (size_t)len);
		}
	}
	BIO_free(bio);
	return out;
}

/* base64url without padding, malloc'd NUL-terminated string. */
static char *b64url(const uint8_t *data, size_t len)
{
	size_t cap = 4 * ((len + 2) / 3) + 1, i, n;
	char *out;
	int w;

	if (len > (size_t)0x3fffffff)
		return NULL;
	out = malloc(cap);
	if (out == NULL)
		return NULL;
	w = EVP_EncodeBlock((unsigned char *)out, data, (int)len);
	if (w < 0) {
		free(out);
		return NULL;
	}
	n = (size_t)w;
	while (n > 0 && out[n - 1] == '=')
		n--;
	out[n] = '\0';
	for (i = 0; i < n; i++) {
		if (out[i] == '+')
			out[i] = '-';
		else if (out[i] == '/')
			out[i] = '_';
	}
	return out;
}

static char *join_blob(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	char *ea = b64url(a, alen), *eb = b64url(b, blen), *out = NULL;
	size_t la, lb;

	if (ea != NULL && eb != NULL) {
		la = strlen(ea);
		lb = strlen(eb);
		out = malloc(la + lb + 2);
		if (out != NULL) {
			memcpy(out, ea, la);
			out[la] = '.';
			memcpy(out + la + 1, eb, lb + 1);
		}
	}
	free(ea);
	free(eb);
	return out;
}

static bool sha256(const uint8_t *data, size_t len, uint8_t out[32])
{
	unsigned int n = 0;

	return EVP_Digest(data, len, out, &n, EVP_sha256(), NULL) == 1 && n == 32;
}

/* ECDSA-SHA256 signature in DER (malloc'd via OPENSSL_malloc). */
static bool sign_der(EVP_PKEY *pk, const uint8_t *msg, size_t len, uint8_t **sig, size_t *siglen)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	bool ok = false;

	*sig = NULL;
	*siglen = 0;
	if (ctx == NULL)
		return false;
	if (EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, pk) != 1)
		goto out;
	if (EVP_DigestSign(ctx, NULL, siglen, msg, len) != 1)
		goto out;
	*sig = OPENSSL_malloc(*siglen);
	if (*sig == NULL)
		goto out;
	if (EVP_DigestSign(ctx, *sig, siglen, msg, len) != 1)
		goto out;
	ok = true;
out:
	if (!ok) {
		OPENSSL_free(*sig);
		*sig = NULL;
	}
	EVP_MD_CTX_free(ctx);
	return ok;
}

/* ES256 (COSE): ECDSA-SHA256 with the signature as r||s, 32 bytes each. */
static bool es256_sign(EVP_PKEY *pk, const uint8_t *msg, size_t len, uint8_t out[64])
{
	uint8_t *der = NULL;
	size_t derlen = 0;
	const unsigned char *p;
	ECDSA_SIG *sig = NULL;
	const BIGNUM *r = NULL, *s = NULL;
	bool ok = false;

	if (!sign_der(pk, msg, len, &der, &derlen))
		return false;
	p = der;
	sig = d2i_ECDSA_SIG(NULL, &p, (long)derlen);
	if (sig == NULL)
		goto out;
	ECDSA_SIG_get0(sig, &r, &s);
	if (BN_bn2binpad(r, out, 32) != 32 || BN_bn2binpad(s, out + 32, 32) != 32)
		goto out;
	ok = true;
out:
	ECDSA_SIG_free(sig);
	OPENSSL_free(der);
	return ok;
}

/* ---- CBOR / COSE ----------------------------------------------------------- */

/* Push item into array and drop our reference; false (item freed) on error. */
static bool arr_push(cbor_item_t *arr, cbor_item_t *item)
{
	bool ok;

	if (item == NULL)
		return false;
	ok = cbor_array_push(arr, item);
	cbor_decref(&item);
	return ok;
}

static bool map_put(cbor_item_t *map, cbor_item_t *key, cbor_item_t *value)
{
	bool ok = key != NULL && value != NULL &&
		  cbor_map_add(map, (struct cbor_pair){ .key = key, .value = value });

	if (key != NULL)
		cbor_decref(&key);
	if (value != NULL)
		cbor_decref(&value);
	return ok;
}

/* Integer item in its shortest encoding. */
static cbor_item_t *mk_int(int64_t v)
{
	uint64_t u = v >= 0 ? (uint64_t)v : (uint64_t)(-(v + 1));
	bool neg = v < 0;

	if (u <= UINT8_MAX)
		return neg ? cbor_build_negint8((uint8_t)u) : cbor_build_uint8((uint8_t)u);
	if (u <= UINT16_MAX)
		return neg ? cbor_build_negint16((uint16_t)u) : cbor_build_uint16((uint16_t)u);
	if (u <= UINT32_MAX)
		return neg ? cbor_build_negint32((uint32_t)u) : cbor_build_uint32((uint32_t)u);
	return neg ? cbor_build_negint64(u) : cbor_build_uint64(u);
}

static cbor_item_t *mk_bstr(const uint8_t *data, size_t len)
{
	return cbor_build_bytestring(data, len);
}

/* Serialize; *out malloc'd (libcbor's allocator = malloc). */
static bool serialize(const cbor_item_t *item, uint8_t **out, size_t *len)
{
	unsigned char *buf = NULL;
	size_t cap = 0;

	*len = cbor_serialize_alloc(item, &buf, &cap);
	if (*len == 0) {
		free(buf);
		*out = NULL;
		return false;
	}
	*out = buf;
	return true;
}

/* 55799(array) serialized. Takes ownership of arr. */
static bool self_describe(cbor_item_t *arr, uint8_t **out, size_t *len)
{
	cbor_item_t *tag;
	bool ok;

	*out = NULL;
	if (arr == NULL)
		return false;
	tag = cbor_build_tag(55799, arr);
	cbor_decref(&arr);
	if (tag == NULL)
		return false;
	ok = serialize(tag, out, len);
	cbor_decref(&tag);
	return ok;
}

/*
 * COSE_Sign1 = 18([protected {1: -7}, {4: kid}, payload or nil, r||s]) signed
 * over ["Signature1", protected, h'', payload]. detached: payload is nil in
 * the COSE structure but signed all the same.
 */
static bool cose_sign1(EVP_PKEY *id, const uint8_t *payload, size_t plen, bool detached,
		       uint8_t **out, size_t *outlen)
{
	cbor_item_t *prot_map = NULL, *sig_struct = NULL, *unprot = NULL, *arr = NULL, *tag = NULL;
	uint8_t *prot = NULL, *tbs = NULL;
	size_t prot_len = 0, tbs_len = 0;
	uint8_t kid[1] = { 0x20 | SIMKG_KID_IDENTITY };
	uint8_t sig[64];
	bool ok = false;

	*out = NULL;
	*outlen = 0;

	/* protected header: bstr .cbor {1: -7} */
	prot_map = cbor_new_definite_map(1);
	if (prot_map == NULL || !map_put(prot_map, mk_int(1), mk_int(-7)) ||
	    !serialize(prot_map, &prot, &prot_len))
		goto out;

	/* Sig_structure (RFC 9052 section 4.4) */
	sig_struct = cbor_new_definite_array(4);
	if (sig_struct == NULL || !arr_push(sig_struct, cbor_build_string("Signature1")) ||
	    !arr_push(sig_struct, mk_bstr(prot, prot_len)) ||
	    !arr_push(sig_struct, mk_bstr(NULL, 0)) ||
	    !arr_push(sig_struct, mk_bstr(payload, plen)) || !serialize(sig_struct, &tbs, &tbs_len))
		goto out;
	if (!es256_sign(id, tbs, tbs_len, sig))
		goto out;

	unprot = cbor_new_definite_map(1);
	if (unprot == NULL || !map_put(unprot, mk_int(4), mk_bstr(kid, sizeof(kid))))
		goto out;

	arr = cbor_new_definite_array(4);
	if (arr == NULL || !arr_push(arr, mk_bstr(prot, prot_len)))
		goto out;
	ok = cbor_array_push(arr, unprot);
	cbor_decref(&unprot); /* libcbor only NULLs the pointer when it frees */
	unprot = NULL;
	if (!ok)
		goto out;
	ok = false;
	if (!arr_push(arr, detached ? cbor_new_null() : mk_bstr(payload, plen)) ||
	    !arr_push(arr, mk_bstr(sig, sizeof(sig))))
		goto out;
	tag = cbor_build_tag(18, arr);
	if (tag == NULL || !serialize(tag, out, outlen))
		goto out;
	ok = true;
out:
	if (prot_map != NULL)
		cbor_decref(&prot_map);
	if (sig_struct != NULL)
		cbor_decref(&sig_struct);
	if (unprot != NULL)
		cbor_decref(&unprot);
	if (arr != NULL)
		cbor_decref(&arr);
	if (tag != NULL)
		cbor_decref(&tag);
	free(prot);
	free(tbs);
	return ok;
}

/* ---- identity ---------------------------------------------------------------- */

struct simkg_identity *simkg_identity_new(const char *private_pem)
{
	struct simkg_identity *id = calloc(1, sizeof(*id));

	if (id == NULL)
		return NULL;
	id->pkey = private_pem != NULL ? load_private_pem(private_pem) : new_p256();
	if (id->pkey != NULL)
		id->private_pem = private_pem != NULL ? strdup(private_pem)
						      : make_private_pem(id->pkey);
	if (id->private_pem == NULL) {
		simkg_identity_free(id);
		return NULL;
	}
	return id;
}

const char *simkg_identity_private_pem(const struct simkg_identity *id)
{
	return id != NULL ? id->private_pem : NULL;
}

int simkg_identity_write_public_pem(const struct simkg_identity *id, const char *path)
{
	BIO *bio;
	int ok;

	if (id == NULL || path == NULL)
		return -1;
	bio = BIO_new_file(path, "w");
	if (bio == NULL)
		return -1;
	ok = PEM_write_bio_PUBKEY(bio, id->pkey);
	if (BIO_free(bio) != 1)
		ok = 0;
	return ok == 1 ? 0 : -1;
}

void simkg_identity_free(struct simkg_identity *id)
{
	if (id == NULL)
		return;
	EVP_PKEY_free(id->pkey);
	if (id->private_pem != NULL)
		OPENSSL_cleanse(id->private_pem, strlen(id->private_pem));
	free(id->private_pem);
	free(id);
}

/* ---- CSR ------------------------------------------------------------------------ */

static const struct {
	const char *name;
	const char *alias;
	int nid;
} attr_names[] = {
	{ "CN", "commonName", NID_commonName },
	{ "L", "locality", NID_localityName },
	{ "localityName", NULL, NID_localityName },
	{ "ST", "stateOrProvinceName", NID_stateOrProvinceName },
	{ "O", "organizationName", NID_organizationName },
	{ "OU", "organizationalUnitName", NID_organizationalUnitName },
	{ "C", "countryName", NID_countryName },
	{ "DC", "domainComponent", NID_domainComponent },
	{ "SN", "surName", NID_surname },
	{ "GN", "givenName", NID_givenName },
	{ "R", "emailAddress", NID_pkcs9_emailAddress },
	{ "serialNumber", NULL, NID_serialNumber },
	{ "postalAddress", NULL, NID_postalAddress },
	{ "postalCode", NULL, NID_postalCode },
	{ "dnQualifier", NULL, NID_dnQualifier },
	{ "title", NULL, NID_title },
	{ "initials", NULL, NID_initials },
	{ "pseudonym", NULL, NID_pseudonym },
	{ "generationQualifier", NULL, NID_generationQualifier },
};

static int attr_nid(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(attr_names) / sizeof(attr_names[0]); i++) {
		if (strcasecmp(name, attr_names[i].name) == 0 ||
		    (attr_names[i].alias != NULL && strcasecmp(name, attr_names[i].alias) == 0))
			return attr_names[i].nid;
	}
	return NID_undef;
}

static void uuid_string(const uint8_t u[16], char out[37])
{
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0;

	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[u[i] >> 4];
		out[o++] = hex[u[i] & 15];
	}
	out[o] = '\0';
}

/* Subject from "ID=value,ID=value"; 0 or SIMKG_CME_PARAM. */
static int build_subject(X509_NAME *name, const char *attributes, const uint8_t uuid[16])
{
	char *copy, *item, *save = NULL, *eq;
	int nid, rc = 0;

	if (attributes == NULL || attributes[0] == '\0') {
		char cn[37];

		uuid_string(uuid, cn);
		return X509_NAME_add_entry_by_NID(name, NID_commonName, MBSTRING_UTF8,
						  (const unsigned char *)cn, -1, -1, 0) == 1
			       ? 0
			       : SIMKG_CME_PARAM;
	}
	copy = strdup(attributes);
	if (copy == NULL)
		return SIMKG_CME_KEYGEN;
	/* strtok_r would merge empty fields; walk by hand so "a=b,,c=d" is refused */
	item = copy;
	while (rc == 0 && item != NULL) {
		save = strchr(item, ',');
		if (save != NULL)
			*save++ = '\0';
		eq = strchr(item, '=');
		if (eq == NULL || eq == item || eq[1] == '\0' || strchr(eq + 1, '"') != NULL) {
			rc = SIMKG_CME_PARAM;
			break;
		}
		*eq = '\0';
		nid = attr_nid(item);
		if (nid == NID_undef ||
		    X509_NAME_add_entry_by_NID(name, nid, MBSTRING_UTF8,
					       (const unsigned char *)(eq + 1), -1, -1, 0) != 1)
			rc = SIMKG_CME_PARAM;
		item = save;
	}
	free(copy);
	return rc;
}

/* keyUsage extension from 9 characters of 0/1; 0 or SIMKG_CME_PARAM. */
static int add_key_usage(STACK_OF(X509_EXTENSION) * *exts, const char *usage)
{
	ASN1_BIT_STRING *bits;
	int i, rc = 0;

	if (usage == NULL || usage[0] == '\0')
		usage = "111010000";
	if (strlen(usage) != 9 || usage[8] != '0')
		return SIMKG_CME_PARAM;
	for (i = 0; i < 9; i++)
		if (usage[i] != '0' && usage[i] != '1')
			return SIMKG_CME_PARAM;
	bits = ASN1_BIT_STRING_new();
	if (bits == NULL)
		return SIMKG_CME_KEYGEN;
	for (i = 0; i < 9 && rc == 0; i++)
		if (usage[i] == '1' && ASN1_BIT_STRING_set_bit(bits, i, 1) != 1)
			rc = SIMKG_CME_KEYGEN;
	if (rc == 0 && X509V3_add1_i2d(exts, NID_key_usage, bits, 0, X509V3_ADD_DEFAULT) != 1)
		rc = SIMKG_CME_KEYGEN;
	ASN1_BIT_STRING_free(bits);
	return rc;
}

/* DER tag + length header; returns bytes written (buf >= 6 bytes). */
static size_t der_header(uint8_t *buf, uint8_t tag, size_t len)
{
	size_t n = 0, i;
	uint8_t tmp[sizeof(size_t)];

	buf[n++] = tag;
	if (len < 0x80) {
		buf[n++] = (uint8_t)len;
		return n;
	}
	i = 0;
	while (len > 0 && i < 4) {
		tmp[i++] = (uint8_t)(len & 0xff);
		len >>= 8;
	}
	buf[n++] = (uint8_t)(0x80 | i);
	while (i > 0)
		buf[n++] = tmp[--i];
	return n;
}

/*
 * CertificationRequest with the legacy signatureAlgorithm
 * SEQUENCE { ecdsa-with-SHA256, NULL } as real modems emit it:
 * SEQUENCE { CertificationRequestInfo, AlgorithmIdentifier, BIT STRING }.
 */
static bool csr_legacy_der(X509_REQ *req, EVP_PKEY *pk, uint8_t **out, size_t *outlen)
{
	unsigned char *tbs = NULL, *alg_der = NULL;
	uint8_t *sig = NULL, *der = NULL;
	size_t siglen = 0, total, inner, n;
	uint8_t bs_hdr[8], seq_hdr[8];
	size_t bs_hdr_len, seq_hdr_len;
	X509_ALGOR *alg = NULL;
	int tbs_len, alg_len;
	bool ok = false;

	*out = NULL;
	tbs_len = i2d_re_X509_REQ_tbs(req, &tbs);
	if (tbs_len <= 0)
		goto out;
	if (!sign_der(pk, tbs, (size_t)tbs_len, &sig, &siglen))
		goto out;
	alg = X509_ALGOR_new();
	if (alg == NULL ||
	    X509_ALGOR_set0(alg, OBJ_nid2obj(NID_ecdsa_with_SHA256), V_ASN1_NULL, NULL) != 1)
		goto out;
	alg_len = i2d_X509_ALGOR(alg, &alg_der);
	if (alg_len <= 0)
		goto out;

	bs_hdr_len = der_header(bs_hdr, V_ASN1_BIT_STRING, siglen + 1);
	inner = (size_t)tbs_len + (size_t)alg_len + bs_hdr_len + 1 + siglen;
	seq_hdr_len = der_header(seq_hdr, V_ASN1_SEQUENCE | V_ASN1_CONSTRUCTED, inner);
	total = seq_hdr_len + inner;
	der = malloc(total);
	if (der == NULL)
		goto out;
	n = 0;
	memcpy(der + n, seq_hdr, seq_hdr_len);
	n += seq_hdr_len;
	memcpy(der + n, tbs, (size_t)tbs_len);
	n += (size_t)tbs_len;
	memcpy(der + n, alg_der, (size_t)alg_len);
	n += (size_t)alg_len;
	memcpy(der + n, bs_hdr, bs_hdr_len);
	n += bs_hdr_len;
	der[n++] = 0; /* no unused bits */
	memcpy(der + n, sig, siglen);
	n += siglen;

	/*
	 * No parse of it here to check it: every test that asks for a CSR
	 * parses and verifies it with OpenSSL (the library's KEYGEN checks),
	 * and a parse costs a decoder lookup, a millisecond of CPU per key.
	 */
	*out = der;
	*outlen = total;
	der = NULL;
	ok = true;
out:
	free(der);
	OPENSSL_free(tbs);
	OPENSSL_free(alg_der);
	OPENSSL_free(sig);
	X509_ALGOR_free(alg);
	return ok;
}

/*
 * The CSR's SubjectPublicKeyInfo: id-ecPublicKey, prime256v1, the
 * uncompressed point. The bytes X509_REQ_set_pubkey() makes, without its
 * encoder and decoder lookups (about a millisecond of CPU in OpenSSL 3.0,
 * with 32 simulators generating keys at once in make bench).
 */
static bool set_p256_pubkey(X509_REQ *req, EVP_PKEY *pk)
{
	unsigned char *point = NULL;
	size_t len = 0;

	if (EVP_PKEY_get_octet_string_param(pk, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, NULL, 0,
					    &len) != 1 ||
	    (point = OPENSSL_malloc(len)) == NULL ||
	    EVP_PKEY_get_octet_string_param(pk, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, point, len,
					    &len) != 1 ||
	    X509_PUBKEY_set0_param(X509_REQ_get_X509_PUBKEY(req),
				   OBJ_nid2obj(NID_X9_62_id_ecPublicKey), V_ASN1_OBJECT,
				   OBJ_nid2obj(NID_X9_62_prime256v1), point, (int)len) != 1) {
		OPENSSL_free(point);
		return false;
	}
	return true;
}

/* Build the CSR DER; 0 or a CME code. */
static int build_csr(const struct simkg_request *rq, EVP_PKEY *pk, uint8_t **out, size_t *outlen)
{
	X509_REQ *req = X509_REQ_new();
	STACK_OF(X509_EXTENSION) *exts = NULL;
	unsigned char *der = NULL;
	int rc, len;

	*out = NULL;
	if (req == NULL)
		return SIMKG_CME_KEYGEN;
	rc = add_key_usage(&exts, rq->key_usage);
	if (rc == 0)
		rc = build_subject(X509_REQ_get_subject_name(req), rq->attributes, rq->device_uuid);
	if (rc != 0)
		goto out;
	rc = SIMKG_CME_KEYGEN;
	if (X509_REQ_set_version(req, X509_REQ_VERSION_1) != 1 || !set_p256_pubkey(req, pk) ||
	    X509_REQ_add_extensions(req, exts) != 1)
		goto out;
	if (rq->modern_encoding) {
		if (X509_REQ_sign(req, pk, EVP_sha256()) <= 0)
			goto out;
		len = i2d_X509_REQ(req, &der);
		if (len <= 0)
			goto out;
		*out = malloc((size_t)len);
		if (*out == NULL)
			goto out;
		memcpy(*out, der, (size_t)len);
		*outlen = (size_t)len;
	} else if (!csr_legacy_der(req, pk, out, outlen)) {
		goto out;
	}
	rc = 0;
out:
	OPENSSL_free(der);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	X509_REQ_free(req);
	return rc;
}

static bool spki_der(EVP_PKEY *pk, uint8_t **out, size_t *outlen)
{
	unsigned char *der = NULL;
	int len = i2d_PUBKEY(pk, &der);

	*out = NULL;
	if (len <= 0)
		return false;
	*out = malloc((size_t)len);
	if (*out != NULL) {
		memcpy(*out, der, (size_t)len);
		*outlen = (size_t)len;
	}
	OPENSSL_free(der);
	return *out != NULL;
}

/* ---- %KEYGEN ---------------------------------------------------------------------- */

int simkg_keygen(const struct simkg_identity *id, const struct simkg_request *req, char **blob,
		 char **key_pem)
{
	EVP_PKEY *pk = NULL;
	uint8_t *body = NULL, *payload = NULL, *cose = NULL;
	size_t body_len = 0, payload_len = 0, cose_len = 0;
	uint8_t digest[32], nonce[16], st[9];
	size_t st_len;
	cbor_item_t *arr = NULL;
	bool csr;
	int rc = SIMKG_CME_KEYGEN;

	if (blob == NULL || key_pem == NULL)
		return SIMKG_CME_PARAM;
	*blob = NULL;
	*key_pem = NULL;
	if (id == NULL || req == NULL || req->device_uuid == NULL)
		return SIMKG_CME_PARAM;
	if (req->key_type == 2) {
		if (req->response_content != 0 && req->response_content != 1)
			return SIMKG_CME_PARAM;
		csr = req->response_content == 0;
	} else if (req->key_type == 8) {
		csr = false; /* endorsement key: always the public key */
	} else {
		return SIMKG_CME_PARAM;
	}

	if (req->key_type == 8 && req->existing_key_pem != NULL) {
		pk = load_private_pem(req->existing_key_pem);
		*key_pem = strdup(req->existing_key_pem); /* unchanged: same %CMNG digest */
	} else {
		pk = new_p256();
		if (pk != NULL)
			*key_pem = make_private_pem(pk);
	}
	if (pk == NULL || *key_pem == NULL)
		goto out;

	if (csr) {
		rc = build_csr(req, pk, &body, &body_len);
		if (rc != 0)
			goto out;
		rc = SIMKG_CME_KEYGEN;
	} else if (!spki_der(pk, &body, &body_len)) {
		goto out;
	}

	if (!sha256(body, body_len, digest) || RAND_bytes(nonce, sizeof(nonce)) != 1)
		goto out;
	/* sec_tag as a CBOR integer; tags past the signed range as negative int32 */
	if (req->sec_tag <= 0x7fffffffu)
		st_len = cbor_encode_uint(req->sec_tag, st, sizeof(st));
	else
		st_len = cbor_encode_negint((uint32_t)~req->sec_tag, st, sizeof(st));
	if (st_len == 0)
		goto out;

	arr = cbor_new_definite_array(5);
	if (arr == NULL || !arr_push(arr, mk_int(csr ? SIMKG_PAYLOAD_CSR : SIMKG_PAYLOAD_PUBKEY)) ||
	    !arr_push(arr, mk_bstr(req->device_uuid, 16)) || !arr_push(arr, mk_bstr(st, st_len)) ||
	    !arr_push(arr, mk_bstr(digest, sizeof(digest))) ||
	    !arr_push(arr, mk_bstr(nonce, sizeof(nonce))))
		goto out;
	if (!self_describe(arr, &payload, &payload_len)) {
		arr = NULL;
		goto out;
	}
	arr = NULL;
	if (!cose_sign1(id->pkey, payload, payload_len, false, &cose, &cose_len))
		goto out;
	*blob = join_blob(body, body_len, cose, cose_len);
	if (*blob == NULL)
		goto out;
	rc = 0;
out:
	if (arr != NULL)
		cbor_decref(&arr);
	if (rc != 0 && *key_pem != NULL) {
		OPENSSL_cleanse(*key_pem, strlen(*key_pem));
		free(*key_pem);
		*key_pem = NULL;
	}
	EVP_PKEY_free(pk);
	free(body);
	free(payload);
	free(cose);
	return rc;
}

/* ---- %ATTESTTOKEN -------------------------------------------------------------------- */

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int simkg_attest(const struct simkg_identity *id, const uint8_t device_uuid[16], int device_type,
		 const uint8_t fw_uuid[16], const char *challenge_hex, char **blob)
{
	uint8_t nonce[16];
	uint8_t *msg = NULL, *cose = NULL;
	size_t msg_len = 0, cose_len = 0, i;
	cbor_item_t *arr = NULL;
	int rc = SIMKG_CME_SYSTEM;

	if (blob == NULL)
		return SIMKG_CME_PARAM;
	*blob = NULL;
	if (id == NULL || device_uuid == NULL || fw_uuid == NULL)
		return SIMKG_CME_PARAM;
	if (challenge_hex != NULL) {
		if (strlen(challenge_hex) != 32)
			return SIMKG_CME_PARAM;
		for (i = 0; i < 16; i++) {
			int hi = hexval((unsigned char)challenge_hex[2 * i]);
			int lo = hexval((unsigned char)challenge_hex[2 * i + 1]);

			if (hi < 0 || lo < 0)
				return SIMKG_CME_PARAM;
			nonce[i] = (uint8_t)(hi << 4 | lo);
		}
	} else if (RAND_bytes(nonce, sizeof(nonce)) != 1) {
		return SIMKG_CME_SYSTEM;
	}

	arr = cbor_new_definite_array(5);
	if (arr == NULL || !arr_push(arr, mk_int(SIMKG_MSG_IDENTITY)) ||
	    !arr_push(arr, mk_bstr(device_uuid, 16)) || !arr_push(arr, mk_int(device_type)) ||
	    !arr_push(arr, mk_bstr(fw_uuid, 16)) || !arr_push(arr, mk_bstr(nonce, sizeof(nonce)))) {
		if (arr != NULL)
			cbor_decref(&arr);
		goto out;
	}
	if (!self_describe(arr, &msg, &msg_len))
		goto out;
	if (!cose_sign1(id->pkey, msg, msg_len, true, &cose, &cose_len))
		goto out;
	*blob = join_blob(msg, msg_len, cose, cose_len);
	if (*blob != NULL)
		rc = 0;
out:
	free(msg);
	free(cose);
	return rc;
}
