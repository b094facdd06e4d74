/*
 * One command, from its text to its framed answer:
 *
 *   a silent device ignores it -> echo (ATE1) -> what the modem gets (the
 *   AT host's "%s" and blanks) -> log (--log) -> --reset-after-cmd /
 *   --silent-after-cmd -> --hold-file -> processing time (--latency-ms) ->
 *   dispatch by name -> framing.
 *
 * The at_client's AT host (sdk-nrf lib/at_host/at_host.c cmd_send) frames as
 * the modem answers: "<information line>\r\n" ... "OK\r\n", or
 * "ERROR\r\n", or "+CME ERROR: <n>\r\n" when CMEE is 1, without a leading
 * CRLF; the whole answer passes through the AT host's buffer and goes out
 * cut when it does not fit (athost.c). The modem's notifications reach the
 * UART through another thread (AT_MONITOR ANY), so they can come before the
 * answer, between its lines, after it: async.c decides what is due; here
 * they are placed at line boundaries outside quoted content. With
 * --urc-every, every third answer carries one between its information lines
 * and its final result.
 *
 * The shells (shell.c) and the Serial LTE Modem (slm.c) frame on their own
 * and ask at_modem_answer() for the modem's answer.
 */
#include "sim.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

const char *at_sep(const struct sim *sim)
{
	return sim->opt.spaces ? ", " : ",";
}

void reply_line(struct sim *sim, struct reply *r, const char *text, size_t len)
{
	(void)sim;
	buf_add(&r->lines, text, len);
	buf_adds(&r->lines, "\r\n");
}

void reply_linef(struct sim *sim, struct reply *r, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	reply_line(sim, r, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

/* ---- log ------------------------------------------------------------------ */

void at_log(const struct sim *sim, const char *fmt, ...)
{
	if (!sim->opt.log_file)
		return;
	FILE *f = fopen(sim->opt.log_file, "a");
	if (!f)
		return;
	va_list ap;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
	fclose(f);
}

/* "RX <command>" with every quoted string shown as <N bytes>, so secrets and
 * multi-line content never reach the log and each command is one line. */
static void log_command(const struct sim *sim, const char *cmd, size_t len)
{
	if (!sim->opt.log_file)
		return;
	FILE *f = fopen(sim->opt.log_file, "a");
	if (!f)
		return;
	fputs("RX ", f);
	for (size_t i = 0; i < len; i++) {
		if (cmd[i] == '"') {
			size_t j = i + 1;
			while (j < len && cmd[j] != '"')
				j++;
			fprintf(f, "<%zu bytes>", j - i - 1);
			i = j;
		} else if (cmd[i] == '\r') {
			fputs("\\r", f);
		} else if (cmd[i] == '\n') {
			fputs("\\n", f);
		} else if (!isprint((unsigned char)cmd[i])) {
			fprintf(f, "\\x%02x", (unsigned char)cmd[i]);
		} else {
			fputc(cmd[i], f);
		}
	}
	fputc('\n', f);
	fclose(f);
}

void at_log_text(const struct sim *sim, const char *cmd, size_t len)
{
	log_command(sim, cmd, len);
}

/* ---- dispatch ------------------------------------------------------------- */

/* Drop trailing blanks and CR/LF (e.g. the CR of a CRLF in LF mode); a quoted
 * string ends with '"', so content is never touched. */
static size_t trim_end(const char *s, size_t len)
{
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\r' || s[len - 1] == '\n' ||
			   s[len - 1] == '\t'))
		len--;
	return len;
}

/* Length of the command name at s: "+CFUN", "%CMNG", or a basic one ("E"). */
static size_t name_length(const char *s, size_t len)
{
	if (len == 0)
		return 0;
	if (s[0] != '+' && s[0] != '%')
		return 1; /* basic command: one letter, e.g. ATE1 */
	size_t n = 1;
	while (n < len && (isalnum((unsigned char)s[n]) || s[n] == '_'))
		n++;
	return n;
}

