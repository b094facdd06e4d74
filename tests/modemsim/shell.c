/*
 * Zephyr shell mode (--shell): the device runs nRF Connect SDK's at_shell in
 * a Zephyr shell instead of the raw AT host. What it does with a typed line,
 * as the real thing does (Zephyr subsys/shell, sdk-nrf lib/at_shell):
 *
 *  - the line ends at CR or LF; the LF of a CR LF (or CR of LF CR) is no
 *    second line; backspace and DEL take the last character back. Characters beyond the line buffer (--shell-cmd-buff,
 *    CONFIG_SHELL_CMD_BUFF_SIZE, keeps size - 1 characters) are dropped
 *    silently and not echoed; the shortened line still runs;
 *  - every kept character is echoed; each time the cursor reaches the
 *    terminal width (80 columns, prompt included) a "\n" follows;
 *  - the line is split into arguments: blanks separate them, a backslash
 *    outside quotes takes the next character literally, an unquoted ' or "
 *    starts a quoted run and is removed; inside quotes only a backslash
 *    before the same quote, \0ooo (octal) and \xHH (hex) are unescaped. An
 *    unterminated quote prints "not terminated: <q>";
 *  - a first word other than "at" prints "<word>: command not found";
 *  - at_shell passes only the first argument after "at" to the modem. With
 *    CONFIG_AT_SHELL_UNESCAPE_LF (on unless --shell-no-unescape-lf) each
 *    two-character "\n" of a command starting with AT%CMNG=0 becomes CR LF;
 *  - the modem's answer ("<info>\r\nOK\r\n", errors alike) is printed with a
 *    line break after it, unless it does not fit at_shell's buffer
 *    (--shell-response-max, CONFIG_AT_SHELL_CMD_RESPONSE_MAX_LEN, 2700):
 *    then nrf_modem_at_cmd() fails with -E2BIG and the shell prints
 *    "Sending AT command failed with error code -7" and no answer at all.
 *    --shell-at-fail N makes every command fail that way with -N;
 *  - then the prompt, "<name>:~$ " in VT100 bold green (--shell-prompt NAME,
 *    --shell-plain-prompt for none).
 */
#include "sim.h"

#include <string.h>

#define TERMINAL_WIDTH 80u
#define MAX_ARGS 8
#define E2BIG_CODE 7
static const char cmng_write_prefix[] = "AT%CMNG=0";

/* ---- the line editor --------------------------------------------------------- */

enum line_event shell_line_feed(struct sim *sim, unsigned char c)
{
	struct line *l = &sim->line;

	if (c == '\r' || c == '\n') {
		/* Zephyr's last_nl: the other half of a CR LF pair ends nothing. */
		if (l->shell_last_nl && l->shell_last_nl != c) {
			l->shell_last_nl = 0;
			return LINE_NONE;
		}
		l->shell_last_nl = c;
		return l->cmd.len || l->overflow ? LINE_COMMAND : LINE_NONE;
	}
	l->shell_last_nl = 0;
	if (c == '\0')
		return LINE_NONE;
	if (c == 0x08 || c == 0x7f) { /* backspace and delete take the last character back */
		if (l->cmd.len)
			l->cmd.data[--l->cmd.len] = '\0';
		return LINE_NONE;
	}
	if (l->cmd.len + 1 >= sim->opt.shell_cmd_buff) {
		l->overflow++; /* dropped, not echoed, counted for the log */
		return LINE_NONE;
	}
	buf_add(&l->cmd, &c, 1);
	return LINE_NONE;
}

/* ---- output -------------------------------------------------------------------- */

static size_t prompt_width(const struct sim *sim)
{
	return strlen(sim->opt.shell_prompt) + 4; /* "<name>:~$ " */
}

static void add_prompt(const struct sim *sim, struct buf *out)
{
	if (sim->opt.shell_plain_prompt)
		buf_addf(out, "%s:~$ ", sim->opt.shell_prompt);
	else
		buf_addf(out, "\x1b[1;32m%s:~$ \x1b[m", sim->opt.shell_prompt);
}

/* The echo of the kept characters, wrapped at the terminal width, and the Enter. */
static void add_echo(const struct sim *sim, const struct buf *line, struct buf *out)
{
	size_t column = prompt_width(sim);

	for (size_t i = 0; i < line->len; i++) {
		buf_add(out, &line->data[i], 1);
		if (++column % TERMINAL_WIDTH == 0)
			buf_adds(out, "\n");
	}
	buf_adds(out, "\r\n");
}

/* ---- argument splitting (Zephyr's rules) ----------------------------------------- */

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

/* ---- at_shell ---------------------------------------------------------------- */

/* CONFIG_AT_SHELL_UNESCAPE_LF: "\n" -> CR LF in AT%CMNG=0 commands (case as typed). */
static void unescape_lf(struct buf *cmd)
{
	size_t n = sizeof(cmng_write_prefix) - 1;

	if (cmd->len < n || memcmp(cmd->data, cmng_write_prefix, n) != 0)
		return;
	for (size_t i = 0; i + 1 < cmd->len; i++) {
		if (cmd->data[i] == '\\' && cmd->data[i + 1] == 'n') {
			cmd->data[i] = '\r';
			cmd->data[i + 1] = '\n';
		}
	}
}

/* What at_shell prints for one AT command: the modem's answer or its failure. */
static void run_at(struct sim *sim, struct buf *cmd, struct buf *out)
{
	struct buf answer = { 0 };

	if (!sim->opt.shell_no_unescape_lf)
		unescape_lf(cmd);
	if (sim->opt.shell_at_fail) {
		at_log_text(sim, cmd->data, cmd->len);
		buf_addf(out, "Sending AT command failed with error code -%ld\r\n",
			 sim->opt.shell_at_fail);
		return;
	}
	at_modem_answer(sim, cmd->data, cmd->len, &answer);
	if (answer.len > sim->opt.shell_response_max)
		buf_addf(out, "Sending AT command failed with error code -%d\r\n", E2BIG_CODE);
	else {
		buf_add(out, answer.data, answer.len);
		buf_adds(out, "\r\n");
	}
	buf_free(&answer);
}

void shell_handle_command(struct sim *sim, struct command *c)
{
	struct buf out = { 0 };
	struct buf args[MAX_ARGS] = { { 0 } };
	char open_quote = 0;
	int argc;

	add_echo(sim, &c->cmd, &out);
	if (c->overflow)
		at_log(sim, "CUT shell line: %zu characters dropped", c->overflow);
	argc = split_args(&c->cmd, args, &open_quote);
	if (argc < 0)
		buf_addf(&out, "not terminated: %c\r\n", open_quote);
	else if (argc > 0 && strcmp(args[0].data, "at") != 0)
		buf_addf(&out, "%s: command not found\r\n", args[0].data);
	else if (argc == 1)
		buf_adds(&out, "Usage: at <subcommand>\r\n");
	else if (argc > 1)
		run_at(sim, &args[1], &out);
	add_prompt(sim, &out);
	io_send(sim, out.data, out.len);
	buf_free(&out);
	for (int i = 0; i < MAX_ARGS; i++)
		buf_free(&args[i]);
}
