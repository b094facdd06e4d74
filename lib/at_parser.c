/*
 * Streaming splitter and classifier of modem output. Pure state machine, no
 * I/O: the AT engine (at.c) feeds it whatever the transport delivered, and
 * because every decision depends only on bytes already seen, any split of
 * the same input yields the same lines.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Smallest buffer allocated; grows by doubling up to max_line. */
#define SPLITTER_INITIAL_CAPACITY 256u
/* Echo detection compares at most this many leading characters. */
#define ECHO_COMPARE_MAX 32u
/* A Zephyr shell prompt is "<name>:~$ " ("uart:~$ ", "mosh:~$ "). */
static const char prompt_tail[] = ":~$";
#define PROMPT_NAME_MAX 32u
/* at_shell's words when the modem could not be reached (nrf_modem_at_cmd() < 0). */
static const char shell_failed[] = "Sending AT command failed with error code";
/* The Zephyr shell's answer to a line whose first word is no command. */
static const char shell_unknown[] = ": command not found";
/*
 * How at_shell (after "at events_enable") and modem_shell print a URC:
 * "AT event handler:" and the URC on the next line, or both on one.
 */
static const char shell_event[] = "AT event handler:";
/* The Zephyr shell's answer to a line with an open quote (it runs nothing). */
static const char shell_cut[] = "not terminated: ";

/* Where an ANSI escape sequence (VT100 colours of a shell) is being skipped. */
enum escape_state { ESC_NONE = 0, ESC_START, ESC_CSI };

struct mcred_line_splitter {
	char *buf;
	size_t len;        /* bytes of the current line kept in buf */
	size_t cap;        /* allocated size of buf, incl. room for the NUL */
	size_t max_line;
	int in_quotes;     /* inside "...": CR/LF belong to the line */
	char last_sig;     /* last non-blank byte outside quotes, 0 if none */
	int overflow;      /* current line exceeded max_line, discarding it */
	int nomem;         /* allocation failed: treated like an overflow */
	enum escape_state escape; /* inside an ANSI escape sequence: dropped */
};

struct mcred_line_splitter *mcred_line_splitter_new(size_t max_line)
{
	struct mcred_line_splitter *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->max_line = max_line;
	return s;
}

void mcred_line_splitter_free(struct mcred_line_splitter *s)
{
	if (!s)
		return;
	/* An echoed write may have passed through the buffer: wipe it. */
	mcred_free_secret(s->buf, s->cap);
	free(s);
}

static void start_new_line(struct mcred_line_splitter *s)
{
	s->len = 0;
	s->in_quotes = 0;
	s->last_sig = 0;
	s->overflow = 0;
}

void mcred_line_splitter_reset(struct mcred_line_splitter *s)
{
	if (s)
		start_new_line(s);
}

/* Make room for one more byte plus the terminating NUL. */
static int ensure_room(struct mcred_line_splitter *s)
{
	size_t want = s->len + 2;
	/* max_line may be SIZE_MAX ("no limit"): max_line + 1 would wrap to 0. */
	size_t limit = s->max_line < SIZE_MAX ? s->max_line + 1 : SIZE_MAX;
	size_t cap;
	char *grown;

	if (want <= s->cap)
		return 0;
	cap = s->cap ? s->cap : SPLITTER_INITIAL_CAPACITY;
	while (cap < want)
		cap = cap <= SIZE_MAX / 2 ? cap * 2 : SIZE_MAX;
	if (cap > limit)
		cap = limit;
	/* Not realloc: an echoed key may be in the old block, which is wiped. */
	grown = malloc(cap);
	if (!grown)
		return -1;
	if (s->buf) {
		memcpy(grown, s->buf, s->len);
		mcred_free_secret(s->buf, s->cap);
	}
	s->buf = grown;
	s->cap = cap;
	return 0;
}

/*
 * Keep one byte of the current line. Returns the callback's verdict when the
 * line just became too long (reported once, as NULL/0), else 0.
 */
static int keep_byte(struct mcred_line_splitter *s, char c,
		     int (*on_line)(void *, const char *, size_t), void *user)
{
	if (s->overflow)
		return 0;
	if (s->len >= s->max_line || ensure_room(s) != 0) {
		s->overflow = 1;
		return on_line(user, NULL, 0);
	}
	s->buf[s->len++] = c;
	return 0;
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static int only_blanks(const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!is_blank(p[i]))
			return 0;
	return 1;
}

/* A line break outside quotes: end the line unless it continues after ','. */
static int end_of_line(struct mcred_line_splitter *s,
		       int (*on_line)(void *, const char *, size_t), void *user)
{
	int rc = 0;

	if (s->last_sig == ',')
		return 0; /* parameters continue on the next line: drop the break */
	if (!s->overflow && s->len > 0 && !only_blanks(s->buf, s->len)) {
		s->buf[s->len] = '\0';
		rc = on_line(user, s->buf, s->len);
	}
	start_new_line(s);
	return rc;
}

