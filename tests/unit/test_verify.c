/*
 * Offline verification of %KEYGEN and %ATTESTTOKEN blobs: the real worked
 * example from the spec, vectors signed by tests/tools/make_fixtures.py
 * (Python, independent of the library), tampering, and hostile input.
 * Fixtures are read from $MCRED_FIXTURES or tests/fixtures (run from the
 * repository root, as `make unit` does).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "b64url.h"
#include "modemcred.h"
#include "support/fixtures.h"

#define SPEC_UUID "50503041-3633-43b0-80c3-011a3496dac0"

/* ---- helpers ------------------------------------------------------------- */

/* Test-side base64url, via OpenSSL's base64 with the alphabet swapped. */
static uint8_t *unb64url(const char *s, size_t len, size_t *out_len)
{
	char *std = malloc(len + 4);
	uint8_t *out = malloc(len + 4);
	size_t i, n = 0, pad;
	int got;

	for (i = 0; i < len; i++) {
		char c = s[i];

		if (c == '\r' || c == '\n' || c == ' ' || c == '"')
			continue;
		std[n++] = c == '-' ? '+' : c == '_' ? '/' : c;
	}
	pad = (4 - n % 4) % 4;
	memset(std + n, '=', pad);
	got = EVP_DecodeBlock(out, (unsigned char *)std, (int)(n + pad));
	assert_true(got >= (int)pad);
	free(std);
	*out_len = (size_t)got - pad;
	return out;
}

static char *b64url(const uint8_t *data, size_t len)
{
	char *s = malloc(len * 2 + 8);
	int n = EVP_EncodeBlock((unsigned char *)s, data, (int)len);
	int i;

	for (i = 0; i < n; i++)
		s[i] = s[i] == '+' ? '-' : s[i] == '/' ? '_' : s[i];
	while (n > 0 && s[n - 1] == '=')
		n--;
	s[n] = '\0';
	return s;
}

/* A blob split and decoded, to tamper with and put back together. */
struct parts {
	uint8_t *body;
	size_t body_len;
	uint8_t *cose;
	size_t cose_len;
};

static void split_fixture(const char *name, struct parts *p)
{
	char *text = fixture_read(name, NULL);
	char *start = strchr(text, '"') ? strchr(text, '"') + 1 : text;
	char *dot = strchr(start, '.');
	char *end;

	assert_non_null(dot);
	end = dot + strlen(dot);
	p->body = unb64url(start, (size_t)(dot - start), &p->body_len);
	p->cose = unb64url(dot + 1, (size_t)(end - dot - 1), &p->cose_len);
	free(text);
}

static char *join(const uint8_t *body, size_t blen, const uint8_t *cose, size_t clen)
{
	char *a = b64url(body, blen), *b = b64url(cose, clen);
	char *s = malloc(strlen(a) + strlen(b) + 2);

	sprintf(s, "%s.%s", a, b);
	free(a);
	free(b);
	return s;
}

static void parts_free(struct parts *p)
{
	free(p->body);
	free(p->cose);
}

static size_t find(const uint8_t *hay, size_t n, const void *needle, size_t m)
{
	size_t i;

	for (i = 0; i + m <= n; i++)
		if (memcmp(hay + i, needle, m) == 0)
			return i;
	fail_msg("pattern not found");
	return 0;
}

static size_t rfind(const uint8_t *hay, size_t n, const void *needle, size_t m)
{
	size_t i, at = (size_t)-1;

	for (i = 0; i + m <= n; i++)
		if (memcmp(hay + i, needle, m) == 0)
			at = i;
	if (at == (size_t)-1)
		fail_msg("pattern not found");
	return at;
}

static struct mcred_verify_options opts_key(const char *pem_name, char **pem)
{
	struct mcred_verify_options o;

	mcred_verify_options_init(&o);
	*pem = pem_name ? fixture_read(pem_name, NULL) : NULL;
	o.identity_key_pem = *pem;
	return o;
}

static mcred_report *verify_ok(const char *blob, size_t len, const struct mcred_verify_options *o,
			       int attest)
{
	mcred_report *r = NULL;
	struct mcred_error e;
	enum mcred_err rc = attest ? mcred_attest_verify(blob, len, o, &r, &e)
				   : mcred_keygen_verify(blob, len, o, &r, &e);

	if (rc != MCRED_OK)
		fail_msg("verify failed: %d %s", rc, e.message);
	assert_non_null(r);
	return r;
}

static void expect_decode_error(const char *blob, size_t len, int attest)
{
	mcred_report *r = (mcred_report *)1;
	struct mcred_error e;
	enum mcred_err rc = attest ? mcred_attest_verify(blob, len, NULL, &r, &e)
				   : mcred_keygen_verify(blob, len, NULL, &r, &e);

	assert_int_equal(rc, MCRED_ERR_DECODE);
	assert_null(r);
	assert_int_equal(e.code, MCRED_ERR_DECODE);
	assert_true(strlen(e.message) > 0);
}

/* ---- the real worked example ------------------------------------------------ */

