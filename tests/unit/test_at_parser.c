/*
 * The line splitter and classifier against every response form of the
 * %CMNG reference and README.md's "Real devices". Each input is fed whole, one byte at a time
 * and split in two at every position: the lines must be identical.
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
#include "at_parser.h"

#define MAX_LINES 16
#define TOO_LONG "<too long>"

struct collected {
	char *lines[MAX_LINES];
	size_t lens[MAX_LINES];
	size_t count;
};

static int collect(void *user, const char *line, size_t len)
{
	struct collected *c = user;

	assert_true(c->count < MAX_LINES);
	if (!line) {
		assert_int_equal(len, 0);
		line = TOO_LONG;
		len = strlen(TOO_LONG);
	} else {
		assert_int_equal(strlen(line), len); /* NUL-terminated at len */
	}
	c->lines[c->count] = malloc(len + 1);
	assert_non_null(c->lines[c->count]);
	memcpy(c->lines[c->count], line, len + 1);
	c->lens[c->count++] = len;
	return 0;
}

static void collected_free(struct collected *c)
{
	for (size_t i = 0; i < c->count; i++)
		free(c->lines[i]);
	c->count = 0;
}

/* Feed input in pieces: cuts[] are the positions where a new piece starts. */
static void feed_pieces(size_t max_line, const char *input, size_t len, const size_t *cuts,
			size_t ncuts, struct collected *out)
{
	struct mcred_line_splitter *s = mcred_line_splitter_new(max_line);
	size_t start = 0;

	assert_non_null(s);
	for (size_t i = 0; i <= ncuts; i++) {
		size_t end = i < ncuts ? cuts[i] : len;

		assert_int_equal(mcred_line_splitter_feed(s, (const uint8_t *)input + start,
							  end - start, collect, out),
				 0);
		start = end;
	}
	mcred_line_splitter_free(s);
}

static void assert_same(const struct collected *a, const struct collected *b)
{
	assert_int_equal(a->count, b->count);
	for (size_t i = 0; i < a->count; i++) {
		assert_int_equal(a->lens[i], b->lens[i]);
		assert_memory_equal(a->lines[i], b->lines[i], a->lens[i]);
	}
}

struct parser_case {
	const char *name;
	const char *input;
	const char *command;          /* in flight, NULL for none */
	const char *lines[MAX_LINES]; /* expected, NULL-terminated */
	enum mcred_line_kind kinds[MAX_LINES];
	int codes[MAX_LINES]; /* CME/CMS codes; 0 means none (-1) expected */
};

#define READ_CONTENT \
	"\"-----BEGIN CERTIFICATE-----\nMIIBc464...\n...bW9aAa4\n-----END CERTIFICATE-----\""
#define READ_CONTENT_CRLF                                                         \
	"\"-----BEGIN CERTIFICATE-----\r\nMIIBc464...\r\n...bW9aAa4\r\n-----END " \
	"CERTIFICATE-----\""

