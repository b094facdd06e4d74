/*
 * Offline verification of %KEYGEN and %ATTESTTOKEN blobs: decode both halves,
 * run every check on its own and keep the results in a report. A check that
 * cannot be performed (no key, nothing expected) is "not checked", never
 * "valid": callers must be able to tell proof from absence of proof.
 */
#include "struct_size.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "b64url.h"
#include "cose.h"
#include "csr.h"
#include "error.h"
#include "subject.h"
#include "util.h"

#define SELF_DESCRIBE_TAG 55799
#define MAX_BLOB_LEN ((size_t)1 << 20)

enum check_index {
	CK_PAYLOAD_ID = 0,
	CK_SEC_TAG,
	CK_DIGEST,
	CK_CSR,
	CK_SUBJECT,
	CK_COSE,
	CK_NONCE,
	CK_COUNT
};

struct mcred_report {
	enum mcred_report_kind kind;
	uint8_t *body; /* as received (CSR, SPKI or attestation message) */
	size_t body_len;
	char device_uuid[37];
	int has_sec_tag;
	uint32_t sec_tag;
	int payload_id;
	enum mcred_check checks[CK_COUNT];
	struct mcred_body_info info;
	int device_type;
	char fw_uuid[37];
	int kid;
	int has_problem;
	char problem[512];
};

/* What the COSE payload of a %KEYGEN answer carries. */
struct keygen_payload {
	int64_t payload_id;
	uint8_t uuid[16];
	uint32_t sec_tag;
	uint8_t digest[32];
};

/* The leading fields of an attestation message. */
struct attest_message {
	int64_t msg_type;
	uint8_t uuid[16];
	int64_t device_type;
	uint8_t fw_uuid[16];
	int has_nonce; /* the fifth element, a 16-byte nonce (the challenge, if one was given) */
	uint8_t nonce[16];
};

/* The two base64url halves of a blob, decoded. */
struct halves {
	uint8_t *body;
	size_t body_len;
	uint8_t *cose;
	size_t cose_len;
};

const char *mcred_check_name(enum mcred_check check)
{
	switch (check) {
	case MCRED_CHECK_VALID: return "valid";
	case MCRED_CHECK_INVALID: return "invalid";
	case MCRED_CHECK_NOT_CHECKED: return "not-checked";
	default: return "unknown"; /* no check has that outcome */
	}
}

/* ---- small helpers --------------------------------------------------------- */

/* 16 bytes as 8-4-4-4-12 lower-case hex digits. */
static void format_uuid(const uint8_t u[16], char out[37])
{
	static const size_t group[] = { 4, 2, 2, 2, 6 };
	size_t i, in = 0;

	for (i = 0; i < sizeof(group) / sizeof(group[0]); i++) {
		if (i > 0)
			*out++ = '-';
		mcred_hex_encode(u + in, group[i], 0, out);
		out += 2 * group[i];
		in += group[i];
	}
}

