/*
 * The modem handle's definition, shared by the files of lib/ (nothing here
 * is exported: the shared library is built with -fvisibility=hidden).
 *
 * Layers, lowest first. A file may include the headers of its own layer and
 * of the layers below, never of a layer above; the AT engine reaches the
 * session above it only through the after_restart and explain_error hooks of
 * the handle.
 *
 *   0. definitions only, no functions: modemcred.h and this file (any layer
 *      that touches the handle's fields includes it)
 *   1. pure helpers, no handle I/O: error.h (also fills the handle's error),
 *      util.h, defaults.h, at_parser.h, shell.h, wire.h, cmng.h (cmng_check.c,
 *      cmng_parse.c), b64url.h, cose.h, csr.h, ports.h, provision.h (its pure
 *      rules)
 *   2. the handle's I/O: transport.h, at.h (the AT engine, at.c)
 *   3. handle set-up and sessions: shell_detect.h (probes through at.h),
 *      device.h (device.c: CFUN, firmware, session begin/end)
 *   4. operations: cmng.c, keygen.c, report.c, provision.c, ca.c, modem.c
 *      (opening), types.c, deprecated.c; they export nothing to lib/ but the
 *      public API (and provision.c the pure rules of provision.h)
 *
 * Fields of struct mcred_modem, by owner: modem.c sets opts,
 * max_command_given, io, transport_name and splitter when the handle opens
 * (shell_detect.c may settle opts.shell and opts.max_command_len once, at
 * open); err belongs to whoever reports (error.h); abandoned, previous,
 * content_sent, restarts, in_banner, restarts_handled and unfinished
 * belong to the AT engine (at.c), read-only elsewhere (but a
 * session that redoes CMEE after a restart itself marks the restart handled);
 * after_restart, explain_error, session, session_cmee and unrestored_mode
 * belong to the session (device.c); wait_cap is set by a session's restore (device.c,
 * provision.c) and obeyed by the engine; while_waiting is set by an
 * operation (cmng.c, provision.c) and called and cleared by the engine.
 */
#ifndef MODEMCRED_MODEM_H
#define MODEMCRED_MODEM_H

#include <stddef.h>

#include "modemcred.h"

struct mcred_modem {
	struct mcred_options opts; /* defaults already applied */
	/* The caller gave max_command_len (else it follows the shell mode). */
	int max_command_given;
	struct mcred_transport io;
	const char *transport_name;
	struct mcred_line_splitter *splitter;
	struct mcred_error err; /* last error on this handle */
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
	/* Restarts already handed to after_restart (at.c). */
	unsigned restarts_handled;
	/*
	 * Called by the engine before a command when the modem restarted since
	 * the last call (device.c sets it for a session, to turn numeric errors
	 * on again); NULL: nothing to redo. The engine calls down, never up.
	 */
	void (*after_restart)(struct mcred_modem *m);
	/*
	 * Called once by the engine right after the next command went out
	 * whole, before its answer is awaited (the answer waits in the port's
	 * buffer meanwhile), then cleared: work on the host that need not wait
	 * for the modem, done while the modem works (cmng.c: a write's digest;
	 * provision.c: checking a %KEYGEN answer, signing). It must not use the
	 * handle. The answer then gets the whole timeout again, counted from
	 * the hook's return. Whoever sets it clears it when its command was
	 * never sent.
	 */
	void (*while_waiting)(void *user);
	void *while_waiting_user;
	/*
	 * Called by the engine when a command got a bare ERROR (numeric errors
	 * off) while a session runs; it may turn them on (device.c). 1: send the
	 * command once more, to learn its CME code. The engine clears it before
	 * calling: once per session.
	 */
	int (*explain_error)(struct mcred_modem *m);
	/* The session that runs (device.c), NULL outside one. */
	struct mcred_session *session;
	/* A session turned CMEE=1 on and wants it back after a restart. */
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

#endif
