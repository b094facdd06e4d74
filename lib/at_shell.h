/*
 * Zephyr shell mode, the pure part (shell.c): how a command is typed into
 * nRF Connect SDK's at_shell, what cannot be typed, what the modem then
 * stores, and the reader that finds where the answer begins: after the
 * shell's echo of the typed line.
 * No I/O: the wire encoding and the AT engine use it (the probing that
 * settles MCRED_SHELL_AUTO sends commands and lives in shell_detect.c).
 */
#ifndef MODEMCRED_AT_SHELL_H
#define MODEMCRED_AT_SHELL_H

#include <stddef.h>
#include <stdint.h>

#include "at_screen.h"
#include "modemcred.h"

/*
 * Typed before every line: Ctrl-U, the key with which a Zephyr shell empties
 * its line buffer (shell.c ctrl_metakeys_handle(), CONFIG_SHELL_METAKEYS, on
 * by default; without it the shell ignores the key). The shell keeps a half
 * typed line for as long as it runs, whoever opens or closes the port: what
 * a terminal program left there, or a run stopped in the middle of a line,
 * would otherwise become the start of the next command. Enter instead would
 * run that half line.
 */
#define MCRED_SHELL_KILL_LINE "\x15"

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
enum mcred_err mcred_shell_check_command(const struct mcred_options *o, const char *cmd, size_t len,
					 struct mcred_error *err);
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
size_t mcred_shell_stored_length(const struct mcred_options *o, const char *content, size_t len);
size_t mcred_shell_stored_form(const struct mcred_options *o, const char *content, size_t len,
			       char *out);

/*
 * Where the answer begins: after the shell's echo of the typed line.
 *
 * What a shell prints before the echo is complete is read through a small
 * terminal (at_screen.h), because there the shell draws rather than prints: a
 * prompt waiting in the port since before the command puts the echo on its
 * row; a log line or an event printed while the line is typed erases the
 * line, prints the message and draws prompt and typed text again; the echo
 * breaks at the terminal width, in the middle of a quoted string too. On the
 * screen the typed line stands whole, on the rows just before the cursor
 * goes down after its last character (the Enter). It is found wherever it
 * starts in its first row; rows above it were printed before it (a stale
 * prompt or answer, events, log lines) and are never the answer.
 *
 * A shell whose line buffer is smaller than the line echoes only what it
 * kept (and answers "not terminated"): a start of the typed line, right
 * after a prompt, that the next row does not continue, is such an echo.
 *
 * From the end of the echo on, until the final result, a shell prints the
 * command's output as a line printer does (it moves the cursor only while a
 * line is being typed), and the answer may hold a quoted credential whose
 * line breaks must stay byte for byte: those bytes are passed on as they
 * came. Zephyr's serial shell turns every LF it prints into CR LF
 * (SHELL_FLAG_OLF_CRLF, subsys/shell/backends/shell_uart.c), the LFs of the
 * modem's answer included; a CR CR LF among them shows it (the modem ends
 * its lines with CR LF), and mcred_shell_unfold_crlf() then undoes it inside
 * the answer's quoted content.
 */
struct mcred_shell_reader {
	struct mcred_screen *screen; /* the screen before the echo (the caller's) */
	const char *typed;           /* the typed line, terminator excluded */
	size_t len;
	int done; /* the echo was seen: bytes pass on */
	/* A shortened echo that may be complete: rows cand_first..cand_last. */
	int has_candidate;
	size_t cand_first, cand_last, cand_len;
	/* After the echo: a CR CR LF was seen (the shell doubled the modem's CRs). */
	int crs_doubled;
	uint8_t last[2]; /* the last two bytes passed on */
};

/* What the reader hands on; user is given back to each. */
struct mcred_shell_reader_out {
	/* A row printed before the echo: never part of the answer. */
	void (*before_echo)(void *user, const char *row, size_t len);
	/* The echo is complete: what follows is the answer. */
	void (*echo_seen)(void *user);
	/* A row printed after a shortened echo, in the same read: answer text. */
	void (*answer_row)(void *user, const char *row, size_t len);
	/* Received bytes after the echo, as they came. */
	void (*pass)(void *user, const uint8_t *bytes, size_t n);
	void *user;
};

/*
 * Start reading for typed (len bytes) on an empty screen (screen is reset).
 * begun: the start of an escape sequence received before (see
 * mcred_line_splitter_escape()), begun_len bytes, fed to the screen first.
 */
void mcred_shell_reader_start(struct mcred_shell_reader *r, struct mcred_screen *screen,
			      const char *typed, size_t len, const char *begun, size_t begun_len);
/* Received bytes: before the echo to the screen, after it to out->pass. */
void mcred_shell_reader_feed(struct mcred_shell_reader *r, const uint8_t *buf, size_t n,
			     const struct mcred_shell_reader_out *out);
/*
 * Take out, in place, the CR that the shell put before each LF of line (a
 * line of the answer: its line breaks are those of quoted content). Returns
 * the new length; the bytes freed at the end are zeroed.
 */
size_t mcred_shell_unfold_crlf(char *line, size_t len);

#endif
