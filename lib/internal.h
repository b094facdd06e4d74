/*
 * Internal interfaces shared by the files of lib/. Nothing here is exported
 * from the shared library (it is built with -fvisibility=hidden).
 */
#ifndef MODEMCRED_INTERNAL_H
#define MODEMCRED_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "modemcred.h"

#define MCRED_DEFAULT_BAUD 115200u
#define MCRED_DEFAULT_TIMEOUT_MS 10000u
#define MCRED_DEFAULT_MAX_COMMAND 4096u
/*
 * In shell mode the limit is the shell's line buffer: Nordic's instructions
 * for provisioning over the shell set CONFIG_SHELL_CMD_BUFF_SIZE=2048.
 */
#define MCRED_DEFAULT_SHELL_MAX_COMMAND 2048u
/* at_shell's answer buffer, CONFIG_AT_SHELL_CMD_RESPONSE_MAX_LEN, by default. */
#define MCRED_DEFAULT_SHELL_RESPONSE_MAX 2700u
#define MCRED_DEFAULT_MAX_RESPONSE 65536u
/* Key generation takes seconds on a real modem: it gets at least this. */
#define MCRED_KEYGEN_TIMEOUT_MS 30000u
/* After a cancellation, restoring CFUN/CMEE may take this long, no longer. */
#define MCRED_RESTORE_AFTER_CANCEL_MS 3000u

/* ---- error.c ----------------------------------------------------------- */