/* Record one check; the first failure becomes the report's problem. */
static void set_check(mcred_report *r, enum check_index i, int passed, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void set_check(mcred_report *r, enum check_index i, int passed, const char *fmt, ...)
{
	va_list ap;

	r->checks[i] = passed ? MCRED_CHECK_VALID : MCRED_CHECK_INVALID;
	if (passed || r->has_problem)
		return;
	va_start(ap, fmt);
	vsnprintf(r->problem, sizeof(r->problem), fmt, ap);
	va_end(ap);
	r->has_problem = 1;
}

/* A definite byte string of exactly n bytes copied to out; 0 if not. */
static int fixed_bstr(const cbor_item_t *item, uint8_t *out, size_t n)
{
	if (!cbor_isa_bytestring(item) || !cbor_bytestring_is_definite(item) ||
	    cbor_bytestring_length(item) != n)
		return 0;
	memcpy(out, cbor_bytestring_handle(item), n);
	return 1;
}

/* ---- splitting the blob ------------------------------------------------------ */

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Skip a "%KEYGEN:" style prefix; refuse the other command's answer. */
static enum mcred_err skip_prefix(const char **p, const char *end, const char *prefix,
				  struct mcred_error *err)
{
	size_t plen = strlen(prefix);
	const char *colon;

	if (*p >= end || **p != '%')
		return MCRED_OK;
	if ((size_t)(end - *p) >= plen && memcmp(*p, prefix, plen) == 0) {
		*p += plen;
		return MCRED_OK;
	}
	colon = memchr(*p, ':', (size_t)(end - *p));
	return mcred_error_set(err, MCRED_ERR_DECODE, "expected a %s answer, got %.*s", prefix,
			       colon ? (int)(colon - *p + 1) : 1, *p);
}

/*
 * Trim the response line down to "<body>.<cose>" and split at the dot. A
 * quoted blob ends at its closing quote, so what follows (the "OK" of a
 * captured answer) does not matter.
 */
static enum mcred_err split_blob(const char *blob, size_t len, const char *prefix, const char **a,
				 size_t *alen, const char **b, size_t *blen,
				 struct mcred_error *err)
{
	const char *p = blob, *end = blob + len, *dot = NULL, *q;
	size_t dots = 0;

	while (p < end && is_space(*p))
		p++;
	if (skip_prefix(&p, end, prefix, err) != MCRED_OK)
		return MCRED_ERR_DECODE;
	while (p < end && is_space(*p))
		p++;
	while (end > p && is_space(end[-1]))
		end--;
	if (p < end && *p == '"') {
		const char *closing = memchr(p + 1, '"', (size_t)(end - p - 1));

		p++;
		if (closing)
			end = closing;
	}
	for (q = p; q < end; q++)
		if (*q == '.' && dots++ == 0)
			dot = q;
	if (dots != 1)
		return mcred_error_set(err, MCRED_ERR_DECODE,
				       "expected \"<base64url body>.<base64url COSE>\" with one '.', "
				       "found %zu",
				       dots);
	*a = p;
	*alen = (size_t)(dot - p);
	*b = dot + 1;
	*blen = (size_t)(end - dot - 1);
	return MCRED_OK;
}

static void halves_clear(struct halves *h)
{
	free(h->body);
	free(h->cose);
	memset(h, 0, sizeof(*h));
}

static enum mcred_err decode_halves(const char *blob, size_t len, const char *prefix,
				    const char *body_name, struct halves *h,
				    struct mcred_error *err)
{
	const char *a = NULL, *b = NULL;
	size_t alen = 0, blen = 0;
	enum mcred_err rc;

	memset(h, 0, sizeof(*h));
	if (len > MAX_BLOB_LEN)
		return mcred_error_set(err, MCRED_ERR_DECODE, "blob too long (%zu bytes)", len);
	rc = split_blob(blob, len, prefix, &a, &alen, &b, &blen, err);
	if (rc == MCRED_OK)
		rc = mcred_b64url_decode(a, alen, body_name, &h->body, &h->body_len, err);
	if (rc == MCRED_OK)
		rc = mcred_b64url_decode(b, blen, "COSE_Sign1", &h->cose, &h->cose_len, err);
	if (rc == MCRED_OK && h->body_len == 0)
		rc = mcred_error_set(err, MCRED_ERR_DECODE, "%s is empty", body_name);
	if (rc != MCRED_OK)
		halves_clear(h);
	return rc;
}

/* ---- payload decoding ------------------------------------------------------------ */

/* Open tag 55799 over an array of at least min items; NULL with err set. */
static cbor_item_t *self_described_array(const uint8_t *data, size_t len, const char *what,
					 size_t min, struct mcred_error *err)
{
	cbor_item_t *root, *arr = NULL;

	if (mcred_cbor_load(data, len, what, &root, err) != MCRED_OK)
		return NULL;
	if (cbor_isa_tag(root) && cbor_tag_value(root) == SELF_DESCRIBE_TAG)
		arr = cbor_tag_item(root);
	cbor_decref(&root);
	if (arr && cbor_isa_array(arr) && cbor_array_size(arr) >= min)
		return arr;
	if (arr)
		cbor_decref(&arr);
	mcred_error_set(err, MCRED_ERR_DECODE,
			"%s is not tag 55799 over an array of at least %zu items", what, min);
	return NULL;
}

/* sec_tag: a bstr holding a CBOR int; negative ones are unsigned 32-bit. */
static int decode_sec_tag(const cbor_item_t *item, uint32_t *tag, struct mcred_error *err)
{
	cbor_item_t *inner;
	int64_t v = 0;
	int ok;

	if (!cbor_isa_bytestring(item) || !cbor_bytestring_is_definite(item) ||
	    cbor_bytestring_length(item) == 0)
		return 0;
	if (mcred_cbor_load(cbor_bytestring_handle(item), cbor_bytestring_length(item),
			    "KEYGEN sec_tag", &inner, err) != MCRED_OK)
		return 0;
	ok = mcred_cbor_int(inner, &v) && v >= INT32_MIN && v <= (int64_t)UINT32_MAX;
	cbor_decref(&inner);
	*tag = (uint32_t)v;
	return ok;
}

static enum mcred_err decode_keygen_payload(const uint8_t *data, size_t len,
					    struct keygen_payload *kp, struct mcred_error *err)
{
	cbor_item_t *arr = self_described_array(data, len, "KEYGEN COSE payload", 5, err);
	cbor_item_t **it;
	uint8_t nonce[16];
	const char *bad = NULL;

	if (!arr)
		return MCRED_ERR_DECODE;
	it = cbor_array_handle(arr);
	if (cbor_array_size(arr) != 5)
		bad = "is not a 5-element array";
	else if (!cbor_isa_uint(it[0]) || !mcred_cbor_int(it[0], &kp->payload_id) ||
		 kp->payload_id > INT32_MAX)
		bad = "payload id is not an unsigned integer";
	else if (!fixed_bstr(it[1], kp->uuid, 16))
		bad = "device UUID is not a 16-byte string";
	else if (!decode_sec_tag(it[2], &kp->sec_tag, NULL))
		bad = "sec_tag is not a byte string holding a 32-bit integer";
	else if (!fixed_bstr(it[3], kp->digest, 32))
		bad = "digest is not a 32-byte string";
	else if (!fixed_bstr(it[4], nonce, 16))
		bad = "nonce is not a 16-byte string";
	cbor_decref(&arr);
	if (bad)
		return mcred_error_set(err, MCRED_ERR_DECODE, "KEYGEN COSE payload: %s", bad);
	return MCRED_OK;
}

static enum mcred_err decode_attest_message(const uint8_t *data, size_t len,
					    struct attest_message *am, struct mcred_error *err)
{
	cbor_item_t *arr = self_described_array(data, len, "attestation message", 4, err);
	cbor_item_t **it;
	const char *bad = NULL;

	if (!arr)
		return MCRED_ERR_DECODE;
	it = cbor_array_handle(arr);
	if (!cbor_isa_uint(it[0]) || !mcred_cbor_int(it[0], &am->msg_type) ||
	    am->msg_type > INT32_MAX)
		bad = "message type is not an unsigned integer";
	else if (!fixed_bstr(it[1], am->uuid, 16))
		bad = "device UUID is not a 16-byte string";
	else if (!mcred_cbor_int(it[2], &am->device_type) || am->device_type < INT32_MIN ||
		 am->device_type > INT32_MAX)
		bad = "device type is not an integer";
	else if (!fixed_bstr(it[3], am->fw_uuid, 16))
		bad = "firmware UUID is not a 16-byte string";
	else if (cbor_array_size(arr) > 4 && !(am->has_nonce = fixed_bstr(it[4], am->nonce, 16)))
		bad = "nonce is not a 16-byte string";
	cbor_decref(&arr);
	if (bad)
		return mcred_error_set(err, MCRED_ERR_DECODE, "attestation message: %s", bad);
	return MCRED_OK;
}

/* ---- checks ------------------------------------------------------------------------- */

/* Name of a KEYGEN payload id or, in an attestation token, a message type. */
static const char *payload_name(enum mcred_report_kind kind, int64_t id)
{
	if (kind != MCRED_REPORT_ATTESTATION) {
		if (id == MCRED_PAYLOAD_ID_CSR)
			return "CSR message v1";
		return id == MCRED_PAYLOAD_ID_PUBKEY ? "public key message v2" : "unknown payload";
	}
	switch (id) {
	case 1: return "device identity message v1";
	case 2: return "public key message v1";
	case 3: return "CSR message v1";
	case 5: return "provisioning response v1";
	default: return "unknown message type";
	}
}

/*
 * Classify the body: CSR, public key, or a CSR-to-be that does not parse.
 * *csr_problem says why the CSR check fails, NULL when it passes.
 */
static enum mcred_err inspect_body(mcred_report *r, const struct keygen_payload *kp,
				   const char **csr_problem, struct mcred_error *err)
{
	struct mcred_error perr;

	if (mcred_csr_inspect(r->body, r->body_len, &r->info, &perr) == MCRED_OK) {
		r->kind = MCRED_REPORT_CSR;
		*csr_problem = r->info.sig_valid ? NULL : "CSR self-signature does not verify";
		return MCRED_OK;
	}
	if (perr.code == MCRED_ERR_NOMEM)
		return mcred_error_set(err, MCRED_ERR_NOMEM, "%s", perr.message);
	if (mcred_pubkey_inspect(r->body, r->body_len, &r->info, &perr) == MCRED_OK) {
		r->kind = MCRED_REPORT_PUBKEY;
		return MCRED_OK;
	}
	if (perr.code == MCRED_ERR_NOMEM)
		return mcred_error_set(err, MCRED_ERR_NOMEM, "%s", perr.message);
	/* The payload announces a CSR: a broken one is a failed CSR check. */
	if (kp->payload_id == MCRED_PAYLOAD_ID_CSR) {
		r->kind = MCRED_REPORT_CSR;
		*csr_problem = "body does not parse as a DER CSR";
		return MCRED_OK;
	}
	return mcred_error_set(err, MCRED_ERR_DECODE,
			       "KEYGEN body is neither a DER CSR nor a SubjectPublicKeyInfo");
}

static void check_payload_id(mcred_report *r, int64_t expected)
{
	set_check(r, CK_PAYLOAD_ID, r->payload_id == expected,
		  "payload id mismatch: COSE payload says %d (%s), expected %lld (%s)",
		  r->payload_id, payload_name(r->kind, r->payload_id), (long long)expected,
		  payload_name(r->kind, expected));
}

/* The token answers this challenge: its nonce is the challenge, not an old token's. */
static void check_nonce(mcred_report *r, const struct attest_message *am, const uint8_t want[16])
{
	char want_hex[33], got_hex[33];

	mcred_hex_encode(want, 16, 0, want_hex);
	mcred_hex_encode(am->nonce, 16, 0, got_hex);
	set_check(r, CK_NONCE, am->has_nonce && memcmp(am->nonce, want, 16) == 0,
		  "nonce mismatch: the token's nonce is %s, the challenge was %s (a token "
		  "taken for another challenge, or replayed)",
		  am->has_nonce ? got_hex : "(none)", want_hex);
}

static void check_digest(mcred_report *r, const uint8_t want[32])
{
	uint8_t got[32];
	unsigned int glen = 0;
	char want_hex[65], got_hex[65];

	if (EVP_Digest(r->body, r->body_len, got, &glen, EVP_sha256(), NULL) != 1 || glen != 32)
		memset(got, 0, sizeof(got));
	mcred_hex_encode(want, 32, 0, want_hex);
	mcred_hex_encode(got, 32, 0, got_hex);
	set_check(r, CK_DIGEST, memcmp(want, got, 32) == 0,
		  "digest mismatch: COSE payload says %s, body hashes to %s", want_hex, got_hex);
}

/*
 * The CSR's subject is the one %KEYGEN was asked for (attributes NULL: its
 * default CN=<device UUID>). A CSR that does not parse has none to compare:
 * its CSR check failed already.
 */
static enum mcred_err check_subject(mcred_report *r, const char *attributes,
				    struct mcred_error *err)
{
	char why[112], got[104], want[104];
	int matches;

	if (!r->info.name)
		return MCRED_OK;
	matches = mcred_subject_matches(r->info.name, attributes, r->device_uuid, why, sizeof(why));
	if (matches < 0)
		return mcred_error_set(err, MCRED_ERR_NOMEM, "out of memory comparing the subject");
	mcred_subject_printable(r->info.subject, strlen(r->info.subject), got, sizeof(got));
	if (attributes)
		mcred_subject_printable(attributes, strlen(attributes), want, sizeof(want));
	else
		snprintf(want, sizeof(want), "CN=%s", r->device_uuid);
	set_check(r, CK_SUBJECT, matches,
		  "subject mismatch: the CSR is for '%s', not '%s' as asked of %%KEYGEN (%s); do "
		  "not have it signed: generate the key again (a modem that does this again does "
		  "not build the subject it is asked for)",
		  got, want, why);
	return MCRED_OK;
}

/* What the caller says %KEYGEN was asked for must be what %KEYGEN takes. */
static enum mcred_err check_expected_attributes(const struct mcred_verify_options *opts,
						struct mcred_error *err)
{
	struct mcred_keygen_request req;
	struct mcred_error why;

	if (!opts || !opts->check_subject || !opts->expected_attributes)
		return MCRED_OK;
	mcred_keygen_request_init(&req);
	req.tag = 1;
	req.attributes = opts->expected_attributes;
	if (mcred_keygen_check(&req, &why) == MCRED_OK)
		return MCRED_OK;
	return mcred_error_set(err, MCRED_ERR_INVALID_ARG, "the expected subject: %s", why.message);
}

static enum mcred_err check_cose(mcred_report *r, const struct mcred_cose *c,
				 const uint8_t *payload, size_t len, EVP_PKEY *key,
				 struct mcred_error *err)
{
	int valid = 0;
	enum mcred_err rc;

	if (!key)
		return MCRED_OK;
	rc = mcred_cose_verify(c, payload, len, key, &valid, err);
	if (rc == MCRED_OK)
		set_check(r, CK_COSE, valid,
			  "COSE signature does not verify with the given identity key");
	return rc;
}

/* ---- entry points -------------------------------------------------------------------- */

static mcred_report *report_new(struct halves *h, enum mcred_report_kind kind)
{
	mcred_report *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->kind = kind;
	r->body = h->body;
	r->body_len = h->body_len;
	h->body = NULL;
	return r;
}

/* Common start: arguments, identity key, both halves, the COSE structure. */
static enum mcred_err verify_begin(const char *blob, size_t len,
				   const struct mcred_verify_options *opts, mcred_report **out,
				   const char *prefix, const char *body_name, EVP_PKEY **key,
				   struct halves *h, struct mcred_cose *c, struct mcred_error *err)
{
	enum mcred_err rc;

	*key = NULL;
	memset(h, 0, sizeof(*h));
	memset(c, 0, sizeof(*c));
	if (out)
		*out = NULL;
	if (!out || (!blob && len))
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG, "blob and out are required");
	rc = mcred_identity_key_load(opts, key, err);
	if (rc == MCRED_OK)
		rc = decode_halves(blob ? blob : "", len, prefix, body_name, h, err);
	if (rc == MCRED_OK)
		rc = mcred_cose_decode(h->cose, h->cose_len, c, err);
	return rc;
}