static void spec_example(void **state)
{
	size_t len;
	char *blob = fixture_read("spec_keygen_example.txt", &len);
	struct mcred_verify_options o;
	mcred_report *r;
	uint32_t tag = 0;
	size_t body_len = 0;

	(void)state;
	mcred_verify_options_init(&o);
	assert_int_equal(o.expected_tag, -1);
	r = verify_ok(blob, len, &o, 0);
	assert_int_equal(mcred_report_kind(r), MCRED_REPORT_CSR);
	assert_string_equal(mcred_report_kind_name(r), "csr");
	assert_int_equal(mcred_report_csr_signature_check(r), MCRED_CHECK_VALID);
	assert_int_equal(mcred_report_digest_check(r), MCRED_CHECK_VALID);
	assert_int_equal(mcred_report_payload_id(r), 9);
	assert_string_equal(mcred_report_payload_name(r), "CSR message v1");
	assert_int_equal(mcred_report_payload_id_check(r), MCRED_CHECK_VALID);
	assert_int_equal(mcred_report_sec_tag_check(r), MCRED_CHECK_NOT_CHECKED);
	assert_int_equal(mcred_report_cose_signature_check(r), MCRED_CHECK_NOT_CHECKED);
	assert_true(mcred_report_sec_tag(r, &tag));
	assert_int_equal(tag, 11);
	assert_string_equal(mcred_report_device_uuid(r), SPEC_UUID);
	assert_string_equal(mcred_report_subject(r), "O=Nordic Semiconductor,L=Trondheim,C=no");
	assert_string_equal(mcred_report_key_usage(r), "101010000");
	assert_int_equal(mcred_report_kid(r), -2);
	assert_true(mcred_report_ok(r));
	assert_null(mcred_report_problem(r));
	assert_non_null(strstr(mcred_report_csr_pem(r), "-----BEGIN CERTIFICATE REQUEST-----"));
	assert_non_null(strstr(mcred_report_public_key_pem(r), "-----BEGIN PUBLIC KEY-----"));
	assert_non_null(mcred_report_body(r, &body_len));
	assert_int_equal(body_len, 0x120); /* 30 82 01 1c: 4 + 284 bytes */
	assert_null(mcred_report_fw_uuid(r));
	mcred_report_free(r);

	o.expected_tag = 11;
	r = verify_ok(blob, len, &o, 0);
	assert_int_equal(mcred_report_sec_tag_check(r), MCRED_CHECK_VALID);
	assert_true(mcred_report_ok(r));
	mcred_report_free(r);

	o.expected_tag = 12;
	r = verify_ok(blob, len, &o, 0);
	assert_int_equal(mcred_report_sec_tag_check(r), MCRED_CHECK_INVALID);
	assert_false(mcred_report_ok(r));
	assert_non_null(strstr(mcred_report_problem(r), "sec_tag"));
	mcred_report_free(r);

	/* Asked for a public key, got a CSR. */
	o.expected_tag = -1;
	o.expected_payload_id = 8;
	r = verify_ok(blob, len, &o, 0);
	assert_int_equal(mcred_report_payload_id_check(r), MCRED_CHECK_INVALID);
	mcred_report_free(r);
	free(blob);
}

