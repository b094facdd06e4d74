/*
 * The AT engine over a scripted in-memory transport: what it writes, what it
 * makes of each answer, and how it bounds every wait.
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
#include "at.h"
#include "at_parser.h"
#include "defaults.h"
#include "handle.h"
#include "at_wire.h"
#include "support/structs.h"

#define FAKE_CAP 16384

/* The modem side: bytes it will send, bytes it received. */
struct fake {
	char rx[FAKE_CAP]; /* waiting to be read by the library */
	size_t rx_len, rx_pos;
	const char *reply; /* queued once the first write arrives */
	int reply_queued;
	int overlong_reads;
	int no_wait;        /* reads that find nothing return at once (allowed: "at most") */
	const char *reply2; /* queued on the write after that, if set */
	char written[FAKE_CAP];
	size_t written_len;
	size_t read_chunk;     /* max bytes per read, 0: unlimited */
	size_t write_chunk;    /* max bytes per write, 0: unlimited */
	size_t write_stall_at; /* accept no bytes beyond this many, 0: no stall */
	int stall_no_wait;     /* a stalled write returns 0 at once (breaks "> 0 or -1") */
	int stalled_writes;    /* writes that took nothing */
	int fail_reads;
	int closes;
	int cancel_after; /* cancel_cb says stop after this many polls, 0: never */
	int cancel_polls;
	int cancel_how; /* what it says then: 0 is MCRED_CANCEL_STOP */
	int now_after;  /* it says MCRED_CANCEL_NOW from this many polls on, 0: never */
	int idle_reads; /* reads that found nothing and waited */
	char urcs[8][128];
	int urc_count;
	char traces[16][256];
	enum mcred_trace_dir trace_dirs[16];
	int trace_count;
	/* An answer still on its way: sent after late_reads empty reads. Like a
	 * real modem, a reply to a newer command only follows it. */
	const char *late;
	int late_reads;
	int reply_deferred;
};

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void queue_rx(struct fake *f, const char *bytes, size_t len)
{
	assert_true(f->rx_len + len <= FAKE_CAP);
	memcpy(f->rx + f->rx_len, bytes, len);
	f->rx_len += len;
}

static int fake_read(void *user, uint8_t *buf, size_t len, unsigned timeout_ms)
{
	struct fake *f = user;
	size_t n = f->rx_len - f->rx_pos;

	if (f->fail_reads)
		return -1;
	if (f->overlong_reads) /* a transport that breaks its contract */
		return (int)len + 10;
	if (n == 0 && f->late && --f->late_reads <= 0) {
		queue_rx(f, f->late, strlen(f->late));
		f->late = NULL;
		if (f->reply_deferred)
			queue_rx(f, f->reply, strlen(f->reply));
		n = f->rx_len - f->rx_pos;
	}
	if (n == 0) {
		f->idle_reads += timeout_ms > 0; /* a zero-time poll is not a wait */
		if (!f->no_wait)
			sleep_ms(timeout_ms); /* nothing comes: the wait really passes */
		return 0;
	}
	if (f->read_chunk && n > f->read_chunk)
		n = f->read_chunk;
	if (n > len)
		n = len;
	memcpy(buf, f->rx + f->rx_pos, n);
	f->rx_pos += n;
	return (int)n;
}

static int fake_write(void *user, const uint8_t *buf, size_t len, unsigned timeout_ms)
{
	struct fake *f = user;

	if (f->write_stall_at && f->written_len + len > f->write_stall_at)
		len = f->write_stall_at - f->written_len;
	if (len == 0) {
		f->stalled_writes++;
		if (!f->stall_no_wait)
			sleep_ms(timeout_ms); /* flow control holds the line */
		return 0;
	}
	if (f->write_chunk && len > f->write_chunk)
		len = f->write_chunk;
	assert_true(f->written_len + len <= FAKE_CAP);
	memcpy(f->written + f->written_len, buf, len);
	f->written_len += len;
	if (f->reply && !f->reply_queued) {
		if (f->late)
			f->reply_deferred = 1;
		else
			queue_rx(f, f->reply, strlen(f->reply));
		f->reply_queued = 1;
	} else if (f->reply2) {
		queue_rx(f, f->reply2, strlen(f->reply2));
		f->reply2 = NULL;
	}
	return (int)len;
}

static void fake_close(void *user)
{
	((struct fake *)user)->closes++;
}

static void on_urc(const char *line, void *user)
{
	struct fake *f = user;

	assert_true(f->urc_count < 8);
	snprintf(f->urcs[f->urc_count++], sizeof(f->urcs[0]), "%s", line);
}

static void on_trace(enum mcred_trace_dir dir, const char *text, size_t len, void *user)
{
	struct fake *f = user;

	if (f->trace_count >= 16)
		return;
	f->trace_dirs[f->trace_count] = dir;
	snprintf(f->traces[f->trace_count++], sizeof(f->traces[0]), "%.*s", (int)len, text);
}

static int on_cancel(void *user)
{
	struct fake *f = user;

	if (!f->cancel_after || ++f->cancel_polls < f->cancel_after)
		return MCRED_CANCEL_NONE;
	if (f->now_after && f->cancel_polls >= f->now_after)
		return MCRED_CANCEL_NOW;
	return f->cancel_how ? f->cancel_how : MCRED_CANCEL_STOP;
}

/* Open a handle on f with the test's options (callbacks wired to f). */
static mcred_modem *open_fake(struct fake *f, struct mcred_options *o)
{
	struct mcred_transport t = transport_of(fake_read, fake_write, fake_close, f);
	struct mcred_options defaults;
	struct mcred_error err;
	mcred_modem *m = NULL;

	if (!o) {
		mcred_options_init(&defaults);
		o = &defaults;
	}
	o->urc_cb = on_urc;
	o->urc_user = f;
	o->trace_cb = on_trace;
	o->trace_user = f;
	o->cancel_cb = on_cancel;
	o->cancel_user = f;
	assert_int_equal(mcred_modem_open_transport(&m, &t, o, &err), MCRED_OK);
	assert_non_null(m);
	assert_string_equal(mcred_modem_transport_name(m), "custom");
	return m;
}

static struct fake *new_fake(const char *reply)
{
	struct fake *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->reply = reply;
	return f;
}

static enum mcred_err exec(mcred_modem *m, const char *cmd, struct mcred_reply *r)
{
	return mcred_at_exec(m, cmd, strlen(cmd), NULL, 0, r);
}

static void test_lines_and_ok(void **state)
{
	struct fake *f = new_fake("\r\n352656100123456\r\n\r\nOK\r\n");
	mcred_modem *m = open_fake(f, NULL);
	struct mcred_reply r;

	(void)state;
	assert_int_equal(exec(m, "AT+CGSN", &r), MCRED_OK);
	assert_int_equal(r.final, MCRED_LINE_OK);
	assert_int_equal(r.lines.count, 1);
	assert_string_equal(r.lines.lines[0], "352656100123456");
	assert_int_equal(f->written_len, 9);
	assert_memory_equal(f->written, "AT+CGSN\r\n", 9);
	assert_int_equal(mcred_modem_error(m)->code, MCRED_OK);
	assert_int_equal(mcred_modem_cme(m), -1);
	mcred_reply_free(&r);
	mcred_modem_free(m);
	assert_int_equal(f->closes, 1);
	free(f);
}