static enum mcred_err keygen_checks(mcred_report *r, const struct mcred_verify_options *opts,
				    const struct keygen_payload *kp, const struct mcred_cose *c,
				    EVP_PKEY *key, struct mcred_error *err)
{
	const char *csr_problem = NULL;
	enum mcred_err rc = inspect_body(r, kp, &csr_problem, err);
	int64_t expected_id;

	if (rc != MCRED_OK)
		return rc;
	expected_id = opts && opts->expected_payload_id ? opts->expected_payload_id
		      : r->kind == MCRED_REPORT_CSR     ? MCRED_PAYLOAD_ID_CSR
							: MCRED_PAYLOAD_ID_PUBKEY;
	check_payload_id(r, expected_id);
	/* and the body is what its payload id says: a CSR (9) or a public key (8) */
	if (r->payload_id !=
	    (r->kind == MCRED_REPORT_CSR ? MCRED_PAYLOAD_ID_CSR : MCRED_PAYLOAD_ID_PUBKEY))
		set_check(r, CK_PAYLOAD_ID, 0,
			  "the body is a %s, but the COSE payload id %d says %s",
			  r->kind == MCRED_REPORT_CSR ? "CSR" : "public key", r->payload_id,
			  payload_name(r->kind, r->payload_id));
	if (opts && opts->expected_tag >= 0)
		set_check(r, CK_SEC_TAG, (int64_t)r->sec_tag == opts->expected_tag,
			  "sec_tag mismatch: COSE payload says %lu, expected %lld",
			  (unsigned long)r->sec_tag, (long long)opts->expected_tag);
	check_digest(r, kp->digest);
	if (r->kind == MCRED_REPORT_CSR)
		set_check(r, CK_CSR, csr_problem == NULL, "%s", csr_problem ? csr_problem : "");
	if (r->kind == MCRED_REPORT_CSR && opts && opts->check_subject) {
		rc = check_subject(r, opts->expected_attributes, err);
		if (rc != MCRED_OK)
			return rc;
	}
	return check_cose(r, c, c->payload, c->payload_len, key, err);
}

