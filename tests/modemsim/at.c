/*
 * One command, from its text to its framed answer:
 *
 *   a silent device ignores it -> echo (ATE1) -> what the modem gets (the
 *   AT host's "%s" and blanks) -> log (--log) -> --reset-after-cmd /
 *   --silent-after-cmd -> processing time (--latency-ms) -> dispatch by
 *   name -> framing.
 *
 * Raw AT mode frames as the modem and at_host do: "<information line>\r\n"
 * ... "OK\r\n", or "ERROR\r\n", or "+CME ERROR: <n>\r\n" when CMEE is 1,
 * without a leading CRLF; the whole answer passes through the AT host's
 * buffer and goes out cut when it does not fit (athost.c).
 *
 * With --urc-every, every third answer carries a URC at a line boundary
 * (between its information lines and its final result), because real URCs
 * can arrive at any moment.
 * In shell mode (--shell) shell.c owns the line and asks at_modem_answer()
 * for the modem's answer.
 */
#include "sim.h"

#include <ctype.h>
#include <stdarg.h>
#include <string.h>
#include <strings.h>

const char *at_sep(const struct sim *sim)
{
	return sim->opt.spaces ? ", " : ",";
}

void reply_line(struct sim *sim, struct reply *r, const char *text, size_t len)
{
	if (sim->opt.shell)
		buf_adds(&r->lines, "\r\n");
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
	const char *nl = sim->opt.shell ? "\r\n" : "";
	if (res == RES_OK)
		buf_addf(out, "%sOK\r\n", nl);
	else if (res > 0 && sim->cmee == 1)
		buf_addf(out, "%s+CME ERROR: %d\r\n", nl, res);
	else
		buf_addf(out, "%sERROR\r\n", nl);
}

/*
 * Raw AT mode: the answer as the AT host writes it out of its buffer (cut
 * when it does not fit), maybe with a URC at a line boundary: after the
 * information lines, or after the last whole line of a cut answer.
 */
static void send_answer(struct sim *sim, struct reply *r, int res)
{
	struct buf answer = { 0 }, out = { 0 };
	buf_add(&answer, r->lines.data, r->lines.len);
	add_final_result(sim, &answer, res);
	size_t len = athost_answer_length(sim, answer.len);
	if (len < answer.len)
		at_log(sim, "CUT answer of %zu bytes to %zu", answer.len, len);
	size_t urc_at = len < answer.len ? len : r->lines.len;
	while (urc_at > 0 && answer.data[urc_at - 1] != '\n')
		urc_at--;
	buf_add(&out, answer.data, urc_at);
	/* Not right after a line the host left open (a cut answer). */
	if (sim->opt.urc_every_ms > 0 && (urc_at > 0 || !sim->line_open) && ++sim->answers % 3 == 0)
		io_add_urc(sim, &out);
	buf_add(&out, answer.data + urc_at, len - urc_at);
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
 * Log, --reset-after-cmd / --silent-after-cmd, processing time, dispatch:
 * the final result of cmd, or RES_NONE when the device went silent or reset
 * instead of answering.
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
	if (sim->opt.latency_ms > 0)
		sleep_seconds(sim, (double)sim->opt.latency_ms / 1000.0);
	return dispatch(sim, r, cmd->data, cmd->len);
}

/*
 * The modem's own text, as nrf_modem_at_cmd() returns it: "<line>\r\n" ...
 * "OK\r\n", no empty lines (whatever framing reply_line() uses). CR LF
 * inside quoted content stays.
 */
static void modem_text(const struct buf *framed, struct buf *out)
{
	int quoted = 0;

	for (size_t i = 0; i < framed->len; i++) {
		const char *p = framed->data + i;
		int line_start = out->len == 0 ||
				 (out->len >= 2 && !memcmp(out->data + out->len - 2, "\r\n", 2));

		if (*p == '"')
			quoted = !quoted;
		if (!quoted && line_start && i + 1 < framed->len && !memcmp(p, "\r\n", 2)) {
			i++;
			continue;
		}
		buf_add(out, p, 1);
	}
}

void at_modem_answer(struct sim *sim, const char *cmd, size_t len, struct buf *answer)
{
	struct buf text = { 0 };
	struct reply r = { { 0 } };

	buf_add(&text, cmd, len);
	int res = run_command(sim, &r, &text);
	/* A reset while the modem was busy: the answer is lost with it. */
	if (res != RES_NONE && !sim_reset_requested) {
		add_final_result(sim, &r.lines, res);
		modem_text(&r.lines, answer);
	}
	buf_free(&r.lines);
	buf_free(&text);
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
	if (c->dropped)
		at_log(sim, "DROPPED %zu bytes beyond the AT host's buffer", c->dropped);
	struct buf *cmd = &c->cmd;
	if (sim->echo && !sim->silent)
		io_send(sim, c->raw.data, c->raw.len);
	athost_modem_text(cmd);

	struct reply r = { { 0 } };
	int res = run_command(sim, &r, cmd);
	/* A reset while the modem was busy: the answer is lost with it. */
	if (res != RES_NONE && !sim_reset_requested)
		send_answer(sim, &r, res);
	buf_free(&r.lines);
}