static void test_read_example_byte_by_byte(void **state)
{
	struct fake *f =
		new_fake("AT%CMNG=2,12,0\r\n%CMNG: 12, 0, \"978C02C4\",\r\n"
			 "\"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\"\r\n"
			 "OK\r\n");
	mcred_modem *m;
	struct mcred_reply r;

	(void)state;
	f->read_chunk = 1;
	m = open_fake(f, NULL);
	assert_int_equal(exec(m, "AT%CMNG=2,12,0", &r), MCRED_OK);
	assert_int_equal(r.lines.count, 1);
	assert_string_equal(r.lines.lines[0],
			    "%CMNG: 12, 0, \"978C02C4\",\"-----BEGIN CERTIFICATE-----\nMIIB\n"
			    "-----END CERTIFICATE-----\"");
	mcred_reply_free(&r);
	mcred_modem_free(m);
	free(f);
}

static void test_cme_error(void **state)
{
	struct fake *f = new_fake("+CME ERROR: 513\r\n");
	mcred_modem *m = open_fake(f, NULL);
	struct mcred_reply r;

	(void)state;
	assert_int_equal(exec(m, "AT%CMNG=2,4567,0", &r), MCRED_ERR_CME);
	assert_int_equal(r.final, MCRED_LINE_CME_ERROR);
	assert_int_equal(r.code, 513);
	assert_int_equal(mcred_modem_cme(m), 513);
	assert_int_equal(mcred_modem_error(m)->code, MCRED_ERR_CME);
	assert_non_null(strstr(mcred_modem_error(m)->message, "AT%CMNG=2,4567,0"));
	assert_non_null(strstr(mcred_modem_error(m)->message, "+CME ERROR: 513"));
	assert_non_null(strstr(mcred_modem_error(m)->message, "(not found)"));
	mcred_reply_free(&r);
	mcred_modem_free(m);
	free(f);
}

static void test_cms_and_bare_error(void **state)
{
	struct fake *f = new_fake("+CMS ERROR: 500\r\n");
	mcred_modem *m = open_fake(f, NULL);
	struct mcred_reply r;

	(void)state;
	assert_int_equal(exec(m, "AT+CMGS=1", &r), MCRED_ERR_CMS);
	assert_int_equal(mcred_modem_cme(m), 500);
	mcred_reply_free(&r);
	f->reply = "ERROR\r\n";
	f->reply_queued = 0;
	assert_int_equal(exec(m, "AT+FOO", &r), MCRED_ERR_MODEM);
	assert_int_equal(r.final, MCRED_LINE_ERROR);
	assert_int_equal(mcred_modem_cme(m), -1);
	mcred_reply_free(&r);
	mcred_modem_free(m);
	free(f);
}

/*
 * A device that answered before and then goes silent: the port, speed and
 * framing were right, and the message does not send the user looking there.
 */
static void test_silence_after_answers_blames_no_port(void **state)
{
	struct fake *f = new_fake("OK\r\n");
	struct mcred_options o;
	mcred_modem *m;
	struct mcred_reply r;
	const char *msg;

	(void)state;
	mcred_options_init(&o);
	o.timeout_ms = 50;
	m = open_fake(f, &o);
	assert_int_equal(exec(m, "AT", &r), MCRED_OK);
	mcred_reply_free(&r);
	f->reply = NULL; /* silent from now on */
	assert_int_equal(exec(m, "AT+CFUN=1", &r), MCRED_ERR_TIMEOUT);
	msg = mcred_modem_error(m)->message;
	if (!strstr(msg, "answered the commands before it") || strstr(msg, "wrong port"))
		fail_msg("message: %s", msg);
	mcred_reply_free(&r);
	mcred_modem_free(m);
	free(f);
}

/*
 * A transport whose read returns at once when nothing came: the wait for an
 * answer that never comes still ends at the deadline, without spinning.
 */
static void test_transport_that_does_not_wait_is_not_spun(void **state)
{
	struct fake *f = new_fake(NULL);
	struct mcred_options o;
	mcred_modem *m;
	struct mcred_reply r;

	(void)state;
	mcred_options_init(&o);
	o.timeout_ms = 100;
	m = open_fake(f, &o);
	f->no_wait = 1;
	f->idle_reads = 0;
	assert_int_equal(exec(m, "AT", &r), MCRED_ERR_TIMEOUT);
	/* about one read per millisecond, not millions */
	assert_true(f->idle_reads > 0 && f->idle_reads < 1000);
	mcred_reply_free(&r);
	mcred_modem_free(m);
	free(f);
}

/*
 * A transport whose write returns 0 at once while the line takes nothing
 * (a non-blocking descriptor's EAGAIN passed on as 0): the send still ends
 * at the deadline, without spinning.
 */
static void test_transport_write_that_does_not_wait_is_not_spun(void **state)
{
	struct fake *f = new_fake(NULL);
	struct mcred_options o;
	mcred_modem *m;
	struct mcred_reply r;

	(void)state;
	mcred_options_init(&o);
	o.timeout_ms = 100;
	m = open_fake(f, &o);
	f->write_stall_at = f->written_len + 1;
	f->stall_no_wait = 1;
	assert_int_equal(exec(m, "AT+CGMR", &r), MCRED_ERR_TIMEOUT);
	assert_non_null(strstr(mcred_modem_error(m)->message, "could not send"));
	/* about one write per millisecond, not millions */
	assert_true(f->stalled_writes > 0 && f->stalled_writes < 1000);
	mcred_reply_free(&r);
	mcred_modem_free(m);
	free(f);
}

/* A transport's read that claims more bytes than asked for: an I/O error, no over-read. */
static void test_overlong_read_is_an_error(void **state)
{
	struct fake *f = new_fake("OK\r\n");
	mcred_modem *m = open_fake(f, NULL);
	struct mcred_reply r;

	(void)state;
	f->overlong_reads = 1;
	assert_int_equal(exec(m, "AT", &r), MCRED_ERR_IO);
	mcred_reply_free(&r);
	mcred_modem_free(m);
	free(f);
}