static enum mcred_err keygen_report(struct halves *h, const struct mcred_cose *c,
				    const struct mcred_verify_options *opts, EVP_PKEY *key,
				    mcred_report **out, struct mcred_error *err)
{
	struct keygen_payload kp;
	mcred_report *r;
	enum mcred_err rc;

	rc = check_expected_attributes(opts, err);
	if (rc != MCRED_OK)
		return rc;
	if (!c->has_payload)
		return mcred_error_set(err, MCRED_ERR_DECODE,
				       "KEYGEN COSE_Sign1 has no payload (nil)");
	rc = decode_keygen_payload(c->payload, c->payload_len, &kp, err);
	if (rc != MCRED_OK)
		return rc;
	r = report_new(h, MCRED_REPORT_CSR);
	if (!r)
		return mcred_error_set(err, MCRED_ERR_NOMEM, "out of memory");
	format_uuid(kp.uuid, r->device_uuid);
	r->has_sec_tag = 1;
	r->sec_tag = kp.sec_tag;
	r->payload_id = (int)kp.payload_id;
	r->kid = c->kid;
	rc = keygen_checks(r, opts, &kp, c, key, err);
	if (rc != MCRED_OK) {
		mcred_report_free(r);
		return rc;
	}
	*out = r;
	return MCRED_OK;
}

