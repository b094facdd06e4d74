/*
 * The Serial LTE Modem application's AT host (--app slm), from sdk-nrf
 * applications/serial_lte_modem/src/slm_at_host.c (commit 05e6190f, nRF
 * Connect SDK 2.7/2.8 line: cmd_rx_handler, cmd_send, cmd_grammar_check,
 * format_final_result, notification_handler), src/slm_defines.h and
 * src/slm_at_commands.c:
 *
 *  - One buffer slm_at_buf of SLM_AT_MAX_CMD_LEN + 1 bytes (--max-cmd,
 *    default 4096 = SLM_AT_MAX_CMD_LEN) holds up to SLM_AT_MAX_CMD_LEN
 *    command bytes. Beyond that bytes are still counted (quotes still
 *    toggle the quoted state), and the terminator then answers ERROR
 *    ("AT command buffer overflow"): the host never goes deaf.
 *  - Terminators outside quotes: CR (CONFIG_SLM_CR_TERMINATION), LF, or
 *    CR+LF, the default (doc/slm_description.rst): an LF ends the command
 *    when the byte before it was a CR, which is then dropped. Any other
 *    byte, NUL and a lone CR included, is stored. Backspace and DEL remove
 *    the last byte and, when it was a quote, undo its quoted state.
 *  - An empty command is ignored. Bytes before the first "AT" (any case)
 *    are skipped ("UART can send additional characters when the device is
 *    powered on"); what is left must be AT, AT<+%#><alnum>... with nothing
 *    or =..., ?, =? after the name, else ERROR without the modem seeing it
 *    (so ATE0 and ATE1 are errors).
 *  - The modem answers into the same buffer after 2 bytes kept for CR LF:
 *    an answer longer than SLM_AT_MAX_CMD_LEN - 2 bytes fails with -E2BIG
 *    and the host answers ERROR. Otherwise it goes out as "\r\n" + answer,
 *    with "\r\n" inserted before the final result when information came
 *    before it (TS 27.007 verbose format): "\r\nmfw_nrf91x1_2.0.2\r\n\r\nOK\r\n"
 *    (also seen on real hardware, DevZone case 124937), "\r\nOK\r\n",
 *    "\r\n+CME ERROR: 513\r\n". Its own errors are "\r\nERROR\r\n".
 *  - Its own commands answer "\r\n#X...: ...\r\n" then "\r\nOK\r\n":
 *    #XSLMVER (the nRF Connect SDK and modem library versions, quoted), #XUUID
 *    (the device UUID), #XRESET (OK, then it restarts and says "Ready").
 *    Other #X commands go to the modem, which does not know them.
 *  - Notifications go out as "\r\n" + notification, between whole writes:
 *    never inside an answer (async.c).
 *  - "Ready\r\n" when it starts (slm_at_host_init, SLM_SYNC_STR).
 */
#include "sim.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#define BACKSPACE 0x08
#define DEL 0x7f

/* NCS_VERSION_STRING and nrf_modem_build_version() of the build emulated. */
static const char ncs_version[] = "2.6.0";
static const char libmodem_version[] = "2.6.0";

/* SLM_AT_MAX_CMD_LEN: the command bytes its buffer stores. */
static size_t slm_cmd_max(const struct sim *sim)
{
	return sim->opt.max_cmd;
}

/* ---- cmd_rx_handler ----------------------------------------------------------------- */

static int ends_command(const struct sim *sim, const struct line *l, unsigned char c)
{
	switch (sim->opt.terminator) {
	case TERM_CR: return c == '\r';
	case TERM_LF: return c == '\n';
	case TERM_CRLF: return c == '\n' && l->cmd.len + l->dropped > 0 && l->prev == '\r';
	case TERM_NUL: break;
	}
	return 0;
}

enum line_event slm_feed(struct sim *sim, unsigned char c)
{
	struct line *l = &sim->line;