static const struct parser_case cases[] = {
	{ "list all with sha, spaces after commas",
	  "%CMNG: 12345678, 0, \"978C...02C4\"\r\n%CMNG: 567890, 1, \"C485...CF09\"\r\n"
	  "%CMNG: 123, 2, \"92E1...8AC8\"\r\n%CMNG: 654321, 3, \"E0C9...511D\"\r\nOK\r\n",
	  "AT%CMNG=1",
	  { "%CMNG: 12345678, 0, \"978C...02C4\"", "%CMNG: 567890, 1, \"C485...CF09\"",
	    "%CMNG: 123, 2, \"92E1...8AC8\"", "%CMNG: 654321, 3, \"E0C9...511D\"", "OK" },
	  { MCRED_LINE_INFO, MCRED_LINE_INFO, MCRED_LINE_INFO, MCRED_LINE_INFO, MCRED_LINE_OK },
	  { 0 } },
	{ "list without sha (old firmware), no spaces",
	  "%CMNG: 12345678,0\r\n%CMNG: 4294967292,8\r\nOK\r\n",
	  "AT%CMNG=1",
	  { "%CMNG: 12345678,0", "%CMNG: 4294967292,8", "OK" },
	  { MCRED_LINE_INFO, MCRED_LINE_INFO, MCRED_LINE_OK },
	  { 0 } },
	{ "list of one tag and type",
	  "%CMNG: 12345678,0,\"978C02C4\"\r\nOK\r\n",
	  "AT%CMNG=1,12345678, 0",
	  { "%CMNG: 12345678,0,\"978C02C4\"", "OK" },
	  { MCRED_LINE_INFO, MCRED_LINE_OK },
	  { 0 } },
	{ "read: line break between parameters, LF inside quotes",
	  "%CMNG: 12345678, 0, \"978C...02C4\",\r\n" READ_CONTENT "\r\nOK\r\n",
	  "AT%CMNG=2, 12345678, 0",
	  { "%CMNG: 12345678, 0, \"978C...02C4\"," READ_CONTENT, "OK" },
	  { MCRED_LINE_INFO, MCRED_LINE_OK },
	  { 0 } },
	{ "read: CRLF inside quotes, comma then spaces before the break",
	  "%CMNG: 1,0,\"AB\",  \r\n" READ_CONTENT_CRLF "\r\nOK\r\n",
	  "AT%CMNG=2,1,0",
	  { "%CMNG: 1,0,\"AB\",  " READ_CONTENT_CRLF, "OK" },
	  { MCRED_LINE_INFO, MCRED_LINE_OK },
	  { 0 } },
	{ "read of a missing credential",
	  "+CME ERROR: 513\r\n",
	  "AT%CMNG=2,4567,0",
	  { "+CME ERROR: 513" },
	  { MCRED_LINE_CME_ERROR },
	  { 513 } },
	{ "error forms",
	  "ERROR\r\n+CME ERROR:518\r\n+CME ERROR:   527  \r\n+CMS ERROR: 500\r\n",
	  "AT%CMNG=0,1,0,\"x\"",
	  { "ERROR", "+CME ERROR:518", "+CME ERROR:   527  ", "+CMS ERROR: 500" },
	  { MCRED_LINE_ERROR, MCRED_LINE_CME_ERROR, MCRED_LINE_CME_ERROR, MCRED_LINE_CMS_ERROR },
	  { 0, 518, 527, 500 } },
	{ "URCs before, between and after information lines",
	  "+CEREG: 5,\"1234\",\"0102DA04\",7\r\n%CMNG: 1,0,\"AA\"\r\n%XMODEMSLEEP: 1,0\r\n"
	  "%CMNG: 2,1,\"BB\"\r\n%CESQ: 54,2,18,1\r\nOK\r\n",
	  "AT%CMNG=1",
	  { "+CEREG: 5,\"1234\",\"0102DA04\",7", "%CMNG: 1,0,\"AA\"", "%XMODEMSLEEP: 1,0",
	    "%CMNG: 2,1,\"BB\"", "%CESQ: 54,2,18,1", "OK" },
	  { MCRED_LINE_URC, MCRED_LINE_INFO, MCRED_LINE_URC, MCRED_LINE_INFO, MCRED_LINE_URC,
	    MCRED_LINE_OK },
	  { 0 } },
	{ "echo of a write with LF inside its quotes",
	  "AT%CMNG=0,12,0,\"-----BEGIN\nX\n-----END\"\r\nOK\r\n",
	  "AT%CMNG=0,12,0,\"-----BEGIN\nX\n-----END\"",
	  { "AT%CMNG=0,12,0,\"-----BEGIN\nX\n-----END\"", "OK" },
	  { MCRED_LINE_ECHO, MCRED_LINE_OK },
	  { 0 } },
	{ "echo, then the own result, a foreign URC",
	  "AT+CFUN?\r\r\n+CFUN: 4\r\n+CEREG: 0\r\nOK\r\n",
	  "AT+CFUN?",
	  { "AT+CFUN?", "+CFUN: 4", "+CEREG: 0", "OK" },
	  { MCRED_LINE_ECHO, MCRED_LINE_INFO, MCRED_LINE_URC, MCRED_LINE_OK },
	  { 0 } },
	{ "plain information line, LF only",
	  "\n352656100123456\nOK\n",
	  "AT+CGSN",
	  { "352656100123456", "OK" },
	  { MCRED_LINE_INFO, MCRED_LINE_OK },
	  { 0 } },
	{ "CR only, empty and blank lines skipped",
	  "\r\r352656100123456\r  \r\r\nOK\r",
	  "AT+CGSN",
	  { "352656100123456", "OK" },
	  { MCRED_LINE_INFO, MCRED_LINE_OK },
	  { 0 } },
	{ "Zephyr shell: prompt, echo, answer, next prompt left pending",
	  "uart:~$ at AT+CFUN?\r\n+CFUN: 4\r\nOK\r\nuart:~$ ",
	  "AT+CFUN?",
	  { "uart:~$ at AT+CFUN?", "+CFUN: 4", "OK" },
	  { MCRED_LINE_ECHO, MCRED_LINE_INFO, MCRED_LINE_OK },
	  { 0 } },
	{ "KEYGEN blob wrapped inside its quotes",
	  "%KEYGEN: \"MIIBCjCB\r\nsDBOMQ.0oRDoQEm\"\r\nOK\r\n",
	  "AT%KEYGEN=16842753,2,0",
	  { "%KEYGEN: \"MIIBCjCB\r\nsDBOMQ.0oRDoQEm\"", "OK" },
	  { MCRED_LINE_INFO, MCRED_LINE_OK },
	  { 0 } },
	{ "no command in flight: everything but finals is a URC",
	  "+CEREG: 1\r\n%CMNG: 1,0\r\nhello\r\nOK\r\n",
	  NULL,
	  { "+CEREG: 1", "%CMNG: 1,0", "hello", "OK" },
	  { MCRED_LINE_URC, MCRED_LINE_URC, MCRED_LINE_URC, MCRED_LINE_OK },
	  { 0 } },
};

