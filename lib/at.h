/*
 * The AT engine (at.c): send one command and collect its answer until the
 * final result, every wait bounded. Calls only the layers below it (wire,
 * shell, parser, transport, errors); see modem.h.
 */
#ifndef MODEMCRED_AT_H
#define MODEMCRED_AT_H

#include <stddef.h>

#include "at_parser.h"
#include "modemcred.h"

/* The answer to one command: information lines, final result. */
struct mcred_reply {
	struct mcred_lines lines;
	enum mcred_line_kind final; /* MCRED_LINE_OK, _ERROR, _CME_ERROR, _CMS_ERROR */
	int code;                   /* CME/CMS code or -1 */
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
enum mcred_err mcred_at_exec(mcred_modem *m, const char *cmd, size_t cmd_len, const char *trace_cmd,
			     unsigned timeout_ms, struct mcred_reply *reply);
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

#endif