static enum mcred_err attest_report(struct halves *h, const struct mcred_cose *c,
				    const struct mcred_verify_options *opts, EVP_PKEY *key,
				    mcred_report **out, struct mcred_error *err)
{
	struct attest_message am;
	mcred_report *r;
	enum mcred_err rc;

	/* Detached payload: the signed content is the message itself. */
	if (c->has_payload &&
	    (c->payload_len != h->body_len || memcmp(c->payload, h->body, h->body_len) != 0))
		return mcred_error_set(err, MCRED_ERR_DECODE,
				       "attestation COSE payload differs from the message");
	rc = decode_attest_message(h->body, h->body_len, &am, err);
	if (rc != MCRED_OK)
		return rc;
	r = report_new(h, MCRED_REPORT_ATTESTATION);
	if (!r)
		return mcred_error_set(err, MCRED_ERR_NOMEM, "out of memory");
	format_uuid(am.uuid, r->device_uuid);
	format_uuid(am.fw_uuid, r->fw_uuid);
	r->payload_id = (int)am.msg_type;
	r->device_type = (int)am.device_type;
	r->kid = c->kid;
	/* %ATTESTTOKEN answers a device identity message (1); other types are other things */
	check_payload_id(r, opts && opts->expected_payload_id ? opts->expected_payload_id : 1);
	if (opts && opts->expected_nonce)
		check_nonce(r, &am, opts->expected_nonce);
	rc = check_cose(r, c, r->body, r->body_len, key, err);
	if (rc != MCRED_OK) {
		mcred_report_free(r);
		return rc;
	}
	*out = r;
	return MCRED_OK;
}

