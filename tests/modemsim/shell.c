/*
 * The Zephyr shell as a terminal (apps modem_shell and shell). What it does,
 * from Zephyr's subsys/shell: shell.c (state_collect, process_nl, execute,
 * shell_vfprintf, shell_log_process; commit read 2024), shell_ops.c
 * (data_insert, reprint_from_cursor, z_shell_cmd_line_erase,
 * z_shell_print_prompt_and_cmd, z_shell_vfprintf; commit 044a759a),
 * shell_fprintf.c (out_func; commit 0dde32b3) and backends/shell_uart.c
 * (SHELL_DEFINE(shell_uart, ..., SHELL_FLAG_OLF_CRLF)):
 *
 *  - A line ends at CR or LF; the other half of a CR LF pair ends nothing
 *    (process_nl: only a newline equal to the last one, or the first after
 *    other input, counts). An empty line prints a line break and a new
 *    prompt. Ctrl-C ends the typed line without running it.
 *  - Printable ASCII is inserted and echoed as it is typed, until the line
 *    buffer (CONFIG_SHELL_CMD_BUFF_SIZE, --shell-cmd-buff) holds size - 1
 *    characters; further ones are dropped, not echoed, and the shortened
 *    line still runs. Each time the cursor reaches the terminal width (80
 *    columns, prompt included) a line break follows. Backspace and DEL take
 *    the last character back (here: only the kept characters are echoed);
 *    NUL, TAB, other control characters, bytes above 127 and VT100 escape
 *    sequences (arrow keys) insert nothing.
 *  - Enter moves to the next line (unless the cursor already is at the start
 *    of one), the command runs, the prompt follows: "<name>:~$ " in VT100
 *    green ("\e[1;32m...\e[m") unless --shell-plain-prompt
 *    (CONFIG_SHELL_VT100_COLORS=n).
 *  - The UART backend has SHELL_FLAG_OLF_CRLF: every "\n" the shell prints
 *    goes out as "\r\n", also those inside the modem's answer: "OK\r\n" is
 *    printed as "OK\r\r\n", and content stored with CR LF line endings
 *    reads back with CR CR LF. --shell-no-olf plays a backend defined with
 *    SHELL_FLAG_CRLF_DEFAULT instead, which prints "\n" as it is.
 *  - The line is split into arguments: blanks separate them, a backslash
 *    outside quotes takes the next character literally, an unquoted ' or "
 *    starts a quoted run and is removed; inside quotes only a backslash
 *    before the same quote, \0ooo (octal) and \xHH (hex) are unescaped. An
 *    unterminated quote prints "not terminated: <q>", a first word other
 *    than "at" prints "<word>: command not found" (both in red).
 *  - A print from another thread while no command runs (an event line, a
 *    log line) erases the prompt and the typed text (cursor left, cursor up
 *    for wrapped lines, "\e[J"), prints, and draws prompt and typed text
 *    again; while a command runs it goes out as it is. Log lines are printed
 *    by the shell thread itself, so never while a command runs; after each
 *    the prompt is drawn again, and once more after the last.
 */
#include "sim.h"

#include <string.h>

#define TERMINAL_WIDTH 80u
#define MAX_ARGS 8
#define CTRL_C 0x03
#define CTRL_U 0x15
#define ESC 0x1b

/* Escape sequence states of state_collect: after ESC, after "ESC[", and a
 * "~" still to come ("ESC[3~"). Kept in line.in_quotes, unused by the shell. */
enum { RX_DEFAULT, RX_ESC, RX_ESC_SEQ, RX_TILDE };

/* ---- the line editor ------------------------------------------------------ */

/* process_nl(): 1 when this CR or LF ends a line. */
static int ends_line(struct line *l, unsigned char c)
{
	if (l->shell_last_nl == 0 || c == l->shell_last_nl) {
		l->shell_last_nl = c;
		return 1;
	}
	return 0;
}

/* An escape sequence swallows its bytes; 1 when c belonged to one. */
static int in_escape(struct line *l, unsigned char c)
{
	switch (l->in_quotes) {
	case RX_ESC: l->in_quotes = c == '[' ? RX_ESC_SEQ : RX_DEFAULT; return 1;
	case RX_ESC_SEQ: l->in_quotes = c >= '1' && c <= '4' ? RX_TILDE : RX_DEFAULT; return 1;
	case RX_TILDE: l->in_quotes = RX_DEFAULT; return 1;
	default: break;
	}
	if (c == ESC) {
		l->in_quotes = RX_ESC;
		return 1;
	}
	return 0;
}

enum line_event shell_line_feed(struct sim *sim, unsigned char c)
{
	struct line *l = &sim->line;

