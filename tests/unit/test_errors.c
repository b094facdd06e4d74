/* Error strings, CME meanings, error records, type names and digests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "modemcred.h"

#include "error.h"
#include "util.h"

static void test_version(void **state)
{
	(void)state;
	assert_string_equal(mcred_version(), MCRED_VERSION_STRING);
	char parts[32];
	snprintf(parts, sizeof(parts), "%d.%d.%d", MCRED_VERSION_MAJOR, MCRED_VERSION_MINOR,
		 MCRED_VERSION_PATCH);
	assert_string_equal(MCRED_VERSION_STRING, parts);
	assert_int_equal(MCRED_VERSION_NUM, (MCRED_VERSION_MAJOR << 16) |
						    (MCRED_VERSION_MINOR << 8) |
						    MCRED_VERSION_PATCH);
	assert_int_equal(MCRED_VERSION_ENCODE(0, 2, 0), 0x000200);
	assert_int_equal(MCRED_VERSION_ENCODE(1, 0, 0), 0x010000);
}

/* The number compares in the preprocessor, as programs use it. */
#if !(MCRED_VERSION_NUM >= MCRED_VERSION_ENCODE(0, 2, 0) && \
      MCRED_VERSION_NUM < MCRED_VERSION_ENCODE(0, 2, 0) + 0x100)
#error "MCRED_VERSION_NUM does not order versions in #if"
#endif

/* Every code with the value it has had since it appeared (the ABI) and its name. */
static const struct {
	enum mcred_err code;
	int value;
	const char *name;
} all_codes[] = {
	{ MCRED_OK, 0, "MCRED_OK" },
	{ MCRED_ERR_INVALID_ARG, 1, "MCRED_ERR_INVALID_ARG" },
	{ MCRED_ERR_NOMEM, 2, "MCRED_ERR_NOMEM" },
	{ MCRED_ERR_PORT, 3, "MCRED_ERR_PORT" },
	{ MCRED_ERR_IO, 4, "MCRED_ERR_IO" },
	{ MCRED_ERR_TIMEOUT, 5, "MCRED_ERR_TIMEOUT" },
	{ MCRED_ERR_PROTOCOL, 6, "MCRED_ERR_PROTOCOL" },
	{ MCRED_ERR_TOO_LARGE, 7, "MCRED_ERR_TOO_LARGE" },
	{ MCRED_ERR_MODEM, 8, "MCRED_ERR_MODEM" },
	{ MCRED_ERR_CME, 9, "MCRED_ERR_CME" },
	{ MCRED_ERR_CMS, 10, "MCRED_ERR_CMS" },
	{ MCRED_ERR_NOT_FOUND, 11, "MCRED_ERR_NOT_FOUND" },
	{ MCRED_ERR_MISMATCH, 12, "MCRED_ERR_MISMATCH" },
	{ MCRED_ERR_UNSUPPORTED, 13, "MCRED_ERR_UNSUPPORTED" },
	{ MCRED_ERR_DECODE, 14, "MCRED_ERR_DECODE" },
	{ MCRED_ERR_VERIFY, 15, "MCRED_ERR_VERIFY" },
	{ MCRED_ERR_CANCELLED, 16, "MCRED_ERR_CANCELLED" },
	{ MCRED_ERR_CRYPTO, 17, "MCRED_ERR_CRYPTO" },
	{ MCRED_ERR_BUSY, 18, "MCRED_ERR_BUSY" },
};
#define N_CODES (sizeof(all_codes) / sizeof(all_codes[0]))

static void test_error_codes_keep_their_values(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_CODES; i++)
		assert_int_equal((int)all_codes[i].code, all_codes[i].value);
}