static void test_urcs_go_to_callback_only(void **state)
{
	struct fake *f =
		new_fake("+CEREG: 5,\"1234\",\"0102DA04\",7\r\n%CMNG: 1,0,\"AA\"\r\n"
			 "%XMODEMSLEEP: 1,0\r\n%CMNG: 2,1,\"BB\"\r\nOK\r\n%CESQ: 54,2\r\n");
	mcred_modem *m;
	struct mcred_reply r;

	(void)state;
	queue_rx(f, "+CEREG: 1\r\n", 11); /* waiting before the command is sent */
	m = open_fake(f, NULL);
	assert_int_equal(exec(m, "AT%CMNG=1", &r), MCRED_OK);
	assert_int_equal(r.lines.count, 2);
	assert_string_equal(r.lines.lines[0], "%CMNG: 1,0,\"AA\"");
	assert_string_equal(r.lines.lines[1], "%CMNG: 2,1,\"BB\"");
	assert_int_equal(f->urc_count, 4);
	assert_string_equal(f->urcs[0], "+CEREG: 1");
	assert_string_equal(f->urcs[1], "+CEREG: 5,\"1234\",\"0102DA04\",7");
	assert_string_equal(f->urcs[2], "%XMODEMSLEEP: 1,0");
	assert_string_equal(f->urcs[3], "%CESQ: 54,2"); /* after OK, same chunk */
	mcred_reply_free(&r);
	mcred_modem_free(m);
	free(f);
}

static void test_echo_skipped(void **state)
{
	struct fake *f = new_fake("AT+CFUN?\r\r\n+CFUN: 4\r\nOK\r\n");
	mcred_modem *m = open_fake(f, NULL);
	struct mcred_reply r;

	(void)state;
	assert_int_equal(exec(m, "AT+CFUN?", &r), MCRED_OK);
	assert_int_equal(r.lines.count, 1);
	assert_string_equal(r.lines.lines[0], "+CFUN: 4");
	mcred_reply_free(&r);
	mcred_modem_free(m);
	free(f);
}

static long long elapsed_ms(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) * 1000LL + (now.tv_nsec - start->tv_nsec) / 1000000;
}

static void test_timeout_then_late_answer_ignored(void **state)
{
	struct fake *f = new_fake("%CMNG: 1,");
	struct mcred_options o;
	mcred_modem *m;
	struct mcred_reply r;
	struct timespec start;
	long long took;

	(void)state;
	mcred_options_init(&o);
	o.timeout_ms = 50;
	m = open_fake(f, &o);
	clock_gettime(CLOCK_MONOTONIC, &start);
	assert_int_equal(exec(m, "AT%CMNG=1", &r), MCRED_ERR_TIMEOUT);
	took = elapsed_ms(&start);
	/* at least the 50 ms asked for, and not the 10 s default (a loaded
	 * machine may add seconds, never ten) */
	assert_true(took >= 45 && took < 5000);
	assert_non_null(strstr(mcred_modem_error(m)->message, "AT%CMNG=1"));
	assert_non_null(strstr(mcred_modem_error(m)->message, "50 ms"));
	mcred_reply_free(&r);
	/* The late rest of that answer must not become the next command's. */
	queue_rx(f, "0\r\nOK\r\n", 7);
	f->reply = "+CFUN: 1\r\nERROR\r\n";
	f->reply_queued = 0;
	assert_int_equal(exec(m, "AT+CFUN?", &r), MCRED_ERR_MODEM);
	assert_int_equal(r.lines.count, 1);
	assert_string_equal(r.lines.lines[0], "+CFUN: 1");
	mcred_reply_free(&r);
	mcred_modem_free(m);
	free(f);
}

/* A timeout inside a quoted value: the late tail closes the quote, not opens one. */
static void test_timeout_inside_quotes_then_late_tail(void **state)
{
	struct fake *f = new_fake("%CMNG: 12,0,\"978C\",\r\n\"-----BEGIN");
	struct mcred_options o;
	mcred_modem *m;
	struct mcred_reply r;

	(void)state;
	mcred_options_init(&o);
	o.timeout_ms = 1000;
	m = open_fake(f, &o);
	assert_int_equal(exec(m, "AT%CMNG=2,12,0", &r), MCRED_ERR_TIMEOUT);
	mcred_reply_free(&r);
	queue_rx(f, "\nEND-----\"\r\nOK\r\n", 16);
	f->reply = "+CFUN: 4\r\nOK\r\n";
	f->reply_queued = 0;
	f->idle_reads = 0;
	assert_int_equal(exec(m, "AT+CFUN?", &r), MCRED_OK);
	/* the late OK was recognised: no wait for the abandoned answer's timeout
	 * (counted as waits of the transport, not as wall time) */
	assert_int_equal(f->idle_reads, 0);
	assert_int_equal(r.lines.count, 1);
	assert_string_equal(r.lines.lines[0], "+CFUN: 4");
	mcred_reply_free(&r);
	mcred_modem_free(m);
	free(f);
}

/* Half a command went out: it is ended and answered before the next is sent. */
static void test_half_sent_command_is_finished_first(void **state)
{
	static const char cmd[] = "AT%CMNG=0,1,0,\"-----BEGIN CERTIFICATE-----\"";
	struct fake *f = new_fake(NULL);
	struct mcred_options o;
	mcred_modem *m;
	struct mcred_reply r;
	size_t before;

	(void)state;
	mcred_options_init(&o);
	o.timeout_ms = 100;
	f->write_stall_at = 20; /* inside the quoted content */
	m = open_fake(f, &o);
	assert_int_equal(exec(m, cmd, &r), MCRED_ERR_TIMEOUT);
	assert_non_null(strstr(mcred_modem_error(m)->message, "could not send"));
	mcred_reply_free(&r);
	assert_int_equal(f->written_len, 20);

	/* The line is free again; the device rejects the half command, then OKs "AT". */
	f->write_stall_at = 0;
	f->reply = "\r\nERROR\r\n"; /* to whatever arrives first */
	f->reply_queued = 0;
	f->reply2 = "\r\nOK\r\n"; /* to what arrives next */
	before = f->written_len;
	assert_int_equal(exec(m, "AT", &r), MCRED_OK);
	/* first the quote and terminator that end the half command, then the command */
	assert_int_equal(f->written_len - before, 3 + 4);
	assert_memory_equal(f->written + before, "\"\r\nAT\r\n", 7);
	mcred_reply_free(&r);
	mcred_modem_free(m);
	free(f);
}

static void test_too_large(void **state)
{
	struct fake *f = new_fake("%CMNG: 11111111,0,\"AA\"\r\n%CMNG: 22222222,0,\"BB\"\r\nOK\r\n");
	struct mcred_options o;
	mcred_modem *m;
	struct mcred_reply r;

	(void)state;
	mcred_options_init(&o);
	o.max_response_len = 32;
	o.timeout_ms = 50;
	m = open_fake(f, &o);
	assert_int_equal(exec(m, "AT%CMNG=1", &r), MCRED_ERR_TOO_LARGE);
	assert_true(f->rx_pos == f->rx_len); /* read to the final result */
	mcred_reply_free(&r);
	/* a single line larger than the limit, and never a final result */
	f->reply = "%CMNG: 1,0,\"0123456789012345678901234567890123456789\"\r\n";
	f->reply_queued = 0;
	assert_int_equal(exec(m, "AT%CMNG=1", &r), MCRED_ERR_TIMEOUT);
	mcred_reply_free(&r);
	f->reply = "OK\r\n";
	f->reply_queued = 0;
	assert_int_equal(exec(m, "AT", &r), MCRED_OK);
	mcred_reply_free(&r);
	mcred_modem_free(m);
	free(f);
}