	if (c > 127)
		return LINE_NONE; /* ascii_filter() */
	if (in_escape(l, c))
		return LINE_NONE;
	if (c == '\r' || c == '\n')
		return ends_line(l, c) ? LINE_COMMAND : LINE_NONE;
	l->shell_last_nl = 0;
	if (c == 0x08 || c == 0x7f) { /* backspace; DEL in CONFIG_SHELL_BACKSPACE_MODE_DELETE */
		if (l->cmd.len)
			l->cmd.data[--l->cmd.len] = '\0';
		return LINE_NONE;
	}
	if (c == CTRL_C) {
		l->cancelled = 1;
		return LINE_COMMAND;
	}
	if (c == CTRL_U) {
		buf_clear(&l->cmd);
		return LINE_NONE;
	}
	if (c < ' ' || c == 0x7f)
		return LINE_NONE; /* NUL, TAB (completion), other meta keys */
	if (l->cmd.len + 1 >= sim->opt.shell_cmd_buff) {
		l->overflow++; /* dropped, not echoed, counted for the log */
		return LINE_NONE;
	}
	buf_add(&l->cmd, &c, 1);
	buf_add(&l->raw, &c, 1);
	return LINE_NONE;
}

/* ---- the terminal ---------------------------------------------------------- */

size_t shell_prompt_width(const struct sim *sim)
{
	return strlen(sim->opt.shell_prompt) + 4; /* "<name>:~$ " */
}

static int colours(const struct sim *sim)
{
	return !sim->opt.shell_plain_prompt;
}

void shell_add_prompt(const struct sim *sim, struct buf *out)
{
	if (colours(sim))
		buf_addf(out, "\x1b[1;32m%s:~$ \x1b[m", sim->opt.shell_prompt);
	else
		buf_addf(out, "%s:~$ ", sim->opt.shell_prompt);
}

void shell_print_text(const struct sim *sim, struct buf *out, int colour, const char *text,
		      size_t len)
{
	if (colour && colours(sim))
		buf_addf(out, "\x1b[1;3%dm", colour);
	for (size_t i = 0; i < len; i++) {
		if (text[i] == '\n' && !sim->opt.shell_no_olf)
			buf_adds(out, "\r"); /* SHELL_FLAG_OLF_CRLF */
		buf_add(out, &text[i], 1);
	}
	if (colour && colours(sim))
		buf_adds(out, "\x1b[m");
}

void shell_mosh_timestamp(const struct sim *sim, struct buf *out)
{
	/* create_timestamp_string(): the real-time clock, UTC, milliseconds */
	if (sim->opt.mosh_timestamps)
		buf_adds(out, "[2025-02-12 14:49:28.123] ");
}

void shell_erase_line(const struct sim *sim, struct buf *out, size_t typed_len)
{
	size_t pos = typed_len + shell_prompt_width(sim);
	size_t x = pos % TERMINAL_WIDTH, y = pos / TERMINAL_WIDTH;

	if (x)
		buf_addf(out, "\x1b[%zuD", x);
	if (y)
		buf_addf(out, "\x1b[%zuA", y);
	buf_adds(out, "\x1b[J");
}

void shell_redraw_line(const struct sim *sim, struct buf *out, const char *typed, size_t typed_len)
{
	size_t room = TERMINAL_WIDTH - shell_prompt_width(sim), start = 0;

	shell_add_prompt(sim, out);
	/* z_shell_print_cmd(): whole lines end in "\n", the last does not */
	while (typed_len - start > room) {
		buf_add(out, typed + start, room);
		shell_print_text(sim, out, 0, "\n", 1);
		start += room;
		room = TERMINAL_WIDTH;
	}
	buf_add(out, typed + start, typed_len - start);
	/* z_shell_op_cursor_position_synchronize(): a full last line moves on */
	if (typed_len && (typed_len + shell_prompt_width(sim)) % TERMINAL_WIDTH == 0)
		shell_print_text(sim, out, 0, "\n", 1);
}

/* The cursor stands at the start of a line after this many typed characters. */
static int cursor_in_empty_line(const struct sim *sim, size_t typed_len)
{
	return (typed_len + shell_prompt_width(sim)) % TERMINAL_WIDTH == 0;
}

/* ---- argument splitting (Zephyr's z_shell_make_argv) --------------------------- */

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Inside quotes at s[i] == '\\': the escape's value into *byte and the
 * number of input characters it takes, or 0 when it is no escape.
 */
static size_t quoted_escape(const char *s, size_t len, size_t i, char quote, char *byte)
{
	size_t n = 0;
	unsigned v = 0;

	if (i + 1 >= len)
		return 0;
	if (s[i + 1] == quote) {
		*byte = quote;
		return 2;
	}
	if (s[i + 1] == '0') {
		while (n < 3 && i + 2 + n < len && s[i + 2 + n] >= '0' && s[i + 2 + n] <= '7')
			v = (v << 3) | (unsigned)(s[i + 2 + n++] - '0');
	} else if (s[i + 1] == 'x') {
		while (n < 2 && i + 2 + n < len && hex_value(s[i + 2 + n]) >= 0)
			v = (v << 4) | (unsigned)hex_value(s[i + 2 + n++]);
	}
	if (n == 0)
		return 0;
	*byte = (char)(v & 0xff);
	return 2 + n;
}