/* The subject check of a report, on the spec's real answer (O, L, C asked in that order). */
static void subject_check(void **state)
{
	static const struct {
		const char *attributes; /* NULL: the modem's default, CN=<device UUID> */
		enum mcred_check check;
		const char *problem; /* a part of the report's problem */
	} cases[] = {
		{ "O=Nordic Semiconductor,L=Trondheim,C=no", MCRED_CHECK_VALID, NULL },
		{ "C=no,L=Trondheim,O=Nordic Semiconductor", MCRED_CHECK_INVALID,
		  "not 'C=no,L=Trondheim,O=Nordic Semiconductor' as asked of %KEYGEN (it holds the "
		  "attributes asked for in another order)" },
		{ "O=Nordic Semiconductor,L=Trondheim", MCRED_CHECK_INVALID, "(it adds C=no)" },
		{ "O=Nordic Semiconductor,L=Trondheim,C=no,OU=R&D", MCRED_CHECK_INVALID,
		  "(it lacks OU=R&D)" },
		{ "O=Nordic Semiconductor,L=Trondheim,C=NO", MCRED_CHECK_INVALID,
		  "(its C is 'no', not 'NO')" },
		{ NULL, MCRED_CHECK_INVALID, "not 'CN=" SPEC_UUID "' as asked of %KEYGEN" },
	};
	size_t len, i;
	char *blob = fixture_read("spec_keygen_example.txt", &len);
	struct mcred_verify_options o;
	struct mcred_error e;
	mcred_report *r;

	(void)state;
	mcred_verify_options_init(&o);
	r = verify_ok(blob, len, &o, 0);
	assert_int_equal(mcred_report_subject_check(r), MCRED_CHECK_NOT_CHECKED);
	mcred_report_free(r);
	o.check_subject = 1;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		o.expected_attributes = cases[i].attributes;
		r = verify_ok(blob, len, &o, 0);
		assert_int_equal(mcred_report_subject_check(r), cases[i].check);
		assert_int_equal(mcred_report_ok(r), cases[i].check == MCRED_CHECK_VALID);
		if (cases[i].problem) {
			const char *p = mcred_report_problem(r);

			assert_non_null(p);
			if (!strstr(p, cases[i].problem))
				fail_msg("problem \"%s\" lacks \"%s\"", p, cases[i].problem);
			/* it names both subjects and says what to do */
			assert_non_null(strstr(p, "the CSR is for 'O=Nordic Semiconductor,"
						  "L=Trondheim,C=no'"));
			assert_non_null(strstr(p, "do not have it signed"));
		} else {
			assert_null(mcred_report_problem(r));
		}
		assert_int_equal(mcred_report_digest_check(r), MCRED_CHECK_VALID);
		mcred_report_free(r);
	}
	/* what was asked must be what %KEYGEN takes: a bad argument, no report */
	o.expected_attributes = "X=1";
	r = (mcred_report *)1;
	assert_int_equal(mcred_keygen_verify(blob, len, &o, &r, &e), MCRED_ERR_INVALID_ARG);
	assert_null(r);
	assert_non_null(strstr(e.message, "the expected subject: attribute name \"X\""));
	free(blob);

	/* a public key has no subject: not checked, whatever was expected */
	blob = fixture_read("keygen_pubkey.txt", &len);
	o.expected_attributes = NULL;
	r = verify_ok(blob, len, &o, 0);
	assert_int_equal(mcred_report_subject_check(r), MCRED_CHECK_NOT_CHECKED);
	assert_true(mcred_report_ok(r));
	mcred_report_free(r);
	free(blob);
	/* nor an attestation token */
	blob = fixture_read("attest.txt", &len);
	r = verify_ok(blob, len, &o, 1);
	assert_int_equal(mcred_report_subject_check(r), MCRED_CHECK_NOT_CHECKED);
	mcred_report_free(r);
	free(blob);
	assert_int_equal(mcred_report_subject_check(NULL), MCRED_CHECK_NOT_CHECKED);
}

/* Bare blob, CRLF wrapping, quotes only: all the same answer. */
static void spec_example_forms(void **state)
{
	struct parts p;
	char *bare, *wrapped;
	size_t i, o = 0, n;
	mcred_report *r;

	(void)state;
	split_fixture("spec_keygen_example.txt", &p);
	bare = join(p.body, p.body_len, p.cose, p.cose_len);
	n = strlen(bare);
	wrapped = malloc(n * 2 + 8);
	wrapped[o++] = '"';
	for (i = 0; i < n; i++) {
		if (i % 50 == 49) {
			wrapped[o++] = '\r';
			wrapped[o++] = '\n';
		}
		wrapped[o++] = bare[i];
	}
	wrapped[o++] = '"';
	wrapped[o++] = '\r';
	wrapped[o++] = '\n';
	wrapped[o] = '\0';
	r = verify_ok(bare, n, NULL, 0);
	assert_string_equal(mcred_report_device_uuid(r), SPEC_UUID);
	assert_true(mcred_report_ok(r));
	mcred_report_free(r);
	r = verify_ok(wrapped, o, NULL, 0);
	assert_int_equal(mcred_report_digest_check(r), MCRED_CHECK_VALID);
	mcred_report_free(r);
	/* the answer as captured: the final OK after the closing quote */
	memcpy(wrapped + o, "OK\r\n", 5);
	r = verify_ok(wrapped, o + 4, NULL, 0);
	assert_int_equal(mcred_report_digest_check(r), MCRED_CHECK_VALID);
	mcred_report_free(r);
	free(bare);
	free(wrapped);
	parts_free(&p);
}

/* ---- signed vectors (made by Python) ------------------------------------------ */

static void csr_with_keys(void **state)
{
	size_t len, raw_len;
	char *blob = fixture_read("keygen_csr.txt", &len);
	char *pem;
	char *raw = fixture_read("identity_pub.raw", &raw_len);
	struct mcred_verify_options o = opts_key("identity_pub.pem", &pem);
	mcred_report *r;

	(void)state;
	o.expected_tag = 42;
	r = verify_ok(blob, len, &o, 0);
	assert_int_equal(mcred_report_cose_signature_check(r), MCRED_CHECK_VALID);
	assert_int_equal(mcred_report_csr_signature_check(r), MCRED_CHECK_VALID);
	assert_int_equal(mcred_report_sec_tag_check(r), MCRED_CHECK_VALID);
	assert_string_equal(mcred_report_subject(r), "O=Test Org,CN=device-1");
	assert_string_equal(mcred_report_key_usage(r), "101010000");
	assert_true(mcred_report_ok(r));
	mcred_report_free(r);

	/* The same key as a raw point. */
	o.identity_key_pem = NULL;
	o.identity_key_raw = (const uint8_t *)raw;
	o.identity_key_raw_len = raw_len;
	r = verify_ok(blob, len, &o, 0);
	assert_int_equal(mcred_report_cose_signature_check(r), MCRED_CHECK_VALID);
	mcred_report_free(r);
	free(pem);
	free(raw);

	/* Wrong identity key: only the COSE check fails. */
	o = opts_key("wrong_identity_pub.pem", &pem);
	r = verify_ok(blob, len, &o, 0);
	assert_int_equal(mcred_report_cose_signature_check(r), MCRED_CHECK_INVALID);
	assert_int_equal(mcred_report_digest_check(r), MCRED_CHECK_VALID);
	assert_int_equal(mcred_report_csr_signature_check(r), MCRED_CHECK_VALID);
	assert_false(mcred_report_ok(r));
	assert_non_null(strstr(mcred_report_problem(r), "COSE signature"));
	mcred_report_free(r);
	free(pem);
	free(blob);
}

