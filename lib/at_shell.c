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
#include "at_shell.h"

static const char shell_open[] = "at '";
static const char shell_close[] = "'";
/* at_shell unescapes \n only in commands that start with this (case-sensitive). */
static const char cmng_write_prefix[] = "AT%CMNG=0";
/* A backslash that the shell could take for an escape is sent as this. */
static const char backslash_escape[] = "\\x5c";

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

/* ---- the shell's echo ----------------------------------------------------- */

void mcred_shell_echo_start(struct mcred_shell_echo *e, const char *typed, size_t len)
{
	memset(e, 0, sizeof(*e));
	e->typed = typed;
	e->len = len;
}

/*
 * One received byte: 1 when it belongs to the echo (swallowed), 0 when not.
 * *refeed is set when bytes taken for the echo turn out not to be one: the
 * caller hands typed[0..*refeed) on before this byte.
 */
static int echo_take(struct mcred_shell_echo *e, uint8_t b, int at_line_start, size_t *refeed)
{
	*refeed = 0;
	/* VT100 sequences the shell mixes into its echo: ESC [ ... final byte. */
	if (e->escape == 1) {
		e->escape = b == '[' ? 2 : 0;
		return 1;
	}
	if (e->escape == 2) {
		if (b >= 0x40 && b <= 0x7e)
			e->escape = 0;
		return 1;
	}
	if (e->pos == 0) {
		/* The echo starts a line (after the prompt) with the typed line's first byte. */
		if (b != (uint8_t)e->typed[0] || !at_line_start)
			return 0;
		e->pos = 1;
		return 1;
	}
	if (b == '\r' || b == '\n') { /* a break at the terminal width, or the Enter */
		e->after_break = 1;
		return 1;
	}
	if (b == 0x1b) {
		e->escape = 1;
		return 1;
	}
	if (e->pos < e->len && b == (uint8_t)e->typed[e->pos]) {
		e->pos++;
		e->after_break = 0;
		return 1;
	}
	/*
	 * Not the echo's next byte. After a line break the echo simply ended
	 * (complete, or shortened by a shell that dropped what its buffer could
	 * not hold); without one, the bytes taken were answer text after all.
	 */
	if (!e->after_break && e->pos < e->len)
		*refeed = e->pos;
	e->done = 1;
	return 0;
}

void mcred_shell_echo_filter(struct mcred_shell_echo *e, const uint8_t *buf, size_t n,
			     int (*at_line_start)(void *user),
			     void (*pass)(void *user, const uint8_t *bytes, size_t n), void *user)
{
	size_t start = 0;

	for (size_t i = 0; i < n && !e->done; i++) {
		size_t refeed;
		int line_start = e->pos == 0 && at_line_start(user);

		if (i > start && e->pos == 0 && buf[i] == (uint8_t)e->typed[0]) {
			pass(user, buf + start, i - start); /* the line start depends on them */
			start = i;
			line_start = at_line_start(user);
		}
		if (echo_take(e, buf[i], line_start, &refeed)) {
			if (i > start)
				pass(user, buf + start, i - start);
			start = i + 1;
		} else if (refeed) {
			pass(user, (const uint8_t *)e->typed, refeed);
		}
	}
	if (n > start)
		pass(user, buf + start, n - start);
}