static void test_every_error_code_has_its_name(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_CODES; i++)
		assert_string_equal(mcred_err_name(all_codes[i].code), all_codes[i].name);
	/*
	 * The first value after the table is no code: a code added to the enum
	 * without this table (and its name) fails here.
	 */
	assert_null(mcred_err_name((enum mcred_err)N_CODES));
	assert_null(mcred_err_name((enum mcred_err) - 1));
	assert_null(mcred_err_name((enum mcred_err)999));
}

static void test_every_error_has_its_own_message(void **state)
{
	(void)state;
	const char *unknown = mcred_strerror((enum mcred_err)999);
	for (int code = MCRED_OK; code <= MCRED_ERR_BUSY; code++) {
		const char *msg = mcred_strerror((enum mcred_err)code);
		assert_non_null(msg);
		assert_true(strlen(msg) > 5);
		assert_string_not_equal(msg, unknown);
		for (int other = MCRED_OK; other < code; other++)
			assert_string_not_equal(msg, mcred_strerror((enum mcred_err)other));
	}
	assert_non_null(strstr(mcred_strerror(MCRED_ERR_TIMEOUT), "timed out"));
}

static void test_every_listed_cme_code_maps(void **state)
{
	(void)state;
	static const struct {
		int code;
		const char *word;
	} known[] = {
		{ 0, "phone failure" },
		{ 23, "memory failure" },
		{ 50, "incorrect parameters" },
		{ 60, "system error" },
		{ 513, "not found" },
		{ 514, "no access" },
		{ 515, "memory full" },
		{ 518, "online" },
		{ 519, "already exists" },
		{ 520, "authentication failed" },
		{ 523, "key generation failed" },
		{ 527, "invalid content" },
		{ 528, "power-off warning" },
	};
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		const char *msg = mcred_cme_message(known[i].code);
		char prefix[16];
		snprintf(prefix, sizeof(prefix), "%d: ", known[i].code);
		assert_non_null(strstr(msg, known[i].word));
		assert_memory_equal(msg, prefix, strlen(prefix));
	}
	assert_string_equal(mcred_cme_message(12345), "unknown CME error");
	assert_string_equal(mcred_cme_message(-1), "unknown CME error");
}

static void test_cme_hints(void **state)
{
	(void)state;
	assert_non_null(strstr(mcred_cme_message(518), "auto_offline"));
	assert_non_null(strstr(mcred_cme_message(518), "AT+CFUN=4"));
	assert_non_null(strstr(mcred_cme_message(515), "delete"));
	assert_non_null(strstr(mcred_cme_message(527), "CRLF"));
}

static void test_error_set_and_clear(void **state)
{
	(void)state;
	struct mcred_error e;
	memset(&e, 0x55, sizeof(e));
	assert_int_equal(mcred_error_set(&e, MCRED_ERR_IO, "port %s gone", "/dev/x"), MCRED_ERR_IO);
	assert_int_equal(e.code, MCRED_ERR_IO);
	assert_int_equal(e.cme, -1);
	assert_string_equal(e.message, "port /dev/x gone");
	mcred_error_clear(&e);
	assert_int_equal(e.code, MCRED_OK);
	assert_int_equal(e.cme, -1);
	assert_string_equal(e.message, "");
	/* NULL record: just the code */
	assert_int_equal(mcred_error_set(NULL, MCRED_ERR_NOMEM, "x"), MCRED_ERR_NOMEM);
	mcred_error_clear(NULL);
}

static void test_error_message_is_bounded(void **state)
{
	(void)state;
	struct mcred_error e;
	char big[2000];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	mcred_error_set(&e, MCRED_ERR_PROTOCOL, "%s", big);
	assert_int_equal(strlen(e.message), sizeof(e.message) - 1);
}