static void check_case(const struct parser_case *c)
{
	const char *in = c->input;
	size_t len = strlen(in);
	struct collected whole = { 0 }, other = { 0 };
	size_t expected = 0;
	size_t *every = malloc((len ? len : 1) * sizeof(size_t));

	assert_non_null(every);
	feed_pieces(4096, in, len, NULL, 0, &whole);
	while (c->lines[expected])
		expected++;
	if (whole.count != expected)
		fail_msg("%s: %zu lines, expected %zu", c->name, whole.count, expected);
	for (size_t i = 0; i < expected; i++) {
		int code = 0;

		assert_string_equal(whole.lines[i], c->lines[i]);
		assert_int_equal(mcred_line_classify(whole.lines[i], whole.lens[i], c->command,
						     &code),
				 c->kinds[i]);
		assert_int_equal(code, c->codes[i] ? c->codes[i] : -1);
	}
	for (size_t i = 0; i < len; i++)
		every[i] = i + 1; /* one byte at a time */
	feed_pieces(4096, in, len ? len : 0, every, len ? len - 1 : 0, &other);
	assert_same(&whole, &other);
	collected_free(&other);
	for (size_t cut = 0; cut <= len; cut++) {
		feed_pieces(4096, in, len, &cut, 1, &other);
		assert_same(&whole, &other);
		collected_free(&other);
	}
	collected_free(&whole);
	free(every);
}

static void test_response_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_case(&cases[i]);
}

/* Every split into three pieces of the read example gives the same lines. */
static void test_read_example_three_pieces(void **state)
{
	const char *in = cases[3].input;
	size_t len = strlen(in);
	struct collected whole = { 0 }, other = { 0 };

	(void)state;
	feed_pieces(4096, in, len, NULL, 0, &whole);
	for (size_t a = 0; a <= len; a++) {
		for (size_t b = a; b <= len; b++) {
			size_t cuts[2] = { a, b };

			feed_pieces(4096, in, len, cuts, 2, &other);
			assert_same(&whole, &other);
			collected_free(&other);
		}
	}
	collected_free(&whole);
}

