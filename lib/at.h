/*
 * The AT engine (at.c): send one command and collect its answer until the
 * final result, every wait bounded. Calls only the layers below it (wire,
 * shell, parser, transport, errors); see handle.h.
 */
#ifndef MODEMCRED_AT_H
#define MODEMCRED_AT_H

#include <stddef.h>

#include "at_parser.h"
#include "modemcred.h"

/*
 * The last command that timed out, as its message told it. The link recovery
 * that may follow (see needs_recovery) can prove more: that the device had
 * stopped listening in the middle of the command (mcred_at_refine_timeout()).
 */
struct mcred_timed_out {
	int pending;    /* a timeout's message that may still be refined */
	int cut_proven; /* the recovery proved the command was cut */
	char head[48];  /* the start of that message, to find it again */
	char shown[72]; /* the command as the message shows it */
	unsigned waited_ms;
	size_t wire_len;
};

/*
 * The engine's state inside the handle (struct mcred_modem's "at"): written
 * by at.c only; the session (device.c) reads restarts and marks them handled
 * with mcred_at_restarts_handled().
 */
struct mcred_at_state {
	/* Splits received bytes into logical lines (created with the handle). */
	struct mcred_line_splitter *splitter;
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
	/*
	 * One of the handle's callbacks (trace, urc, cancel) is running: calls
	 * on the handle from inside it are refused (mcred_at_in_callback()).
	 */
	unsigned in_callback;
	/* Boot banners seen (mcred_modem_restarts), and within one banner. */
	unsigned restarts;
	int in_banner;
	/* Restarts already handed to after_restart (at.c). */
	unsigned restarts_handled;
	/*
	 * A command got its final result on this handle. Before that, a banner
	 * is counted in boots_before_answer: the device may have started as the
	 * port was opened (at.c, on_banner()).
	 */
	int answered;
	unsigned boots_before_answer;
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
	/*
	 * The abandoned command was given up before its deadline
	 * (MCRED_CANCEL_NOW): its answer may well still come, and when it does
	 * the device read the whole command, so no link recovery is needed.
	 */
	int abandoned_early;
	struct mcred_timed_out timed_out;
};

/* The answer to one command: information lines, final result. */
struct mcred_reply {
	struct mcred_lines lines;
	/* MCRED_LINE_OK, _ERROR, _CME_ERROR, _CMS_ERROR, a shell's; _INFO: none came */
	enum mcred_line_kind final;
	int code; /* CME/CMS code or -1 */
	int sent; /* some or all of the command went out: the device may have it */
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
/*
 * 1 when one of m's callbacks (trace_cb, urc_cb, cancel_cb) is running: the
 * handle is in the middle of an operation, and a call on it from inside the
 * callback would tear the exchange apart (its answer read by the inner
 * call, buffers the callback was given reused). Every public function that
 * uses the handle refuses then, with MCRED_ERR_INVALID_ARG and without
 * touching m->err, which belongs to the call in progress.
 */
int mcred_at_in_callback(const mcred_modem *m);

/* Ask the handle's cancel_cb (0 when there is none), as a callback (see above). */
int mcred_at_cancel_asked(mcred_modem *m);

/* A note of the engine's own in the trace (shown as received, in <...>). */
void mcred_at_trace_note(mcred_modem *m, const char *note);

/* Wipe (an answer may hold an echoed secret) and free the reply's lines. */
void mcred_reply_free(struct mcred_reply *reply);

/*
 * What the reply of a command that changes the modem says of that change:
 * made (OK), not made (never sent, or an error answer), or unknown (sent,
 * and no final result came, or one that does not say).
 */
enum mcred_change mcred_reply_change(const struct mcred_reply *reply);

/*
 * Read whatever is already waiting (URCs, a boot banner), without waiting
 * and without sending anything.
 */
void mcred_at_poll(mcred_modem *m);

/* Set up the engine's state of a new handle (MCRED_ERR_NOMEM), and free it. */
enum mcred_err mcred_at_state_init(struct mcred_at_state *s, size_t max_response_len);
void mcred_at_state_free(struct mcred_at_state *s);

/*
 * err is the message a command's timeout gave (copied and kept aside by a
 * session while it restores the modem): when the link recovery since then
 * proved that the device had stopped listening in the middle of that command
 * (its buffer was too small), say so, and that nothing was stored.
 */
void mcred_at_refine_timeout(mcred_modem *m, struct mcred_error *err);

/* The session took care of every restart seen so far (device.c). */
void mcred_at_restarts_handled(mcred_modem *m);

/*
 * Right after a port was opened: throw away what is already waiting (it
 * belongs to nobody), and if it stopped in the middle of a line, the rest of
 * that line too.
 */
void mcred_at_discard_stale_input(mcred_modem *m);

/*
 * Before a handle is left (end of a session), or before a command that
 * could not be sent is tried again: carry out a pending link recovery (see
 * needs_recovery), so that the device listens again. Bounded by the
 * timeout; MCRED_OK at once when none is pending, else its result.
 */
enum mcred_err mcred_at_settle(mcred_modem *m);

#endif