	buf_add(&l->raw, &c, 1);
	if (c == BACKSPACE || c == DEL) {
		if (l->cmd.len + l->dropped == 0)
			return LINE_NONE;
		if (l->dropped)
			l->dropped--;
		else
			l->cmd.data[--l->cmd.len] = '\0';
		if (l->prev == '"')
			l->in_quotes = !l->in_quotes;
		l->prev = l->cmd.len && !l->dropped ? (unsigned char)l->cmd.data[l->cmd.len - 1]
						    : 0;
		return LINE_NONE;
	}
	if (!l->in_quotes && ends_command(sim, l, c)) {
		if (sim->opt.terminator == TERM_CRLF) { /* trim the CR */
			if (l->dropped)
				l->dropped--;
			else
				l->cmd.data[--l->cmd.len] = '\0';
		}
		if (l->cmd.len + l->dropped == 0) {
			line_reset(l); /* "Ignore 0 size command." */
			return LINE_NONE;
		}
		return LINE_COMMAND;
	}
	if (l->cmd.len < slm_cmd_max(sim))
		buf_add(&l->cmd, &c, 1);
	else
		l->dropped++;
	if (c == '"')
		l->in_quotes = !l->in_quotes;
	l->prev = c;
	return LINE_NONE;
}

/* ---- cmd_send ------------------------------------------------------------------- */

/* cmd_grammar_check(): AT, AT<sep><body>[=|?|=?|=<params>]. */
static int grammar_ok(const char *cmd)
{
	const char *body;

	if (toupper((unsigned char)cmd[0]) != 'A' || toupper((unsigned char)cmd[1]) != 'T')
		return 0;
	cmd += 2;
	if (*cmd == '\0')
		return 1;
	if (*cmd != '+' && *cmd != '%' && *cmd != '#')
		return 0;
	body = ++cmd;
	while (isalnum((unsigned char)*cmd))
		cmd++;
	if (cmd == body)
		return 0;
	if (*cmd == '\0')
		return 1;
	if (*cmd == '?')
		return cmd[1] == '\0';
	if (*cmd != '=')
		return 0;
	return cmd[1] != '?' || cmd[2] == '\0';
}

/* The command from its first "AT" (any case) on; the whole when there is none. */
static const char *skip_to_at(const char *cmd)
{
	size_t len = strlen(cmd);

	for (size_t i = 0; i + 1 < len; i++)
		if (toupper((unsigned char)cmd[i]) == 'A' &&
		    toupper((unsigned char)cmd[i + 1]) == 'T')
			return cmd + i;
	return cmd;
}

/* The last occurrence of needle in hay (strrstr of slm_at_host.c), or NULL. */
static const char *last_of(const char *hay, const char *needle)
{
	const char *found = NULL, *p = hay;

	while ((p = strstr(p, needle)) != NULL)
		found = p++;
	return found;
}

/*
 * format_final_result(): "\r\n" before the final result when something came
 * before it, if the buffer has room for two more bytes. buf holds "\r\n" and
 * the answer.
 */
static void format_final_result(const struct sim *sim, struct buf *buf)
{
	static const char *const finals[] = { "OK\r\n", "ERROR\r\n", "+CME ERROR:", "+CMS ERROR:" };
	const char *result = NULL;

	for (size_t i = 0; i < sizeof(finals) / sizeof(finals[0]) && !result; i++)
		result = last_of(buf->data, finals[i]);
	if (!result || result == buf->data + 2 || buf->len + 2 >= slm_cmd_max(sim) + 1)
		return;
	size_t at = (size_t)(result - buf->data);
	struct buf tail = { 0 };

	buf_add(&tail, buf->data + at, buf->len - at);
	buf->len = at;
	buf_adds(buf, "\r\n");
	buf_add(buf, tail.data, tail.len);
	buf_free(&tail);
}

static void send_error(struct buf *out)
{
	buf_adds(out, "\r\nERROR\r\n"); /* rsp_send_error() */
}

enum { NOT_OWN, OWN_ANSWERED, OWN_RESET };