static void test_overlong_line_reported_once(void **state)
{
	const char *in = "0123456789ABCDEFGHIJ\"quoted\r\nstill the long line\"\r\nOK\r\nabc\r\n";
	size_t len = strlen(in);
	struct collected whole = { 0 }, other = { 0 };

	(void)state;
	feed_pieces(16, in, len, NULL, 0, &whole);
	assert_int_equal(whole.count, 3);
	assert_string_equal(whole.lines[0], TOO_LONG);
	assert_string_equal(whole.lines[1], "OK");
	assert_string_equal(whole.lines[2], "abc");
	for (size_t cut = 0; cut <= len; cut++) {
		feed_pieces(16, in, len, &cut, 1, &other);
		assert_same(&whole, &other);
		collected_free(&other);
	}
	collected_free(&whole);
}

static void test_line_of_exactly_max_fits(void **state)
{
	struct collected got = { 0 };

	(void)state;
	feed_pieces(8, "12345678\r\n123456789\r\n", 21, NULL, 0, &got);
	assert_int_equal(got.count, 2);
	assert_string_equal(got.lines[0], "12345678");
	assert_string_equal(got.lines[1], TOO_LONG);
	collected_free(&got);
}

static int stop_at_second(void *user, const char *line, size_t len)
{
	int *seen = user;

	(void)line;
	(void)len;
	return ++*seen == 2 ? 42 : 0;
}

static void test_callback_can_stop_feeding(void **state)
{
	struct mcred_line_splitter *s = mcred_line_splitter_new(64);
	int seen = 0;
	const char *in = "a\r\nb\r\nc\r\n";

	(void)state;
	assert_int_equal(mcred_line_splitter_feed(s, (const uint8_t *)in, strlen(in),
						  stop_at_second, &seen),
			 42);
	assert_int_equal(seen, 2);
	mcred_line_splitter_free(s);
}

static void test_reset_forgets_partial_line(void **state)
{
	struct mcred_line_splitter *s = mcred_line_splitter_new(64);
	struct collected got = { 0 };

	(void)state;
	mcred_line_splitter_feed(s, (const uint8_t *)"%CMNG: 1,\"open", 14, collect, &got);
	mcred_line_splitter_reset(s);
	mcred_line_splitter_feed(s, (const uint8_t *)"OK\r\n", 4, collect, &got);
	assert_int_equal(got.count, 1);
	assert_string_equal(got.lines[0], "OK");
	collected_free(&got);
	mcred_line_splitter_free(s);
}

static enum mcred_line_kind kind_of(const char *line, const char *command, int *code)
{
	return mcred_line_classify(line, strlen(line), command, code);
}

static void test_classify_details(void **state)
{
	int code = 0;

	(void)state;
	assert_int_equal(kind_of("+CME ERROR: 518", "AT%CMNG=3,1,0", &code), MCRED_LINE_CME_ERROR);
	assert_int_equal(code, 518);
	assert_int_equal(kind_of("+CME ERROR: 0", "AT%CMNG=3,1,0", &code), MCRED_LINE_CME_ERROR);
	assert_int_equal(code, 0);
	assert_int_equal(kind_of("+CME ERROR: not found", "AT", &code), MCRED_LINE_CME_ERROR);
	assert_int_equal(code, -1);
	assert_int_equal(kind_of("uart:~$ OK", "AT", &code), MCRED_LINE_OK);
	assert_int_equal(kind_of("OKAY", "AT", &code), MCRED_LINE_INFO);
	/* the command's own prefix, whatever the case the command was typed in */
	assert_int_equal(kind_of("%CMNG: 1,0", "at%cmng=1", &code), MCRED_LINE_INFO);
	assert_int_equal(kind_of("%XMODEMUUID: 50503041", "AT%XMODEMUUID", &code), MCRED_LINE_INFO);
	/* a longer name sharing the prefix is someone else's */
	assert_int_equal(kind_of("%CMNGX: 1", "AT%CMNG=1", &code), MCRED_LINE_URC);
	/* commands without a name: every +X:/%X: line is unsolicited */
	assert_int_equal(kind_of("+CEREG: 2", "ATE0", &code), MCRED_LINE_URC);
	assert_int_equal(kind_of("+CEREG: 2", "AT", &code), MCRED_LINE_URC);
	/* echo: case-insensitive, shell form, and not another command */
	assert_int_equal(kind_of("at%cmng=1", "AT%CMNG=1", &code), MCRED_LINE_ECHO);
	assert_int_equal(kind_of("at AT%CMNG=1", "AT%CMNG=1", &code), MCRED_LINE_ECHO);
	assert_int_equal(kind_of("AT+CGMR", "AT+CGSN", &code), MCRED_LINE_INFO);
	/* shell echo of a command with escaped line breaks */
	assert_int_equal(kind_of("at AT%CMNG=0,1,0,\"a\\nb\"", "AT%CMNG=0,1,0,\"a\nb\"", &code),
			 MCRED_LINE_ECHO);
	assert_int_equal(kind_of("mfw_nrf9160_1.3.5", "AT+CGMR", &code), MCRED_LINE_INFO);
	assert_int_equal(kind_of("+CMS ERROR:304", NULL, &code), MCRED_LINE_CMS_ERROR);
	assert_int_equal(code, 304);
}

