/*
 * COSE_Sign1 (RFC 9052) as nRF91 modems sign %KEYGEN and %ATTESTTOKEN
 * answers: tag 18 over [protected {1: -7}, {4: kid}, payload, r||s], ES256.
 * Also the guarded CBOR loader every decoder of this part goes through.
 */
#include <stdlib.h>
#include <string.h>

#include "struct_size.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include "cose.h"
#include "error.h"
#include "util.h"

#define CBOR_MAX_DEPTH 16
#define COSE_TAG_SIGN1 18
#define COSE_ALG_ES256 (-7)

/* ---- structural pre-check ------------------------------------------------ */

/* What the last header decoded by cbor_stream_decode() was. */
enum hdr_kind { HDR_LEAF = 0, HDR_CONTAINER, HDR_INDEFINITE, HDR_BREAK };

struct scan_ctx {
	enum hdr_kind kind;
	uint64_t count; /* children of a definite container */
	size_t avail;   /* bytes left in the buffer at this header */
	int too_long;   /* a declared count cannot fit */
};

static void scan_count(struct scan_ctx *s, uint64_t count)
{
	s->kind = count ? HDR_CONTAINER : HDR_LEAF;
	s->count = count;
	/* Each child takes at least one byte. */
	if (count > s->avail)
		s->too_long = 1;
}

static void on_array(void *ctx, size_t size)
{
	scan_count(ctx, size);
}

static void on_map(void *ctx, size_t size)
{
	struct scan_ctx *s = ctx;

	if (size > s->avail / 2)
		s->too_long = 1;
	else
		scan_count(s, (uint64_t)size * 2);
}

static void on_tag(void *ctx, uint64_t tag)
{
	(void)tag;
	scan_count(ctx, 1);
}

static void on_indefinite(void *ctx)
{
	((struct scan_ctx *)ctx)->kind = HDR_INDEFINITE;
}

static void on_break(void *ctx)
{
	((struct scan_ctx *)ctx)->kind = HDR_BREAK;
}

static void on_indef_array(void *ctx)
{
	on_indefinite(ctx);
}

static void on_indef_map(void *ctx)
{
	on_indefinite(ctx);
}

static struct cbor_callbacks scan_callbacks(void)
{
	struct cbor_callbacks cb = cbor_empty_callbacks;

	cb.array_start = on_array;
	cb.map_start = on_map;
	cb.tag = on_tag;
	cb.indef_array_start = on_indef_array;
	cb.indef_map_start = on_indef_map;
	cb.byte_string_start = on_indefinite;
	cb.string_start = on_indefinite;
	cb.indef_break = on_break;
	return cb;
}

/* One frame per open container: children left, or -1 for indefinite. */
struct scan_stack {
	int64_t left[CBOR_MAX_DEPTH + 1];
	int depth;
};

/* An item is complete: count it against its parents, closing finished ones. */
static void item_done(struct scan_stack *st)
{
	while (st->depth > 0) {
		int64_t *left = &st->left[st->depth - 1];

		if (*left < 0 || --*left > 0)
			return;
		st->depth--;
	}
}

/* Apply one header to the stack; 0 or an error message. */
static const char *scan_apply(struct scan_stack *st, const struct scan_ctx *s)
{
	if (s->too_long)
		return "declared length larger than the data";
	if (s->kind == HDR_BREAK) {
		if (st->depth == 0 || st->left[st->depth - 1] >= 0)
			return "unexpected break";
		st->depth--;
		item_done(st);
		return NULL;
	}
	if (s->kind == HDR_LEAF) {
		item_done(st);
		return NULL;
	}
	if (st->depth > CBOR_MAX_DEPTH)
		return "nested too deeply";
	st->left[st->depth++] = s->kind == HDR_INDEFINITE ? -1 : (int64_t)s->count;
	return NULL;
}