/* The SLM's own #X commands (set form only; the others answer ERROR). */
static int slm_command(const struct sim *sim, const char *cmd, struct buf *out)
{
	static const char *const own[] = { "AT#XSLMVER", "AT#XUUID", "AT#XRESET" };
	size_t name_len = strcspn(cmd, "=?");
	char uuid[40];
	size_t i;

	for (i = 0; i < sizeof(own) / sizeof(own[0]); i++)
		if (strlen(own[i]) == name_len && !strncasecmp(cmd, own[i], name_len))
			break;
	if (i == sizeof(own) / sizeof(own[0]))
		return NOT_OWN;
	if (cmd[name_len] != '\0') {
		send_error(out); /* no read or test form */
		return OWN_ANSWERED;
	}
	switch (i) {
	case 0:
		buf_addf(out, "\r\n#XSLMVER: \"%s\",\"%s\"\r\n\r\nOK\r\n", ncs_version,
			 libmodem_version);
		return OWN_ANSWERED;
	case 1:
		snprintf(uuid, sizeof(uuid), "%s", sim->opt.uuid_text);
		for (char *p = uuid; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		buf_addf(out, "\r\n#XUUID: %s\r\n\r\nOK\r\n", uuid);
		return OWN_ANSWERED;
	default: buf_adds(out, "\r\nOK\r\n"); return OWN_RESET;
	}
}

/* What the modem's answer becomes on the SLM's line. */
static void frame_modem_answer(struct sim *sim, const struct buf *answer, struct buf *out)
{
	struct buf framed = { 0 };

	/* nrf_modem_at_cmd(buf + 2, sizeof(slm_at_buf) - 2, ...): the answer
	 * and its NUL in SLM_AT_MAX_CMD_LEN - 1 bytes */
	if (answer->len + 2 > slm_cmd_max(sim)) {
		at_log(sim, "CUT answer of %zu bytes: -E2BIG, ERROR", answer->len);
		send_error(out);
		return;
	}
	buf_adds(&framed, "\r\n");
	buf_add(&framed, answer->data, answer->len);
	format_final_result(sim, &framed);
	buf_add(out, framed.data, framed.len);
	buf_free(&framed);
}

/*
 * The answer to one command into out; 0 when none comes (the device reset
 * or went silent, or restarts after answering: *reset).
 */
static int answer_command(struct sim *sim, const struct command *c, struct buf *out, int *reset)
{
	struct buf answer = { 0 };
	const char *cmd;
	int own, res;

	if (c->dropped) {
		at_log(sim, "DROPPED %zu bytes beyond the SLM's buffer: ERROR", c->dropped);
		send_error(out);
		return 1;
	}
	cmd = skip_to_at(c->cmd.data);
	if (!grammar_ok(cmd)) {
		at_log_text(sim, c->cmd.data, strnlen(c->cmd.data, c->cmd.len));
		at_log(sim, "SYNTAX invalid for the SLM: ERROR");
		send_error(out);
		return 1;
	}
	own = slm_command(sim, cmd, out);
	if (own != NOT_OWN) {
		at_log_text(sim, cmd, strlen(cmd));
		async_advance(sim, 1.0);
		*reset = own == OWN_RESET;
		return 1;
	}
	res = at_modem_answer(sim, cmd, strlen(cmd), &answer);
	if (res != RES_NONE) {
		/* what the modem notified meanwhile went out before its answer */
		async_emit(sim, out, CTX_RAW, "", 0);
		frame_modem_answer(sim, &answer, out);
	}
	buf_free(&answer);
	return res != RES_NONE;
}

void slm_handle_command(struct sim *sim, struct command *c)
{
	struct buf out = { 0 };
	int reset = 0;

	async_advance_bytes(sim, c->raw.len);
	if (sim->silent) {
		at_log(sim, "RX <ignored: the device went silent>");
		return;
	}
	/* what fell due while the command came in goes out first */
	if (async_emit(sim, &out, CTX_RAW, "", 0)) {
		io_send(sim, out.data, out.len);
		buf_clear(&out);
	}
	if (answer_command(sim, c, &out, &reset)) {
		async_advance_bytes(sim, out.len);
		if (!reset)
			async_emit(sim, &out, CTX_RAW, "", 0);
	}
	io_send(sim, out.data, out.len);
	buf_free(&out);
	if (reset)
		device_reset(sim); /* sys_reboot() after the OK: "Ready" again */
}