/*
 * Drop ANSI escape sequences: ESC '[' parameters and a final byte (0x40-0x7E),
 * or ESC and one more byte. Returns 1 when c belongs to one.
 */
static int skip_escape(struct mcred_line_splitter *s, char c)
{
	switch (s->escape) {
	case ESC_START:
		s->escape = c == '[' ? ESC_CSI : ESC_NONE;
		return 1;
	case ESC_CSI:
		if (c >= 0x40 && c <= 0x7e)
			s->escape = ESC_NONE;
		return 1;
	case ESC_NONE:
	default:
		if (c != 0x1b)
			return 0;
		s->escape = ESC_START;
		return 1;
	}
}

static int feed_byte(struct mcred_line_splitter *s, char c,
		     int (*on_line)(void *, const char *, size_t), void *user)
{
	if (skip_escape(s, c))
		return 0;
	if (c == '\0')
		return 0; /* NUL never belongs to text (it may be a terminator echo) */
	if (s->in_quotes) {
		if (c == '"') {
			s->in_quotes = 0;
			s->last_sig = c;
		}
		return keep_byte(s, c, on_line, user);
	}
	if (c == '\r' || c == '\n')
		return end_of_line(s, on_line, user);
	if (c == '"')
		s->in_quotes = 1;
	if (!is_blank(c))
		s->last_sig = c;
	return keep_byte(s, c, on_line, user);
}

int mcred_line_splitter_feed(struct mcred_line_splitter *s, const uint8_t *data, size_t len,
			     int (*on_line)(void *user, const char *line, size_t len),
			     void *user)
{
	if (!s || !on_line || (!data && len))
		return 0;
	for (size_t i = 0; i < len; i++) {
		int rc = feed_byte(s, (char)data[i], on_line, user);

		if (rc)
			return rc;
	}
	return 0;
}

size_t mcred_line_splitter_pending(const struct mcred_line_splitter *s, const char **line)
{
	if (line)
		*line = s && s->buf ? s->buf : "";
	return s && !s->overflow ? s->len : 0;
}

/* ---- classification ------------------------------------------------------ */

struct text {
	const char *p;
	size_t len;
};

static struct text trim(struct text t)
{
	while (t.len && is_blank(t.p[0])) {
		t.p++;
		t.len--;
	}
	while (t.len && is_blank(t.p[t.len - 1]))
		t.len--;
	return t;
}

static int is_prompt_name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.';
}

/* Length of a "<name>:~$" prompt at the start of t (its space not included), or 0. */
static size_t prompt_length(struct text t)
{
	size_t n = 0, tail = sizeof(prompt_tail) - 1;

	while (n < t.len && n < PROMPT_NAME_MAX && is_prompt_name_char(t.p[n]))
		n++;
	if (n == 0 || t.len - n < tail || memcmp(t.p + n, prompt_tail, tail) != 0)
		return 0;
	n += tail;
	/* The prompt ends with its space, or the line does ("mosh:~$" trimmed). */
	return n == t.len || is_blank(t.p[n]) ? n : 0;
}

/* Strip every leading shell prompt (the shell may print it more than once). */
static struct text strip_prompt(struct text t)
{
	for (;;) {
		size_t n;

		t = trim(t);
		n = prompt_length(t);
		if (n == 0)
			return t;
		t.p += n;
		t.len -= n;
	}
}

const char *mcred_line_strip_prompt(const char *line, size_t *len)
{
	struct text t = strip_prompt((struct text){ line, *len });

	*len = t.len;
	return t.p;
}

static int equals(struct text t, const char *word)
{
	size_t n = strlen(word);

	return t.len == n && memcmp(t.p, word, n) == 0;
}

static int starts_with(struct text t, const char *prefix)
{
	size_t n = strlen(prefix);

	return t.len >= n && memcmp(t.p, prefix, n) == 0;
}

