/*
 * Streaming splitter and classifier of modem output. Pure state machine, no
 * I/O: the AT engine (at.c) feeds it whatever the transport delivered, and
 * because every decision depends only on bytes already seen, any split of
 * the same input yields the same lines.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "at_parser.h"
#include "modemcred.h"

/* Smallest buffer allocated; grows by doubling up to max_line. */
#define SPLITTER_INITIAL_CAPACITY 256u
/* Echo detection compares at most this many leading characters. */
#define ECHO_COMPARE_MAX 32u
/* A Zephyr shell prompt is "<name>:~$ " ("uart:~$ ", "mosh:~$ "). */
static const char prompt_tail[] = ":~$";
#define PROMPT_NAME_MAX 32u
/* at_shell's words when the modem could not be reached (nrf_modem_at_cmd() < 0). */
static const char shell_failed[] = "Sending AT command failed with error code";
/* modem_shell's words for the same (samples/cellular/modem_shell, at/at_shell.c cmd_at()). */
static const char mosh_failed[] = "Failed to send AT command, err";
/* modem_shell's mosh_print() with an answer longer than its buffer (utils/mosh_print.c). */
static const char mosh_print_cut[] = "Cutting too long string while printing";
/* The Zephyr shell's answer to a line whose first word is no command. */
static const char shell_unknown[] = ": command not found";
/*
 * How at_shell (after "at events_enable") and modem_shell print a URC:
 * "AT event handler:" and the URC on the next line, or both on one.
 */
static const char shell_event[] = "AT event handler:";
/* The Zephyr shell's answer to a line with an open quote (it runs nothing). */
static const char shell_cut[] = "not terminated: ";
/*
 * What the `at` command prints when it gets no argument: at_shell's usage
 * (lib/at_shell/at_shell.c at_usage_str), modem_shell's shell_help() (Zephyr
 * shell_help.c: the command, " - ", its help text).
 */
static const char at_shell_usage[] = "Usage: at <subcommand>";
static const char mosh_at_help[] = "at - Execute an AT command";

/* Where an ANSI escape sequence (VT100 colours of a shell) is being skipped. */
enum escape_state { ESC_NONE = 0, ESC_START, ESC_CSI };

struct mcred_line_splitter {
	char *buf;
	size_t len; /* bytes of the current line kept in buf */
	size_t cap; /* allocated size of buf, incl. room for the NUL */
	size_t max_line;
	int in_quotes;            /* inside "...": CR/LF belong to the line */
	char last_sig;            /* last non-blank byte outside quotes, 0 if none */
	int overflow;             /* current line exceeded max_line, discarding it */
	int nomem;                /* allocation failed: treated like an overflow */
	int stale;                /* current line began before mcred_line_splitter_mark_stale() */
	enum escape_state escape; /* inside an ANSI escape sequence: dropped */
	size_t raw_len;           /* bytes of the current line as received (see raw_length) */
	/*
	 * The line continues after a ',' from buf[cont_start] on, where the next
	 * physical line begins (in_cont); phys_raw counts that line's bytes, and
	 * skip_lf the LF after a line of the device's own taken out of it.
	 */
	int in_cont;
	size_t cont_start;
	size_t phys_raw;
	int skip_lf;
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
	mcred_secret_free(s->buf, s->cap);
	free(s);
}

static void start_new_line(struct mcred_line_splitter *s)
{
	s->len = 0;
	s->in_quotes = 0;
	s->last_sig = 0;
	s->overflow = 0;
	s->stale = 0;
	s->raw_len = 0;
	s->in_cont = 0;
	s->cont_start = 0;
	s->phys_raw = 0;
	s->skip_lf = 0;
}

void mcred_line_splitter_reset(struct mcred_line_splitter *s)
{
	if (!s)
		return;
	start_new_line(s);
	s->escape = ESC_NONE;
}

size_t mcred_line_splitter_escape(const struct mcred_line_splitter *s, char out[2])
{
	if (!s || s->escape == ESC_NONE)
		return 0;
	out[0] = 0x1b;
	out[1] = '[';
	return s->escape == ESC_CSI ? 2 : 1;
}

static int only_blanks(const char *p, size_t len);

/* Only blanks and shell prompts so far: nothing a line could be made of. */
static int only_prompt(const struct mcred_line_splitter *s)
{
	size_t len = s->len;

	if (s->in_quotes || s->overflow)
		return 0;
	(void)mcred_line_strip_prompt(s->buf, &len);
	return len == 0;
}

