/*
 * Zephyr shell mode and the device's answer buffers: what the library types
 * into the shell, what it refuses to type, what it makes of the shell's echo,
 * prompts, colours and failures, the digests of what the modem then stores,
 * the --shell auto probe, and answers cut by the AT host's buffer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "modemcred.h"
#include "cmdline.h"
#include "at.h"
#include "at_parser.h"
#include "at_shell.h"
#include "support/structs.h"

#define CAP 32768
#define COLOURED_PROMPT "\x1b[1;32muart:~$ \x1b[m"
#define SHA64 "0F776CF1B4EB4008FA39017B91C18078D4AAB95A9C2473C61EEF178092EB8244"

/* A device that answers each command (a write ending in LF or CR) with the next reply. */
struct script {
	const char *replies[8];
	int next;
	size_t chunk; /* bytes per read, 0: all there is */
	char rx[CAP];
	size_t rx_len, rx_pos;
	char written[CAP];
	size_t written_len;
	char urcs[8][64];
	int urc_count;
};

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int script_read(void *user, uint8_t *buf, size_t len, unsigned timeout_ms)
{
	struct script *s = user;
	size_t n = s->rx_len - s->rx_pos;

	if (n == 0) {
		sleep_ms(timeout_ms); /* nothing comes: the wait really passes */
		return 0;
	}
	if (s->chunk && n > s->chunk)
		n = s->chunk;
	if (n > len)
		n = len;
	memcpy(buf, s->rx + s->rx_pos, n);
	s->rx_pos += n;
	return (int)n;
}

static int script_write(void *user, const uint8_t *buf, size_t len, unsigned timeout_ms)
{
	struct script *s = user;

	(void)timeout_ms;
	assert_true(s->written_len + len <= CAP);
	memcpy(s->written + s->written_len, buf, len);
	s->written_len += len;
	if ((buf[len - 1] == '\n' || buf[len - 1] == '\r') && s->replies[s->next]) {
		const char *r = s->replies[s->next++];

		assert_true(s->rx_len + strlen(r) <= CAP);
		memcpy(s->rx + s->rx_len, r, strlen(r));
		s->rx_len += strlen(r);
	}
	return (int)len;
}

static void on_urc(const char *line, void *user)
{
	struct script *s = user;

	if (s->urc_count < 8)
		snprintf(s->urcs[s->urc_count++], sizeof(s->urcs[0]), "%s", line);
}

static struct script *new_script(void)
{
	struct script *s = calloc(1, sizeof(*s));

	assert_non_null(s);
	return s;
}

static enum mcred_err open_script(struct script *s, struct mcred_options *o, mcred_modem **m,
				  struct mcred_error *err)
{
	struct mcred_transport t = transport_of(script_read, script_write, NULL, s);

	o->urc_cb = on_urc;
	o->urc_user = s;
	return mcred_modem_open_transport(m, &t, o, err);
}

static mcred_modem *open_shell(struct script *s, int shell)
{
	struct mcred_options o;
	struct mcred_error err;
	mcred_modem *m = NULL;

	mcred_options_init(&o);
	o.shell = shell;
	assert_int_equal(open_script(s, &o, &m, &err), MCRED_OK);
	return m;
}

static enum mcred_err exec(mcred_modem *m, const char *cmd, struct mcred_reply *r)
{
	return mcred_at_exec(m, cmd, strlen(cmd), NULL, 0, r);
}

static void assert_message_has(const mcred_modem *m, const char *word)
{
	const char *message = mcred_modem_error(m)->message;

	if (!strstr(message, word))
		fail_msg("message \"%s\" lacks \"%s\"", message, word);
}

/* cmd fails with code, and the handle's message names each of the words (NULL-ended). */
static void assert_fails(mcred_modem *m, const char *cmd, enum mcred_err code, ...)
{
	struct mcred_reply r;
	const char *word;
	va_list ap;

	assert_int_equal(exec(m, cmd, &r), code);
	mcred_reply_free(&r);
	va_start(ap, code);
	while ((word = va_arg(ap, const char *)) != NULL)
		assert_message_has(m, word);
	va_end(ap);
}

/* What Zephyr echoes for a typed line: a "\n" each time the cursor reaches
 * column 80 (the 8-column prompt counted), then the Enter. */
static char *zephyr_echo(const char *typed, size_t keep)
{
	char *out = malloc(2 * keep + 8);
	size_t n = 0, column = 8;

	assert_non_null(out);
	for (size_t i = 0; i < keep; i++) {
		out[n++] = typed[i];
		if (++column % 80 == 0)
			out[n++] = '\n';
	}
	memcpy(out + n, "\r\n", 3);
	return out;
}

static char *concat(const char *a, const char *b)
{
	char *out = malloc(strlen(a) + strlen(b) + 1);

	assert_non_null(out);
	strcpy(out, a);
	strcat(out, b);
	return out;
}

/* ---- typing a command ---------------------------------------------------- */

static void test_wire_form(void **state)
{
	static const char cmd[] = "AT%CMNG=0,5,0,\"a\\b\r\nc\nd\"";
	static const char typed[] = "at 'AT%CMNG=0,5,0,\"a\\x5cb\\nc\\nd\"'";
	struct script *s = new_script();
	mcred_modem *m;
	struct mcred_reply r;

	(void)state;
	s->replies[0] = "at 'AT%CMNG=0,5,0,\"a\\x5cb\\nc\\nd\"'\r\nOK\r\n\r\n" COLOURED_PROMPT;
	m = open_shell(s, MCRED_SHELL_ON);
	assert_int_equal(mcred_shell_line_length(cmd, strlen(cmd)), strlen(typed));
	assert_int_equal(exec(m, cmd, &r), MCRED_OK);
	assert_int_equal(r.lines.count, 0);
	/* Ctrl-U first: a half line in the shell's buffer is gone */
	assert_int_equal(s->written_len, 1 + strlen(typed) + 2);
	assert_memory_equal(s->written, "\x15", 1);
	assert_memory_equal(s->written + 1, typed, strlen(typed));
	assert_memory_equal(s->written + 1 + strlen(typed), "\r\n", 2);
	mcred_reply_free(&r);
	mcred_modem_free(m);
	free(s);
}

