/*
 * Zephyr shell mode (nRF Connect SDK lib/at_shell): how a command is typed
 * into the shell, what the modem then receives and stores, and what cannot
 * be sent that way at all.
 *
 * The shell splits the typed line into arguments (Zephyr shell_utils.c,
 * make_argv): an unquoted ' or " starts a quoted run and is removed; inside
 * quotes only a backslash before the same quote character, \0ooo (octal) and
 * \xHH (hex) are unescaped. at_shell sends only its first argument to the
 * modem, so a command goes as one single-quoted argument: at '<command>'.
 * With CONFIG_AT_SHELL_UNESCAPE_LF, at_shell turns each two-character "\n" of
 * a command that starts with AT%CMNG=0 into CR LF: that is the only way a
 * line break reaches the modem, and the modem then stores CR LF.
 */
#include <string.h>
#include <stdio.h>

#include "error.h"
#include "at_parser.h"
#include "at_shell.h"

static const char shell_open[] = "at '";
static const char shell_close[] = "'";
/* at_shell unescapes \n only in commands that start with this (case-sensitive). */
static const char cmng_write_prefix[] = "AT%CMNG=0";
/* A backslash that the shell could take for an escape is sent as this. */
static const char backslash_escape[] = "\\x5c";
/* Zephyr's complaint about a typed line whose quote is open (shell.c execute()). */
static const char shell_cut[] = "not terminated: ";

int mcred_shell_is_on(const struct mcred_options *o)
{
	return o->shell != MCRED_SHELL_NONE && o->shell != MCRED_SHELL_AUTO;
}

static int is_cmng_write(const char *cmd, size_t len)
{
	size_t n = sizeof(cmng_write_prefix) - 1;

	return len >= n && memcmp(cmd, cmng_write_prefix, n) == 0;
}

/* Bytes one command byte takes inside the quotes (0 for the CR of a CR LF). */
static size_t encoded_size(const char *cmd, size_t len, size_t i)
{
	switch (cmd[i]) {
	case '\r': return i + 1 < len && cmd[i + 1] == '\n' ? 0 : 1;
	case '\n': return 2;
	case '\\': return sizeof(backslash_escape) - 1;
	default: return 1;
	}
}

size_t mcred_shell_line_length(const char *cmd, size_t len)
{
	size_t n = sizeof(shell_open) - 1 + sizeof(shell_close) - 1;

	for (size_t i = 0; i < len; i++)
		n += encoded_size(cmd, len, i);
	return n;
}

size_t mcred_shell_encode(const char *cmd, size_t len, char *out)
{
	size_t pos = sizeof(shell_open) - 1;

	memcpy(out, shell_open, pos);
	for (size_t i = 0; i < len; i++) {
		switch (cmd[i]) {
		case '\r':
			if (encoded_size(cmd, len, i) == 0)
				break;     /* the LF that follows stands for the pair */
			out[pos++] = '\r'; /* refused by mcred_shell_check_command */
			break;
		case '\n':
			out[pos++] = '\\';
			out[pos++] = 'n';
			break;
		case '\\':
			memcpy(out + pos, backslash_escape, sizeof(backslash_escape) - 1);
			pos += sizeof(backslash_escape) - 1;
			break;
		default: out[pos++] = cmd[i]; break;
		}
	}
	memcpy(out + pos, shell_close, sizeof(shell_close) - 1);
	return pos + sizeof(shell_close) - 1;
}

/* Where the first byte that a shell cannot carry sits, or len if none. */
static size_t first_unsendable(const char *s, size_t len, int line_breaks_ok, int *why)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\'') {
			*why = '\'';
			return i;
		}
		/* typed into the Zephyr shell, a TAB asks for completion: it never arrives */
		if (s[i] == '\t') {
			*why = '\t';
			return i;
		}
		if (s[i] == '\r' && !(line_breaks_ok && i + 1 < len && s[i + 1] == '\n')) {
			*why = '\r';
			return i;
		}
		if (s[i] == '\n' && !line_breaks_ok) {
			*why = '\n';
			return i;
		}
		/* The device would turn this "\n" into a line break as well. */
		if (line_breaks_ok && s[i] == '\\' && i + 1 < len && s[i + 1] == 'n') {
			*why = '\\';
			return i;
		}
	}
	return len;
}