static enum mcred_line_kind kind_plain(const char *line, const char *command)
{
	return mcred_line_classify(line, strlen(line), command, NULL);
}

/* Boot banners (README.md "Real devices", several SDK versions) and console noise are no answer. */
static void test_banner_and_noise(void **state)
{
	(void)state;
	assert_int_equal(kind_plain("*** Booting nRF Connect SDK v2.6.0 ***", "AT+CGSN"),
			 MCRED_LINE_BANNER);
	assert_int_equal(kind_plain("*** Booting Zephyr OS build v3.5.99-ncs1 ***", NULL),
			 MCRED_LINE_BANNER);
	assert_int_equal(kind_plain("The AT host sample started", "AT+CGMR"), MCRED_LINE_BANNER);
	assert_int_equal(kind_plain("Ready", "AT+CGMM"), MCRED_LINE_BANNER);
	assert_int_equal(kind_plain("uart:~$ Ready", "AT+CGMM"), MCRED_LINE_BANNER);
	assert_int_equal(kind_plain("*** Using Zephyr OS v3.6.99 ***", "AT+CGSN"),
			 MCRED_LINE_NOISE);
	assert_int_equal(kind_plain("[00:00:00.254,882] <inf> at_host: ready", "AT+CGSN"),
			 MCRED_LINE_NOISE);
	assert_int_equal(kind_plain("<err> lte_lc: failed", "AT+CGSN"), MCRED_LINE_NOISE);
	/* lookalikes stay what they are */
	assert_int_equal(kind_plain("Ready2", "AT+CGMM"), MCRED_LINE_INFO);
	assert_int_equal(kind_plain("[12] <inf>", "AT+CGMM"), MCRED_LINE_INFO);
	assert_int_equal(kind_plain("nRF9160-SICA", "AT+CGMM"), MCRED_LINE_INFO);
}

static void test_command_echo_shapes(void **state)
{
	(void)state;
	assert_true(mcred_line_is_command_echo("AT%CMNG=0,1,2,\"x\"", 17));
	assert_true(mcred_line_is_command_echo("\xff"
					       "AT%CMNG=0,1",
					       12));
	assert_true(mcred_line_is_command_echo("at AT+CFUN=4", 12));
	assert_true(mcred_line_is_command_echo("AT", 2));
	assert_false(mcred_line_is_command_echo("ATTEMPT", 7));
	assert_false(mcred_line_is_command_echo("%CMNG: 1,0", 10));
	assert_false(mcred_line_is_command_echo("MIIBATXX", 8));
}

static int strict(const char *line, const char *command)
{
	return mcred_line_is_strict_answer(line, strlen(line), command);
}

