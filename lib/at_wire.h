/*
 * Wire encoding (wire.c): the bytes one command puts on the wire under the
 * options (shell wrapping and terminator), and the most a device takes.
 * Pure; used by the AT engine and by the checks that run before sending.
 */
#ifndef MODEMCRED_AT_WIRE_H
#define MODEMCRED_AT_WIRE_H

#include <stddef.h>

#include "modemcred.h"

/* Bytes of the terminator (CR, LF, CR LF or NUL). */
size_t mcred_wire_terminator_length(enum mcred_term term);

/* Append the terminator's bytes at out + *pos, advancing *pos. */
void mcred_wire_append_terminator(char *out, size_t *pos, enum mcred_term term);

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

/* Encode cmd into a malloc'd buffer of exactly mcred_wire_length() bytes. */
char *mcred_wire_encode(const struct mcred_options *o, const char *cmd, size_t len,
			size_t *wire_len);

#endif
