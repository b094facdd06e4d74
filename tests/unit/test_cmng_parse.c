/* The %CMNG response-line parser: every form of the reference page. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cmng_parse.h"

#define SHA_UP "978C0D5A9D2DF4A9E1AC0F07F7B0D9B31C4FD8C6D3A1C5B2E4A6F0B1C2D302C4"
#define SHA_LO "978c0d5a9d2df4a9e1ac0f07f7b0d9b31c4fd8c6d3a1c5b2e4a6f0b1c2d302c4"

static enum mcred_err parse(const char *line, struct mcred_cmng_entry *e)
{
	struct mcred_error err;
	return mcred_cmng_parse_line(line, strlen(line), e, &err);
}

static void test_list_forms(void **state)
{
	(void)state;
	static const char *lines[] = {
		"%CMNG: 12345678,0,\"" SHA_UP "\"",
		"%CMNG: 12345678, 0, \"" SHA_UP "\"",
		"%CMNG:12345678 , 0 ,\"" SHA_UP "\" ",
		"  %CMNG:  12345678,\t0,  \"" SHA_LO "\"",
	};
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		struct mcred_cmng_entry e;
		assert_int_equal(parse(lines[i], &e), MCRED_OK);
		assert_int_equal(e.tag, 12345678);
		assert_int_equal(e.type, 0);
		assert_true(e.has_sha256);
		assert_string_equal(e.sha256, SHA_UP);
		assert_false(e.has_content);
	}
}

static void test_missing_sha(void **state)
{
	(void)state;
	struct mcred_cmng_entry e;
	assert_int_equal(parse("%CMNG: 654321,3", &e), MCRED_OK);
	assert_int_equal(e.tag, 654321);
	assert_int_equal(e.type, 3);
	assert_false(e.has_sha256);
	assert_false(e.has_content);
	assert_int_equal(parse("%CMNG: 654321, 3 ", &e), MCRED_OK);
	assert_false(e.has_sha256);
}

static void test_read_with_sha_and_crlf_content(void **state)
{
	(void)state;
	static const char content[] = "-----BEGIN CERTIFICATE-----\r\nMIIBc464...\r\n...bW9aAa4\n"
				      "-----END CERTIFICATE-----\r\n";
	char line[512];
	snprintf(line, sizeof(line), "%%CMNG: 12345678, 0, \"%s\",\"%s\"", SHA_UP, content);
	struct mcred_cmng_entry e;
	assert_int_equal(parse(line, &e), MCRED_OK);
	assert_true(e.has_sha256);
	assert_string_equal(e.sha256, SHA_UP);
	assert_true(e.has_content);
	assert_int_equal(e.content_len, strlen(content));
	assert_memory_equal(e.content, content, strlen(content));
	/* a space before the content, as after a line break between parameters */
	snprintf(line, sizeof(line), "%%CMNG: 1,4,\"%s\", \"%s\"", SHA_UP, "my-id");
	assert_int_equal(parse(line, &e), MCRED_OK);
	assert_int_equal(e.content_len, 5);
	assert_memory_equal(e.content, "my-id", 5);
}

static void test_read_without_sha(void **state)
{
	(void)state;
	struct mcred_cmng_entry e;
	assert_int_equal(parse("%CMNG: 7,0,\"-----BEGIN X-----\nabc\n\"", &e), MCRED_OK);
	assert_false(e.has_sha256);
	assert_true(e.has_content);
	assert_int_equal(e.content_len, 22);
	assert_memory_equal(e.content, "-----BEGIN X-----\nabc\n", 22);
	assert_int_equal(parse("%CMNG: 7,4,\"" SHA_UP "\"", &e), MCRED_OK);
	assert_true(e.has_sha256);
	/* 63 hex digits is not a digest: content */
	char line[128];
	snprintf(line, sizeof(line), "%%CMNG: 7,4,\"%.63s\"", SHA_UP);
	assert_int_equal(parse(line, &e), MCRED_OK);
	assert_false(e.has_sha256);
	assert_true(e.has_content);
	assert_int_equal(e.content_len, 63);
	/* a lone empty value: neither digest nor content */
	assert_int_equal(parse("%CMNG: 7,4,\"\"", &e), MCRED_OK);
	assert_false(e.has_sha256);
	assert_false(e.has_content);
	/* the raw first value stays available for the read operation */
	assert_int_equal(parse("%CMNG: 7,4,\"" SHA_LO "\"", &e), MCRED_OK);
	assert_int_equal(e.sha_text_len, 64);
	assert_memory_equal(e.sha_text, SHA_LO, 64);
}