static enum mcred_err explain(int why, const char *what, struct mcred_error *err)
{
	switch (why) {
	case '\'':
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "%s holds a single quote ('): in shell mode every command "
				       "is sent as at '<command>' and the Zephyr shell cannot carry "
				       "a ' inside it; remove the quote, or use a device running "
				       "the raw AT host (at_client sample)",
				       what);
	case '\t':
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "%s holds a TAB: the Zephyr shell takes a typed TAB as a "
				       "request to complete the command, so it never reaches the "
				       "modem; replace it with spaces, or use a device running the "
				       "raw AT host (at_client sample)",
				       what);
	case '\r':
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "%s holds a carriage return not followed by a line feed: "
				       "the Zephyr shell ends the typed line there; remove it",
				       what);
	case '\\':
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "%s holds the two characters \\n, which the device's "
				       "at_shell (CONFIG_AT_SHELL_UNESCAPE_LF) would turn into a "
				       "line break; remove them",
				       what);
	default:
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "%s has several lines, and in shell mode only a %%CMNG "
				       "write on a device whose at_shell unescapes \\n "
				       "(CONFIG_AT_SHELL_UNESCAPE_LF=y) can carry a line break: "
				       "the Zephyr shell ends the typed line at each one. Build "
				       "the device with CONFIG_AT_SHELL_UNESCAPE_LF=y, or use the "
				       "raw AT host (at_client sample)",
				       what);
	}
}

enum mcred_err mcred_shell_check_command(const struct mcred_options *o, const char *cmd, size_t len,
					 struct mcred_error *err)
{
	int why = 0;
	int breaks = is_cmng_write(cmd, len) && !o->shell_no_unescape_lf;

	if (first_unsendable(cmd, len, breaks, &why) == len)
		return MCRED_OK;
	return explain(why, "the command", err);
}

enum mcred_err mcred_shell_check_content(const struct mcred_options *o, const char *content,
					 size_t len, const char *what, int cmng_write,
					 struct mcred_error *err)
{
	char where[160];
	size_t pos, line = 1, column = 1;
	int why = 0;

	if (!mcred_shell_is_on(o))
		return MCRED_OK;
	pos = first_unsendable(content, len, cmng_write && !o->shell_no_unescape_lf, &why);
	if (pos == len)
		return MCRED_OK;
	/* Nothing about the password's characters: the message must not leak them. */
	if (strcmp(what, "the password") == 0)
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "the password holds characters that cannot be typed into "
				       "the Zephyr shell (a single quote, or a backslash before "
				       "n); re-encrypt the key with another password, or use a "
				       "device running the raw AT host");
	for (size_t i = 0; i < pos; i++) {
		column++;
		if (content[i] == '\n') {
			line++;
			column = 1;
		}
	}
	snprintf(where, sizeof(where), "%s (at line %zu, column %zu)", what, line, column);
	return explain(why, where, err);
}

size_t mcred_shell_stored_length(const struct mcred_options *o, const char *content, size_t len)
{
	size_t n = len;

	if (!mcred_shell_is_on(o))
		return len;
	for (size_t i = 0; i < len; i++)
		if (content[i] == '\n' && (i == 0 || content[i - 1] != '\r'))
			n++;
	return n;
}

size_t mcred_shell_stored_form(const struct mcred_options *o, const char *content, size_t len,
			       char *out)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		if (mcred_shell_is_on(o) && content[i] == '\n' &&
		    (i == 0 || content[i - 1] != '\r'))
			out[n++] = '\r';
		out[n++] = content[i];
	}
	return n;
}

