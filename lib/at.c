/*
 * The AT engine: encode one command for the wire, send it, and collect its
 * answer until the final result, with every wait bounded by the deadline.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "at.h"
#include "at_parser.h"
#include "content.h"
#include "defaults.h"
#include "error.h"
#include "handle.h"
#include "at_shell.h"
#include "at_screen.h"
#include "util.h"
#include "at_wire.h"
#include "cmng_check.h"

/* Longest single wait, so the cancel callback is polled often enough. */
#define READ_SLICE_MS 100u
/* Commands quoted in messages are cut to about this many characters. */
#define MESSAGE_COMMAND_MAX 60u
/* Bytes read per transport call. */
#define READ_CHUNK 512u
/* Draining stale input before a command gives up after this many reads. */
#define DRAIN_MAX_READS 64u

static long long now_ms(void)
{
	return mcred_now_ms();
}

/* now + ms, but never later than the handle's wait cap. */
static long long deadline_in(const mcred_modem *m, unsigned ms)
{
	long long deadline = now_ms() + ms;

	return m->wait_cap && deadline > m->wait_cap ? m->wait_cap : deadline;
}

/*
 * How long n bytes take on the line at the handle's baud rate (8N1: ten
 * bits a byte), rounded up. A timeout is the modem's time to answer: at a
 * low rate a long command or answer needs more than that just to cross.
 */
static long long line_time_ms(const mcred_modem *m, size_t n)
{
	unsigned long long baud = m->opts.baud ? m->opts.baud : 115200u;

	return (long long)(((unsigned long long)n * 10000u + baud - 1) / baud);
}

static unsigned remaining_ms(long long deadline)
{
	long long left = deadline - now_ms();

	return left > 0 ? (unsigned)left : 0;
}

/* ---- messages -------------------------------------------------------------- */

/*
 * A printable, shortened form of a command for error messages: up to its
 * first quoted parameter, which is shown as "..." (content stays out of
 * messages, whatever it is).
 */
static void abbreviate(const char *cmd, char *out, size_t out_len)
{
	const char *quote = strchr(cmd, '"');
	size_t len = quote ? (size_t)(quote - cmd) + 1 : strlen(cmd);
	size_t keep = len > MESSAGE_COMMAND_MAX ? MESSAGE_COMMAND_MAX - 3 : len;
	size_t i;

	if (keep + 5 > out_len)
		keep = out_len - 5;
	for (i = 0; i < keep; i++)
		out[i] = isprint((unsigned char)cmd[i]) ? cmd[i] : '.';
	if (keep < strlen(cmd)) {
		memcpy(out + i, quote && keep == len ? "...\"" : "...", 4);
		i += quote && keep == len ? 4 : 3;
	}
	out[i] = '\0';
}

/* ---- the answer being collected ------------------------------------------- */

struct exchange {
	mcred_modem *m;
	const char *cmd;       /* command in flight, NULL while draining */
	const char *trace_cmd; /* what traces show of it (secrets redacted) */
	struct mcred_reply *reply;
	size_t wire_len; /* bytes the command took on the wire */
	size_t info_bytes;
	int final_seen;
	int too_large;
	int nomem;
	int restarted;       /* a boot banner came before the final result */
	size_t answer_bytes; /* answer lines so far, as "<line>\r\n" on the wire */
	size_t received;     /* bytes received while waiting, for their line time */
	/* shell mode: finds where the answer begins, after the echo (typed NULL: off) */
	struct mcred_shell_reader shell;
	int before_echo; /* a row printed before the echo is being sorted: no answer */
	int cut_off;     /* the answer filled the device's buffer, no final result */
	/*
	 * A command of the caller's (not a late answer awaited or a recovery):
	 * once the device has it, a cancel lets it finish (check_cancel);
	 * finishing: a cancel came while its answer was awaited.
	 */
	int finish_on_cancel;
	int finishing;
	/*
	 * Resynchronising: only a final result after an information line that
	 * starts with this counts; earlier ones are strays (late answers, the
	 * refusal of what the recovery ended), counted here.
	 */
	const char *marker;
	unsigned strays, stray_refusals;
};

/*
 * Once content was sent on the handle, what stands in for a received line
 * that might hold part of it, in traces and in the answer (so a parser that
 * quotes a line it does not understand quotes this).
 */
static const char withheld_line[] = "<line withheld: it may hold content sent earlier>";
static const char withheld_echo[] = "<echo of an earlier command withheld>";
static const char restart_note[] = "<the modem restarted: functional mode and CMEE are "
				   "back to their power-on values>";
static const char start_note[] = "<a boot banner before the first answer: the device "
				 "starting as the port was opened, unless this command "
				 "gets no answer>";

/*
 * Private key material never reaches a trace, whatever carries it: a key
 * written as another type is redacted by its command's trace form, and
 * this catches the rest (a read of a slot that holds a key, a raw command).
 */
static const char withheld_key[] = "<line withheld: it holds private key material>";

static void trace(mcred_modem *m, enum mcred_trace_dir dir, const char *text, size_t len)
{
	if (!m->opts.trace_cb)
		return;
	if (mcred_content_holds_key(text, len)) {
		text = withheld_key;
		len = sizeof(withheld_key) - 1;
	}
	m->at.in_callback++;
	m->opts.trace_cb(dir, text, len, m->opts.trace_user);
	m->at.in_callback--;
}

static void trace_text(mcred_modem *m, const char *text)
{
	trace(m, MCRED_TRACE_RX, text, strlen(text));
}

void mcred_at_trace_note(mcred_modem *m, const char *note)
{
	trace_text(m, note);
}

static void keep_info_line(struct exchange *x, const char *line, size_t len)
{
	struct mcred_lines *l = &x->reply->lines;
	char **grown;
	char *copy;

	if (x->too_large || x->nomem)
		return;
	if (x->info_bytes + len > x->m->opts.max_response_len) {
		x->too_large = 1;
		return;
	}
	grown = realloc(l->lines, (l->count + 1) * sizeof(*l->lines));
	copy = malloc(len + 1);
	if (grown)
		l->lines = grown;
	if (!grown || !copy) {
		free(copy);
		x->nomem = 1;
		return;
	}
	memcpy(copy, line, len);
	copy[len] = '\0';
	l->lines[l->count++] = copy;
	x->info_bytes += len;
}

static void call_urc_cb(mcred_modem *m, const char *line)
{
	m->at.in_callback++;
	m->opts.urc_cb(line, m->opts.urc_user);
	m->at.in_callback--;
}

static void deliver_urc(mcred_modem *m, const char *line, size_t len)
{
	char *copy;

	if (!m->opts.urc_cb)
		return;
	/* The callback wants a string: give it one that ends where the line does. */
	if (line[len] == '\0') {
		call_urc_cb(m, line);
		return;
	}
	copy = malloc(len + 1);
	if (!copy)
		return;
	memcpy(copy, line, len);
	copy[len] = '\0';
	call_urc_cb(m, copy);
	free(copy);
}

int mcred_at_in_callback(const mcred_modem *m)
{
	return m && m->at.in_callback > 0;
}

int mcred_at_cancel_asked(mcred_modem *m)
{
	int asked;

	if (!m->opts.cancel_cb)
		return 0;
	m->at.in_callback++;
	asked = m->opts.cancel_cb(m->opts.cancel_user);
	m->at.in_callback--;
	return asked;
}

static int marker_seen(const struct exchange *x)
{
	const struct mcred_lines *l = &x->reply->lines;
	size_t n = strlen(x->marker);

	for (size_t i = 0; i < l->count; i++)
		if (strncmp(l->lines[i], x->marker, n) == 0)
			return 1;
	return 0;
}

/* A stray final result while resynchronising: forget what it ended. */
static void drop_stray_answer(struct exchange *x)
{
	mcred_reply_free(x->reply);
	x->info_bytes = 0;
	x->answer_bytes = 0;
	x->too_large = 0;
	x->nomem = 0;
}

