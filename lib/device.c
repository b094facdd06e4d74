/*
 * Device facts, functional mode (CFUN) and the per-operation session that
 * turns numeric errors on (CMEE) and, when asked, takes the modem offline.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Run cmd; on success the caller owns reply (always freed by the caller). */
static enum mcred_err exec(mcred_modem *m, const char *cmd, struct mcred_reply *reply)
{
	memset(reply, 0, sizeof(*reply));
	return mcred_at_exec(m, cmd, strlen(cmd), NULL, 0, reply);
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

/* First information line of cmd, stripped of "prefix" and quotes. */
static enum mcred_err query_value(mcred_modem *m, const char *cmd, const char *prefix, char *dst,
				  size_t size)
{
	struct mcred_reply reply;
	enum mcred_err rc = exec(m, cmd, &reply);
	if (rc == MCRED_OK && reply.lines.count == 0)
		rc = mcred_fail(m, MCRED_ERR_PROTOCOL, "the modem answered %s with no value", cmd);
	if (rc == MCRED_OK) {
		size_t len;
		const char *value = value_after(reply.lines.lines[0], prefix, &len);
		copy_field(dst, size, value, len);
	}
	mcred_reply_free(&reply);
	return rc;
}

enum mcred_err mcred_device_info(mcred_modem *modem, struct mcred_device_info *info)
{
	if (!modem)
		return MCRED_ERR_INVALID_ARG;
	if (!info)
		return mcred_fail(modem, MCRED_ERR_INVALID_ARG, "no device info buffer given");
	memset(info, 0, sizeof(*info));
	enum mcred_err rc = query_value(modem, "AT+CGSN", "+CGSN:", info->imei, sizeof(info->imei));
	if (rc == MCRED_OK)
		rc = query_value(modem, "AT+CGMM", "+CGMM:", info->model, sizeof(info->model));
	if (rc == MCRED_OK)
		rc = query_value(modem, "AT+CGMR", "+CGMR:", info->firmware,
				 sizeof(info->firmware));
	if (rc != MCRED_OK)
		return rc;
	/* older firmware has no %XMODEMUUID: the UUID is simply unknown then */
	if (query_value(modem, "AT%XMODEMUUID", "%XMODEMUUID:", info->uuid, sizeof(info->uuid)) ==
	    MCRED_ERR_CANCELLED)
		return MCRED_ERR_CANCELLED;
	return mcred_succeed(modem);
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
	enum mcred_err rc = exec(m, cmd, &reply);
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

static enum mcred_err set_int(mcred_modem *m, const char *what, int value)
{
	char cmd[32];
	snprintf(cmd, sizeof(cmd), "AT%s=%d", what, value);
	struct mcred_reply reply;
	enum mcred_err rc = exec(m, cmd, &reply);
	mcred_reply_free(&reply);
	return rc;
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
	enum mcred_err rc = mcred_cfun_set(m, 4);
	/*
	 * Unless the modem refused, it may have gone offline even though we did
	 * not see its OK (timeout, Ctrl-C): the end must still restore.
	 */
	if (!modem_refused(rc))
		*saved = mode;
	return rc;
}

enum mcred_err mcred_offline_begin(mcred_modem *modem, int *saved)
{
	if (!modem)
		return MCRED_ERR_INVALID_ARG;
	if (!saved)
		return mcred_fail(modem, MCRED_ERR_INVALID_ARG, "no place for the saved mode given");
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

/* What a session found and changed, and must undo. */
struct session {
	int cmee_was_off;
	int cfun_found;               /* mode read at the start, -1 when not read */
	int cfun_saved;               /* mode offline_begin took the modem out of, or -1 */
	unsigned restarts_at_start;
};

void mcred_session_after_restart(mcred_modem *m)
{
	m->restarts_handled = m->restarts;
	/* the restart turned numeric errors off; the rest of the operation needs them */
	if (m->session_cmee)
		(void)set_int(m, "+CMEE", 1);
}

/* Numeric errors on for the operation; remembers whether they were off. */
static enum mcred_err session_cmee_on(mcred_modem *m, struct session *s)
{
	int cmee = -1;
	enum mcred_err rc = query_int(m, "AT+CMEE?", "+CMEE:", &cmee);
	/* a modem that does not answer (or a cancel) ends the operation here */
	if (rc == MCRED_ERR_TIMEOUT || rc == MCRED_ERR_IO || rc == MCRED_ERR_CANCELLED ||
	    rc == MCRED_ERR_NOMEM)
		return rc;
	/* a modem that cannot say its CMEE state still works, with bare ERRORs */
	if (rc == MCRED_OK && cmee == 0) {
		rc = set_int(m, "+CMEE", 1);
		/* as for CFUN: only a refusal means the setting surely did not change */
		s->cmee_was_off = !modem_refused(rc);
		if (rc == MCRED_ERR_CANCELLED)
			return rc;
	}
	m->session_cmee = rc == MCRED_OK && cmee >= 0;
	return MCRED_OK;
}

static enum mcred_err session_begin(mcred_modem *m, int needs_offline, struct session *s)
{
	int offline = m->opts.auto_offline && needs_offline;
	s->cmee_was_off = 0;
	s->cfun_found = -1;
	s->cfun_saved = -1;
	s->restarts_at_start = m->restarts;
	m->restarts_handled = m->restarts;
	m->unrestored_mode = -1;
	/* the mode comes first: a restart later on must not change what is restored */
	enum mcred_err rc = offline ? mcred_cfun_get(m, &s->cfun_found) : MCRED_OK;
	if (rc == MCRED_OK)
		rc = session_cmee_on(m, s);
	if (rc != MCRED_OK || !offline)
		return rc == MCRED_OK ? mcred_succeed(m) : rc;
	return take_offline(m, s->cfun_found, &s->cfun_saved);
}

/*
 * The mode to set at the end, or -1. After a restart the modem is in CFUN 0
 * whatever it was: the mode found at the start is restored, 4 included.
 */
static int mode_to_restore(const mcred_modem *m, const struct session *s)
{
	if (m->restarts != s->restarts_at_start)
		return s->cfun_found > 0 ? s->cfun_found : -1;
	return s->cfun_saved >= 0 && !is_offline_mode(s->cfun_saved) ? s->cfun_saved : -1;
}

/* One pass of undoing the session; a restart during it calls for another. */
static enum mcred_err restore_once(mcred_modem *m, const struct session *s)
{
	int mode = mode_to_restore(m, s);
	if (m->restarts != m->restarts_handled)
		mcred_session_after_restart(m); /* CMEE as found, when it was on */
	enum mcred_err rc = mode >= 0 ? mcred_cfun_set(m, mode) : mcred_succeed(m);
	m->unrestored_mode = rc == MCRED_OK ? -1 : mode;
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
static enum mcred_err session_end(mcred_modem *m, const struct session *s, int cancelled)
{
	int (*cancel_cb)(void *) = m->opts.cancel_cb;
	m->opts.cancel_cb = NULL;
	if (cancelled)
		m->wait_cap = mcred_now_ms() + MCRED_RESTORE_AFTER_CANCEL_MS;
	/* re-enable CMEE after a restart only when the session found it on */
	m->session_cmee = m->session_cmee && !s->cmee_was_off;
	enum mcred_err rc = MCRED_OK;
	for (int pass = 0; pass < 2; pass++) {
		unsigned restarts = m->restarts;
		rc = restore_once(m, s);
		mcred_at_poll(m); /* a banner right behind the last answer */
		if (m->restarts == restarts)
			break;
	}
	m->wait_cap = 0;
	m->session_cmee = 0;
	m->opts.cancel_cb = cancel_cb;
	return rc;
}

static int cancel_requested(const mcred_modem *m)
{
	return m->opts.cancel_cb && m->opts.cancel_cb(m->opts.cancel_user);
}

enum mcred_err mcred_with_session(mcred_modem *m, int needs_offline,
				  enum mcred_err (*op)(mcred_modem *m, void *arg), void *arg)
{
	struct session s;
	enum mcred_err rc = session_begin(m, needs_offline, &s);
	if (rc == MCRED_OK)
		rc = op(m, arg);
	/* the operation's error (and its message) wins over a restore error */
	struct mcred_error op_err = m->err;
	enum mcred_err restore_rc =
		session_end(m, &s, rc == MCRED_ERR_CANCELLED || cancel_requested(m));
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