/* Walk the headers of one CBOR item; NULL when well-formed and bounded. */
static const char *cbor_precheck(const uint8_t *data, size_t len)
{
	struct cbor_callbacks cb = scan_callbacks();
	struct scan_stack st = { .depth = 1 };
	size_t off = 0;

	st.left[0] = 1;
	while (st.depth > 0) {
		struct scan_ctx s = { .avail = len - off };
		struct cbor_decoder_result r;
		const char *problem;

		if (off >= len)
			return "truncated";
		r = cbor_stream_decode(data + off, len - off, &cb, &s);
		if (r.status == CBOR_DECODER_NEDATA)
			return "truncated";
		if (r.status != CBOR_DECODER_FINISHED || r.read == 0)
			return "malformed";
		off += r.read;
		problem = scan_apply(&st, &s);
		if (problem)
			return problem;
	}
	return off == len ? NULL : "trailing bytes after the item";
}

enum mcred_err mcred_cbor_load(const uint8_t *data, size_t len, const char *what, cbor_item_t **out,
			       struct mcred_error *err)
{
	struct cbor_load_result res;
	const char *problem = cbor_precheck(data, len);

	*out = NULL;
	if (problem)
		return mcred_error_set(err, MCRED_ERR_DECODE, "%s: invalid CBOR: %s", what,
				       problem);
	*out = cbor_load(data, len, &res);
	if (!*out || res.error.code != CBOR_ERR_NONE) {
		if (*out)
			cbor_decref(out);
		return mcred_error_set(err, MCRED_ERR_DECODE, "%s: invalid CBOR (libcbor error %d)",
				       what, (int)res.error.code);
	}
	return MCRED_OK;
}

int mcred_cbor_int(const cbor_item_t *item, int64_t *value)
{
	uint64_t v;

	if (!cbor_is_int(item))
		return 0;
	v = cbor_get_int(item);
	if (v > INT64_MAX)
		return 0;
	*value = cbor_isa_uint(item) ? (int64_t)v : -1 - (int64_t)v;
	return 1;
}

/* ---- COSE_Sign1 decoding ---------------------------------------------------- */

/* Content of a definite byte string, or NULL. */
static const uint8_t *bstr(const cbor_item_t *item, size_t *len)
{
	if (!cbor_isa_bytestring(item) || !cbor_bytestring_is_definite(item))
		return NULL;
	*len = cbor_bytestring_length(item);
	return cbor_bytestring_handle(item);
}

/* Find an integer key in a map; NULL when absent. */
static cbor_item_t *map_get_int(const cbor_item_t *map, int64_t key)
{
	struct cbor_pair *pairs = cbor_map_handle(map);
	size_t i, n = cbor_map_size(map);
	int64_t k;

	for (i = 0; i < n; i++)
		if (mcred_cbor_int(pairs[i].key, &k) && k == key)
			return pairs[i].value;
	return NULL;
}

/* The protected header must be exactly {1: -7}: ES256 and nothing else. */
static enum mcred_err check_protected(const uint8_t *data, size_t len, struct mcred_error *err)
{
	cbor_item_t *map;
	cbor_item_t *alg;
	int64_t v = 0;
	int ok;

	if (mcred_cbor_load(data, len, "COSE protected header", &map, err) != MCRED_OK)
		return MCRED_ERR_DECODE;
	ok = cbor_isa_map(map) && cbor_map_size(map) == 1 && (alg = map_get_int(map, 1)) != NULL &&
	     mcred_cbor_int(alg, &v) && v == COSE_ALG_ES256;
	cbor_decref(&map);
	if (!ok)
		return mcred_error_set(err, MCRED_ERR_DECODE,
				       "COSE structure check failed: protected header is not "
				       "{1: -7} (ES256)");
	return MCRED_OK;
}

/* kid: a bstr holding one CBOR-encoded small negative integer. */
static enum mcred_err decode_kid(const cbor_item_t *unprotected, int *kid, struct mcred_error *err)
{
	const cbor_item_t *item;
	const uint8_t *data;
	cbor_item_t *inner;
	size_t len = 0;
	int64_t v = 0;
	int ok;

