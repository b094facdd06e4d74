/*
 * Device facts, functional mode (CFUN) and the per-operation session that
 * turns numeric errors on (CMEE) and, when asked, takes the modem offline.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "at.h"
#include "at_parser.h"
#include "at_shell.h"
#include "defaults.h"
#include "device.h"
#include "error.h"
#include "handle.h"
#include "util.h"

/* Run cmd; on success the caller owns reply (always freed by the caller). */
static enum mcred_err exec(mcred_modem *m, const char *cmd, struct mcred_reply *reply)
{
	memset(reply, 0, sizeof(*reply));
	return mcred_at_exec(m, cmd, strlen(cmd), NULL, 0, reply);
}

/*
 * A query that changes nothing. When a raw AT host's first answer on the
 * handle is a bare ERROR, that says little about the query: a terminal
 * program closed in the middle of a typed command leaves its half in the
 * device's buffer, the query completes it into a line the modem cannot
 * parse, and that answer empties the buffer. So the query goes once more
 * (unless the session's ERROR explanation already sent it again).
 */
static enum mcred_err query(mcred_modem *m, const char *cmd, struct mcred_reply *reply)
{
	int first = !m->at.answered && !m->explain_error;
	enum mcred_err rc = exec(m, cmd, reply);

	if (first && rc == MCRED_ERR_MODEM && reply->final == MCRED_LINE_ERROR &&
	    !mcred_shell_is_on(&m->opts)) {
		mcred_at_trace_note(m, "<the first answer on this port was ERROR: perhaps to half "
				       "a command an earlier program left in the device; asking "
				       "again>");
		mcred_reply_free(reply);
		rc = exec(m, cmd, reply);
	}
	return rc;
}