static void pubkey_vectors(void **state)
{
	size_t len;
	char *blob = fixture_read("keygen_pubkey.txt", &len);
	char *pem;
	struct mcred_verify_options o = opts_key("identity_pub.pem", &pem);
	mcred_report *r;
	uint32_t tag = 0;

	(void)state;
	o.expected_tag = 33;
	r = verify_ok(blob, len, &o, 0);
	assert_int_equal(mcred_report_kind(r), MCRED_REPORT_PUBKEY);
	assert_string_equal(mcred_report_kind_name(r), "pubkey");
	assert_int_equal(mcred_report_payload_id(r), 8);
	assert_int_equal(mcred_report_payload_id_check(r), MCRED_CHECK_VALID);
	assert_int_equal(mcred_report_cose_signature_check(r), MCRED_CHECK_VALID);
	assert_int_equal(mcred_report_csr_signature_check(r), MCRED_CHECK_NOT_CHECKED);
	assert_int_equal(mcred_report_digest_check(r), MCRED_CHECK_VALID);
	assert_null(mcred_report_subject(r));
	assert_null(mcred_report_csr_pem(r));
	assert_non_null(strstr(mcred_report_public_key_pem(r), "BEGIN PUBLIC KEY"));
	assert_true(mcred_report_ok(r));
	mcred_report_free(r);
	free(blob);

	/* Signed, but not what it says: a public key body under payload id 9 (CSR). */
	blob = fixture_read("keygen_pubkey_as_csr.txt", &len);
	o.expected_tag = 42;
	o.expected_payload_id = 9; /* a CSR was asked for, as keygen does */
	r = verify_ok(blob, len, &o, 0);
	assert_int_equal(mcred_report_cose_signature_check(r), MCRED_CHECK_VALID);
	assert_int_equal(mcred_report_payload_id_check(r), MCRED_CHECK_INVALID);
	assert_non_null(strstr(mcred_report_problem(r), "the body is a public key"));
	assert_false(mcred_report_ok(r));
	mcred_report_free(r);
	free(blob);
	/* and a token whose message type is no device identity message */
	blob = fixture_read("attest_type2.txt", &len);
	o.expected_tag = -1;
	o.expected_payload_id = 0;
	r = verify_ok(blob, len, &o, 1);
	assert_int_equal(mcred_report_payload_id_check(r), MCRED_CHECK_INVALID);
	assert_false(mcred_report_ok(r));
	mcred_report_free(r);
	free(blob);

	/* A sec_tag sent as a negative CBOR int reads as unsigned 32-bit. */
	blob = fixture_read("keygen_pubkey_negtag.txt", &len);
	o.expected_tag = 4294967292LL;
	r = verify_ok(blob, len, &o, 0);
	assert_true(mcred_report_sec_tag(r, &tag));
	assert_int_equal(tag, 4294967292u);
	assert_int_equal(mcred_report_sec_tag_check(r), MCRED_CHECK_VALID);
	assert_int_equal(mcred_report_cose_signature_check(r), MCRED_CHECK_VALID);
	mcred_report_free(r);
	free(blob);
	free(pem);
}