	*kid = 0;
	if (!cbor_isa_map(unprotected))
		return mcred_error_set(err, MCRED_ERR_DECODE,
				       "COSE structure check failed: unprotected header is not a map");
	item = map_get_int(unprotected, 4);
	if (!item)
		return MCRED_OK;
	data = bstr(item, &len);
	if (!data || len == 0)
		return mcred_error_set(err, MCRED_ERR_DECODE,
				       "COSE structure check failed: kid is not a byte string");
	if (mcred_cbor_load(data, len, "COSE kid", &inner, err) != MCRED_OK)
		return MCRED_ERR_DECODE;
	ok = mcred_cbor_int(inner, &v) && v < 0 && v >= -1000;
	cbor_decref(&inner);
	if (!ok)
		return mcred_error_set(err, MCRED_ERR_DECODE,
				       "COSE structure check failed: kid is not a small negative "
				       "integer");
	*kid = (int)v;
	return MCRED_OK;
}

static enum mcred_err copy_bytes(const uint8_t *src, size_t len, uint8_t **dst, size_t *dst_len,
				 struct mcred_error *err)
{
	*dst = malloc(len ? len : 1);
	if (!*dst)
		return mcred_error_set(err, MCRED_ERR_NOMEM, "out of memory");
	if (len)
		memcpy(*dst, src, len);
	*dst_len = len;
	return MCRED_OK;
}

/*
 * nil. libcbor 0.8's cbor_is_null() asserts on a real float (e.g. a
 * half-precision 0xf9 item), so only ask it about simple values.
 */
static int is_cbor_null(const cbor_item_t *item)
{
	return cbor_isa_float_ctrl(item) && cbor_float_get_width(item) == CBOR_FLOAT_0 &&
	       cbor_is_null(item);
}

/* Payload (bstr or nil) and the 64-byte signature. */
static enum mcred_err decode_payload_sig(cbor_item_t *const *items, struct mcred_cose *c,
					 struct mcred_error *err)
{
	const uint8_t *data;
	size_t len = 0;

	if (is_cbor_null(items[2])) {
		c->has_payload = 0;
	} else {
		data = bstr(items[2], &len);
		if (!data &&
		    !(cbor_isa_bytestring(items[2]) && cbor_bytestring_is_definite(items[2])))
			return mcred_error_set(err, MCRED_ERR_DECODE,
					       "COSE structure check failed: payload is neither a "
					       "byte string nor nil");
		if (copy_bytes(data, len, &c->payload, &c->payload_len, err) != MCRED_OK)
			return MCRED_ERR_NOMEM;
		c->has_payload = 1;
	}
	data = bstr(items[3], &len);
	if (!data || len != sizeof(c->signature))
		return mcred_error_set(err, MCRED_ERR_DECODE,
				       "COSE structure check failed: signature is not a 64-byte "
				       "byte string (r||s)");
	memcpy(c->signature, data, sizeof(c->signature));
	return MCRED_OK;
}

/*
 * Length of the tag-18 header in front of a COSE_Sign1, 0 when missing.
 * libcbor 0.8's decoder rejects the one-byte form of tags 6..20 (0xc6..0xd4)
 * as reserved, and 0xd2 is how everybody writes tag 18: so it comes off here.
 */
static size_t sign1_tag_len(const uint8_t *data, size_t len)
{
	if (len >= 1 && data[0] == 0xc0 + COSE_TAG_SIGN1)
		return 1;
	if (len >= 2 && data[0] == 0xd8 && data[1] == COSE_TAG_SIGN1)
		return 2;
	return 0;
}

/* Decode the elements of the 4-element array under tag 18. */
static enum mcred_err decode_sign1(const cbor_item_t *arr, struct mcred_cose *c,
				   struct mcred_error *err)
{
	cbor_item_t **items;
	const uint8_t *prot;
	size_t prot_len = 0;
	enum mcred_err rc;

