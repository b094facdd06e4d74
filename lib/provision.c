/*
 * Provisioning one modem in one call (mcred_provision): device facts, the
 * tag's listing and the device id, an on-device key and its CSR, a
 * certificate from the factory CA, the root CA and the certificate written
 * and verified. Reading needs the modem online or offline alike; only
 * %KEYGEN and writes need it offline, so the run takes it offline just
 * before the first of them (offline_for_change) and restores the mode
 * found at the end. A modem that already holds everything stays online.
 *
 * Built on the public API of this library, so that everything the engine
 * does for the single commands (CMEE, timeouts, digests, parsing) applies
 * here too. Two things reach inside the handle: restoring the mode, which
 * must not be cancellable (see restore_mode), and the host's work done
 * while the modem is busy (the engine's while_waiting hook: generate_key,
 * write_ca_beside_host_work).
 *
 * Crash safety: before each step that changes the modem (offline, %KEYGEN,
 * each write) the intent is handed to the caller's journal (intent_cb),
 * which stores it durably; a later run on the same modem recalls it
 * (recall_cb) to restore the mode found before the crash and to know a key
 * it was generating when it died as its own. Each step's duration goes to
 * the result's timings.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "ca.h"
#include "struct_size.h"
#include "defaults.h"
#include "device.h"
#include "error.h"
#include "handle.h"
#include "provision.h"
#include "util.h"

#define DEFAULT_DAYS 3650u

/* ---- pure rules ------------------------------------------------------------ */

/* "..._1.3.5" or "..._2.0.2-1.alpha": the numbers after the last '_'. */
static int parse_fw_version(const char *fw, int v[3])
{
	const char *p = strrchr(fw, '_');
	int i;

	if (!p)
		return 0;
	p++;
	for (i = 0; i < 3; i++) {
		if (!isdigit((unsigned char)*p))
			return 0;
		v[i] = (int)strtol(p, (char **)&p, 10);
		if (i < 2 && *p++ != '.')
			return 0;
	}
	return 1;
}

int mcred_fw_keygen_capable(const char *firmware, char *why, size_t why_len)
{
	int v[3];

	if (!firmware || !*firmware) {
		snprintf(why, why_len, "the modem did not say its firmware version (AT+CGMR)");
		return 0;
	}
	/* nRF91x1 and later firmware lines all start above %KEYGEN's introduction. */
	if (!strstr(firmware, "nrf9160"))
		return 1;
	if (!parse_fw_version(firmware, v)) {
		snprintf(why, why_len,
			 "cannot tell the version of firmware '%.60s'; on-device "
			 "keys need nRF9160 firmware 1.3.0 or later",
			 firmware);
		return 0;
	}
	if (v[0] > 1 || (v[0] == 1 && v[1] >= 3))
		return 1;
	snprintf(why, why_len,
		 "firmware %.60s is older than 1.3.0, which introduced "
		 "%%KEYGEN (on-device keys): update the modem firmware",
		 firmware);
	return 0;
}

int mcred_device_id_chars_ok(const char *text)
{
	const char *p;

	for (p = text; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("-_.:", *p))
			return 0;
	return text[0] != '.';
}

static int imei_ok(const char *imei)
{
	size_t i;

	for (i = 0; imei[i]; i++)
		if (!isdigit((unsigned char)imei[i]))
			return 0;
	return i == 15;
}

enum mcred_err mcred_device_id_make(enum mcred_device_id_kind kind, const char *prefix,
				    const char *imei, const char *uuid,
				    char out[MCRED_DEVICE_ID_MAX + 1], struct mcred_error *err)
{
	const char *base = kind == MCRED_ID_UUID ? uuid : imei;
	int n;

	out[0] = '\0';
	if (!prefix)
		prefix = "";
	if (!base || !*base)
		return mcred_error_set(err, MCRED_ERR_PROTOCOL,
				       "the modem did not give its %s, "
				       "needed for the device id",
				       kind == MCRED_ID_UUID ? "device UUID" : "IMEI");
	if (kind != MCRED_ID_UUID && !imei_ok(imei))
		return mcred_error_set(err, MCRED_ERR_PROTOCOL,
				       "the modem's IMEI '%.40s' is not "
				       "15 digits",
				       imei);
	n = snprintf(out, MCRED_DEVICE_ID_MAX + 1, "%s%s%s", prefix,
		     kind == MCRED_ID_NRF_IMEI ? "nrf-" : "", base);
	if (n < 0 || n > MCRED_DEVICE_ID_MAX) {
		out[0] = '\0';
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "the device id would be %d "
				       "characters, more than %d: shorten the id prefix",
				       n, MCRED_DEVICE_ID_MAX);
	}
	if (!mcred_device_id_chars_ok(out)) {
		out[0] = '\0';
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "a device id may hold only "
				       "letters, digits, '-', '_', '.' and ':'");
	}
	return MCRED_OK;
}

/* ---- names ---------------------------------------------------------------------- */

const char *mcred_provision_step_name(enum mcred_provision_step step)
{
	static const char *const names[] = {
		"offline",  "info",       "inspect", "identify", "keygen", "sign",
		"write-ca", "write-cert", "attest",  "restore",  "done",
	};

	return (unsigned)step < sizeof(names) / sizeof(names[0]) ? names[step] : "unknown";
}

const char *mcred_provision_status_name(enum mcred_provision_status status)
{
	switch (status) {
	case MCRED_PROVISION_PROVISIONED: return "provisioned";
	case MCRED_PROVISION_UNCHANGED: return "unchanged";
	case MCRED_PROVISION_CSR_SAVED: return "csr-saved";
	case MCRED_PROVISION_RENEWED: return "renewed";
	case MCRED_PROVISION_FAILED: return "failed";
	default: return "unknown"; /* no status */
	}
}

void mcred_provision_request_init_size(struct mcred_provision_request *req, size_t size)
{
	mcred_struct_init(req, size);
	if (req && size >= offsetof(struct mcred_provision_request, days) + sizeof(req->days))
		req->days = DEFAULT_DAYS;
}

/* "CN=<id>[,<extra>]" into buf; 0 when it does not fit. */
static int subject_for(const char *id, const char *extra, char *buf, size_t len)
{
	int n = snprintf(buf, len, "CN=%s%s%s", id, extra && *extra ? "," : "", extra ? extra : "");

	return n > 0 && (size_t)n < len;
}

/* The checks of mcred_provision_check() on the library's own copy of a request. */
static enum mcred_err check_request(const struct mcred_provision_request *req,
				    struct mcred_error *err)
{
	struct mcred_keygen_request kr;
	char subject[512], longest[MCRED_DEVICE_ID_MAX + 1];