static void test_single_quote_refused_nothing_sent(void **state)
{
	struct script *s = new_script();
	mcred_modem *m = open_shell(s, MCRED_SHELL_ON);
	struct mcred_keygen_request req = keygen_req(11, MCRED_KEYGEN_CSR, "CN=o'brien", NULL);
	struct mcred_reply r;
	char *blob = NULL;

	(void)state;
	assert_int_equal(exec(m, "AT%CMNG=0,5,4,\"it's\"", &r), MCRED_ERR_INVALID_ARG);
	assert_message_has(m, "single quote");
	mcred_reply_free(&r);
	assert_int_equal(mcred_cmng_write(m, 5, 4, "it's\n", 5, NULL, 0), MCRED_ERR_INVALID_ARG);
	assert_message_has(m, "line 1, column 3");
	/* a TAB, typed into the shell, asks for completion and never arrives */
	assert_int_equal(mcred_cmng_write(m, 5, 0, "subject=a\tb\n", 12, NULL, 0),
			 MCRED_ERR_INVALID_ARG);
	assert_message_has(m, "TAB");
	assert_int_equal(exec(m, "AT+CGMI\t", &r), MCRED_ERR_INVALID_ARG);
	mcred_reply_free(&r);
	assert_int_equal(mcred_keygen_run(m, &req, &blob), MCRED_ERR_INVALID_ARG);
	assert_message_has(m, "the attributes");
	/* at_shell unescapes \n in AT%CMNG=0 only: in attributes it is two characters */
	req.attributes = "CN=a\\nb";
	assert_int_equal(mcred_keygen_check_modem(m, &req), MCRED_OK);
	assert_null(blob);
	/* a password: refused without a word about its characters */
	assert_int_equal(mcred_cmng_write(m, 5, 2, "k\n", 2, "pass'word", 0),
			 MCRED_ERR_INVALID_ARG);
	assert_message_has(m, "password");
	assert_null(strstr(mcred_modem_error(m)->message, "quote ("));
	assert_null(strstr(mcred_modem_error(m)->message, "column"));
	assert_int_equal(s->written_len, 0); /* not even AT+CMEE */
	mcred_modem_free(m);
	free(s);
}

static void test_line_breaks_need_unescape_lf(void **state)
{
	struct script *s = new_script();
	struct mcred_options o;
	struct mcred_error err;
	mcred_modem *m = NULL;
	struct mcred_reply r;

	(void)state;
	mcred_options_init(&o);
	o.shell = MCRED_SHELL_ON;
	o.shell_no_unescape_lf = 1;
	assert_int_equal(open_script(s, &o, &m, &err), MCRED_OK);
	assert_int_equal(mcred_cmng_write(m, 5, 0, "a\nb\n", 4, NULL, 0), MCRED_ERR_INVALID_ARG);
	assert_message_has(m, "CONFIG_AT_SHELL_UNESCAPE_LF");
	/* a one-line credential still goes */
	s->replies[0] = "+CMEE: 0\r\nOK\r\n";
	/* a line break in any command but AT%CMNG=0 is never unescaped */
	assert_int_equal(exec(m, "AT%KEYGEN=1,2,0,\"a\nb\"", &r), MCRED_ERR_INVALID_ARG);
	mcred_reply_free(&r);
	assert_int_equal(s->written_len, 0);
	mcred_modem_free(m);
	free(s);
}

static void test_literal_backslash_n_refused(void **state)
{
	struct mcred_options o;
	struct mcred_error err;
	char sha[65];

	(void)state;
	mcred_options_init(&o);
	o.shell = MCRED_SHELL_ON;
	/* the device would turn these two characters into a line break */
	assert_int_equal(mcred_cmng_write_digest(4, "id\\nx", 5, &o, sha, &err),
			 MCRED_ERR_INVALID_ARG);
	assert_non_null(strstr(err.message, "\\n"));
	/* without unescaping they are two characters like any other */
	o.shell_no_unescape_lf = 1;
	assert_int_equal(mcred_cmng_write_digest(4, "id\\nx", 5, &o, sha, &err), MCRED_OK);
}

/* ---- what the modem stores ----------------------------------------------------- */

static void test_digest_over_crlf_form(void **state)
{
	struct mcred_options o;
	struct mcred_error err;
	char sha[65], want[65];

	(void)state;
	mcred_options_init(&o);
	o.shell = MCRED_SHELL_ON;
	assert_int_equal(mcred_cmng_read_digest("a\r\nb\r\n", 6, want), MCRED_OK);
	assert_int_equal(mcred_cmng_write_digest(0, "a\nb\n", 4, &o, sha, &err), MCRED_OK);
	assert_string_equal(sha, want);
	/* CRLF kept or turned into LF: both reach the modem as CR LF */
	o.keep_line_endings = 1;
	assert_int_equal(mcred_cmng_write_digest(0, "a\r\nb\r\n", 6, &o, sha, &err), MCRED_OK);
	assert_string_equal(sha, want);
	/* raw mode and an undecided --shell auto: the bytes as sent */
	o.shell = MCRED_SHELL_AUTO;
	o.keep_line_endings = 0;
	assert_int_equal(mcred_cmng_read_digest("a\nb\n", 4, want), MCRED_OK);
	assert_int_equal(mcred_cmng_write_digest(0, "a\nb\n", 4, &o, sha, &err), MCRED_OK);
	assert_string_equal(sha, want);
}

static void test_write_verify_expects_crlf(void **state)
{
	struct script *s = new_script();
	mcred_modem *m;
	char want[65], list[160];

	(void)state;
	assert_int_equal(mcred_cmng_read_digest("a\r\nb\r\n", 6, want), MCRED_OK);
	snprintf(list, sizeof(list),
		 "at 'AT%%CMNG=1,5,0'\r\n%%CMNG: 5,0,\"%s\"\r\nOK\r\n\r\n" COLOURED_PROMPT, want);
	/* the write, then the list that verifies it (no CMEE: nothing failed) */
	s->replies[0] = "at 'AT%CMNG=0,5,0,\"a\\nb\\n\"'\r\nOK\r\n\r\n" COLOURED_PROMPT;
	s->replies[1] = list;
	m = open_shell(s, MCRED_SHELL_ON);
	assert_int_equal(mcred_cmng_write(m, 5, 0, "a\nb\n", 4, NULL, MCRED_WRITE_VERIFY),
			 MCRED_OK);
	assert_non_null(strstr(s->written, "at 'AT%CMNG=0,5,0,\"a\\nb\\n\"'\r\n"));
	mcred_modem_free(m);
	free(s);
}