static void record_final(struct exchange *x, enum mcred_line_kind kind, int code)
{
	if (x->marker && !marker_seen(x)) {
		x->strays++;
		x->stray_refusals += kind != MCRED_LINE_OK;
		drop_stray_answer(x);
		return;
	}
	x->final_seen = 1;
	x->reply->final = kind;
	x->reply->code = code;
	x->m->at.answered = 1;
	x->m->at.boots_before_answer = 0; /* the started device took the command */
}

/* No answer after a banner before the handle's first answer: it was a restart. */
static void count_boots_before_answer(mcred_modem *m)
{
	if (m->at.boots_before_answer)
		trace_text(m, restart_note);
	m->at.restarts += m->at.boots_before_answer;
	m->at.boots_before_answer = 0;
}

/* A final result as the modem's fixed words, without anything else on its line. */
static void trace_final(mcred_modem *m, enum mcred_line_kind kind, int code)
{
	char text[32];

	switch (kind) {
	case MCRED_LINE_OK: snprintf(text, sizeof(text), "OK"); break;
	case MCRED_LINE_CME_ERROR:
	case MCRED_LINE_CMS_ERROR:
		snprintf(text, sizeof(text), code >= 0 ? "+%s ERROR: %d" : "+%s ERROR",
			 kind == MCRED_LINE_CME_ERROR ? "CME" : "CMS", code);
		break;
	default: snprintf(text, sizeof(text), "ERROR"); break;
	}
	trace_text(m, text);
}

/*
 * A boot banner line: the modem lost its state. One restart per banner
 * (it ends with "Ready"). A command in flight fails unless its final result
 * still follows (then the restarted modem received it whole).
 *
 * Before the handle's first answer, a banner is the device's start as the
 * port was opened (a Serial LTE Modem says "Ready" then), unless the command
 * it came with then gets no answer: it is held apart (boots_before_answer),
 * dropped when that answer comes, counted as a restart when it does not.
 */
static void on_banner(struct exchange *x, const char *line, size_t len, int in_flight)
{
	mcred_modem *m = x->m;

	trace(m, MCRED_TRACE_RX, line, len);
	deliver_urc(m, line, len);
	if (!m->at.in_banner) {
		if (m->at.answered)
			m->at.restarts++;
		else
			m->at.boots_before_answer++;
		trace_text(m, m->at.answered ? restart_note : start_note);
	}
	m->at.in_banner = !(len == 5 && memcmp(line, "Ready", 5) == 0);
	if (in_flight)
		x->restarted = 1;
}

/*
 * After content was sent, a line is shown and kept as received only when
 * its shape is strict: a final result (shown as its fixed words), the echo
 * of the command in flight (shown as sent, redacted), a boot banner, an
 * information line shaped as this command's answer, a plain URC. Anything
 * else might be part of an echo that came late, cut or after noise: the
 * trace shows a placeholder, an echo is dropped, and an information line is
 * kept as the placeholder, so that the answer still counts as malformed but
 * no message can quote it.
 */
static void on_guarded_line(struct exchange *x, const char *cmd, enum mcred_line_kind kind,
			    const char *line, size_t len, int code)
{
	mcred_modem *m = x->m;

	if (kind == MCRED_LINE_ECHO) {
		const char *sent = x->trace_cmd ? x->trace_cmd : x->cmd;

		trace_text(m, sent);
		return;
	}
	if ((kind == MCRED_LINE_INFO || kind == MCRED_LINE_URC) &&
	    mcred_line_is_command_echo(line, len)) {
		trace_text(m, withheld_echo);
		return;
	}
	switch (kind) {
	case MCRED_LINE_INFO:
		if (cmd && mcred_line_is_strict_answer(line, len, cmd)) {
			trace(m, MCRED_TRACE_RX, line, len);
			keep_info_line(x, line, len);
			return;
		}
		trace_text(m, withheld_line);
		if (cmd)
			keep_info_line(x, withheld_line, sizeof(withheld_line) - 1);
		return;
	case MCRED_LINE_URC:
		if (!mcred_line_is_strict_urc(line, len)) {
			trace_text(m, withheld_line);
			return;
		}
		trace(m, MCRED_TRACE_RX, line, len);
		deliver_urc(m, line, len);
		return;
	case MCRED_LINE_NOISE: trace_text(m, withheld_line); return;
	default:
		trace_final(m, kind, code);
		if (cmd)
			record_final(x, kind, code);
		return;
	}
}

/* The whole line repeats the previous command (also in shell form): its late echo. */
static int is_late_echo(const mcred_modem *m, const char *line, size_t len)
{
	size_t n = strlen(m->at.previous);

	if (len > 4 && strncasecmp(line, "at a", 4) == 0) {
		line += 3;
		len -= 3;
	}
	return n > 0 && len == n && strncasecmp(line, m->at.previous, n) == 0;
}

/* Before any content was sent: every line is shown as received. */
static void on_plain_line(struct exchange *x, const char *cmd, enum mcred_line_kind kind,
			  const char *line, size_t len, int code)
{
	if ((kind == MCRED_LINE_INFO || kind == MCRED_LINE_URC) && is_late_echo(x->m, line, len))
		kind = MCRED_LINE_ECHO;
	/* An echo repeats the command, secrets included: trace its redacted form. */
	if (kind == MCRED_LINE_ECHO && x->trace_cmd)
		trace_text(x->m, x->trace_cmd);
	else
		trace(x->m, MCRED_TRACE_RX, line, len);
	switch (kind) {
	case MCRED_LINE_INFO: keep_info_line(x, line, len); break;
	case MCRED_LINE_URC: deliver_urc(x->m, line, len); break;
	case MCRED_LINE_ECHO:
	case MCRED_LINE_NOISE: break;
	default:
		if (cmd)
			record_final(x, kind, code);
		/* else: a late final result of an earlier command, dropped */
		break;
	}
}

/*
 * Splitter callback: sort one logical line. Never stops the splitter. A line
 * that began before the command was sent (stale) is no part of its answer.
 */
static int on_line(void *user, const char *line, size_t len)
{
	struct exchange *x = user;
	int stale = mcred_line_splitter_stale(x->m->at.splitter);
	const char *cmd = x->final_seen || stale || x->before_echo ? NULL : x->cmd;
	enum mcred_line_kind kind;
	int code;

	if (!line) {
		if (cmd)
			x->too_large = 1; /* one line alone exceeded the limit */
		return 0;
	}
	line = mcred_line_strip_prompt(line, &len);
	if (len == 0)
		return 0;
	kind = mcred_line_classify(line, len, cmd, &code);
	if (kind == MCRED_LINE_BANNER) {
		on_banner(x, line, len, cmd != NULL);
		return 0;
	}
	/* log lines and URCs are the device's own: a banner goes on across them */
	if (kind != MCRED_LINE_NOISE && kind != MCRED_LINE_URC)
		x->m->at.in_banner = 0;
	/* what the device's buffer held of the answer (see answer_cut_off) */
	if (cmd && kind == MCRED_LINE_INFO && !x->shell.typed &&
	    !mcred_line_is_command_echo(line, len))
		x->answer_bytes += mcred_line_splitter_raw_length(x->m->at.splitter) + 2;
	if (x->m->at.content_sent)
		on_guarded_line(x, cmd, kind, line, len, code);
	else
		on_plain_line(x, cmd, kind, line, len, code);
	return 0;
}

/* ---- I/O ------------------------------------------------------------------- */

static void pass_to_splitter(void *user, const uint8_t *bytes, size_t n)
{
	struct exchange *x = user;

	mcred_line_splitter_feed(x->m->at.splitter, bytes, n, on_line, x);
}

/* A row the shell reader hands on, sorted like a line of the splitter. */
static void on_row(struct exchange *x, const char *row, size_t len, int before_echo)
{
	char *line = malloc(len + 1);

	if (!line) {
		x->nomem = 1;
		return;
	}
	memcpy(line, row, len);
	line[len] = '\0';
	x->before_echo = before_echo;
	(void)on_line(x, line, len);
	x->before_echo = 0;
	mcred_secret_free(line, len + 1);
}