/* What turns a decoded blob into a report: keygen_report or attest_report. */
typedef enum mcred_err (*report_fn)(struct halves *h, const struct mcred_cose *c,
				    const struct mcred_verify_options *opts, EVP_PKEY *key,
				    mcred_report **out, struct mcred_error *err);

static enum mcred_err verify_blob(const char *blob, size_t len,
				  const struct mcred_verify_options *opts, mcred_report **out,
				  const char *prefix, const char *body_name, report_fn make_report,
				  struct mcred_error *err)
{
	struct mcred_verify_options copy;
	EVP_PKEY *key;
	struct halves h;
	struct mcred_cose c;
	enum mcred_err rc;

	if (out)
		*out = NULL;
	rc = mcred_verify_options_take(&copy, opts, err);
	if (rc != MCRED_OK)
		return rc;
	if (opts)
		opts = &copy; /* from here on the library's own full copy */
	rc = verify_begin(blob, len, opts, out, prefix, body_name, &key, &h, &c, err);
	if (rc == MCRED_OK)
		rc = make_report(&h, &c, opts, key, out, err);
	if (rc == MCRED_OK)
		mcred_error_clear(err);
	EVP_PKEY_free(key);
	halves_clear(&h);
	mcred_cose_clear(&c);
	return rc;
}