	if (!cbor_isa_array(arr) || cbor_array_size(arr) != 4)
		return mcred_error_set(err, MCRED_ERR_DECODE,
				       "COSE structure check failed: COSE_Sign1 is not a "
				       "4-element array");
	items = cbor_array_handle(arr);
	prot = bstr(items[0], &prot_len);
	if (!prot || prot_len == 0)
		rc = mcred_error_set(err, MCRED_ERR_DECODE,
				     "COSE structure check failed: protected header is not a "
				     "non-empty byte string");
	else
		rc = check_protected(prot, prot_len, err);
	if (rc == MCRED_OK)
		rc = copy_bytes(prot, prot_len, &c->protected_hdr, &c->protected_len, err);
	if (rc == MCRED_OK)
		rc = decode_kid(items[1], &c->kid, err);
	if (rc == MCRED_OK)
		rc = decode_payload_sig(items, c, err);
	return rc;
}

enum mcred_err mcred_cose_decode(const uint8_t *data, size_t len, struct mcred_cose *out,
				 struct mcred_error *err)
{
	cbor_item_t *arr;
	size_t skip = sign1_tag_len(data, len);
	enum mcred_err rc;

	memset(out, 0, sizeof(*out));
	if (len == 0)
		return mcred_error_set(err, MCRED_ERR_DECODE, "COSE_Sign1 is empty");
	if (skip == 0)
		return mcred_error_set(err, MCRED_ERR_DECODE,
				       "COSE structure check failed: not a COSE_Sign1 (tag 18)");
	rc = mcred_cbor_load(data + skip, len - skip, "COSE_Sign1", &arr, err);
	if (rc != MCRED_OK)
		return rc;
	rc = decode_sign1(arr, out, err);
	cbor_decref(&arr);
	if (rc != MCRED_OK)
		mcred_cose_clear(out);
	return rc;
}

void mcred_cose_clear(struct mcred_cose *c)
{
	if (!c)
		return;
	free(c->protected_hdr);
	free(c->payload);
	memset(c, 0, sizeof(*c));
}

/* ---- signature check ---------------------------------------------------------- */

/* Append item to arr and drop our reference; false when either is missing. */
static int push_move(cbor_item_t *arr, cbor_item_t *item)
{
	int ok = item != NULL && cbor_array_push(arr, item);

	if (item)
		cbor_decref(&item);
	return ok;
}

/* Encode ["Signature1", protected, h'', payload] (RFC 9052 §4.4). */
static enum mcred_err sig_structure(const struct mcred_cose *c, const uint8_t *payload,
				    size_t payload_len, uint8_t **out, size_t *out_len,
				    struct mcred_error *err)
{
	static const uint8_t none[1] = { 0 };
	cbor_item_t *arr = cbor_new_definite_array(4);
	size_t cap = 0;
	int ok = arr != NULL;

	*out = NULL;
	*out_len = 0;
	ok = ok && push_move(arr, cbor_build_string("Signature1"));
	ok = ok && push_move(arr, cbor_build_bytestring(c->protected_hdr, c->protected_len));
	ok = ok && push_move(arr, cbor_build_bytestring(none, 0));
	ok = ok && push_move(arr, cbor_build_bytestring(payload_len ? payload : none, payload_len));
	if (ok)
		*out_len = cbor_serialize_alloc(arr, out, &cap);
	if (arr)
		cbor_decref(&arr);
	if (!ok || *out_len == 0) {
		free(*out);
		*out = NULL;
		return mcred_error_set(err, MCRED_ERR_NOMEM,
				       "cannot encode the COSE Sig_structure");
	}
	return MCRED_OK;
}

/* r||s (32 + 32 bytes) to the DER ECDSA-Sig-Value OpenSSL verifies. */
static enum mcred_err signature_der(const uint8_t sig[64], uint8_t **der, int *der_len,
				    struct mcred_error *err)
{
	ECDSA_SIG *s = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(sig, 32, NULL);
	BIGNUM *sv = BN_bin2bn(sig + 32, 32, NULL);

	*der = NULL;
	if (!s || !r || !sv || !ECDSA_SIG_set0(s, r, sv)) {
		ECDSA_SIG_free(s);
		BN_free(r);
		BN_free(sv);
		return mcred_error_set(err, MCRED_ERR_CRYPTO, "cannot convert the COSE signature");
	}
	*der_len = i2d_ECDSA_SIG(s, der);
	ECDSA_SIG_free(s);
	if (*der_len <= 0)
		return mcred_error_set(err, MCRED_ERR_CRYPTO, "cannot convert the COSE signature");
	return MCRED_OK;
}