static int starts_with_nocase(struct text t, const char *prefix, size_t n)
{
	if (t.len < n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (tolower((unsigned char)t.p[i]) != tolower((unsigned char)prefix[i]))
			return 0;
	return 1;
}

/* After "+CME ERROR" / "+CMS ERROR": ':' then blanks, digits, blanks. */
static int parse_error_code(struct text rest, int *code)
{
	long value = 0;
	size_t i = 0;

	*code = -1;
	while (i < rest.len && is_blank(rest.p[i]))
		i++;
	if (i >= rest.len || rest.p[i] != ':')
		return 0;
	i++;
	while (i < rest.len && is_blank(rest.p[i]))
		i++;
	if (i >= rest.len || !isdigit((unsigned char)rest.p[i]))
		return 1; /* verbose (CMEE=2) text: still an error, no number */
	while (i < rest.len && isdigit((unsigned char)rest.p[i]) && value < 1000000)
		value = value * 10 + (rest.p[i++] - '0');
	*code = (int)value;
	return 1;
}

static int is_error_line(struct text t, const char *head, int *code)
{
	struct text rest;

	if (!starts_with(t, head))
		return 0;
	rest.p = t.p + strlen(head);
	rest.len = t.len - strlen(head);
	return parse_error_code(rest, code);
}

/* Length of a "+NAME" / "%NAME" at the start of p, 0 if there is none. */
static size_t result_name_length(const char *p, size_t len)
{
	size_t i = 1;

	if (len < 2 || (p[0] != '+' && p[0] != '%'))
		return 0;
	while (i < len && isalnum((unsigned char)p[i]))
		i++;
	return i > 1 ? i : 0;
}

/* The "+NAME"/"%NAME" of a command "AT+NAME..." (or 0 length if none). */
static struct text command_name(const char *command)
{
	struct text name = { command, 0 };
	size_t len = strlen(command);

	if (len < 2 || !starts_with_nocase((struct text){ command, len }, "at", 2))
		return name;
	name.p = command + 2;
	name.len = result_name_length(name.p, len - 2);
	return name;
}

/* Does the line look like the echo of command? */
static int is_echo(struct text t, const char *command)
{
	size_t n = strlen(command);

	if (starts_with_nocase(t, "at ", 3) && t.len > 3 &&
	    (tolower((unsigned char)t.p[3]) == 'a' || t.p[3] == '\'')) {
		t.p += 3; /* shell form: "at AT..." or "at 'AT...'" */
		t.len -= 3;
		if (t.p[0] == '\'') {
			t.p++;
			t.len--;
		}
	}
	if (!starts_with_nocase(t, "at", 2))
		return 0;
	/* Compare up to the first character a shell or the wire may rewrite. */
	if (n > ECHO_COMPARE_MAX)
		n = ECHO_COMPARE_MAX;
	for (size_t i = 0; i < n; i++) {
		if (command[i] == '\\' || command[i] == '\r' || command[i] == '\n') {
			n = i;
			break;
		}
	}
	return n >= 2 && starts_with_nocase(t, command, n);
}

/* "Sending AT command failed with error code -N": *code = N. */
static int is_shell_failure(struct text t, int *code)
{
	size_t i = sizeof(shell_failed) - 1;
	long value = 0;

	if (!starts_with(t, shell_failed))
		return 0;
	while (i < t.len && is_blank(t.p[i]))
		i++;
	if (i < t.len && t.p[i] == '-')
		i++;
	while (i < t.len && isdigit((unsigned char)t.p[i]) && value < 1000000)
		value = value * 10 + (t.p[i++] - '0');
	*code = (int)value;
	return 1;
}

/* A "+X:"/"%X:" line whose prefix is not the command's own. */
static int is_foreign_result(struct text t, const char *command)
{
	size_t n = result_name_length(t.p, t.len);
	struct text own;

	if (n == 0 || n >= t.len || t.p[n] != ':')
		return 0;
	own = command_name(command);
	return !(own.len == n && starts_with_nocase(t, own.p, n));
}

enum mcred_line_kind mcred_line_classify(const char *line, size_t len, const char *command,
					 int *code)
{
	int dummy;
	struct text t;

	if (!code)
		code = &dummy;
	*code = -1;
	if (!line)
		return command ? MCRED_LINE_INFO : MCRED_LINE_URC;
	t = strip_prompt((struct text){ line, len });
	if (equals(t, "OK"))
		return MCRED_LINE_OK;
	if (equals(t, "ERROR"))
		return MCRED_LINE_ERROR;
	if (is_error_line(t, "+CME ERROR", code))
		return MCRED_LINE_CME_ERROR;
	if (is_error_line(t, "+CMS ERROR", code))
		return MCRED_LINE_CMS_ERROR;
	if (is_shell_failure(t, code))
		return MCRED_LINE_SHELL_FAILED;
	if (t.len > sizeof(shell_unknown) - 1 &&
	    memcmp(t.p + t.len - (sizeof(shell_unknown) - 1), shell_unknown,
		   sizeof(shell_unknown) - 1) == 0)
		return MCRED_LINE_SHELL_UNKNOWN;
	if (starts_with(t, shell_cut))
		return MCRED_LINE_SHELL_CUT;
	if (!command || starts_with(t, shell_event))
		return MCRED_LINE_URC;
	if (is_echo(t, command))
		return MCRED_LINE_ECHO;
	if (is_foreign_result(t, command))
		return MCRED_LINE_URC;
	return MCRED_LINE_INFO;
}