/* Fill err (may be NULL) and return code. cme is set to -1. */
enum mcred_err mcred_error_set(struct mcred_error *err, enum mcred_err code,
			       const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void mcred_error_clear(struct mcred_error *err);

/* ---- at_parser.c: a pure, streaming splitter of modem output ----------- */

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
void mcred_line_splitter_reset(struct mcred_line_splitter *s);
/*
 * Feed bytes. For each completed logical line, on_line(user, line, len) is
 * called (line NUL-terminated, without the line ending). A line longer than
 * max_line is reported once with on_line(user, NULL, 0) and then discarded.
 * A non-zero return from on_line stops feeding and is returned.
 */
int mcred_line_splitter_feed(struct mcred_line_splitter *s, const uint8_t *data, size_t len,
			     int (*on_line)(void *user, const char *line, size_t len),
			     void *user);

/*
 * Mark the line being collected, if any, as begun before a command was sent:
 * it is still split as usual, and mcred_line_splitter_stale() says so while
 * it is delivered. Blanks and a shell prompt alone are dropped instead (the
 * prompt waits for the command); with shell set, so is the start of a prompt
 * that is still arriving ("mos" of "mosh:~$ "). Returns 1 if marked.
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

/* Bytes of the line being assembled (not yet ended by a line break). */
size_t mcred_line_splitter_pending(const struct mcred_line_splitter *s, const char **line);

/* What one logical line is, in the context of the command in flight. */
enum mcred_line_kind {
	MCRED_LINE_INFO = 0,    /* part of the answer */
	MCRED_LINE_URC,         /* unsolicited, set aside */
	MCRED_LINE_ECHO,        /* the command echoed back */
	MCRED_LINE_OK,
	MCRED_LINE_ERROR,
	MCRED_LINE_CME_ERROR,
	MCRED_LINE_CMS_ERROR,
	MCRED_LINE_BANNER,      /* a boot banner line: the modem restarted */
	MCRED_LINE_NOISE,       /* console output that is no answer (log lines) */
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
	MCRED_LINE_SHELL_CUT
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

/* ---- transport_*.c ------------------------------------------------------ */

enum mcred_err mcred_transport_open_serialport(struct mcred_transport *t, const char *port,
					       const struct mcred_options *o,
					       struct mcred_error *err);
enum mcred_err mcred_transport_open_termios(struct mcred_transport *t, const char *port,
					    const struct mcred_options *o,
					    struct mcred_error *err);

/* ---- ports.c: pure parts of port discovery, testable without hardware ---- */

/* Kit name for a USB vendor and serial number ("nRF9160 DK"), or NULL. */
const char *mcred_kit_name(int usb_vid, const char *serial);
/* Natural order of port names: ttyACM2 before ttyACM10. */
int mcred_port_name_compare(const char *a, const char *b);
/* The modem port of the only kit in list (see mcred_ports_find_kit). */
enum mcred_err mcred_port_pick_kit(const struct mcred_port_list *list, char *name,
				    size_t name_len, struct mcred_error *err);
/* The modem port of the kit in list with exactly this USB serial number. */
enum mcred_err mcred_port_pick_kit_by_serial(const struct mcred_port_list *list,
					      const char *serial, char *name, size_t name_len,
					      struct mcred_error *err);

/* ---- modem.c / at.c ----------------------------------------------------- */

/* Replace zero values in o by the documented defaults. */
void mcred_options_apply_defaults(struct mcred_options *o);

/*
 * Bytes that sending cmd would put on the wire under options o (defaults
 * applied): shell prefix and escapes, and the terminator included. Used to
 * check max_command_len before anything is sent.
 */
size_t mcred_wire_length(const struct mcred_options *o, const char *cmd, size_t len);

/*
 * The most wire bytes a command may take under o: max_command_len - 1. The
 * device's AT host (nRF Connect SDK lib/at_host) keeps a command in a
 * CONFIG_AT_HOST_CMD_MAX_LEN buffer with room for its terminating NUL and
 * drops bytes beyond; in CRLF mode it also stores the CR. A command one byte
 * longer loses its last byte, and in CRLF mode never ends.
 */
size_t mcred_max_wire_length(const struct mcred_options *o);

/* ---- shell.c: Zephyr shell mode (nRF Connect SDK at_shell) ------------- */

/* 1 when commands go through a shell (o->shell on, not auto or none). */
int mcred_shell_is_on(const struct mcred_options *o);
/* Length of the typed line for cmd, at '...' included, terminator excluded. */
size_t mcred_shell_line_length(const char *cmd, size_t len);
/* Write that line into out (mcred_shell_line_length() bytes); returns its length. */
size_t mcred_shell_encode(const char *cmd, size_t len, char *out);
/*
 * MCRED_ERR_INVALID_ARG (err filled) when cmd cannot be typed into the shell
 * unchanged: a ', a lone CR, a line break outside an AT%CMNG=0 command or on
 * a device without CONFIG_AT_SHELL_UNESCAPE_LF.
 */
enum mcred_err mcred_shell_check_command(const struct mcred_options *o, const char *cmd,
					 size_t len, struct mcred_error *err);
/*
 * The same for content that goes inside a command (what: "the content", "the
 * password", "the attributes"; cmng_write: inside an AT%CMNG=0 command, the
 * only one at_shell unescapes \n in). MCRED_OK in raw mode.
 */
enum mcred_err mcred_shell_check_content(const struct mcred_options *o, const char *content,
					 size_t len, const char *what, int cmng_write,
					 struct mcred_error *err);
/*
 * What the modem stores for content sent under o: in shell mode each LF not
 * preceded by CR becomes CR LF (at_shell's \n unescaping). The length first,
 * then the bytes into out (that many bytes).
 */
size_t mcred_shell_stored_length(const struct mcred_options *o, const char *content,
				 size_t len);
size_t mcred_shell_stored_form(const struct mcred_options *o, const char *content, size_t len,
			       char *out);
/*
 * Settle MCRED_SHELL_AUTO on an open handle with the probes "at AT" and, after
 * an OK, "AT", sent as typed (see shell.c). Sets m->opts.shell and, unless
 * given, the command length default of the mode found.
 */
enum mcred_err mcred_shell_detect(struct mcred_modem *m);

/*
 * The shell echoes every typed character and breaks the echo with a line
 * feed at the terminal width (80 columns), wherever that falls: inside
 * quotes, or in a line it shortened (dropping what its buffer could not
 * hold, closing quote included). This filter takes the echo out of the
 * received bytes before they are split into lines.
 */
struct mcred_shell_echo {
	const char *typed;  /* the typed line, terminator excluded */
	size_t len;
	size_t pos;         /* bytes of it echoed so far */
	int after_break;    /* a line break came after the last echoed byte */
	int escape;         /* inside a VT100 sequence: 1 after ESC, 2 in ESC [ */
	int done;           /* the echo is over (or there was none) */
};

void mcred_shell_echo_start(struct mcred_shell_echo *e, const char *typed, size_t len);
/*
 * Pass received bytes through: the echo is dropped, everything else goes to
 * pass() in order. at_line_start() tells whether the next byte would start a
 * line (nothing but a prompt pending): only there can the echo begin.
 */
void mcred_shell_echo_filter(struct mcred_shell_echo *e, const uint8_t *buf, size_t n,
			     int (*at_line_start)(void *user),
			     void (*pass)(void *user, const uint8_t *bytes, size_t n), void *user);

struct mcred_modem {
	struct mcred_options opts;      /* defaults already applied */
	/* The caller gave max_command_len (else it follows the shell mode). */
	int max_command_given;
	struct mcred_transport io;
	const char *transport_name;
	struct mcred_line_splitter *splitter;
	struct mcred_error err;         /* last error on this handle */
	/*
	 * Name ("AT+CFUN") of a command that was sent but abandoned by a timeout
	 * or cancellation before its final result, "" if none. Its late answer
	 * must not be taken for the next command's.
	 */
	char abandoned[32];
	/*
	 * The last command sent, when short and without content, "" otherwise:
	 * a line that repeats it whole is its echo come late (ATE1 on a slow
	 * modem), never an answer.
	 */
	char previous[64];
	/*
	 * Content (a %CMNG write) or a secret went out on this handle. From then
	 * on, since its echo may come late, cut or after noise, received lines
	 * are shown and kept only when they have a strict answer or URC shape
	 * (at.c). Never cleared: the echo may come any time later.
	 */
	int content_sent;
	/* Boot banners seen (mcred_modem_restarts), and within one banner. */
	unsigned restarts;
	int in_banner;
	/* Restarts the session has re-established CMEE after (device.c). */
	unsigned restarts_handled;
	/* A session runs and wants CMEE=1 re-established after a restart. */
	int session_cmee;
	/* No wait ends later than this (monotonic ms), 0: no cap. */
	long long wait_cap;
	/* The mode the last session should have restored and could not, or -1. */
	int unrestored_mode;
	/*
	 * What ends a command that was only partly sent (a closing quote if one
	 * was open, then the terminator), sent before the next command so that
	 * the device rejects the half command instead of prefixing the next.
	 */
	char unfinished[4];
	size_t unfinished_len;
	/*
	 * A command holding a '"' went out whole and its answer never came
	 * (timeout, cancel): the device may be deaf inside quotes (its buffer
	 * dropped the closing quote), busy, or idle. Before anything else is
	 * sent, at.c recovers the link and resynchronises on a query's answer.
	 * resyncs counts the attempts, so that consecutive ones use different
	 * queries (a late answer of one is never taken for the next one's).
	 */
	int needs_recovery;
	unsigned resyncs;
};

/* The answer to one command: information lines, final result. */
struct mcred_reply {
	struct mcred_lines lines;
	enum mcred_line_kind final;     /* MCRED_LINE_OK, _ERROR, _CME_ERROR, _CMS_ERROR */
	int code;                       /* CME/CMS code or -1 */
};

/*
 * Send one command (without "AT"-less shortcuts: cmd starts with "AT") and
 * wait for its final result. trace_cmd, if not NULL, is what the trace shows
 * instead of cmd (secrets redacted). timeout_ms 0 means the handle's timeout.
 * Checks the encoded length against max_command_len before sending
 * (MCRED_ERR_INVALID_ARG, nothing sent). Returns MCRED_OK only on OK;
 * MCRED_ERR_MODEM / _CME / _CMS on an error answer (reply still filled and
 * m->err.cme set); _TIMEOUT, _IO, _TOO_LARGE, _CANCELLED otherwise. Always
 * sets m->err. The reply must be released with mcred_reply_free() whatever
 * the result.
 */
enum mcred_err mcred_at_exec(mcred_modem *m, const char *cmd, size_t cmd_len,
			     const char *trace_cmd, unsigned timeout_ms,
			     struct mcred_reply *reply);
/* Wipe (an answer may hold an echoed secret) and free the reply's lines. */
void mcred_reply_free(struct mcred_reply *reply);

/*
 * Read whatever is already waiting (URCs, a boot banner), without waiting
 * and without sending anything.
 */
void mcred_at_poll(mcred_modem *m);

/*
 * Right after a port was opened: throw away what is already waiting (it
 * belongs to nobody), and if it stopped in the middle of a line, the rest of
 * that line too.
 */
void mcred_at_discard_stale_input(mcred_modem *m);

/*
 * Before a handle is left (end of a session): carry out a pending link
 * recovery (see needs_recovery), so the next user finds the device listening.
 * Bounded by the timeout; does nothing when no command timed out.
 */
void mcred_at_settle(mcred_modem *m);

/* Monotonic milliseconds, for deadlines and wait_cap. */
long long mcred_now_ms(void);

/* Set the handle's error and return code (printf-style message). */
enum mcred_err mcred_fail(mcred_modem *m, enum mcred_err code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Mark success on the handle. */
enum mcred_err mcred_succeed(mcred_modem *m);

/* ---- device.c ----------------------------------------------------------- */

/* AT+CGMR into dst ("" and an error when the modem gives no version). */
enum mcred_err mcred_firmware_query(mcred_modem *m, char *dst, size_t size);

/*
 * Run an operation with numeric errors on (AT+CMEE=1), restoring the
 * previous CMEE setting afterwards, and, when opts.auto_offline and
 * needs_offline, with the modem offline (restored afterwards, also on
 * failure and cancellation). The error of op wins over a restore error.
 */
enum mcred_err mcred_with_session(mcred_modem *m, int needs_offline,
				  enum mcred_err (*op)(mcred_modem *m, void *arg), void *arg);

/*
 * Called by the engine before a command when the modem restarted since the
 * last call: a session that had numeric errors on turns them on again.
 */
void mcred_session_after_restart(mcred_modem *m);

/* ---- util.c -------------------------------------------------------------- */

/* n bytes as 2n hex digits (upper or lower case) and a NUL. */
void mcred_hex_encode(const uint8_t *bytes, size_t n, int upper, char *out);
/* SHA-256 of data as 64 upper-case hex digits. */
enum mcred_err mcred_sha256_hex(const void *data, size_t len, char out[65]);

#endif