/*
 * The start of a shell prompt ("mos", "mosh:~"), as a fragmented line may
 * deliver it: a lower-case name (Zephyr's are: uart, mosh, rtt), then maybe
 * ":", "~", "$". Upper case, as in the tail of a URC, is no prompt.
 */
static int partial_prompt(const struct mcred_line_splitter *s)
{
	static const char tail[] = ":~$";
	size_t i = 0, t = 0;

	if (s->in_quotes || s->overflow || s->len == 0)
		return 0;
	while (i < s->len &&
	       (islower((unsigned char)s->buf[i]) || isdigit((unsigned char)s->buf[i]) ||
		s->buf[i] == '_' || s->buf[i] == '-'))
		i++;
	while (i < s->len && t < sizeof(tail) - 1 && s->buf[i] == tail[t])
		i++, t++;
	return i == s->len;
}

int mcred_line_splitter_mark_stale(struct mcred_line_splitter *s, int shell)
{
	if (!s)
		return 0;
	/*
	 * Nothing more of a line begun before (mcred_line_splitter_begin_stale)
	 * came: it ended where its bytes stopped, a half line left in the port.
	 * A raw AT host's answer, which comes next without an echo, is none of
	 * it. (A shell's answer follows the echo of the typed line, found apart.)
	 */
	if (!shell && s->stale && s->len == 0 && !s->in_quotes) {
		s->stale = 0;
		return 0;
	}
	/* in shell mode a prompt still arriving waits for the command too */
	if (shell && partial_prompt(s))
		return 0;
	if (!only_prompt(s))
		s->stale = 1;
	else if (!s->stale)
		start_new_line(s); /* a shell's prompt waits for the command: no line begun */
	return s->stale;
}

void mcred_line_splitter_begin_stale(struct mcred_line_splitter *s)
{
	if (!s)
		return;
	start_new_line(s);
	s->stale = 1;
}