static void attestation(void **state)
{
	static const uint8_t challenge[16] = { 0xfb, 0x08, 0x34, 0x5a, 0x5b, 0xef, 0xac, 0xd1,
					       0xce, 0xd7, 0x03, 0x8a, 0x48, 0xde, 0xbf, 0x70 };
	static const uint8_t other[16] = { 0 };
	size_t len;
	char *blob = fixture_read("attest.txt", &len);
	char *pem;
	struct mcred_verify_options o = opts_key("identity_pub.pem", &pem);
	mcred_report *r;
	char *line;
	uint32_t tag;

	(void)state;
	r = verify_ok(blob, len, &o, 1);
	assert_int_equal(mcred_report_kind(r), MCRED_REPORT_ATTESTATION);
	assert_string_equal(mcred_report_kind_name(r), "attestation");
	assert_int_equal(mcred_report_payload_id(r), 1);
	assert_string_equal(mcred_report_device_uuid(r), "01234567-89ab-cdef-0123-456789abcdef");
	assert_int_equal(mcred_report_device_type(r), 3);
	assert_string_equal(mcred_report_device_type_name(r), "nRF9160 SICA");
	assert_string_equal(mcred_report_payload_name(r), "device identity message v1");
	assert_string_equal(mcred_report_fw_uuid(r), "a1b2c3d4-e5f6-0718-293a-4b5c6d7e8f90");
	assert_int_equal(mcred_report_cose_signature_check(r), MCRED_CHECK_VALID);
	assert_int_equal(mcred_report_digest_check(r), MCRED_CHECK_NOT_CHECKED);
	assert_int_equal(mcred_report_sec_tag_check(r), MCRED_CHECK_NOT_CHECKED);
	assert_int_equal(mcred_report_csr_signature_check(r), MCRED_CHECK_NOT_CHECKED);
	assert_false(mcred_report_sec_tag(r, &tag));
	assert_int_equal(mcred_report_payload_id_check(r), MCRED_CHECK_VALID); /* type 1 */
	assert_int_equal(mcred_report_nonce_check(r), MCRED_CHECK_NOT_CHECKED);
	assert_true(mcred_report_ok(r));
	mcred_report_free(r);

	/* The challenge asked for is the token's nonce (make_fixtures.py's NONCE)... */
	o.expected_nonce = challenge;
	r = verify_ok(blob, len, &o, 1);
	assert_int_equal(mcred_report_nonce_check(r), MCRED_CHECK_VALID);
	assert_true(mcred_report_ok(r));
	mcred_report_free(r);
	/* ...and a token for another challenge (or an old one replayed) fails. */
	o.expected_nonce = other;
	r = verify_ok(blob, len, &o, 1);
	assert_int_equal(mcred_report_nonce_check(r), MCRED_CHECK_INVALID);
	assert_false(mcred_report_ok(r));
	assert_non_null(strstr(mcred_report_problem(r), "nonce mismatch"));
	mcred_report_free(r);
	o.expected_nonce = NULL;
	free(pem);

	/* The whole response line works too. */
	line = malloc(len + 32);
	sprintf(line, "%%ATTESTTOKEN: \"%.*s\"", (int)(len - 1), blob);
	r = verify_ok(line, strlen(line), NULL, 1);
	assert_int_equal(mcred_report_cose_signature_check(r), MCRED_CHECK_NOT_CHECKED);
	mcred_report_free(r);
	free(line);

	o = opts_key("wrong_identity_pub.pem", &pem);
	r = verify_ok(blob, len, &o, 1);
	assert_int_equal(mcred_report_cose_signature_check(r), MCRED_CHECK_INVALID);
	assert_false(mcred_report_ok(r));
	mcred_report_free(r);
	free(pem);
	free(blob);
}

/* ---- tampering ------------------------------------------------------------------- */

static void tamper_csr(void **state)
{
	struct parts p;
	char *blob;
	mcred_report *r;

	(void)state;
	split_fixture("spec_keygen_example.txt", &p);
	p.body[find(p.body, p.body_len, "Nordic", 6)] ^= 0x01;
	blob = join(p.body, p.body_len, p.cose, p.cose_len);
	r = verify_ok(blob, strlen(blob), NULL, 0);
	assert_int_equal(mcred_report_csr_signature_check(r), MCRED_CHECK_INVALID);
	assert_int_equal(mcred_report_digest_check(r), MCRED_CHECK_INVALID);
	assert_int_equal(mcred_report_payload_id_check(r), MCRED_CHECK_VALID);
	assert_false(mcred_report_ok(r));
	assert_non_null(strstr(mcred_report_problem(r), "digest mismatch"));
	mcred_report_free(r);
	free(blob);
	parts_free(&p);
}

static void tamper_payload(void **state)
{
	struct parts p;
	char *blob, *pem;
	struct mcred_verify_options o = opts_key("identity_pub.pem", &pem);
	uint8_t digest[32];
	static const uint8_t tag42[] = { 0x42, 0x18, 0x2a };
	size_t at;
	mcred_report *r;

	(void)state;
	/* The digest inside the COSE payload. */
	split_fixture("keygen_csr.txt", &p);
	EVP_Digest(p.body, p.body_len, digest, NULL, EVP_sha256(), NULL);
	p.cose[find(p.cose, p.cose_len, digest, 32) + 5] ^= 0x80;
	blob = join(p.body, p.body_len, p.cose, p.cose_len);
	r = verify_ok(blob, strlen(blob), &o, 0);
	assert_int_equal(mcred_report_digest_check(r), MCRED_CHECK_INVALID);
	assert_int_equal(mcred_report_cose_signature_check(r), MCRED_CHECK_INVALID);
	assert_int_equal(mcred_report_csr_signature_check(r), MCRED_CHECK_VALID);
	mcred_report_free(r);
	free(blob);
	parts_free(&p);

	/* The sec_tag inside the COSE payload: 42 becomes 43. */
	split_fixture("keygen_csr.txt", &p);
	at = find(p.cose, p.cose_len, tag42, sizeof(tag42));
	p.cose[at + 2] = 0x2b;
	blob = join(p.body, p.body_len, p.cose, p.cose_len);
	o.expected_tag = 42;
	r = verify_ok(blob, strlen(blob), &o, 0);
	assert_int_equal(mcred_report_sec_tag_check(r), MCRED_CHECK_INVALID);
	assert_int_equal(mcred_report_digest_check(r), MCRED_CHECK_VALID);
	assert_int_equal(mcred_report_cose_signature_check(r), MCRED_CHECK_INVALID);
	mcred_report_free(r);
	free(blob);
	parts_free(&p);
	free(pem);
}