/* ---- where the answer begins ------------------------------------------------ */

/*
 * Shortest start of the typed line taken for an echo that a small line
 * buffer shortened: more than the "at '" every typed line begins with.
 */
#define SHORT_ECHO_MIN 5u

void mcred_shell_reader_start(struct mcred_shell_reader *r, struct mcred_screen *screen,
			      const char *typed, size_t len, const char *begun, size_t begun_len)
{
	memset(r, 0, sizeof(*r));
	r->screen = screen;
	r->typed = typed;
	r->len = len;
	mcred_screen_reset(screen);
	for (size_t i = 0; i < begun_len; i++)
		(void)mcred_screen_put(screen, (uint8_t)begun[i], NULL, NULL);
}

/*
 * A row inside an echo that is no part of it: empty, or a line the device
 * printed on its own. Zephyr draws such a line above the typed line, never
 * inside it; a simpler device may print it between two pieces of the echo.
 */
static int foreign_row(const char *text, size_t n)
{
	return n == 0 || mcred_line_is_async(text, n);
}

/*
 * Does the whole typed line end at the end of row last? Its first character
 * may be anywhere in its first row (after a prompt, a half line, whatever the
 * row held before); the rows after that one hold nothing else, or a line of
 * their own between two pieces (foreign_row). 1 and that first row in *first
 * if so.
 */
static int whole_echo_ends_at(const struct mcred_shell_reader *r, size_t last, size_t *first)
{
	size_t rest = r->len; /* typed[0 .. rest) still to be found, from its end */

	for (size_t row = last + 1; row-- > 0 && rest > 0;) {
		size_t n;
		const char *text = mcred_screen_row(r->screen, row, &n);

		if (n >= rest && memcmp(text + n - rest, r->typed, rest) == 0) {
			*first = row;
			return 1;
		}
		if (n > 0 && n < rest && memcmp(text, r->typed + rest - n, n) == 0)
			rest -= n;
		else if (row == last || rest == r->len || !foreign_row(text, n))
			return 0;
	}
	return 0;
}

/* Where typing starts in a row: after its prompts ("uart:~$ ") and blanks. */
static size_t typing_column(const char *text, size_t n)
{
	size_t len = n;

	return (size_t)(mcred_line_strip_prompt(text, &len) - text);
}

/*
 * Rows first..last spell a start of the typed line, from the typing column
 * of row first on: how long a start, or 0 if they do not.
 */
static size_t echo_start_length(const struct mcred_shell_reader *r, size_t first, size_t last)
{
	size_t k = 0;

	for (size_t row = first; row <= last; row++) {
		size_t n, from = 0;
		const char *text = mcred_screen_row(r->screen, row, &n);

		if (row == first)
			from = typing_column(text, n);
		if (n == from || n - from > r->len - k ||
		    memcmp(text + from, r->typed + k, n - from) != 0)
			return 0;
		k += n - from;
	}
	return k;
}

/*
 * The latest start of the typed line, shorter than the whole, that ends at
 * the end of row last: its length (0 if none) and first row.
 */
static size_t short_echo_ends_at(const struct mcred_shell_reader *r, size_t last, size_t *first)
{
	size_t below = 0; /* characters on the rows after the one tried */

	for (size_t row = last + 1; row-- > 0 && below < r->len;) {
		size_t n, k = echo_start_length(r, row, last);

		if (k >= SHORT_ECHO_MIN && k < r->len) {
			*first = row;
			return k;
		}
		(void)mcred_screen_row(r->screen, row, &n);
		below += n;
	}
	return 0;
}

/*
 * Rows after the shortened echo, up to last: the shell's complaint about the
 * line it cut ("not terminated: '", every cut line lost its closing quote)
 * ends them, lines printed on their own may come before it.
 */