/* MCRED_CANCEL_NOW: the wait stops at once, long before the timeout. */
static void test_cancel(void **state)
{
	struct fake *f = new_fake(NULL);
	struct mcred_options o;
	mcred_modem *m;
	struct mcred_reply r;
	struct timespec start;

	(void)state;
	mcred_options_init(&o);
	o.timeout_ms = 5000;
	f->cancel_after = 3;
	f->cancel_how = MCRED_CANCEL_NOW;
	m = open_fake(f, &o);
	clock_gettime(CLOCK_MONOTONIC, &start);
	assert_int_equal(exec(m, "AT+CFUN?", &r), MCRED_ERR_CANCELLED);
	/* stopped at the third poll, long before the 5 s timeout (the margin is
	 * for a loaded machine) */
	assert_true(f->cancel_polls == 3);
	assert_true(elapsed_ms(&start) < 4000);
	assert_int_equal(mcred_modem_error(m)->code, MCRED_ERR_CANCELLED);
	/* it went out and was not answered: what it did is unknown */
	assert_int_equal(mcred_reply_change(&r), MCRED_CHANGE_UNKNOWN);
	mcred_reply_free(&r);
	mcred_modem_free(m);
	free(f);
}

/*
 * MCRED_CANCEL_STOP while the modem has the command: its answer is still
 * awaited and taken (what the modem did is known), and the next command is
 * not sent.
 */
static void test_cancel_finishes_the_command_in_flight(void **state)
{
	struct fake *f = new_fake(NULL);
	struct mcred_options o;
	mcred_modem *m;
	struct mcred_reply r;
	size_t before;

	(void)state;
	mcred_options_init(&o);
	o.timeout_ms = 5000;
	f->cancel_after = 2;    /* the first poll is before the first byte goes out */
	f->late = "\r\nOK\r\n"; /* after a few empty reads: the cancel came first */
	f->late_reads = 3;
	m = open_fake(f, &o);
	assert_int_equal(exec(m, "AT%CMNG=3,5,0", &r), MCRED_OK);
	assert_true(f->cancel_polls >= 2); /* asked while the answer was awaited */
	assert_int_equal(mcred_reply_change(&r), MCRED_CHANGE_MADE);
	mcred_reply_free(&r);
	before = f->written_len;
	assert_int_equal(exec(m, "AT+CFUN=1", &r), MCRED_ERR_CANCELLED);
	assert_int_equal(f->written_len, before); /* nothing sent after the cancel */
	assert_non_null(strstr(mcred_modem_error(m)->message, "before sending"));
	assert_int_equal(mcred_reply_change(&r), MCRED_CHANGE_NONE);
	mcred_reply_free(&r);
	mcred_modem_free(m);
	free(f);
}

/* A command finished after a cancel whose answer never comes: its timeout, then unknown. */
static void test_cancel_then_no_answer_within_the_timeout(void **state)
{
	struct fake *f = new_fake(NULL);
	struct mcred_options o;
	mcred_modem *m;
	struct mcred_reply r;
	struct timespec start;

	(void)state;
	mcred_options_init(&o);
	o.timeout_ms = 300;
	f->cancel_after = 2; /* once the command went out */
	m = open_fake(f, &o);
	clock_gettime(CLOCK_MONOTONIC, &start);
	assert_int_equal(exec(m, "AT%CMNG=3,5,0", &r), MCRED_ERR_CANCELLED);
	assert_true(elapsed_ms(&start) >= 290); /* its whole timeout */
	assert_non_null(strstr(mcred_modem_error(m)->message, "unknown"));
	assert_int_equal(mcred_reply_change(&r), MCRED_CHANGE_UNKNOWN);
	mcred_reply_free(&r);
	mcred_modem_free(m);
	free(f);
}

/* While the answer is awaited after MCRED_CANCEL_STOP, MCRED_CANCEL_NOW abandons it. */
static void test_cancel_now_while_finishing(void **state)
{
	struct fake *f = new_fake(NULL);
	struct mcred_options o;
	mcred_modem *m;
	struct mcred_reply r;
	struct timespec start;

	(void)state;
	mcred_options_init(&o);
	o.timeout_ms = 5000;
	f->cancel_after = 2; /* once the command went out */
	f->now_after = 5;
	m = open_fake(f, &o);
	clock_gettime(CLOCK_MONOTONIC, &start);
	assert_int_equal(exec(m, "AT%CMNG=3,5,0", &r), MCRED_ERR_CANCELLED);
	assert_int_equal(f->cancel_polls, 5);
	assert_true(elapsed_ms(&start) < 4000);
	assert_int_equal(mcred_reply_change(&r), MCRED_CHANGE_UNKNOWN);
	mcred_reply_free(&r);
	mcred_modem_free(m);
	free(f);
}

/* What a reply says of the change its command asked for. */
static void test_reply_change(void **state)
{
	struct mcred_reply r;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.final = MCRED_LINE_INFO;
	assert_int_equal(mcred_reply_change(&r), MCRED_CHANGE_NONE); /* never sent */
	r.sent = 1;
	assert_int_equal(mcred_reply_change(&r), MCRED_CHANGE_UNKNOWN);
	r.final = MCRED_LINE_OK;
	assert_int_equal(mcred_reply_change(&r), MCRED_CHANGE_MADE);
	r.final = MCRED_LINE_CME_ERROR;
	assert_int_equal(mcred_reply_change(&r), MCRED_CHANGE_NONE);
	r.final = MCRED_LINE_ERROR;
	assert_int_equal(mcred_reply_change(&r), MCRED_CHANGE_NONE);
	r.final = MCRED_LINE_SHELL_FAILED;
	r.code = 7; /* E2BIG: carried out, its answer did not fit */
	assert_int_equal(mcred_reply_change(&r), MCRED_CHANGE_UNKNOWN);
	r.code = 8;
	assert_int_equal(mcred_reply_change(&r), MCRED_CHANGE_NONE);
}

/* After Ctrl-C the abandoned command's OK must not answer the next command. */
static void test_late_answer_after_cancel_not_taken(void **state)
{
	struct fake *f = new_fake(NULL);
	struct mcred_options o;
	mcred_modem *m;
	struct mcred_reply r;

	(void)state;
	mcred_options_init(&o);
	o.timeout_ms = 2000;
	f->cancel_after = 2;
	f->cancel_how = MCRED_CANCEL_NOW;
	m = open_fake(f, &o);
	assert_int_equal(exec(m, "AT+CFUN?", &r), MCRED_ERR_CANCELLED);
	mcred_reply_free(&r);

	f->cancel_after = 0;
	f->late = "\r\n+CFUN: 1\r\n\r\nOK\r\n";
	f->late_reads = 3;
	f->reply = "\r\n+CMEE: 1\r\n\r\nERROR\r\n";
	f->reply_queued = 0;
	assert_int_equal(exec(m, "AT+CMEE?", &r), MCRED_ERR_MODEM);
	assert_int_equal(r.lines.count, 1);
	assert_string_equal(r.lines.lines[0], "+CMEE: 1");
	assert_int_equal(f->urc_count, 0); /* the stale +CFUN line is no URC either */
	mcred_reply_free(&r);
	mcred_modem_free(m);
	free(f);
}