static void tamper_signature(void **state)
{
	struct parts p;
	char *blob, *pem;
	struct mcred_verify_options o = opts_key("identity_pub.pem", &pem);
	mcred_report *r;

	(void)state;
	split_fixture("keygen_csr.txt", &p);
	p.cose[p.cose_len - 1] ^= 0x01;
	blob = join(p.body, p.body_len, p.cose, p.cose_len);
	r = verify_ok(blob, strlen(blob), &o, 0);
	assert_int_equal(mcred_report_cose_signature_check(r), MCRED_CHECK_INVALID);
	assert_int_equal(mcred_report_digest_check(r), MCRED_CHECK_VALID);
	assert_int_equal(mcred_report_csr_signature_check(r), MCRED_CHECK_VALID);
	assert_non_null(strstr(mcred_report_problem(r), "COSE signature"));
	mcred_report_free(r);
	free(blob);
	parts_free(&p);

	/* Attestation message changed: the detached signature no longer fits. */
	split_fixture("attest.txt", &p);
	p.body[p.body_len - 1] ^= 0x01;
	blob = join(p.body, p.body_len, p.cose, p.cose_len);
	r = verify_ok(blob, strlen(blob), &o, 1);
	assert_int_equal(mcred_report_cose_signature_check(r), MCRED_CHECK_INVALID);
	mcred_report_free(r);
	free(blob);
	parts_free(&p);
	free(pem);
}

/* ---- hostile input ------------------------------------------------------------------ */

static void hostile_text(void **state)
{
	static const char *const bad[] = {
		"",
		"   ",
		"\"\"",
		"abc",
		"a.b.c",
		"!!!.???",
		"MIIB.",
		".0oRD",
		"A.A",
		"%KEYGEN: \"abc\"",
		"%ATTESTTOKEN: \"AAAA.AAAA\"",
		"AAAA.AAAA",
		"AAAA=x.AAAA",
	};
	size_t i;
	char nul[] = "AA\0A.AAAA";

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		expect_decode_error(bad[i], strlen(bad[i]), 0);
		expect_decode_error(bad[i], strlen(bad[i]), 1);
	}
	expect_decode_error(nul, sizeof(nul) - 1, 0);
}

/* Replace the COSE part of the spec example and expect a decode error. */
static void expect_bad_cose(const uint8_t *cose, size_t len)
{
	struct parts p;
	char *blob;

	split_fixture("spec_keygen_example.txt", &p);
	blob = join(p.body, p.body_len, cose, len);
	expect_decode_error(blob, strlen(blob), 0);
	expect_decode_error(blob, strlen(blob), 1);
	free(blob);
	parts_free(&p);
}

