/*
 * From bytes to commands in Zephyr-shell mode (--shell). Raw AT mode has the
 * AT host's own model in athost.c. Here:
 *
 *  - a command ends at the configured terminator (--terminator): crlf means
 *    either CR or LF ends it, and CR/LF bytes at the start of a command are
 *    skipped (the second half of a CRLF, blank lines);
 *  - a terminator inside a quoted string does not end the command, so a PEM
 *    with line breaks can be sent as is;
 *  - a NUL outside quotes is dropped unless NUL is the terminator;
 *  - a command that does not fit at_host's --max-cmd buffer is discarded up
 *    to its terminator and answered ERROR (at_host's buffer overflow). The
 *    buffer keeps one byte for the NUL and one it never fills, and in CRLF
 *    mode it stores the CR too: a command of max-cmd - 1 bytes on the wire,
 *    terminator included, is the longest that fits.
 *
 * In Zephyr-shell mode (--shell) the shell owns the line (shell.c).
 */
#include "sim.h"

/* Longest command text (terminator excluded) that at_host's buffer holds. */
static size_t max_command_chars(const struct sim *sim)
{
	size_t reserved = sim->opt.terminator == TERM_CRLF ? 3 : 2;

	return sim->opt.max_cmd > reserved ? sim->opt.max_cmd - reserved : 0;
}

static int is_terminator(enum terminator t, unsigned char c)
{
	switch (t) {
	case TERM_CRLF: return c == '\r' || c == '\n';
	case TERM_CR: return c == '\r';
	case TERM_LF: return c == '\n';
	case TERM_NUL: return c == '\0';
	}
	return 0;
}

void line_reset(struct line *l)
{
	buf_clear(&l->cmd);
	buf_clear(&l->raw);
	l->overflow = 0;
	l->dropped = 0;
	l->in_quotes = 0;
	/* shell_last_nl survives: the LF of a CR LF may come after the CR's line. */
}

enum line_event line_feed(struct sim *sim, unsigned char c)
{
	if (sim->opt.shell)
		return shell_line_feed(sim, c);

	struct line *l = &sim->line;
	int at_start = l->raw.len == 0 && !l->overflow;
	int quoted = l->in_quotes;

	if (is_terminator(sim->opt.terminator, c) && !quoted) {
		if (at_start)
			return LINE_NONE; /* empty command: nothing to answer */
		buf_add(&l->raw, &c, 1);  /* echoed with the command */
		return l->overflow ? LINE_OVERFLOW : LINE_COMMAND;
	}
	if (at_start && (c == '\r' || c == '\n'))
		return LINE_NONE;
	if (c == '\0' && !quoted)
		return LINE_NONE;
	if (c == '"')
		l->in_quotes = !l->in_quotes;

	if (l->overflow) {
		l->overflow++;
		return LINE_NONE;
	}
	if (l->cmd.len >= max_command_chars(sim)) {
		/* Too long: forget it, but keep tracking quotes to find its end. */
		l->overflow = l->cmd.len + 1;
		buf_clear(&l->cmd);
		buf_clear(&l->raw);
		return LINE_NONE;
	}
	buf_add(&l->cmd, &c, 1);
	buf_add(&l->raw, &c, 1);
	return LINE_NONE;
}