/*
 * A quoted command abandoned early (MCRED_CANCEL_NOW) whose late answer
 * comes: the device read it whole, so the next command goes out alone,
 * without the link recovery's bytes and query (issue 16: two round trips
 * saved per Ctrl-C).
 */
static void test_early_abandoned_quoted_command_late_answer_saves_the_recovery(void **state)
{
	struct fake *f = new_fake(NULL);
	struct mcred_options o;
	mcred_modem *m;
	struct mcred_reply r;
	size_t before;

	(void)state;
	mcred_options_init(&o);
	o.timeout_ms = 2000;
	f->cancel_after = 2;
	f->cancel_how = MCRED_CANCEL_NOW;
	m = open_fake(f, &o);
	assert_int_equal(exec(m, "AT%CMNG=0,5,0,\"abc\"", &r), MCRED_ERR_CANCELLED);
	mcred_reply_free(&r);
	f->cancel_after = 0;
	f->late = "\r\nOK\r\n";
	f->late_reads = 2;
	f->reply = "\r\nOK\r\n";
	f->reply_queued = 0;
	before = f->written_len;
	assert_int_equal(exec(m, "AT+CFUN=1", &r), MCRED_OK);
	assert_int_equal(f->written_len - before, strlen("AT+CFUN=1\r\n"));
	assert_memory_equal(f->written + before, "AT+CFUN=1\r\n", f->written_len - before);
	mcred_reply_free(&r);
	mcred_modem_free(m);
	free(f);
}

/* The same without a late answer: the link is recovered before the next command. */
static void test_early_abandoned_quoted_command_without_answer_is_recovered(void **state)
{
	struct fake *f = new_fake(NULL);
	struct mcred_options o;
	mcred_modem *m;
	struct mcred_reply r;
	size_t before;

	(void)state;
	mcred_options_init(&o);
	o.timeout_ms = 300;
	f->cancel_after = 2;
	f->cancel_how = MCRED_CANCEL_NOW;
	m = open_fake(f, &o);
	assert_int_equal(exec(m, "AT%CMNG=0,5,0,\"abc\"", &r), MCRED_ERR_CANCELLED);
	mcred_reply_free(&r);
	f->cancel_after = 0;
	f->reply = "\r\nERROR\r\n+CMEE: 0\r\nOK\r\n"; /* the recovery's, then its query's */
	f->reply_queued = 0;
	f->reply2 = "\r\nOK\r\n";
	before = f->written_len;
	assert_int_equal(exec(m, "AT+CFUN=1", &r), MCRED_OK);
	assert_memory_equal(f->written + before, "\x7f\x7f\x7f\"xx\"\x7f\r\nAT+CMEE?\r\n", 18);
	mcred_reply_free(&r);
	mcred_modem_free(m);
	free(f);
}

static void test_shell_escaping(void **state)
{
	static const char cmd[] = "AT%CMNG=0,1,0,\"a\\b\r\nc\"";
	/* a backslash goes as \x5c (the shell unescapes \x), CR LF as \n */
	static const char wire[] = "at 'AT%CMNG=0,1,0,\"a\\x5cb\\nc\"'\r\n";
	struct fake *f = new_fake("uart:~$ at 'AT%CMNG=0,1,0,\"a\\x5cb\\nc\"'\r\nOK\r\n"
				  "\x1b[1;32muart:~$ \x1b[m");
	struct mcred_options o;
	mcred_modem *m;
	struct mcred_reply r;

	(void)state;
	mcred_options_init(&o);
	o.shell = 1;
	m = open_fake(f, &o);
	assert_int_equal(mcred_wire_length(&m->opts, cmd, strlen(cmd)), strlen(wire));
	assert_int_equal(exec(m, cmd, &r), MCRED_OK);
	assert_int_equal(r.lines.count, 0);
	/* Ctrl-U first: a half line in the shell's buffer is gone */
	assert_int_equal(f->written_len, 1 + strlen(wire));
	assert_memory_equal(f->written, "\x15", 1);
	assert_memory_equal(f->written + 1, wire, strlen(wire));
	mcred_reply_free(&r);
	/* the pending prompt does not disturb the next answer */
	f->reply = "at 'AT+CFUN?'\r\n+CFUN: 4\r\nOK\r\n";
	f->reply_queued = 0;
	assert_int_equal(exec(m, "AT+CFUN?", &r), MCRED_OK);
	assert_int_equal(r.lines.count, 1);
	assert_string_equal(r.lines.lines[0], "+CFUN: 4");
	mcred_reply_free(&r);
	mcred_modem_free(m);
	free(f);
}