enum mcred_err mcred_cose_verify(const struct mcred_cose *c, const uint8_t *payload,
				 size_t payload_len, EVP_PKEY *key, int *valid,
				 struct mcred_error *err)
{
	uint8_t *tbs = NULL;
	uint8_t *der = NULL;
	size_t tbs_len = 0;
	int der_len = 0;
	EVP_MD_CTX *md = NULL;
	enum mcred_err rc;

	*valid = 0;
	rc = sig_structure(c, payload, payload_len, &tbs, &tbs_len, err);
	if (rc == MCRED_OK)
		rc = signature_der(c->signature, &der, &der_len, err);
	if (rc == MCRED_OK) {
		md = EVP_MD_CTX_new();
		if (!md || EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key) != 1)
			rc = mcred_error_set(err, MCRED_ERR_CRYPTO,
					     "cannot set up the ECDSA verification");
	}
	/* 1 is a good signature; 0 or a negative value (malformed) is not. */
	if (rc == MCRED_OK)
		*valid = EVP_DigestVerify(md, der, (size_t)der_len, tbs, tbs_len) == 1;
	EVP_MD_CTX_free(md);
	OPENSSL_free(der);
	free(tbs);
	return rc;
}

/* ---- identity key ------------------------------------------------------------- */

/* Only a P-256 key can have made an ES256 signature. */
static int is_p256(EVP_PKEY *key)
{
	char group[64];
	size_t glen = 0;

	if (!EVP_PKEY_is_a(key, "EC"))
		return 0;
	if (!EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
					    &glen))
		return 0;
	return strcmp(group, "prime256v1") == 0 || strcmp(group, "P-256") == 0;
}

static EVP_PKEY *key_from_pem(const char *pem)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	EVP_PKEY *key = NULL;

	if (bio)
		key = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	BIO_free(bio);
	return key;
}

/* 04||X||Y on P-256 through the provider API (the EC_KEY one is deprecated). */
static EVP_PKEY *key_from_point(const uint8_t *point, size_t len)
{
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *key = NULL;
	OSSL_PARAM params[3];
	char group[] = "prime256v1";

	if (len != 65 || point[0] != 0x04)
		return NULL;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, (void *)point, len);
	params[2] = OSSL_PARAM_construct_end();
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	if (!ctx || EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) != 1)
		key = NULL;
	EVP_PKEY_CTX_free(ctx);
	return key;
}

enum mcred_err mcred_identity_key_load(const struct mcred_verify_options *o, EVP_PKEY **key,
				       struct mcred_error *err)
{
	*key = NULL;
	if (!o || (!o->identity_key_pem && !o->identity_key_raw))
		return MCRED_OK;
	if (o->identity_key_pem)
		*key = key_from_pem(o->identity_key_pem);
	else
		*key = key_from_point(o->identity_key_raw, o->identity_key_raw_len);
	if (*key && is_p256(*key))
		return MCRED_OK;
	EVP_PKEY_free(*key);
	*key = NULL;
	if (o->identity_key_pem)
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "identity key is not a P-256 public key in PEM "
				       "(-----BEGIN PUBLIC KEY-----)");
	return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
			       "identity key is not a 65-byte uncompressed P-256 point "
			       "(04||X||Y on the curve)");
}

/* 1 when needle occurs in text[0..len) (text need not be terminated). */
static int bounded_find(const char *text, size_t len, const char *needle)
{
	size_t n = strlen(needle);

	for (size_t i = 0; i + n <= len; i++)
		if (memcmp(text + i, needle, n) == 0)
			return 1;
	return 0;
}