/* ---- what the shell prints -------------------------------------------------- */

static void run_echo_case(const char *cmd, size_t chunk)
{
	struct script *s = new_script();
	mcred_modem *m = open_shell(s, MCRED_SHELL_ON);
	size_t typed_len = mcred_shell_line_length(cmd, strlen(cmd));
	char *typed = malloc(typed_len + 1);
	char *echo, *reply;
	struct mcred_reply r;

	assert_non_null(typed);
	mcred_shell_encode(cmd, strlen(cmd), typed);
	typed[typed_len] = '\0';
	echo = zephyr_echo(typed, typed_len);
	/* a write answers OK alone; a list its line: either way no echo in it */
	if (strncmp(cmd, "AT%CMNG=0", 9) == 0)
		reply = concat(echo, "OK\r\n\r\n" COLOURED_PROMPT);
	else
		reply = concat(echo, "%CMNG: 5,0,\"" SHA64 "\"\r\nOK\r\n\r\n" COLOURED_PROMPT);
	s->replies[0] = reply;
	s->chunk = chunk;
	assert_int_equal(exec(m, cmd, &r), MCRED_OK);
	if (strncmp(cmd, "AT%CMNG=0", 9) == 0) {
		assert_int_equal(r.lines.count, 0);
	} else {
		assert_int_equal(r.lines.count, 1);
		assert_string_equal(r.lines.lines[0], "%CMNG: 5,0,\"" SHA64 "\"");
	}
	mcred_reply_free(&r);
	mcred_modem_free(m);
	free(reply);
	free(echo);
	free(typed);
	free(s);
}

static void test_echo_broken_at_terminal_width(void **state)
{
	char cmd[600];

	(void)state;
	/* short, no break; a long one broken inside and outside the quotes */
	run_echo_case("AT%CMNG=1,5,0", 0);
	run_echo_case("AT%CMNG=1,5", 1);
	snprintf(cmd, sizeof(cmd), "AT%%CMNG=0,5,2,\"%0300d\n%0100d\",\"%030d\"", 7, 8, 9);
	run_echo_case(cmd, 0);
	run_echo_case(cmd, 1);
	run_echo_case("AT%CMNG=1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,"
		      "24,25,26,27,28,29,30",
		      0);
	run_echo_case("AT%CMNG=1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,"
		      "24,25,26,27,28,29,30",
		      1);
}

static void test_cut_line_is_reported_not_waited_for(void **state)
{
	static const char cmd[] = "AT%CMNG=0,5,4,\"0123456789012345678901234567890123456789"
				  "0123456789012345678901234567890123456789\"";
	struct script *s = new_script();
	mcred_modem *m = open_shell(s, MCRED_SHELL_ON);
	char typed[256];
	char *echo, *reply;

	(void)state;
	mcred_shell_encode(cmd, strlen(cmd), typed);
	/* a 100-byte line buffer kept 99 characters: the closing quotes are gone */
	echo = zephyr_echo(typed, 99);
	reply = concat(echo, "not terminated: '\r\n" COLOURED_PROMPT);
	s->replies[0] = reply;
	s->chunk = 3;
	assert_fails(m, cmd, MCRED_ERR_MODEM, "CONFIG_SHELL_CMD_BUFF_SIZE", NULL);
	mcred_modem_free(m);
	free(reply);
	free(echo);
	free(s);
}

static void test_at_shell_failures(void **state)
{
	struct script *s = new_script();
	mcred_modem *m = open_shell(s, MCRED_SHELL_ON);

	(void)state;
	s->replies[0] =
		"at 'AT%CMNG=1'\r\nSending AT command failed with error code -7\r\n" COLOURED_PROMPT;
	s->replies[1] =
		"at 'AT+CFUN?'\r\nSending AT command failed with error code -108\r\n" COLOURED_PROMPT;
	assert_fails(m, "AT%CMNG=1", MCRED_ERR_TOO_LARGE, "CONFIG_AT_SHELL_CMD_RESPONSE_MAX_LEN",
		     "compare", NULL);
	assert_fails(m, "AT+CFUN?", MCRED_ERR_MODEM, "error -108", "ESHUTDOWN", NULL);
	mcred_modem_free(m);
	free(s);
}

static void test_other_prompts_plain_and_coloured(void **state)
{
	struct script *s = new_script();
	mcred_modem *m = open_shell(s, MCRED_SHELL_ON);
	struct mcred_reply r;

	(void)state;
	s->replies[0] = "mosh:~$ at 'AT+CGMM'\r\nnRF9160-SICA\r\nOK\r\n\r\nmosh:~$ ";
	s->replies[1] = "at 'AT+CGMR'\r\n\x1b[1;32mmfw_nrf9160_1.3.5\x1b[m\r\nOK\r\n\r\n"
			"\x1b[1;32mmy-dev.1:~$ \x1b[m";
	s->chunk = 1;
	assert_int_equal(exec(m, "AT+CGMM", &r), MCRED_OK);
	assert_int_equal(r.lines.count, 1);
	assert_string_equal(r.lines.lines[0], "nRF9160-SICA");
	mcred_reply_free(&r);
	assert_int_equal(exec(m, "AT+CGMR", &r), MCRED_OK);
	assert_int_equal(r.lines.count, 1);
	assert_string_equal(r.lines.lines[0], "mfw_nrf9160_1.3.5");
	mcred_reply_free(&r);
	mcred_modem_free(m);
	free(s);
}

struct collected {
	char lines[8][128];
	int n;
};

static int collect(void *user, const char *line, size_t len)
{
	struct collected *c = user;

	if (line && c->n < 8)
		snprintf(c->lines[c->n++], sizeof(c->lines[0]), "%.*s", (int)len, line);
	return 0;
}