static void hostile_cbor(void **state)
{
	struct parts p;
	uint8_t *c;
	size_t i, n;
	static const uint8_t huge_array[] = { 0xd2, 0x9b, 0x00, 0x00, 0x00, 0x10, 0, 0, 0, 0 };
	static const uint8_t huge_bstr[] = { 0xd2, 0x84, 0x5b, 0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0 };
	static const uint8_t huge_map[] = { 0xd2, 0x84, 0x41, 0xa0, 0xbb, 0x00, 0xff,
					    0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t untagged[] = { 0x84, 0x40, 0xa0, 0xf6, 0x40 };
	static const uint8_t wrong_types[] = { 0xd2, 0x84, 0x61, 0x61, 0xa0, 0xf6, 0x40 };
	static const uint8_t three[] = { 0xd2, 0x83, 0x43, 0xa1, 0x01, 0x26, 0xa0, 0xf6 };
	static const uint8_t stray_break[] = { 0xd2, 0xff };
	uint8_t deep[2001];

	(void)state;
	split_fixture("spec_keygen_example.txt", &p);
	n = p.cose_len;
	assert_true(n > 100);
	c = malloc(n);

	/* Every truncation of the COSE. */
	for (i = 0; i < n; i++)
		expect_bad_cose(p.cose, i);
	/* 63-byte signature: 58 40 <64> becomes 58 3f <63>. */
	memcpy(c, p.cose, n);
	i = rfind(c, n, "\x58\x40", 2);
	assert_int_equal(i, n - 66);
	c[i + 1] = 0x3f;
	expect_bad_cose(c, n - 1);
	/* Protected header {1: -8} (EdDSA) instead of {1: -7}. */
	memcpy(c, p.cose, n);
	c[find(c, n, "\x43\xa1\x01\x26", 4) + 3] = 0x27;
	expect_bad_cose(c, n);
	/* Trailing garbage after the COSE_Sign1. */
	c = realloc(c, n + 1);
	memcpy(c, p.cose, n);
	c[n] = 0x00;
	expect_bad_cose(c, n + 1);

	expect_bad_cose(huge_array, sizeof(huge_array));
	expect_bad_cose(huge_bstr, sizeof(huge_bstr));
	expect_bad_cose(huge_map, sizeof(huge_map));
	expect_bad_cose(untagged, sizeof(untagged));
	expect_bad_cose(wrong_types, sizeof(wrong_types));
	expect_bad_cose(three, sizeof(three));
	expect_bad_cose(stray_break, sizeof(stray_break));
	deep[0] = 0xd2;
	memset(deep + 1, 0x81, sizeof(deep) - 2);
	deep[sizeof(deep) - 1] = 0x00;
	expect_bad_cose(deep, sizeof(deep));
	free(c);
	parts_free(&p);
}

/* A body that is neither CSR nor key, or a KEYGEN blob given as a token. */
/*
 * A half-precision float where the payload (bstr or nil) belongs: libcbor
 * 0.8's cbor_is_null() asserted on it and aborted. Found by fuzz_attest_blob.
 */
static void hostile_float_payload(void **state)
{
	static const char blob[] = "2dnB1c7XA4pI3r9w.0oRDoQEmoUFHFfmoUFHFfCjial_M6HEz9rGLpEaMms";

	(void)state;
	expect_decode_error(blob, strlen(blob), 1);
	expect_decode_error(blob, strlen(blob), 0);
}

static void hostile_body(void **state)
{
	struct parts p;
	char *blob;
	size_t len;
	static const uint8_t junk[] = { 0x30, 0x03, 0x02, 0x01, 0x00 };
	mcred_report *r;

	(void)state;
	split_fixture("keygen_pubkey.txt", &p);
	blob = join(junk, sizeof(junk), p.cose, p.cose_len);
	expect_decode_error(blob, strlen(blob), 0);
	free(blob);
	parts_free(&p);

	/* A CSR announced by payload id 9 that does not parse: the CSR check fails. */
	split_fixture("spec_keygen_example.txt", &p);
	blob = join(junk, sizeof(junk), p.cose, p.cose_len);
	r = verify_ok(blob, strlen(blob), NULL, 0);
	assert_int_equal(mcred_report_csr_signature_check(r), MCRED_CHECK_INVALID);
	assert_int_equal(mcred_report_digest_check(r), MCRED_CHECK_INVALID);
	assert_false(mcred_report_ok(r));
	mcred_report_free(r);
	free(blob);
	parts_free(&p);

	/* KEYGEN as attestation and the other way round. */
	blob = fixture_read("spec_keygen_example.txt", &len);
	expect_decode_error(blob, len, 1);
	free(blob);
	blob = fixture_read("attest.txt", &len);
	expect_decode_error(blob, len, 0);
	free(blob);
}

static void bad_keys(void **state)
{
	size_t len;
	char *blob = fixture_read("keygen_csr.txt", &len);
	struct mcred_verify_options o;
	mcred_report *r = NULL;
	struct mcred_error e;
	uint8_t point[65];

	(void)state;
	mcred_verify_options_init(&o);
	o.identity_key_pem = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n";
	assert_int_equal(mcred_keygen_verify(blob, len, &o, &r, &e), MCRED_ERR_INVALID_ARG);
	assert_null(r);
	o.identity_key_pem = NULL;
	memset(point, 0x11, sizeof(point));
	point[0] = 0x04;
	o.identity_key_raw = point;
	o.identity_key_raw_len = sizeof(point);
	assert_int_equal(mcred_keygen_verify(blob, len, &o, &r, &e), MCRED_ERR_INVALID_ARG);
	o.identity_key_raw_len = 64;
	assert_int_equal(mcred_keygen_verify(blob, len, &o, &r, &e), MCRED_ERR_INVALID_ARG);
	assert_int_equal(mcred_keygen_verify(blob, len, NULL, NULL, &e), MCRED_ERR_INVALID_ARG);
	free(blob);
}

/* mcred_identity_key_parse(data, strlen(data)) must refuse, naming what it found. */
static void assert_key_refused(const char *data, const char *why)
{
	struct mcred_verify_options o;
	struct mcred_error e;

	mcred_verify_options_init(&o);
	memset(&e, 0, sizeof(e));
	assert_int_equal(mcred_identity_key_parse(data, strlen(data), &o, &e),
			 MCRED_ERR_INVALID_ARG);
	if (!strstr(e.message, why))
		fail_msg("message \"%s\" lacks \"%s\"", e.message, why);
	assert_null(o.identity_key_pem);
	assert_null(o.identity_key_raw);
}

static void identity_key_parse(void **state)
{
	static const char p384[] =
		"-----BEGIN PUBLIC KEY-----\n"
		"MHYwEAYHKoZIzj0CAQYFK4EEACIDYgAEhinpJHElngcTglJI2v6cNBERm9s/1Odf\n"
		"ST1KFEixEPiNVFQbwdAu7JREzc8xzYdwOwF0q3iqjkYz8UAL99DMJtBEB8+10jw0\n"
		"LwVE5AHRTUPqx1GBLroxIrCWG9prq8i2\n"
		"-----END PUBLIC KEY-----\n";
	size_t pem_len, raw_len, priv_len;
	char *pem = fixture_read("identity_pub.pem", &pem_len);
	char *raw = fixture_read("identity_pub.raw", &raw_len);
	char *priv = fixture_read("identity_priv.pem", &priv_len);
	struct mcred_verify_options o;
	struct mcred_error e;
	uint8_t point[65];

	(void)state;
	mcred_verify_options_init(&o);
	assert_int_equal(mcred_identity_key_parse(pem, pem_len, &o, &e), MCRED_OK);
	assert_ptr_equal(o.identity_key_pem, pem);
	assert_null(o.identity_key_raw);
	mcred_verify_options_init(&o);
	assert_int_equal(mcred_identity_key_parse(raw, raw_len, &o, &e), MCRED_OK);
	assert_ptr_equal(o.identity_key_raw, (const uint8_t *)raw);
	assert_int_equal(o.identity_key_raw_len, 65);
	assert_null(o.identity_key_pem);

	assert_key_refused("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
			   "certificate");
	assert_key_refused(priv, "private key");
	/* the private key's content never shows in the message */
	assert_int_equal(mcred_identity_key_parse(priv, priv_len, &o, &e), MCRED_ERR_INVALID_ARG);
	assert_null(strstr(e.message, "MIG"));
	assert_key_refused("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
			   "not a readable PEM");
	/* cut off after half of the base64 */
	pem[pem_len / 2] = '\0';
	assert_key_refused(pem, "not a readable PEM");
	assert_key_refused(p384, "P-256");
	assert_key_refused("just some text", "neither");
	assert_key_refused("", "neither");
	memset(point, 0x11, sizeof(point));
	point[0] = 0x04;
	mcred_verify_options_init(&o);
	assert_int_equal(mcred_identity_key_parse(point, sizeof(point), &o, &e),
			 MCRED_ERR_INVALID_ARG);
	assert_non_null(strstr(e.message, "not a point on P-256"));
	assert_null(o.identity_key_raw);
	point[0] = 0x02; /* compressed: not accepted */
	assert_int_equal(mcred_identity_key_parse(point, sizeof(point), &o, &e),
			 MCRED_ERR_INVALID_ARG);
	assert_int_equal(mcred_identity_key_parse(NULL, 0, &o, &e), MCRED_ERR_INVALID_ARG);
	free(pem);
	free(raw);
	free(priv);
}

static void names_and_nulls(void **state)
{
	uint32_t tag;
	size_t len = 5;

	(void)state;
	assert_string_equal(mcred_check_name(MCRED_CHECK_NOT_CHECKED), "not-checked");
	assert_string_equal(mcred_check_name(MCRED_CHECK_VALID), "valid");
	assert_string_equal(mcred_check_name(MCRED_CHECK_INVALID), "invalid");
	assert_string_equal(mcred_check_name((enum mcred_check)99), "unknown");
	assert_false(mcred_report_ok(NULL));
	assert_false(mcred_report_sec_tag(NULL, &tag));
	assert_null(mcred_report_problem(NULL));
	assert_null(mcred_report_body(NULL, &len));
	assert_int_equal(len, 0);
	mcred_report_free(NULL);
	mcred_verify_options_init(NULL);
}

/* A '=' inside base64url is named where it is, not at the character after it. */
static void padding_inside_is_named_at_the_padding(void **state)
{
	struct mcred_error err;
	uint8_t *out = NULL;
	size_t len;

	(void)state;
	memset(&err, 0, sizeof(err));
	assert_int_equal(mcred_b64url_decode("QUJD=RA", 7, "body", &out, &len, &err),
			 MCRED_ERR_DECODE);
	assert_non_null(strstr(err.message, "padding '=' at offset 4"));
	free(out);
	out = NULL;
	assert_int_equal(mcred_b64url_decode("QUJDRA==", 8, "body", &out, &len, &err), MCRED_OK);
	assert_int_equal(len, 4);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(spec_example),
		cmocka_unit_test(spec_example_forms),
		cmocka_unit_test(subject_check),
		cmocka_unit_test(csr_with_keys),
		cmocka_unit_test(pubkey_vectors),
		cmocka_unit_test(attestation),
		cmocka_unit_test(tamper_csr),
		cmocka_unit_test(tamper_payload),
		cmocka_unit_test(tamper_signature),
		cmocka_unit_test(hostile_text),
		cmocka_unit_test(hostile_float_payload),
		cmocka_unit_test(hostile_cbor),
		cmocka_unit_test(hostile_body),
		cmocka_unit_test(bad_keys),
		cmocka_unit_test(identity_key_parse),
		cmocka_unit_test(names_and_nulls),
		cmocka_unit_test(padding_inside_is_named_at_the_padding),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