/*
 * Split line into at most MAX_ARGS arguments (copies in args). Returns the
 * count, or -1 with *open_quote set when a quote is left open.
 */
static int split_args(const struct buf *line, struct buf args[MAX_ARGS], char *open_quote)
{
	const char *s = line->data;
	size_t len = line->len, i = 0;
	int argc = 0;

	while (argc < MAX_ARGS) {
		char quote = 0;

		while (i < len && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i >= len)
			break;
		buf_clear(&args[argc]);
		buf_add(&args[argc], "", 0); /* an empty argument is still a string */
		while (i < len && (quote || (s[i] != ' ' && s[i] != '\t'))) {
			char c = s[i], byte;
			size_t n;

			if (!quote && c == '\\' && i + 1 < len) {
				buf_add(&args[argc], &s[i + 1], 1);
				i += 2;
			} else if (!quote && (c == '\'' || c == '"')) {
				quote = c;
				i++;
			} else if (quote && c == quote) {
				quote = 0;
				i++;
			} else if (quote && c == '\\' &&
				   (n = quoted_escape(s, len, i, quote, &byte)) > 0) {
				buf_add(&args[argc], &byte, 1);
				i += n;
			} else {
				buf_add(&args[argc], &c, 1);
				i++;
			}
		}
		if (quote) {
			*open_quote = quote;
			return -1;
		}
		argc++;
	}
	return argc;
}

/* ---- running a line --------------------------------------------------------------- */

/* Asynchronous output while the shell waits for or reads a line. */
static void idle_point(struct sim *sim, struct buf *out, const char *typed, size_t typed_len)
{
	async_emit(sim, out, CTX_SHELL_IDLE, typed, typed_len);
}

/* The echo of the kept characters, one at a time, with whatever comes
 * between them. */
static void echo_typed(struct sim *sim, const struct buf *line, struct buf *out)
{
	size_t width = shell_prompt_width(sim);

	for (size_t i = 0; i < line->len; i++) {
		/* the character arrives; what fell due meanwhile comes first */
		async_advance_bytes(sim, 1);
		idle_point(sim, out, line->data, i);
		buf_add(out, &line->data[i], 1);
		if ((width + i + 1) % TERMINAL_WIDTH == 0)
			shell_print_text(sim, out, 0, "\n", 1);
	}
}

/*
 * What the command prints (already for the terminal) into print; 0 when the
 * device went silent or reset instead of answering (no output, no prompt).
 */
static int execute(struct sim *sim, const struct buf *line, struct buf *print)
{
	struct buf args[MAX_ARGS] = { { 0 } };
	char open_quote = 0, text[160];
	int argc = split_args(line, args, &open_quote), ran = 1;

	if (argc < 0) {
		snprintf(text, sizeof(text), "not terminated: %c\n", open_quote);
		shell_print_text(sim, print, 1, text, strlen(text));
	} else if (argc > 0 && strcmp(args[0].data, "at") != 0) {
		snprintf(text, sizeof(text), "%.120s: command not found\n", args[0].data);
		shell_print_text(sim, print, 1, text, strlen(text));
	} else if (argc > 0) {
		ran = shell_at_command(sim, argc, args, print);
	}
	for (int i = 0; i < MAX_ARGS; i++)
		buf_free(&args[i]);
	return ran;
}

void shell_handle_command(struct sim *sim, struct command *c)
{
	struct buf out = { 0 }, print = { 0 };
	const struct buf *line = &c->cmd;

	if (sim->silent) {
		/* the shell thread still waits for the modem: nothing is read */
		at_log(sim, "RX <ignored: the device went silent>");
		return;
	}
	if (c->overflow)
		at_log(sim, "CUT shell line: %zu characters dropped", c->overflow);
	echo_typed(sim, line, &out);
	async_advance_bytes(sim, 1); /* the Enter */
	if (!cursor_in_empty_line(sim, line->len))
		shell_print_text(sim, &out, 0, "\n", 1); /* z_cursor_next_line_move() */
	if (!c->cancelled && line->len) {
		/* the echo is out before the command runs (and maybe resets) */
		io_send(sim, out.data, out.len);
		buf_clear(&out);
		if (!execute(sim, line, &print)) {
			buf_free(&out);
			buf_free(&print);
			return;
		}
		/* while the command runs, other threads print as they are */
		async_emit(sim, &out, CTX_SHELL_CMD, "", 0);
		buf_add(&out, print.data, print.len);
		async_advance_bytes(sim, print.len);
		async_emit(sim, &out, CTX_SHELL_CMD, "", 0);
	}
	shell_add_prompt(sim, &out);
	idle_point(sim, &out, "", 0);
	io_send(sim, out.data, out.len);
	buf_free(&out);
	buf_free(&print);
}