static void test_ansi_sequences_dropped_at_any_split(void **state)
{
	static const char in[] = "\x1b[1;32muart:~$ \x1b[m\x1b[8D\x1b[J+CFUN: 4\r\n\x1b"
				 "7OK\r\n";

	(void)state;
	for (size_t cut = 0; cut <= sizeof(in) - 1; cut++) {
		struct mcred_line_splitter *sp = mcred_line_splitter_new(256);
		struct collected c = { .n = 0 };
		size_t len;
		const char *l;

		mcred_line_splitter_feed(sp, (const uint8_t *)in, cut, collect, &c);
		mcred_line_splitter_feed(sp, (const uint8_t *)in + cut, sizeof(in) - 1 - cut,
					 collect, &c);
		assert_int_equal(c.n, 2);
		len = strlen(c.lines[0]);
		l = mcred_line_strip_prompt(c.lines[0], &len);
		assert_int_equal(len, 8);
		assert_memory_equal(l, "+CFUN: 4", 8);
		assert_string_equal(c.lines[1], "OK");
		mcred_line_splitter_free(sp);
	}
}

static void test_shell_lines_classified(void **state)
{
	int code;
	static const char failed[] = "Sending AT command failed with error code -7";

	(void)state;
	assert_int_equal(mcred_line_classify(failed, strlen(failed), "AT%CMNG=1", &code),
			 MCRED_LINE_SHELL_FAILED);
	assert_int_equal(code, 7);
	assert_int_equal(mcred_line_classify("at: command not found", 21, "AT", &code),
			 MCRED_LINE_SHELL_UNKNOWN);
	assert_int_equal(mcred_line_classify("not terminated: '", 17, "AT", &code),
			 MCRED_LINE_SHELL_CUT);
	/* modem_shell's print buffer outgrown: the cut answer that follows has no result */
	assert_int_equal(mcred_line_classify("Cutting too long string while printing...", 41,
					     "AT%CMNG=1", &code),
			 MCRED_LINE_SHELL_PRINT_CUT);
	/* the `at` command's usage (at_shell) or help (modem_shell): its argument was lost */
	assert_int_equal(mcred_line_classify("Usage: at <subcommand>", 22, "AT+CFUN?", &code),
			 MCRED_LINE_SHELL_USAGE);
	assert_int_equal(mcred_line_classify("at - Execute an AT command. Any subcommand not "
					     "listed below is interpreted as",
					     77, "AT+CFUN?", &code),
			 MCRED_LINE_SHELL_USAGE);
	/* modem_shell's timestamps (`print timestamps enable`) are no part of a line */
	assert_int_equal(mcred_line_classify("[2025-02-12 14:49:28.123] OK", 28, "AT+CFUN=4",
					     &code),
			 MCRED_LINE_OK);
	assert_int_equal(mcred_line_classify("[2025-02-12 14:49:28.123] RRC mode: Idle", 40,
					     "AT+CGSN", &code),
			 MCRED_LINE_NOISE);
	/* modem_shell's modem information after registering is no answer line */
	assert_int_equal(mcred_line_classify("Battery voltage:       4520 mV", 30, "AT+CGSN",
					     &code),
			 MCRED_LINE_NOISE);
	assert_int_equal(mcred_line_classify("  PDP context active: yes", 25, "AT%CMNG=1", &code),
			 MCRED_LINE_NOISE);
	/* at_shell's and modem_shell's URC headers are no answer lines */
	assert_int_equal(mcred_line_classify("AT event handler:", 17, "AT%CMNG=1", &code),
			 MCRED_LINE_URC);
	assert_int_equal(mcred_line_classify("AT event handler: +CSCON: 1", 27, "AT%CMNG=1", &code),
			 MCRED_LINE_URC);
	/* a prompt alone is nothing; a word with a blank before ":~$" is no prompt */
	{
		size_t len = 7;

		mcred_line_strip_prompt("mosh:~$", &len);
		assert_int_equal(len, 0);
		len = 11;
		mcred_line_strip_prompt("a b:~$ text", &len);
		assert_int_equal(len, 11);
	}
}

/* ---- what else a shell prints: stale prompts, events, log lines ---------------- */

#define MOSH_PROMPT_VT "\x1b[1;32mmosh:~$ \x1b[m"
#define LIST_LINE_5 "%CMNG: 5,0,\"" SHA64 "\""
#define LIST_LINE_6 "%CMNG: 6,0,\"" SHA64 "\""

/* A handle opened on a port where stale bytes waited, thrown away as at a real open. */
static mcred_modem *open_after_stale(struct script *s, const char *stale)
{
	mcred_modem *m;

	memcpy(s->rx, stale, strlen(stale));
	s->rx_len = strlen(stale);
	m = open_shell(s, MCRED_SHELL_ON);
	mcred_at_discard_stale_input(m);
	assert_int_equal(s->rx_pos, s->rx_len);
	return m;
}

/* cmd succeeds with exactly the lines given (NULL-ended). */
static void assert_answer(mcred_modem *m, const char *cmd, ...)
{
	struct mcred_reply r;
	const char *want;
	size_t n = 0;
	va_list ap;

	if (exec(m, cmd, &r) != MCRED_OK)
		fail_msg("%s: %s", cmd, mcred_modem_error(m)->message);
	va_start(ap, cmd);
	while ((want = va_arg(ap, const char *)) != NULL) {
		if (n >= r.lines.count)
			fail_msg("%s: line %zu \"%s\" missing", cmd, n, want);
		assert_string_equal(r.lines.lines[n], want);
		n++;
	}
	va_end(ap);
	assert_int_equal(r.lines.count, n);
	mcred_reply_free(&r);
}

/*
 * The device printed its prompt before the run (at boot, or after the last
 * command) and it waited in the port: the tool throws it away at open, and
 * the shell echoes the typed line on the prompt's row.
 */
static void test_stale_prompt_at_open(void **state)
{
	static const char *const prompts[] = { "uart:~$ ", COLOURED_PROMPT, "mosh:~$ ",
					       "\r\n" COLOURED_PROMPT };

	(void)state;
	for (size_t i = 0; i < sizeof(prompts) / sizeof(prompts[0]); i++) {
		for (size_t chunk = 0; chunk < 2; chunk++) {
			struct script *s = new_script();
			mcred_modem *m = open_after_stale(s, prompts[i]);

			s->chunk = chunk;
			s->replies[0] = "at 'AT+CFUN?'\r\n+CFUN: 4\r\nOK\r\n\r\n" COLOURED_PROMPT;
			s->replies[1] = "at 'AT%CMNG=1'\r\n" LIST_LINE_5
					"\r\nOK\r\n\r\n" COLOURED_PROMPT;
			assert_answer(m, "AT+CFUN?", "+CFUN: 4", NULL);
			assert_answer(m, "AT%CMNG=1", LIST_LINE_5, NULL);
			mcred_modem_free(m);
			free(s);
		}
	}
}

