/*
 * OpenSSL's error queue belongs to the calling thread, and a gateway that
 * embeds the library runs its own TLS on that thread too: errors left in
 * the queue break its next TLS call (SSL_get_error() reads the queue, and
 * OpenSSL asks for it to be empty before SSL I/O). Every public function
 * that uses OpenSSL must leave no error of its own there, and leave the
 * program's own pending errors alone.
 *
 * Fixtures are read from $MCRED_FIXTURES or tests/fixtures (run from the
 * repository root, as `make unit` does).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/err.h>

#include "modemcred.h"
#include "support/fixtures.h"

#define PROGRAMS_REASON 42

static const char bad_cert[] = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
static const char bad_key[] = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
static const char bad_pub[] = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n";

/* The program's own pending error, as its TLS code would have queued it. */
static void queue_programs_error(void)
{
	ERR_clear_error();
	ERR_raise(ERR_LIB_USER, PROGRAMS_REASON);
}

/* Only the program's error is queued: none of the library's came or stayed. */
static void assert_only_programs_error(const char *after)
{
	unsigned long first = ERR_get_error();

	if (first == 0 || ERR_GET_REASON(first) != PROGRAMS_REASON)
		fail_msg("after %s the program's pending error is gone", after);
	first = ERR_peek_error();
	if (first != 0)
		fail_msg("after %s the queue holds the library's error: %s", after,
			 ERR_error_string(first, NULL));
}

static void assert_empty(const char *after)
{
	unsigned long code = ERR_peek_error();

	if (code != 0)
		fail_msg("after %s the queue holds the library's error: %s", after,
			 ERR_error_string(code, NULL));
}

/* Each failing call, once on an empty queue and once after the program's error. */
static void test_failures_leave_the_queue_as_found(void **state)
{
	struct mcred_error err;
	struct mcred_verify_options vo;
	mcred_ca *ca = NULL;
	mcred_report *report = NULL;
	char serial[33];

	(void)state;
	mcred_verify_options_init(&vo);
	for (int with_programs = 0; with_programs <= 1; with_programs++) {
		void (*check)(const char *) = with_programs ? assert_only_programs_error
							    : assert_empty;
#define AFTER(call)                             \
	do {                                    \
		if (with_programs)              \
			queue_programs_error(); \
		else                            \
			ERR_clear_error();      \
		(void)(call);                   \
		check(#call);                   \
	} while (0)
		AFTER(mcred_cmng_check_content(0, bad_cert, strlen(bad_cert), NULL, &err));
		AFTER(mcred_cmng_check_content(2, bad_key, strlen(bad_key), NULL, &err));
		AFTER(mcred_ca_load(&ca, bad_cert, strlen(bad_cert), bad_key, strlen(bad_key),
				    &err));
		AFTER(mcred_identity_key_parse(bad_pub, strlen(bad_pub), &vo, &err));
		AFTER(mcred_cert_check(NULL, bad_cert, bad_pub, serial, &err));
		AFTER(mcred_keygen_verify("AAAA.AAAA", 9, NULL, &report, &err));
		AFTER(mcred_attest_verify("AAAA.AAAA", 9, NULL, &report, &err));
#undef AFTER
	}
	assert_null(ca);
	assert_null(report);
	ERR_clear_error();
}

/* A blob that decodes, with the COSE signature checked: nothing left either. */
static void test_verified_blob_leaves_no_error(void **state)
{
	size_t key_len = 0;
	char *blob = fixture_read_blob("keygen_csr.txt");
	char *key = fixture_read("identity_pub.pem", &key_len);
	struct mcred_verify_options vo;
	struct mcred_error err;
	mcred_report *report = NULL;

	(void)state;
	assert_non_null(blob);
	assert_non_null(key);
	mcred_verify_options_init(&vo);
	assert_int_equal(mcred_identity_key_parse(key, key_len, &vo, &err), MCRED_OK);
	ERR_clear_error();
	assert_int_equal(mcred_keygen_verify(blob, strlen(blob), &vo, &report, &err), MCRED_OK);
	assert_true(mcred_report_ok(report));
	assert_empty("mcred_keygen_verify of a good blob");
	mcred_report_free(report);
	/* the CSR's parse (csr.c) keeps the program's pending error too */
	queue_programs_error();
	assert_int_equal(mcred_keygen_verify(blob, strlen(blob), &vo, &report, &err), MCRED_OK);
	assert_only_programs_error("mcred_keygen_verify of a good blob");
	mcred_report_free(report);
	free(blob);
	free(key);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_failures_leave_the_queue_as_found),
		cmocka_unit_test(test_verified_blob_leaves_no_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
