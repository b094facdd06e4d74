/*
 * The provisioning station (see station.h).
 *
 * Threads: one per port, with the stop signals blocked, so that they reach
 * the main thread, which only redraws the live lines and waits. SIGHUP and
 * SIGQUIT count as SIGTERM and SIGINT do (a closed terminal or SSH session
 * must not leave modems offline). The first asks every run to stop after the
 * command in flight (its result is saved, the mode restored, the ledger
 * line written); a second one also cancels the commands in flight
 * (restoring the modes then gets a few seconds, as in the library's
 * sessions); a third exits at once. SIGPIPE is ignored (app.c): a closed
 * stdout fails the output, not the runs.
 *
 * A full disk (ENOSPC, EDQUOT) while writing any record (journal,
 * artifact, ledger, CSV) stops the station as the first Ctrl-C does: each
 * run ends after its command in flight with its mode restored, and the
 * station says which file could not be written (exit 1).
 *
 * Before each step that changes a modem the library hands the station its
 * intent, which goes to the modem's journal in --out (journal.c) first.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "files.h"
#include "journal.h"
#include "json.h"
#include "station.h"

/* Ctrl-C count (the handler's only state). */
static volatile sig_atomic_t g_interrupts;
static volatile sig_atomic_t g_signo;

static void on_signal(int signo)
{
	g_signo = signo;
	if (g_interrupts >= 2)
		_exit(128 + signo); /* third: at once, whatever is in flight */
	g_interrupts++;
}

/* The stop signals, as a set. */
static void stop_signal_set(sigset_t *set)
{
	size_t i;

	sigemptyset(set);
	for (i = 0; i < CLI_STOP_SIGNALS; i++)
		sigaddset(set, cli_stop_signals[i]);
}

