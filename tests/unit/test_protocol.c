/*
 * Protocol knowledge the library gives its tools (the CLI held copies of it
 * before 0.2.0): what a key kind is stored as and answered with, where an
 * answer starts in captured text, functional mode names, the attestation
 * challenge rule, the CME 518 advice, the digest of read content and the
 * secret wiper.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "modemcred.h"
#include "support/fixtures.h"

static void keygen_kind_cred_type(void **state)
{
	(void)state;
	assert_int_equal(mcred_keygen_kind_cred_type(MCRED_KEYGEN_CSR), MCRED_TYPE_PRIVATE_KEY);
	assert_int_equal(mcred_keygen_kind_cred_type(MCRED_KEYGEN_PUBKEY), MCRED_TYPE_PRIVATE_KEY);
	assert_int_equal(mcred_keygen_kind_cred_type(MCRED_KEYGEN_ENDORSEMENT),
			 MCRED_TYPE_ENDORSEMENT_KEY);
	assert_int_equal(mcred_keygen_kind_cred_type((enum mcred_keygen_kind)7), -1);
}

/* The payload id of the kind is the one the modem's answer for it carries. */
static void expect_payload_id(const char *fixture, enum mcred_keygen_kind kind)
{
	struct mcred_verify_options vo;
	struct mcred_error e;
	mcred_report *r = NULL;
	size_t len;
	char *blob = fixture_read(fixture, &len);

	mcred_verify_options_init(&vo);
	vo.expected_payload_id = mcred_keygen_kind_payload_id(kind);
	assert_int_equal(mcred_keygen_verify(blob, len, &vo, &r, &e), MCRED_OK);
	assert_int_equal(mcred_report_payload_id(r), vo.expected_payload_id);
	assert_int_equal(mcred_report_payload_id_check(r), MCRED_CHECK_VALID);
	mcred_report_free(r);
	free(blob);
}

static void keygen_kind_payload_id(void **state)
{
	(void)state;
	assert_int_equal(mcred_keygen_kind_payload_id(MCRED_KEYGEN_CSR), 9);
	assert_int_equal(mcred_keygen_kind_payload_id(MCRED_KEYGEN_PUBKEY), 8);
	assert_int_equal(mcred_keygen_kind_payload_id(MCRED_KEYGEN_ENDORSEMENT), 8);
	assert_int_equal(mcred_keygen_kind_payload_id((enum mcred_keygen_kind)7), 0);
	expect_payload_id("keygen_csr.txt", MCRED_KEYGEN_CSR);
	expect_payload_id("keygen_pubkey.txt", MCRED_KEYGEN_PUBKEY);
}

static void answer_find(void **state)
{
	/* a terminal log: the echoed command must not be taken for the answer */
	static const char keygen[] = "AT%KEYGEN=11,2,0\r\n%KEYGEN: \"abc.def\"\r\nOK\r\n";
	static const char attest[] = "junk\0more\r\n%ATTESTTOKEN: \"x.y\"\r\nOK";
	size_t off = 99;

	(void)state;
	assert_int_equal(mcred_answer_find(keygen, strlen(keygen), &off), MCRED_ANSWER_KEYGEN);
	assert_int_equal(off, 18);
	assert_memory_equal(keygen + off, "%KEYGEN: \"", 10);
	/* text with a NUL byte before the answer */
	assert_int_equal(mcred_answer_find(attest, sizeof(attest) - 1, &off), MCRED_ANSWER_ATTEST);
	assert_memory_equal(attest + off, "%ATTESTTOKEN:", 13);
	/* a bare blob */
	assert_int_equal(mcred_answer_find("abc.def", 7, &off), MCRED_ANSWER_NONE);
	assert_int_equal(off, 0);
	/* the prefix beyond len does not count */
	assert_int_equal(mcred_answer_find(keygen, 20, &off), MCRED_ANSWER_NONE);
	assert_int_equal(mcred_answer_find(keygen, strlen(keygen), NULL), MCRED_ANSWER_KEYGEN);
	assert_int_equal(mcred_answer_find(NULL, 5, &off), MCRED_ANSWER_NONE);
}

/* What mcred_answer_find() finds in a fixture line verifies from there. */
static void answer_find_then_verify(void **state)
{
	char *blob = fixture_read("keygen_csr.txt", NULL);
	size_t cap = strlen(blob) + 64, off, n;
	char *text = malloc(cap);
	struct mcred_error e;
	mcred_report *r = NULL;

	(void)state;
	n = (size_t)snprintf(text, cap, "AT%%KEYGEN=11,2,0\n%%KEYGEN: \"%s\"\nOK\n", blob);
	assert_int_equal(mcred_answer_find(text, n, &off), MCRED_ANSWER_KEYGEN);
	assert_int_equal(mcred_keygen_verify(text + off, n - off, NULL, &r, &e), MCRED_OK);
	assert_int_equal(mcred_report_kind(r), MCRED_REPORT_CSR);
	mcred_report_free(r);
	free(text);
	free(blob);
}

