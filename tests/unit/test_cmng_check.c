/* %CMNG validation and command formatting (no modem involved). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "modemcred.h"
#include "cmng_check.h"
#include "util.h"

static const char pem[] = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

/* Run the public check; return the code, keep the message in e. */
static enum mcred_err check(uint32_t tag, int type, const char *content, size_t len,
			    const char *password, const struct mcred_options *opts,
			    struct mcred_error *e)
{
	memset(e, 0, sizeof(*e));
	return mcred_cmng_check_write(tag, type, content, len, password, opts, e);
}

static void assert_invalid_mentions(enum mcred_err rc, const struct mcred_error *e,
				    const char *word)
{
	assert_int_equal(rc, MCRED_ERR_INVALID_ARG);
	assert_int_equal(e->code, MCRED_ERR_INVALID_ARG);
	if (!strstr(e->message, word))
		fail_msg("message \"%s\" lacks \"%s\"", e->message, word);
}

static void test_valid_write(void **state)
{
	(void)state;
	struct mcred_error e;
	assert_int_equal(check(12, 0, pem, strlen(pem), NULL, NULL, &e), MCRED_OK);
	assert_int_equal(e.code, MCRED_OK);
	assert_int_equal(check(MCRED_TAG_MAX, 4, "id", 2, NULL, NULL, &e), MCRED_OK);
	assert_int_equal(check(0, 2, pem, strlen(pem), "pw", NULL, &e), MCRED_OK);
	assert_int_equal(check(1, 1, "a\tb\r\nc", 6, NULL, NULL, &e), MCRED_OK);
}

static void test_tag_out_of_range(void **state)
{
	(void)state;
	struct mcred_error e;
	enum mcred_err rc = check(MCRED_TAG_MAX + 1u, 0, pem, strlen(pem), NULL, NULL, &e);
	assert_invalid_mentions(rc, &e, "2147483648");
	assert_invalid_mentions(rc, &e, "belong to the modem");
	rc = check(4294967292u, 0, pem, strlen(pem), NULL, NULL, &e);
	assert_invalid_mentions(rc, &e, "0 to 2147483647");
	struct mcred_cmng_cmd cmd;
	rc = mcred_cmng_build_delete(4294967294u, 0, &cmd, &e);
	assert_invalid_mentions(rc, &e, "cannot delete tag 4294967294");
	assert_null(cmd.text);
}

static void test_write_types(void **state)
{
	(void)state;
	struct mcred_error e;
	for (int t = 0; t <= 4; t++) {
		const char *c = t == 3 ? "00AA" : t == 4 ? "client-1" : pem;
		assert_int_equal(check(1, t, c, strlen(c), NULL, NULL, &e), MCRED_OK);
	}
	assert_invalid_mentions(check(1, 5, pem, strlen(pem), NULL, NULL, &e), &e,
				"only be deleted");
	for (int t = 6; t <= 11; t++)
		assert_invalid_mentions(check(1, t, pem, strlen(pem), NULL, NULL, &e), &e,
					"cannot be written");
	assert_invalid_mentions(check(1, 12, pem, strlen(pem), NULL, NULL, &e), &e,
				"unknown credential type 12");
	assert_invalid_mentions(check(1, -1, pem, strlen(pem), NULL, NULL, &e), &e,
				"unknown credential type -1");
}

static void test_read_types(void **state)
{
	(void)state;
	struct mcred_error e;
	struct mcred_cmng_cmd cmd;
	static const int refused[] = { 1, 2, 3, 10 };
	for (size_t i = 0; i < 4; i++) {
		enum mcred_err rc = mcred_cmng_build_read(5, refused[i], &cmd, &e);
		assert_invalid_mentions(rc, &e, "never reveals");
		assert_invalid_mentions(rc, &e, "list");
		assert_null(cmd.text);
	}
	static const int allowed[] = { 0, 4, 5, 6, 7, 8, 9, 11 };
	for (size_t i = 0; i < 8; i++) {
		assert_int_equal(mcred_cmng_build_read(5, allowed[i], &cmd, &e), MCRED_OK);
		mcred_cmng_cmd_free(&cmd);
	}
	assert_int_equal(mcred_cmng_build_read(4294967292u, 8, &cmd, &e), MCRED_OK);
	assert_string_equal(cmd.text, "AT%CMNG=2,4294967292,8");
	mcred_cmng_cmd_free(&cmd);
}