static void test_strict_answer_shapes(void **state)
{
	static const char sha[] =
		"978C02C4E7A5B3D10E2F4A6B8C0D1E2F3A4B5C6D7E8F90A1B2C3D4E5F6A7B8C9";

	(void)state;
	char line[256];
	snprintf(line, sizeof(line), "%%CMNG: 12, 0, \"%s\"", sha);
	assert_true(strict(line, "AT%CMNG=1,12"));
	assert_true(strict("%CMNG: 12,0", "AT%CMNG=1"));
	assert_false(strict("%CMNG: 12,0,\"0123\"", "AT%CMNG=1")); /* not a digest */
	assert_false(strict("MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA", "AT%CMNG=1"));
	snprintf(line, sizeof(line), "%%CMNG: 12, 0, \"%s\",\"-----BEGIN\nx\"", sha);
	assert_true(strict(line, "AT%CMNG=2,12,0"));
	assert_false(strict("%CMNG: 12, 0, \"ab\" x", "AT%CMNG=2,12,0"));
	assert_true(strict("+CFUN: 4", "AT+CFUN?"));
	assert_false(strict("+CFUN: 4x", "AT+CFUN?"));
	assert_true(strict("+CMEE: 1", "AT+CMEE?"));
	assert_true(strict("%KEYGEN: \"abc_-.def\"", "AT%KEYGEN=11,2,0"));
	assert_false(strict("%KEYGEN: \"a+b\"", "AT%KEYGEN=11,2,0"));
	assert_true(strict("352656100123456", "AT+CGSN"));
	assert_true(strict("+CGSN: \"352656100123456\"", "AT+CGSN"));
	assert_false(strict("0123456789ABCDEF", "AT+CGSN"));
	assert_true(strict("nRF9160-SICA", "AT+CGMM"));
	assert_true(strict("mfw_nrf9160_1.3.5", "AT+CGMR"));
	assert_false(strict("MIIBIjANBgkq", "AT+CGMR"));
	assert_true(strict("%XMODEMUUID: 50503041-3633-43b0-80c3-011a3496dac0", "AT%XMODEMUUID"));
	assert_false(strict("anything", "AT%CMNG=0,1,0,\"x\""));
	assert_false(strict("anything", "AT+CFUN=4"));
	assert_true(strict("+CGDCONT: 0,\"IP\"", "AT+CGDCONT?"));
	assert_false(strict("+CEREG: 1", "AT+CGDCONT?"));
	assert_true(mcred_line_is_strict_urc("+CEREG: 5,\"1234\",\"0102DA04\",7", 29));
	assert_true(mcred_line_is_strict_urc("%XMODEMSLEEP: 1,0", 17));
	assert_false(mcred_line_is_strict_urc("+x: 1", 5));
	assert_false(mcred_line_is_strict_urc("+CEREG: a/b=", 12));
}

/* A line that had begun when a command went out is marked while it is delivered. */
struct stale_seen {
	struct mcred_line_splitter *s;
	int lines;
	int stale;
};

static int note_stale(void *user, const char *line, size_t len)
{
	struct stale_seen *seen = user;

	(void)line;
	(void)len;
	seen->lines++;
	seen->stale += mcred_line_splitter_stale(seen->s);
	return 0;
}

static void test_stale_partial_line(void **state)
{
	struct mcred_line_splitter *s = mcred_line_splitter_new(256);
	struct stale_seen seen = { s, 0, 0 };

	(void)state;
	mcred_line_splitter_feed(s, (const uint8_t *)"XMODEMSL", 8, note_stale, &seen);
	assert_int_equal(mcred_line_splitter_mark_stale(s, 0), 1);
	mcred_line_splitter_feed(s, (const uint8_t *)"EEP: 1,0\r\nOK\r\n", 14, note_stale, &seen);
	assert_int_equal(seen.lines, 2);
	assert_int_equal(seen.stale, 1); /* the first only; the next line is a new one */
	/* blanks alone: nothing to mark */
	mcred_line_splitter_feed(s, (const uint8_t *)"  ", 2, note_stale, &seen);
	assert_int_equal(mcred_line_splitter_mark_stale(s, 0), 0);
	/* a URC tail is stale in shell mode too; the start of a prompt is not */
	mcred_line_splitter_feed(s, (const uint8_t *)"XMODEMSL", 8, note_stale, &seen);
	assert_int_equal(mcred_line_splitter_mark_stale(s, 1), 1);
	mcred_line_splitter_reset(s);
	mcred_line_splitter_feed(s, (const uint8_t *)"mosh:~", 6, note_stale, &seen);
	assert_int_equal(mcred_line_splitter_mark_stale(s, 1), 0);
	seen.lines = seen.stale = 0;
	/* the rest of the prompt, the echo's end, the answer: none of it stale */
	mcred_line_splitter_feed(s, (const uint8_t *)"$ OK\r\n", 7, note_stale, &seen);
	assert_int_equal(seen.lines, 1);
	assert_int_equal(seen.stale, 0);
	mcred_line_splitter_free(s);
}