static void test_modem_tags(void **state)
{
	(void)state;
	struct mcred_cmng_entry e;
	assert_int_equal(parse("%CMNG: 4294967292,10,\"" SHA_UP "\"", &e), MCRED_OK);
	assert_int_equal(e.tag, 4294967292u);
	assert_int_equal(e.type, 10);
	assert_int_equal(parse("%CMNG: 4294967295,11", &e), MCRED_OK);
	assert_int_equal(e.tag, 4294967295u);
	assert_int_equal(parse("%CMNG: 0,0", &e), MCRED_OK);
	assert_int_equal(e.tag, 0);
}

static void test_malformed(void **state)
{
	(void)state;
	static const char *bad[] = {
		"",
		"%CMNG:",
		"%CMNG: ",
		"CMNG: 1,0",
		"%cmng 1,0",
		"+CMNG: 1,0",
		"%CMNG: 4294967296,0",
		"%CMNG: 99999999999999999999,0",
		"%CMNG: -1,0",
		"%CMNG: 1",
		"%CMNG: 1,",
		"%CMNG: 1,x",
		"%CMNG: 1,256",
		"%CMNG: 1,0,",
		"%CMNG: 1,0,abc",
		"%CMNG: 1,0,\"" SHA_UP,
		"%CMNG: 1,0,\"" SHA_UP "\",",
		"%CMNG: 1,0,\"" SHA_UP "\",\"abc",
		"%CMNG: 1,0,\"" SHA_UP "\",\"abc\",\"x\"",
		"%CMNG: 1,0,\"" SHA_UP "\"x",
		"%CMNG: 1,0,\"nothex\",\"abc\"",
		"%CMNG: 1,0 junk",
		"%CMNG: 1 0",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct mcred_cmng_entry e;
		struct mcred_error err;
		memset(&err, 0, sizeof(err));
		enum mcred_err rc = mcred_cmng_parse_line(bad[i], strlen(bad[i]), &e, &err);
		if (rc != MCRED_ERR_PROTOCOL)
			fail_msg("accepted malformed line %zu: %s", i, bad[i]);
		assert_int_equal(err.code, MCRED_ERR_PROTOCOL);
		assert_non_null(strstr(err.message, "%CMNG"));
	}
	struct mcred_cmng_entry e;
	assert_int_equal(mcred_cmng_parse_line(NULL, 0, &e, NULL), MCRED_ERR_PROTOCOL);
}

static void test_length_bounded(void **state)
{
	(void)state;
	/* the parser must stop at len, not at a NUL */
	static const char line[] = "%CMNG: 12,0,\"" SHA_UP "\"XXXX";
	struct mcred_cmng_entry e;
	assert_int_equal(mcred_cmng_parse_line(line, strlen(line) - 4, &e, NULL), MCRED_OK);
	assert_true(e.has_sha256);
	assert_int_equal(mcred_cmng_parse_line(line, 11, &e, NULL), MCRED_OK);
	assert_int_equal(e.tag, 12);
	assert_int_equal(e.type, 0);
	assert_false(e.has_sha256);
	assert_int_equal(mcred_cmng_parse_line(line, 10, &e, NULL), MCRED_ERR_PROTOCOL);
	/* a NUL inside the content is kept byte exact */
	static const char with_nul[] = "%CMNG: 1,4,\"" SHA_UP "\",\"a\0b\"";
	assert_int_equal(mcred_cmng_parse_line(with_nul, sizeof(with_nul) - 1, &e, NULL), MCRED_OK);
	assert_int_equal(e.content_len, 3);
	assert_memory_equal(e.content, "a\0b", 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list_forms),
		cmocka_unit_test(test_missing_sha),
		cmocka_unit_test(test_read_with_sha_and_crlf_content),
		cmocka_unit_test(test_read_without_sha),
		cmocka_unit_test(test_modem_tags),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_length_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
