/*
 * The AT host of the at_client sample (nRF Connect SDK lib/at_host/at_host.c,
 * uart_rx_handler() and cmd_send()), byte for byte, in raw AT mode:
 *
 *  - One buffer of CONFIG_AT_HOST_CMD_MAX_LEN bytes (--max-cmd, default 4096)
 *    holds the command and then the modem's answer.
 *  - Backspace (0x08) and DEL (0x7F) remove the last stored byte, inside
 *    quotes too, and do not undo a quote's effect on the quoted state.
 *  - Outside quotes: NUL ends the command in NUL mode and is ignored
 *    otherwise; CR ends it in CR mode; LF ends it in LF mode, and in CR+LF
 *    mode when the byte stored before it is a CR (which stays in the
 *    command). Any other terminator byte is stored like text: in CR mode
 *    the LF of a CRLF sender becomes the first byte of the next command.
 *  - "Leaving space for null": at most size - 2 bytes are stored; further
 *    bytes are dropped without a word, quotes and line breaks alike. A
 *    closing quote dropped that way leaves the host inside quotes, where no
 *    terminator counts and every byte is dropped: it answers nothing until a
 *    backspace or DEL makes room for a quote, and a terminator follows.
 *  - A command with no byte above ' ' is dropped unanswered; any other goes
 *    to the modem as stored, the LF a CRLF sender left at its start and (in
 *    CR+LF mode) the CR at its end included. The modem skips such blanks:
 *    Nordic's own tools send CRLF to CR-terminated devices and work (an
 *    assumption the simulator makes explicit in athost_modem_text()).
 *  - The host passes the command with nrf_modem_at_cmd(buf, sizeof(buf),
 *    "%s", buf): the modem sees it up to its first NUL. An answer longer
 *    than the buffer makes that call fail with -E2BIG, which the host only
 *    logs before writing the buffer out: the answer goes out cut to what the
 *    buffer holds, without its final result.
 */
#include "sim.h"

#include <string.h>

#define BACKSPACE 0x08
#define DEL 0x7f

/* Bytes the buffer stores: its size less the NUL and the byte never used. */
static size_t stored_max(const struct sim *sim)
{
	return sim->opt.max_cmd > 2 ? sim->opt.max_cmd - 2 : 0;
}

/* The byte ends the command here (outside quotes). */
static int ends_command(const struct sim *sim, unsigned char c)
{
	const struct buf *cmd = &sim->line.cmd;

	switch (sim->opt.terminator) {
	case TERM_NUL: return c == '\0';
	case TERM_CR: return c == '\r';
	case TERM_LF: return c == '\n';
	case TERM_CRLF: return c == '\n' && cmd->len > 0 && cmd->data[cmd->len - 1] == '\r';
	}
	return 0;
}

static int has_visible_byte(const struct buf *cmd)
{
	for (size_t i = 0; i < cmd->len && cmd->data[i]; i++)
		if ((unsigned char)cmd->data[i] > ' ')
			return 1;
	return 0;
}

enum line_event athost_feed(struct sim *sim, unsigned char c)
{
	struct line *l = &sim->line;

	if (c == BACKSPACE || c == DEL) {
		if (l->cmd.len > 0) {
			l->cmd.data[--l->cmd.len] = '\0';
			buf_add(&l->raw, &c, 1);
		}
		return LINE_NONE;
	}
	if (!l->in_quotes && ends_command(sim, c)) {
		buf_add(&l->raw, &c, 1); /* echoed with the command (ATE1) */
		if (has_visible_byte(&l->cmd))
			return LINE_COMMAND;
		line_reset(l);
		return LINE_NONE;
	}
	if (!l->in_quotes && c == '\0')
		return LINE_NONE; /* "Ignored null; would terminate string early." */
	if (l->cmd.len >= stored_max(sim)) {
		l->dropped++; /* "Buffer overflow, dropping ..." */
		return LINE_NONE;
	}
	buf_add(&l->cmd, &c, 1);
	buf_add(&l->raw, &c, 1);
	if (c == '"')
		l->in_quotes = !l->in_quotes;
	return LINE_NONE;
}

void athost_modem_text(struct buf *cmd)
{
	size_t len = strnlen(cmd->data, cmd->len), start = 0;

	while (start < len && (unsigned char)cmd->data[start] <= ' ')
		start++;
	while (len > start && (unsigned char)cmd->data[len - 1] <= ' ')
		len--;
	memmove(cmd->data, cmd->data + start, len - start);
	cmd->len = len - start;
	cmd->data[cmd->len] = '\0';
}

size_t athost_answer_length(const struct sim *sim, size_t len)
{
	size_t room = sim->opt.max_cmd > 0 ? sim->opt.max_cmd - 1 : 0;

	return len < room ? len : room;
}