static int dispatch(struct sim *sim, struct reply *r, const char *cmd, size_t len)
{
	if (len < 2 || strncasecmp(cmd, "AT", 2) != 0)
		return RES_ERROR;
	const char *s = cmd + 2;
	len -= 2;
	if (len == 0)
		return RES_OK; /* plain "AT" */

	size_t nlen = name_length(s, len);
	char name[32];
	if (nlen >= sizeof(name))
		return RES_ERROR;
	memcpy(name, s, nlen);
	name[nlen] = '\0';
	const char *rest = s + nlen;
	size_t rest_len = len - nlen;

	if (!strcasecmp(name, "%CMNG"))
		return cmng_command(sim, r, rest, rest_len);
	if (!strcasecmp(name, "%KEYGEN") && device_fw_at_least_1_3(sim))
		return keygen_command(sim, r, rest, rest_len);
	if (!strcasecmp(name, "%ATTESTTOKEN") && device_fw_at_least_1_3(sim))
		return attest_command(sim, r, rest, rest_len);
	int res = device_command(sim, r, name, rest, rest_len);
	return res == RES_UNKNOWN ? RES_ERROR : res;
}

static void add_final_result(struct sim *sim, struct buf *out, int res)
{
	if (res == RES_OK)
		buf_adds(out, "OK\r\n");
	else if (res > 0 && sim->cmee == 1)
		buf_addf(out, "+CME ERROR: %d\r\n", res);
	else
		buf_adds(out, "ERROR\r\n");
}

/* Asynchronous output at a point of the raw output being composed in out:
 * only where a line has ended (or nothing is open on the line). */
static void raw_point(struct sim *sim, struct buf *out)
{
	int open = out->len ? out->data[out->len - 1] != '\n' : sim->line_open;

	if (!open)
		async_emit(sim, out, CTX_RAW, "", 0);
}

/* The end of the first line of text[0..len) that ends outside quotes, or len. */
static size_t line_end(const char *text, size_t len)
{
	int quoted = 0;

	for (size_t i = 0; i < len; i++) {
		if (text[i] == '"')
			quoted = !quoted;
		else if (text[i] == '\n' && !quoted)
			return i + 1;
	}
	return len;
}

/*
 * Raw AT mode: the answer as the AT host writes it out of its buffer (cut
 * when it does not fit), with what comes asynchronously at its line
 * boundaries, and with --urc-every a URC in every third answer after its
 * information lines.
 */
static void send_answer(struct sim *sim, struct reply *r, int res)
{
	struct buf answer = { 0 }, out = { 0 };
	int urc_every = sim->opt.urc_every_ms > 0 && ++sim->answers % 3 == 0;

	buf_add(&answer, r->lines.data, r->lines.len);
	add_final_result(sim, &answer, res);
	size_t len = athost_answer_length(sim, answer.len);
	if (len < answer.len)
		at_log(sim, "CUT answer of %zu bytes to %zu", answer.len, len);
	raw_point(sim, &out);
	for (size_t pos = 0; pos < len;) {
		size_t n = line_end(answer.data + pos, len - pos);

		if (urc_every && pos == r->lines.len) {
			async_urc_every_step(sim);
			raw_point(sim, &out);
		}
		buf_add(&out, answer.data + pos, n);
		async_advance_bytes(sim, n);
		pos += n;
		raw_point(sim, &out);
	}
	io_send(sim, out.data, out.len);
	buf_free(&out);
	buf_free(&answer);
}

/* The command holds the text of a --reset-after-cmd or --silent-after-cmd. */
static int matches(const struct buf *cmd, const char *pattern)
{
	return pattern && strstr(cmd->data, pattern) != NULL;
}

/*
 * --hold-file: a test that must make something happen while the modem works
 * on a command (a signal to the client, say) names the command in FILE; the
 * answer waits until the test removes FILE. An event, not a race against
 * --latency-ms. Bounded, so that a test that forgets the file still ends.
 */