static void test_terminators(void **state)
{
	static const struct {
		enum mcred_term term;
		const char *wire;
		size_t len;
	} cases[] = {
		{ MCRED_TERM_CRLF, "AT\r\n", 4 },
		{ MCRED_TERM_CR, "AT\r", 3 },
		{ MCRED_TERM_LF, "AT\n", 3 },
		{ MCRED_TERM_NUL, "AT\0", 3 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fake *f = new_fake("OK\r\n");
		struct mcred_options o;
		mcred_modem *m;
		struct mcred_reply r;

		mcred_options_init(&o);
		o.terminator = cases[i].term;
		f->write_chunk = 1; /* partial writes are completed */
		m = open_fake(f, &o);
		assert_int_equal(exec(m, "AT", &r), MCRED_OK);
		assert_int_equal(f->written_len, cases[i].len);
		assert_memory_equal(f->written, cases[i].wire, cases[i].len);
		mcred_reply_free(&r);
		mcred_modem_free(m);
		free(f);
	}
}

static void test_overlong_command_not_sent(void **state)
{
	struct fake *f = new_fake("OK\r\n");
	struct mcred_options o;
	mcred_modem *m;
	struct mcred_reply r;

	(void)state;
	mcred_options_init(&o);
	o.max_command_len = 17; /* the device's buffer, with room for its NUL */
	m = open_fake(f, &o);
	/* 15 characters + CRLF = 17 bytes on the wire: one too many */
	assert_int_equal(exec(m, "AT%CMNG=1,12345", &r), MCRED_ERR_INVALID_ARG);
	assert_int_equal(f->written_len, 0);
	assert_non_null(strstr(mcred_modem_error(m)->message, "17 bytes on the wire"));
	assert_non_null(strstr(mcred_modem_error(m)->message, "at most 16"));
	mcred_reply_free(&r);
	/* exactly what fits is fine */
	assert_int_equal(exec(m, "AT%CMNG=1,1234", &r), MCRED_OK);
	assert_int_equal(f->written_len, 16);
	mcred_reply_free(&r);
	mcred_modem_free(m);
	free(f);
}

static void test_trace_shows_redacted_command(void **state)
{
	static const char cmd[] = "AT%CMNG=0,7,3,\"SECRETSECRET\"";
	static const char shown[] = "AT%CMNG=0,7,3,\"<redacted 12 bytes>\"";
	struct fake *f = new_fake("+CME ERROR: 518\r\n");
	mcred_modem *m = open_fake(f, NULL);
	struct mcred_reply r;

	(void)state;
	assert_int_equal(mcred_at_exec(m, cmd, strlen(cmd), shown, 0, &r), MCRED_ERR_CME);
	assert_true(f->trace_count >= 2);
	assert_int_equal(f->trace_dirs[0], MCRED_TRACE_TX);
	assert_string_equal(f->traces[0], shown);
	assert_int_equal(f->trace_dirs[1], MCRED_TRACE_RX);
	assert_string_equal(f->traces[1], "+CME ERROR: 518");
	for (int i = 0; i < f->trace_count; i++)
		assert_null(strstr(f->traces[i], "SECRET"));
	assert_null(strstr(mcred_modem_error(m)->message, "SECRET"));
	assert_non_null(strstr(mcred_modem_error(m)->message, "518"));
	mcred_reply_free(&r);
	mcred_modem_free(m);
	free(f);
}

/* A modem with echo on (ATE1) sends the secret back: the trace must not show it. */
static void test_echoed_secret_is_redacted_in_trace(void **state)
{
	static const char cmd[] = "AT%CMNG=0,7,3,\"SECRETSECRET\"";
	static const char shown[] = "AT%CMNG=0,7,3,\"<redacted 12 bytes>\"";
	struct fake *f = new_fake("AT%CMNG=0,7,3,\"SECRETSECRET\"\r\r\nOK\r\n");
	mcred_modem *m = open_fake(f, NULL);
	struct mcred_reply r;

	(void)state;
	assert_int_equal(mcred_at_exec(m, cmd, strlen(cmd), shown, 0, &r), MCRED_OK);
	assert_int_equal(r.lines.count, 0);
	assert_true(f->trace_count >= 3);
	for (int i = 0; i < f->trace_count; i++)
		assert_null(strstr(f->traces[i], "SECRET"));
	mcred_reply_free(&r);
	mcred_modem_free(m);
	free(f);
}

/* Console noise (log lines, "*** ... ***") is never an answer's information line. */
static void test_console_noise_is_no_answer(void **state)
{
	struct fake *f = new_fake("[00:00:00.123,456] <inf> at_host: AT host started\r\n"
				  "*** Using Zephyr OS v3.5.99-ncs1 ***\r\n"
				  "<wrn> modem: low battery\r\n"
				  "352656100123456\r\nOK\r\n");
	mcred_modem *m = open_fake(f, NULL);
	struct mcred_reply r;

	(void)state;
	assert_int_equal(exec(m, "AT+CGSN", &r), MCRED_OK);
	assert_int_equal(r.lines.count, 1);
	assert_string_equal(r.lines.lines[0], "352656100123456");
	assert_int_equal(f->urc_count, 0);
	mcred_reply_free(&r);
	mcred_modem_free(m);
	free(f);
}

/* A boot banner during a command: the answer is lost, the restart is counted and told. */
static void test_banner_during_command(void **state)
{
	struct fake *f = new_fake("*** Booting nRF Connect SDK v2.6.0 ***\r\n"
				  "The AT host sample started\r\nReady\r\n");
	struct mcred_options o;
	mcred_modem *m;
	struct mcred_reply r;
	int noted = 0;

	(void)state;
	mcred_options_init(&o);
	o.timeout_ms = 100;
	m = open_fake(f, &o);
	assert_int_equal(exec(m, "AT+CGSN", &r), MCRED_ERR_PROTOCOL);
	assert_int_equal(r.lines.count, 0);
	assert_non_null(strstr(mcred_modem_error(m)->message, "restarted"));
	assert_int_equal(mcred_modem_restarts(m), 1);
	assert_int_equal(f->urc_count, 3);
	assert_string_equal(f->urcs[2], "Ready");
	for (int i = 0; i < f->trace_count; i++)
		noted += strstr(f->traces[i], "the modem restarted") != NULL;
	assert_int_equal(noted, 1);
	mcred_reply_free(&r);
	/* the next command runs as usual */
	f->reply2 = "OK\r\n";
	assert_int_equal(exec(m, "AT", &r), MCRED_OK);
	mcred_reply_free(&r);
	mcred_modem_free(m);
	free(f);
}

/*
 * The tail of a line that began before the command was sent (a process that
 * opened the port in the middle of a URC) is no part of the answer.
 */
static void test_line_begun_before_command_is_no_answer(void **state)
{
	struct fake *f = new_fake("EEP: 1,0\r\n352656100123456\r\nOK\r\n");
	mcred_modem *m;
	struct mcred_reply r;

	(void)state;
	queue_rx(f, "XMODEMSL", 8);
	m = open_fake(f, NULL);
	assert_int_equal(exec(m, "AT+CGSN", &r), MCRED_OK);
	assert_int_equal(r.lines.count, 1);
	assert_string_equal(r.lines.lines[0], "352656100123456");
	mcred_reply_free(&r);
	mcred_modem_free(m);
	free(f);
}

/* A slow modem with ATE1 echoes the previous command with this one's answer. */
static void test_late_echo_of_previous_command_is_no_answer(void **state)
{
	struct fake *f = new_fake("AT+CGSN\r\n352656100123456\r\nOK\r\n");
	mcred_modem *m = open_fake(f, NULL);
	struct mcred_reply r;

	(void)state;
	f->reply2 = "AT+CGSN\r\nnRF9160-SICA\r\nOK\r\n";
	assert_int_equal(exec(m, "AT+CGSN", &r), MCRED_OK);
	mcred_reply_free(&r);
	assert_int_equal(exec(m, "AT+CGMM", &r), MCRED_OK);
	assert_int_equal(r.lines.count, 1);
	assert_string_equal(r.lines.lines[0], "nRF9160-SICA");
	mcred_reply_free(&r);
	mcred_modem_free(m);
	free(f);
}

/* A shell's prompt waiting for the command has begun no line: the answer is whole. */
static void test_prompt_before_command_is_no_stale_line(void **state)
{
	struct fake *f = new_fake("at 'AT+CGSN'\r\n352656100123456\r\nOK\r\nuart:~$ ");
	struct mcred_options o;
	mcred_modem *m;
	struct mcred_reply r;

	(void)state;
	mcred_options_init(&o);
	o.shell = 1;
	queue_rx(f, "uart:~$ ", 8);
	m = open_fake(f, &o);
	assert_int_equal(exec(m, "AT+CGSN", &r), MCRED_OK);
	assert_int_equal(r.lines.count, 1);
	assert_string_equal(r.lines.lines[0], "352656100123456");
	mcred_reply_free(&r);
	mcred_modem_free(m);
	free(f);
}

/* A long command met silence: the message names the device's buffer limit. */
static void test_timeout_after_long_command_names_the_limit(void **state)
{
	struct fake *f = new_fake(NULL);
	struct mcred_options o;
	mcred_modem *m;
	struct mcred_reply r;
	const char *msg;

	(void)state;
	mcred_options_init(&o);
	o.timeout_ms = 50;
	o.max_command_len = 64;
	m = open_fake(f, &o);
	assert_int_equal(exec(m, "AT%CMNG=0,1,0,\"0123456789012345678901234567890123\"", &r),
			 MCRED_ERR_TIMEOUT);
	msg = mcred_modem_error(m)->message;
	assert_non_null(strstr(msg, "max_command_len"));
	assert_non_null(strstr(msg, "CONFIG_AT_HOST_CMD_MAX_LEN"));
	assert_null(strstr(msg, "--max-command")); /* library words, not the tool's */
	mcred_reply_free(&r);
	/* a short command that meets silence is another story */
	assert_int_equal(exec(m, "AT+CGSN", &r), MCRED_ERR_TIMEOUT);
	assert_null(strstr(mcred_modem_error(m)->message, "max_command_len"));
	mcred_reply_free(&r);
	mcred_modem_free(m);
	free(f);
}

static void test_io_error(void **state)
{
	struct fake *f = new_fake(NULL);
	mcred_modem *m = open_fake(f, NULL);
	struct mcred_reply r;

	(void)state;
	f->fail_reads = 1;
	assert_int_equal(exec(m, "AT", &r), MCRED_ERR_IO);
	mcred_reply_free(&r);
	mcred_modem_free(m);
	free(f);
}

static void test_raw_at(void **state)
{
	struct fake *f = new_fake("mfw_nrf9160_1.3.5\r\nOK\r\n");
	mcred_modem *m = open_fake(f, NULL);
	struct mcred_lines *lines = NULL;

	(void)state;
	assert_int_equal(mcred_at(m, "CGMR", &lines), MCRED_ERR_INVALID_ARG);
	assert_null(lines);
	assert_non_null(strstr(mcred_modem_error(m)->message, "AT"));
	assert_int_equal(mcred_at(m, "AT+CGMR\r\nAT+CGSN", &lines), MCRED_ERR_INVALID_ARG);
	assert_int_equal(mcred_at(m, "AT%CMNG=0,1,0,\"abc", &lines), MCRED_ERR_INVALID_ARG);
	assert_int_equal(f->written_len, 0);
	assert_int_equal(mcred_at(m, "at+cgmr", &lines), MCRED_OK);
	assert_non_null(lines);
	assert_int_equal(lines->count, 1);
	assert_string_equal(lines->lines[0], "mfw_nrf9160_1.3.5");
	mcred_lines_free(lines);
	/* a line break inside quotes is content, not a second command */
	f->reply = "OK\r\n";
	f->reply_queued = 0;
	assert_int_equal(mcred_at(m, "AT%CMNG=0,1,4,\"id\r\nx\"", &lines), MCRED_OK);
	mcred_lines_free(lines);
	mcred_lines_free(NULL);
	mcred_modem_free(m);
	free(f);
}

/* Send command through mcred_at() to a modem answering answer; the traces and message. */
static void raw_at_on_fake(struct fake *f, mcred_modem *m, const char *command, const char *answer,
			   enum mcred_err expected)
{
	f->reply = answer;
	f->reply_queued = 0;
	f->trace_count = 0;
	assert_int_equal(mcred_at(m, command, NULL), expected);
}

static int traces_hold(const struct fake *f, const char *text)
{
	for (int i = 0; i < f->trace_count; i++)
		if (strstr(f->traces[i], text))
			return 1;
	return 0;
}

/*
 * A raw %CMNG write in a form other than the canonical one still carries
 * its content: spaces around '=', a chained command, content without
 * quotes, a type the library never writes, a command of the
 * device's own application that names CMNG (#XCMNG). Neither the trace
 * (also of the modem's echo) nor the message shows any of it.
 */
static void test_raw_cmng_forms_keep_content_out_of_traces(void **state)
{
	static const char *const forms[] = {
		"AT%CMNG = 0,106,3,\"SECRETSECRET\"", "AT+CFUN?;%CMNG=0,107,3,\"SECRETSECRET\"",
		"AT%CMNG=0,108,3,SECRETSECRET",       "AT%CMNG=0,104,9,\"SECRETSECRET\"",
		"AT%CMNG=0, 105,3,\"SECRETSECRET\"",  "AT%CMNG=0,109,3,\"SECRETSECRET\";+CFUN?",
		"AT#XCMNG=0,110,3,\"SECRETSECRET\"",
	};
	struct fake *f = new_fake(NULL);
	mcred_modem *m = open_fake(f, NULL);
	char echo[128];

	(void)state;
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		raw_at_on_fake(f, m, forms[i], "ERROR\r\n", MCRED_ERR_MODEM);
		assert_false(traces_hold(f, "SECRET"));
		assert_true(traces_hold(f, "CMNG"));
		assert_null(strstr(mcred_modem_error(m)->message, "SECRET"));
		/* a modem with echo on (ATE1) repeats it */
		snprintf(echo, sizeof(echo), "%s\r\r\nOK\r\n", forms[i]);
		raw_at_on_fake(f, m, forms[i], echo, MCRED_OK);
		assert_false(traces_hold(f, "SECRET"));
	}
	/* lists, reads and deletes carry no content: shown as they are */
	raw_at_on_fake(f, m, "AT%CMNG=1", "OK\r\n", MCRED_OK);
	assert_string_equal(f->traces[0], "AT%CMNG=1");
	raw_at_on_fake(f, m, "AT%CMNG = 3,16842753,0", "OK\r\n", MCRED_OK);
	assert_string_equal(f->traces[0], "AT%CMNG = 3,16842753,0");
	raw_at_on_fake(f, m, "AT+CFUN=4;%CMNG=2,12,0", "OK\r\n", MCRED_OK);
	assert_string_equal(f->traces[0], "AT+CFUN=4;%CMNG=2,12,0");
	/* a certificate in the canonical form too */
	raw_at_on_fake(f, m, "AT%CMNG=0,12,0,\"CERT\"", "OK\r\n", MCRED_OK);
	assert_string_equal(f->traces[0], "AT%CMNG=0,12,0,\"CERT\"");
	mcred_modem_free(m);
	free(f);
}