	if (req->tag == 0 || req->tag > MCRED_TAG_MAX)
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "security tag %lu is out of "
				       "range: use 1-2147483647",
				       (unsigned long)req->tag);
	if ((unsigned)req->id_kind > MCRED_ID_NRF_IMEI)
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG, "unknown device id kind");
	if (req->id_prefix && !mcred_device_id_chars_ok(req->id_prefix))
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "the id prefix '%.60s' may "
				       "hold only letters, digits, '-', '_', '.' and ':'",
				       req->id_prefix);
	/* The longest id this request can make: a UUID is 36, "nrf-" + IMEI 19. */
	if (mcred_device_id_make(req->id_kind, req->id_prefix, "351358811234567",
				 "00000000-0000-0000-0000-000000000000", longest, err) != MCRED_OK)
		return MCRED_ERR_INVALID_ARG;
	if (req->days > 36500)
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "%u days of validity is more "
				       "than 100 years",
				       req->days);
	if (!subject_for(longest, req->subject_extra, subject, sizeof(subject)))
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG, "the subject extra is too long");
	mcred_keygen_request_init(&kr);
	kr.tag = req->tag;
	kr.kind = MCRED_KEYGEN_CSR;
	kr.attributes = subject;
	return mcred_keygen_check(&kr, err);
}

enum mcred_err mcred_provision_check(const struct mcred_provision_request *req,
				     struct mcred_error *err)
{
	struct mcred_provision_request copy;
	enum mcred_err rc;

	if (!req)
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG, "no request given");
	rc = mcred_provision_request_take(&copy, req, err);
	return rc != MCRED_OK ? rc : check_request(&copy, err);
}

/* ---- one run ---------------------------------------------------------------------- */

struct run {
	mcred_modem *m;
	const struct mcred_provision_request *req;
	struct mcred_provision_result *res;
	struct mcred_credential_list *inspected; /* what the tag held at the start */
	struct mcred_provision_artifacts saved;
	char *csr_pem, *pub_pem, *cert_pem; /* ours, for this device */
	char key_sha256[65];
	char ca_sha256[65]; /* of the root CA written or found */
	int changed;
	int key_reused;  /* the tag's key is the one the saved CSR was made for */
	int renewed;     /* a certificate about to expire was replaced (renew_within_days) */
	int key_unsaved; /* a new key's artifacts wait for save() (host_work) */
	int key_saved;   /* a new key's artifacts were saved: a later run knows it */
	int have_cert;   /* a certificate was found or made (host_work) */
	int host_done;   /* host_work ran; host_rc is its result */
	enum mcred_err host_rc;
	/* the journal: what a crashed run recorded (recalled), then this run's intent */
	struct mcred_provision_intent intent;
	int recalled; /* a crashed run's intent was found for this modem */
	/* that intent had the modem changed: %KEYGEN or a write was under way */
	int recalled_change;
	int intent_recorded; /* this run recorded its intent to go offline */
	int offline;         /* this run took the modem offline (or found it so) */
	int restore;         /* the mode to restore at the end, -1: nothing to restore */
	/* the result's strings, given to it (allocated) when the run ends */
	char model[64];
	char firmware[64];
	char cert_serial[33];
};