static void hold_while_gated(struct sim *sim, const struct buf *cmd)
{
	char text[256];
	FILE *f;
	int i;

	if (!sim->opt.hold_file || !(f = fopen(sim->opt.hold_file, "r")))
		return;
	if (!fgets(text, sizeof(text), f))
		text[0] = '\0';
	fclose(f);
	text[strcspn(text, "\r\n")] = '\0';
	if (!text[0] || !matches(cmd, text))
		return;
	at_log(sim, "HELD");
	for (i = 0; i < 6000 && access(sim->opt.hold_file, F_OK) == 0; i++)
		if (sleep_seconds(sim, 0.01))
			return;
}

/*
 * Log, --reset-after-cmd / --silent-after-cmd, --hold-file, processing
 * time, dispatch: the final result of cmd, or RES_NONE when the device went
 * silent or reset instead of answering.
 */
static int run_command(struct sim *sim, struct reply *r, struct buf *cmd)
{
	if (sim->silent) {
		at_log(sim, "RX <ignored: the device went silent>");
		return RES_NONE;
	}
	cmd->len = trim_end(cmd->data, cmd->len);
	cmd->data[cmd->len] = '\0';
	log_command(sim, cmd->data, cmd->len);
	if (sim->reset_armed && matches(cmd, sim->opt.reset_after_cmd)) {
		sim->reset_armed = 0;
		device_reset(sim);
		return RES_NONE;
	}
	if (sim->silent_armed && matches(cmd, sim->opt.silent_after_cmd)) {
		at_log(sim, "SILENT from now on");
		sim->silent_armed = 0;
		sim->silent = 1;
		return RES_NONE;
	}
	hold_while_gated(sim, cmd);
	if (sim->opt.latency_ms > 0)
		sleep_seconds(sim, (double)sim->opt.latency_ms / 1000.0);
	/* emulated processing time: at least a millisecond (async.c's clock) */
	async_advance(sim, 1.0 + (double)sim->opt.latency_ms);
	return dispatch(sim, r, cmd->data, cmd->len);
}

int at_modem_answer(struct sim *sim, const char *cmd, size_t len, struct buf *answer)
{
	struct buf text = { 0 };
	struct reply r = { { 0 } };

	buf_add(&text, cmd, len);
	int res = run_command(sim, &r, &text);
	/* A reset while the modem was busy: the answer is lost with it. */
	if (sim_reset_requested)
		res = RES_NONE;
	if (res != RES_NONE) {
		buf_add(answer, r.lines.data, r.lines.len);
		add_final_result(sim, answer, res);
	}
	buf_free(&r.lines);
	buf_free(&text);
	return res;
}

void at_handle_command(struct sim *sim, struct command *c)
{
	/* Everything sent from here on is for the client that sent c: if it
	 * has closed the port, the command still takes effect, but the answer
	 * goes nowhere (io.c drops it) rather than to the next client. */
	sim->answer_session = c->session;
	sim->commands++;
	if (sim->opt.shell) {
		shell_handle_command(sim, c);
		return;
	}
	if (sim->opt.app == APP_SLM) {
		slm_handle_command(sim, c);
		return;
	}
	if (c->dropped)
		at_log(sim, "DROPPED %zu bytes beyond the AT host's buffer", c->dropped);
	struct buf *cmd = &c->cmd;
	async_advance_bytes(sim, c->raw.len);
	if (sim->echo && !sim->silent) {
		struct buf echo = { 0 };

		raw_point(sim, &echo);
		buf_add(&echo, c->raw.data, c->raw.len);
		io_send(sim, echo.data, echo.len);
		buf_free(&echo);
	}
	athost_modem_text(cmd);

	struct reply r = { { 0 } };
	int res = run_command(sim, &r, cmd);
	/* A reset while the modem was busy: the answer is lost with it. */
	if (res != RES_NONE && !sim_reset_requested)
		send_answer(sim, &r, res);
	buf_free(&r.lines);
}