static void test_delete_types(void **state)
{
	(void)state;
	struct mcred_error e;
	struct mcred_cmng_cmd cmd;
	for (int t = 0; t <= 5; t++) {
		assert_int_equal(mcred_cmng_build_delete(7, t, &cmd, &e), MCRED_OK);
		mcred_cmng_cmd_free(&cmd);
	}
	assert_invalid_mentions(mcred_cmng_build_delete(7, 7, &cmd, &e), &e, "reserved");
	assert_invalid_mentions(mcred_cmng_build_delete(7, 9, &cmd, &e), &e, "cannot be deleted");
	static const int modem_own[] = { 6, 8, 10, 11 };
	for (size_t i = 0; i < 4; i++)
		assert_invalid_mentions(mcred_cmng_build_delete(7, modem_own[i], &cmd, &e), &e,
					"belongs to the modem");
	assert_invalid_mentions(mcred_cmng_build_delete(7, 12, &cmd, &e), &e, "unknown");
}

static void test_empty_content(void **state)
{
	(void)state;
	struct mcred_error e;
	assert_invalid_mentions(check(1, 0, "", 0, NULL, NULL, &e), &e, "empty");
	assert_invalid_mentions(check(1, 0, NULL, 0, NULL, NULL, &e), &e, "empty");
	/* a PSK identity of only a newline is empty once the newline goes */
	assert_invalid_mentions(check(1, 4, "\r\n", 2, NULL, NULL, &e), &e, "empty");
	assert_invalid_mentions(check(1, 3, "\n  \n", 4, NULL, NULL, &e), &e, "empty");
}

static void test_quote_injection_with_position(void **state)
{
	(void)state;
	struct mcred_error e;
	static const char evil[] = "-----BEGIN X-----\nab\"\r\nAT+CFUN=0\r\n";
	enum mcred_err rc = check(1, 0, evil, strlen(evil), NULL, NULL, &e);
	assert_invalid_mentions(rc, &e, "double quote");
	assert_invalid_mentions(rc, &e, "line 2, column 3");
	assert_invalid_mentions(rc, &e, "end the AT string");
}

static void test_control_and_non_ascii(void **state)
{
	(void)state;
	struct mcred_error e;
	assert_invalid_mentions(check(1, 0, "abc\x01", 4, NULL, NULL, &e), &e,
				"control byte 0x01 at line 1, column 4");
	assert_invalid_mentions(check(1, 0, "a\nb\0c", 5, NULL, NULL, &e), &e,
				"0x00 at line 2, column 2");
	assert_invalid_mentions(check(1, 0, "x\n\xc3\xa9", 4, NULL, NULL, &e), &e,
				"non-ASCII byte 0xC3 at line 2, column 1");
	assert_invalid_mentions(check(1, 0, "\x7f", 1, NULL, NULL, &e), &e, "0x7F");
	assert_invalid_mentions(check(1, 0, "\xef\xbb\xbf-----", 8, NULL, NULL, &e), &e,
				"byte-order mark");
}

static void test_psk_rules(void **state)
{
	(void)state;
	struct mcred_error e;
	assert_int_equal(check(1, 3, "0123456789abcdefABCDEF", 22, NULL, NULL, &e), MCRED_OK);
	assert_int_equal(check(1, 3, "00FF\n", 5, NULL, NULL, &e), MCRED_OK);
	assert_int_equal(check(1, 3, "00FF \r\n", 7, NULL, NULL, &e), MCRED_OK);
	assert_invalid_mentions(check(1, 3, "00F", 3, NULL, NULL, &e), &e, "odd number");
	assert_invalid_mentions(check(1, 3, "00FG", 4, NULL, NULL, &e), &e, "position 4");
	/* the habits behind a non-hex byte are named, with what to do instead */
	assert_invalid_mentions(check(1, 3, "00 FF", 5, NULL, NULL, &e), &e,
				"a space at position 3");
	assert_invalid_mentions(check(1, 3, "00 FF", 5, NULL, NULL, &e), &e, "without separators");
	assert_invalid_mentions(check(1, 3, "00:FF", 5, NULL, NULL, &e), &e, "a ':' at position 3");
	assert_invalid_mentions(check(1, 3, "0x00FF", 6, NULL, NULL, &e), &e, "prefix 0x");
	assert_invalid_mentions(check(1, 3, "0X00FF", 6, NULL, NULL, &e), &e, "prefix 0x");
	/* the PSK itself never appears in the message */
	check(1, 3, "DEADBEEFX1", 10, NULL, NULL, &e);
	assert_null(strstr(e.message, "DEADBEEF"));
}

