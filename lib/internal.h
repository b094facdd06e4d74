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
#define MCRED_DEFAULT_MAX_RESPONSE 65536u
/* Key generation takes seconds on a real modem: it gets at least this. */
#define MCRED_KEYGEN_TIMEOUT_MS 30000u

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
 * The line without leading Zephyr shell prompts ("uart:~$ ") and surrounding
 * blanks; *len becomes 0 when nothing else is left.
 */
const char *mcred_line_strip_prompt(const char *line, size_t *len);

/* What one logical line is, in the context of the command in flight. */
enum mcred_line_kind {
	MCRED_LINE_INFO = 0,    /* part of the answer */
	MCRED_LINE_URC,         /* unsolicited, set aside */
	MCRED_LINE_ECHO,        /* the command echoed back */
	MCRED_LINE_OK,
	MCRED_LINE_ERROR,
	MCRED_LINE_CME_ERROR,
	MCRED_LINE_CMS_ERROR
};

/*
 * Classify a logical line. command is the command in flight (without "at "
 * prefix or terminator) or NULL when none is; *code receives the CME/CMS
 * number. A "+X:"/"%X:" line whose prefix is not the command's own is a URC.
 */
enum mcred_line_kind mcred_line_classify(const char *line, size_t len, const char *command,
					 int *code);

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
enum mcred_err mcred_ports_pick_kit(const struct mcred_port_list *list, char *name,
				    size_t name_len, struct mcred_error *err);

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

struct mcred_modem {
	struct mcred_options opts;      /* defaults already applied */
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
	/* The abandoned command carried a secret (it had a redacted trace form). */
	int abandoned_secret;
	/*
	 * What ends a command that was only partly sent (a closing quote if one
	 * was open, then the terminator), sent before the next command so that
	 * the device rejects the half command instead of prefixing the next.
	 */
	char unfinished[4];
	size_t unfinished_len;
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
void mcred_reply_free(struct mcred_reply *reply);

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

/* ---- util.c -------------------------------------------------------------- */

/* n bytes as 2n hex digits (upper or lower case) and a NUL. */
void mcred_hex_encode(const uint8_t *bytes, size_t n, int upper, char *out);
/* SHA-256 of data as 64 upper-case hex digits. */
enum mcred_err mcred_sha256_hex(const void *data, size_t len, char out[65]);
/* The old internal name of mcred_secret_free() (public, util.c): one wiper. */
#define mcred_free_secret mcred_secret_free

#endif