static void row_before_echo(void *user, const char *row, size_t len)
{
	on_row(user, row, len, 1);
}

static void answer_row(void *user, const char *row, size_t len)
{
	on_row(user, row, len, 0);
}

/* The echo is complete: whatever the splitter holds was printed before it. */
static void echo_seen(void *user)
{
	struct exchange *x = user;

	mcred_line_splitter_reset(x->m->at.splitter);
}

/* Received bytes to the splitter; in shell mode only those after the echo. */
static void feed_answer(struct exchange *x, const uint8_t *buf, size_t n)
{
	const struct mcred_shell_reader_out out = { row_before_echo, echo_seen, answer_row,
						    pass_to_splitter, x };

	if (x->shell.typed)
		mcred_shell_reader_feed(&x->shell, buf, n, &out);
	else
		pass_to_splitter(x, buf, n);
}

/*
 * Nothing moved, and the transport came back at once although it was given
 * time: a custom transport that does not wait (a read with nothing there, a
 * write the line cannot take yet). A pause keeps waiting from costing a
 * whole CPU (millions of calls until the deadline).
 */
static void pause_if_not_waited(int n, unsigned timeout_ms, long long t0)
{
	if (n == 0 && timeout_ms && now_ms() == t0) {
		const struct timespec pause = { 0, 1000000L };

		nanosleep(&pause, NULL);
	}
}

/*
 * The transport's read and write, held to their contract: more bytes than
 * asked for (a custom transport's bug) is an error, never an over-read.
 */
static int port_read(mcred_modem *m, uint8_t *buf, size_t len, unsigned timeout_ms)
{
	long long t0 = timeout_ms ? now_ms() : 0;
	int n = m->io.read(m->io.user, buf, len, timeout_ms);

	if (n > (int)len)
		return -1;
	pause_if_not_waited(n, timeout_ms, t0);
	return n;
}

static int port_write(mcred_modem *m, const uint8_t *buf, size_t len, unsigned timeout_ms)
{
	long long t0 = timeout_ms ? now_ms() : 0;
	int n = m->io.write(m->io.user, buf, len, timeout_ms);

	if (n > (int)len)
		return -1;
	pause_if_not_waited(n, timeout_ms, t0);
	return n;
}

/*
 * Hand whatever is already waiting (URCs, leftovers of a command that timed
 * out) to the URC callback, without waiting.
 */
static void drain_pending(mcred_modem *m)
{
	struct exchange x = { .m = m };
	struct mcred_reply scratch = { .code = -1 };
	uint8_t buf[READ_CHUNK];

	x.reply = &scratch;
	for (unsigned i = 0; i < DRAIN_MAX_READS; i++) {
		int n = port_read(m, buf, sizeof(buf), 0);

		if (n <= 0)
			break;
		mcred_line_splitter_feed(m->at.splitter, buf, (size_t)n, on_line, &x);
	}
	mcred_reply_free(&scratch);
}

enum mcred_err mcred_at_state_init(struct mcred_at_state *s, size_t max_response_len)
{
	memset(s, 0, sizeof(*s));
	/* One logical line is at most a whole answer. */
	s->splitter = mcred_line_splitter_new(max_response_len);
	return s->splitter ? MCRED_OK : MCRED_ERR_NOMEM;
}

void mcred_at_state_free(struct mcred_at_state *s)
{
	mcred_line_splitter_free(s->splitter);
	s->splitter = NULL;
}

void mcred_at_restarts_handled(mcred_modem *m)
{
	m->at.restarts_handled = m->at.restarts;
}

void mcred_at_poll(mcred_modem *m)
{
	if (m)
		drain_pending(m);
}

void mcred_at_discard_stale_input(mcred_modem *m)
{
	uint8_t buf[READ_CHUNK];
	int mid_line = 0;

	for (unsigned i = 0; i < DRAIN_MAX_READS; i++) {
		int n = port_read(m, buf, sizeof(buf), 0);

		if (n <= 0)
			break;
		mid_line = buf[n - 1] != '\r' && buf[n - 1] != '\n' && buf[n - 1] != '\0';
	}
	if (mid_line)
		mcred_line_splitter_begin_stale(m->at.splitter);
}

/*
 * A device whose AT buffer is smaller than a long command drops its end
 * (the terminator with it) and waits silently for the rest: name the limit.
 */
static int command_was_long(const mcred_modem *m, const struct exchange *x)
{
	return x->wire_len > m->opts.max_command_len / 2;
}

/* Keep what the message of a timeout needs, should the recovery explain it later. */
static void remember_timeout(mcred_modem *m, const struct exchange *x, const char *shown,
			     unsigned waited_ms)
{
	struct mcred_timed_out *t = &m->at.timed_out;
	size_t head = strnlen(m->err.message, sizeof(t->head) - 1);

	t->pending = 1;
	t->cut_proven = 0;
	memcpy(t->head, m->err.message, head);
	t->head[head] = '\0';
	snprintf(t->shown, sizeof(t->shown), "%s", shown);
	t->waited_ms = waited_ms;
	t->wire_len = x->wire_len;
}

static enum mcred_err timeout_message(mcred_modem *m, const struct exchange *x, const char *shown,
				      unsigned waited_ms)
{
	if (x->shell.typed && !x->shell.done)
		return mcred_fail(m, MCRED_ERR_TIMEOUT,
				  "no answer to %s within %u ms: the device did not even echo "
				  "the typed line, as a Zephyr shell does (wrong port? baud rate "
				  "%u? a shell with its echo off: `shell echo on`; the raw AT host "
				  "of the at_client sample: shell mode off, the CLI's --shell left out)",
				  shown, waited_ms, m->opts.baud);
	if (command_was_long(m, x))
		return mcred_fail(m, MCRED_ERR_TIMEOUT,
				  "no answer to %s within %u ms; the command was %zu bytes: a "
				  "device whose AT command buffer (CONFIG_AT_HOST_CMD_MAX_LEN) is "
				  "smaller drops the rest and waits for the end of the command; "
				  "set max_command_len to the device's buffer size so that such "
				  "commands are refused before they are sent",
				  shown, waited_ms, x->wire_len);
	/* the device answered on this handle before: port, speed and framing are right */
	if (m->at.answered)
		return mcred_fail(m, MCRED_ERR_TIMEOUT,
				  "no answer to %s within %u ms, although the device answered "
				  "the commands before it (busy with something else? restarting?)",
				  shown, waited_ms);
	return mcred_fail(m, MCRED_ERR_TIMEOUT,
			  "no answer to %s within %u ms (wrong port? baud rate %u? "
			  "does the device expect another command terminator, or shell mode (the "
			  "CLI's --shell)?)",
			  shown, waited_ms, m->opts.baud);
}

static enum mcred_err timeout_error(mcred_modem *m, const struct exchange *x, const char *shown,
				    unsigned waited_ms)
{
	enum mcred_err rc = timeout_message(m, x, shown, waited_ms);

	remember_timeout(m, x, shown, waited_ms);
	return rc;
}

/*
 * The recovery after a timeout got exactly one stray final result before its
 * query's answer, a refusal: the refusal of the cut command it ended. Had
 * the device merely been slow, the timed-out command's own late answer
 * would have come too.
 */
static int cut_command_ended(const struct exchange *x)
{
	return x->strays == 1 && x->stray_refusals == 1;
}

void mcred_at_refine_timeout(mcred_modem *m, struct mcred_error *err)
{
	struct mcred_timed_out *t = &m->at.timed_out;
	/* the timeout's words, after whatever context the operation put before them */
	char *from = t->pending && err->code == MCRED_ERR_TIMEOUT ? strstr(err->message, t->head)
								  : NULL;

	if (!from)
		return;
	t->pending = 0;
	if (!t->cut_proven)
		return;
	snprintf(from, sizeof(err->message) - (size_t)(from - err->message),
		 "no answer to %s within %u ms: the device stopped listening in the middle of "
		 "the command (%zu bytes on the wire), because its AT command buffer "
		 "(CONFIG_AT_HOST_CMD_MAX_LEN) is smaller and dropped the rest, closing quote "
		 "included; the link recovery ended the cut command and the modem refused it: "
		 "nothing was stored. Set max_command_len to the device's buffer size so that "
		 "such commands are refused before they are sent",
		 t->shown, t->waited_ms, t->wire_len);
}