static void install_handlers(void)
{
	struct sigaction sa, old;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	stop_signal_set(&sa.sa_mask); /* one handler at a time counts */
	for (i = 0; i < CLI_STOP_SIGNALS; i++) {
		/* SIGHUP ignored at start (nohup) stays ignored, as in app.c */
		if (cli_stop_signals[i] == SIGHUP && sigaction(SIGHUP, NULL, &old) == 0 &&
		    old.sa_handler == SIG_IGN)
			continue;
		sigaction(cli_stop_signals[i], &sa, NULL);
	}
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct station;

/* One port's run. */
struct port_run {
	struct station *st;
	const char *port;
	pthread_t thread;
	int started;
	enum mcred_provision_step step;
	int opened, done;
	double t0, t1;
	double step_t0; /* when the step in flight began */
	struct mcred_provision_result res;
	int exit_code;
	char *cert_pem;         /* the certificate this run ended with */
	int cert_from_files;    /* it came from --cert-dir: copy it to --out */
	char saved_key[65];     /* key digest whose CSR and public key are saved already */
	struct journal journal; /* the modem's, open while the run lasts */
	/* Artifacts loaded for load_cb; valid during the run. */
	char *a_csr, *a_pub, *a_crt, *a_key;
	char *made_pub; /* the public key of a key made this run (save_cb) */
	/* the IMEI and the device id this port's modem gave, claimed for it in this run */
	char claims[2][80];
	const char *twin; /* the port whose modem claimed them first (claim_device) */
	int twin_kind;    /* what it claimed first: enum claim */
	/* the last intent the library announced (intent_cb), if any */
	struct mcred_provision_intent last_change;
	int changes;
};

struct station {
	const struct station_config *cfg;
	struct port_run *runs;
	size_t n, finished;
	pthread_mutex_t mutex;
	pthread_cond_t cond;
	int live; /* live lines on a terminal */
	int lines_drawn;
	/* who else holds the ports, looked for once for all of them; NULL: each open looks */
	mcred_port_survey *survey;
	struct journal_dir journals; /* in the artifacts directory (--out) */
	double t0;
	/* a full disk stops the station: 1, then 2 once told (read by the runs) */
	atomic_int disk_full;
	char disk_full_why[600];
};

/* A write failed because the disk is full: stop every run, say which file once. */
static void disk_full(struct station *st, const char *why)
{
	pthread_mutex_lock(&st->mutex);
	if (!atomic_load(&st->disk_full)) {
		snprintf(st->disk_full_why, sizeof(st->disk_full_why), "%s", why);
		atomic_store(&st->disk_full, 1);
	}
	pthread_cond_signal(&st->cond);
	pthread_mutex_unlock(&st->mutex);
}

/* ---- artifacts ------------------------------------------------------------------ */

static void artifact_path(const char *dir, const char *id, const char *suffix, char *out,
			  size_t len)
{
	snprintf(out, len, "%s/%s%s", dir, id, suffix);
}

/* The file's content (malloc'd) or NULL when it does not exist or cannot be read. */
static char *read_artifact(const char *dir, const char *id, const char *suffix)
{
	char path[4200];
	struct mcred_error err;
	char *data = NULL;
	size_t len;

	if (!dir)
		return NULL;
	artifact_path(dir, id, suffix, path, sizeof(path));
	if (access(path, F_OK) != 0)
		return NULL;
	memset(&err, 0, sizeof(err));
	if (cli_read_file(path, "artifact", &data, &len, &err) != 0)
		return NULL;
	return data;
}

static void free_artifacts(struct port_run *r)
{
	free(r->a_csr);
	free(r->a_pub);
	free(r->a_crt);
	free(r->a_key);
	free(r->made_pub);
	r->a_csr = r->a_pub = r->a_crt = r->a_key = r->made_pub = NULL;
}

/* What a port's modem is known by: its IMEI (its journal's name), its device id (its files' names). */
enum claim { CLAIM_IMEI, CLAIM_ID };

/*
 * Claim value for this port's modem: 0, or -1 (r->twin set) when another
 * port of this run already did. One modem on two ports (a copy of the line
 * through another pseudo-terminal) or two modems that give one IMEI or id
 * would otherwise share a journal and artifacts, each run overwriting the
 * other's and both saying "provisioned".
 */
static int claim_device(struct port_run *r, enum claim kind, const char *value)
{
	struct station *st = r->st;
	size_t i;

	if (!value || !*value)
		return 0;
	pthread_mutex_lock(&st->mutex);
	for (i = 0; i < st->n && !r->twin; i++)
		if (&st->runs[i] != r && !strcmp(st->runs[i].claims[kind], value))
			r->twin = st->runs[i].port;
	if (r->twin)
		r->twin_kind = kind;
	else
		snprintf(r->claims[kind], sizeof(r->claims[kind]), "%s", value);
	pthread_mutex_unlock(&st->mutex);
	return r->twin ? -1 : 0;
}

static int load_cb(const char *id, struct mcred_provision_artifacts *a, void *user)
{
	struct port_run *r = user;
	const struct station_config *c = r->st->cfg;
	char *nl;

	if (claim_device(r, CLAIM_ID, id) != 0)
		return -1;
	free_artifacts(r);
	r->a_csr = read_artifact(c->out_dir, id, "_csr.pem");
	r->a_pub = read_artifact(c->out_dir, id, "_pub.pem");
	r->a_key = read_artifact(c->out_dir, id, "_key.sha256");
	/* A certificate issued elsewhere (--cert-dir) wins over one saved here. */
	r->a_crt = read_artifact(c->cert_dir, id, "_crt.pem");
	r->cert_from_files = r->a_crt != NULL;
	if (!r->a_crt)
		r->a_crt = read_artifact(c->out_dir, id, "_crt.pem");
	if (r->a_key && (nl = strpbrk(r->a_key, "\r\n")) != NULL)
		*nl = '\0';
	a->csr_pem = r->a_csr;
	a->public_key_pem = r->a_pub;
	a->key_sha256 = r->a_key;
	a->cert_pem = r->a_crt;
	free(r->cert_pem);
	r->cert_pem = r->a_crt ? strdup(r->a_crt) : NULL;
	return 0;
}

static int save_file(struct station *st, const char *dir, const char *id, const char *suffix,
		     const char *text)
{
	char path[4200];
	struct mcred_error err;
	int rc;

	if (!text || !*text)
		return 0;
	artifact_path(dir, id, suffix, path, sizeof(path));
	memset(&err, 0, sizeof(err));
	if ((rc = file_replace(path, text, strlen(text), 0, &err)) != 0) {
		if (rc == LEDGER_NO_SPACE)
			disk_full(st, err.message);
		else
			cli_errorf("%s", err.message);
		return -1;
	}
	return 0;
}

/* The files just saved in the artifacts directory: their names made durable. */
static int commit_names(struct station *st)
{
	int e;

	if (journal_dir_commit(&st->journals) == 0)
		return 0;
	e = errno;
	if (e == ENOSPC || e == EDQUOT)
		disk_full(st, "cannot sync the artifacts directory: no space left on the device");
	else
		cli_errorf("cannot sync the artifacts directory %s: %s", st->cfg->out_dir,
			   strerror(e));
	return -1;
}

static int save_cb(const struct mcred_provision_artifacts *a, void *user)
{
	struct port_run *r = user;
	const char *dir = r->st->cfg->out_dir;
	char key[80];

	if (claim_device(r, CLAIM_ID, a->device_id) != 0)
		return -1;
	if (a->cert_pem && *a->cert_pem) {
		free(r->cert_pem);
		r->cert_pem = strdup(a->cert_pem);
		r->cert_from_files = 0;
	}
	if (a->public_key_pem && *a->public_key_pem &&
	    (!r->made_pub || strcmp(r->made_pub, a->public_key_pem) != 0)) {
		free(r->made_pub);
		r->made_pub = strdup(a->public_key_pem);
	}
	/* The key's files once per key (each save is an fsync). */
	if (a->key_sha256 && !strcmp(a->key_sha256, r->saved_key))
		return save_file(r->st, dir, a->device_id, "_crt.pem", a->cert_pem) ||
		       commit_names(r->st);
	snprintf(key, sizeof(key), "%s\n", a->key_sha256 ? a->key_sha256 : "");
	/*
	 * The key's digest last, its name durable after the others': it is what
	 * makes a later run trust them.
	 */
	if (save_file(r->st, dir, a->device_id, "_csr.pem", a->csr_pem) ||
	    save_file(r->st, dir, a->device_id, "_pub.pem", a->public_key_pem) ||
	    save_file(r->st, dir, a->device_id, "_crt.pem", a->cert_pem) || commit_names(r->st) ||
	    save_file(r->st, dir, a->device_id, "_key.sha256", a->key_sha256 ? key : NULL) ||
	    commit_names(r->st))
		return -1;
	snprintf(r->saved_key, sizeof(r->saved_key), "%s", a->key_sha256 ? a->key_sha256 : "");
	return 0;
}

/* ---- the journal ------------------------------------------------------------------ */

static int intent_cb(const struct mcred_provision_intent *intent, void *user)
{
	struct port_run *r = user;
	struct mcred_error err;
	int rc;

	memset(&err, 0, sizeof(err));
	rc = journal_record(&r->journal, &r->st->journals, intent, &err);
	if (rc == LEDGER_NO_SPACE)
		disk_full(r->st, err.message);
	else if (rc != 0)
		cli_errorf("%s: %s", r->port, err.message);
	if (rc == 0 && intent->step != MCRED_STEP_DONE) {
		r->last_change = *intent;
		r->changes = 1;
	}
	return rc;
}

/*
 * The library finished the modem, but its records failed here (a CSV row,
 * an artifact): the journal gets the last change back, so that the run
 * that finishes the records, with nothing left to write to the modem,
 * says provisioned rather than unchanged, as after a crash.
 */
static void journal_unfinished(struct port_run *r)
{
	struct mcred_provision_intent last = r->last_change;
	struct mcred_error err;

	if (!r->changes)
		return;
	/* a run finishing a recalled change goes offline only: the change is still to record */
	if (last.step == MCRED_STEP_OFFLINE)
		last.step = MCRED_STEP_WRITE_CERT;
	last.mode_found = -1; /* restored: the next run leaves the mode it finds */
	memset(&err, 0, sizeof(err));
	if (journal_record(&r->journal, &r->st->journals, &last, &err) != 0)
		cli_errorf("%s: %s", r->port, err.message);
	journal_close(&r->journal);
}

static int recall_cb(const char *imei, struct mcred_provision_intent *intent, void *user)
{
	struct port_run *r = user;
	struct mcred_error err;
	int found;

	if (claim_device(r, CLAIM_IMEI, imei) != 0)
		return -1;
	memset(&err, 0, sizeof(err));
	found = journal_recall(r->st->cfg->out_dir, imei, intent, &err);
	if (found < 0)
		cli_errorf("%s: %s", r->port, err.message);
	/*
	 * A change an earlier run made and did not record: if this run's
	 * records fail too, with nothing left to change (the modem is not
	 * even taken offline), the journal must still say so.
	 */
	if (found > 0 && intent->step != MCRED_STEP_OFFLINE && intent->step != MCRED_STEP_DONE) {
		r->last_change = *intent;
		r->changes = 1;
	}
	return found;
}

/* ---- progress -------------------------------------------------------------------- */

static const char *run_state(const struct port_run *r)
{
	if (r->done)
		return mcred_provision_status_name(r->res.status);
	if (!r->opened)
		return "open";
	return mcred_provision_step_name(r->step);
}

/* Redraw the live lines (mutex held). */
static void redraw(struct station *st)
{
	double t = now_s();
	size_t i;

	if (st->lines_drawn)
		printf("\033[%dA", st->lines_drawn);
	for (i = 0; i < st->n; i++) {
		const struct port_run *r = &st->runs[i];
		double el = (r->done ? r->t1 : t) - r->t0;
		double in_step = r->opened && !r->done ? t - r->step_t0 : 0.0;
		int failed = r->done && r->res.status == MCRED_PROVISION_FAILED;

		/*
		 * Port, step (and how long it has been in it), the port's elapsed
		 * time, the device; short enough not to wrap, or the redraw would
		 * climb too few lines.
		 */
		printf("\r\033[K%-24.24s %-11s %5.1fs %6.1fs  %.36s%s%.30s\n", r->port,
		       run_state(r), in_step, r->started ? el : 0.0, r->res.device_id,
		       failed ? "  " : "", failed ? r->res.error.message : "");
	}
	st->lines_drawn = (int)st->n;
	fflush(stdout);
}

/* One JSON event (mutex held). */
static void step_event(struct port_run *r, const char *step)
{
	struct json j;

	json_init(&j, stdout);
	json_object_begin(&j);
	json_field_string(&j, "event", "step");
	json_field_string(&j, "port", r->port);
	json_field_string(&j, "step", step);
	json_object_end(&j); /* ends the line too */
	fflush(stdout);
}

static void progress(struct port_run *r, enum mcred_provision_step step)
{
	struct station *st = r->st;

	pthread_mutex_lock(&st->mutex);
	r->step = step;
	r->step_t0 = now_s();
	if (!st->live && !st->cfg->quiet)
		step_event(r, mcred_provision_step_name(step));
	if (st->live) /* redraw now; otherwise the main thread waits only for the ends */
		pthread_cond_signal(&st->cond);
	pthread_mutex_unlock(&st->mutex);
}

static void progress_cb(enum mcred_provision_step step, void *user)
{
	progress(user, step);
}

/* -v: the port's AT trace, each line after the port's name */
static void trace_cb(enum mcred_trace_dir dir, const char *text, size_t len, void *user)
{
	const struct port_run *r = user;
	char prefix[4200];

	snprintf(prefix, sizeof(prefix), "%s: ", r->port);
	cli_print_trace(prefix, dir, text, len);
}

static int stop_cb(void *user)
{
	const struct port_run *r = user;

	return g_interrupts >= 1 || atomic_load(&r->st->disk_full) != 0;
}

/* The second signal abandons the commands in flight (the first stops between steps). */
static int cancel_cb(void *user)
{
	(void)user;
	return g_interrupts >= 2 ? MCRED_CANCEL_NOW : MCRED_CANCEL_NONE;
}

/* ---- records ---------------------------------------------------------------------- */

static void fail_record(struct port_run *r, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void fail_record(struct port_run *r, int code, const char *fmt, ...)
{
	va_list ap;

	r->res.status = MCRED_PROVISION_FAILED;
	va_start(ap, fmt);
	vsnprintf(r->res.error.message, sizeof(r->res.error.message), fmt, ap);
	va_end(ap);
	if (code > r->exit_code)
		r->exit_code = code;
}

/*
 * 1 when cert_pem (an onboarding row's certificate) is for the key the
 * device holds: that row is an earlier certificate of the same key.
 */
static int for_device_key(const char *cert_pem, void *user)
{
	const struct port_run *r = user;
	const char *pub = r->made_pub ? r->made_pub : r->a_pub;
	struct mcred_error err;

	memset(&err, 0, sizeof(err));
	return pub && mcred_cert_check(NULL, cert_pem, pub, NULL, &err) == MCRED_OK;
}

static struct csv_options onboard_options(struct port_run *r)
{
	struct csv_options csv = r->st->cfg->csv;

	/* a renewed certificate takes its device's row: the old one is no longer on the modem */
	if (r->res.status == MCRED_PROVISION_RENEWED)
		csv.replace = 1;
	/* so does one whose renewal a crash or a full disk kept out of the CSV */
	csv.same_key = for_device_key;
	csv.user = r;
	return csv;
}

/* What an onboarding CSV outcome means for the run: 0 fine, -1 failed (recorded). */
static int onboard_outcome(struct port_run *r, enum csv_outcome out, const struct mcred_error *err)
{
	const struct station_config *c = r->st->cfg;

	if (out == CSV_DUPLICATE)
		fail_record(r, CLI_EXIT_FAILURE,
			    "the onboarding CSV already has another row for "
			    "%s; --replace replaces it",
			    r->res.device_id);
	else if (out == CSV_FULL)
		fail_record(r, CLI_EXIT_FAILURE,
			    "the onboarding CSV %s has 1000 rows, nRF Cloud's "
			    "limit; --split continues in FILE-2.csv",
			    c->csv.path);
	else if (out == CSV_ERROR || out == CSV_NO_SPACE)
		fail_record(r, CLI_EXIT_FAILURE, "onboarding CSV: %.400s", err->message);
	else
		return 0;
	if (out == CSV_NO_SPACE)
		disk_full(r->st, err->message);
	return -1;
}

/* What a claim CSV outcome means for the run: 0 fine, -1 failed (recorded). */
static int claim_outcome(struct port_run *r, enum csv_outcome out, const struct mcred_error *err)
{
	const struct station_config *c = r->st->cfg;

	if (out == CSV_DUPLICATE)
		fail_record(r, CLI_EXIT_FAILURE,
			    "the claim CSV %s has a row for device %s with another IMEI; --replace "
			    "replaces it",
			    c->attest_csv.path, r->res.device_uuid);
	else if (out == CSV_ERROR || out == CSV_NO_SPACE)
		fail_record(r, CLI_EXIT_FAILURE, "claim CSV: %.400s", err->message);
	else
		return 0;
	if (out == CSV_NO_SPACE)
		disk_full(r->st, err->message);
	return -1;
}

/*
 * nRF Cloud claims nRF91x1 devices by attestation token, not the nRF9160
 * (nrfcloud-utils' gather_attestation_tokens refuses it too): such a row
 * would only fail in claim_devices.
 */
static int unclaimable(struct port_run *r)
{
	const char *model = r->res.model ? r->res.model : "";

	if (strncasecmp(model, "nRF9160", 7) != 0)
		return 0;
	fail_record(r, CLI_EXIT_FAILURE,
		    "%s is an %s: nRF Cloud claims only nRF91x1 devices by attestation token, so "
		    "it gets no claim row; its credentials are in place: onboard it with "
		    "--onboard-csv instead of --attest-csv",
		    r->res.device_id, model);
	return 1;
}

/*
 * Whether the device's rows may go into the CSVs: both are checked before
 * either is written, so that a device failed by one has a row in neither
 * (a claim row for a failed device would have claim_devices claim it).
 * *kept gets the token of a claim row that stays (malloc'd), which the
 * device's token file then holds too. 0 or -1 (the run failed, recorded).
 */
static int check_rows(struct port_run *r, char **kept)
{
	const struct station_config *c = r->st->cfg;
	struct csv_options csv = onboard_options(r);
	struct mcred_error err;

	memset(&err, 0, sizeof(err));
	if (c->attest_csv.path && r->res.attest_token && unclaimable(r))
		return -1;
	if (c->csv.path && r->cert_pem &&
	    onboard_outcome(r, csv_check_device(&csv, r->res.device_id, r->cert_pem, &err), &err) !=
		    0)
		return -1;
	if (c->attest_csv.path && r->res.attest_token &&
	    claim_outcome(r,
			  attest_csv_check(&c->attest_csv, r->res.imei, r->res.device_uuid, kept,
					   &err),
			  &err) != 0)
		return -1;
	return 0;
}

static void add_csv_row(struct port_run *r)
{
	struct csv_options csv = onboard_options(r);
	struct mcred_error err;

	memset(&err, 0, sizeof(err));
	onboard_outcome(r, csv_add_device(&csv, r->res.device_id, r->cert_pem, &err), &err);
}

/* The device's claim row (--attest-csv): its token, by device UUID. */
static void add_claim_row(struct port_run *r)
{
	const struct station_config *c = r->st->cfg;
	struct mcred_error err;

	memset(&err, 0, sizeof(err));
	claim_outcome(r,
		      attest_csv_add(&c->attest_csv, r->res.imei, r->res.device_uuid,
				     r->res.attest_token, &err),
		      &err);
}

static void fill_record(const struct port_run *r, struct ledger_record *rec)
{
	memset(rec, 0, sizeof(*rec));
	rec->port = r->port;
	rec->result = &r->res;
	rec->tag = r->st->cfg->req.tag;
	rec->exit_code = r->exit_code;
	rec->duration_s = r->t1 - r->t0;
	rec->time = (long long)time(NULL);
}

/* Artifacts, CSV row and ledger line of a finished run. */
static void record(struct port_run *r)
{
	const struct station_config *c = r->st->cfg;
	struct ledger_record rec;
	struct mcred_error err;
	char *line;
	size_t len;
	int ok = r->res.status == MCRED_PROVISION_PROVISIONED ||
		 r->res.status == MCRED_PROVISION_UNCHANGED ||
		 r->res.status == MCRED_PROVISION_RENEWED;
	int rc = -1;
	char *kept = NULL; /* the token of a claim row that stays */
	/* before check_rows, which may fail the record */
	int changed = r->res.status == MCRED_PROVISION_PROVISIONED ||
		      r->res.status == MCRED_PROVISION_RENEWED;
	int rows = ok && check_rows(r, &kept) == 0;

	if (ok && r->cert_from_files && r->cert_pem &&
	    save_file(r->st, c->out_dir, r->res.device_id, "_crt.pem", r->cert_pem) != 0)
		fail_record(r, CLI_EXIT_FAILURE, "cannot save %s_crt.pem", r->res.device_id);
	/* the token file holds the token that claims the device: the kept row's */
	if (ok && r->res.attest_token &&
	    save_file(r->st, c->out_dir, r->res.device_id, "_attest.txt",
		      kept && *kept ? kept : r->res.attest_token) != 0)
		fail_record(r, CLI_EXIT_FAILURE, "cannot save %s_attest.txt", r->res.device_id);
	/* the files' names durable before a record says they are there */
	if (ok && ((r->cert_from_files && r->cert_pem) || r->res.attest_token) &&
	    commit_names(r->st) != 0)
		fail_record(r, CLI_EXIT_FAILURE, "cannot sync the files of %s", r->res.device_id);
	free(kept);
	rows = rows && r->res.status != MCRED_PROVISION_FAILED;
	if (rows && c->csv.path && r->cert_pem) {
		add_csv_row(r);
		rows = r->res.status != MCRED_PROVISION_FAILED;
	}
	if (rows && c->attest_csv.path && r->res.attest_token)
		add_claim_row(r);
	if (changed && r->res.status == MCRED_PROVISION_FAILED)
		journal_unfinished(r);
	if (!c->ledger)
		return;
	fill_record(r, &rec);
	line = ledger_line(&rec, &len);
	memset(&err, 0, sizeof(err));
	if (!line || (rc = ledger_append(c->ledger, line, len, &err)) != 0) {
		cli_errorf("%s: the ledger line of %s was not written: %s", r->port,
			   r->res.device_id[0] ? r->res.device_id : "this modem",
			   line ? err.message : "out of memory");
		if (r->exit_code < CLI_EXIT_FAILURE)
			r->exit_code = CLI_EXIT_FAILURE;
		if (rc == LEDGER_NO_SPACE)
			disk_full(r->st, err.message);
	}
	free(line);
}

/* The result event of a finished run: its ledger record (mutex held). */
static void result_event(struct port_run *r)
{
	struct ledger_record rec;
	char *line;
	size_t len;

	fill_record(r, &rec);
	line = ledger_line(&rec, &len);
	if (line)
		printf("{\"event\":\"result\",\"record\":%.*s}\n", (int)len - 1, line);
	fflush(stdout);
	free(line);
}

/* ---- one port ---------------------------------------------------------------------- */

/* The record of a port whose modem another port of this run claimed first (claim_device). */
static void say_twin(struct port_run *r)
{
	int by_imei = r->twin_kind == CLAIM_IMEI; /* refused before any change */

	r->exit_code = 0;
	fail_record(r, CLI_EXIT_PORT,
		    "the modem on this port gives %s %s, as does the one on %s: one modem "
		    "reached through two ports, or two modems with one %s; give each modem "
		    "once (%s)",
		    by_imei ? "IMEI" : "device id", by_imei ? r->res.imei : r->res.device_id,
		    r->twin, by_imei ? "IMEI" : "id",
		    by_imei ? "nothing was changed on this one"
			    : "this one's artifacts were not saved: its own run saves them");
}

/*
 * --cert-dir had a certificate for the device id, but the run could not use
 * it (it is for another key, or no certificate at all): the operator who
 * put it there hears why, instead of a CSR saved as if none was given.
 */
static void refuse_cert_from_files(struct port_run *r)
{
	const struct station_config *c = r->st->cfg;
	const char *pub = r->made_pub ? r->made_pub : r->a_pub;
	const char *id = r->res.device_id;
	struct mcred_error err;

	memset(&err, 0, sizeof(err));
	if (!pub || mcred_cert_check(c->req.ca, r->cert_pem, pub, NULL, &err) == MCRED_OK)
		snprintf(err.message, sizeof(err.message), "it is not for the key on the modem");
	r->exit_code = 0;
	fail_record(r, CLI_EXIT_VERIFY,
		    "--cert-dir has %s_crt.pem, but it was not used: %s; a certificate for "
		    "%s/%s_csr.pem is what this modem needs",
		    id, err.message, c->out_dir, id);
}

static void provision_port(struct port_run *r)
{
	const struct station_config *c = r->st->cfg;
	struct mcred_provision_request req = c->req;
	struct mcred_options opts = c->opts;
	struct mcred_error err;
	mcred_modem *m = NULL;
	enum mcred_err rc;

	if (g_interrupts) { /* a stop signal before the port's turn came: not even opened */
		fail_record(r, 128 + (g_signo ? (int)g_signo : SIGINT),
			    "stopped before this modem was touched");
		r->res.error.code = MCRED_ERR_CANCELLED;
		return;
	}
	opts.cancel_cb = cancel_cb;
	opts.port_survey = r->st->survey;
	if (c->verbose) {
		opts.trace_cb = trace_cb;
		opts.trace_user = r;
	}
	memset(&err, 0, sizeof(err));
	rc = mcred_modem_open(&m, r->port, &opts, &err);
	if (rc != MCRED_OK) {
		r->res.status = MCRED_PROVISION_FAILED;
		r->res.error = err;
		r->exit_code = cli_exit_code(rc);
		return;
	}
	pthread_mutex_lock(&r->st->mutex);
	r->opened = 1;
	pthread_mutex_unlock(&r->st->mutex);
	req.progress_cb = progress_cb;
	req.stop_cb = stop_cb;
	req.load_cb = load_cb;
	req.save_cb = save_cb;
	req.intent_cb = intent_cb;
	req.recall_cb = recall_cb;
	req.user = r;
	rc = mcred_provision(m, &req, &r->res);
	mcred_modem_free(m);
	r->exit_code = rc == MCRED_OK ? CLI_EXIT_OK : cli_exit_code(rc);
	/* no certificate yet: never the exit 0 that says "this device is done" */
	if (rc == MCRED_OK && r->res.status == MCRED_PROVISION_CSR_SAVED)
		r->exit_code = CLI_EXIT_CSR_SAVED;
	if (rc == MCRED_OK && r->res.status == MCRED_PROVISION_CSR_SAVED && r->cert_from_files)
		refuse_cert_from_files(r);
	if (rc == MCRED_ERR_CANCELLED)
		r->exit_code = g_interrupts ? 128 + (g_signo ? (int)g_signo : SIGINT)
					    : CLI_EXIT_FAILURE; /* the disk is full */
	/* its journal (or an artifact) could not be written: the full disk, not the port */
	if (rc == MCRED_ERR_IO && atomic_load(&r->st->disk_full))
		r->exit_code = CLI_EXIT_FAILURE;
	if (r->twin)
		say_twin(r);
}

static void *port_thread(void *arg)
{
	struct port_run *r = arg;
	struct station *st = r->st;

	provision_port(r);
	journal_close(&r->journal); /* still there if the run ended without restoring the mode */
	r->t1 = now_s();
	record(r);
	free_artifacts(r);
	pthread_mutex_lock(&st->mutex);
	r->done = 1;
	st->finished++;
	if (!st->live && !st->cfg->quiet)
		result_event(r);
	pthread_cond_signal(&st->cond);
	pthread_mutex_unlock(&st->mutex);
	return NULL;
}

/* ---- ports of kits ---------------------------------------------------------------- */

/*
 * The index of the first port (the list is in natural name order) of the kit
 * of list->ports[i]. Ports of one kit share a USB serial number; a kit port
 * without one stands alone, as the library counts kits (lib/ports.c).
 */
static size_t kit_first_port(const struct mcred_port_list *list, size_t i)
{
	size_t j;

	if (!list->ports[i]->serial[0])
		return i;
	for (j = 0; j < i; j++)
		if (list->ports[j]->kit && !strcmp(list->ports[j]->serial, list->ports[i]->serial))
			return j;
	return i;
}

static int kit_has_serial(const struct mcred_port_list *list, const char *serial)
{
	size_t i;

	for (i = 0; i < list->count; i++)
		if (list->ports[i]->kit && !strcmp(list->ports[i]->serial, serial))
			return 1;
	return 0;
}

long station_kit_ports(const struct mcred_port_list *list, int all, const char *const *serials,
		       size_t nserials, const char **out, size_t max, const char **missing)
{
	size_t i, j, n = 0;

	*missing = NULL;
	for (j = 0; j < nserials; j++)
		if (!kit_has_serial(list, serials[j]) && !*missing)
			*missing = serials[j];
	for (i = 0; i < list->count && n < max; i++) {
		const struct mcred_port *p = list->ports[i];
		int wanted = all;

		if (!p->kit || kit_first_port(list, i) != i)
			continue;
		for (j = 0; j < nserials; j++)
			wanted = wanted || !strcmp(serials[j], p->serial);
		if (wanted)
			out[n++] = p->name;
	}
	return (long)n;
}

/* Do two ports (and what stat() found of them, ok: it did) name one device? */
static int same_port(const char *a, const struct stat *sa, int a_ok, const char *b,
		     const struct stat *sb, int b_ok)
{
	if (strcmp(a, b) == 0)
		return 1;
	if (!a_ok || !b_ok)
		return 0;
	if (S_ISCHR(sa->st_mode) && S_ISCHR(sb->st_mode))
		return sa->st_rdev == sb->st_rdev;
	return sa->st_dev == sb->st_dev && sa->st_ino == sb->st_ino;
}

int station_duplicate_port(const char *const *ports, size_t n, size_t *first, size_t *second)
{
	struct stat *st = calloc(n ? n : 1, sizeof(*st));
	char *ok = calloc(n ? n : 1, 1);
	int found = 0;

	if (!st || !ok) {
		free(st);
		free(ok);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		ok[i] = stat(ports[i], &st[i]) == 0;
	for (size_t i = 0; i < n && !found; i++)
		for (size_t j = 0; j < i && !found; j++)
			if (same_port(ports[j], &st[j], ok[j], ports[i], &st[i], ok[i])) {
				*first = j;
				*second = i;
				found = 1;
			}
	free(st);
	free(ok);
	return found;
}

/* ---- the whole station -------------------------------------------------------------- */

/*
 * Who else holds the ports: one pass over the system's processes for all of
 * them, made right before the opens, instead of one pass per open (32 ports
 * opening at once made 32 passes over the same processes). When no survey
 * can be made, each open looks for itself.
 */
static void look_at_holders(struct station *st)
{
	const struct station_config *c = st->cfg;

	if (c->opts.ignore_busy || st->n < 2 ||
	    mcred_port_survey_new(&st->survey, c->ports, st->n, NULL) != MCRED_OK)
		st->survey = NULL;
}

static int start_threads(struct station *st)
{
	pthread_attr_t attr;
	sigset_t block, old;
	size_t i;
	int rc = 0;

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 512 * 1024);
	stop_signal_set(&block);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	for (i = 0; i < st->n; i++) {
		struct port_run *r = &st->runs[i];

		r->t0 = now_s();
		if (pthread_create(&r->thread, &attr, port_thread, r) != 0) {
			rc = -1;
			break;
		}
		r->started = 1;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	return rc;
}

/* Wait for every run, redrawing the live lines and telling about Ctrl-C. */
static void wait_runs(struct station *st)
{
	int told = 0;

	pthread_mutex_lock(&st->mutex);
	while (st->finished < st->n) {
		struct timespec until;

		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 200 * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&st->cond, &st->mutex, &until);
		if (atomic_load(&st->disk_full) == 1) {
			atomic_store(&st->disk_full, 2); /* told */
			fprintf(stderr,
				"modemcred: the disk is full (%s): stopping, each modem after its "
				"command in flight, its mode restored\n",
				st->disk_full_why);
		}
		if (g_interrupts > told) {
			told = g_interrupts;
			fprintf(stderr,
				told == 1 ? "modemcred: interrupted: finishing the command in "
					    "flight on each port (Ctrl-C again cancels it)\n"
					  : "modemcred: cancelling the commands in flight and "
					    "restoring the modes (Ctrl-C again exits at once)\n");
		}
		if (st->live)
			redraw(st);
	}
	if (st->live)
		redraw(st);
	pthread_mutex_unlock(&st->mutex);
}

/* What the runs ended with. */
struct tally {
	size_t count[MCRED_PROVISION_RENEWED + 1]; /* by status */
	double token_wait;                         /* seconds, all signatures */
	double longest_wait;
	size_t signed_here; /* runs that signed a certificate */
	int code;           /* the exit code */
};

static void tally_runs(const struct station *st, struct tally *t)
{
	size_t i;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < st->n; i++) {
		const struct port_run *r = &st->runs[i];
		double w = r->res.timings.token_wait;

		if ((unsigned)r->res.status <= MCRED_PROVISION_RENEWED)
			t->count[r->res.status]++;
		if (r->res.timings.signing >= 0)
			t->signed_here++;
		if (w > 0) {
			t->token_wait += w;
			t->longest_wait = w > t->longest_wait ? w : t->longest_wait;
		}
		/* a failure outranks a stop after the CSR, whatever the numbers */
		if (r->exit_code != CLI_EXIT_CSR_SAVED && r->exit_code > t->code)
			t->code = r->exit_code;
	}
	if (t->code == 0 && t->count[MCRED_PROVISION_CSR_SAVED] > 0)
		t->code = CLI_EXIT_CSR_SAVED;
	if (g_interrupts)
		t->code = 128 + (g_signo ? (int)g_signo : SIGINT);
	else if (st->disk_full && t->code < CLI_EXIT_FAILURE)
		t->code = CLI_EXIT_FAILURE;
}

static void summary_event(const struct station *st, const struct tally *t, double total)
{
	struct json j;
	size_t i;

	json_init(&j, stdout);
	json_object_begin(&j);
	json_field_string(&j, "event", "summary");
	json_field_uint(&j, "provisioned", t->count[MCRED_PROVISION_PROVISIONED]);
	json_field_uint(&j, "renewed", t->count[MCRED_PROVISION_RENEWED]);
	json_field_uint(&j, "unchanged", t->count[MCRED_PROVISION_UNCHANGED]);
	json_field_uint(&j, "csr_saved", t->count[MCRED_PROVISION_CSR_SAVED]);
	json_field_uint(&j, "failed", t->count[MCRED_PROVISION_FAILED]);
	json_key(&j, "failures");
	json_array_begin(&j);
	for (i = 0; i < st->n; i++) {
		const struct port_run *r = &st->runs[i];

		if (r->res.status != MCRED_PROVISION_FAILED)
			continue;
		json_object_begin(&j);
		json_field_string(&j, "port", r->port);
		json_field_int(&j, "exit_code", r->exit_code);
		json_field_string(&j, "error", r->res.error.message);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_field_bool(&j, "disk_full", st->disk_full != 0);
	json_field_int(&j, "exit_code", t->code);
	fflush(stdout);
	/* json.c writes integers only: the seconds and the object's end here */
	printf(",\"token_wait_s\":%.3f,\"total_s\":%.3f}\n", t->token_wait, total);
	fflush(stdout);
}

/* The table at the end of a live run: results counted, each failure with its reason. */
static void summary_table(const struct station *st, const struct tally *t, double total)
{
	static const enum mcred_provision_status order[] = {
		MCRED_PROVISION_PROVISIONED, MCRED_PROVISION_RENEWED, MCRED_PROVISION_UNCHANGED,
		MCRED_PROVISION_CSR_SAVED,   MCRED_PROVISION_FAILED,
	};
	size_t i;

	printf("\n%-12s %5s\n", "result", "count");
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		printf("%-12s %5zu\n", mcred_provision_status_name(order[i]), t->count[order[i]]);
	for (i = 0; i < st->n; i++) {
		const struct port_run *r = &st->runs[i];

		if (r->res.status == MCRED_PROVISION_FAILED)
			printf("  %s (exit %d): %s\n", r->port, r->exit_code, r->res.error.message);
	}
	if (t->token_wait > 0)
		printf("waited %.3f s for the CA's token over %zu signatures (longest %.3f s)\n",
		       t->token_wait, t->signed_here, t->longest_wait);
	printf("%zu modems in %.1f s\n", st->n, total);
}

static int summary(const struct station *st)
{
	struct tally t;
	double total = now_s() - st->t0;

	tally_runs(st, &t);
	if (st->disk_full)
		cli_errorf("stopped because the disk is full: %s. Each modem's mode was restored "
			   "(a modem whose restore failed says so above); free some space and run "
			   "the same command again: it finishes what was left undone",
			   st->disk_full_why);
	if (st->cfg->quiet)
		return t.code;
	if (st->live)
		summary_table(st, &t, total);
	else
		summary_event(st, &t, total);
	return t.code;
}

int station_run(const struct station_config *cfg)
{
	struct station st;
	size_t i;
	int code;

	memset(&st, 0, sizeof(st));
	st.cfg = cfg;
	st.n = cfg->nports;
	st.runs = calloc(st.n, sizeof(*st.runs));
	if (!st.runs) {
		cli_errorf("out of memory");
		return CLI_EXIT_FAILURE;
	}
	pthread_mutex_init(&st.mutex, NULL);
	pthread_cond_init(&st.cond, NULL);
	journal_dir_init(&st.journals, cfg->out_dir);
	/* live lines are redrawn in place: not among -v's trace lines */
	st.live = !cfg->json && !cfg->quiet && !cfg->verbose && isatty(STDOUT_FILENO);
	for (i = 0; i < st.n; i++) {
		st.runs[i].st = &st;
		st.runs[i].port = cfg->ports[i];
		journal_init(&st.runs[i].journal);
		mcred_provision_result_init(&st.runs[i].res);
	}
	install_handlers();
	/* a stop signal that came before (at a prompt, while a token logged in) stops them all */
	if (cli_interrupted() && !g_interrupts) {
		g_signo = cli_interrupted();
		g_interrupts = 1;
	}
	st.t0 = now_s();
	look_at_holders(&st);
	if (start_threads(&st) != 0) {
		cli_errorf("cannot start a thread per port: %s", strerror(errno));
		g_interrupts = 2; /* stop those that started */
		for (i = 0; i < st.n; i++)
			if (!st.runs[i].started) {
				st.runs[i].done = 1;
				st.finished++;
			}
	}
	wait_runs(&st);
	for (i = 0; i < st.n; i++)
		if (st.runs[i].started)
			pthread_join(st.runs[i].thread, NULL);
	mcred_port_survey_free(st.survey);
	code = summary(&st);
	for (i = 0; i < st.n; i++) {
		const struct port_run *r = &st.runs[i];

		if (r->res.status == MCRED_PROVISION_FAILED && (st.live || cfg->quiet))
			cli_errorf("%s: %s", r->port, r->res.error.message);
		mcred_provision_result_clear(&st.runs[i].res);
		free(st.runs[i].cert_pem);
	}
	journal_dir_destroy(&st.journals);
	pthread_cond_destroy(&st.cond);
	pthread_mutex_destroy(&st.mutex);
	free(st.runs);
	return code;
}
