/*
 * The threading promise of modemcred.h: "a handle is used by one thread at a
 * time; distinct handles may run in parallel", with no global mutable state.
 *
 * THREADS workers start together (a barrier) and each opens its own handle on
 * its own fake modem (support/fake_modem.c), then runs ITERATIONS rounds of
 * real operations with tags and content no other worker uses: a verified
 * write with auto_offline, a list, a byte-exact read, a delete, a delete of
 * what is gone, an invalid write, and mcred_keygen_verify() on the signed
 * fixture (OpenSSL, CBOR and the report in parallel). Every result is
 * checked, and every error message must name this worker's own tag and no
 * other worker's: a message or report shared between handles would show up
 * as cross-talk. Callbacks must arrive on the worker's own thread with its
 * own user pointer.
 *
 * cmocka's assertions may only run in the main thread, so workers record
 * failures in their own struct worker and main() asserts after joining.
 * Run it under ThreadSanitizer to catch races the checks cannot see.
 *
 * Fixtures are read from $MCRED_FIXTURES or tests/fixtures (run from the
 * repository root, as `make unit` does).
 */
#include <inttypes.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "modemcred.h"
#include "support/fixtures.h"
#include "support/fake_modem.h"

#define THREADS 8
#define ITERATIONS 50
#define MAX_NOTES 8

/* Worker w's credential tags are TAG_BASE * (w + 1) + iteration. */
#define TAG_BASE 100000u
/* ...and its invalid tags (above MCRED_TAG_MAX) BAD_TAG_BASE + w * 1000 + iteration. */
#define BAD_TAG_BASE 2147483648u
/* The sec_tag inside tests/fixtures/keygen_csr.txt. */
#define FIXTURE_SEC_TAG 42

/* What all workers share, read-only once the threads run. */
struct shared {
	char *blob; /* tests/fixtures/keygen_csr.txt */
	size_t blob_len;
	char *pem; /* tests/fixtures/identity_pub.pem */
	pthread_barrier_t start;
};

/* One worker: its inputs, and what it found (read by main() after join). */
struct worker {
	int id;
	struct shared *shared;
	pthread_t self; /* set by the worker itself, for the callbacks */
	int iterations_done;
	unsigned long traces; /* trace callbacks received */
	unsigned failures;
	char notes[MAX_NOTES][768];
	size_t nnotes;
};

/* ---- helpers ------------------------------------------------------------- */