/*
 * A boot banner came while the answer was awaited, and no answer after it:
 * the restart lost the command. (A final result after the banner answers a
 * command the restarted modem received whole: it stands.)
 */
static enum mcred_err restart_error(mcred_modem *m, const char *shown)
{
	return mcred_fail(m, MCRED_ERR_PROTOCOL,
			  "the modem restarted (boot banner) while %s was running and its "
			  "answer was lost: whether it took effect is unknown; the modem's "
			  "functional mode and CMEE are back to their power-on values",
			  shown);
}

/* Write len bytes by the deadline; *sent tells how many went out. */
static enum mcred_err write_all(mcred_modem *m, const char *wire, size_t len, long long deadline,
				const char *shown, unsigned timeout_ms, size_t *sent)
{
	size_t done = 0;

	*sent = 0;
	while (done < len) {
		unsigned left = remaining_ms(deadline);
		int n;

		/* Cancel only before the first byte: half a command would garble the next. */
		if (done == 0 && mcred_at_cancel_asked(m))
			return mcred_fail(m, MCRED_ERR_CANCELLED, "cancelled before sending %s",
					  shown);
		if (left == 0)
			return mcred_fail(m, MCRED_ERR_TIMEOUT,
					  "could not send %s within %u ms (is the device reading? "
					  "check the flow control setting)",
					  shown, timeout_ms);
		n = port_write(m, (const uint8_t *)wire + done, len - done,
			       left < READ_SLICE_MS ? left : READ_SLICE_MS);
		if (n < 0)
			return mcred_fail(m, MCRED_ERR_IO, "writing %s to the port failed", shown);
		done += (size_t)n;
		*sent = done;
	}
	return MCRED_OK;
}

/*
 * Keep the name of a command whose answer may still come (no parameters: no
 * secrets); early: given up before its deadline (see abandoned_early).
 */
static void remember_abandoned(mcred_modem *m, const char *cmd, int early)
{
	size_t n;

	if (!cmd)
		return;
	m->at.abandoned_early = early;
	n = strcspn(cmd, "=?");
	if (n >= sizeof(m->at.abandoned))
		n = sizeof(m->at.abandoned) - 1;
	memcpy(m->at.abandoned, cmd, n);
	m->at.abandoned[n] = '\0';
}

/*
 * Could the unfinished line be part of the answer to cmd (and not its echo or
 * a URC)? An answer line never starts with "AT"; one that starts with '+' or
 * '%' must carry the command's own name ("%CMNG:" for AT%CMNG=1).
 */