/* A PSK identity is one line of printable ASCII; a file's last newline is not part of it. */
static void test_psk_identity_rules(void **state)
{
	(void)state;
	struct mcred_error e;
	assert_int_equal(mcred_cmng_write_digest(3, "0011", 4, NULL, NULL, &e),
			 MCRED_ERR_INVALID_ARG); /* no buffer for the digest: no crash */
	assert_int_equal(check(1, 4, "client-1 @ line 2", 17, NULL, NULL, &e), MCRED_OK);
	assert_int_equal(check(1, 4, "client-1\r\n", 10, NULL, NULL, &e), MCRED_OK);
	assert_invalid_mentions(check(1, 4, "id\nsecond", 9, NULL, NULL, &e), &e,
				"a line break at position 3");
	assert_invalid_mentions(check(1, 4, "id\tx", 4, NULL, NULL, &e), &e, "control character");
	assert_invalid_mentions(check(1, 4, "id\xc3\xa9", 4, NULL, NULL, &e), &e, "non-ASCII");
}

static void test_trailing_newline_stripped_from_sent_content(void **state)
{
	(void)state;
	struct mcred_error e;
	struct mcred_cmng_cmd cmd;
	char *sent;
	size_t sent_len;
	assert_int_equal(mcred_cmng_build_write(9, 3, "00ff\r\n", 6, NULL, NULL, &cmd, &sent,
						&sent_len, &e),
			 MCRED_OK);
	assert_string_equal(cmd.text, "AT%CMNG=0,9,3,\"00ff\"");
	assert_int_equal(sent_len, 4);
	assert_string_equal(sent, "00ff");
	mcred_secret_free(sent, sent_len + 1);
	mcred_cmng_cmd_free(&cmd);
	assert_int_equal(mcred_cmng_build_write(9, 4, "dev 1\n", 6, NULL, NULL, &cmd, NULL, NULL,
						&e),
			 MCRED_OK);
	assert_string_equal(cmd.text, "AT%CMNG=0,9,4,\"dev 1\"");
	mcred_cmng_cmd_free(&cmd);
	/* certificates keep their final newline */
	assert_int_equal(mcred_cmng_build_write(9, 0, "c\n", 2, NULL, NULL, &cmd, NULL, NULL, &e),
			 MCRED_OK);
	assert_string_equal(cmd.text, "AT%CMNG=0,9,0,\"c\n\"");
	mcred_cmng_cmd_free(&cmd);
}

static void test_password_rules(void **state)
{
	(void)state;
	struct mcred_error e;
	char pw[40];
	memset(pw, 'p', sizeof(pw));
	pw[32] = '\0';
	assert_int_equal(check(1, 2, pem, strlen(pem), pw, NULL, &e), MCRED_OK);
	pw[32] = 'p';
	pw[33] = '\0';
	assert_invalid_mentions(check(1, 2, pem, strlen(pem), pw, NULL, &e), &e, "at most 32");
	assert_invalid_mentions(check(1, 0, pem, strlen(pem), "pw", NULL, &e), &e,
				"only used with type 2");
	assert_invalid_mentions(check(1, 2, pem, strlen(pem), "", NULL, &e), &e, "empty");
	assert_invalid_mentions(check(1, 2, pem, strlen(pem), "se\"cret", NULL, &e), &e,
				"double quote");
	assert_null(strstr(e.message, "se\"cret"));
	assert_invalid_mentions(check(1, 2, pem, strlen(pem), "p\x01w", NULL, &e), &e,
				"printable ASCII");
}