/* Record a failure (not an assertion: this runs in a worker thread). */
static int check_at(struct worker *w, int ok, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int check_at(struct worker *w, int ok, int line, const char *fmt, ...)
{
	if (ok)
		return 1;
	w->failures++;
	if (w->nnotes < MAX_NOTES) {
		char *note = w->notes[w->nnotes++];
		int n = snprintf(note, sizeof(w->notes[0]), "worker %d line %d: ", w->id, line);
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(note + n, sizeof(w->notes[0]) - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return 0;
}

#define CHECK(w, cond, ...) check_at((w), (cond), __LINE__, __VA_ARGS__)

static uint32_t own_tag(const struct worker *w, int i)
{
	return TAG_BASE * (uint32_t)(w->id + 1) + (uint32_t)i;
}

static uint32_t own_bad_tag(const struct worker *w, int i)
{
	return BAD_TAG_BASE + (uint32_t)w->id * 1000u + (uint32_t)i;
}

/* Which worker a number in a message belongs to, or -1 if it is no worker's tag. */
static int owner_of(unsigned long long n)
{
	if (n >= BAD_TAG_BASE && n < BAD_TAG_BASE + THREADS * 1000ull)
		return (int)((n - BAD_TAG_BASE) / 1000);
	if (n >= TAG_BASE && n < TAG_BASE * (THREADS + 1ull))
		return (int)(n / TAG_BASE) - 1;
	return -1;
}

/*
 * The message is this worker's: it contains `expected` (which names one of
 * its tags) and every number in it that is some worker's tag is this
 * worker's.
 */
static void check_message_is_own(struct worker *w, int line, const char *what, const char *msg,
				 const char *expected)
{
	check_at(w, strstr(msg, expected) != NULL, line, "%s: message \"%s\" lacks \"%s\"", what,
		 msg, expected);
	for (const char *p = msg; *p;) {
		if (*p < '0' || *p > '9') {
			p++;
			continue;
		}
		char *end;
		unsigned long long n = strtoull(p, &end, 10);
		int owner = owner_of(n);
		check_at(w, owner == -1 || owner == w->id, line,
			 "%s: message \"%s\" names worker %d's tag %llu", what, msg, owner, n);
		p = end;
	}
}

/* After a success the handle's error is cleared. */
static void check_handle_ok(struct worker *w, int line, const char *what, mcred_modem *m)
{
	const struct mcred_error *e = mcred_modem_error(m);
	check_at(w, e->code == MCRED_OK && e->message[0] == '\0', line,
		 "%s: handle error after success is %d \"%s\"", what, e->code, e->message);
}

/* The fake was left as found: online, CMEE off, nothing else stored. */
static void check_restored(struct worker *w, int line, const char *what, const struct fake_modem *f,
			   size_t ncreds)
{
	check_at(w, f->cfun == 1 && f->cmee == 0 && f->ncreds == ncreds, line,
		 "%s: fake left with CFUN %d CMEE %d and %zu credentials (expected %zu)", what,
		 f->cfun, f->cmee, f->ncreds, ncreds);
}

/* Trace callback: must come on the worker's own thread, with its pointer. */
static void on_trace(enum mcred_trace_dir dir, const char *text, size_t len, void *user)
{
	struct worker *w = user;
	(void)dir;
	(void)text;
	(void)len;
	CHECK(w, pthread_equal(pthread_self(), w->self), "trace callback on a foreign thread");
	w->traces++;
}

/* ---- one worker ------------------------------------------------------------ */

/* One round of operations on this worker's handle and fake. */
static void run_round(struct worker *w, mcred_modem *m, struct fake_modem *fake,
		      const struct mcred_options *opts, int i)
{
	uint32_t tag = own_tag(w, i);
	/* even rounds a CA certificate, odd ones a PSK identity (both readable) */
	int type = i % 2 ? 4 : 0;
	char content[256], expected[128], sha[65], want_sha[65];
	struct mcred_error e;
	enum mcred_err rc;

	if (type == 0)
		snprintf(content, sizeof(content),
			 "-----BEGIN CERTIFICATE-----\nMIIBworker%dround%d\n"
			 "-----END CERTIFICATE-----\n",
			 w->id, i);
	else
		snprintf(content, sizeof(content), "identity-w%d-r%d", w->id, i);
	size_t len = strlen(content);

	rc = mcred_cmng_write_digest(type, content, len, opts, want_sha, &e);
	if (!CHECK(w, rc == MCRED_OK, "round %d: write_digest gave %d \"%s\"", i, rc, e.message))
		return;

	/* a verified write, going offline and back */
	rc = mcred_cmng_write(m, tag, type, content, len, NULL, MCRED_WRITE_VERIFY);
	CHECK(w, rc == MCRED_OK, "round %d: write gave %d \"%s\"", i, rc,
	      mcred_modem_error(m)->message);
	check_handle_ok(w, __LINE__, "write", m);
	check_restored(w, __LINE__, "write", fake, 1);
	const struct fake_modem_cred *c = fake_modem_find(fake, tag, type);
	CHECK(w, c && strcmp(c->content, content) == 0, "round %d: fake stored \"%s\"", i,
	      c ? c->content : "(nothing)");

	/* list everything: ours, then the modem's own tag */
	struct mcred_credential_list *list = NULL;
	rc = mcred_cmng_list(m, MCRED_ANY_TAG, MCRED_ANY_TYPE, &list);
	if (CHECK(w, rc == MCRED_OK && list, "round %d: list gave %d \"%s\"", i, rc,
		  mcred_modem_error(m)->message)) {
		check_handle_ok(w, __LINE__, "list", m);
		if (CHECK(w, list->count == 2, "round %d: listed %zu", i, list->count)) {
			CHECK(w, list->items[0].tag == tag && list->items[0].type == type,
			      "round %d: listed tag %" PRIu32 " type %d", i, list->items[0].tag,
			      list->items[0].type);
			CHECK(w,
			      list->items[0].has_sha256 &&
				      strcmp(list->items[0].sha256, want_sha) == 0,
			      "round %d: listed digest %s, want %s", i, list->items[0].sha256,
			      want_sha);
			CHECK(w, list->items[1].tag == 4294967292u,
			      "round %d: second listed tag %" PRIu32, i, list->items[1].tag);
		}
	}
	mcred_credential_list_free(list);

	/* read it back, byte for byte */
	char *got = NULL;
	size_t got_len = 0;
	rc = mcred_cmng_read(m, tag, type, &got, &got_len, sha);
	if (CHECK(w, rc == MCRED_OK && got, "round %d: read gave %d \"%s\"", i, rc,
		  mcred_modem_error(m)->message)) {
		check_handle_ok(w, __LINE__, "read", m);
		CHECK(w, got_len == len && memcmp(got, content, len) == 0 && got[len] == '\0',
		      "round %d: read \"%s\" (%zu bytes), want \"%s\"", i, got, got_len, content);
		CHECK(w, strcmp(sha, want_sha) == 0, "round %d: read digest %s, want %s", i, sha,
		      want_sha);
	}
	free(got);
	check_restored(w, __LINE__, "read", fake, 1);

	/* delete it; deleting again names this worker's tag */
	rc = mcred_cmng_delete(m, tag, type);
	CHECK(w, rc == MCRED_OK, "round %d: delete gave %d \"%s\"", i, rc,
	      mcred_modem_error(m)->message);
	check_handle_ok(w, __LINE__, "delete", m);
	check_restored(w, __LINE__, "delete", fake, 0);
	rc = mcred_cmng_delete(m, tag, type);
	CHECK(w, rc == MCRED_ERR_NOT_FOUND && mcred_modem_cme(m) == 513,
	      "round %d: second delete gave %d, CME %d", i, rc, mcred_modem_cme(m));
	snprintf(expected, sizeof(expected), "tag %" PRIu32 " type %d", tag, type);
	check_message_is_own(w, __LINE__, "second delete", mcred_modem_error(m)->message, expected);
	check_restored(w, __LINE__, "second delete", fake, 0);

	/* an invalid write: refused before anything is sent */
	uint32_t bad = own_bad_tag(w, i);
	size_t written = fake->bytes_written;
	rc = mcred_cmng_write(m, bad, type, content, len, NULL, 0);
	CHECK(w, rc == MCRED_ERR_INVALID_ARG && mcred_modem_error(m)->code == MCRED_ERR_INVALID_ARG,
	      "round %d: write to tag %" PRIu32 " gave %d", i, bad, rc);
	snprintf(expected, sizeof(expected), "tag %" PRIu32 ":", bad);
	check_message_is_own(w, __LINE__, "invalid write", mcred_modem_error(m)->message, expected);
	CHECK(w, fake->bytes_written == written, "round %d: invalid write sent %zu bytes", i,
	      fake->bytes_written - written);

	/* offline verification of the signed KEYGEN fixture */
	struct mcred_verify_options vo;
	mcred_report *r = NULL;
	mcred_verify_options_init(&vo);
	vo.identity_key_pem = w->shared->pem;
	vo.expected_tag = FIXTURE_SEC_TAG;
	rc = mcred_keygen_verify(w->shared->blob, w->shared->blob_len, &vo, &r, &e);
	if (CHECK(w, rc == MCRED_OK && r, "round %d: verify gave %d \"%s\"", i, rc, e.message)) {
		CHECK(w, mcred_report_ok(r), "round %d: report not ok: %s", i,
		      mcred_report_problem(r) ? mcred_report_problem(r) : "(no problem)");
		CHECK(w,
		      mcred_report_cose_signature_check(r) == MCRED_CHECK_VALID &&
			      mcred_report_csr_signature_check(r) == MCRED_CHECK_VALID &&
			      mcred_report_sec_tag_check(r) == MCRED_CHECK_VALID,
		      "round %d: a signature or the sec_tag did not check", i);
		const char *subject = mcred_report_subject(r);
		CHECK(w, subject && strcmp(subject, "O=Test Org,CN=device-1") == 0,
		      "round %d: subject \"%s\"", i, subject ? subject : "(none)");
		CHECK(w, e.code == MCRED_OK && e.message[0] == '\0',
		      "round %d: verify error after success is %d \"%s\"", i, e.code, e.message);
	}
	mcred_report_free(r);

	/* expecting this worker's tag: the report's problem names it */
	vo.expected_tag = tag;
	r = NULL;
	rc = mcred_keygen_verify(w->shared->blob, w->shared->blob_len, &vo, &r, &e);
	if (CHECK(w, rc == MCRED_OK && r, "round %d: verify gave %d \"%s\"", i, rc, e.message)) {
		CHECK(w,
		      !mcred_report_ok(r) && mcred_report_sec_tag_check(r) == MCRED_CHECK_INVALID,
		      "round %d: wrong sec_tag not reported", i);
		snprintf(expected, sizeof(expected), "expected %" PRIu32, tag);
		const char *problem = mcred_report_problem(r);
		check_message_is_own(w, __LINE__, "sec_tag problem", problem ? problem : "",
				     expected);
	}
	mcred_report_free(r);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct fake_modem *fake = fake_modem_new();
	mcred_modem *m = NULL;
	struct mcred_error e;

	w->self = pthread_self();
	/* wait for all, so the handles really run at the same time */
	pthread_barrier_wait(&w->shared->start);
	if (!CHECK(w, fake != NULL, "out of memory"))
		return NULL;

	struct mcred_options o;
	mcred_options_init(&o);
	o.timeout_ms = 300;
	o.auto_offline = 1;
	o.cancel_cb = fake_modem_cancel;
	o.cancel_user = fake;
	o.trace_cb = on_trace;
	o.trace_user = w;
	struct mcred_transport t = fake_modem_transport(fake);
	enum mcred_err rc = mcred_modem_open_transport(&m, &t, &o, &e);
	if (CHECK(w, rc == MCRED_OK && m, "open gave %d \"%s\"", rc, e.message)) {
		for (int i = 0; i < ITERATIONS; i++) {
			run_round(w, m, fake, &o, i);
			w->iterations_done++;
		}
	}
	mcred_modem_free(m);
	fake_modem_free(fake);
	return NULL;
}

/* ---- the test --------------------------------------------------------------- */

static void handles_in_parallel(void **state)
{
	struct shared shared;
	struct worker workers[THREADS];
	pthread_t threads[THREADS];
	int started = 0;

	(void)state;
	memset(&shared, 0, sizeof(shared));
	shared.blob = fixture_read("keygen_csr.txt", &shared.blob_len);
	shared.pem = fixture_read("identity_pub.pem", NULL);
	assert_int_equal(pthread_barrier_init(&shared.start, NULL, THREADS), 0);

	memset(workers, 0, sizeof(workers));
	for (int i = 0; i < THREADS; i++) {
		workers[i].id = i;
		workers[i].shared = &shared;
		if (pthread_create(&threads[i], NULL, worker_main, &workers[i]) != 0)
			break;
		started++;
	}
	/* all or nothing: the barrier waits for THREADS workers */
	if (started != THREADS)
		fail_msg("started only %d of %d threads", started, THREADS);
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(pthread_join(threads[i], NULL), 0);
	pthread_barrier_destroy(&shared.start);

	unsigned failures = 0;
	for (int i = 0; i < THREADS; i++) {
		const struct worker *w = &workers[i];
		for (size_t n = 0; n < w->nnotes; n++)
			print_error("%s\n", w->notes[n]);
		if (w->failures > w->nnotes)
			print_error("worker %d: %u more failures\n", i,
				    w->failures - (unsigned)w->nnotes);
		failures += w->failures;
		if (w->iterations_done != ITERATIONS)
			print_error("worker %d: %d of %d rounds\n", i, w->iterations_done,
				    ITERATIONS);
		else if (w->traces == 0)
			print_error("worker %d: no trace callbacks\n", i);
	}
	free(shared.blob);
	free(shared.pem);
	assert_int_equal(failures, 0);
	for (int i = 0; i < THREADS; i++) {
		assert_int_equal(workers[i].iterations_done, ITERATIONS);
		assert_true(workers[i].traces > 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(handles_in_parallel),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