static int partial_is_answer(const char *p, size_t n, const char *cmd)
{
	size_t own;

	while (n && (*p == ' ' || *p == '\t')) {
		p++;
		n--;
	}
	if (n == 0 || *p == 'A' || *p == 'a')
		return 0; /* an echo, or too early to tell */
	if (*p != '+' && *p != '%')
		return 1;
	if (strlen(cmd) < 3)
		return 0;
	own = 1 + strspn(cmd + 3, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789");
	for (size_t i = 0; i < n && i <= own; i++) {
		char want = i < own ? cmd[2 + i] : ':';

		if (tolower((unsigned char)p[i]) != tolower((unsigned char)want))
			return 0;
	}
	return 1;
}

/*
 * The raw AT host keeps the command and then the answer in one buffer of
 * max_command_len bytes and sends at most max_command_len - 1 of them: an
 * answer that reaches that size without a final result was cut and will
 * never end. Answer lines count as they took the wire, complete ones as
 * "<line>\r\n" (the host's framing): a %CMNG=2 answer (the reference page's
 * layout) breaks its line after "<sha>",, and its content has line breaks of
 * its own, all in the buffer. URCs and the echo do not count, nor a partial
 * line that may be one. A shell reports its own overflow instead (error code
 * -7).
 */
static int answer_cut_off(mcred_modem *m, const struct exchange *x)
{
	const char *partial;
	size_t text = mcred_line_splitter_pending(m->at.splitter, &partial);
	size_t pending = mcred_line_splitter_raw_length(m->at.splitter);

	if (x->final_seen || !x->cmd || mcred_shell_is_on(&m->opts))
		return 0;
	if (!text || !partial_is_answer(partial, text, x->cmd))
		pending = 0;
	return x->answer_bytes + pending >= mcred_max_wire_length(&m->opts);
}

/*
 * The cancel callback, polled while an answer is awaited. A command of the
 * caller's that the device has is finished (MCRED_CANCEL_STOP): its answer
 * is still awaited until its own deadline, so that what the modem did is
 * known and no late answer is left behind. MCRED_CANCEL_NOW, a command the
 * modem forgot in a restart, and the engine's own waits (a late answer, a
 * recovery) stop at once. MCRED_OK: go on waiting.
 */
static enum mcred_err check_cancel(mcred_modem *m, struct exchange *x, const char *shown)
{
	int asked = mcred_at_cancel_asked(m);

	if (!asked)
		return MCRED_OK;
	if (asked != MCRED_CANCEL_NOW && x->finish_on_cancel && !x->restarted) {
		x->finishing = 1;
		return MCRED_OK;
	}
	/* after a restart the modem forgot the command: no late answer to wait for */
	if (!x->restarted)
		remember_abandoned(m, x->cmd, 1);
	return mcred_fail(m, MCRED_ERR_CANCELLED, "cancelled while waiting for the answer to %s",
			  shown);
}

/*
 * The wait's deadline passed without a final result: a restart lost the
 * answer, or none came (after a cancel: what the command did is unknown).
 */
static enum mcred_err deadline_passed(mcred_modem *m, const struct exchange *x, const char *shown,
				      unsigned timeout_ms)
{
	if (x->restarted)
		return restart_error(m, shown);
	remember_abandoned(m, x->cmd, 0);
	if (x->finishing)
		return mcred_fail(m, MCRED_ERR_CANCELLED,
				  "cancelled while waiting for the answer to %s, which did not come "
				  "within %u ms: whether the modem carried it out is unknown",
				  shown, timeout_ms);
	return timeout_error(m, x, shown, timeout_ms);
}

/*
 * The wait grows by the line time of what arrives, up to an answer of
 * max_response_len bytes: a long answer at a low baud rate is no late one.
 */
static long long received_line_time(const mcred_modem *m, struct exchange *x, size_t n)
{
	size_t room =
		m->opts.max_response_len > x->received ? m->opts.max_response_len - x->received : 0;

	if (n > room)
		n = room;
	x->received += n;
	return line_time_ms(m, n);
}

static enum mcred_err read_until_final(mcred_modem *m, struct exchange *x, long long deadline,
				       const char *shown, unsigned timeout_ms)
{
	uint8_t buf[READ_CHUNK];

	while (!x->final_seen) {
		unsigned left = remaining_ms(deadline);
		enum mcred_err rc = check_cancel(m, x, shown);
		int n;

		if (rc != MCRED_OK)
			return rc;
		if (left == 0)
			return deadline_passed(m, x, shown, timeout_ms);
		n = port_read(m, buf, sizeof(buf), left < READ_SLICE_MS ? left : READ_SLICE_MS);
		if (n < 0)
			return mcred_fail(m, MCRED_ERR_IO,
					  "reading the answer to %s from the port failed", shown);
		if (n > 0) {
			feed_answer(x, buf, (size_t)n);
			deadline += received_line_time(m, x, (size_t)n);
		}
		if (answer_cut_off(m, x)) {
			x->cut_off = 1;
			/* The cut line never ends: it must not become part of the next answer. */
			mcred_line_splitter_reset(m->at.splitter);
			break;
		}
	}
	return MCRED_OK;
}

/*
 * The modem still answers a command we stopped waiting for. Wait (bounded by
 * the timeout) for that final result, so its OK is not taken for the next
 * command's; its information lines are dropped, URCs still delivered.
 */
/*
 * Part of a command went out before the write failed: the device holds half
 * a command and would take the next one as its rest. Note what ends it.
 */
static void remember_unfinished(mcred_modem *m, const char *wire, size_t sent,
				const struct exchange *x)
{
	size_t quotes = 0;

	for (size_t i = 0; i < sent; i++)
		quotes += wire[i] == '"';
	m->at.unfinished_len = 0;
	if (quotes % 2)
		m->at.unfinished[m->at.unfinished_len++] = '"';
	mcred_wire_append_terminator(m->at.unfinished, &m->at.unfinished_len, m->opts.terminator);
	remember_abandoned(m, x->cmd, 0);
}

/* End a half-sent command; the device answers it with an error. */
static void send_unfinished(mcred_modem *m, const char *name)
{
	size_t sent;

	if (!m->at.unfinished_len)
		return;
	(void)write_all(m, m->at.unfinished, m->at.unfinished_len,
			deadline_in(m, m->opts.timeout_ms), name, m->opts.timeout_ms, &sent);
	m->at.unfinished_len = 0;
}

/*
 * How long to wait for an abandoned command's answer. After a cancel the
 * restore has a few seconds in all (wait_cap): half of what is left goes to
 * the old answer, the rest to the restore itself, which must be sent even
 * when the old command is never answered.
 */
static long long abandoned_deadline(const mcred_modem *m)
{
	long long deadline = deadline_in(m, m->opts.timeout_ms);
	long long now = mcred_now_ms();

	if (m->wait_cap && now + (m->wait_cap - now) / 2 < deadline)
		deadline = now + (m->wait_cap - now) / 2;
	return deadline;
}

/* 1: the abandoned command's final result came (the device listens). */
static int finish_abandoned(mcred_modem *m)
{
	struct mcred_reply scratch = { .code = -1 };
	struct exchange x = { .m = m, .cmd = m->at.abandoned, .reply = &scratch };
	char name[sizeof(m->at.abandoned)];

	if (!m->at.abandoned[0])
		return 0;
	memcpy(name, m->at.abandoned, sizeof(name));
	m->at.abandoned[0] = '\0';
	m->at.abandoned_early = 0;
	x.cmd = name;
	send_unfinished(m, name);
	/*
	 * The splitter still holds the half-read line of that answer (quotes
	 * included), so the rest continues it. If the answer does not end in
	 * time, start clean: its remains must not shape the next command's lines.
	 */
	(void)read_until_final(m, &x, abandoned_deadline(m), name, m->opts.timeout_ms);
	if (!x.final_seen)
		mcred_line_splitter_reset(m->at.splitter);
	m->at.abandoned[0] = '\0'; /* it stays unknown if it never came: do not wait twice */
	mcred_reply_free(&scratch);
	return x.final_seen;
}

/* ---- recovery after a timeout ------------------------------------------- */

/*
 * Sent when a command holding a '"' went out whole and got no answer. The
 * device's AT host (nRF Connect SDK lib/at_host) is then in one of these
 * states; DEL removes the last stored byte without undoing a quote's effect
 * on the quoted state, a byte beyond the buffer is dropped, and a terminator
 * counts only outside quotes:
 *  A  its buffer filled up and dropped the closing quote: it is deaf inside
 *     quotes. The three DELs make room for '"' (closes the quotes), 'x' and
 *     'x'; the next '"' is dropped, the last DEL makes room again (for the CR
 *     that a CR+LF terminator needs stored). The command that goes to the
 *     modem ends in "x after the cut content: malformed, answered ERROR. A
 *     closing quote alone would have made it a valid write of cut content.
 *  B' it is idle with an empty buffer (the answer came after our timeout or
 *     was lost): the DELs do nothing, "xx" DEL leaves "xx outside quotes,
 *     which the terminator sends: not an AT command, answered ERROR.
 *  B  it is still busy (the host ignores its UART meanwhile): the bytes are
 *     lost or held back; the resynchronisation below does not come either
 *     and the recovery is tried again before the next command.
 * Text stored outside quotes (none expected) only prefixes the malformed
 * command. Every state ends outside quotes with an empty buffer.
 */
static const char recovery_bytes[] = "\x7f\x7f\x7f\"xx\"\x7f";
static const char recovery_trace[] = "<first, after the timeout, link recovery: DEL DEL DEL "
				     "\"xx\" DEL, terminator>";

/* Queries with answers of their own; consecutive attempts alternate. */
static const char *const resync_query[] = { "AT+CMEE?", "AT+CFUN?" };
static const char *const resync_answer[] = { "+CMEE:", "+CFUN:" };

static enum mcred_err recovery_failed(mcred_modem *m, enum mcred_err rc, const char *shown)
{
	if (rc == MCRED_ERR_CANCELLED)
		return rc;
	return mcred_fail(m, rc == MCRED_ERR_IO ? rc : MCRED_ERR_TIMEOUT,
			  "%s was not sent: the device has not answered since a command timed "
			  "out, not even %s sent after bytes that end that command (the device "
			  "may still be busy with it, or not listening); try again, or reset "
			  "the device",
			  shown, resync_query[(m->at.resyncs - 1) % 2]);
}

/*
 * Send the recovery bytes and a query, then discard everything up to the
 * query's own answer and final result: the late answer of the command that
 * timed out and the ERROR of the recovery (none, one or both may come) can
 * no longer be taken for the next command's. On failure the recovery stays
 * pending and nothing else may be sent.
 */
static enum mcred_err recover_link(mcred_modem *m, const char *shown)
{
	unsigned which = m->at.resyncs++ % 2;
	struct mcred_reply scratch = { .code = -1 };
	struct exchange x = { .m = m,
			      .cmd = resync_query[which],
			      .reply = &scratch,
			      .marker = resync_answer[which] };
	char wire[sizeof(recovery_bytes) + 16];
	size_t len = sizeof(recovery_bytes) - 1, query_len = strlen(x.cmd), sent;
	long long deadline = deadline_in(m, m->opts.timeout_ms);
	enum mcred_err rc;

	memcpy(wire, recovery_bytes, len);
	mcred_wire_append_terminator(wire, &len, m->opts.terminator);
	memcpy(wire + len, x.cmd, query_len);
	len += query_len;
	mcred_wire_append_terminator(wire, &len, m->opts.terminator);
	trace(m, MCRED_TRACE_TX, recovery_trace, sizeof(recovery_trace) - 1);
	trace(m, MCRED_TRACE_TX, x.cmd, query_len);
	/*
	 * Start clean: what was collected belongs to the answer that never
	 * ended, and its state (inside an unbalanced quote, say) must not
	 * swallow the query's answer. Only that answer's own line ends this.
	 */
	mcred_line_splitter_reset(m->at.splitter);
	rc = write_all(m, wire, len, deadline, x.cmd, m->opts.timeout_ms, &sent);
	if (rc == MCRED_OK)
		rc = read_until_final(m, &x, deadline, x.cmd, m->opts.timeout_ms);
	mcred_reply_free(&scratch);
	m->at.abandoned[0] = '\0'; /* its late answer is among what was discarded */
	m->at.abandoned_early = 0;
	m->at.unfinished_len = 0;
	if (rc != MCRED_OK || !x.final_seen) {
		mcred_line_splitter_reset(m->at.splitter);
		return recovery_failed(m, rc == MCRED_OK ? MCRED_ERR_TIMEOUT : rc, shown);
	}
	m->at.needs_recovery = 0;
	m->at.timed_out.cut_proven = m->at.timed_out.pending && cut_command_ended(&x);
	return MCRED_OK;
}

/*
 * Before a command: end what an earlier one left behind. The late answer of
 * an abandoned command is awaited first (bounded), so that it is never taken
 * for the next one's. A command with quotes that got no answer calls for
 * the link recovery; one given up before its deadline (MCRED_CANCEL_NOW) is
 * given the chance to answer first: when its answer comes, the device read
 * it whole and listens, and the recovery's two round trips are saved. One
 * that had its whole timeout is recovered from at once.
 */
static enum mcred_err settle_link(mcred_modem *m, const char *shown)
{
	if (m->at.needs_recovery && !m->at.abandoned_early)
		return recover_link(m, shown);
	if (finish_abandoned(m))
		m->at.needs_recovery = 0;
	if (m->at.needs_recovery)
		return recover_link(m, shown);
	return MCRED_OK;
}

enum mcred_err mcred_at_settle(mcred_modem *m)
{
	if (!m || !m->at.needs_recovery)
		return MCRED_OK;
	return settle_link(m, "the next command");
}

/*
 * The whole command went out and its answer did not come: a command with a
 * quote may have left the device deaf inside quotes (raw AT host only; a
 * shell line ends at its own buffer). After a restart the host starts clean.
 */
static void note_recovery_need(mcred_modem *m, const struct exchange *x, const char *cmd,
			       size_t len, enum mcred_err rc)
{
	if ((rc == MCRED_ERR_TIMEOUT || rc == MCRED_ERR_CANCELLED) && !x->restarted &&
	    !mcred_shell_is_on(&m->opts) && memchr(cmd, '"', len))
		m->at.needs_recovery = 1;
}

/* ---- results ------------------------------------------------------------ */

/*
 * "+CME ERROR: 518 (not allowed while ...)": the modem's words, then their
 * meaning, without the "518: " that mcred_cme_message() starts with.
 */
static enum mcred_err cme_failure(mcred_modem *m, const char *shown, int code)
{
	const char *meaning = mcred_cme_message(code);
	const char *after_code = meaning + strspn(meaning, "0123456789");

	if (after_code != meaning && after_code[0] == ':' && after_code[1] == ' ')
		meaning = after_code + 2;
	return mcred_fail(m, MCRED_ERR_CME, "modem refused %s: +CME ERROR: %d (%s)", shown, code,
			  meaning);
}

/* What nrf_modem_at_cmd()'s negative errno means, for at_shell's failure line. */
static const char *shell_errno_meaning(int code)
{
	switch (code) {
	case 1: return "EPERM: the modem library is not initialised";
	case 12: return "ENOMEM: out of memory on the device";
	case 14: return "EFAULT: bad buffer";
	case 22: return "EINVAL: invalid command";
	case 108: return "ESHUTDOWN: the modem is shut down; reset the device";
	default: return "see nrf_modem_at_cmd() in the nRF Connect SDK";
	}
}

/*
 * What to do instead when a device cut the answer to shown: a listing of
 * every tag outgrows a buffer first (one tag's is short); a key was made
 * all the same; anything else can be compared by digest.
 */
static const char *cut_answer_advice(const char *shown)
{
	if (strstr(shown, "%CMNG=1"))
		return "List one security tag at a time instead (the CLI's list --tag N)";
	if (strstr(shown, "%KEYGEN"))
		return "The modem made the key all the same; a shorter subject (the CLI's "
		       "--attributes) makes a shorter answer";
	return "Compare by digest instead (compare, or the SHA-256 of list)";
}

static enum mcred_err shell_failure(mcred_modem *m, const struct exchange *x, const char *shown)
{
	int code = x->reply->code;

	if (x->reply->final == MCRED_LINE_SHELL_UNKNOWN)
		return mcred_fail(m, MCRED_ERR_MODEM,
				  "the device answered %s with \"command not found\" like a "
				  "Zephyr shell: %s",
				  shown,
				  mcred_shell_is_on(&m->opts)
					  ? "its shell has no `at` command (build it with "
					    "CONFIG_AT_SHELL=y)"
					  : "use shell mode (the CLI's --shell)");
	if (x->reply->final == MCRED_LINE_SHELL_CUT)
		return mcred_fail(m, MCRED_ERR_MODEM,
				  "the device's shell cut the line of %s (it answered \"not "
				  "terminated\" and ran nothing): its line buffer "
				  "(CONFIG_SHELL_CMD_BUFF_SIZE) is smaller than the %zu bytes assumed; "
				  "give the device's size as max_command_len (the CLI's "
				  "--max-command), or build it with CONFIG_SHELL_CMD_BUFF_SIZE=2048",
				  shown, m->opts.max_command_len);
	if (x->reply->final == MCRED_LINE_SHELL_PRINT_CUT)
		return mcred_fail(m, MCRED_ERR_TOO_LARGE,
				  "the answer to %s did not fit modem_shell's print buffer "
				  "(CONFIG_MOSH_PRINT_BUFFER_SIZE, 1024 bytes by default): it printed "
				  "\"Cutting too long string while printing...\" and the answer's "
				  "beginning only. %s, or build the device with a larger "
				  "CONFIG_MOSH_PRINT_BUFFER_SIZE",
				  shown, cut_answer_advice(shown));
	if (x->reply->final == MCRED_LINE_SHELL_USAGE)
		return mcred_fail(m, MCRED_ERR_MODEM,
				  "the device's shell ran its `at` command without %s and printed "
				  "the command's usage instead: its wildcard expansion "
				  "(CONFIG_SHELL_WILDCARD, on by default in Zephyr) took the '?' or "
				  "'*' in the command for a pattern and dropped it. Nothing reached "
				  "the modem; build the device with CONFIG_SHELL_WILDCARD=n, as "
				  "Nordic's at_shell documentation asks for commands that end in '?'",
				  shown);
	if (code == 7)
		return mcred_fail(m, MCRED_ERR_TOO_LARGE,
				  "the answer to %s did not fit the device's at_shell answer "
				  "buffer (CONFIG_AT_SHELL_CMD_RESPONSE_MAX_LEN, %u bytes by "
				  "default): the shell printed \"Sending AT command failed with "
				  "error code -7\" (E2BIG) instead. Compare by digest instead "
				  "(compare, or the SHA-256 of list), or build the device with a "
				  "larger CONFIG_AT_SHELL_CMD_RESPONSE_MAX_LEN",
				  shown, MCRED_DEFAULT_SHELL_RESPONSE_MAX);
	return mcred_fail(m, MCRED_ERR_MODEM,
			  "the device's shell could not pass %s to the modem: it reported error "
			  "-%d (%s)",
			  shown, code, shell_errno_meaning(code));
}

static enum mcred_err cut_off_failure(mcred_modem *m, const char *shown)
{
	return mcred_fail(m, MCRED_ERR_TOO_LARGE,
			  "the answer to %s does not fit the device's %zu-byte AT buffer "
			  "(CONFIG_AT_HOST_CMD_MAX_LEN): it stopped after %zu bytes without a "
			  "final result. %s, or build the device with a larger "
			  "CONFIG_AT_HOST_CMD_MAX_LEN and give that size as max_command_len "
			  "(the CLI's --max-command)",
			  shown, m->opts.max_command_len, mcred_max_wire_length(&m->opts),
			  cut_answer_advice(shown));
}

static enum mcred_err final_result(mcred_modem *m, const struct exchange *x, const char *shown)
{
	const struct mcred_reply *r = x->reply;
	enum mcred_err rc;

	if (x->cut_off)
		return cut_off_failure(m, shown);
	if (x->nomem)
		return mcred_fail(m, MCRED_ERR_NOMEM, "out of memory reading the answer to %s",
				  shown);
	if (x->too_large)
		return mcred_fail(m, MCRED_ERR_TOO_LARGE,
				  "the answer to %s is larger than %zu bytes (max_response_len)",
				  shown, m->opts.max_response_len);
	switch (r->final) {
	case MCRED_LINE_OK: return mcred_succeed(m);
	case MCRED_LINE_CME_ERROR:
		rc = cme_failure(m, shown, r->code);
		m->err.cme = r->code;
		return rc;
	case MCRED_LINE_CMS_ERROR:
		rc = mcred_fail(m, MCRED_ERR_CMS, "modem refused %s: +CMS ERROR: %d", shown,
				r->code);
		m->err.cme = r->code;
		return rc;
	case MCRED_LINE_SHELL_FAILED:
	case MCRED_LINE_SHELL_UNKNOWN:
	case MCRED_LINE_SHELL_CUT:
	case MCRED_LINE_SHELL_PRINT_CUT:
	case MCRED_LINE_SHELL_USAGE: return shell_failure(m, x, shown);
	case MCRED_LINE_ERROR:
	default:
		return mcred_fail(m, MCRED_ERR_MODEM,
				  "modem refused %s: ERROR (send AT+CMEE=1 for a numeric reason)",
				  shown);
	}
}

enum mcred_change mcred_reply_change(const struct mcred_reply *reply)
{
	switch (reply->final) {
	case MCRED_LINE_OK: return MCRED_CHANGE_MADE;
	case MCRED_LINE_INFO: return reply->sent ? MCRED_CHANGE_UNKNOWN : MCRED_CHANGE_NONE;
	/* E2BIG: the modem carried the command out, its answer did not fit the shell's buffer */
	case MCRED_LINE_SHELL_FAILED:
		return reply->code == 7 ? MCRED_CHANGE_UNKNOWN : MCRED_CHANGE_NONE;
	case MCRED_LINE_SHELL_PRINT_CUT:
		return MCRED_CHANGE_UNKNOWN; /* it ran, its answer was cut */
	default: return MCRED_CHANGE_NONE;   /* an error answer: refused */
	}
}

void mcred_reply_free(struct mcred_reply *reply)
{
	if (!reply)
		return;
	for (size_t i = 0; i < reply->lines.count; i++)
		mcred_secret_free(reply->lines.lines[i], strlen(reply->lines.lines[i]));
	free(reply->lines.lines);
	reply->lines.lines = NULL;
	reply->lines.count = 0;
}

/* Only a short command without content: content is the guarded mode's affair. */
static void remember_previous(mcred_modem *m, const char *cmd, size_t len)
{
	m->at.previous[0] = '\0';
	if (m->at.content_sent || len >= sizeof(m->at.previous) || memchr(cmd, '"', len))
		return;
	memcpy(m->at.previous, cmd, len);
	m->at.previous[len] = '\0';
}

/* A %CMNG write: its content comes back in an echo, however late. */
static int carries_content(const char *cmd, size_t len)
{
	return len >= 9 && strncasecmp(cmd, "AT%CMNG=0", 9) == 0;
}

/* Hand a restart since the last command to whoever set the hook (a session). */
static void restart_seen(mcred_modem *m)
{
	m->at.restarts_handled = m->at.restarts;
	if (m->after_restart)
		m->after_restart(m);
}

/* The operation's host work, while the modem works on what was just sent. */
static void run_while_waiting(mcred_modem *m)
{
	void (*work)(void *) = m->while_waiting;

	m->while_waiting = NULL;
	m->at.in_callback++; /* it may call the caller's (provision's save_cb): not on the handle */
	work(m->while_waiting_user);
	m->at.in_callback--;
}

/*
 * Shell mode: the screen for what comes before the echo of the typed line,
 * with rows enough for that echo broken at a terminal width of 40 columns or
 * more (Zephyr's default is 80) and for rows printed meanwhile; a row holds
 * the typed line and what may stand before it (a prompt, a half line).
 */
#define ECHO_MIN_TERMINAL_WIDTH 40u
#define ECHO_SPARE_ROWS 64u
#define ECHO_ROW_SPARE 1024u

static struct mcred_screen *new_echo_screen(size_t typed_len)
{
	return mcred_screen_new(typed_len / ECHO_MIN_TERMINAL_WIDTH + ECHO_SPARE_ROWS,
				typed_len + ECHO_ROW_SPARE);
}

/*
 * The shell doubled the CR of each line break it printed, those inside the
 * answer's quoted content too (see mcred_shell_reader): take them out.
 */
static void unfold_shell_crlf(struct mcred_reply *r)
{
	for (size_t i = 0; i < r->lines.count; i++)
		(void)mcred_shell_unfold_crlf(r->lines.lines[i], strlen(r->lines.lines[i]));
}

/* Shell mode: whatever the shell's line buffer holds must not prefix the command. */
static enum mcred_err empty_shell_line(mcred_modem *m, long long deadline, const char *shown,
				       unsigned timeout_ms)
{
	size_t sent;

	if (!mcred_shell_is_on(&m->opts))
		return MCRED_OK;
	return write_all(m, MCRED_SHELL_KILL_LINE, sizeof(MCRED_SHELL_KILL_LINE) - 1, deadline,
			 shown, timeout_ms, &sent);
}

static enum mcred_err send_and_collect(mcred_modem *m, const char *cmd, size_t cmd_len,
				       const char *shown, unsigned timeout_ms, struct exchange *x)
{
	size_t wire_len = mcred_wire_length(&m->opts, cmd, cmd_len);
	struct mcred_screen *screen = NULL;
	size_t sent;
	long long deadline;
	enum mcred_err rc;
	char *wire;

	if (mcred_shell_is_on(&m->opts) &&
	    mcred_shell_check_command(&m->opts, cmd, cmd_len, &m->err) != MCRED_OK)
		return m->err.code;
	if (wire_len > mcred_max_wire_length(&m->opts))
		return mcred_fail(m, MCRED_ERR_INVALID_ARG,
				  "command is %zu bytes on the wire, a device with a %zu-byte %s "
				  "accepts at most %zu (raise max_command_len only if the device's "
				  "%s is larger)",
				  wire_len, m->opts.max_command_len,
				  mcred_shell_is_on(&m->opts) ? "shell line buffer"
							      : "AT command buffer",
				  mcred_max_wire_length(&m->opts),
				  mcred_shell_is_on(&m->opts) ? "CONFIG_SHELL_CMD_BUFF_SIZE"
							      : "CONFIG_AT_HOST_CMD_MAX_LEN");
	wire = mcred_wire_encode(&m->opts, cmd, cmd_len, &wire_len);
	if (mcred_shell_is_on(&m->opts) && wire)
		screen = new_echo_screen(wire_len);
	if (!wire || (mcred_shell_is_on(&m->opts) && !screen)) {
		mcred_secret_free(wire, wire_len);
		return mcred_fail(m, MCRED_ERR_NOMEM, "out of memory encoding %s", shown);
	}
	rc = settle_link(m, shown);
	if (rc != MCRED_OK) {
		mcred_screen_free(screen);
		mcred_secret_free(wire, wire_len);
		return rc;
	}
	drain_pending(m);
	if (m->at.restarts != m->at.restarts_handled)
		restart_seen(m);
	/* the rest of a line already begun is no part of this command's answer */
	mcred_line_splitter_mark_stale(m->at.splitter, mcred_shell_is_on(&m->opts));
	if (x->trace_cmd || carries_content(cmd, cmd_len))
		m->at.content_sent = 1; /* from the first byte on, its echo may come any time */
	x->wire_len = wire_len;
	deadline = deadline_in(m, timeout_ms) + line_time_ms(m, wire_len);
	rc = empty_shell_line(m, deadline, shown, timeout_ms);
	if (rc == MCRED_OK)
		rc = write_all(m, wire, wire_len, deadline, shown, timeout_ms, &sent);
	else
		sent = 0;
	x->reply->sent = sent > 0;
	if (rc != MCRED_OK && sent > 0)
		remember_unfinished(m, wire, sent, x);
	if (screen) {
		char begun[2]; /* a prompt's colour sequence may be cut by the command */
		size_t begun_len = mcred_line_splitter_escape(m->at.splitter, begun);
		size_t typed_len = wire_len - mcred_wire_terminator_length(m->opts.terminator);

		mcred_shell_reader_start(&x->shell, screen, wire, typed_len, begun, begun_len);
	}
	if (rc == MCRED_OK && m->while_waiting) {
		run_while_waiting(m);
		deadline = deadline_in(m, timeout_ms) + line_time_ms(m, wire_len);
	}
	if (rc == MCRED_OK) {
		rc = read_until_final(m, x, deadline, shown, timeout_ms);
		note_recovery_need(m, x, cmd, cmd_len, rc);
	}
	if (!x->final_seen)
		count_boots_before_answer(m);
	/* its echo may come with the next command's answer */
	if (sent > 0)
		remember_previous(m, cmd, cmd_len);
	if (rc == MCRED_OK && x->shell.crs_doubled)
		unfold_shell_crlf(x->reply);
	x->shell.typed = NULL;
	mcred_screen_free(screen);         /* wiped: the echo may carry a key */
	mcred_secret_free(wire, wire_len); /* it may carry a key */
	if (rc == MCRED_OK)
		rc = final_result(m, x, shown);
	return rc;
}

/*
 * A bare ERROR while a session runs with numeric errors off: the session's
 * hook turns them on and the command goes once more, to learn its CME code.
 * Only a failed command is sent again, once per session at most: successful
 * operations never spend the AT+CMEE round trips. Not after a restart seen
 * meanwhile: the modem is no longer in the state that refused the command,
 * and sending it again would be a new attempt, not an explanation.
 * 1: send it again.
 */
static int explain_error(mcred_modem *m)
{
	int (*hook)(mcred_modem *) = m->explain_error;
	struct mcred_error refused = m->err;
	unsigned restarts = m->at.restarts;

	m->explain_error = NULL; /* also for the hook's own commands */
	if (hook(m)) {
		drain_pending(m); /* a banner right behind the hook's last answer */
		if (m->at.restarts == restarts)
			return 1;
	}
	m->err = refused; /* the ERROR stands, with its own message */
	return 0;
}

/* An empty reply: no final result yet. */
static void reply_start(struct mcred_reply *reply)
{
	memset(reply, 0, sizeof(*reply));
	reply->final = MCRED_LINE_INFO;
	reply->code = -1;
}

/* One exchange of cmd (cmd_z: the same, NUL-ended), traced, into an empty reply. */
static enum mcred_err exchange_once(mcred_modem *m, const char *cmd, size_t cmd_len,
				    const char *cmd_z, const char *trace_cmd, const char *shown,
				    unsigned timeout_ms, struct mcred_reply *reply)
{
	struct exchange x = {
		.m = m, .reply = reply, .cmd = cmd_z, .trace_cmd = trace_cmd, .finish_on_cancel = 1
	};

	trace(m, MCRED_TRACE_TX, trace_cmd ? trace_cmd : cmd_z,
	      trace_cmd ? strlen(trace_cmd) : cmd_len);
	return send_and_collect(m, cmd, cmd_len, shown,
				timeout_ms ? timeout_ms : m->opts.timeout_ms, &x);
}

enum mcred_err mcred_at_exec(mcred_modem *m, const char *cmd, size_t cmd_len, const char *trace_cmd,
			     unsigned timeout_ms, struct mcred_reply *reply)
{
	char shown[MESSAGE_COMMAND_MAX + 4];
	char *cmd_z;
	enum mcred_err rc;

	if (!m)
		return MCRED_ERR_INVALID_ARG;
	if (!reply || !cmd)
		return mcred_fail(m, MCRED_ERR_INVALID_ARG, "no command or reply given");
	reply_start(reply);
	if (mcred_at_in_callback(m))
		return MCRED_ERR_INVALID_ARG; /* see mcred_at_in_callback() */
	/* The classifier and the messages want a string ending at cmd_len. */
	cmd_z = malloc(cmd_len + 1);
	if (!cmd_z)
		return mcred_fail(m, MCRED_ERR_NOMEM, "out of memory");
	memcpy(cmd_z, cmd, cmd_len);
	cmd_z[cmd_len] = '\0';
	abbreviate(trace_cmd ? trace_cmd : cmd_z, shown, sizeof(shown));
	rc = exchange_once(m, cmd, cmd_len, cmd_z, trace_cmd, shown, timeout_ms, reply);
	if (rc == MCRED_ERR_MODEM && reply->final == MCRED_LINE_ERROR && m->explain_error &&
	    explain_error(m)) {
		mcred_reply_free(reply);
		reply_start(reply);
		rc = exchange_once(m, cmd, cmd_len, cmd_z, trace_cmd, shown, timeout_ms, reply);
	}
	/* Wipe: the command may carry a key. */
	mcred_secret_free(cmd_z, cmd_len + 1);
	return rc;
}

/* ---- raw AT, public --------------------------------------------------------- */

/*
 * A control byte the device would not store as it is: backspace and DEL
 * delete the byte before them in the AT host's buffer, CR, LF and NUL end
 * the command; what ran would not be what was checked, traced and named.
 */
static int raw_control_byte(unsigned char c, int in_quotes)
{
	if (c == '\t')
		return 0;
	if ((c == '\r' || c == '\n') && in_quotes)
		return 0; /* content of a quoted parameter: a PEM's lines */
	return c < 0x20 || c == 0x7f;
}

/*
 * A raw command must be one well-formed line: what the device would parse.
 * Messages never quote it: it may hold a key or a PSK.
 */
static enum mcred_err check_raw_command(mcred_modem *m, const char *command)
{
	int in_quotes = 0;

	if (!command || !*command)
		return mcred_fail(m, MCRED_ERR_INVALID_ARG, "no AT command given");
	if (strncasecmp(command, "at", 2) != 0)
		return mcred_fail(m, MCRED_ERR_INVALID_ARG,
				  "an AT command starts with \"AT\" (e.g. \"AT+CGMR\"); the %zu bytes "
				  "given do not (not repeated here: they may hold a secret)",
				  strlen(command));
	for (const char *p = command; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '"')
			in_quotes = !in_quotes;
		else if (!in_quotes && (c == '\r' || c == '\n'))
			return mcred_fail(m, MCRED_ERR_INVALID_ARG,
					  "the AT command contains a line break outside quotes; "
					  "send one command at a time");
		else if (raw_control_byte(c, in_quotes))
			return mcred_fail(m, MCRED_ERR_INVALID_ARG,
					  "the AT command has control byte 0x%02X at byte %zu: send "
					  "printable text only (the device's AT host takes backspace "
					  "and DEL as edits, so what ran would not be what was sent)",
					  c, (size_t)(p - command) + 1);
	}
	if (in_quotes)
		return mcred_fail(m, MCRED_ERR_INVALID_ARG,
				  "the AT command has an unbalanced '\"'");
	return MCRED_OK;
}