/* Record a failure with its own message (not the handle's). */
static enum mcred_err run_fail(struct run *r, enum mcred_err code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static enum mcred_err run_fail(struct run *r, enum mcred_err code, const char *fmt, ...)
{
	va_list ap;

	r->res->error.code = code;
	r->res->error.cme = -1;
	va_start(ap, fmt);
	vsnprintf(r->res->error.message, sizeof(r->res->error.message), fmt, ap);
	va_end(ap);
	return code;
}

/* Record the handle's last error. */
static enum mcred_err modem_fail(struct run *r, enum mcred_err code)
{
	const struct mcred_error *e = mcred_modem_error(r->m);

	r->res->error = *e;
	r->res->error.code = code;
	if (!r->res->error.message[0])
		snprintf(r->res->error.message, sizeof(r->res->error.message), "%s",
			 mcred_strerror(code));
	return code;
}

static int stop_asked(const struct run *r)
{
	return r->req->stop_cb && r->req->stop_cb(r->req->user);
}

static enum mcred_err enter(struct run *r, enum mcred_provision_step step)
{
	r->res->step = step;
	if (stop_asked(r))
		return run_fail(r, MCRED_ERR_CANCELLED, "stopped before the %s step",
				mcred_provision_step_name(step));
	if (r->req->progress_cb)
		r->req->progress_cb(step, r->req->user);
	return MCRED_OK;
}

static void host_work_while_waiting(void *user);

/* ---- timings ----------------------------------------------------------------------- */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Add seconds to a step's timing (-1: the step had not run yet). */
static void add_seconds(double *timing, double seconds)
{
	*timing = *timing < 0 ? seconds : *timing + seconds;
}

/* Add the time since t0 to a step's timing. */
static void add_time(double *timing, double t0)
{
	add_seconds(timing, now_s() - t0);
}

static void timings_init(struct mcred_provision_timings *t)
{
	t->offline = t->facts = t->keygen = t->key_listed = t->signing = t->token_wait = -1;
	t->write_ca = t->write_cert = t->verify = t->restore = -1;
}

/* ---- the journal ----------------------------------------------------------------------- */

static int is_offline_mode(int mode)
{
	return mode == 0 || mode == 4;
}

/* Hand the intent to run step to the caller's journal, durably, before the step. */
static enum mcred_err record_intent(struct run *r, enum mcred_provision_step step)
{
	/* a modem that does not say its IMEI (test firmware) has no journal to name */
	if (!r->req->intent_cb || !r->res->imei[0])
		return MCRED_OK;
	r->intent.step = step;
	if (r->req->intent_cb(&r->intent, r->req->user) != 0)
		return run_fail(r, MCRED_ERR_IO,
				"the intent to %s could not be recorded in the journal of modem "
				"%s, so it was not done",
				step == MCRED_STEP_OFFLINE ? "take the modem offline"
							   : mcred_provision_step_name(step),
				r->res->imei);
	return MCRED_OK;
}

/*
 * What a crashed run recorded for this modem: its mode found and what it
 * knew of the tag's key become this run's starting point.
 */
static enum mcred_err recall_intent(struct run *r)
{
	struct mcred_provision_intent j;
	int found;

	memset(&r->intent, 0, sizeof(r->intent));
	r->intent.size = sizeof(r->intent);
	r->intent.mode_found = -1;
	snprintf(r->intent.imei, sizeof(r->intent.imei), "%s", r->res->imei);
	if (!r->req->recall_cb || !r->res->imei[0])
		return MCRED_OK;
	memset(&j, 0, sizeof(j));
	j.size = sizeof(j);
	j.mode_found = -1;
	found = r->req->recall_cb(r->res->imei, &j, r->req->user);
	if (found < 0)
		return run_fail(r, MCRED_ERR_IO, "the journal of modem %s cannot be read",
				r->res->imei);
	if (found == 0 || (j.imei[0] && strcmp(j.imei, r->res->imei) != 0))
		return MCRED_OK;
	r->recalled = 1;
	r->recalled_change = j.step != MCRED_STEP_OFFLINE && j.step != MCRED_STEP_DONE;
	r->intent.mode_found = j.mode_found;
	r->intent.keygen = j.keygen;
	r->intent.replace_key = j.replace_key;
	memcpy(r->intent.key_before, j.key_before, sizeof(j.key_before));
	memcpy(r->intent.key_sha256, j.key_sha256, sizeof(j.key_sha256));
	memcpy(r->intent.cert_before, j.cert_before, sizeof(j.cert_before));
	r->intent.key_before[64] = r->intent.key_sha256[64] = r->intent.cert_before[64] = '\0';
	return MCRED_OK;
}

/* The modem refused (ERROR): whatever was asked did not happen. */
static int modem_refused(enum mcred_err rc)
{
	return rc == MCRED_ERR_MODEM || rc == MCRED_ERR_CME || rc == MCRED_ERR_CMS;
}

/*
 * Offline (CFUN=4) from mode, the intent recorded first with the mode to
 * restore: the mode found, or, when a crashed run left the modem offline,
 * the mode that run found. r->restore gets it (-1: nothing to restore).
 */
static enum mcred_err go_offline(struct run *r, int mode)
{
	int inherited = r->recalled && is_offline_mode(mode) && r->intent.mode_found >= 0;
	enum mcred_err rc;

	if (!inherited)
		r->intent.mode_found = mode;
	if ((rc = record_intent(r, MCRED_STEP_OFFLINE)) != MCRED_OK)
		return rc;
	r->intent_recorded = 1;
	r->restore = r->intent.mode_found;
	if (is_offline_mode(mode))
		return MCRED_OK;
	rc = mcred_cfun_set(r->m, 4);
	/* unless the modem refused, it may be offline without our having seen its OK */
	if (rc != MCRED_OK && modem_refused(rc) && !inherited)
		r->restore = -1;
	return rc == MCRED_OK ? MCRED_OK : modem_fail(r, rc);
}

static char *dup_or_null(const char *s)
{
	return s && *s ? strdup(s) : NULL;
}

static const struct mcred_credential *find_cred(const struct mcred_credential_list *l, int type)
{
	size_t i;

	for (i = 0; l && i < l->count; i++)
		if (l->items[i].type == type)
			return &l->items[i];
	return NULL;
}

static enum mcred_err step_info(struct run *r)
{
	struct mcred_device_facts info;
	char why[200];
	enum mcred_err rc = mcred_device_identity(r->m, &info);

	if (rc != MCRED_OK)
		return modem_fail(r, rc);
	snprintf(r->res->imei, sizeof(r->res->imei), "%s", info.imei);
	snprintf(r->model, sizeof(r->model), "%s", info.model);
	snprintf(r->firmware, sizeof(r->firmware), "%s", info.firmware);
	if (!mcred_fw_keygen_capable(info.firmware, why, sizeof(why)))
		return run_fail(r, MCRED_ERR_UNSUPPORTED, "%s", why);
	return MCRED_OK;
}

static void verify_options(const struct run *r, struct mcred_verify_options *vo)
{
	mcred_verify_options_init(vo);
	vo->identity_key_pem = r->req->identity_key_pem;
}

/* An attestation token, checked; *out keeps the blob when asked for. */
static enum mcred_err get_token(struct run *r, char uuid[37], char **out)
{
	struct mcred_verify_options vo;
	struct mcred_error err;
	mcred_report *rep = NULL;
	char *blob = NULL;
	enum mcred_err rc = mcred_attest_run(r->m, NULL, &blob);

	if (rc != MCRED_OK)
		return modem_fail(r, rc);
	verify_options(r, &vo);
	memset(&err, 0, sizeof(err));
	rc = mcred_attest_verify(blob, strlen(blob), &vo, &rep, &err);
	if (rc != MCRED_OK) {
		r->res->error = err;
	} else if (!mcred_report_ok(rep)) {
		rc = run_fail(r, MCRED_ERR_VERIFY, "the attestation token failed a check: %s",
			      mcred_report_problem(rep) ? mcred_report_problem(rep) : "?");
	} else {
		snprintf(uuid, 37, "%s", mcred_report_device_uuid(rep));
		if (out) {
			*out = blob;
			blob = NULL;
		}
	}
	mcred_report_free(rep);
	free(blob);
	return rc;
}

/* What the tag holds now. */
static enum mcred_err step_inspect(struct run *r)
{
	enum mcred_err rc = mcred_cmng_list(r->m, r->req->tag, MCRED_ANY_TYPE, &r->inspected);

	return rc == MCRED_OK ? MCRED_OK : modem_fail(r, rc);
}

/* 1 when b lists what a lists: the same types with the same digests. */
static int same_listing(const struct mcred_credential_list *a,
			const struct mcred_credential_list *b)
{
	size_t i, j, na = a ? a->count : 0, nb = b ? b->count : 0;

	if (na != nb)
		return 0;
	for (i = 0; i < na; i++) {
		for (j = 0; j < nb; j++)
			if (a->items[i].tag == b->items[j].tag &&
			    a->items[i].type == b->items[j].type &&
			    a->items[i].has_sha256 == b->items[j].has_sha256 &&
			    strcmp(a->items[i].sha256, b->items[j].sha256) == 0)
				break;
		if (j == nb)
			return 0;
	}
	return 1;
}

/*
 * The tag listed again once the modem is offline. What decided the change
 * was listed before, mostly while the modem was online, where the device's
 * application (or anything else on the port) could still take it offline,
 * change the tag and bring it back: a decision on an older listing must
 * not be carried out. This run has changed nothing yet (its first change
 * is what takes the modem offline), so a difference stops it with nothing
 * written, and the next run decides on what the tag holds then.
 */
static enum mcred_err list_again_offline(struct run *r)
{
	struct mcred_credential_list *now = NULL;
	enum mcred_err rc = mcred_cmng_list(r->m, r->req->tag, MCRED_ANY_TYPE, &now);
	int same = rc == MCRED_OK && same_listing(r->inspected, now);

	mcred_credential_list_free(now);
	if (rc != MCRED_OK)
		return modem_fail(r, rc);
	if (!same)
		return run_fail(r, MCRED_ERR_MISMATCH,
				"tag %lu changed between its listing and taking the modem offline "
				"(did another program write it?): nothing was written; run again to "
				"provision the modem as it is now",
				(unsigned long)r->req->tag);
	return MCRED_OK;
}

/*
 * From mode, offline as go_offline() does, timed from t0 (list_again: and
 * the tag listed again, checked against the listing that decided).
 */
static enum mcred_err offline_from(struct run *r, int mode, double t0, int list_again)
{
	enum mcred_err rc = go_offline(r, mode);

	if (rc == MCRED_OK) {
		r->offline = 1;
		if (list_again)
			rc = list_again_offline(r);
	}
	add_time(&r->res->timings.offline, t0);
	return rc;
}

/*
 * Offline just before the first change (%KEYGEN, a write), which is what
 * needs it: a modem that already holds everything is never taken offline.
 * The tag is listed again whatever the mode found (also one found offline
 * may have been online when the tag was listed). Nothing once offline.
 */
static enum mcred_err offline_for_change(struct run *r)
{
	double t0 = now_s();
	int mode;
	enum mcred_err rc;

	if (r->offline)
		return MCRED_OK;
	if ((rc = enter(r, MCRED_STEP_OFFLINE)) != MCRED_OK)
		return rc;
	if ((rc = mcred_cfun_get(r->m, &mode)) != MCRED_OK) {
		add_time(&r->res->timings.offline, t0);
		return modem_fail(r, rc);
	}
	return offline_from(r, mode, t0, 1);
}

/*
 * A crashed run left the modem offline: this run takes over from there (no
 * AT+CFUN=4 to send) and restores the mode that run found, also when it
 * has nothing left to change.
 */
static enum mcred_err take_over_offline(struct run *r)
{
	double t0 = now_s();
	int mode;
	enum mcred_err rc;

	if (!r->recalled || r->intent.mode_found < 0)
		return MCRED_OK;
	if ((rc = mcred_cfun_get(r->m, &mode)) != MCRED_OK)
		return modem_fail(r, rc);
	if (!is_offline_mode(mode))
		return MCRED_OK; /* brought back since: this run goes offline when it must */
	if ((rc = enter(r, MCRED_STEP_OFFLINE)) != MCRED_OK)
		return rc;
	return offline_from(r, mode, t0, 0); /* before the tag is listed: no list again */
}

/*
 * A fresh modem asked for a UUID id without prefix or extra subject needs no
 * attestation token: %KEYGEN without attributes makes "CN=<device UUID>" and
 * its payload names the device. Every other case needs the id now.
 */
static int id_from_keygen(const struct run *r)
{
	const struct mcred_provision_request *q = r->req;

	return q->id_kind == MCRED_ID_UUID && !(q->id_prefix && *q->id_prefix) &&
	       !(q->subject_extra && *q->subject_extra) &&
	       !find_cred(r->inspected, MCRED_TYPE_PRIVATE_KEY);
}

static enum mcred_err load_saved(struct run *r)
{
	memset(&r->saved, 0, sizeof(r->saved));
	r->saved.device_id = r->res->device_id;
	if (r->req->load_cb && r->req->load_cb(r->res->device_id, &r->saved, r->req->user) != 0)
		return run_fail(r, MCRED_ERR_IO, "cannot read the saved artifacts of %s",
				r->res->device_id);
	return MCRED_OK;
}

static enum mcred_err step_identify(struct run *r)
{
	const struct mcred_provision_request *q = r->req;
	struct mcred_error err;
	enum mcred_err rc;

	if (id_from_keygen(r))
		return MCRED_OK;
	/*
	 * The device UUID is in the attestation token (%XMODEMUUID is the
	 * firmware's). A modem that already holds a key gets asked whatever the
	 * id kind: the ledger records the UUID of every modem.
	 */
	if (q->id_kind == MCRED_ID_UUID || find_cred(r->inspected, MCRED_TYPE_PRIVATE_KEY)) {
		rc = get_token(r, r->res->device_uuid, NULL);
		if (rc != MCRED_OK)
			return rc;
	}
	memset(&err, 0, sizeof(err));
	if (mcred_device_id_make(q->id_kind, q->id_prefix, r->res->imei, r->res->device_uuid,
				 r->res->device_id, &err) != MCRED_OK) {
		r->res->error = err;
		return err.code;
	}
	return load_saved(r);
}

static enum mcred_err save(struct run *r)
{
	struct mcred_provision_artifacts a;

	if (!r->req->save_cb)
		return MCRED_OK;
	memset(&a, 0, sizeof(a));
	a.device_id = r->res->device_id;
	a.key_sha256 = r->key_sha256;
	a.csr_pem = r->csr_pem;
	a.public_key_pem = r->pub_pem;
	a.cert_pem = r->cert_pem;
	if (r->req->save_cb(&a, r->req->user) != 0)
		return run_fail(r, MCRED_ERR_IO, "cannot save the artifacts of %s",
				r->res->device_id);
	return MCRED_OK;
}

/*
 * The device UUID of the %KEYGEN payload, and the device id made from it
 * when the modem chose the subject. Either way the CSR names the id: the
 * report checked its subject against the one asked for.
 */
static enum mcred_err take_identity(struct run *r, const mcred_report *rep)
{
	const char *uuid = mcred_report_device_uuid(rep);
	struct mcred_error err;

	snprintf(r->res->device_uuid, sizeof(r->res->device_uuid), "%s", uuid);
	memset(&err, 0, sizeof(err));
	if (!r->res->device_id[0] &&
	    mcred_device_id_make(MCRED_ID_UUID, NULL, "", uuid, r->res->device_id, &err)) {
		r->res->error = err;
		return err.code;
	}
	return MCRED_OK;
}

/*
 * Check what %KEYGEN returned and keep its CSR and public key. attributes:
 * what %KEYGEN was asked for ("CN=<id>[,<subject extra>]", or NULL for the
 * modem's CN=<device UUID>): the CSR's subject must be exactly that, so a
 * modem that adds, drops or changes an attribute is caught.
 */
static enum mcred_err take_keygen_report(struct run *r, const char *blob, const char *attributes)
{
	struct mcred_verify_options vo;
	struct mcred_error err;
	mcred_report *rep = NULL;
	enum mcred_err rc;

	verify_options(r, &vo);
	vo.expected_tag = r->req->tag;
	vo.expected_payload_id = 9;
	vo.check_subject = 1;
	vo.expected_attributes = attributes;
	memset(&err, 0, sizeof(err));
	rc = mcred_keygen_verify(blob, strlen(blob), &vo, &rep, &err);
	if (rc != MCRED_OK) {
		r->res->error = err;
		return rc;
	}
	if (!mcred_report_ok(rep))
		rc = run_fail(r, MCRED_ERR_VERIFY, "the modem's %%KEYGEN answer failed a check: %s",
			      mcred_report_problem(rep) ? mcred_report_problem(rep) : "?");
	else if (r->res->device_uuid[0] &&
		 strcmp(r->res->device_uuid, mcred_report_device_uuid(rep)) != 0)
		rc = run_fail(r, MCRED_ERR_VERIFY,
			      "the %%KEYGEN payload names device %s, the "
			      "attestation token %s",
			      mcred_report_device_uuid(rep), r->res->device_uuid);
	else if (!(r->csr_pem = dup_or_null(mcred_report_csr_pem(rep))) ||
		 !(r->pub_pem = dup_or_null(mcred_report_public_key_pem(rep))))
		rc = run_fail(r, MCRED_ERR_NOMEM, "out of memory");
	else
		rc = take_identity(r, rep);
	mcred_report_free(rep);
	return rc;
}

/* An artifact an earlier run saved (an empty file is none). */
static int saved(const char *artifact)
{
	return artifact && *artifact;
}

/* The key an earlier run made for this device is still there: use it. */
static int reuse_saved_key(struct run *r, const struct mcred_credential *key)
{
	const struct mcred_provision_artifacts *s = &r->saved;

	if (!key->has_sha256 || !s->key_sha256 || !saved(s->csr_pem) || !saved(s->public_key_pem) ||
	    strcasecmp(key->sha256, s->key_sha256) != 0)
		return 0;
	r->csr_pem = strdup(s->csr_pem);
	r->pub_pem = strdup(s->public_key_pem);
	snprintf(r->key_sha256, sizeof(r->key_sha256), "%s", key->sha256);
	return r->csr_pem && r->pub_pem;
}

/* The saved digest names the tag's key, but what reusing it needs is missing. */
static int saved_key_incomplete(const struct run *r, const struct mcred_credential *key)
{
	const struct mcred_provision_artifacts *s = &r->saved;

	return key->has_sha256 && s->key_sha256 && strcasecmp(key->sha256, s->key_sha256) == 0 &&
	       (!saved(s->csr_pem) || !saved(s->public_key_pem));
}

/* take_keygen_report() as the engine's while_waiting work. */
struct keygen_check {
	struct run *r;
	const char *blob;
	const char *attributes; /* asked of %KEYGEN */
	int done;
	enum mcred_err rc;
};

static void check_keygen_answer(void *user)
{
	struct keygen_check *c = user;

	c->done = 1;
	c->rc = take_keygen_report(c->r, c->blob, c->attributes);
}

static enum mcred_err generate_key(struct run *r)
{
	struct mcred_keygen_request kr;
	char subject[512];
	char *blob = NULL;
	struct mcred_credential_list *keys = NULL;
	const struct mcred_credential *key;
	enum mcred_err rc;

	double t0;

	mcred_keygen_request_init(&kr);
	kr.tag = r->req->tag;
	kr.kind = MCRED_KEYGEN_CSR;
	/* No attributes: the modem makes "CN=<device UUID>" itself (fewer bytes). */
	kr.attributes = r->res->device_id[0] ? subject : NULL;
	if (!subject_for(r->res->device_id, r->req->subject_extra, subject, sizeof(subject)))
		return run_fail(r, MCRED_ERR_INVALID_ARG, "the subject is too long");
	if ((rc = record_intent(r, MCRED_STEP_KEYGEN)) != MCRED_OK)
		return rc;
	t0 = now_s();
	rc = mcred_keygen_run(r->m, &kr, &blob);
	add_time(&r->res->timings.keygen, t0);
	/* cancelled once the key existed: its answer came all the same, keep it */
	if (rc != MCRED_OK && !blob)
		return modem_fail(r, rc);
	/*
	 * The digest the modem lists for the new key identifies it in later
	 * runs; the answer is checked while the modem lists it.
	 */
	struct keygen_check check = { r, blob, kr.attributes, 0, MCRED_OK };
	r->m->while_waiting = check_keygen_answer;
	r->m->while_waiting_user = &check;
	t0 = now_s();
	rc = mcred_cmng_list(r->m, r->req->tag, MCRED_TYPE_PRIVATE_KEY, &keys);
	add_time(&r->res->timings.key_listed, t0);
	r->m->while_waiting = NULL;
	if (!check.done)
		check_keygen_answer(&check);
	free(blob);
	if (check.rc != MCRED_OK) {
		mcred_credential_list_free(keys);
		return check.rc; /* a failed check is what matters, not the listing */
	}
	r->changed = 1;
	if (rc != MCRED_OK)
		return modem_fail(r, rc);
	key = find_cred(keys, MCRED_TYPE_PRIVATE_KEY);
	if (key && key->has_sha256)
		snprintf(r->key_sha256, sizeof(r->key_sha256), "%s", key->sha256);
	mcred_credential_list_free(keys);
	/* firmware that lists no digests: no later run could tell this key from another */
	if (!r->key_sha256[0])
		return run_fail(r, MCRED_ERR_UNSUPPORTED,
				"after %%KEYGEN the modem lists no digest for the key in tag %lu: "
				"provisioning identifies keys and verifies writes by the digests "
				"the firmware lists; update the modem firmware",
				(unsigned long)r->req->tag);
	r->key_unsaved = 1; /* host_work, next, saves it whatever happens */
	/*
	 * The new key is this station's from now on, even before its artifacts
	 * are saved: the next intent recorded carries its digest. Until then
	 * (nothing changes the modem in between) the keygen intent tells a
	 * rerun that the key in the tag is the one this station made.
	 */
	memcpy(r->intent.key_sha256, r->key_sha256, sizeof(r->key_sha256));
	return MCRED_OK;
}

/* The listed digest of the tag's credential of type, "" when none is listed. */
static const char *listed_digest(const struct run *r, int type)
{
	const struct mcred_credential *c = find_cred(r->inspected, type);

	return c && c->has_sha256 ? c->sha256 : "";
}

/*
 * A key the journal shows this station was generating when it died: the
 * one it listed, or one that differs from the key the tag held before
 * (none, or one it was allowed to replace) while the tag's certificate is
 * still the one found then. A certificate written since means another run
 * (another station, a desk) finished the tag meanwhile: that key is its.
 */
static int own_orphan(const struct run *r, const struct mcred_credential *key)
{
	const struct mcred_provision_intent *j = &r->intent;

	if (!r->recalled || !j->keygen || !key->has_sha256)
		return 0;
	if (j->key_sha256[0] && strcasecmp(key->sha256, j->key_sha256) == 0)
		return 1;
	if (strcasecmp(listed_digest(r, MCRED_TYPE_CLIENT_CERT), j->cert_before) != 0)
		return 0;
	return j->replace_key || strcasecmp(key->sha256, j->key_before) != 0;
}

/* The tag's key reused (*generate 0), refused, or a new one to generate (*generate 1). */
static enum mcred_err choose_key(struct run *r, const struct mcred_credential *key, int *generate)
{
	*generate = 0;
	if (key && reuse_saved_key(r, key)) {
		r->key_reused = 1;
		return MCRED_OK;
	}
	if (key && !r->req->force && !own_orphan(r, key) && saved_key_incomplete(r, key))
		return run_fail(r, MCRED_ERR_MISMATCH,
				"tag %lu holds the key the saved digest of device %s names, but "
				"the saved artifacts lack its %s: restore them from a backup (the "
				"station keeps <id>_csr.pem and <id>_pub.pem in --out); the request's "
				"force (the CLI's --force) would replace this working key with a new "
				"one",
				(unsigned long)r->req->tag, r->res->device_id,
				!saved(r->saved.csr_pem) && !saved(r->saved.public_key_pem)
					? "CSR and public key"
				: !saved(r->saved.csr_pem) ? "CSR"
							   : "public key");
	if (key && !r->req->force && !own_orphan(r, key))
		return run_fail(r, MCRED_ERR_MISMATCH,
				"tag %lu already holds a private key that "
				"no saved artifact of device %s identifies (its listed digest "
				"differs or none was saved); the request's force (the CLI's --force) "
				"replaces it with a new key",
				(unsigned long)r->req->tag, r->res->device_id);
	*generate = 1;
	return MCRED_OK;
}

/*
 * The key step, entered once the key is chosen: a new one needs the modem
 * offline, and that step comes first.
 */
static enum mcred_err step_keygen(struct run *r)
{
	const struct mcred_credential *key = find_cred(r->inspected, MCRED_TYPE_PRIVATE_KEY);
	int generate;
	enum mcred_err rc = choose_key(r, key, &generate);

	if (rc != MCRED_OK) {
		r->res->step = MCRED_STEP_KEYGEN;
		return rc;
	}
	if ((generate && (rc = offline_for_change(r)) != MCRED_OK) ||
	    (rc = enter(r, MCRED_STEP_KEYGEN)) != MCRED_OK || !generate)
		return rc;
	/* what a crash during %KEYGEN leaves the next run to know */
	r->intent.keygen = 1;
	r->intent.replace_key = key != NULL;
	snprintf(r->intent.key_before, sizeof(r->intent.key_before), "%s",
		 key && key->has_sha256 ? key->sha256 : "");
	snprintf(r->intent.cert_before, sizeof(r->intent.cert_before), "%s",
		 listed_digest(r, MCRED_TYPE_CLIENT_CERT));
	r->intent.key_sha256[0] = '\0';
	return generate_key(r);
}

/*
 * Renewal: the certificate found for the key the saved CSR was made for
 * (reuse_saved_key checked the tag's key against the digest saved with the
 * CSR) expires within renew_within_days, and there is a CA to sign again.
 */
static int renewal_due(const struct run *r, const char *cert_pem)
{
	const struct mcred_provision_request *q = r->req;

	return q->renew_within_days > 0 && q->ca && r->key_reused &&
	       mcred_cert_expires_within(cert_pem, q->renew_within_days) == 1;
}

/* *have_cert 1: a certificate was found or made; 0: none (CSR only). */
static enum mcred_err step_sign(struct run *r, int *have_cert)
{
	struct mcred_error err;
	const char *saved = r->saved.cert_pem;
	double t0, waited = 0.0;
	enum mcred_err rc;

	*have_cert = 0;
	memset(&err, 0, sizeof(err));
	if (saved && *saved &&
	    mcred_cert_check(r->req->ca, saved, r->pub_pem, r->cert_serial, &err) == MCRED_OK) {
		if (!renewal_due(r, saved)) {
			if (!(r->cert_pem = strdup(saved)))
				return run_fail(r, MCRED_ERR_NOMEM, "out of memory");
			*have_cert = 1;
			return MCRED_OK;
		}
		r->renewed = 1;
	}
	if (!r->req->ca)
		return MCRED_OK;
	t0 = now_s();
	/* Belt and braces: what is signed must be for the on-device key. */
	rc = mcred_ca_sign_timed(r->req->ca, r->csr_pem, r->pub_pem,
				 r->req->days ? r->req->days : DEFAULT_DAYS, &r->cert_pem,
				 r->cert_serial, &waited, &err);
	add_time(&r->res->timings.signing, t0);
	add_seconds(&r->res->timings.token_wait, waited);
	if (rc != MCRED_OK) {
		r->res->error = err;
		return rc;
	}
	*have_cert = 1;
	r->changed = 1;
	return save(r);
}

/*
 * Write and verify: the intent recorded, the write, then the listing that
 * verifies the digest (each timed on its own). Only the exact form counts:
 * what was just written must be stored as sent.
 */
static enum mcred_err write_verified(struct run *r, int type, const char *content, double *timing)
{
	enum mcred_provision_step step = type == MCRED_TYPE_CA_CERT ? MCRED_STEP_WRITE_CA
								    : MCRED_STEP_WRITE_CERT;
	enum mcred_compare_match match = MCRED_MATCH_NONE;
	enum mcred_err rc;
	double t0;

	if ((rc = record_intent(r, step)) != MCRED_OK)
		return rc;
	t0 = now_s();
	rc = mcred_cmng_write(r->m, r->req->tag, type, content, strlen(content), NULL, 0);
	add_time(timing, t0);
	if (rc != MCRED_OK)
		return modem_fail(r, rc);
	r->changed = 1;
	t0 = now_s();
	rc = mcred_cmng_compare_match(r->m, r->req->tag, type, content, strlen(content), &match);
	add_time(&r->res->timings.verify, t0);
	if (rc != MCRED_OK)
		return modem_fail(r, rc);
	if (match != MCRED_MATCH_EXACT)
		return run_fail(r, MCRED_ERR_MISMATCH,
				"tag %lu type %d was written, but the modem lists the digest of "
				"the content without its last line break",
				(unsigned long)r->req->tag, type);
	return MCRED_OK;
}

/*
 * The step that writes content as type: entered (the modem taken offline
 * first) and the write verified by digest, unless the tag already holds
 * exactly that content. beside: host_work runs while the modem stores it.
 * digest gets what the modem now lists.
 */
static enum mcred_err write_step(struct run *r, enum mcred_provision_step step, int type,
				 const char *content, char digest[65], int beside)
{
	const struct mcred_credential *have = find_cred(r->inspected, type);
	double *timing = type == MCRED_TYPE_CA_CERT ? &r->res->timings.write_ca
						    : &r->res->timings.write_cert;
	struct mcred_error err;
	char want[65];
	int needed;
	enum mcred_err rc;

	memset(&err, 0, sizeof(err));
	/* as the modem stores it: through a shell, with the CR LF it makes of each \n */
	rc = mcred_cmng_write_digest(type, content, strlen(content), &r->m->opts, want, &err);
	if (rc != MCRED_OK) {
		r->res->step = step;
		r->res->error = err;
		return rc;
	}
	needed = !have || !have->has_sha256 || strcmp(have->sha256, want) != 0;
	if ((needed && (rc = offline_for_change(r)) != MCRED_OK) ||
	    (rc = enter(r, step)) != MCRED_OK)
		return rc;
	if (needed) {
		if (beside) {
			r->m->while_waiting = host_work_while_waiting;
			r->m->while_waiting_user = r;
		}
		rc = write_verified(r, type, content, timing);
		r->m->while_waiting = NULL;
		if (rc != MCRED_OK)
			return rc;
	}
	/* Only what the modem now lists: the result must not claim a failed write. */
	memcpy(digest, want, sizeof(want));
	return MCRED_OK;
}

/* Record one credential of the tag (digest "" when unknown). */
static void add_credential(struct run *r, int type, const char *sha256)
{
	struct mcred_credential *c = &r->res->credentials[r->res->n_credentials++];

	c->tag = r->req->tag;
	c->type = type;
	c->has_sha256 = sha256 && *sha256;
	snprintf(c->sha256, sizeof(c->sha256), "%s", sha256 ? sha256 : "");
}

/*
 * The tag's types 0-2 at the end: what was written and verified by digest,
 * else what the first listing showed (no second listing, fewer bytes).
 */
static void fill_credentials(struct run *r)
{
	const char *ca_sha256 = r->ca_sha256;
	const struct mcred_credential *ca = find_cred(r->inspected, MCRED_TYPE_CA_CERT);
	const struct mcred_credential *cert = find_cred(r->inspected, MCRED_TYPE_CLIENT_CERT);

	r->res->n_credentials = 0;
	if (ca_sha256[0] || ca)
		add_credential(r, MCRED_TYPE_CA_CERT, ca_sha256[0] ? ca_sha256 : ca->sha256);
	if (r->res->cert_sha256[0] || cert)
		add_credential(r, MCRED_TYPE_CLIENT_CERT,
			       r->res->cert_sha256[0] ? r->res->cert_sha256 : cert->sha256);
	if (r->key_sha256[0])
		add_credential(r, MCRED_TYPE_PRIVATE_KEY, r->key_sha256);
}

/* Leave the mode as found: never cancellable, or a second Ctrl-C would leave it offline. */
static enum mcred_err restore_mode(struct run *r, int saved)
{
	int (*cancel_cb)(void *) = r->m->opts.cancel_cb;
	enum mcred_err rc;

	/* As the engine's sessions do: after a cancel the user wants out soon. */
	if (cancel_cb && cancel_cb(r->m->opts.cancel_user))
		r->m->wait_cap = mcred_now_ms() + MCRED_RESTORE_AFTER_CANCEL_MS;
	r->m->opts.cancel_cb = NULL;
	rc = mcred_offline_end(r->m, saved);
	r->m->wait_cap = 0;
	r->m->opts.cancel_cb = cancel_cb;
	return rc;
}

/*
 * What needs only the host once the key is known: keep a new key's
 * artifacts (first, so that even a stop keeps them), then the certificate.
 */
static enum mcred_err host_work(struct run *r)
{
	enum mcred_err rc = MCRED_OK;

	r->host_done = 1;
	if (r->key_unsaved) {
		r->key_unsaved = 0;
		rc = save(r);
		r->key_saved = rc == MCRED_OK;
	}
	if (rc == MCRED_OK)
		rc = enter(r, MCRED_STEP_SIGN);
	if (rc == MCRED_OK)
		rc = step_sign(r, &r->have_cert);
	return r->host_rc = rc;
}

static void host_work_while_waiting(void *user)
{
	(void)host_work(user);
}

/*
 * The root CA goes to the modem while the host saves and signs: the engine
 * runs host_work as soon as the write has gone out. 1.2 KB take the line
 * about 100 ms at 115200 baud, the host's work a few ms, which so cost no
 * time. host_work runs once either way: after the write when it was not
 * sent (the modem holds that CA already, a stop, a failure before it).
 */
static enum mcred_err write_ca_beside_host_work(struct run *r)
{
	struct mcred_error write_err;
	enum mcred_provision_step write_step_failed;
	enum mcred_err rc = write_step(r, MCRED_STEP_WRITE_CA, MCRED_TYPE_CA_CERT,
				       r->req->root_ca_pem, r->ca_sha256, 1);

	write_err = r->res->error;
	write_step_failed = r->res->step;
	if (!r->host_done)
		host_work(r);
	if (rc != MCRED_OK) {
		/* the write's failure (or going offline's) is told; the host's work was done */
		r->res->step = write_step_failed;
		r->res->error = write_err;
		return rc;
	}
	return r->host_rc;
}

/* The attestation token asked for, which must name the device the key's CSR named. */
static enum mcred_err step_attest(struct run *r)
{
	char uuid[37] = "";
	enum mcred_err rc = get_token(r, uuid, &r->res->attest_token);

	if (rc != MCRED_OK)
		return rc;
	if (r->res->device_uuid[0] && strcmp(uuid, r->res->device_uuid) != 0)
		return run_fail(r, MCRED_ERR_VERIFY,
				"the attestation token names device %s, the %%KEYGEN payload %s",
				uuid, r->res->device_uuid);
	snprintf(r->res->device_uuid, sizeof(r->res->device_uuid), "%s", uuid);
	return MCRED_OK;
}

/* The tag's listing and the device id: more facts (timed with step_info). */
static enum mcred_err step_tag_and_id(struct run *r)
{
	double t0 = now_s();
	enum mcred_err rc;

	if (!(rc = enter(r, MCRED_STEP_INSPECT)) && !(rc = step_inspect(r)) &&
	    !(rc = enter(r, MCRED_STEP_IDENTIFY)))
		rc = step_identify(r);
	add_time(&r->res->timings.facts, t0);
	return rc;
}

/*
 * Everything between the device facts and restoring the mode; the modem
 * goes offline before the first step that changes it, if any does.
 */
static enum mcred_err provision_steps(struct run *r)
{
	const struct mcred_provision_request *q = r->req;
	/* signing needs no modem: it is done while the root CA is written */
	int beside = q->root_ca_pem && q->ca;
	enum mcred_err rc;

	if ((rc = step_tag_and_id(r)) || (rc = step_keygen(r)))
		return rc;
	if ((rc = beside ? write_ca_beside_host_work(r) : host_work(r)) != MCRED_OK)
		return rc;
	if (!r->have_cert) {
		r->res->status = MCRED_PROVISION_CSR_SAVED;
		return MCRED_OK;
	}
	if (q->root_ca_pem && !beside &&
	    (rc = write_step(r, MCRED_STEP_WRITE_CA, MCRED_TYPE_CA_CERT, q->root_ca_pem,
			     r->ca_sha256, 0)))
		return rc;
	if ((rc = write_step(r, MCRED_STEP_WRITE_CERT, MCRED_TYPE_CLIENT_CERT, r->cert_pem,
			     r->res->cert_sha256, 0)))
		return rc;
	if (q->attest) {
		double t0;

		if ((rc = enter(r, MCRED_STEP_ATTEST)) != MCRED_OK)
			return rc;
		t0 = now_s();
		rc = step_attest(r);
		add_time(&r->res->attest_seconds, t0); /* a timeout's seconds too */
		if (rc != MCRED_OK)
			return rc;
	}
	/* a provisioning a crash cut short is finished here, even with nothing left to write */
	r->res->status = r->renewed                         ? MCRED_PROVISION_RENEWED
			 : r->changed || r->recalled_change ? MCRED_PROVISION_PROVISIONED
							    : MCRED_PROVISION_UNCHANGED;
	return MCRED_OK;
}

/*
 * The device facts (before anything changes: the intent to go offline
 * names the modem by its IMEI), then a crashed run's journal, and the
 * modem that run left offline taken over.
 */
static enum mcred_err facts_and_journal(struct run *r)
{
	double t0 = now_s();
	enum mcred_err rc = enter(r, MCRED_STEP_INFO);

	if (rc == MCRED_OK)
		rc = step_info(r);
	add_time(&r->res->timings.facts, t0);
	if (rc == MCRED_OK)
		rc = recall_intent(r);
	return rc == MCRED_OK ? take_over_offline(r) : rc;
}

/*
 * The journal once the mode is restored: done, unless a key this run
 * generated is known to nothing else (its artifacts were not saved): then
 * the journal stays to tell the next run that key is this station's own.
 * It stays too when the run changed the modem and then failed or was
 * stopped (rc): the run that finishes the work, even with nothing left to
 * write, records the device as provisioned, as after a crash.
 */
static void close_journal(struct run *r, enum mcred_err rc)
{
	/* a crashed run's journal closes too when this run had nothing to change */
	if ((!r->intent_recorded && !r->recalled) ||
	    (r->intent.keygen && !r->key_saved && !r->key_reused))
		return;
	if (rc != MCRED_OK && (r->changed || r->recalled_change)) {
		/* the mode is restored: the next run leaves the one it finds */
		r->intent.mode_found = -1;
		(void)record_intent(r, r->intent.step == MCRED_STEP_OFFLINE ? MCRED_STEP_WRITE_CERT
									    : r->intent.step);
		return;
	}
	(void)record_intent(r, MCRED_STEP_DONE); /* a stale journal only repeats a restore */
}

/* mcred_provision() once result is checked and reset; r gets the strings. */
static enum mcred_err provision_run(struct run *run, mcred_modem *modem,
				    const struct mcred_provision_request *req,
				    struct mcred_provision_result *result)
{
	struct mcred_provision_request copy;
	struct run r;
	double t0;
	enum mcred_err rc, restore_rc;

	if (!modem)
		return mcred_error_set(&result->error, MCRED_ERR_INVALID_ARG, "no modem given");
	if (mcred_provision_check(req, &result->error) != MCRED_OK)
		return result->error.code;
	mcred_provision_request_take(&copy, req, NULL); /* checked: size is good */
	req = &copy;
	memset(&r, 0, sizeof(r));
	r.m = modem;
	r.req = req;
	r.res = result;
	r.restore = -1;
	rc = facts_and_journal(&r);
	if (rc == MCRED_OK)
		rc = provision_steps(&r);
	/* a modem never taken offline has no mode to restore: no step, no time */
	if (req->progress_cb && r.restore >= 0)
		req->progress_cb(MCRED_STEP_RESTORE, req->user);
	t0 = now_s();
	restore_rc = restore_mode(&r, r.restore);
	if (r.restore >= 0)
		add_time(&result->timings.restore, t0);
	if (restore_rc == MCRED_OK)
		close_journal(&r, rc);
	/* Also after a failure: what the tag holds as far as this run knows. */
	fill_credentials(&r);
	if (rc == MCRED_OK && restore_rc != MCRED_OK) {
		result->step = MCRED_STEP_RESTORE;
		rc = modem_fail(&r, restore_rc);
	} else if (restore_rc != MCRED_OK) {
		/* The first failure stays the error; the caller must still hear of this. */
		size_t n = strlen(result->error.message);

		if (restore_rc ==
		    MCRED_ERR_TIMEOUT) /* sent, unanswered: a busy modem may do it later */
			snprintf(result->error.message + n, sizeof(result->error.message) - n,
				 "; AT+CFUN=%d, which restores the functional mode, got no answer "
				 "in time (the modem may still be finishing the cancelled command "
				 "and set it afterwards): check with AT+CFUN? and send AT+CFUN=%d "
				 "if the mode is not %d",
				 r.restore, r.restore, r.restore);
		else
			snprintf(result->error.message + n, sizeof(result->error.message) - n,
				 "; the functional mode could not be restored (%s): send "
				 "AT+CFUN=%d",
				 mcred_strerror(restore_rc), r.restore);
	}
	if (rc != MCRED_OK) {
		result->status = MCRED_PROVISION_FAILED;
	} else {
		result->step = MCRED_STEP_DONE;
		result->error.code = MCRED_OK;
		result->error.message[0] = '\0';
	}
	mcred_credential_list_free(r.inspected);
	free(r.csr_pem);
	free(r.pub_pem);
	free(r.cert_pem);
	*run = r;
	return rc;
}

/* What the string fields point to when there was no memory for them. */
static const char no_string[] = "";

/* Give result its strings (one allocation, freed through model). */
static void publish_strings(struct mcred_provision_result *result, const struct run *r)
{
	size_t model = strlen(r->model) + 1, firmware = strlen(r->firmware) + 1;
	char *block = malloc(model + firmware + strlen(r->cert_serial) + 1);

	if (!block) {
		result->model = result->firmware = result->cert_serial = no_string;
		return;
	}
	result->model = strcpy(block, r->model);
	result->firmware = strcpy(block + model, r->firmware);
	result->cert_serial = strcpy(block + model + firmware, r->cert_serial);
}

/* The fields of the result's first version (0.2.0). */
#define RESULT_FIRST_VERSION_SIZE \
	(offsetof(struct mcred_provision_result, attest_token) + sizeof(char *))

enum mcred_err mcred_provision(mcred_modem *modem, const struct mcred_provision_request *req,
			       struct mcred_provision_result *result)
{
	struct mcred_provision_result full;
	struct run r;
	size_t size;
	enum mcred_err rc;

	if (!result)
		return MCRED_ERR_INVALID_ARG;
	/*
	 * The caller's size is at least the first version (checked): the run
	 * fills a full copy, and the caller gets what fits in its size.
	 */
	size = result->size;
	memset(&full, 0, sizeof(full));
	full.size = size < sizeof(full) ? size : sizeof(full); /* what the caller gets */
	full.error.cme = -1;
	timings_init(&full.timings);
	full.attest_seconds = -1;
	memset(&r, 0, sizeof(r));
	/* a size far beyond any header's is no size: a struct never initialised */
	if (size < RESULT_FIRST_VERSION_SIZE || size > sizeof(full) + MCRED_STRUCT_GROWTH_MAX)
		rc = mcred_error_set(&full.error, MCRED_ERR_INVALID_ARG,
				     "struct mcred_provision_result has size %zu: initialise it "
				     "with mcred_provision_result_init() before mcred_provision()",
				     size);
	else
		rc = provision_run(&r, modem, req, &full);
	publish_strings(&full, &r);
	/*
	 * A struct declared by any header has the first version's fields, even
	 * when its size was never set: the error and the strings go there.
	 */
	memcpy(result, &full,
	       size < RESULT_FIRST_VERSION_SIZE ? RESULT_FIRST_VERSION_SIZE : full.size);
	result->size = size;
	return rc;
}

void mcred_provision_result_init_size(struct mcred_provision_result *result, size_t size)
{
	mcred_struct_init(result, size);
}

void mcred_provision_result_clear(struct mcred_provision_result *result)
{
	if (!result)
		return;
	free(result->attest_token);
	result->attest_token = NULL;
	if (result->model != no_string)
		free((char *)result->model);
	result->model = result->firmware = result->cert_serial = NULL;
}