enum mcred_err mcred_keygen_verify(const char *blob, size_t len,
				   const struct mcred_verify_options *opts, mcred_report **out,
				   struct mcred_error *err)
{
	enum mcred_err rc;

	mcred_openssl_enter();
	rc = verify_blob(blob, len, opts, out, "%KEYGEN:", "KEYGEN body", keygen_report, err);
	mcred_openssl_leave();
	return rc;
}

enum mcred_err mcred_attest_verify(const char *blob, size_t len,
				   const struct mcred_verify_options *opts, mcred_report **out,
				   struct mcred_error *err)
{
	enum mcred_err rc;

	mcred_openssl_enter();
	rc = verify_blob(blob, len, opts, out, "%ATTESTTOKEN:", "attestation message",
			 attest_report, err);
	mcred_openssl_leave();
	return rc;
}

void mcred_report_free(mcred_report *r)
{
	if (!r)
		return;
	free(r->body);
	mcred_body_info_clear(&r->info);
	free(r);
}

/* ---- accessors ------------------------------------------------------------------------- */

enum mcred_report_kind mcred_report_kind(const mcred_report *r)
{
	return r ? r->kind : MCRED_REPORT_CSR;
}

const char *mcred_report_kind_name(const mcred_report *r)
{
	if (!r)
		return NULL;
	switch (r->kind) {
	case MCRED_REPORT_PUBKEY: return "pubkey";
	case MCRED_REPORT_ATTESTATION: return "attestation";
	case MCRED_REPORT_CSR:
	default: return "csr";
	}
}

int mcred_report_ok(const mcred_report *r)
{
	int i;

	if (!r)
		return 0;
	for (i = 0; i < CK_COUNT; i++)
		if (r->checks[i] == MCRED_CHECK_INVALID)
			return 0;
	return 1;
}

const char *mcred_report_device_uuid(const mcred_report *r)
{
	return r ? r->device_uuid : NULL;
}

int mcred_report_sec_tag(const mcred_report *r, uint32_t *tag)
{
	if (!r || !r->has_sec_tag)
		return 0;
	if (tag)
		*tag = r->sec_tag;
	return 1;
}

int mcred_report_payload_id(const mcred_report *r)
{
	return r ? r->payload_id : 0;
}

static enum mcred_check check_of(const mcred_report *r, enum check_index i)
{
	return r ? r->checks[i] : MCRED_CHECK_NOT_CHECKED;
}

enum mcred_check mcred_report_payload_id_check(const mcred_report *r)
{
	return check_of(r, CK_PAYLOAD_ID);
}