static void test_crlf_normalisation(void **state)
{
	(void)state;
	struct mcred_error e;
	struct mcred_cmng_cmd cmd;
	char *sent;
	size_t sent_len;
	static const char crlf[] = "A\r\nB\r\nC\rD\r\n";
	assert_int_equal(mcred_cmng_build_write(12, 0, crlf, strlen(crlf), NULL, NULL, &cmd, &sent,
						&sent_len, &e),
			 MCRED_OK);
	assert_string_equal(sent, "A\nB\nC\rD\n");
	assert_string_equal(cmd.text, "AT%CMNG=0,12,0,\"A\nB\nC\rD\n\"");
	assert_int_equal(cmd.len, strlen(cmd.text));
	assert_null(cmd.trace);
	char digest[65], expected[65];
	mcred_sha256_hex(sent, sent_len, digest);
	mcred_cmng_write_digest(0, crlf, strlen(crlf), NULL, expected, &e);
	assert_string_equal(digest, expected);
	mcred_secret_free(sent, sent_len + 1);
	mcred_cmng_cmd_free(&cmd);

	struct mcred_options o;
	mcred_options_init(&o);
	o.keep_line_endings = 1;
	assert_int_equal(mcred_cmng_build_write(12, 0, crlf, strlen(crlf), NULL, &o, &cmd, &sent,
						&sent_len, &e),
			 MCRED_OK);
	assert_string_equal(sent, crlf);
	mcred_secret_free(sent, sent_len + 1);
	mcred_cmng_cmd_free(&cmd);
}

static void test_redacted_trace(void **state)
{
	(void)state;
	struct mcred_error e;
	struct mcred_cmng_cmd cmd;
	assert_int_equal(mcred_cmng_build_write(12, 2, pem, strlen(pem), NULL, NULL, &cmd, NULL,
						NULL, &e),
			 MCRED_OK);
	assert_true(cmd.secret);
	char expected[64];
	snprintf(expected, sizeof(expected), "AT%%CMNG=0,12,2,\"<secret: %zu bytes>\"",
		 strlen(pem));
	assert_string_equal(cmd.trace, expected);
	mcred_cmng_cmd_free(&cmd);

	assert_int_equal(mcred_cmng_build_write(12, 2, pem, strlen(pem), "hunter2", NULL, &cmd,
						NULL, NULL, &e),
			 MCRED_OK);
	assert_non_null(strstr(cmd.text, ",\"hunter2\""));
	assert_null(strstr(cmd.trace, "hunter2"));
	assert_non_null(strstr(cmd.trace, ",\"<secret>\""));
	mcred_cmng_cmd_free(&cmd);

	assert_int_equal(mcred_cmng_build_write(3, 3, "AABB", 4, NULL, NULL, &cmd, NULL, NULL, &e),
			 MCRED_OK);
	assert_string_equal(cmd.trace, "AT%CMNG=0,3,3,\"<secret: 4 bytes>\"");
	assert_null(strstr(cmd.trace, "AABB"));
	mcred_cmng_cmd_free(&cmd);
}

/* Content of len bytes: 'A's with a newline every 10th byte. */
static char *filler(size_t len, size_t *newlines)
{
	char *s = malloc(len + 1);
	*newlines = 0;
	for (size_t i = 0; i < len; i++) {
		s[i] = (i % 10 == 9) ? '\n' : 'A';
		*newlines += s[i] == '\n';
	}
	s[len] = '\0';
	return s;
}