/*
 * A raw command that is no AT command may be anything the caller holds, a
 * key or a PSK passed by mistake: the message does not repeat it. Control
 * bytes are refused before anything is sent: the AT host takes backspace
 * and DEL as edits, so what ran would not be what was checked and traced.
 */
static void test_raw_at_refusals_quote_nothing(void **state)
{
	static const char *const not_at[] = {
		"SECRETSECRET",
		"%CMNG=0,1,3,\"SECRETSECRET\"",
		"-----BEGIN PRIVATE KEY-----\nSECRETSECRET",
	};
	static const char *const controls[] = {
		"AT+CFUN=1\b4",
		"AT%CMNG=3,1,0\x7f",
		"AT\x1b+CGMR",
		"AT%CMNG=0,1,0,\"A\bB\"",
	};
	struct fake *f = new_fake("OK\r\n");
	mcred_modem *m = open_fake(f, NULL);

	(void)state;
	for (size_t i = 0; i < sizeof(not_at) / sizeof(not_at[0]); i++) {
		assert_int_equal(mcred_at(m, not_at[i], NULL), MCRED_ERR_INVALID_ARG);
		assert_null(strstr(mcred_modem_error(m)->message, "SECRET"));
		assert_non_null(strstr(mcred_modem_error(m)->message, "starts with \"AT\""));
	}
	for (size_t i = 0; i < sizeof(controls) / sizeof(controls[0]); i++) {
		assert_int_equal(mcred_at(m, controls[i], NULL), MCRED_ERR_INVALID_ARG);
		assert_non_null(strstr(mcred_modem_error(m)->message, "control byte"));
	}
	assert_int_equal(f->written_len, 0);
	/* a tab and line breaks inside quotes are content */
	assert_int_equal(mcred_at(m, "AT%CMNG=0,1,4,\"a\tb\r\nc\"", NULL), MCRED_OK);
	mcred_modem_free(m);
	free(f);
}