enum mcred_err mcred_at(mcred_modem *modem, const char *command, struct mcred_lines **out)
{
	struct mcred_reply reply;
	struct mcred_lines *lines;
	int (*explain)(mcred_modem *);
	char *trace_cmd;
	enum mcred_err rc;

	if (out)
		*out = NULL;
	if (!modem)
		return MCRED_ERR_INVALID_ARG;
	rc = check_raw_command(modem, command);
	if (rc != MCRED_OK)
		return rc;
	/*
	 * A %CMNG write of a key or PSK is traced as mcred_cmng_write() traces
	 * it, and one whose content cannot be told apart without its content;
	 * messages name the command by that form too.
	 */
	if (mcred_cmng_raw_trace(command, &trace_cmd) != MCRED_OK)
		return mcred_fail(modem, MCRED_ERR_NOMEM, "out of memory");
	/* a raw command is never sent twice, not even to explain its ERROR */
	explain = modem->explain_error;
	modem->explain_error = NULL;
	rc = mcred_at_exec(modem, command, strlen(command), trace_cmd, 0, &reply);
	modem->explain_error = explain;
	free(trace_cmd);
	if (rc != MCRED_OK || !out) {
		mcred_reply_free(&reply);
		return rc;
	}
	lines = malloc(sizeof(*lines));
	if (!lines) {
		mcred_reply_free(&reply);
		return mcred_fail(modem, MCRED_ERR_NOMEM, "out of memory");
	}
	*lines = reply.lines; /* ownership moves to the caller */
	*out = lines;
	return MCRED_OK;
}

void mcred_lines_free(struct mcred_lines *lines)
{
	if (!lines)
		return;
	/* wiped like the engine's own replies: a raw answer may carry a secret */
	for (size_t i = 0; i < lines->count; i++)
		if (lines->lines[i])
			mcred_secret_free(lines->lines[i], strlen(lines->lines[i]));
	free(lines->lines);
	free(lines);
}
