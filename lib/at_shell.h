/*
 * Zephyr shell mode, the pure part (shell.c): how a command is typed into
 * nRF Connect SDK's at_shell, what cannot be typed, what the modem then
 * stores, and the filter that takes the shell's echo out of the answer.
 * No I/O: the wire encoding and the AT engine use it (the probing that
 * settles MCRED_SHELL_AUTO sends commands and lives in shell_detect.c).
 */
#ifndef MODEMCRED_AT_SHELL_H
#define MODEMCRED_AT_SHELL_H

#include <stddef.h>
#include <stdint.h>

#include "modemcred.h"

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
 * The shell echoes every typed character and breaks the echo with a line
 * feed at the terminal width (80 columns), wherever that falls: inside
 * quotes, or in a line it shortened (dropping what its buffer could not
 * hold, closing quote included). This filter takes the echo out of the
 * received bytes before they are split into lines.
 */
struct mcred_shell_echo {
	const char *typed; /* the typed line, terminator excluded */
	size_t len;
	size_t pos;      /* bytes of it echoed so far */
	int after_break; /* a line break came after the last echoed byte */
	int escape;      /* inside a VT100 sequence: 1 after ESC, 2 in ESC [ */
	int done;        /* the echo is over (or there was none) */
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

#endif