/* Raw lengths seen while each line is delivered. */
struct raw_seen {
	struct mcred_line_splitter *s;
	size_t raw[MAX_LINES];
	size_t count;
};

static int record_raw(void *user, const char *line, size_t len)
{
	struct raw_seen *r = user;

	(void)line;
	(void)len;
	assert_true(r->count < MAX_LINES);
	r->raw[r->count++] = mcred_line_splitter_raw_length(r->s);
	return 0;
}

/*
 * What a line took on the wire: a %CMNG read in the reference page's layout
 * (a line break after "<sha>",, LFs inside the content), colours and all.
 */
static void test_raw_length_of_lines(void **state)
{
	static const char head[] = "%CMNG: 12345678, 0, \"978C\",\r\n\"-----BEGIN\nMIIB\n\"";
	static const char in[] = "%CMNG: 12345678, 0, \"978C\",\r\n\"-----BEGIN\nMIIB\n\"\r\n"
				 "\x1b[1mOK\x1b[m\r\n\r\nab";

	(void)state;
	for (size_t cut = 0; cut <= sizeof(in) - 1; cut++) {
		struct raw_seen r = { .s = mcred_line_splitter_new(1024) };

		mcred_line_splitter_feed(r.s, (const uint8_t *)in, cut, record_raw, &r);
		mcred_line_splitter_feed(r.s, (const uint8_t *)in + cut, sizeof(in) - 1 - cut,
					 record_raw, &r);
		assert_int_equal(r.count, 2);
		assert_int_equal(r.raw[0], sizeof(head) - 1);
		assert_int_equal(r.raw[1], 2 + 4 + 3); /* OK and its escape sequences */
		/* the line begun: its two bytes, not the empty line before it */
		assert_int_equal(mcred_line_splitter_raw_length(r.s), 2);
		mcred_line_splitter_reset(r.s);
		assert_int_equal(mcred_line_splitter_raw_length(r.s), 0);
		mcred_line_splitter_free(r.s);
	}
}

/*
 * A URC and a log line between the line "%CMNG: <tag>,<type>,"<sha>"," and
 * the content that continues it: lines of their own, out of the answer line
 * and out of its count of bytes (the AT host's buffer never held them).
 */
static void test_own_lines_inside_a_continued_line(void **state)
{
	static const char head[] = "%CMNG: 12,0,\"978C\",\r\n\"ab\ncd\"";
	static const char in[] = "%CMNG: 12,0,\"978C\",\r\n+CSCON: 1\r\n"
				 "[00:00:05.319,917] \x1b[0m<inf> app: hi\x1b[0m\r\n"
				 "\"ab\ncd\"\r\nOK\r\n";

	(void)state;
	for (size_t cut = 0; cut <= sizeof(in) - 1; cut++) {
		struct raw_seen r = { .s = mcred_line_splitter_new(1024) };
		struct collected c = { .count = 0 };

		/* the lines, then their raw lengths */
		feed_pieces(1024, in, sizeof(in) - 1, &cut, 1, &c);
		assert_int_equal(c.count, 4);
		assert_string_equal(c.lines[0], "+CSCON: 1");
		assert_string_equal(c.lines[1], "[00:00:05.319,917] <inf> app: hi");
		assert_string_equal(c.lines[2], "%CMNG: 12,0,\"978C\",\"ab\ncd\"");
		assert_string_equal(c.lines[3], "OK");
		collected_free(&c);
		mcred_line_splitter_feed(r.s, (const uint8_t *)in, cut, record_raw, &r);
		mcred_line_splitter_feed(r.s, (const uint8_t *)in + cut, sizeof(in) - 1 - cut,
					 record_raw, &r);
		assert_int_equal(r.count, 4);
		assert_int_equal(r.raw[2], sizeof(head) - 1);
		mcred_line_splitter_free(r.s);
	}
}