static void test_type_names(void **state)
{
	(void)state;
	static const char *names[] = { "ca",          "cert",      "key",       "psk",
				       "psk-id",      "pubkey",    "identity",  "reserved",
				       "endorsement", "ownership", "nordic-ca", "nordic-base" };
	for (int t = 0; t < 12; t++) {
		int parsed = -1;
		char num[16];
		assert_string_equal(mcred_type_name(t), names[t]);
		assert_string_not_equal(mcred_type_description(t), "unknown type");
		assert_int_equal(mcred_type_parse(names[t], &parsed, NULL), MCRED_OK);
		assert_int_equal(parsed, t);
		snprintf(num, sizeof(num), "%d", t);
		assert_int_equal(mcred_type_parse(num, &parsed, NULL), MCRED_OK);
		assert_int_equal(parsed, t);
	}
	assert_null(mcred_type_name(12));
	assert_null(mcred_type_name(-1));
	assert_string_equal(mcred_type_description(12), "unknown type");
	assert_string_equal(mcred_type_description(0), "root CA certificate");
}

static void test_type_parse_aliases_and_case(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		int type;
	} cases[] = { { "root-ca", 0 },
		      { "client-cert", 1 },
		      { "private-key", 2 },
		      { "psk-identity", 4 },
		      { "public-key", 5 },
		      { "CA", 0 },
		      { "Psk-Id", 4 },
		      { "NORDIC-BASE", 11 },
		      { "07", 7 },
		      /* nrfcredstore's CredType names */
		      { "ROOT_CA_CERT", 0 },
		      { "CLIENT_CERT", 1 },
		      { "CLIENT_KEY", 2 },
		      { "PSK", 3 },
		      { "PSK_ID", 4 },
		      { "PUB_KEY", 5 },
		      { "DEV_ID_PUB_KEY", 6 },
		      { "RESERVED", 7 },
		      { "ENDORSEMENT_KEY", 8 },
		      { "OWNERSHIP_KEY", 9 },
		      { "NORDIC_ID_ROOT_CA", 10 },
		      { "NORDIC_PUB_KEY", 11 },
		      { "client_key", 2 } };
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int t = -1;
		assert_int_equal(mcred_type_parse(cases[i].text, &t, NULL), MCRED_OK);
		assert_int_equal(t, cases[i].type);
	}
}

static void test_type_parse_rejects(void **state)
{
	(void)state;
	static const char *bad[] = { "12", "-1", "", "cax", "1a", "100", " ca", "certificate" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct mcred_error e;
		int t = 42;
		assert_int_equal(mcred_type_parse(bad[i], &t, &e), MCRED_ERR_INVALID_ARG);
		assert_int_equal(t, 42);
		assert_int_equal(e.code, MCRED_ERR_INVALID_ARG);
		assert_non_null(strstr(e.message, "psk-id"));
		assert_non_null(strstr(e.message, "nordic-base"));
	}
	assert_int_equal(mcred_type_parse(NULL, NULL, NULL), MCRED_ERR_INVALID_ARG);
}

static void test_sha256(void **state)
{
	(void)state;
	char hex[65];
	assert_int_equal(mcred_sha256_hex("abc", 3, hex), MCRED_OK);
	assert_string_equal(hex,
			    "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD");
	assert_int_equal(mcred_sha256_hex("", 0, hex), MCRED_OK);
	assert_string_equal(hex,
			    "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855");
}

static void test_free_secret(void **state)
{
	(void)state;
	char *p = strdup("secret");
	mcred_secret_free(p, 7);
	mcred_secret_free(NULL, 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_error_codes_keep_their_values),
		cmocka_unit_test(test_every_error_code_has_its_name),
		cmocka_unit_test(test_every_error_has_its_own_message),
		cmocka_unit_test(test_every_listed_cme_code_maps),
		cmocka_unit_test(test_cme_hints),
		cmocka_unit_test(test_error_set_and_clear),
		cmocka_unit_test(test_error_message_is_bounded),
		cmocka_unit_test(test_type_names),
		cmocka_unit_test(test_type_parse_aliases_and_case),
		cmocka_unit_test(test_type_parse_rejects),
		cmocka_unit_test(test_sha256),
		cmocka_unit_test(test_free_secret),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
