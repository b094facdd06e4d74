/*
 * The pure, streaming splitter and classifier of modem output (at_parser.c).
 * No I/O, no handle: the AT engine and the tests feed it bytes.
 */
#ifndef MODEMCRED_AT_PARSER_H
#define MODEMCRED_AT_PARSER_H

#include <stddef.h>
#include <stdint.h>

/*
 * Turns modem output into logical lines. A logical line ends at CR or LF
 * outside double quotes; CR/LF inside quotes belong to the line; a line whose
 * last non-space character outside quotes is ',' continues on the next line
 * (the line break between parameters is dropped). Empty lines are skipped.
 * The same bytes give the same lines however they are split.
 */
struct mcred_line_splitter;

struct mcred_line_splitter *mcred_line_splitter_new(size_t max_line);
void mcred_line_splitter_free(struct mcred_line_splitter *s);
/* Forget the line being collected, and an escape sequence begun: start clean. */
void mcred_line_splitter_reset(struct mcred_line_splitter *s);
/*
 * Feed bytes. For each completed logical line, on_line(user, line, len) is
 * called (line NUL-terminated, without the line ending). A line longer than
 * max_line is reported once with on_line(user, NULL, 0) and then discarded.
 * A non-zero return from on_line stops feeding and is returned.
 */
int mcred_line_splitter_feed(struct mcred_line_splitter *s, const uint8_t *data, size_t len,
			     int (*on_line)(void *user, const char *line, size_t len), void *user);

/*
 * Mark the line being collected, if any, as begun before a command was sent:
 * it is still split as usual, and mcred_line_splitter_stale() says so while
 * it is delivered. Blanks and a shell prompt alone are dropped instead (the
 * prompt waits for the command); with shell set, so is the start of a prompt
 * that is still arriving ("mos" of "mosh:~$ "). Without shell, a line begun
 * stale (mcred_line_splitter_begin_stale) of which nothing came since is
 * over: the next line is new. Returns 1 if marked.
 */
int mcred_line_splitter_mark_stale(struct mcred_line_splitter *s, int shell);
int mcred_line_splitter_stale(const struct mcred_line_splitter *s);
/* Start in the middle of a line whose beginning was thrown away: it is stale. */
void mcred_line_splitter_begin_stale(struct mcred_line_splitter *s);

/*
 * The line without leading Zephyr shell prompts ("uart:~$ ") and surrounding
 * blanks; *len becomes 0 when nothing else is left.
 */
const char *mcred_line_strip_prompt(const char *line, size_t *len);

/*
 * The start of an escape sequence that the last bytes fed began and did not
 * end ("ESC" or "ESC ["), into out: its length, 0 if none. Whoever reads on
 * from there (the shell's screen) is to begin with it.
 */
size_t mcred_line_splitter_escape(const struct mcred_line_splitter *s, char out[2]);

/*
 * Bytes the line being assembled took on the wire so far, or, while on_line
 * runs, the line being delivered: the line breaks after a ',' and escape
 * sequences counted, the break that ends it not. (An AT host's buffer holds
 * the answer in these bytes.)
 */
size_t mcred_line_splitter_raw_length(const struct mcred_line_splitter *s);

/* Bytes of the line being assembled (not yet ended by a line break). */
size_t mcred_line_splitter_pending(const struct mcred_line_splitter *s, const char **line);

/* What one logical line is, in the context of the command in flight. */
enum mcred_line_kind {
	MCRED_LINE_INFO = 0, /* part of the answer */
	MCRED_LINE_URC,      /* unsolicited, set aside */
	MCRED_LINE_ECHO,     /* the command echoed back */
	MCRED_LINE_OK,
	MCRED_LINE_ERROR,
	MCRED_LINE_CME_ERROR,
	MCRED_LINE_CMS_ERROR,
	MCRED_LINE_BANNER, /* a boot banner line: the modem restarted */
	MCRED_LINE_NOISE,  /* console output that is no answer (log lines) */
	/*
	 * Zephyr shell: "Sending AT command failed with error code -N" (code N,
	 * the errno of nrf_modem_at_cmd()), printed instead of any result.
	 */
	MCRED_LINE_SHELL_FAILED,
	/* Zephyr shell: "<word>: command not found" (no at_shell on the device). */
	MCRED_LINE_SHELL_UNKNOWN,
	/*
	 * Zephyr shell: "not terminated: '": the typed line lost its closing
	 * quote, cut by a line buffer smaller than the line.
	 */
	MCRED_LINE_SHELL_CUT,
	/*
	 * modem_shell: "Cutting too long string while printing...": the answer
	 * outgrew its print buffer; what follows is the answer cut short, with
	 * no final result.
	 */
	MCRED_LINE_SHELL_PRINT_CUT,
	/*
	 * Zephyr shell: the `at` command's usage ("Usage: at <subcommand>",
	 * at_shell) or help ("at - Execute an AT command...", modem_shell)
	 * printed instead of an answer: the command reached it without its
	 * argument, which the shell's wildcard expansion dropped.
	 */
	MCRED_LINE_SHELL_USAGE
};

/*
 * Classify a logical line. command is the command in flight (without "at "
 * prefix or terminator) or NULL when none is; *code receives the CME/CMS
 * number. A "+X:"/"%X:" line whose prefix is not the command's own is a URC.
 */
enum mcred_line_kind mcred_line_classify(const char *line, size_t len, const char *command,
					 int *code);

/*
 * Does the line look like the echo of some AT command ("AT+...", "AT%...",
 * "at AT...", after noise bytes)? No answer of the commands this library
 * sends begins so.
 */
int mcred_line_is_command_echo(const char *line, size_t len);

/*
 * Has the line exactly the shape of an information line that command
 * answers with (for the commands the library sends: "%CMNG: <tag>,<type>,
 * "<64 hex>"" to a list, "+CFUN: <n>", a 15-digit IMEI, ...; for another
 * command a line that starts with its own "+NAME:")? Used once content was
 * sent: only such lines are shown or kept verbatim then.
 */
int mcred_line_is_strict_answer(const char *line, size_t len, const char *command);
/* "+NAME: ..." / "%NAME: ..." with an upper-case name and plain parameters. */
int mcred_line_is_strict_urc(const char *line, size_t len);
/*
 * Is the line one a device prints on its own, whatever command runs: a plain
 * URC, a Zephyr log line, a modem_shell event, at_shell's "AT event handler:",
 * a boot banner? (After a prompt too.) No answer line has such a shape.
 */
int mcred_line_is_async(const char *line, size_t len);

#endif