/* The same when the list is the first command: it must not come back empty. */
static void test_stale_prompt_before_a_list(void **state)
{
	struct script *s = new_script();
	mcred_modem *m = open_after_stale(s, COLOURED_PROMPT);

	(void)state;
	s->replies[0] = "at 'AT%CMNG=1'\r\n" LIST_LINE_5 "\r\n" LIST_LINE_6
			"\r\nOK\r\n\r\n" COLOURED_PROMPT;
	assert_answer(m, "AT%CMNG=1", LIST_LINE_5, LIST_LINE_6, NULL);
	mcred_modem_free(m);
	free(s);
}

/*
 * modem_shell (sdk-nrf samples/cellular/modem_shell, link.c and
 * link_shell_print.c) prints link events whenever they happen: at the idle
 * prompt it erases the prompt's row, prints the event and draws the prompt
 * again (Zephyr shell_vfprintf()); while a command runs, between its answer
 * lines. Zephyr's serial shell prints every LF as CR LF, those of the
 * modem's answer too.
 */
static void test_modem_shell_events_are_no_answer(void **state)
{
	static const char *const before[] = {
		/* plain: what a page of text shows */
		"Modem domain event: No IMEI\r\nmosh:~$ ",
		/* as sent: erase the prompt's row, the event, the prompt again */
		"\x1b[8D\x1b[JModem domain event: No IMEI\r\n" MOSH_PROMPT_VT
		"\x1b[8D\x1b[JNetwork registration status: searching\r\n" MOSH_PROMPT_VT,
		"",
	};
	static char reply[4][1024], reply2[4][512];

	(void)state;
	for (size_t i = 0; i < sizeof(before) / sizeof(before[0]); i++) {
		struct script *s = new_script();
		mcred_modem *m = open_after_stale(s, MOSH_PROMPT_VT);
		struct mcred_lines *lines = NULL;

		snprintf(reply[i], sizeof(reply[i]),
			 "%sat 'AT%%CMNG=1'\r\n%s\r\r\n"
			 "Network registration status: searching\r\n%s\r\r\n"
			 "LTE cell changed: ID: 17031947, Tracking area: 33902\r\n"
			 "Currently active system mode: LTE-M\r\nOK\r\r\n\r\n" MOSH_PROMPT_VT,
			 before[i], LIST_LINE_5, LIST_LINE_6);
		snprintf(reply2[i], sizeof(reply2[i]),
			 "%sat 'AT+CGMR'\r\nmfw_nrf91x1_2.0.1\r\r\n"
			 "PDN event: PDP context 0 activated\r\nOK\r\r\n\r\n" MOSH_PROMPT_VT,
			 before[i]);
		s->replies[0] = reply[i];
		s->replies[1] = reply2[i];
		s->chunk = i;
		assert_answer(m, "AT%CMNG=1", LIST_LINE_5, LIST_LINE_6, NULL);
		assert_int_equal(mcred_at(m, "AT+CGMR", &lines), MCRED_OK);
		assert_int_equal(lines->count, 1);
		assert_string_equal(lines->lines[0], "mfw_nrf91x1_2.0.1");
		mcred_lines_free(lines);
		mcred_modem_free(m);
		free(s);
	}
}

/*
 * A Zephyr log line while the command is typed: the log backend erases the
 * typed line back to its prompt, prints the line and draws prompt and typed
 * text again (shell.c shell_log_process(), shell_ops.c z_shell_cmd_line_erase()).
 */
static void test_log_line_redraws_the_echo(void **state)
{
	static const char short_reply[] =
		"at 'AT+C\x1b[16D\x1b[J[00:00:05.123,456] \x1b[0m<inf> app: hello\x1b[0m\r\n" COLOURED_PROMPT
		"at 'AT+CFUN?'\r\n+CFUN: 4\r\nOK\r\n\r\n" COLOURED_PROMPT;
	static char long_reply[2048];
	char cmd[300], typed[320], first[80];
	size_t typed_len;

	(void)state;
	for (size_t chunk = 0; chunk < 2; chunk++) {
		struct script *s = new_script();
		mcred_modem *m = open_after_stale(s, COLOURED_PROMPT);

		s->chunk = chunk;
		s->replies[0] = short_reply;
		assert_answer(m, "AT+CFUN?", "+CFUN: 4", NULL);
		mcred_modem_free(m);
		free(s);
	}
	/*
	 * A line broken at the terminal width: the log line comes when the
	 * echo is on its second row, so the erase goes up a row first.
	 */
	snprintf(cmd, sizeof(cmd), "AT%%CMNG=1,%0100d", 5);
	typed_len = mcred_shell_encode(cmd, strlen(cmd), typed);
	typed[typed_len] = '\0';
	snprintf(first, sizeof(first), "%.72s", typed);
	snprintf(long_reply, sizeof(long_reply),
		 "%s\n%.10s\x1b[10D\x1b[1A\x1b[J<wrn> app: low battery\r\n" COLOURED_PROMPT
		 "%s\n%s\r\n%s\r\nOK\r\n\r\n" COLOURED_PROMPT,
		 first, typed + 72, first, typed + 72, LIST_LINE_5);
	for (size_t chunk = 0; chunk < 2; chunk++) {
		struct script *s = new_script();
		mcred_modem *m = open_after_stale(s, COLOURED_PROMPT);

		s->chunk = chunk;
		s->replies[0] = long_reply;
		assert_answer(m, cmd, LIST_LINE_5, NULL);
		mcred_modem_free(m);
		free(s);
	}
}

/*
 * The last bytes read before a command cut the prompt's colour sequence in
 * two ("ESC [" before, "m" after): the rest of it is no text of the echo's row.
 */
static void test_prompt_colour_cut_by_the_command(void **state)
{
	struct script *s = new_script();
	mcred_modem *m = open_shell(s, MCRED_SHELL_ON);

	(void)state;
	s->replies[0] = "at 'AT+CGMM'\r\nnRF9160-SICA\r\nOK\r\n\r\n\x1b[1;32mmosh:~$ \x1b[";
	s->replies[1] = "mat 'AT+CGSN'\r\n351358811234567\r\nOK\r\n\r\n" MOSH_PROMPT_VT;
	assert_answer(m, "AT+CGMM", "nRF9160-SICA", NULL);
	assert_answer(m, "AT+CGSN", "351358811234567", NULL);
	mcred_modem_free(m);
	free(s);
}