static void test_open_transport_checks(void **state)
{
	struct mcred_transport t = transport_of(NULL, fake_write, NULL, NULL);
	struct mcred_error err;
	mcred_modem *m = (mcred_modem *)&t;
	struct mcred_options o;

	(void)state;
	assert_int_equal(mcred_modem_open_transport(&m, &t, NULL, &err), MCRED_ERR_INVALID_ARG);
	assert_null(m);
	assert_int_equal(err.code, MCRED_ERR_INVALID_ARG);
	mcred_options_init(&o);
	o.terminator = (enum mcred_term)9;
	t.read = fake_read;
	assert_int_equal(mcred_modem_open_transport(&m, &t, &o, &err), MCRED_ERR_INVALID_ARG);
	assert_null(m);
	assert_int_equal(mcred_modem_open(&m, "", NULL, &err), MCRED_ERR_INVALID_ARG);
	assert_non_null(strstr(err.message, "no serial port given"));
	/* a missing out is named as such, not blamed on the port or transport */
	assert_int_equal(mcred_modem_open(NULL, "/dev/ttyACM0", NULL, &err), MCRED_ERR_INVALID_ARG);
	assert_non_null(strstr(err.message, "out is NULL"));
	assert_int_equal(mcred_modem_open_transport(NULL, &t, NULL, &err), MCRED_ERR_INVALID_ARG);
	assert_non_null(strstr(err.message, "out is NULL"));
	assert_int_equal(mcred_modem_error(NULL)->code, MCRED_ERR_INVALID_ARG);
	mcred_modem_free(NULL);
}

static void test_defaults(void **state)
{
	struct mcred_options o;

	(void)state;
	mcred_options_init(&o);
	mcred_options_apply_defaults(&o);
	assert_int_equal(o.baud, 115200);
	assert_int_equal(o.timeout_ms, 10000);
	assert_int_equal(o.max_command_len, 4096);
	assert_int_equal(o.max_response_len, 65536);
	assert_int_equal(o.terminator, MCRED_TERM_CRLF);
	assert_int_equal(mcred_wire_length(&o, "AT", 2), 4);
}

static void test_open_missing_port(void **state)
{
	struct mcred_error err;
	mcred_modem *m = NULL;

	(void)state;
	assert_int_equal(mcred_modem_open(&m, "/dev/ttyNOSUCHPORT9", NULL, &err), MCRED_ERR_PORT);
	assert_null(m);
	assert_non_null(strstr(err.message, "/dev/ttyNOSUCHPORT9"));
	assert_non_null(strstr(err.message, "is the kit connected?"));
	assert_null(strstr(err.message, "modemcred")); /* library words, not the tool's */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines_and_ok),
		cmocka_unit_test(test_silence_after_answers_blames_no_port),
		cmocka_unit_test(test_overlong_read_is_an_error),
		cmocka_unit_test(test_transport_that_does_not_wait_is_not_spun),
		cmocka_unit_test(test_read_example_byte_by_byte),
		cmocka_unit_test(test_cme_error),
		cmocka_unit_test(test_cms_and_bare_error),
		cmocka_unit_test(test_urcs_go_to_callback_only),
		cmocka_unit_test(test_echo_skipped),
		cmocka_unit_test(test_timeout_then_late_answer_ignored),
		cmocka_unit_test(test_timeout_inside_quotes_then_late_tail),
		cmocka_unit_test(test_half_sent_command_is_finished_first),
		cmocka_unit_test(test_too_large),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_cancel_finishes_the_command_in_flight),
		cmocka_unit_test(test_cancel_then_no_answer_within_the_timeout),
		cmocka_unit_test(test_cancel_now_while_finishing),
		cmocka_unit_test(test_reply_change),
		cmocka_unit_test(test_late_answer_after_cancel_not_taken),
		cmocka_unit_test(
			test_early_abandoned_quoted_command_late_answer_saves_the_recovery),
		cmocka_unit_test(test_early_abandoned_quoted_command_without_answer_is_recovered),
		cmocka_unit_test(test_shell_escaping),
		cmocka_unit_test(test_terminators),
		cmocka_unit_test(test_overlong_command_not_sent),
		cmocka_unit_test(test_echoed_secret_is_redacted_in_trace),
		cmocka_unit_test(test_transport_write_that_does_not_wait_is_not_spun),
		cmocka_unit_test(test_raw_cmng_forms_keep_content_out_of_traces),
		cmocka_unit_test(test_raw_at_refusals_quote_nothing),
		cmocka_unit_test(test_trace_shows_redacted_command),
		cmocka_unit_test(test_console_noise_is_no_answer),
		cmocka_unit_test(test_banner_during_command),
		cmocka_unit_test(test_line_begun_before_command_is_no_answer),
		cmocka_unit_test(test_timeout_after_long_command_names_the_limit),
		cmocka_unit_test(test_prompt_before_command_is_no_stale_line),
		cmocka_unit_test(test_late_echo_of_previous_command_is_no_answer),
		cmocka_unit_test(test_io_error),
		cmocka_unit_test(test_raw_at),
		cmocka_unit_test(test_open_transport_checks),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_open_missing_port),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