/* The label of the first PEM block ("PUBLIC KEY", "CERTIFICATE"), or NULL. */
static const char *pem_label(const char *text, size_t *label_len)
{
	const char *begin = strstr(text, "-----BEGIN ");
	const char *end;

	if (!begin)
		return NULL;
	begin += strlen("-----BEGIN ");
	end = strstr(begin, "-----");
	if (!end || memchr(begin, '\n', (size_t)(end - begin)))
		return NULL;
	*label_len = (size_t)(end - begin);
	return begin;
}

/* A PEM text that should be a P-256 public key; the message never quotes it. */
static enum mcred_err check_pem_key(const char *pem, struct mcred_error *err)
{
	size_t llen = 0;
	const char *label = pem_label(pem, &llen);
	EVP_PKEY *key;

	if (label && (llen != strlen("PUBLIC KEY") || memcmp(label, "PUBLIC KEY", llen) != 0)) {
		if (llen >= 11 && memcmp(label, "CERTIFICATE", 11) == 0)
			return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
					       "the identity key is a certificate, not a public key: "
					       "give its key, e.g. from `openssl x509 -pubkey -noout`");
		if (llen >= 11 && memcmp(label + llen - 11, "PRIVATE KEY", 11) == 0)
			return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
					       "the identity key is a private key: give the device "
					       "identity public key (-----BEGIN PUBLIC KEY-----)");
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "the identity key is PEM of another kind (-----BEGIN %.*s-----): "
				       "give a public key (-----BEGIN PUBLIC KEY-----)",
				       (int)(llen > 40 ? 40 : llen), label);
	}
	key = key_from_pem(pem);
	if (!key)
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "the identity key is not a readable PEM public key (corrupt "
				       "or cut off): give the device identity public key "
				       "(-----BEGIN PUBLIC KEY-----)");
	if (!is_p256(key)) {
		EVP_PKEY_free(key);
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "the identity key is not a P-256 (prime256v1) key, so it "
				       "cannot be a device identity key");
	}
	EVP_PKEY_free(key);
	return MCRED_OK;
}

/* Point opts at the checked key: PEM text, or a raw point. */
static void use_identity_key(struct mcred_verify_options *opts, const char *pem, const uint8_t *raw,
			     size_t raw_len)
{
	opts->identity_key_pem = pem;
	opts->identity_key_raw = raw;
	opts->identity_key_raw_len = raw_len;
}

static enum mcred_err identity_key_parse(const void *data, size_t len,
					 struct mcred_verify_options *opts, struct mcred_error *err)
{
	const uint8_t *bytes = data;
	const char *text = data;
	struct mcred_verify_options size_check;
	EVP_PKEY *key;

	if (!data || !opts)
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "no identity key or options given");
	/* the key fields are written below: they must be in the caller's struct */
	if (mcred_verify_options_take(&size_check, opts, err) != MCRED_OK)
		return MCRED_ERR_INVALID_ARG;
	if (len == 65 && bytes[0] == 0x04) {
		key = key_from_point(bytes, len);
		if (!key)
			return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
					       "the identity key's 65 bytes are not a point on "
					       "P-256 (04||X||Y)");
		EVP_PKEY_free(key);
		use_identity_key(opts, NULL, bytes, len);
		mcred_error_clear(err);
		return MCRED_OK;
	}
	/* PEM is text; only then is data[len] (its terminating NUL) looked at */
	if (len > 0 && !memchr(text, '\0', len) && bounded_find(text, len, "-----BEGIN ") &&
	    text[len] == '\0') {
		enum mcred_err rc = check_pem_key(text, err);

		if (rc == MCRED_OK) {
			use_identity_key(opts, text, NULL, 0);
			mcred_error_clear(err);
		}
		return rc;
	}
	return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
			       "the identity key (%zu bytes) is neither a PEM public key "
			       "(-----BEGIN PUBLIC KEY-----) nor a raw 65-byte uncompressed P-256 "
			       "point",
			       len);
}

enum mcred_err mcred_identity_key_parse(const void *data, size_t len,
					struct mcred_verify_options *opts, struct mcred_error *err)
{
	enum mcred_err rc;

	mcred_openssl_enter();
	rc = identity_key_parse(data, len, opts, err);
	mcred_openssl_leave();
	return rc;
}