/*
 * Zephyr's serial shell prints each LF as CR LF (SHELL_FLAG_OLF_CRLF), those
 * of the modem's answer too: a stored CR LF arrives as CR CR LF, a stored LF
 * as CR LF. A read gives back what is stored, with its digest.
 */
static void read_through_shell(const char *stored, const char *wire_content, int doubled)
{
	struct script *s = new_script();
	mcred_modem *m = open_shell(s, MCRED_SHELL_ON);
	const char *eol = doubled ? "\r\r\n" : "\r\n";
	char sha[65], got_sha[65], reply[512];
	char *content = NULL;
	size_t len = 0;

	assert_int_equal(mcred_cmng_read_digest(stored, strlen(stored), sha), MCRED_OK);
	snprintf(reply, sizeof(reply),
		 "at 'AT%%CMNG=2,5,0'\r\n%%CMNG: 5,0,\"%s\",%s\"%s\"%sOK%s\r\n" COLOURED_PROMPT,
		 sha, eol, wire_content, eol, eol);
	s->replies[0] = reply;
	if (mcred_cmng_read(m, 5, 0, &content, &len, got_sha) != MCRED_OK)
		fail_msg("read: %s", mcred_modem_error(m)->message);
	assert_int_equal(len, strlen(stored));
	assert_memory_equal(content, stored, len);
	assert_string_equal(got_sha, sha);
	mcred_secret_free(content, len);
	mcred_modem_free(m);
	free(s);
}

static void test_read_through_a_shell_that_doubles_crs(void **state)
{
	(void)state;
	/* what a shell-mode write stored (at_shell made CR LF of each \n) */
	read_through_shell("-----BEGIN CERTIFICATE-----\r\nMIIB\r\n-----END CERTIFICATE-----\r\n",
			   "-----BEGIN CERTIFICATE-----\r\r\nMIIB\r\r\n-----END CERTIFICATE-----\r\r\n",
			   1);
	/* what a raw write stored, read through the shell */
	read_through_shell("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
			   "-----BEGIN CERTIFICATE-----\r\nMIIB\r\n-----END CERTIFICATE-----\r\n",
			   1);
	/* a shell that prints the answer's bytes as they are */
	read_through_shell("-----BEGIN CERTIFICATE-----\r\nMIIB\r\n-----END CERTIFICATE-----\r\n",
			   "-----BEGIN CERTIFICATE-----\r\nMIIB\r\n-----END CERTIFICATE-----\r\n",
			   0);
	read_through_shell("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
			   "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", 0);
}

/* ---- --shell auto ------------------------------------------------------------ */