static void test_max_length_boundary(void **state)
{
	(void)state;
	struct mcred_error e;
	/*
	 * AT%CMNG=0,1,0," (15) + content + " (1) + CRLF (2) = 4095: what fits a
	 * 4096-byte AT host buffer, which keeps one byte for its NUL.
	 */
	size_t nl;
	char *c = filler(4077, &nl);
	assert_int_equal(check(1, 0, c, 4077, NULL, NULL, &e), MCRED_OK);
	free(c);
	c = filler(4078, &nl);
	enum mcred_err rc = check(1, 0, c, 4078, NULL, NULL, &e);
	assert_invalid_mentions(rc, &e, "4096 bytes");
	assert_invalid_mentions(rc, &e, "4095");
	free(c);

	/* a smaller limit and a one-byte terminator */
	struct mcred_options o;
	mcred_options_init(&o);
	o.max_command_len = 118;
	o.terminator = MCRED_TERM_CR;
	c = filler(100, &nl);
	assert_int_equal(check(1, 0, c, 100, NULL, &o, &e), MCRED_OK);
	o.max_command_len = 117;
	assert_invalid_mentions(check(1, 0, c, 100, NULL, &o, &e), &e, "117 bytes");
	free(c);
}

static void test_max_length_shell_counts_escapes(void **state)
{
	(void)state;
	struct mcred_error e;
	struct mcred_options o;
	mcred_options_init(&o);
	o.shell = 1;
	size_t nl;
	char *c = filler(100, &nl);
	assert_int_equal(nl, 10);
	/* "at '" (4) + 15 + 100 content + 10 escapes + "\"'" (2) = 131: the shell's
	 * line buffer keeps 131 characters and its NUL; the terminator is not kept */
	o.max_command_len = 132;
	assert_int_equal(check(1, 0, c, 100, NULL, &o, &e), MCRED_OK);
	o.max_command_len = 131;
	enum mcred_err rc = check(1, 0, c, 100, NULL, &o, &e);
	assert_invalid_mentions(rc, &e, "131-byte shell line");
	assert_invalid_mentions(rc, &e, "CONFIG_SHELL_CMD_BUFF_SIZE");
	/* the same content fits without shell mode */
	o.shell = 0;
	assert_int_equal(check(1, 0, c, 100, NULL, &o, &e), MCRED_OK);
	free(c);
}

/*
 * A buffer too large to matter (SIZE_MAX, an embedder's "no limit"): the
 * shell's limit, line plus terminator, must not wrap around to a tiny one
 * that refuses every command.
 */
static void test_max_length_without_limit(void **state)
{
	(void)state;
	struct mcred_error e;
	struct mcred_options o;
	mcred_options_init(&o);
	o.max_command_len = SIZE_MAX;
	for (int shell = 0; shell <= 1; shell++) {
		o.shell = shell;
		for (enum mcred_term t = MCRED_TERM_CRLF; t <= MCRED_TERM_NUL; t++) {
			o.terminator = t;
			assert_int_equal(check(1, 0, pem, strlen(pem), NULL, &o, &e), MCRED_OK);
		}
	}
}

/* Options a handle would refuse are refused by the checks too. */
static void test_options_checked_as_open_checks_them(void **state)
{
	struct mcred_options o;
	struct mcred_error e;

	(void)state;
	mcred_options_init(&o);
	o.terminator = (enum mcred_term)(MCRED_TERM_NUL + 1);
	assert_invalid_mentions(check(1, 0, pem, strlen(pem), NULL, &o, &e), &e, "terminator");
	mcred_options_init(&o);
	o.flow = (enum mcred_flow)(MCRED_FLOW_RTSCTS + 1);
	assert_invalid_mentions(check(1, 0, pem, strlen(pem), NULL, &o, &e), &e, "flow control");
	mcred_options_init(&o);
	assert_int_equal(check(1, 0, pem, strlen(pem), NULL, &o, &e), MCRED_OK);
}

