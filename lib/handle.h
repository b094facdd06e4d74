/*
 * The modem handle's definition (struct mcred_modem), shared by the files of
 * lib/ that touch its fields (nothing here is exported: the shared library
 * is built with -fvisibility=hidden). Like curl's urldata.h, it gathers the
 * handle's parts; a part with an owner of its own is that owner's struct
 * (the AT engine's state is struct mcred_at_state, declared in at.h).
 *
 * Layers, lowest first. A file may include the headers of its own layer and
 * of the layers below, never of a layer above; the AT engine reaches the
 * session above it only through the after_restart and explain_error hooks of
 * the handle.
 *
 *   0. definitions only: modemcred.h and this file (any file that touches
 *      the handle's fields includes it)
 *   1. pure helpers, no handle I/O: error.h (also fills the handle's error),
 *      util.h, defaults.h, struct_size.h, at_parser.h, at_screen.h,
 *      at_shell.h, at_wire.h, cmng_check.h, cmng_parse.h, content.h, b64url.h,
 *      cose.h, csr.h, subject.h, ports.h, port_access.h (a transport's
 *      descriptor, no handle), provision.h (its pure rules)
 *   2. the handle's I/O: transport_serialport.h, transport_termios.h, at.h
 *      (the AT engine, at.c)
 *   3. handle set-up and sessions: at_shell_detect.h (probes through at.h),
 *      device.h (device.c: CFUN, firmware, session begin/end)
 *   4. operations: cmng.c, keygen.c, report.c, provision.c, ca.c,
 *      ca_pkcs11.c, modem.c (opening), types.c; they export nothing to lib/ but the
 *      public API (and provision.c the pure rules of provision.h; ca.h and
 *      ca_pkcs11.h the factory CA's insides, ca.c's and those of its key in
 *      a PKCS#11 token, to ca.c and provision.c)
 *
 * Upward include allowed: handle.h includes at.h, for the type of the
 * engine's state inside the handle. tests/check_headers.sh checks these
 * layers (a new file of lib/ goes into one of them) and that x.h declares
 * what x.c defines.
 *
 * Fields of struct mcred_modem, by owner: modem.c sets opts,
 * max_command_given, io and transport_name when the handle opens
 * (at_shell_detect.c may settle opts.shell and opts.max_command_len once, at
 * open); err belongs to whoever reports (error.h); at belongs to the AT
 * engine (at.c); after_restart, explain_error, session, session_cmee and
 * unrestored_mode belong to the session (device.c), last_change to the
 * operations (cmng.c, keygen.c; reset by device.c); wait_cap is set by a
 * session's restore (device.c, provision.c) and obeyed by the engine;
 * while_waiting is set by an operation (cmng.c, provision.c) and called and
 * cleared by the engine.
 */
#ifndef MODEMCRED_HANDLE_H
#define MODEMCRED_HANDLE_H

#include <stddef.h>

#include "at.h"
#include "modemcred.h"

struct mcred_modem {
	struct mcred_options opts; /* defaults already applied */
	/* The caller gave max_command_len (else it follows the shell mode). */
	int max_command_given;
	struct mcred_transport io;
	const char *transport_name;
	struct mcred_error err; /* last error on this handle */
	/* The AT engine's own state (at.c; see at.h). */
	struct mcred_at_state at;
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
	 * What became of the change the last operation asked for
	 * (mcred_modem_last_change): set by the operation that sends it (cmng.c,
	 * keygen.c), reset by every session's begin (device.c).
	 */
	enum mcred_change last_change;
};

#endif