static void test_auto_detection(void **state)
{
	static const struct {
		const char *answer;  /* to "at AT" */
		const char *answer2; /* to "AT", if asked */
		int shell;
		size_t max_command;
	} cases[] = {
		{ "at AT\r\nOK\r\n\r\n" COLOURED_PROMPT,
		  "AT\r\nAT: command not found\r\n" COLOURED_PROMPT, MCRED_SHELL_ON, 2048 },
		{ "at AT\r\nOK\r\n\r\nmosh:~$ ", "AT\r\nAT: command not found\r\nmosh:~$ ",
		  MCRED_SHELL_ON, 2048 },
		{ "OK\r\n\r\nuart:~$ ", "AT: command not found\r\nuart:~$ ", /* echo off */
		  MCRED_SHELL_ON, 2048 },
		{ "at AT\r\nSending AT command failed with error code -108\r\nuart:~$ ", NULL,
		  MCRED_SHELL_ON, 2048 },
		{ "ERROR\r\n", NULL, MCRED_SHELL_NONE, 4096 },
		{ "at AT\r\nERROR\r\n", NULL, MCRED_SHELL_NONE, 4096 }, /* ATE1 */
		{ "\r\n+CEREG: 1\r\n\r\n+CME ERROR: 0\r\n", NULL, MCRED_SHELL_NONE, 4096 },
		/* a modem that took "at AT" for "AT": the raw AT host answers "AT" too */
		{ "OK\r\n", "OK\r\n", MCRED_SHELL_NONE, 4096 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct script *s = new_script();
		mcred_modem *m;

		s->replies[0] = cases[i].answer;
		s->replies[1] = cases[i].answer2;
		s->chunk = i % 2 ? 1 : 0;
		m = open_shell(s, MCRED_SHELL_AUTO);
		assert_int_equal(mcred_modem_options(m)->shell, cases[i].shell);
		assert_int_equal(mcred_modem_options(m)->max_command_len, cases[i].max_command);
		assert_memory_equal(s->written,
				    "\x15"
				    "at AT\r\n",
				    8);
		mcred_modem_free(m);
		free(s);
	}
}

static void test_auto_keeps_a_given_length_and_fails_on_silence(void **state)
{
	struct script *s = new_script();
	struct mcred_options o;
	struct mcred_error err;
	mcred_modem *m = NULL;

	(void)state;
	s->replies[0] = "at AT\r\nOK\r\n\r\nuart:~$ ";
	s->replies[1] = "AT\r\nAT: command not found\r\nuart:~$ ";
	mcred_options_init(&o);
	o.shell = MCRED_SHELL_AUTO;
	o.max_command_len = 1024;
	assert_int_equal(open_script(s, &o, &m, &err), MCRED_OK);
	assert_int_equal(mcred_modem_options(m)->shell, MCRED_SHELL_ON);
	assert_int_equal(mcred_modem_options(m)->max_command_len, 1024);
	mcred_modem_free(m);
	free(s);

	s = new_script(); /* nothing answers */
	mcred_options_init(&o);
	o.shell = MCRED_SHELL_AUTO;
	o.timeout_ms = 300;
	assert_int_equal(open_script(s, &o, &m, &err), MCRED_ERR_TIMEOUT);
	assert_null(m);
	assert_non_null(strstr(err.message, "at AT"));
	free(s);
}

/* ---- answers cut by the AT host's buffer ----------------------------------------- */

/* One line of a list answer: "%CMNG: <tag>,0,"<sha>"\r\n", 79 bytes for tags < 10. */
static const char *entry(int tag)
{
	static char e[3][100];

	snprintf(e[tag % 3], sizeof(e[0]), "%%CMNG: %d,0,\"" SHA64 "\"\r\n", tag);
	assert_int_equal(strlen(e[tag % 3]), 79);
	return e[tag % 3];
}

static void test_cut_answer_reported_at_once(void **state)
{
	static char answer[4096];
	struct script *s = new_script();
	struct mcred_options o;
	struct mcred_error err;
	mcred_modem *m = NULL;
	struct mcred_reply r;
	long long start;

	(void)state;
	/* a 200-byte buffer: the host sends its first 199 bytes (two entries and 41
	 * bytes of the third) and no final result; the URC between them is not
	 * part of the buffer */
	snprintf(answer, sizeof(answer), "%s%s+CEREG: 1,\"76C1\",\"0102DA04\",7\r\n%.41s", entry(0),
		 entry(1), entry(2));
	s->replies[0] = answer;
	s->replies[1] = "+CGMM: x\r\nnRF9160-SICA\r\nOK\r\n";
	mcred_options_init(&o);
	o.max_command_len = 200;
	o.timeout_ms = 30000;
	assert_int_equal(open_script(s, &o, &m, &err), MCRED_OK);
	for (size_t chunk = 0; chunk < 2; chunk++) {
		s->chunk = chunk;
		start = now_ms();
		assert_int_equal(exec(m, "AT%CMNG=1", &r), MCRED_ERR_TOO_LARGE);
		/* at once: well before the 30 s deadline */
		assert_true(now_ms() - start < 15000);
		assert_message_has(m, "CONFIG_AT_HOST_CMD_MAX_LEN");
		assert_message_has(m, "list --tag N"); /* a listing: one tag at a time */
		assert_int_equal(s->urc_count, 1 + (int)chunk);
		mcred_reply_free(&r);
		/* the cut line is not glued to the next answer */
		assert_int_equal(exec(m, "AT+CGMM", &r), MCRED_OK);
		assert_string_equal(r.lines.lines[r.lines.count - 1], "nRF9160-SICA");
		mcred_reply_free(&r);
		s->next = 0;
	}
	mcred_modem_free(m);
	free(s);
}

static void test_full_answer_that_fits_is_no_cut(void **state)
{
	static char answer[4096];
	struct script *s = new_script();
	struct mcred_options o;
	struct mcred_error err;
	mcred_modem *m = NULL;
	struct mcred_reply r;

	(void)state;
	/* two entries and OK\r\n, 162 bytes: exactly what a 163-byte buffer holds;
	 * the URC before the OK, cut anywhere, is no part of it */
	snprintf(answer, sizeof(answer), "%s%s+CEREG: 5,\"76C1\",\"0102DA04\",7\r\nOK\r\n",
		 entry(1), entry(2));
	s->replies[0] = answer;
	mcred_options_init(&o);
	o.max_command_len = 163;
	assert_int_equal(open_script(s, &o, &m, &err), MCRED_OK);
	s->chunk = 1;
	assert_int_equal(exec(m, "AT%CMNG=1", &r), MCRED_OK);
	assert_int_equal(r.lines.count, 2);
	assert_int_equal(s->urc_count, 1);
	mcred_reply_free(&r);
	mcred_modem_free(m);
	free(s);
}

/*
 * A CA bundle of exactly n bytes: PEM blocks of 64-column base64 lines with
 * LF line endings, the last line padded to make up the size.
 */
static char *ca_bundle(size_t n)
{
	static const char begin[] = "-----BEGIN CERTIFICATE-----\n";
	static const char end[] = "-----END CERTIFICATE-----\n";
	char *b = malloc(n + 1);
	size_t len = 0;

	assert_non_null(b);
	while (len < n) {
		size_t room = n - len;

		if (room < sizeof(begin) - 1 + sizeof(end) - 1 + 2)
			break;
		memcpy(b + len, begin, sizeof(begin) - 1);
		len += sizeof(begin) - 1;
		room = n - len - (sizeof(end) - 1);
		for (size_t i = 0; i < 20 && room > 1; i++) {
			size_t line = room - 1 < 64 ? room - 1 : 64;

			memset(b + len, 'A' + (char)(i % 26), line);
			len += line;
			b[len++] = '\n';
			room = n - len - (sizeof(end) - 1);
		}
		memcpy(b + len, end, sizeof(end) - 1);
		len += sizeof(end) - 1;
	}
	memset(b + len, '\n', n - len); /* never more than a few bytes */
	b[n] = '\0';
	return b;
}

/*
 * The real %CMNG=2 layout (the %CMNG reference page): "%CMNG: <tag>,<type>,
 * "<sha>"," and a line break, then the quoted content on its own lines. A
 * 4033-byte CA bundle read from the raw AT host with its default 4096-byte
 * buffer: the host sends the first 4095 bytes of the answer and no final
 * result. That is reported at once, for every type a read answers.
 */
static void test_cut_read_in_the_reference_layout(void **state)
{
	static const int types[] = { 0, 4, 6, 8, 9, 11 };
	static const char *const seps[] = { ",", ", " };
	char *bundle = ca_bundle(4033);
	static char answer[8192];

	(void)state;
	assert_int_equal(strlen(bundle), 4033);
	for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
		for (size_t chunk = 0; chunk < 2; chunk++) {
			const char *sep = seps[(t + chunk) % 2];
			struct script *s = new_script();
			struct mcred_options o;
			struct mcred_error err;
			mcred_modem *m = NULL;
			struct mcred_reply r;
			char cmd[64];
			long long start;
			int n;

			n = snprintf(answer, sizeof(answer),
				     "%%CMNG: 12345678%s%d%s\"%s\",\r\n\"%s\"\r\nOK\r\n", sep,
				     types[t], sep, SHA64, bundle);
			assert_true(n > 4095);
			answer[4095] = '\0'; /* what the host's buffer held and sent */
			s->replies[0] = answer;
			s->chunk = chunk ? 7 : 0;
			mcred_options_init(&o);
			o.timeout_ms = 6000;
			assert_int_equal(open_script(s, &o, &m, &err), MCRED_OK);
			snprintf(cmd, sizeof(cmd), "AT%%CMNG=2,12345678,%d", types[t]);
			start = now_ms();
			assert_int_equal(exec(m, cmd, &r), MCRED_ERR_TOO_LARGE);
			assert_true(now_ms() - start < 5000); /* at once, not at the timeout */
			assert_message_has(m, "4096-byte AT buffer");
			assert_message_has(m, "CONFIG_AT_HOST_CMD_MAX_LEN");
			mcred_reply_free(&r);
			mcred_modem_free(m);
			free(s);
		}
	}
	/* the same bundle through the library's read: the buffer message, no timeout */
	{
		struct script *s = new_script();
		struct mcred_options o;
		struct mcred_error err;
		mcred_modem *m = NULL;
		char *content = NULL, sha[65];
		size_t len;

		snprintf(answer, sizeof(answer), "%%CMNG: 12,0,\"%s\",\r\n\"%s\"\r\nOK\r\n", SHA64,
			 bundle);
		answer[4095] = '\0';
		s->replies[0] = answer;
		mcred_options_init(&o);
		o.timeout_ms = 6000;
		assert_int_equal(open_script(s, &o, &m, &err), MCRED_OK);
		assert_int_equal(mcred_cmng_read(m, 12, 0, &content, &len, sha),
				 MCRED_ERR_TOO_LARGE);
		assert_null(content);
		assert_message_has(m, "4096-byte AT buffer");
		mcred_modem_free(m);
		free(s);
	}
	free(bundle);
}