static void cfun_names(void **state)
{
	(void)state;
	assert_string_equal(mcred_cfun_name(0), "off (minimum functionality)");
	assert_string_equal(mcred_cfun_name(1), "on (normal)");
	assert_string_equal(mcred_cfun_name(2), "receive only");
	assert_string_equal(mcred_cfun_name(4), "offline (flight mode)");
	assert_string_equal(mcred_cfun_name(20), "LTE off");
	assert_string_equal(mcred_cfun_name(21), "LTE on");
	assert_string_equal(mcred_cfun_name(30), "GNSS off");
	assert_string_equal(mcred_cfun_name(31), "GNSS on");
	assert_string_equal(mcred_cfun_name(40), "SIM off");
	assert_string_equal(mcred_cfun_name(41), "SIM on");
	assert_string_equal(mcred_cfun_name(3), "other");
	assert_string_equal(mcred_cfun_name(-1), "other");
}

static void challenge_check(void **state)
{
	struct mcred_error err;

	(void)state;
	assert_int_equal(mcred_attest_challenge_check("00112233445566778899aabbccddeeff", &err),
			 MCRED_OK);
	assert_int_equal(err.code, MCRED_OK);
	assert_int_equal(mcred_attest_challenge_check("00112233445566778899AABBCCDDEEFF", NULL),
			 MCRED_OK);
	assert_int_equal(mcred_attest_challenge_check(NULL, &err), MCRED_OK);
	assert_int_equal(mcred_attest_challenge_check("00112233445566778899aabbccddeef", &err),
			 MCRED_ERR_INVALID_ARG);
	assert_non_null(strstr(err.message, "has 31 hex digits"));
	assert_non_null(strstr(err.message, "exactly 32"));
	assert_int_equal(mcred_attest_challenge_check("00112233445566778899aabbccddeeff00", &err),
			 MCRED_ERR_INVALID_ARG);
	assert_int_equal(mcred_attest_challenge_check("0011223344556677889gaabbccddeeff", &err),
			 MCRED_ERR_INVALID_ARG);
	assert_non_null(strstr(err.message, "position 20"));
	/* a quote would end the AT string early */
	assert_int_equal(mcred_attest_challenge_check("0011223344556677889\"aabbccddeeff", &err),
			 MCRED_ERR_INVALID_ARG);
	assert_int_equal(mcred_attest_challenge_check("", &err), MCRED_ERR_INVALID_ARG);
	assert_int_equal(err.code, MCRED_ERR_INVALID_ARG);
}

/* The advice for 518 is the library's, in words that fit any tool. */
static void cme_518_advice(void **state)
{
	const char *m = mcred_cme_message(518);

	(void)state;
	assert_non_null(strstr(m, "online"));
	assert_non_null(strstr(m, "AT+CFUN=4"));
	assert_non_null(strstr(m, "auto_offline"));
	assert_null(strstr(m, "--"));
	assert_null(strstr(m, "modemcred"));
}

static void read_digest(void **state)
{
	char sha[65];

	(void)state;
	assert_int_equal(mcred_cmng_read_digest("", 0, sha), MCRED_OK);
	assert_string_equal(sha,
			    "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855");
	/* exactly the bytes: no line ending is changed */
	assert_int_equal(mcred_cmng_read_digest("hello", 5, sha), MCRED_OK);
	assert_string_equal(sha,
			    "2CF24DBA5FB0A30E26E83B2AC5B9E29E1B161E5C1FA7425E73043362938B9824");
	assert_int_equal(mcred_cmng_read_digest(NULL, 0, sha), MCRED_OK);
	assert_int_equal(mcred_cmng_read_digest(NULL, 1, sha), MCRED_ERR_INVALID_ARG);
	assert_string_equal(sha, "");
	assert_int_equal(mcred_cmng_read_digest("x", 1, NULL), MCRED_ERR_INVALID_ARG);
}

static void secret_free(void **state)
{
	char *p = strdup("a private key");

	(void)state;
	assert_non_null(p);
	mcred_secret_free(p, strlen(p) + 1);
	mcred_secret_free(NULL, 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(keygen_kind_cred_type),
		cmocka_unit_test(keygen_kind_payload_id),
		cmocka_unit_test(answer_find),
		cmocka_unit_test(answer_find_then_verify),
		cmocka_unit_test(cfun_names),
		cmocka_unit_test(challenge_check),
		cmocka_unit_test(cme_518_advice),
		cmocka_unit_test(read_digest),
		cmocka_unit_test(secret_free),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
