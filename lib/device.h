/*
 * Device queries and sessions (device.c), above the AT engine: what
 * operations of cmng.c, keygen.c and provision.c build on.
 */
#ifndef MODEMCRED_DEVICE_H
#define MODEMCRED_DEVICE_H

#include <stddef.h>

#include "modemcred.h"

/* AT+CGMR into dst ("" and an error when the modem gives no version). */
enum mcred_err mcred_firmware_query(mcred_modem *m, char *dst, size_t size);

/* What a session found and changed, and must undo (filled by _begin). */
struct mcred_session {
	int cmee_was_off;
	int cmee_found;          /* CMEE read (or still known) at the start, -1: none */
	int cmee_restore_failed; /* restoring CMEE=0 got no OK */
	int cfun_found;          /* mode read at the start, -1 when not read */
	int cfun_saved;          /* mode offline_begin took the modem out of, or -1 */
	unsigned restarts_at_start;
};

/*
 * Start an operation: numeric errors on (AT+CMEE=1), the previous CMEE
 * setting remembered, and, when opts.auto_offline and needs_offline, the
 * modem offline (CFUN=4, the mode found remembered). A restart of the modem
 * during the session turns numeric errors on again. The CMEE setting is read
 * with AT+CMEE? unless the handle still knows it: the last session left it as
 * found (restored with an OK) and since then no restart was seen and no raw
 * command (mcred_at) was sent. Each session still restores CMEE at its end. Whatever it returns,
 * mcred_session_end() must follow: a begin that failed half-way may already
 * have changed the modem.
 */
enum mcred_err mcred_session_begin(mcred_modem *m, int needs_offline, struct mcred_session *s);

/*
 * End the operation whose result is rc (begin's result when begin failed and
 * the operation never ran): restore CFUN and CMEE as found, also
 * on failure and cancellation (never cancellable itself; after a cancel it
 * gets MCRED_RESTORE_AFTER_CANCEL_MS, no longer). Returns rc with its
 * message when rc failed (the operation's error wins over a restore error);
 * otherwise the restore's result, its failure explained.
 */
enum mcred_err mcred_session_end(mcred_modem *m, struct mcred_session *s, enum mcred_err rc);

#endif