/* A read whose whole answer fits the buffer, in the same layout, is no cut. */
static void test_read_that_fits_in_the_reference_layout(void **state)
{
	char *bundle = ca_bundle(3900);
	static char answer[8192];
	struct script *s = new_script();
	struct mcred_options o;
	struct mcred_error err;
	mcred_modem *m = NULL;
	struct mcred_reply r;
	int n;

	(void)state;
	n = snprintf(answer, sizeof(answer), "%%CMNG: 12,0,\"%s\",\r\n\"%s\"\r\nOK\r\n", SHA64,
		     bundle);
	assert_true(n <= 4095);
	s->replies[0] = answer;
	s->chunk = 1;
	mcred_options_init(&o);
	assert_int_equal(open_script(s, &o, &m, &err), MCRED_OK);
	assert_int_equal(exec(m, "AT%CMNG=2,12,0", &r), MCRED_OK);
	assert_int_equal(r.lines.count, 1);
	mcred_reply_free(&r);
	mcred_modem_free(m);
	free(s);
	free(bundle);
}

/* ---- the CLI's --shell ------------------------------------------------------ */

static int parse(const char *a, const char *b, const char *c, struct cli_cmdline *cl)
{
	char *argv[] = { "modemcred", (char *)a, (char *)b, (char *)c, NULL };
	struct mcred_error err;
	int argc = 1 + (a != NULL) + (b != NULL) + (c != NULL);

	return cli_cmdline_parse(argc, argv, cl, &err);
}

static void test_cli_shell_option(void **state)
{
	struct cli_cmdline cl;

	(void)state;
	assert_int_equal(parse("list", NULL, NULL, &cl), 0);
	assert_int_equal(cl.opts.shell, MCRED_SHELL_NONE);
	assert_int_equal(parse("--shell", "list", NULL, &cl), 0);
	assert_int_equal(cl.opts.shell, MCRED_SHELL_ON);
	assert_int_equal(cl.command, CMD_LIST);
	assert_int_equal(parse("--shell", "auto", "list", &cl), 0);
	assert_int_equal(cl.opts.shell, MCRED_SHELL_AUTO);
	assert_int_equal(cl.command, CMD_LIST);
	assert_int_equal(parse("list", "--shell", "off", &cl), 0);
	assert_int_equal(cl.opts.shell, MCRED_SHELL_NONE);
	assert_int_equal(parse("--shell=auto", "list", NULL, &cl), 0);
	assert_int_equal(cl.opts.shell, MCRED_SHELL_AUTO);
	assert_int_equal(parse("--shell=on", "--shell-no-unescape-lf", "list", &cl), 0);
	assert_int_equal(cl.opts.shell, MCRED_SHELL_ON);
	assert_int_equal(cl.opts.shell_no_unescape_lf, 1);
	/* "at" after --shell is the command, not a value */
	assert_int_equal(parse("--shell", "at", "AT+CGMR", &cl), 0);
	assert_int_equal(cl.command, CMD_AT);
	assert_int_equal(cl.opts.shell, MCRED_SHELL_ON);
	assert_int_not_equal(parse("--shell=maybe", "list", NULL, &cl), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wire_form),
		cmocka_unit_test(test_single_quote_refused_nothing_sent),
		cmocka_unit_test(test_line_breaks_need_unescape_lf),
		cmocka_unit_test(test_literal_backslash_n_refused),
		cmocka_unit_test(test_digest_over_crlf_form),
		cmocka_unit_test(test_write_verify_expects_crlf),
		cmocka_unit_test(test_echo_broken_at_terminal_width),
		cmocka_unit_test(test_cut_line_is_reported_not_waited_for),
		cmocka_unit_test(test_at_shell_failures),
		cmocka_unit_test(test_other_prompts_plain_and_coloured),
		cmocka_unit_test(test_ansi_sequences_dropped_at_any_split),
		cmocka_unit_test(test_shell_lines_classified),
		cmocka_unit_test(test_stale_prompt_at_open),
		cmocka_unit_test(test_stale_prompt_before_a_list),
		cmocka_unit_test(test_modem_shell_events_are_no_answer),
		cmocka_unit_test(test_log_line_redraws_the_echo),
		cmocka_unit_test(test_prompt_colour_cut_by_the_command),
		cmocka_unit_test(test_read_through_a_shell_that_doubles_crs),
		cmocka_unit_test(test_auto_detection),
		cmocka_unit_test(test_auto_keeps_a_given_length_and_fails_on_silence),
		cmocka_unit_test(test_cut_answer_reported_at_once),
		cmocka_unit_test(test_full_answer_that_fits_is_no_cut),
		cmocka_unit_test(test_cut_read_in_the_reference_layout),
		cmocka_unit_test(test_read_that_fits_in_the_reference_layout),
		cmocka_unit_test(test_cli_shell_option),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
