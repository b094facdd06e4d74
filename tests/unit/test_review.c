/*
 * Regression tests from a correctness review of lib/: each test failed
 * before its fix. A small scripted fake modem answers commands (split at CR
 * outside quotes) with canned replies, so odd answers can be staged.
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
#include "support/structs.h"

#define RX_CAP 65536
#define TRACE_CAP 65536

struct script {
	/* What the library wrote, split into commands. */
	char line[8192];
	size_t line_len;
	int in_quotes;
	size_t bytes_written;
	int ncmds;
	/* Canned answer for commands starting with match (others: defaults). */
	const char *match;
	const char *reply;
	/*
	 * Bytes held back after the reply until the test sets release, or until
	 * the next command (a modem answers in order).
	 */
	const char *held;
	int held_due; /* the reply it follows went out */
	int release;
	/* Waiting to be read by the library. */
	char rx[RX_CAP];
	size_t rx_len, rx_pos;
	/* Everything traced and every URC, concatenated. */
	char traces[TRACE_CAP];
	size_t traces_len;
	char urcs[TRACE_CAP];
	size_t urcs_len;
};

static void queue(struct script *s, const char *bytes)
{
	size_t n = strlen(bytes);

	assert_true(s->rx_len + n <= RX_CAP);
	memcpy(s->rx + s->rx_len, bytes, n);
	s->rx_len += n;
}

static void answer(struct script *s, const char *cmd)
{
	s->ncmds++;
	/* a modem finishes what it was sending before it answers anything newer */
	if (s->held && s->held_due) {
		queue(s, s->held);
		s->held = NULL;
	}
	if (s->match && strncmp(cmd, s->match, strlen(s->match)) == 0) {
		queue(s, s->reply);
		s->held_due = 1;
	} else if (strcmp(cmd, "AT+CMEE?") == 0)
		queue(s, "\r\n+CMEE: 1\r\n\r\nOK\r\n");
	else if (strcmp(cmd, "AT+CFUN?") == 0)
		queue(s, "\r\n+CFUN: 4\r\n\r\nOK\r\n");
	else if (strncmp(cmd, "AT+CMEE=", 8) == 0 || strncmp(cmd, "AT+CFUN=", 8) == 0)
		queue(s, "\r\nOK\r\n");
	else
		queue(s, "\r\nERROR\r\n");
}

static int script_write(void *user, const uint8_t *buf, size_t len, unsigned timeout_ms)
{
	struct script *s = user;

	(void)timeout_ms;
	s->bytes_written += len;
	for (size_t i = 0; i < len; i++) {
		char c = (char)buf[i];

		if (c == '"')
			s->in_quotes = !s->in_quotes;
		if (!s->in_quotes && c == '\n')
			continue;
		if (!s->in_quotes && c == '\r') {
			s->line[s->line_len] = '\0';
			answer(s, s->line);
			s->line_len = 0;
			continue;
		}
		if (s->line_len + 1 < sizeof(s->line))
			s->line[s->line_len++] = c;
	}
	return (int)len;
}

static int script_read(void *user, uint8_t *buf, size_t len, unsigned timeout_ms)
{
	struct script *s = user;
	size_t n;

	if (s->release && s->held) {
		queue(s, s->held);
		s->held = NULL;
	}
	n = s->rx_len - s->rx_pos;
	if (n == 0) {
		struct timespec ts = { 0, (long)(timeout_ms < 5 ? timeout_ms : 5) * 1000000L };

		nanosleep(&ts, NULL);
		return 0;
	}
	if (n > len)
		n = len;
	memcpy(buf, s->rx + s->rx_pos, n);
	s->rx_pos += n;
	return (int)n;
}

static void append(char *dst, size_t *dst_len, const char *text, size_t len)
{
	if (*dst_len + len + 2 > TRACE_CAP)
		return;
	memcpy(dst + *dst_len, text, len);
	*dst_len += len;
	dst[(*dst_len)++] = '\n';
	dst[*dst_len] = '\0';
}

static void on_trace(enum mcred_trace_dir dir, const char *text, size_t len, void *user)
{
	struct script *s = user;

	(void)dir;
	append(s->traces, &s->traces_len, text, len);
}

static void on_urc(const char *line, void *user)
{
	struct script *s = user;

	append(s->urcs, &s->urcs_len, line, strlen(line));
}

static mcred_modem *open_script(struct script *s, struct mcred_options *o)
{
	struct mcred_transport t = transport_of(script_read, script_write, NULL, s);
	mcred_modem *m = NULL;
	struct mcred_error e;

	o->trace_cb = on_trace;
	o->trace_user = s;
	o->urc_cb = on_urc;
	o->urc_user = s;
	if (mcred_modem_open_transport(&m, &t, o, &e) != MCRED_OK)
		fail_msg("open_transport: %s", e.message);
	return m;
}

