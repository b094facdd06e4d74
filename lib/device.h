/*
 * Device queries and sessions (device.c), above the AT engine: what
 * operations of cmng.c, keygen.c and provision.c build on.
 */
#ifndef MODEMCRED_DEVICE_H
#define MODEMCRED_DEVICE_H

#include <stddef.h>

#include "modemcred.h"

/*
 * The device facts of struct mcred_device_details, read into fixed buffers
 * (what mcred_device_details_get() allocates its copy from; each field as
 * that struct documents it).
 */
struct mcred_device_facts {
	char imei[32];
	char model[64];
	char firmware[64];
	char firmware_uuid[64];
	enum mcred_err imei_status;
	enum mcred_err model_status;
	enum mcred_err firmware_status;
	enum mcred_err firmware_uuid_status;
};

/*
 * The facts of mcred_device_details_get() without AT%XMODEMUUID
 * (firmware_uuid "", its status MCRED_ERR_UNSUPPORTED): IMEI, model and
 * firmware, all a factory run needs (the firmware build's UUID is not the
 * device's), in fewer bytes.
 */
enum mcred_err mcred_device_identity(mcred_modem *m, struct mcred_device_facts *facts);

/* AT+CGMR into dst ("" and an error when the modem gives no version). */
enum mcred_err mcred_firmware_query(mcred_modem *m, char *dst, size_t size);

/* What a session found and changed, and must undo (filled by _begin). */
struct mcred_session {
	int cmee_was_off; /* explaining an ERROR turned CMEE=1 on: off at the end */
	int cfun_found;   /* mode read at the start, -1 when not read */
	int cfun_saved;   /* mode offline_begin took the modem out of, or -1 */
	unsigned restarts_at_start;
	/* begun from inside one of the handle's callbacks: refused, nothing done */
	int refused;
};

/*
 * Start an operation: when opts.auto_offline and needs_offline, the modem
 * offline (CFUN=4, the mode found remembered). Numeric errors are not
 * touched up front: a successful operation never pays for them. When a
 * command of the operation gets a bare ERROR, the engine asks the session
 * (explain_error hook): CMEE is off, so it is turned on (AT+CMEE=1, off
 * again at the end) and the command sent once more for its CME code; once
 * per session. A restart of the modem during the session turns numeric
 * errors on again if the session had turned them on. Whatever it returns,
 * mcred_session_end() must follow: a begin that failed half-way may already
 * have changed the modem. Begun from inside one of the handle's callbacks
 * (mcred_at_in_callback()) it is refused with MCRED_ERR_INVALID_ARG, the
 * handle untouched, and the end does nothing.
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