static int shell_cut_follows(const struct mcred_shell_reader *r, size_t last)
{
	size_t n, len;
	const char *text = mcred_screen_row(r->screen, last, &n);

	len = n;
	text = mcred_line_strip_prompt(text, &len);
	if (len < sizeof(shell_cut) - 1 || memcmp(text, shell_cut, sizeof(shell_cut) - 1) != 0)
		return 0;
	for (size_t row = r->cand_last + 1; row < last; row++) {
		text = mcred_screen_row(r->screen, row, &n);
		if (!foreign_row(text, n))
			return 0;
	}
	return 1;
}

/* The screen's rows go to the caller; a row that scrolls off comes before the echo. */
static void row_before_echo(void *user, const char *row, size_t len)
{
	const struct mcred_shell_reader_out *out = user;

	out->before_echo(out->user, row, len);
}

/*
 * The echo is rows first..echo_last: the rows above it were printed before
 * it, those after it up to last are answer text (after a shortened echo).
 */
static void echo_found(struct mcred_shell_reader *r, size_t first, size_t echo_last, size_t last,
		       const struct mcred_shell_reader_out *out)
{
	mcred_screen_scroll(r->screen, first, row_before_echo, (void *)out);
	out->echo_seen(out->user);
	for (size_t row = echo_last - first + 1; row <= last - first; row++) {
		size_t n;
		const char *text = mcred_screen_row(r->screen, row, &n);

		out->answer_row(out->user, text, n);
	}
	mcred_screen_reset(r->screen); /* the echo may hold a key */
	r->done = 1;
}

/* The cursor went down a row: is the echo complete now? */
static void look_for_echo(struct mcred_shell_reader *r, const struct mcred_shell_reader_out *out)
{
	size_t row = mcred_screen_cursor_row(r->screen), last, first, k;

	if (row == 0)
		return;
	last = row - 1;
	if (whole_echo_ends_at(r, last, &first)) {
		echo_found(r, first, last, last, out);
		return;
	}
	k = short_echo_ends_at(r, last, &first);
	if (k > 0) {
		r->has_candidate = 1;
		r->cand_first = first;
		r->cand_last = last;
		r->cand_len = k;
		return;
	}
	if (!r->has_candidate)
		return;
	if (echo_start_length(r, r->cand_first, r->cand_last) != r->cand_len)
		r->has_candidate = 0; /* erased or drawn over since */
	else if (r->cand_last < last && shell_cut_follows(r, last))
		echo_found(r, r->cand_first, r->cand_last, last, out);
}

/* After the echo: the bytes as they came, noting a CR CR LF on the way. */
static void pass_on(struct mcred_shell_reader *r, const uint8_t *buf, size_t n,
		    const struct mcred_shell_reader_out *out)
{
	for (size_t i = 0; i < n && !r->crs_doubled; i++) {
		if (buf[i] == '\n' && r->last[0] == '\r' && r->last[1] == '\r')
			r->crs_doubled = 1;
		r->last[0] = r->last[1];
		r->last[1] = buf[i];
	}
	out->pass(out->user, buf, n);
}

void mcred_shell_reader_feed(struct mcred_shell_reader *r, const uint8_t *buf, size_t n,
			     const struct mcred_shell_reader_out *out)
{
	size_t i = 0;

	while (i < n && !r->done) {
		if (mcred_screen_put(r->screen, buf[i++], row_before_echo, (void *)out))
			look_for_echo(r, out);
	}
	if (i < n)
		pass_on(r, buf + i, n - i, out);
}

size_t mcred_shell_unfold_crlf(char *line, size_t len)
{
	size_t kept = 0;

	for (size_t i = 0; i < len; i++) {
		if (line[i] == '\r' && i + 1 < len && line[i + 1] == '\n')
			continue;
		line[kept++] = line[i];
	}
	memset(line + kept, 0, len - kept);
	return kept;
}