/* Copy at most size - 1 bytes and terminate: device strings are untrusted. */
static void copy_field(char *dst, size_t size, const char *src, size_t len)
{
	if (len >= size)
		len = size - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

/* After "prefix" (and spaces), the value with surrounding quotes removed. */
static const char *value_after(const char *line, const char *prefix, size_t *len)
{
	size_t plen = strlen(prefix);
	if (strncmp(line, prefix, plen) == 0)
		line += plen;
	while (*line == ' ')
		line++;
	size_t n = strlen(line);
	while (n > 0 && line[n - 1] == ' ')
		n--;
	if (n >= 2 && line[0] == '"' && line[n - 1] == '"') {
		line++;
		n -= 2;
	}
	*len = n;
	return line;
}

/* What a device fact must look like; value is NUL-terminated, len its length. */
typedef int (*shape_fn)(const char *value, size_t len);

/* An IMEI: exactly 15 digits. */
static int is_imei(const char *value, size_t len)
{
	if (len != 15)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (value[i] < '0' || value[i] > '9')
			return 0;
	return 1;
}

/* A UUID as 8-4-4-4-12 hex digits. */
static int is_uuid(const char *value, size_t len)
{
	if (len != 36)
		return 0;
	for (size_t i = 0; i < len; i++) {
		int dash = i == 8 || i == 13 || i == 18 || i == 23;
		if (dash ? value[i] != '-' : !isxdigit((unsigned char)value[i]))
			return 0;
	}
	return 1;
}

/* A model or firmware name: printable ASCII without quotes or spaces inside. */
static int is_name(const char *value, size_t len)
{
	if (len == 0)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (value[i] <= 0x20 || value[i] >= 0x7f || value[i] == '"')
			return 0;
	return 1;
}

/* One device fact: the command, the prefix of its answer, its shape, its name. */
struct fact {
	const char *cmd;
	const char *prefix;
	shape_fn shape;
	const char *what; /* "an IMEI (15 digits)", for messages */
};

/*
 * The first information line of the answer to f->cmd that has f's shape,
 * stripped of the prefix and quotes. Lines of another shape (the tail of a
 * URC that began before the command, noise) are never taken for the value:
 * none of the right shape is MCRED_ERR_PROTOCOL.
 */
static enum mcred_err query_fact(mcred_modem *m, const struct fact *f, char *dst, size_t size)
{
	struct mcred_reply reply;
	enum mcred_err rc = query(m, f->cmd, &reply);
	dst[0] = '\0';
	for (size_t i = 0; rc == MCRED_OK && i < reply.lines.count && !dst[0]; i++) {
		size_t len;
		const char *value = value_after(reply.lines.lines[i], f->prefix, &len);
		if (len < size && f->shape(value, len))
			copy_field(dst, size, value, len);
	}
	if (rc == MCRED_OK && !dst[0])
		rc = mcred_fail(m, MCRED_ERR_PROTOCOL,
				"the modem's answer to %s is not %s: not believed", f->cmd,
				f->what);
	mcred_reply_free(&reply);
	return rc;
}

/* Errors after which the other facts can still be asked: the modem answered. */
static int answered(enum mcred_err rc)
{
	return rc == MCRED_ERR_MODEM || rc == MCRED_ERR_CME || rc == MCRED_ERR_CMS ||
	       rc == MCRED_ERR_PROTOCOL;
}

/* The facts of mcred_device_details_get(); with_uuid 0 leaves out %XMODEMUUID. */
static enum mcred_err device_facts(mcred_modem *modem, struct mcred_device_facts *info,
				   int with_uuid)
{
	static const struct fact facts[] = {
		{ "AT+CGSN", "+CGSN:", is_imei, "an IMEI (15 digits)" },
		{ "AT+CGMM", "+CGMM:", is_name, "a model name" },
		{ "AT+CGMR", "+CGMR:", is_name, "a firmware version" },
		{ "AT%XMODEMUUID", "%XMODEMUUID:", is_uuid, "a UUID (8-4-4-4-12 hex digits)" },
	};
	if (!modem)
		return MCRED_ERR_INVALID_ARG;
	if (!info)
		return mcred_fail(modem, MCRED_ERR_INVALID_ARG, "no device info buffer given");
	memset(info, 0, sizeof(*info));
	struct {
		char *dst;
		size_t size;
		enum mcred_err *status;
	} into[] = {
		{ info->imei, sizeof(info->imei), &info->imei_status },
		{ info->model, sizeof(info->model), &info->model_status },
		{ info->firmware, sizeof(info->firmware), &info->firmware_status },
		{ info->firmware_uuid, sizeof(info->firmware_uuid), &info->firmware_uuid_status },
	};
	struct mcred_error firmware_err = { MCRED_OK, -1, "" };
	size_t n = sizeof(facts) / sizeof(facts[0]) - (with_uuid ? 0 : 1);
	if (!with_uuid)
		info->firmware_uuid_status = MCRED_ERR_UNSUPPORTED; /* not asked */
	for (size_t i = 0; i < n; i++) {
		unsigned restarts = modem->at.restarts;
		enum mcred_err rc = query_fact(modem, &facts[i], into[i].dst, into[i].size);
		*into[i].status = rc;
		/*
		 * A modem that stops answering, restarts under the query (its
		 * answer is lost, not wrong) or a cancel ends it; an ERROR or a
		 * wrongly shaped answer loses one fact.
		 */
		if (rc != MCRED_OK && (!answered(rc) || modem->at.restarts != restarts)) {
			/* the facts not asked for are unknown for the same reason */
			for (size_t j = i + 1; j < n; j++)
				*into[j].status = rc;
			return rc;
		}
		if (into[i].dst == info->firmware)
			firmware_err = modem->err;
	}
	/* without the firmware version the rest is not worth much: fail, saying why */
	if (info->firmware_status != MCRED_OK) {
		modem->err = firmware_err;
		return info->firmware_status;
	}
	return mcred_succeed(modem);
}

enum mcred_err mcred_device_identity(mcred_modem *m, struct mcred_device_facts *facts)
{
	return device_facts(m, facts, 0);
}

/* A copy of s placed at *at (moved on), for a single-block allocation. */
static const char *place(char **at, const char *s)
{
	char *copy = *at;
	size_t n = strlen(s) + 1;

	memcpy(copy, s, n);
	*at += n;
	return copy;
}

enum mcred_err mcred_device_details_get(mcred_modem *modem, struct mcred_device_details **out)
{
	struct mcred_device_facts info;
	struct mcred_device_details *d;
	enum mcred_err rc;
	char *strings;

	if (!modem)
		return MCRED_ERR_INVALID_ARG;
	if (!out)
		return mcred_fail(modem, MCRED_ERR_INVALID_ARG, "no place for the device details");
	*out = NULL;
	rc = device_facts(modem, &info, 1);
	if (rc == MCRED_ERR_INVALID_ARG || rc == MCRED_ERR_NOMEM)
		return rc; /* nothing was read (a call from a callback), or no memory */
	/* one block: the struct, then its strings, freed by one free() */
	d = malloc(sizeof(*d) + strlen(info.imei) + strlen(info.model) + strlen(info.firmware) +
		   strlen(info.firmware_uuid) + 4);
	if (!d)
		return mcred_fail(modem, MCRED_ERR_NOMEM, "out of memory");
	strings = (char *)(d + 1);
	d->size = sizeof(*d);
	d->imei = place(&strings, info.imei);
	d->model = place(&strings, info.model);
	d->firmware = place(&strings, info.firmware);
	d->firmware_uuid = place(&strings, info.firmware_uuid);
	d->imei_status = info.imei_status;
	d->model_status = info.model_status;
	d->firmware_status = info.firmware_status;
	d->firmware_uuid_status = info.firmware_uuid_status;
	*out = d;
	return rc;
}

void mcred_device_details_free(struct mcred_device_details *details)
{
	free(details);
}

/* ---- firmware version ---------------------------------------------------- */

/* A decimal number of at most 5 digits at *p; advances *p. -1 when none. */
static long version_number(const char **p)
{
	long v = 0;
	int digits = 0;
	while (**p >= '0' && **p <= '9' && digits < 6) {
		v = v * 10 + (**p - '0');
		(*p)++;
		digits++;
	}
	return digits > 0 && digits < 6 ? v : -1;
}

enum mcred_err mcred_fw_version_parse(const char *firmware, struct mcred_fw_version *v)
{
	if (!firmware || !v || strncmp(firmware, "mfw", 3) != 0)
		return MCRED_ERR_INVALID_ARG;
	/* "mfw[-variant]_<chip>[-ntn]_<major>.<minor>.<patch>[-suffix]" */
	const char *last = strrchr(firmware, '_');
	if (!last)
		return MCRED_ERR_INVALID_ARG;
	const char *p = last + 1;
	long major = version_number(&p);
	long minor = *p == '.' ? (p++, version_number(&p)) : -1;
	long patch = *p == '.' ? (p++, version_number(&p)) : -1;
	if (major < 0 || minor < 0 || patch < 0 || (*p != '\0' && *p != '-'))
		return MCRED_ERR_INVALID_ARG;
	size_t head = (size_t)(last - firmware);
	v->major = (unsigned)major;
	v->minor = (unsigned)minor;
	v->patch = (unsigned)patch;
	v->ntn = head >= 4 && memcmp(last - 4, "-ntn", 4) == 0;
	return MCRED_OK;
}

int mcred_fw_digests_trusted(const char *firmware)
{
	struct mcred_fw_version v;
	if (mcred_fw_version_parse(firmware, &v) != MCRED_OK || v.ntn)
		return 1;
	if (v.major != 1)
		return v.major > 1;
	return v.minor > 3 || (v.minor == 3 && v.patch >= 2);
}

enum mcred_err mcred_firmware_query(mcred_modem *m, char *dst, size_t size)
{
	static const struct fact firmware = { "AT+CGMR", "+CGMR:", is_name, "a firmware version" };
	return query_fact(m, &firmware, dst, size);
}

/* "+CFUN: 4" / "+CMEE: 1" -> 4 / 1; -1 when the line does not match. */
static int parse_int_answer(const char *line, const char *prefix)
{
	size_t plen = strlen(prefix);
	if (strncmp(line, prefix, plen) != 0)
		return -1;
	const char *p = line + plen;
	while (*p == ' ')
		p++;
	int value = 0, digits = 0;
	while (*p >= '0' && *p <= '9' && digits < 4) {
		value = value * 10 + (*p++ - '0');
		digits++;
	}
	while (*p == ' ')
		p++;
	return digits > 0 && *p == '\0' ? value : -1;
}

/* Ask "AT+X?" and read "+X: <n>". */
static enum mcred_err query_int(mcred_modem *m, const char *cmd, const char *prefix, int *value)
{
	struct mcred_reply reply;
	enum mcred_err rc = query(m, cmd, &reply);
	if (rc == MCRED_OK) {
		int v = -1;
		for (size_t i = 0; i < reply.lines.count && v < 0; i++)
			v = parse_int_answer(reply.lines.lines[i], prefix);
		if (v < 0)
			rc = mcred_fail(m, MCRED_ERR_PROTOCOL,
					"the modem answered %s without a \"%s <n>\" line", cmd,
					prefix);
		else
			*value = v;
	}
	mcred_reply_free(&reply);
	return rc;
}

/* Send "AT<what>=<value>"; *sent (optional) tells whether it went out at all. */
static enum mcred_err set_int_sent(mcred_modem *m, const char *what, int value, int *sent)
{
	char cmd[32];
	snprintf(cmd, sizeof(cmd), "AT%s=%d", what, value);
	struct mcred_reply reply;
	enum mcred_err rc = exec(m, cmd, &reply);
	if (sent)
		*sent = reply.sent;
	mcred_reply_free(&reply);
	return rc;
}

static enum mcred_err set_int(mcred_modem *m, const char *what, int value)
{
	return set_int_sent(m, what, value, NULL);
}

enum mcred_err mcred_cfun_get(mcred_modem *modem, int *mode)
{
	if (!modem)
		return MCRED_ERR_INVALID_ARG;
	if (!mode)
		return mcred_fail(modem, MCRED_ERR_INVALID_ARG, "no place for the mode given");
	return query_int(modem, "AT+CFUN?", "+CFUN:", mode);
}

enum mcred_err mcred_cfun_set(mcred_modem *modem, int mode)
{
	if (!modem)
		return MCRED_ERR_INVALID_ARG;
	if (mode < 0 || mode > 99)
		return mcred_fail(modem, MCRED_ERR_INVALID_ARG,
				  "functional mode %d is out of range: use 0 (off), 1 (on), "
				  "4 (offline) or another mode the modem documents",
				  mode);
	return set_int(modem, "+CFUN", mode);
}

/* mcred_cfun_set(), telling in *sent whether the command went out at all. */
static enum mcred_err cfun_set_sent(mcred_modem *m, int mode, int *sent)
{
	*sent = 0;
	if (mode < 0 || mode > 99)
		return mcred_cfun_set(m, mode); /* refused, nothing sent */
	return set_int_sent(m, "+CFUN", mode, sent);
}

static int is_offline_mode(int mode)
{
	return mode == 0 || mode == 4;
}

/* The modem answered ERROR: whatever was asked did not happen. */
static int modem_refused(enum mcred_err rc)
{
	return rc == MCRED_ERR_MODEM || rc == MCRED_ERR_CME || rc == MCRED_ERR_CMS;
}

/* CFUN=4 from mode (found just before); *saved = mode when it must be restored. */
static enum mcred_err take_offline(mcred_modem *m, int mode, int *saved)
{
	if (is_offline_mode(mode))
		return mcred_succeed(m);
	int sent;
	enum mcred_err rc = cfun_set_sent(m, 4, &sent);
	/*
	 * Unless the modem refused or never got it (a cancel before it was
	 * sent), it may have gone offline even though we did not see its OK
	 * (timeout): the end must still restore.
	 */
	if (sent && !modem_refused(rc))
		*saved = mode;
	return rc;
}

enum mcred_err mcred_offline_begin(mcred_modem *modem, int *saved)
{
	if (!modem)
		return MCRED_ERR_INVALID_ARG;
	if (!saved)
		return mcred_fail(modem, MCRED_ERR_INVALID_ARG,
				  "no place for the saved mode given");
	/* -1: nothing to restore, so offline_end after a failed begin is harmless */
	*saved = -1;
	int mode;
	enum mcred_err rc = mcred_cfun_get(modem, &mode);
	if (rc != MCRED_OK)
		return rc;
	return take_offline(modem, mode, saved);
}

enum mcred_err mcred_offline_end(mcred_modem *modem, int saved)
{
	if (!modem)
		return MCRED_ERR_INVALID_ARG;
	if (saved < 0 || is_offline_mode(saved))
		return mcred_succeed(modem);
	return mcred_cfun_set(modem, saved);
}

/* The engine's after_restart hook while a session runs (also the restore's). */
static void session_after_restart(mcred_modem *m)
{
	mcred_at_restarts_handled(m);
	/* the restart turned numeric errors off; the rest of the operation needs them */
	if (m->session_cmee)
		(void)set_int(m, "+CMEE", 1);
}

/*
 * The engine's explain_error hook while a session runs: a command got a bare
 * ERROR. Numeric errors are turned on (and off again at the session's end)
 * and the engine sends the command once more for its CME code. 0: the ERROR
 * stands (they were on already, or the modem cannot say or switch them).
 */
static int session_explain_error(mcred_modem *m)
{
	struct mcred_session *s = m->session;
	int cmee = -1;
	if (!s || query_int(m, "AT+CMEE?", "+CMEE:", &cmee) != MCRED_OK || cmee != 0)
		return 0;
	enum mcred_err rc = set_int(m, "+CMEE", 1);
	/* as for CFUN: only a refusal means the setting surely did not change */
	s->cmee_was_off = !modem_refused(rc);
	m->session_cmee = rc == MCRED_OK;
	return rc == MCRED_OK;
}

enum mcred_err mcred_session_begin(mcred_modem *m, int needs_offline, struct mcred_session *s)
{
	int offline = m->opts.auto_offline && needs_offline;
	s->refused = mcred_at_in_callback(m);
	if (s->refused)
		return MCRED_ERR_INVALID_ARG; /* the session in progress is the callback's caller's */
	m->after_restart = session_after_restart;
	m->explain_error = session_explain_error;
	m->session = s;
	s->cmee_was_off = 0;
	s->cfun_found = -1;
	s->cfun_saved = -1;
	s->restarts_at_start = m->at.restarts;
	mcred_at_restarts_handled(m);
	m->unrestored_mode = -1;
	m->last_change = MCRED_CHANGE_NONE;
	if (!offline)
		return mcred_succeed(m);
	/* the mode comes first: a restart later on must not change what is restored */
	enum mcred_err rc = mcred_cfun_get(m, &s->cfun_found);
	if (rc != MCRED_OK)
		return rc;
	return take_offline(m, s->cfun_found, &s->cfun_saved);
}

/*
 * The mode to set at the end, or -1. After a restart the modem is in CFUN 0
 * whatever it was: the mode found at the start is restored, 4 included.
 */
static int mode_to_restore(const mcred_modem *m, const struct mcred_session *s)
{
	if (m->at.restarts != s->restarts_at_start)
		return s->cfun_found > 0 ? s->cfun_found : -1;
	return s->cfun_saved >= 0 && !is_offline_mode(s->cfun_saved) ? s->cfun_saved : -1;
}

/*
 * One pass of undoing the session; a restart during it calls for another.
 * *unsent: the mode was to be restored and its command could not even be
 * sent (the link was not back from a timeout yet).
 */
static enum mcred_err restore_once(mcred_modem *m, struct mcred_session *s, int *unsent)
{
	int mode = mode_to_restore(m, s), sent = 1;
	if (m->at.restarts != m->at.restarts_handled)
		session_after_restart(m); /* CMEE as found, when it was on */
	enum mcred_err rc = mode >= 0 ? cfun_set_sent(m, mode, &sent) : mcred_succeed(m);
	m->unrestored_mode = rc == MCRED_OK ? -1 : mode;
	*unsent = !sent;
	/* restore CMEE even when CFUN failed, but report the first failure */
	struct mcred_error first = m->err;
	if (s->cmee_was_off) {
		enum mcred_err cmee_rc = set_int(m, "+CMEE", 0);
		if (rc == MCRED_OK)
			rc = cmee_rc;
		else
			m->err = first;
	}
	return rc;
}

/*
 * Undo the session; never cancellable, or the modem would stay offline. After
 * a cancellation the user wants out: the restore gets a few seconds only.
 */
static enum mcred_err undo_session(mcred_modem *m, struct mcred_session *s, int cancelled)
{
	int (*cancel_cb)(void *) = m->opts.cancel_cb;
	m->opts.cancel_cb = NULL;
	m->explain_error = NULL; /* a failed restore is reported as it is */
	if (cancelled)
		m->wait_cap = mcred_now_ms() + MCRED_RESTORE_AFTER_CANCEL_MS;
	/* re-enable CMEE after a restart only when the session found it on */
	m->session_cmee = m->session_cmee && !s->cmee_was_off;
	enum mcred_err rc = MCRED_OK;
	for (int pass = 0; pass < 2; pass++) {
		unsigned restarts = m->at.restarts;
		int unsent;
		rc = restore_once(m, s, &unsent);
		/*
		 * The link was not back from a timeout when the mode was to be
		 * restored. A modem that answers again (to the recovery's other
		 * query) gets its mode back: only a silent one is left as it is.
		 */
		if (unsent && m->at.needs_recovery && mcred_at_settle(m) == MCRED_OK)
			rc = restore_once(m, s, &unsent);
		mcred_at_poll(m); /* a banner right behind the last answer */
		if (m->at.restarts == restarts)
			break;
	}
	(void)mcred_at_settle(m); /* when no restore command did it: the next user needs the link */
	m->wait_cap = 0;
	m->session_cmee = 0;
	m->after_restart = NULL;
	m->session = NULL;
	m->opts.cancel_cb = cancel_cb;
	return rc;
}

static int cancel_requested(mcred_modem *m)
{
	return mcred_at_cancel_asked(m);
}

enum mcred_err mcred_session_end(mcred_modem *m, struct mcred_session *s, enum mcred_err rc)
{
	if (s->refused)
		return rc;
	/* the operation's error (and its message) wins over a restore error */
	struct mcred_error op_err = m->err;
	int cancelled = rc == MCRED_ERR_CANCELLED || cancel_requested(m);
	enum mcred_err restore_rc = undo_session(m, s, cancelled);
	mcred_at_refine_timeout(m, &op_err); /* what the link recovery found out */
	/*
	 * A cancel asked for while the last command was answered, or while the
	 * mode was restored, still ends the operation as cancelled: the caller
	 * asked to stop and learns it did; mcred_modem_last_change() says what
	 * the modem did meanwhile.
	 */
	if (rc == MCRED_OK && (cancelled || cancel_requested(m))) {
		rc = mcred_fail(m, MCRED_ERR_CANCELLED,
				"cancelled; the operation had been carried out by then");
		op_err = m->err;
	}
	if (rc != MCRED_OK) {
		m->err = op_err;
		return rc;
	}
	if (restore_rc != MCRED_OK) {
		int cme = m->err.cme;
		char why[sizeof(m->err.message)];
		memcpy(why, m->err.message, sizeof(why));
		mcred_fail(m, restore_rc,
			   "the operation succeeded, but restoring the modem's previous "
			   "CFUN/CMEE setting failed: %.400s",
			   why);
		m->err.cme = cme;
		return restore_rc;
	}
	m->err = op_err;
	return MCRED_OK;
}