int mcred_line_splitter_stale(const struct mcred_line_splitter *s)
{
	return s ? s->stale : 0;
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
		mcred_secret_free(s->buf, s->cap);
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

/*
 * A physical line that came inside a line continued after ',' (a %CMNG=2
 * answer breaks its line after "<sha>",) and is a line the device printed
 * on its own, a URC or a log line between the answer's lines: delivered
 * apart, and taken out of the continued line (and of its bytes on the wire,
 * which the AT host's answer buffer never held).
 */
static int own_line_inside(struct mcred_line_splitter *s,
			   int (*on_line)(void *, const char *, size_t), void *user)
{
	const char *own = s->buf + s->cont_start;
	size_t n = s->len - s->cont_start;
	int rc;

	s->buf[s->len] = '\0';
	rc = on_line(user, own, n);
	memset(s->buf + s->cont_start, 0, n);
	s->len = s->cont_start;
	s->raw_len -= s->phys_raw < s->raw_len ? s->phys_raw : s->raw_len;
	s->last_sig = ',';
	s->in_quotes = 0;
	s->skip_lf = 1;
	return rc;
}

/* A line break outside quotes: end the line unless it continues after ','. */
static int end_of_line(struct mcred_line_splitter *s, int (*on_line)(void *, const char *, size_t),
		       void *user)
{
	int rc = 0;

	if (s->last_sig == ',') {
		/* parameters continue on the next line: drop the break */
		s->in_cont = 1;
		s->cont_start = s->len;
		s->phys_raw = 0;
		return 0;
	}
	if (s->in_cont && !s->overflow && s->len > s->cont_start &&
	    mcred_line_is_async(s->buf + s->cont_start, s->len - s->cont_start)) {
		rc = own_line_inside(s, on_line, user);
		s->phys_raw = 0;
		return rc;
	}
	if (!s->overflow && s->len > 0 && !only_blanks(s->buf, s->len)) {
		s->buf[s->len] = '\0';
		rc = on_line(user, s->buf, s->len);
	}
	/* the line may have been an echoed secret: it does not stay behind */
	if (s->buf)
		memset(s->buf, 0, s->len);
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
	case ESC_START: s->escape = c == '[' ? ESC_CSI : ESC_NONE; return 1;
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

/*
 * Count c among the bytes the current line took on the wire: all but the
 * line break that ends it (or an empty line); a break after ',' is inside.
 */
static void count_raw(struct mcred_line_splitter *s, char c)
{
	int line_break = !s->in_quotes && s->escape == ESC_NONE && (c == '\r' || c == '\n');

	if (s->skip_lf && line_break && c == '\n') {
		s->skip_lf = 0; /* the end of a line taken out (own_line_inside) */
		return;
	}
	s->skip_lf = 0;
	if (!line_break)
		s->phys_raw++;
	if (!line_break || s->last_sig == ',')
		s->raw_len++;
}

static int feed_byte(struct mcred_line_splitter *s, char c,
		     int (*on_line)(void *, const char *, size_t), void *user)
{
	count_raw(s, c);
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
			     int (*on_line)(void *user, const char *line, size_t len), void *user)
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

size_t mcred_line_splitter_raw_length(const struct mcred_line_splitter *s)
{
	return s ? s->raw_len : 0;
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

/*
 * "[2025-02-12 14:49:28.123] ": what modem_shell's mosh_print() puts before
 * each of its prints, an `at` command's answer and the event lines included,
 * after `print timestamps enable` (utils/mosh_print.c create_timestamp_string()).
 */
static size_t mosh_timestamp_length(struct text t)
{
	static const char shape[] = "[9999-99-99 99:99:99.999] ";
	size_t n = sizeof(shape) - 1;

	if (t.len < n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		int digit = isdigit((unsigned char)t.p[i]) != 0;

		if (shape[i] == '9' ? !digit : t.p[i] != shape[i])
			return 0;
	}
	return n;
}

/*
 * Strip every leading shell prompt (the shell may print it more than once)
 * and modem_shell timestamp.
 */
static struct text strip_prompt(struct text t)
{
	for (;;) {
		size_t n;

		t = trim(t);
		n = prompt_length(t);
		if (n == 0)
			n = mosh_timestamp_length(t);
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

/*
 * "Sending AT command failed with error code -N" (at_shell) or "Failed to
 * send AT command, err -N" (modem_shell): *code = N.
 */
static int is_shell_failure(struct text t, int *code)
{
	size_t i;
	long value = 0;

	if (starts_with(t, shell_failed))
		i = sizeof(shell_failed) - 1;
	else if (starts_with(t, mosh_failed))
		i = sizeof(mosh_failed) - 1;
	else
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

/* ---- console noise and boot banners ------------------------------------------- */

/*
 * What the device prints after a reset, before anything else (the at_client
 * sample; the text varies by version; README.md, "Real devices"): the modem
 * lost its state.
 */
static int is_boot_banner(struct text t)
{
	return starts_with(t, "*** Booting ") || equals(t, "Ready") ||
	       starts_with(t, "The AT host sample started");
}

/*
 * "E: text" ... "D: text": a Zephyr log line in minimal mode
 * (CONFIG_LOG_MODE_MINIMAL, include/zephyr/logging/log_core.h
 * Z_LOG_TO_PRINTK), as the nRF Cloud samples print them.
 */
static int is_minimal_log_line(struct text t)
{
	return t.len > 3 && strchr("EWID", t.p[0]) && t.p[1] == ':' && t.p[2] == ' ';
}

/*
 * "[00:00:00.123,456] <inf> module: text" (or without the time): a Zephyr log
 * line (subsys/logging/log_output.c), or one in minimal mode.
 */
static int is_log_line(struct text t)
{
	static const char *const levels[] = { "<inf> ", "<wrn> ", "<err> ", "<dbg> " };
	size_t i = 0;

	if (is_minimal_log_line(t))
		return 1;

	if (t.len && t.p[0] == '[') {
		for (i = 1; i < t.len && (isdigit((unsigned char)t.p[i]) || t.p[i] == ':' ||
					  t.p[i] == '.' || t.p[i] == ',');
		     i++)
			;
		if (i == 1 || i >= t.len || t.p[i] != ']')
			return 0;
		for (i++; i < t.len && is_blank(t.p[i]); i++)
			;
	}
	t.p += i;
	t.len -= i;
	for (size_t k = 0; k < sizeof(levels) / sizeof(levels[0]); k++)
		if (starts_with(t, levels[k]))
			return 1;
	return 0;
}

/*
 * What modem_shell (sdk-nrf samples/cellular/modem_shell) prints on its own
 * whenever the link changes, before an echo or between answer lines:
 * link/link.c link_ind_handler() and link_cell_change_work(),
 * link/link_shell_print.c (registration status, modem domain events, modem
 * sleep), link/link_shell_pdn.c link_pdn_event_handler(). No AT answer
 * starts so.
 */
static const char *const shell_events[] = {
	"Network registration status: ",
	"Currently active system mode: ",
	"LTE cell changed: ",
	"RRC mode: ",
	"PSM parameter update: ",
	"eDRX parameter update: ",
	"Modem domain event: ",
	"RAI configuration update: ",
	"TAU pre warning: ",
	"Modem sleep enter: ",
	"Modem sleep exit: ",
	"Modem sleep exit pre-warning: ",
	"Neighbor cell measurement results:",
	"PDN event: ",
	"RSRP: ",
};

/*
 * What modem_shell prints on its own two seconds after the modem registers
 * (link/link.c link_registered_work() calls link_api_modem_info_get_for_shell()
 * of link/link_api.c, which prints through mosh_print() line by line, and
 * link/link_shell.c the system modes): the modem's state and one block per
 * PDP context. It comes in the middle of whatever runs then, an `at` command's
 * answer too. The prefixes with the padding the format strings give them
 * (the PDP context lines are indented by two blanks, trimmed here); published
 * whole in makerdiary/nrf9151-connectkit docs/guides/ncs/applications/
 * modem_shell.md. No AT answer starts so.
 */
static const char *const shell_link_info[] = {
	"Modem config for system mode: ",
	"Modem config for LTE preference: ",
	"Battery voltage:       ",
	"Modem temperature:     ",
	"Device ID:             ",
	"Operator full name:   ",
	"Operator short name:  ",
	"Operator PLMN:        ",
	"Current cell id:       ",
	"Current phy cell id:   ",
	"Current band:          ",
	"Current TAC:           ",
	"Current rsrp:          ",
	"Current snr:           ",
	"Mobile network time and date: ",
	"PDP context info ",
	"CID:                ",
	"PDN ID:             ",
	"PDP context active: ",
	"PDP type:           ",
	"APN:                ",
	"IPv4 MTU:           ",
	"IPv6 MTU:           ",
	"IPv4 address:       ",
	"IPv6 address:       ",
	"IPv4 DNS address:   ",
	"IPv6 DNS address:   ",
	"Unable to obtain battery voltage (",
	"Unable to obtain modem temperature (",
	"Unable to obtain pdp context info (",
	"link_api_xmonitor_read failed, result: ",
	"Cannot get PDP contexts activation states, err: ",
};

static int starts_with_one_of(struct text t, const char *const *prefixes, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (starts_with(t, prefixes[i]))
			return 1;
	return 0;
}

static int is_shell_event(struct text t)
{
	return starts_with_one_of(t, shell_events,
				  sizeof(shell_events) / sizeof(shell_events[0])) ||
	       starts_with_one_of(t, shell_link_info,
				  sizeof(shell_link_info) / sizeof(shell_link_info[0]));
}

/* Console output that is no AT answer: log lines, "*** ... ***" notices, shell events. */
static int is_console_noise(struct text t)
{
	if (t.len >= 8 && starts_with(t, "*** ") && memcmp(t.p + t.len - 4, " ***", 4) == 0)
		return 1;
	return is_log_line(t) || is_shell_event(t);
}

int mcred_line_is_command_echo(const char *line, size_t len)
{
	struct text t = { line, len };

	/* noise bytes (0xFF after a line glitch, control characters) before it */
	while (t.len && ((unsigned char)t.p[0] < 0x20 || (unsigned char)t.p[0] >= 0x7f)) {
		t.p++;
		t.len--;
	}
	t = strip_prompt(t);
	if (starts_with_nocase(t, "at ", 3) && t.len > 3) {
		t.p += 3; /* shell form: "at AT..." */
		t.len -= 3;
	}
	if (!starts_with_nocase(t, "at", 2))
		return 0;
	return t.len == 2 || t.p[2] == '+' || t.p[2] == '%' || t.p[2] == '&' || t.p[2] == '#';
}

/* ---- strict answer shapes ----------------------------------------------------------- */

/* A cursor over one line, for shape checks that must match the whole line. */
struct scan {
	struct text t;
	size_t i;
};

static int scan_literal(struct scan *s, const char *lit)
{
	size_t n = strlen(lit);

	if (s->t.len - s->i < n || memcmp(s->t.p + s->i, lit, n) != 0)
		return 0;
	s->i += n;
	return 1;
}

static void scan_blanks(struct scan *s)
{
	while (s->i < s->t.len && is_blank(s->t.p[s->i]))
		s->i++;
}

/* Between min and max bytes for which ok() holds (as many as there are). */
static int scan_run(struct scan *s, int (*ok)(int c), size_t min, size_t max)
{
	size_t start = s->i;

	while (s->i < s->t.len && s->i - start < max && ok((unsigned char)s->t.p[s->i]))
		s->i++;
	return s->i - start >= min && (s->i == s->t.len || !ok((unsigned char)s->t.p[s->i]));
}

static int scan_end(const struct scan *s)
{
	return s->i == s->t.len;
}

static int is_digit_char(int c)
{
	return isdigit(c);
}

static int is_hex_char(int c)
{
	return isxdigit(c);
}

static int is_not_quote(int c)
{
	return c != '"';
}

/* base64url blobs of %KEYGEN/%ATTESTTOKEN; CR/LF inside the quotes tolerated */
static int is_blob_char(int c)
{
	return isalnum(c) || c == '-' || c == '_' || c == '.' || c == '\r' || c == '\n';
}

static int is_name_char(int c)
{
	return isalnum(c) || c == '-' || c == '_' || c == '.';
}

static int is_uuid_char(int c)
{
	return isxdigit(c) || c == '-';
}

/* ", " between parameters: a comma with blanks either side. */
static int scan_comma(struct scan *s)
{
	scan_blanks(s);
	if (!scan_literal(s, ","))
		return 0;
	scan_blanks(s);
	return 1;
}

static int scan_quoted(struct scan *s, int (*ok)(int c), size_t min, size_t max)
{
	return scan_literal(s, "\"") && scan_run(s, ok, min, max) && scan_literal(s, "\"");
}

/* "%CMNG: <tag>, <type>" */
static int scan_cmng_head(struct scan *s)
{
	if (!scan_literal(s, "%CMNG:"))
		return 0;
	scan_blanks(s);
	return scan_run(s, is_digit_char, 1, 10) && scan_comma(s) &&
	       scan_run(s, is_digit_char, 1, 2);
}

/* %CMNG list line: "%CMNG: <tag>, <type>[, "<64 hex>"]". */
static int is_cmng_list_line(struct scan s)
{
	if (!scan_cmng_head(&s))
		return 0;
	scan_blanks(&s);
	if (scan_end(&s))
		return 1;
	return scan_comma(&s) && scan_quoted(&s, is_hex_char, 64, 64) && (scan_blanks(&s), 1) &&
	       scan_end(&s);
}

/* %CMNG read line: "%CMNG: <tag>, <type>[, "<64 hex>"], "<content>"". */
static int is_cmng_read_line(struct scan s)
{
	struct scan with_sha;

	if (!scan_cmng_head(&s) || !scan_comma(&s))
		return 0;
	with_sha = s;
	if (scan_quoted(&with_sha, is_hex_char, 64, 64) && scan_comma(&with_sha))
		s = with_sha;
	return scan_quoted(&s, is_not_quote, 0, SIZE_MAX) && (scan_blanks(&s), 1) && scan_end(&s);
}

/* "<prefix> <digits>" as in "+CFUN: 4". */
static int is_number_answer(struct scan s, const char *prefix)
{
	if (!scan_literal(&s, prefix))
		return 0;
	scan_blanks(&s);
	return scan_run(&s, is_digit_char, 1, 4) && (scan_blanks(&s), 1) && scan_end(&s);
}

/* "<prefix> "<blob>"" as %KEYGEN and %ATTESTTOKEN answer. */
static int is_blob_answer(struct scan s, const char *prefix)
{
	if (!scan_literal(&s, prefix))
		return 0;
	scan_blanks(&s);
	return scan_quoted(&s, is_blob_char, 1, SIZE_MAX) && (scan_blanks(&s), 1) && scan_end(&s);
}

static int is_imei_answer(struct scan s)
{
	struct scan quoted = s;

	if (scan_run(&s, is_digit_char, 15, 15) && scan_end(&s))
		return 1;
	if (!scan_literal(&quoted, "+CGSN:"))
		return 0;
	scan_blanks(&quoted);
	return scan_quoted(&quoted, is_digit_char, 15, 15) && scan_end(&quoted);
}

/* A bare name such as "nRF9160-SICA" or "mfw_nrf9160_1.3.5" after a known start. */
static int is_name_answer(struct scan s, const char *start)
{
	return scan_literal(&s, start) && scan_run(&s, is_name_char, 1, 60) && scan_end(&s);
}

static int is_uuid_answer(struct scan s)
{
	if (!scan_literal(&s, "%XMODEMUUID:"))
		return 0;
	scan_blanks(&s);
	return scan_run(&s, is_uuid_char, 36, 36) && scan_end(&s);
}

static int command_is(const char *command, const char *head)
{
	return starts_with_nocase((struct text){ command, strlen(command) }, head, strlen(head));
}

int mcred_line_is_strict_answer(const char *line, size_t len, const char *command)
{
	struct scan s = { trim((struct text){ line, len }), 0 };
	struct text own;

	if (!command)
		return 0;
	if (command_is(command, "AT%CMNG=1"))
		return is_cmng_list_line(s);
	if (command_is(command, "AT%CMNG=2"))
		return is_cmng_read_line(s);
	if (command_is(command, "AT+CFUN?"))
		return is_number_answer(s, "+CFUN:");
	if (command_is(command, "AT+CMEE?"))
		return is_number_answer(s, "+CMEE:");
	if (command_is(command, "AT%KEYGEN="))
		return is_blob_answer(s, "%KEYGEN:");
	if (command_is(command, "AT%ATTESTTOKEN"))
		return is_blob_answer(s, "%ATTESTTOKEN:");
	if (command_is(command, "AT%XMODEMUUID"))
		return is_uuid_answer(s);
	if (command_is(command, "AT+CGSN"))
		return is_imei_answer(s);
	if (command_is(command, "AT+CGMM"))
		return is_name_answer(s, "nRF");
	if (command_is(command, "AT+CGMR"))
		return is_name_answer(s, "mfw");
	if (command_is(command, "AT%CMNG") || command_is(command, "AT+CMEE") ||
	    command_is(command, "AT+CFUN"))
		return 0; /* writes, deletes and settings answer no information line */
	/* another command: its own "+NAME:" answer */
	own = command_name(command);
	return own.len > 0 && s.t.len > own.len && s.t.p[own.len] == ':' &&
	       starts_with_nocase(s.t, own.p, own.len);
}

/* URC parameters: numbers, upper-case hex, quotes, commas, dots, dashes. */
static int is_urc_char(int c)
{
	return isalnum(c) || c == ' ' || c == ',' || c == '"' || c == '.' || c == '-' || c == '_' ||
	       c == ':';
}

int mcred_line_is_strict_urc(const char *line, size_t len)
{
	struct text t = trim((struct text){ line, len });
	size_t n = result_name_length(t.p, t.len);
	struct scan s = { t, n + 1 };

	if (n == 0 || n >= t.len || t.p[n] != ':')
		return 0;
	for (size_t i = 1; i < n; i++)
		if (islower((unsigned char)t.p[i]))
			return 0;
	return scan_run(&s, is_urc_char, 0, SIZE_MAX) && scan_end(&s);
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
	if (is_boot_banner(t))
		return MCRED_LINE_BANNER;
	if (is_console_noise(t))
		return MCRED_LINE_NOISE;
	if (is_shell_failure(t, code))
		return MCRED_LINE_SHELL_FAILED;
	if (t.len > sizeof(shell_unknown) - 1 &&
	    memcmp(t.p + t.len - (sizeof(shell_unknown) - 1), shell_unknown,
		   sizeof(shell_unknown) - 1) == 0)
		return MCRED_LINE_SHELL_UNKNOWN;
	if (starts_with(t, shell_cut))
		return MCRED_LINE_SHELL_CUT;
	if (starts_with(t, mosh_print_cut))
		return MCRED_LINE_SHELL_PRINT_CUT;
	if (starts_with(t, at_shell_usage) || starts_with(t, mosh_at_help))
		return MCRED_LINE_SHELL_USAGE;
	if (!command || starts_with(t, shell_event))
		return MCRED_LINE_URC;
	if (is_echo(t, command))
		return MCRED_LINE_ECHO;
	if (is_foreign_result(t, command))
		return MCRED_LINE_URC;
	return MCRED_LINE_INFO;
}

int mcred_line_is_async(const char *line, size_t len)
{
	struct text t = strip_prompt((struct text){ line, len });

	return mcred_line_is_strict_urc(t.p, t.len) || is_console_noise(t) ||
	       starts_with(t, shell_event) || is_boot_banner(t);
}