enum mcred_check mcred_report_sec_tag_check(const mcred_report *r)
{
	return check_of(r, CK_SEC_TAG);
}

enum mcred_check mcred_report_digest_check(const mcred_report *r)
{
	return check_of(r, CK_DIGEST);
}

enum mcred_check mcred_report_csr_signature_check(const mcred_report *r)
{
	return check_of(r, CK_CSR);
}

enum mcred_check mcred_report_cose_signature_check(const mcred_report *r)
{
	return check_of(r, CK_COSE);
}

enum mcred_check mcred_report_nonce_check(const mcred_report *r)
{
	return check_of(r, CK_NONCE);
}

enum mcred_check mcred_report_subject_check(const mcred_report *r)
{
	return check_of(r, CK_SUBJECT);
}

const char *mcred_report_subject(const mcred_report *r)
{
	return r ? r->info.subject : NULL;
}

const char *mcred_report_key_usage(const mcred_report *r)
{
	return r && r->info.has_key_usage ? r->info.key_usage : NULL;
}

const char *mcred_report_public_key_pem(const mcred_report *r)
{
	return r ? r->info.pubkey_pem : NULL;
}

const char *mcred_report_csr_pem(const mcred_report *r)
{
	return r ? r->info.csr_pem : NULL;
}

const uint8_t *mcred_report_body(const mcred_report *r, size_t *len)
{
	if (len)
		*len = r ? r->body_len : 0;
	return r ? r->body : NULL;
}

int mcred_report_device_type(const mcred_report *r)
{
	return r && r->kind == MCRED_REPORT_ATTESTATION ? r->device_type : 0;
}

const char *mcred_report_payload_name(const mcred_report *r)
{
	return r ? payload_name(r->kind, r->payload_id) : NULL;
}

const char *mcred_report_device_type_name(const mcred_report *r)
{
	static const char *const names[] = { NULL,           "nRF9160 SIAA", "nRF9160 SIBA",
					     "nRF9160 SICA", "nRF9161 LACA", "nRF9131 LACA",
					     "nRF9151 LACA" };

	if (!r || r->kind != MCRED_REPORT_ATTESTATION)
		return NULL;
	if (r->device_type < 1 || r->device_type > 6)
		return "unknown";
	return names[r->device_type];
}

const char *mcred_report_fw_uuid(const mcred_report *r)
{
	return r && r->kind == MCRED_REPORT_ATTESTATION ? r->fw_uuid : NULL;
}

int mcred_report_kid(const mcred_report *r)
{
	return r ? r->kid : 0;
}

const char *mcred_report_problem(const mcred_report *r)
{
	return r && r->has_problem ? r->problem : NULL;
}

/* ---- finding an answer in captured text ------------------------------------ */

/* First occurrence of needle in text[0..len), or NULL (text may hold NULs). */
static const char *find_bounded(const char *text, size_t len, const char *needle)
{
	size_t n = strlen(needle), i;

	for (i = 0; i + n <= len; i++)
		if (memcmp(text + i, needle, n) == 0)
			return text + i;
	return NULL;
}

enum mcred_answer_kind mcred_answer_find(const char *text, size_t len, size_t *offset)
{
	static const struct {
		const char *prefix;
		enum mcred_answer_kind kind;
	} answers[] = {
		{ "%ATTESTTOKEN:", MCRED_ANSWER_ATTEST },
		{ "%KEYGEN:", MCRED_ANSWER_KEYGEN },
	};
	const char *p, *first = NULL;
	enum mcred_answer_kind kind = MCRED_ANSWER_NONE;
	size_t i;

	if (offset)
		*offset = 0;
	/* the first answer in the text (a capture may hold both kinds) */
	for (i = 0; text && i < sizeof(answers) / sizeof(answers[0]); i++) {
		p = find_bounded(text, len, answers[i].prefix);
		if (p && (!first || p < first)) {
			first = p;
			kind = answers[i].kind;
		}
	}
	if (first && offset)
		*offset = (size_t)(first - text);
	return kind;
}