/*
 * What modem_shell prints on its own (sdk-nrf samples/cellular/modem_shell,
 * link.c, link_shell_print.c, link_shell_pdn.c) is no answer to any command;
 * its failure to reach the modem is at_shell's.
 */
static void test_modem_shell_lines(void **state)
{
	static const char *const events[] = {
		"Modem domain event: No IMEI",
		"Network registration status: searching",
		"LTE cell changed: ID: 17031947, Tracking area: 33902",
		"Currently active system mode: LTE-M",
		"PDN event: PDP context 0 activated",
		"RRC mode: Connected",
		"Modem sleep enter: Time: 30.00 seconds, Type: PSM",
		"mosh:~$ Network registration status: Connected - home network",
	};
	static const char fail[] = "Failed to send AT command, err -8";
	int code;

	(void)state;
	for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++) {
		const char *cmd[] = { "AT%CMNG=1", "AT+CGMR", NULL };

		for (size_t k = 0; k < 3; k++) {
			size_t len = strlen(events[i]);
			const char *line = mcred_line_strip_prompt(events[i], &len);

			assert_int_equal(mcred_line_classify(line, len, cmd[k], &code),
					 MCRED_LINE_NOISE);
		}
		assert_true(mcred_line_is_async(events[i], strlen(events[i])));
	}
	assert_int_equal(mcred_line_classify(fail, strlen(fail), "AT+CGMR", &code),
			 MCRED_LINE_SHELL_FAILED);
	assert_int_equal(code, 8);
	assert_true(mcred_line_is_async("+CEREG: 1,\"76C1\",\"0102DA04\",7", 29));
	assert_true(mcred_line_is_async("[00:00:05.123,456] <inf> app: hello", 35));
	assert_true(mcred_line_is_async("AT event handler:", 17));
	/* Zephyr's minimal log format, as nRF Cloud samples print it */
	assert_int_equal(mcred_line_classify("I: Connected to LTE network", 27, "AT+CGMR", &code),
			 MCRED_LINE_NOISE);
	assert_int_equal(mcred_line_classify("W: x", 4, "AT+CGMR", &code), MCRED_LINE_NOISE);
	assert_int_equal(mcred_line_classify("A: x", 4, "AT+CGMR", &code), MCRED_LINE_INFO);
	assert_int_equal(mcred_line_classify("I:x", 3, "AT+CGMR", &code), MCRED_LINE_INFO);
	assert_false(mcred_line_is_async("351358811234567", 15));
	assert_false(mcred_line_is_async("OK", 2));
	assert_false(mcred_line_is_async("at 'AT+CGMR'", 12));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_response_table),
		cmocka_unit_test(test_read_example_three_pieces),
		cmocka_unit_test(test_overlong_line_reported_once),
		cmocka_unit_test(test_line_of_exactly_max_fits),
		cmocka_unit_test(test_callback_can_stop_feeding),
		cmocka_unit_test(test_reset_forgets_partial_line),
		cmocka_unit_test(test_classify_details),
		cmocka_unit_test(test_banner_and_noise),
		cmocka_unit_test(test_command_echo_shapes),
		cmocka_unit_test(test_strict_answer_shapes),
		cmocka_unit_test(test_stale_partial_line),
		cmocka_unit_test(test_raw_length_of_lines),
		cmocka_unit_test(test_own_lines_inside_a_continued_line),
		cmocka_unit_test(test_modem_shell_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