static void test_list_commands(void **state)
{
	(void)state;
	struct mcred_error e;
	struct mcred_cmng_cmd cmd;
	assert_int_equal(mcred_cmng_build_list(MCRED_ANY_TAG, MCRED_ANY_TYPE, &cmd, &e), MCRED_OK);
	assert_string_equal(cmd.text, "AT%CMNG=1");
	assert_int_equal(cmd.len, 9);
	mcred_cmng_cmd_free(&cmd);
	assert_int_equal(mcred_cmng_build_list(12345678, MCRED_ANY_TYPE, &cmd, &e), MCRED_OK);
	assert_string_equal(cmd.text, "AT%CMNG=1,12345678");
	mcred_cmng_cmd_free(&cmd);
	assert_int_equal(mcred_cmng_build_list(4294967295LL, 0, &cmd, &e), MCRED_OK);
	assert_string_equal(cmd.text, "AT%CMNG=1,4294967295,0");
	mcred_cmng_cmd_free(&cmd);
	assert_invalid_mentions(mcred_cmng_build_list(4294967296LL, 0, &cmd, &e), &e, "4294967296");
	assert_invalid_mentions(mcred_cmng_build_list(-2, 0, &cmd, &e), &e, "cannot list");
	assert_invalid_mentions(mcred_cmng_build_list(1, 12, &cmd, &e), &e, "unknown");
	assert_invalid_mentions(mcred_cmng_build_list(MCRED_ANY_TAG, 0, &cmd, &e), &e,
				"needs a tag");
}

static void test_read_delete_commands(void **state)
{
	(void)state;
	struct mcred_error e;
	struct mcred_cmng_cmd cmd;
	assert_int_equal(mcred_cmng_build_read(12345678, 0, &cmd, &e), MCRED_OK);
	assert_string_equal(cmd.text, "AT%CMNG=2,12345678,0");
	assert_false(cmd.secret);
	mcred_cmng_cmd_free(&cmd);
	assert_int_equal(mcred_cmng_build_delete(123, 1, &cmd, &e), MCRED_OK);
	assert_string_equal(cmd.text, "AT%CMNG=3,123,1");
	mcred_cmng_cmd_free(&cmd);
}

/* The digest a write will make the modem list: PSK newline dropped, CRLF -> LF. */
static void test_write_digest_matches_bytes_sent(void **state)
{
	(void)state;
	struct mcred_error e;
	char got[65], want[65];

	assert_int_equal(mcred_cmng_write_digest(3, "0a1B\n", 5, NULL, got, &e), MCRED_OK);
	mcred_sha256_hex("0a1B", 4, want);
	assert_string_equal(got, want);

	assert_int_equal(mcred_cmng_write_digest(0, "A\r\nB\r\n", 6, NULL, got, &e), MCRED_OK);
	mcred_sha256_hex("A\nB\n", 4, want);
	assert_string_equal(got, want);

	struct mcred_options o;
	mcred_options_init(&o);
	o.keep_line_endings = 1;
	assert_int_equal(mcred_cmng_write_digest(0, "A\r\nB\r\n", 6, &o, got, &e), MCRED_OK);
	mcred_sha256_hex("A\r\nB\r\n", 6, want);
	assert_string_equal(got, want);

	assert_int_equal(mcred_cmng_write_digest(3, "0a1", 3, NULL, got, &e),
			 MCRED_ERR_INVALID_ARG);
	assert_int_equal(mcred_cmng_write_digest(9, "x", 1, NULL, got, &e), MCRED_ERR_INVALID_ARG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_write),
		cmocka_unit_test(test_tag_out_of_range),
		cmocka_unit_test(test_write_types),
		cmocka_unit_test(test_read_types),
		cmocka_unit_test(test_delete_types),
		cmocka_unit_test(test_empty_content),
		cmocka_unit_test(test_quote_injection_with_position),
		cmocka_unit_test(test_control_and_non_ascii),
		cmocka_unit_test(test_psk_rules),
		cmocka_unit_test(test_psk_identity_rules),
		cmocka_unit_test(test_trailing_newline_stripped_from_sent_content),
		cmocka_unit_test(test_password_rules),
		cmocka_unit_test(test_crlf_normalisation),
		cmocka_unit_test(test_redacted_trace),
		cmocka_unit_test(test_max_length_boundary),
		cmocka_unit_test(test_max_length_shell_counts_escapes),
		cmocka_unit_test(test_max_length_without_limit),
		cmocka_unit_test(test_options_checked_as_open_checks_them),
		cmocka_unit_test(test_list_commands),
		cmocka_unit_test(test_read_delete_commands),
		cmocka_unit_test(test_write_digest_matches_bytes_sent),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
