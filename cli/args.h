/*
 * Pure parsers for the values given on the modemcred command line: numbers,
 * security tags, credential types, durations, names and hex strings.
 *
 * Nothing here does I/O, reads the environment or talks to a modem, so the
 * parsers can be unit-tested and fuzzed in isolation. Each returns 0 on
 * success and -1 on failure; on failure err (optional) receives a message
 * that says what was wrong and what is accepted (code MCRED_ERR_INVALID_ARG).
 */
#ifndef MODEMCRED_CLI_ARGS_H
#define MODEMCRED_CLI_ARGS_H

#include <stddef.h>
#include <stdint.h>

#include "modemcred.h"

/* Fill err with code MCRED_ERR_INVALID_ARG and a printf-style message. */
void cli_error_set(struct mcred_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Unsigned decimal number in [min, max]. Only the digits 0-9 are accepted
 * (no sign, no spaces, no hex). what names the value in messages ("baud rate").
 */
int cli_parse_uint(const char *text, uint64_t min, uint64_t max, const char *what, uint64_t *out,
		   struct mcred_error *err);

/* A user security tag: 0..2147483647 (tags above belong to the modem). */
int cli_parse_tag(const char *text, uint32_t *tag, struct mcred_error *err);

/* Any security tag, modem-owned ones included: 0..4294967295 (for lookups). */
int cli_parse_any_tag(const char *text, uint32_t *tag, struct mcred_error *err);

/* A credential type by number ("0") or name ("ca"); see mcred_type_parse(). */
int cli_parse_type(const char *text, int *type, struct mcred_error *err);

/*
 * A duration in seconds with up to three decimals ("10", "2.5", "0.25"),
 * greater than 0 and at most one hour; *ms receives milliseconds.
 */
int cli_parse_timeout(const char *text, unsigned *ms, struct mcred_error *err);

/* A baud rate: 50..4000000. */
int cli_parse_baud(const char *text, unsigned *baud, struct mcred_error *err);

/* Maximum command length in bytes: 16..1048576. */
int cli_parse_max_command(const char *text, size_t *bytes, struct mcred_error *err);

/* "none" or "rtscts". */
int cli_parse_flow(const char *text, enum mcred_flow *flow, struct mcred_error *err);

/* "crlf", "cr", "lf" or "nul". */
int cli_parse_terminator(const char *text, enum mcred_term *term, struct mcred_error *err);
/* --shell value: on, off, auto (enum mcred_shell_mode). */
int cli_parse_shell(const char *text, int *shell, struct mcred_error *err);

/* "auto", "serialport" or "termios". */
int cli_parse_transport(const char *text, enum mcred_transport_kind *kind, struct mcred_error *err);

/* "csr", "pubkey" or "endorsement". */
int cli_parse_keygen_kind(const char *text, enum mcred_keygen_kind *kind, struct mcred_error *err);

/* Output format of keygen: "pem" (*der = 0) or "der" (*der = 1). */
int cli_parse_format(const char *text, int *der, struct mcred_error *err);

#endif