/* ---- findings ------------------------------------------------------------ */

/*
 * max_response_len = SIZE_MAX ("no limit") made the line splitter compute
 * its buffer cap as max_line + 1 == 0: realloc(buf, 0), then writes into it.
 */
static void test_unlimited_response_len(void **state)
{
	struct script *s = calloc(1, sizeof(*s));
	struct mcred_options o;
	struct mcred_lines *lines = NULL;
	char reply[1200];
	mcred_modem *m;

	(void)state;
	memset(reply, 0, sizeof(reply));
	strcpy(reply, "\r\n");
	memset(reply + 2, 'x', 1000);
	strcat(reply, "\r\nOK\r\n");
	s->match = "AT+CGMR";
	s->reply = reply;
	mcred_options_init(&o);
	o.timeout_ms = 1000;
	o.max_response_len = SIZE_MAX;
	m = open_script(s, &o);
	assert_int_equal(mcred_at(m, "AT+CGMR", &lines), MCRED_OK);
	assert_non_null(lines);
	assert_int_equal(lines->count, 1);
	assert_int_equal(strlen(lines->lines[0]), 1000);
	mcred_lines_free(lines);
	mcred_modem_free(m);
	free(s);
}

/*
 * A %KEYGEN command too long for the device's AT buffer was only refused by
 * the AT engine, after the session had already sent AT+CMEE? (and possibly
 * CMEE=1 / CFUN=4): MCRED_ERR_INVALID_ARG must mean nothing was sent.
 */
static void test_keygen_too_long_sends_nothing(void **state)
{
	struct script *s = calloc(1, sizeof(*s));
	struct mcred_options o;
	struct mcred_keygen_request req = keygen_req(0, MCRED_KEYGEN_CSR, NULL, NULL);
	char attrs[5000];
	char *blob = (char *)1;
	mcred_modem *m;

	(void)state;
	memcpy(attrs, "CN=", 3);
	memset(attrs + 3, 'a', sizeof(attrs) - 4);
	attrs[sizeof(attrs) - 1] = '\0';
	req.tag = 11;
	req.kind = MCRED_KEYGEN_CSR;
	req.attributes = attrs;
	mcred_options_init(&o);
	o.timeout_ms = 300;
	o.auto_offline = 1;
	m = open_script(s, &o);
	assert_int_equal(mcred_keygen_run(m, &req, &blob), MCRED_ERR_INVALID_ARG);
	assert_null(blob);
	assert_int_equal(s->bytes_written, 0);
	assert_non_null(strstr(mcred_modem_error(m)->message, "bytes"));
	mcred_modem_free(m);
	free(s);
}

/*
 * A private-key write that times out while its echo is still arriving: the
 * rest of the echo comes in while the next command waits for the abandoned
 * one. It must not reach the trace (or the URC callback) in clear.
 */
static void test_late_echo_of_secret_write_not_traced(void **state)
{
	static const char key[] = "-----BEGIN PRIVATE KEY-----\n"
				  "SECRETKEYLINEONE\n"
				  "SECRETKEYLINETWO\n"
				  "-----END PRIVATE KEY-----\n";
	struct script *s = calloc(1, sizeof(*s));
	struct mcred_options o;
	struct mcred_lines *lines = NULL;
	mcred_modem *m;

	(void)state;
	s->match = "AT%CMNG=0,7,2,";
	s->reply = "AT%CMNG=0,7,2,\"-----BEGIN PRIVATE KEY-----\nSECRETKEYLINEONE\n";
	s->held = "SECRETKEYLINETWO\n-----END PRIVATE KEY-----\"\r\n\r\nOK\r\n";
	mcred_options_init(&o);
	o.timeout_ms = 300;
	m = open_script(s, &o);
	assert_int_equal(mcred_cmng_write(m, 7, MCRED_TYPE_PRIVATE_KEY, key, strlen(key), NULL, 0),
			 MCRED_ERR_TIMEOUT);
	s->release = 1;
	s->match = "AT+CGMR";
	s->reply = "\r\nmfw_nrf9160_1.3.5\r\n\r\nOK\r\n";
	assert_int_equal(mcred_at(m, "AT+CGMR", &lines), MCRED_OK);
	mcred_lines_free(lines);
	if (strstr(s->traces, "SECRETKEYLINE"))
		fail_msg("secret key content in the trace:\n%s", s->traces);
	if (strstr(s->urcs, "SECRETKEYLINE"))
		fail_msg("secret key content handed to the URC callback:\n%s", s->urcs);
	mcred_modem_free(m);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unlimited_response_len),
		cmocka_unit_test(test_keygen_too_long_sends_nothing),
		cmocka_unit_test(test_late_echo_of_secret_write_not_traced),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
