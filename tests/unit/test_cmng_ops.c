/*
 * %CMNG operations, device info and sessions through the public API, against
 * a scripted fake nRF91 behind a callback transport (support/fake_modem.c):
 * it parses what is written and answers like the modem (CMEE, CFUN, a %CMNG
 * store).
 */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "modemcred.h"
#include "handle.h"
#include "util.h"
#include "support/fake_modem.h"

/* ---- fixture ------------------------------------------------------------- */

struct fixture {
	struct fake_modem *fake;
	mcred_modem *m;
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	if (!fx || !(fx->fake = fake_modem_new()))
		return -1;
	struct mcred_options o;
	mcred_options_init(&o);
	o.timeout_ms = 300;
	o.auto_offline = 1;
	o.cancel_cb = fake_modem_cancel;
	o.cancel_user = fx->fake;
	struct mcred_transport t = fake_modem_transport(fx->fake);
	if (mcred_modem_open_transport(&fx->m, &t, &o, NULL) != MCRED_OK)
		return -1;
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	mcred_modem_free(fx->m);
	fake_modem_free(fx->fake);
	free(fx);
	return 0;
}

static void assert_message_has(mcred_modem *m, const char *word)
{
	const char *msg = mcred_modem_error(m)->message;
	if (!strstr(msg, word))
		fail_msg("message \"%s\" lacks \"%s\"", msg, word);
}

/* The modem was left as found: online, CMEE off. */
static void assert_restored(const struct fake_modem *f)
{
	assert_int_equal(f->cfun, 1);
	assert_int_equal(f->cmee, 0);
}

static const char pem_crlf[] =
	"-----BEGIN CERTIFICATE-----\r\nMIIB\r\n-----END CERTIFICATE-----\r\n";
static const char pem_lf[] = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

/* ---- tests ----------------------------------------------------------------- */

static void test_write_verify_ok(void **state)
{
	struct fixture *fx = *state;
	assert_int_equal(mcred_cmng_write(fx->m, 12, 0, pem_crlf, strlen(pem_crlf), NULL,
					  MCRED_WRITE_VERIFY),
			 MCRED_OK);
	assert_int_equal(fx->fake->ncreds, 1);
	assert_string_equal(fx->fake->creds[0].content, pem_lf);
	/* nothing failed: numeric errors were never needed */
	assert_int_equal(fake_modem_count_sent(fx->fake, "AT+CMEE?"), 0);
	assert_int_equal(fake_modem_count_sent(fx->fake, "AT+CMEE=1"), 0);
	assert_int_equal(fake_modem_count_sent(fx->fake, "AT+CFUN=4"), 1);
	assert_int_equal(fake_modem_count_sent(fx->fake, "AT+CFUN=1"), 1);
	assert_int_equal(fake_modem_count_sent(fx->fake, "AT%CMNG=1,12,0"), 1);
	assert_restored(fx->fake);
	assert_int_equal(mcred_modem_error(fx->m)->code, MCRED_OK);
}

/*
 * A flag bit this library does not know comes from a program built against
 * a newer header: refused before anything is sent, never a write done
 * without what the flag asked for.
 */
static void test_write_unknown_flag_refused(void **state)
{
	struct fixture *fx = *state;
	assert_int_equal(mcred_cmng_write(fx->m, 12, 0, pem_lf, strlen(pem_lf), NULL,
					  MCRED_WRITE_VERIFY | 0x2u),
			 MCRED_ERR_INVALID_ARG);
	assert_message_has(fx->m, "0x3");
	assert_int_equal(fx->fake->bytes_written, 0);
	assert_int_equal(fx->fake->ncreds, 0);
	assert_int_equal(mcred_cmng_write(fx->m, 12, 0, pem_lf, strlen(pem_lf), NULL, 0x80000000u),
			 MCRED_ERR_INVALID_ARG);
	assert_int_equal(fx->fake->bytes_written, 0);
}

static void test_write_verify_mismatch(void **state)
{
	struct fixture *fx = *state;
	fx->fake->corrupt_sha = 1;
	assert_int_equal(mcred_cmng_write(fx->m, 12, 0, pem_lf, strlen(pem_lf), NULL,
					  MCRED_WRITE_VERIFY),
			 MCRED_ERR_MISMATCH);
	assert_message_has(fx->m, "digest mismatch for tag 12 type 0 (ca): sent ");
	assert_message_has(fx->m, "modem has ");
	assert_restored(fx->fake);
}

static void test_write_verify_unsupported(void **state)
{
	struct fixture *fx = *state;
	fx->fake->no_sha = 1;
	assert_int_equal(mcred_cmng_write(fx->m, 12, 4, "id-1", 4, NULL, MCRED_WRITE_VERIFY),
			 MCRED_ERR_UNSUPPORTED);
	assert_message_has(fx->m, "cannot verify");
	assert_message_has(fx->m, "read type 0 or 4 back");
	/* the write itself happened */
	assert_int_equal(fx->fake->ncreds, 1);
	/* without verification the same write succeeds */
	assert_int_equal(mcred_cmng_write(fx->m, 12, 4, "id-1", 4, NULL, 0), MCRED_OK);
}

static void test_write_failure_restores(void **state)
{
	struct fixture *fx = *state;
	fx->fake->write_cme = 515;
	assert_int_equal(mcred_cmng_write(fx->m, 12, 0, pem_lf, strlen(pem_lf), NULL, 0),
			 MCRED_ERR_CME);
	assert_int_equal(mcred_modem_cme(fx->m), 515);
	assert_message_has(fx->m, "writing tag 12 type 0 (ca)");
	assert_message_has(fx->m, "memory full");
	assert_restored(fx->fake);
}

static void test_write_online_without_auto_offline(void **state)
{
	struct fixture *fx = *state;
	fx->m->opts.auto_offline = 0;
	assert_int_equal(mcred_cmng_write(fx->m, 12, 0, pem_lf, strlen(pem_lf), NULL, 0),
			 MCRED_ERR_CME);
	assert_int_equal(mcred_modem_cme(fx->m), 518);
	assert_message_has(fx->m, "offline");
	assert_int_equal(fake_modem_count_sent(fx->fake, "AT+CFUN=4"), 0);
	assert_restored(fx->fake);
}

static void test_cancel_still_restores(void **state)
{
	struct fixture *fx = *state;
	fx->fake->cancel_on_write = 1;
	assert_int_equal(mcred_cmng_write(fx->m, 12, 0, pem_lf, strlen(pem_lf), NULL, 0),
			 MCRED_ERR_CANCELLED);
	assert_int_equal(mcred_modem_error(fx->m)->code, MCRED_ERR_CANCELLED);
	/* the modem had the write and answered it: stored, and said so */
	assert_int_equal(fx->fake->ncreds, 1);
	assert_int_equal(mcred_modem_last_change(fx->m), MCRED_CHANGE_MADE);
	assert_restored(fx->fake);
}

/* Ctrl-C while AT+CFUN=4 is in flight: the modem went offline, so restore it. */
static void test_cancel_while_going_offline_restores(void **state)
{
	struct fixture *fx = *state;
	fx->fake->cancel_on_offline = 1;
	assert_int_equal(mcred_cmng_write(fx->m, 12, 0, pem_lf, strlen(pem_lf), NULL, 0),
			 MCRED_ERR_CANCELLED);
	assert_int_equal(fx->fake->ncreds, 0); /* stopped before the write */
	assert_int_equal(mcred_modem_last_change(fx->m), MCRED_CHANGE_NONE);
	assert_restored(fx->fake);
}

/* No answer to the session's first command: stop there, send nothing more. */
static void test_silent_modem_stops_the_session(void **state)
{
	struct fixture *fx = *state;
	fx->fake->silent_cfun_query = 1;
	assert_int_equal(mcred_cmng_write(fx->m, 12, 0, pem_lf, strlen(pem_lf), NULL, 0),
			 MCRED_ERR_TIMEOUT);
	/* the mode found comes first (a restart must not change it): no more */
	assert_int_equal(fx->fake->nlog, 1);
	assert_string_equal(fx->fake->log[0], "AT+CFUN?");
	assert_int_equal(fx->fake->ncreds, 0);
}

static void test_restore_failure(void **state)
{
	struct fixture *fx = *state;
	fx->fake->refuse_online = 1;
	fake_modem_store(fx->fake, 5, 0, "c", 1);
	/* the delete worked, the restore did not: say so (a restore is not explained) */
	assert_int_equal(mcred_cmng_delete(fx->m, 5, 0), MCRED_ERR_MODEM);
	assert_int_equal(fx->fake->ncreds, 0);
	assert_message_has(fx->m, "succeeded, but restoring");
	assert_int_equal(fake_modem_count_sent(fx->fake, "AT+CMEE?"), 0);
	assert_int_equal(fx->fake->cmee, 0);
	/* both fail: the operation's error and message win */
	assert_int_equal(mcred_cmng_delete(fx->m, 5, 0), MCRED_ERR_NOT_FOUND);
	assert_int_equal(mcred_modem_cme(fx->m), 513);
	assert_message_has(fx->m, "does not exist");
	assert_int_equal(fx->fake->cmee, 0);
}

static void test_already_offline_left_alone(void **state)
{
	struct fixture *fx = *state;
	fx->fake->cfun = 4;
	fx->fake->cmee = 1;
	assert_int_equal(mcred_cmng_write(fx->m, 3, 3, "00ff\n", 5, NULL, MCRED_WRITE_VERIFY),
			 MCRED_OK);
	assert_int_equal(fake_modem_count_sent(fx->fake, "AT+CFUN=4"), 0);
	assert_int_equal(fake_modem_count_sent(fx->fake, "AT+CFUN=1"), 0);
	assert_int_equal(fake_modem_count_sent(fx->fake, "AT+CMEE=1"), 0);
	assert_int_equal(fake_modem_count_sent(fx->fake, "AT+CMEE=0"), 0);
	assert_int_equal(fx->fake->cfun, 4);
	assert_string_equal(fx->fake->creds[0].content, "00ff");
}

static void test_read_byte_exact(void **state)
{
	struct fixture *fx = *state;
	static const char content[] = "-----BEGIN X-----\r\nline  \t\n\r\n-----END X-----\r\n  ";
	fake_modem_store(fx->fake, 77, 0, content, strlen(content));
	char *got = NULL;
	size_t len = 0;
	char sha[65], expected[65];
	assert_int_equal(mcred_cmng_read(fx->m, 77, 0, &got, &len, sha), MCRED_OK);
	assert_int_equal(len, strlen(content));
	assert_memory_equal(got, content, len);
	assert_int_equal(got[len], '\0');
	mcred_sha256_hex(content, strlen(content), expected);
	assert_string_equal(sha, expected);
	free(got);
	assert_restored(fx->fake);
	/* reads need no offline */
	assert_int_equal(fake_modem_count_sent(fx->fake, "AT+CFUN=4"), 0);

	fx->fake->no_sha = 1;
	assert_int_equal(mcred_cmng_read(fx->m, 77, 0, &got, &len, sha), MCRED_OK);
	assert_memory_equal(got, content, len);
	assert_string_equal(sha, "");
	free(got);
}

static void test_read_not_found_and_refused(void **state)
{
	struct fixture *fx = *state;
	char *got = (char *)1;
	assert_int_equal(mcred_cmng_read(fx->m, 4567, 0, &got, NULL, NULL), MCRED_ERR_NOT_FOUND);
	assert_null(got);
	assert_int_equal(mcred_modem_cme(fx->m), 513);
	size_t before = fx->fake->bytes_written;
	assert_int_equal(mcred_cmng_read(fx->m, 1, 2, &got, NULL, NULL), MCRED_ERR_INVALID_ARG);
	assert_int_equal(fx->fake->bytes_written, before);
}

static void test_delete(void **state)
{
	struct fixture *fx = *state;
	fake_modem_store(fx->fake, 5, 1, "c", 1);
	assert_int_equal(mcred_cmng_delete(fx->m, 5, 1), MCRED_OK);
	assert_int_equal(fx->fake->ncreds, 0);
	assert_int_equal(mcred_cmng_delete(fx->m, 5, 1), MCRED_ERR_NOT_FOUND);
	assert_int_equal(mcred_modem_cme(fx->m), 513);
	assert_int_equal(mcred_modem_error(fx->m)->cme, 513);
	assert_message_has(fx->m, "tag 5 type 1 (cert) does not exist");
	assert_restored(fx->fake);
}

static void test_clear_counts(void **state)
{
	struct fixture *fx = *state;
	fake_modem_store(fx->fake, 7, 0, "a", 1);
	fake_modem_store(fx->fake, 7, 1, "b", 1);
	fake_modem_store(fx->fake, 7, 2, "c", 1);
	fake_modem_store(fx->fake, 7, 9, "d", 1);
	fake_modem_store(fx->fake, 8, 0, "e", 1);
	size_t deleted = 99, skipped = 99;
	assert_int_equal(mcred_cmng_clear(fx->m, 7, &deleted, &skipped), MCRED_OK);
	assert_int_equal(deleted, 3);
	assert_int_equal(skipped, 1);
	assert_int_equal(fx->fake->ncreds, 2);
	assert_non_null(fake_modem_find(fx->fake, 7, 9));
	assert_non_null(fake_modem_find(fx->fake, 8, 0));
	/* one session: CFUN handled once, CMEE never (nothing failed) */
	assert_int_equal(fake_modem_count_sent(fx->fake, "AT+CMEE?"), 0);
	assert_int_equal(fake_modem_count_sent(fx->fake, "AT+CFUN=4"), 1);
	assert_restored(fx->fake);
	size_t before = fx->fake->bytes_written;
	assert_int_equal(mcred_cmng_clear(fx->m, 4294967292u, NULL, NULL), MCRED_ERR_INVALID_ARG);
	assert_int_equal(fx->fake->bytes_written, before);
}

/* What the while_waiting hook saw of the fake modem when it ran. */
struct waited {
	struct fake_modem *fake;
	int calls;
	char last_command[32]; /* the last command the modem had received */
};

static void note_waiting(void *user)
{
	struct waited *w = user;
	w->calls++;
	snprintf(w->last_command, sizeof(w->last_command), "%s",
		 w->fake->nlog ? w->fake->log[w->fake->nlog - 1] : "");
}

/*
 * The engine's while_waiting hook (host work while the modem works), set
 * before a write: it runs once, after the write itself went out whole (not
 * during the session's AT+CFUN commands before it), chained behind the
 * write's own digest work; the verifying list after it does not run it
 * again. A write refused before sending never runs it and leaves it set.
 */
static void test_host_work_while_the_modem_stores(void **state)
{
	struct fixture *fx = *state;
	struct waited w = { .fake = fx->fake };
	fx->m->while_waiting = note_waiting;
	fx->m->while_waiting_user = &w;
	assert_int_equal(mcred_cmng_write(fx->m, 12, 0, pem_lf, strlen(pem_lf), NULL,
					  MCRED_WRITE_VERIFY),
			 MCRED_OK);
	assert_int_equal(w.calls, 1);
	assert_memory_equal(w.last_command, "AT%CMNG=0,12,0,", 15);
	assert_null(fx->m->while_waiting);

	w.calls = 0;
	fx->m->while_waiting = note_waiting;
	assert_int_equal(mcred_cmng_write(fx->m, 12, 0, "a\"b", 3, NULL, 0), MCRED_ERR_INVALID_ARG);
	assert_int_equal(w.calls, 0);
	/* still the caller's: it is cleared by whoever set it */
	assert_ptr_equal(fx->m->while_waiting, note_waiting);
	fx->m->while_waiting = NULL;
}

/* Operations that succeed never touch numeric errors: no AT+CMEE round trips. */
static void test_success_needs_no_cmee(void **state)
{
	struct fixture *fx = *state;
	int exists = 1;
	assert_int_equal(mcred_cmng_exists(fx->m, 12, 0, &exists, NULL), MCRED_OK);
	assert_int_equal(mcred_cmng_write(fx->m, 12, 0, pem_lf, strlen(pem_lf), NULL, 0), MCRED_OK);
	assert_int_equal(mcred_cmng_delete(fx->m, 12, 0), MCRED_OK);
	assert_int_equal(fake_modem_count_sent(fx->fake, "AT+CMEE?"), 0);
	assert_int_equal(fake_modem_count_sent(fx->fake, "AT+CMEE=1"), 0);
	assert_int_equal(fake_modem_count_sent(fx->fake, "AT+CMEE=0"), 0);
	assert_restored(fx->fake);
}

/*
 * A bare ERROR is explained: numeric errors on, the failed command once more
 * for its code, numeric errors off again at the end.
 */
static void test_error_explained_by_sending_again(void **state)
{
	struct fixture *fx = *state;
	fx->fake->write_cme = 515;
	assert_int_equal(mcred_cmng_write(fx->m, 12, 0, pem_lf, strlen(pem_lf), NULL, 0),
			 MCRED_ERR_CME);
	assert_int_equal(mcred_modem_cme(fx->m), 515);
	assert_message_has(fx->m, "memory full");
	size_t writes = 0;
	for (size_t i = 0; i < fx->fake->nlog; i++)
		writes += strncmp(fx->fake->log[i], "AT%CMNG=0,12,0,", 15) == 0;
	assert_int_equal(writes, 2);
	assert_int_equal(fake_modem_count_sent(fx->fake, "AT+CMEE?"), 1);
	assert_int_equal(fake_modem_count_sent(fx->fake, "AT+CMEE=1"), 1);
	assert_int_equal(fake_modem_count_sent(fx->fake, "AT+CMEE=0"), 1);
	assert_restored(fx->fake);
	/* the next operation starts from scratch: its own error explained the same way */
	assert_int_equal(mcred_cmng_delete(fx->m, 99, 0), MCRED_ERR_NOT_FOUND);
	assert_int_equal(mcred_modem_cme(fx->m), 513);
	assert_int_equal(fake_modem_count_sent(fx->fake, "AT+CMEE=1"), 2);
	assert_restored(fx->fake);
}

/* Found on: the error comes with its code at once; nothing sent twice, CMEE left on. */
static void test_cmee_found_on_left_on(void **state)
{
	struct fixture *fx = *state;
	fx->fake->cmee = 1;
	assert_int_equal(mcred_cmng_delete(fx->m, 99, 0), MCRED_ERR_NOT_FOUND);
	assert_int_equal(mcred_modem_cme(fx->m), 513);
	assert_int_equal(fake_modem_count_sent(fx->fake, "AT%CMNG=3,99,0"), 1);
	assert_int_equal(fake_modem_count_sent(fx->fake, "AT+CMEE?"), 0);
	assert_int_equal(fake_modem_count_sent(fx->fake, "AT+CMEE=1"), 0);
	assert_int_equal(fake_modem_count_sent(fx->fake, "AT+CMEE=0"), 0);
	assert_int_equal(fx->fake->cmee, 1);
}

/* A modem that cannot say its CMEE setting: the bare ERROR stands, with its message. */
static void test_unexplained_error_stands(void **state)
{
	struct fixture *fx = *state;
	fx->fake->silent_cmee_query = 1;
	assert_int_equal(mcred_cmng_delete(fx->m, 99, 0), MCRED_ERR_MODEM);
	assert_message_has(fx->m, "AT%CMNG=3,99,0");
	assert_message_has(fx->m, "ERROR");
	assert_int_equal(fake_modem_count_sent(fx->fake, "AT%CMNG=3,99,0"), 1);
	assert_int_equal(fake_modem_count_sent(fx->fake, "AT+CMEE=1"), 0);
	assert_int_equal(fx->fake->cfun, 1);
}

/* A raw command is the caller's: never sent twice, not even to explain its ERROR. */
static void test_raw_command_never_sent_again(void **state)
{
	struct fixture *fx = *state;
	fx->fake->refuse_online = 1;
	assert_int_equal(mcred_at(fx->m, "AT+CFUN=1", NULL), MCRED_ERR_MODEM);
	assert_int_equal(fake_modem_count_sent(fx->fake, "AT+CFUN=1"), 1);
	assert_int_equal(fake_modem_count_sent(fx->fake, "AT+CMEE?"), 0);
}

/*
 * A restart turns CMEE off. An operation after it still explains its
 * error and leaves CMEE as found. Whether the banner was read behind an
 * answer or still waits when the operation starts.
 */
static void check_explained_after_restart(struct fixture *fx)
{
	assert_int_equal(fx->fake->restarts, 1);
	fx->fake->cfun = 1;
	assert_int_equal(mcred_cmng_delete(fx->m, 99, 0), MCRED_ERR_NOT_FOUND);
	assert_int_equal(mcred_modem_cme(fx->m), 513);
	assert_int_equal(fake_modem_count_sent(fx->fake, "AT+CMEE=1"), 1);
	assert_restored(fx->fake);
}

static void test_explained_after_restart(void **state)
{
	struct fixture *fx = *state;
	int exists = 1;
	fx->fake->cmee = 1;
	assert_int_equal(mcred_cmng_exists(fx->m, 12, 0, &exists, NULL), MCRED_OK);
	/* the banner comes right behind the OK */
	fx->fake->reset_on = "AT+CFUN=1";
	fx->fake->reset_after_answer = 1;
	assert_int_equal(mcred_cfun_set(fx->m, 1), MCRED_OK);
	check_explained_after_restart(fx);
}

static void test_explained_after_idle_restart(void **state)
{
	struct fixture *fx = *state;
	int exists = 1;
	fx->fake->cmee = 1;
	assert_int_equal(mcred_cmng_exists(fx->m, 12, 0, &exists, NULL), MCRED_OK);
	fake_modem_restart(fx->fake); /* nobody reads the banner until the next operation */
	check_explained_after_restart(fx);
}

static void test_exists_and_list(void **state)
{
	struct fixture *fx = *state;
	fake_modem_store(fx->fake, 9, 4, "id", 2);
	int exists = -1;
	char sha[65], expected[65];
	assert_int_equal(mcred_cmng_exists(fx->m, 9, 4, &exists, sha), MCRED_OK);
	assert_int_equal(exists, 1);
	mcred_sha256_hex("id", 2, expected);
	assert_string_equal(sha, expected);
	assert_int_equal(mcred_cmng_exists(fx->m, 9, 0, &exists, sha), MCRED_OK);
	assert_int_equal(exists, 0);
	assert_string_equal(sha, "");

	struct mcred_credential_list *list = NULL;
	assert_int_equal(mcred_cmng_list(fx->m, MCRED_ANY_TAG, MCRED_ANY_TYPE, &list), MCRED_OK);
	assert_int_equal(list->count, 2);
	assert_int_equal(list->items[1].tag, 4294967292u);
	assert_int_equal(list->items[1].type, 10);
	mcred_credential_list_free(list);
	/* by type only: all listed, filtered here */
	assert_int_equal(mcred_cmng_list(fx->m, MCRED_ANY_TAG, 4, &list), MCRED_OK);
	assert_int_equal(list->count, 1);
	assert_int_equal(list->items[0].tag, 9);
	assert_true(list->items[0].has_sha256);
	mcred_credential_list_free(list);
	fx->fake->no_sha = 1;
	assert_int_equal(mcred_cmng_list(fx->m, 9, MCRED_ANY_TYPE, &list), MCRED_OK);
	assert_int_equal(list->count, 1);
	assert_false(list->items[0].has_sha256);
	mcred_credential_list_free(list);
	assert_restored(fx->fake);
}

static void test_compare(void **state)
{
	struct fixture *fx = *state;
	fake_modem_store(fx->fake, 12, 0, pem_lf, strlen(pem_lf));
	assert_int_equal(mcred_cmng_compare(fx->m, 12, 0, pem_crlf, strlen(pem_crlf)), MCRED_OK);
	assert_int_equal(mcred_cmng_compare(fx->m, 12, 0, "other", 5), MCRED_ERR_MISMATCH);
	assert_int_equal(mcred_cmng_compare(fx->m, 13, 0, "other", 5), MCRED_ERR_NOT_FOUND);
	assert_int_equal(fake_modem_count_sent(fx->fake, "AT+CFUN=4"), 0);
}

static void test_invalid_input_sends_nothing(void **state)
{
	struct fixture *fx = *state;
	assert_int_equal(mcred_cmng_write(fx->m, 1, 0, "a\"b", 3, NULL, 0), MCRED_ERR_INVALID_ARG);
	assert_message_has(fx->m, "double quote");
	assert_int_equal(mcred_cmng_write(fx->m, 2147483648u, 0, "a", 1, NULL, 0),
			 MCRED_ERR_INVALID_ARG);
	assert_int_equal(mcred_cmng_write(fx->m, 1, 6, "a", 1, NULL, 0), MCRED_ERR_INVALID_ARG);
	assert_int_equal(mcred_cmng_write(fx->m, 1, 3, "abc", 3, NULL, 0), MCRED_ERR_INVALID_ARG);
	assert_int_equal(mcred_cmng_delete(fx->m, 1, 8), MCRED_ERR_INVALID_ARG);
	assert_int_equal(mcred_cmng_delete(fx->m, 4294967293u, 0), MCRED_ERR_INVALID_ARG);
	int exists;
	assert_int_equal(mcred_cmng_exists(fx->m, 1, 12, &exists, NULL), MCRED_ERR_INVALID_ARG);
	assert_int_equal(mcred_cmng_compare(fx->m, 1, 0, "", 0), MCRED_ERR_INVALID_ARG);
	struct mcred_credential_list *list;
	assert_int_equal(mcred_cmng_list(fx->m, 1, 99, &list), MCRED_ERR_INVALID_ARG);
	char big[5000];
	memset(big, 'A', sizeof(big));
	assert_int_equal(mcred_cmng_write(fx->m, 1, 0, big, sizeof(big), NULL, 0),
			 MCRED_ERR_INVALID_ARG);
	assert_message_has(fx->m, "maximum command length");
	assert_int_equal(fx->fake->bytes_written, 0);
}

static void test_secret_not_in_errors(void **state)
{
	struct fixture *fx = *state;
	fx->fake->write_cme = 527;
	static const char key[] =
		"-----BEGIN PRIVATE KEY-----\nSECRETKEYDATA\n-----END PRIVATE KEY-----\n";
	assert_int_equal(mcred_cmng_write(fx->m, 4, 2, key, strlen(key), "topsecretpw", 0),
			 MCRED_ERR_CME);
	assert_null(strstr(mcred_modem_error(fx->m)->message, "SECRETKEYDATA"));
	assert_null(strstr(mcred_modem_error(fx->m)->message, "topsecretpw"));
	assert_message_has(fx->m, "527");
}

/* mcred_device_details_get() into *d, freeing what *d held before. */
static enum mcred_err details_get(mcred_modem *m, struct mcred_device_details **d)
{
	mcred_device_details_free(*d);
	*d = NULL;
	return mcred_device_details_get(m, d);
}

static void test_device_info_and_cfun(void **state)
{
	struct fixture *fx = *state;
	struct mcred_device_details *info = NULL;
	assert_int_equal(details_get(fx->m, &info), MCRED_OK);
	assert_string_equal(info->imei, "351358811234567");
	assert_string_equal(info->model, "nRF9160-SICA");
	assert_string_equal(info->firmware, "mfw_nrf9160_1.3.5");
	assert_string_equal(info->firmware_uuid, "50503041-3633-43b0-80c3-011a3496dac0");

	int mode = -1, saved = 7;
	assert_int_equal(mcred_cfun_get(fx->m, &mode), MCRED_OK);
	assert_int_equal(mode, 1);
	assert_int_equal(mcred_offline_begin(fx->m, &saved), MCRED_OK);
	assert_int_equal(saved, 1);
	assert_int_equal(fx->fake->cfun, 4);
	assert_int_equal(mcred_offline_end(fx->m, saved), MCRED_OK);
	assert_int_equal(fx->fake->cfun, 1);
	assert_int_equal(mcred_cfun_set(fx->m, 0), MCRED_OK);
	assert_int_equal(mcred_offline_begin(fx->m, &saved), MCRED_OK);
	assert_int_equal(fx->fake->cfun, 0);
	assert_int_equal(mcred_offline_end(fx->m, saved), MCRED_OK);
	assert_int_equal(fx->fake->cfun, 0);
	assert_int_equal(mcred_cfun_set(fx->m, 100), MCRED_ERR_INVALID_ARG);
	mcred_device_details_free(info);
}

static void test_device_info_without_uuid_and_cgsn_prefix(void **state)
{
	struct fixture *fx = *state;
	fx->fake->cgsn_prefixed = 1;
	fx->fake->no_uuid = 1;
	struct mcred_device_details *info = NULL;
	assert_int_equal(details_get(fx->m, &info), MCRED_OK);
	assert_string_equal(info->imei, "351358811234567");
	assert_string_equal(info->firmware_uuid, "");
	assert_int_equal(mcred_modem_error(fx->m)->code, MCRED_OK);
	mcred_device_details_free(info);
}

/* The library-allocated details: the same facts, strings owned by the struct. */
static void test_device_details(void **state)
{
	struct fixture *fx = *state;
	struct mcred_device_details *d = NULL;

	assert_int_equal(mcred_device_details_get(fx->m, &d), MCRED_OK);
	assert_non_null(d);
	assert_int_equal(d->size, sizeof(*d));
	assert_string_equal(d->imei, "351358811234567");
	assert_string_equal(d->model, "nRF9160-SICA");
	assert_string_equal(d->firmware, "mfw_nrf9160_1.3.5");
	assert_string_equal(d->firmware_uuid, "50503041-3633-43b0-80c3-011a3496dac0");
	assert_int_equal(d->firmware_uuid_status, MCRED_OK);
	mcred_device_details_free(d);

	/* an unknown fact is "" with its reason, never NULL */
	fx->fake->no_uuid = 1;
	d = NULL;
	assert_int_equal(mcred_device_details_get(fx->m, &d), MCRED_OK);
	assert_string_equal(d->firmware_uuid, "");
	assert_int_not_equal(d->firmware_uuid_status, MCRED_OK);
	assert_string_equal(d->imei, "351358811234567");
	mcred_device_details_free(d);
	mcred_device_details_free(NULL);
	assert_int_equal(mcred_device_details_get(fx->m, NULL), MCRED_ERR_INVALID_ARG);
}

/* ---- answers that are not believed ----------------------------------------------- */

/* SHA-256 of "hello" (the content of the canned read answers below). */
#define HELLO_SHA "2CF24DBA5FB0A30E26E83B2AC5B9E29E1B161E5C1FA7425E73043362938B9824"

/* read with a canned answer for tag 12 type 0: the result, content NULL on failure. */
static enum mcred_err read_canned(struct fixture *fx, const char *answer, char sha[65])
{
	char *got = (char *)1;
	size_t len = 99;
	fx->fake->canned[0].prefix = "AT%CMNG=2,12,0";
	fx->fake->canned[0].answer = answer;
	enum mcred_err rc = mcred_cmng_read(fx->m, 12, 0, &got, &len, sha);
	if (rc != MCRED_OK) {
		assert_null(got);
		assert_int_equal(len, 0);
	} else {
		assert_int_equal(len, 5);
		assert_memory_equal(got, "hello", 5);
		free(got);
	}
	assert_restored(fx->fake);
	return rc;
}

static void test_read_content_must_match_its_digest(void **state)
{
	struct fixture *fx = *state;
	char sha[65];
	assert_int_equal(read_canned(fx, "\r\n%CMNG: 12,0,\"" HELLO_SHA "\",\"hello\"\r\nOK\r\n",
				     sha),
			 MCRED_OK);
	assert_string_equal(sha, HELLO_SHA);
	/* one byte of content changed on the way */
	assert_int_equal(read_canned(fx, "\r\n%CMNG: 12,0,\"" HELLO_SHA "\",\"hellO\"\r\nOK\r\n",
				     sha),
			 MCRED_ERR_MISMATCH);
	assert_message_has(fx->m, "hashes to");
	assert_message_has(fx->m, HELLO_SHA);
	assert_string_equal(sha, "");
}

static void test_read_lower_case_digest_normalised(void **state)
{
	struct fixture *fx = *state;
	char sha[65];
	assert_int_equal(read_canned(fx,
				     "\r\n%CMNG: 12,0,\"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa"
				     "7425e73043362938b9824\",\"hello\"\r\nOK\r\n",
				     sha),
			 MCRED_OK);
	assert_string_equal(sha, HELLO_SHA);
}

static void test_read_about_another_credential(void **state)
{
	struct fixture *fx = *state;
	char sha[65];
	assert_int_equal(read_canned(fx, "\r\n%CMNG: 13,0,\"" HELLO_SHA "\",\"hello\"\r\nOK\r\n",
				     sha),
			 MCRED_ERR_PROTOCOL);
	assert_message_has(fx->m, "answered about tag 13 type 0");
	assert_int_equal(read_canned(fx, "\r\n%CMNG: 12,1,\"" HELLO_SHA "\",\"hello\"\r\nOK\r\n",
				     sha),
			 MCRED_ERR_PROTOCOL);
	assert_message_has(fx->m, "answered about tag 12 type 1");
	/* without a digest too */
	assert_int_equal(read_canned(fx, "\r\n%CMNG: 11,0,\"hello\"\r\nOK\r\n", sha),
			 MCRED_ERR_PROTOCOL);
}

static void test_read_unterminated_quote_fails(void **state)
{
	struct fixture *fx = *state;
	char sha[65];
	enum mcred_err rc =
		read_canned(fx, "\r\n%CMNG: 12,0,\"" HELLO_SHA "\",\"hello\r\nOK\r\n", sha);
	assert_int_not_equal(rc, MCRED_OK);
	rc = read_canned(fx, "\r\n%CMNG: 12,0,\"hello\r\nOK\r\n", sha);
	assert_int_not_equal(rc, MCRED_OK);
}

static void test_list_about_another_credential(void **state)
{
	struct fixture *fx = *state;
	struct mcred_credential_list *list = (void *)1;
	fx->fake->canned[0].prefix = "AT%CMNG=1,12";
	fx->fake->canned[0].answer = "\r\n%CMNG: 13,0,\"" HELLO_SHA "\"\r\nOK\r\n";
	assert_int_equal(mcred_cmng_list(fx->m, 12, MCRED_ANY_TYPE, &list), MCRED_ERR_PROTOCOL);
	assert_null(list);
	assert_message_has(fx->m, "answered about tag 13");
	fx->fake->canned[0].answer = "\r\n%CMNG: 12,1,\"" HELLO_SHA "\"\r\nOK\r\n";
	assert_int_equal(mcred_cmng_list(fx->m, 12, 0, &list), MCRED_ERR_PROTOCOL);
	assert_message_has(fx->m, "answered about tag 12 type 1");
	/* exists and write --verify rely on the same list */
	int exists = 1;
	assert_int_equal(mcred_cmng_exists(fx->m, 12, 0, &exists, NULL), MCRED_ERR_PROTOCOL);
	assert_int_equal(exists, 0);
	/* lower-case digests are fine and come out upper-case */
	fx->fake->canned[0].answer = "\r\n%CMNG: 12,0,\"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa"
				     "7425e73043362938b9824\"\r\nOK\r\n";
	assert_int_equal(mcred_cmng_list(fx->m, 12, 0, &list), MCRED_OK);
	assert_int_equal(list->count, 1);
	assert_string_equal(list->items[0].sha256, HELLO_SHA);
	mcred_credential_list_free(list);
	assert_restored(fx->fake);
}

/* ---- device facts the modem may not give --------------------------------------------- */

static void test_device_info_partial_on_test_firmware(void **state)
{
	struct fixture *fx = *state;
	struct mcred_device_details *info = NULL;
	/* mfw-pti_nrf91x1_2.3.3 answers ERROR to AT+CGSN and AT%XMODEMUUID */
	fx->fake->canned[0].prefix = "AT+CGSN";
	fx->fake->canned[0].answer = "\r\nERROR\r\n";
	fx->fake->canned[1].prefix = "AT%XMODEMUUID";
	fx->fake->canned[1].answer = "\r\nERROR\r\n";
	fx->fake->canned[2].prefix = "AT+CGMR";
	fx->fake->canned[2].answer = "\r\nmfw-pti_nrf91x1_2.3.3\r\n\r\nOK\r\n";
	assert_int_equal(details_get(fx->m, &info), MCRED_OK);
	assert_string_equal(info->imei, "");
	assert_int_equal(info->imei_status, MCRED_ERR_MODEM);
	assert_string_equal(info->model, "nRF9160-SICA");
	assert_int_equal(info->model_status, MCRED_OK);
	assert_string_equal(info->firmware, "mfw-pti_nrf91x1_2.3.3");
	assert_int_equal(info->firmware_status, MCRED_OK);
	assert_string_equal(info->firmware_uuid, "");
	assert_int_equal(info->firmware_uuid_status, MCRED_ERR_MODEM);
	assert_int_equal(mcred_modem_error(fx->m)->code, MCRED_OK);
	mcred_device_details_free(info);
}

static void test_device_info_fails_without_firmware(void **state)
{
	struct fixture *fx = *state;
	struct mcred_device_details *info = NULL;
	fx->fake->canned[0].prefix = "AT+CGMR";
	fx->fake->canned[0].answer = "\r\nERROR\r\n";
	assert_int_equal(details_get(fx->m, &info), MCRED_ERR_MODEM);
	assert_int_equal(info->firmware_status, MCRED_ERR_MODEM);
	/* what could be read is there all the same */
	assert_string_equal(info->imei, "351358811234567");
	assert_string_equal(info->firmware_uuid, "50503041-3633-43b0-80c3-011a3496dac0");
	mcred_device_details_free(info);
}

/*
 * A modem that stops answering ends the queries at once: the facts never
 * asked for are unknown for that reason, never MCRED_OK with "".
 */
static void test_device_info_cut_short_marks_the_rest_unknown(void **state)
{
	struct fixture *fx = *state;
	struct mcred_device_details *info = NULL;
	fx->fake->canned[0].prefix = "AT+CGMM";
	fx->fake->canned[0].answer = ""; /* silence: a timeout */
	assert_int_equal(details_get(fx->m, &info), MCRED_ERR_TIMEOUT);
	assert_non_null(info);
	assert_string_equal(info->imei, "351358811234567");
	assert_int_equal(info->imei_status, MCRED_OK);
	assert_string_equal(info->model, "");
	assert_int_equal(info->model_status, MCRED_ERR_TIMEOUT);
	assert_string_equal(info->firmware, "");
	assert_int_equal(info->firmware_status, MCRED_ERR_TIMEOUT);
	assert_string_equal(info->firmware_uuid, "");
	assert_int_equal(info->firmware_uuid_status, MCRED_ERR_TIMEOUT);
	mcred_device_details_free(info);
}

static void test_device_info_imei_shape(void **state)
{
	struct fixture *fx = *state;
	struct mcred_device_details *info = NULL;
	/* the tail of a URC that began before the command is not the IMEI */
	fx->fake->canned[0].prefix = "AT+CGSN";
	fx->fake->canned[0].answer = "\r\nXMODEMSLEEP: 1,0\r\n\r\nOK\r\n";
	assert_int_equal(details_get(fx->m, &info), MCRED_OK);
	assert_string_equal(info->imei, "");
	assert_int_equal(info->imei_status, MCRED_ERR_PROTOCOL);
	assert_string_equal(info->firmware, "mfw_nrf9160_1.3.5");
	/* 14 or 16 digits are no IMEI either */
	fx->fake->canned[0].answer = "\r\n35135881123456\r\n\r\nOK\r\n";
	assert_int_equal(details_get(fx->m, &info), MCRED_OK);
	assert_int_equal(info->imei_status, MCRED_ERR_PROTOCOL);
	fx->fake->canned[0].answer = "\r\n3513588112345678\r\n\r\nOK\r\n";
	assert_int_equal(details_get(fx->m, &info), MCRED_OK);
	assert_int_equal(info->imei_status, MCRED_ERR_PROTOCOL);
	/* the IMEI line after such a tail is found */
	fx->fake->canned[0].answer = "\r\nXMODEMSLEEP: 1,0\r\n351358811234567\r\n\r\nOK\r\n";
	assert_int_equal(details_get(fx->m, &info), MCRED_OK);
	assert_string_equal(info->imei, "351358811234567");
	assert_int_equal(info->imei_status, MCRED_OK);
	/* a UUID must look like one */
	fx->fake->canned[1].prefix = "AT%XMODEMUUID";
	fx->fake->canned[1].answer = "\r\n%XMODEMUUID: 1,0\r\n\r\nOK\r\n";
	assert_int_equal(details_get(fx->m, &info), MCRED_OK);
	assert_int_equal(info->firmware_uuid_status, MCRED_ERR_PROTOCOL);
	assert_string_equal(info->firmware_uuid, "");
	mcred_device_details_free(info);
}

static void test_fw_version_parse(void **state)
{
	(void)state;
	struct mcred_fw_version v;
	assert_int_equal(mcred_fw_version_parse("mfw_nrf9160_1.3.1", &v), MCRED_OK);
	assert_int_equal(v.major, 1);
	assert_int_equal(v.minor, 3);
	assert_int_equal(v.patch, 1);
	assert_false(v.ntn);
	assert_int_equal(mcred_fw_version_parse("mfw-pti_nrf91x1_2.3.3", &v), MCRED_OK);
	assert_int_equal(v.major, 2);
	assert_int_equal(v.minor, 3);
	assert_int_equal(v.patch, 3);
	assert_int_equal(mcred_fw_version_parse("mfw_nrf9151-ntn_1.0.0-1.alpha", &v), MCRED_OK);
	assert_int_equal(v.major, 1);
	assert_int_equal(v.patch, 0);
	assert_true(v.ntn);
	assert_int_equal(mcred_fw_version_parse("mfw_nrf91x1_2.0.2", &v), MCRED_OK);
	assert_int_equal(mcred_fw_version_parse("nRF9160-SICA", &v), MCRED_ERR_INVALID_ARG);
	assert_int_equal(mcred_fw_version_parse("mfw_nrf9160_1.3", &v), MCRED_ERR_INVALID_ARG);
	assert_int_equal(mcred_fw_version_parse("mfw_nrf9160_1.3.x", &v), MCRED_ERR_INVALID_ARG);
	assert_int_equal(mcred_fw_version_parse("mfw_nrf9160_1.3.1 x", &v), MCRED_ERR_INVALID_ARG);
	assert_int_equal(mcred_fw_version_parse("", &v), MCRED_ERR_INVALID_ARG);
	assert_int_equal(mcred_fw_version_parse(NULL, &v), MCRED_ERR_INVALID_ARG);

	assert_false(mcred_fw_digests_trusted("mfw_nrf9160_1.3.1"));
	assert_false(mcred_fw_digests_trusted("mfw_nrf9160_1.2.7"));
	assert_false(mcred_fw_digests_trusted("mfw_nrf9160_0.9.0"));
	assert_true(mcred_fw_digests_trusted("mfw_nrf9160_1.3.2"));
	assert_true(mcred_fw_digests_trusted("mfw_nrf9160_1.3.5"));
	assert_true(mcred_fw_digests_trusted("mfw_nrf9160_1.10.0"));
	assert_true(mcred_fw_digests_trusted("mfw_nrf91x1_2.0.2"));
	assert_true(mcred_fw_digests_trusted("mfw-pti_nrf91x1_2.3.3"));
	assert_true(mcred_fw_digests_trusted("mfw_nrf9151-ntn_1.0.0-1.alpha"));
	assert_true(mcred_fw_digests_trusted("something else"));
}

/* ---- digests on firmware older than 1.3.2 -------------------------------------------- */

static void test_old_firmware_digest_not_checked(void **state)
{
	struct fixture *fx = *state;
	fx->fake->canned[0].prefix = "AT+CGMR";
	fx->fake->canned[0].answer = "\r\nmfw_nrf9160_1.3.1\r\n\r\nOK\r\n";
	fx->fake->corrupt_sha = 1;
	assert_int_equal(mcred_cmng_write(fx->m, 12, 0, pem_lf, strlen(pem_lf), NULL,
					  MCRED_WRITE_VERIFY),
			 MCRED_ERR_UNSUPPORTED);
	assert_message_has(fx->m, "not checked");
	assert_message_has(fx->m, "mfw_nrf9160_1.3.1");
	assert_message_has(fx->m, "1.3.2");
	assert_int_equal(fx->fake->ncreds, 1); /* written all the same */
	assert_restored(fx->fake);
	assert_int_equal(mcred_cmng_compare(fx->m, 12, 0, pem_lf, strlen(pem_lf)),
			 MCRED_ERR_UNSUPPORTED);
	assert_message_has(fx->m, "not checked");
	/* 1.3.2 and later: a mismatch is a mismatch */
	fx->fake->canned[0].answer = "\r\nmfw_nrf9160_1.3.2\r\n\r\nOK\r\n";
	assert_int_equal(mcred_cmng_compare(fx->m, 12, 0, pem_lf, strlen(pem_lf)),
			 MCRED_ERR_MISMATCH);
	/* and so it is when the version cannot be read */
	fx->fake->canned[0].answer = "\r\nERROR\r\n";
	assert_int_equal(mcred_cmng_compare(fx->m, 12, 0, pem_lf, strlen(pem_lf)),
			 MCRED_ERR_MISMATCH);
	/* equal digests are believed on old firmware too */
	fx->fake->corrupt_sha = 0;
	fx->fake->canned[0].answer = "\r\nmfw_nrf9160_1.3.1\r\n\r\nOK\r\n";
	assert_int_equal(mcred_cmng_compare(fx->m, 12, 0, pem_lf, strlen(pem_lf)), MCRED_OK);
	assert_restored(fx->fake);
}

/* ---- content written by nrfcredstore (rstrip()ped) ------------------------------------ */

static void test_compare_without_final_line_break(void **state)
{
	struct fixture *fx = *state;
	enum mcred_compare_match match = MCRED_MATCH_NONE;
	fake_modem_store(fx->fake, 12, 0, pem_lf, strlen(pem_lf) - 1);
	assert_int_equal(mcred_cmng_compare_match(fx->m, 12, 0, pem_lf, strlen(pem_lf), &match),
			 MCRED_OK);
	assert_int_equal(match, MCRED_MATCH_TRIMMED);
	/* CRLF file, stored rstrip()ped from its LF form */
	assert_int_equal(mcred_cmng_compare_match(fx->m, 12, 0, pem_crlf, strlen(pem_crlf), &match),
			 MCRED_OK);
	assert_int_equal(match, MCRED_MATCH_TRIMMED);
	assert_int_equal(mcred_cmng_compare(fx->m, 12, 0, pem_lf, strlen(pem_lf)), MCRED_OK);
	/* the exact form is said to be exact */
	fake_modem_store(fx->fake, 12, 0, pem_lf, strlen(pem_lf));
	assert_int_equal(mcred_cmng_compare_match(fx->m, 12, 0, pem_lf, strlen(pem_lf), &match),
			 MCRED_OK);
	assert_int_equal(match, MCRED_MATCH_EXACT);
	/* only trailing whitespace may go: a missing last line is a mismatch */
	fake_modem_store(fx->fake, 12, 0, pem_lf, strlen(pem_lf) - 2);
	assert_int_equal(mcred_cmng_compare_match(fx->m, 12, 0, pem_lf, strlen(pem_lf), &match),
			 MCRED_ERR_MISMATCH);
	assert_int_equal(match, MCRED_MATCH_NONE);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_write_verify_ok),
		T(test_write_unknown_flag_refused),
		T(test_write_verify_mismatch),
		T(test_write_verify_unsupported),
		T(test_write_failure_restores),
		T(test_write_online_without_auto_offline),
		T(test_cancel_still_restores),
		T(test_cancel_while_going_offline_restores),
		T(test_silent_modem_stops_the_session),
		T(test_restore_failure),
		T(test_already_offline_left_alone),
		T(test_read_byte_exact),
		T(test_read_not_found_and_refused),
		T(test_delete),
		T(test_clear_counts),
		T(test_host_work_while_the_modem_stores),
		T(test_success_needs_no_cmee),
		T(test_error_explained_by_sending_again),
		T(test_cmee_found_on_left_on),
		T(test_unexplained_error_stands),
		T(test_raw_command_never_sent_again),
		T(test_explained_after_restart),
		T(test_explained_after_idle_restart),
		T(test_exists_and_list),
		T(test_compare),
		T(test_invalid_input_sends_nothing),
		T(test_secret_not_in_errors),
		T(test_device_info_and_cfun),
		T(test_device_info_without_uuid_and_cgsn_prefix),
		T(test_device_details),
		T(test_read_content_must_match_its_digest),
		T(test_read_lower_case_digest_normalised),
		T(test_read_about_another_credential),
		T(test_read_unterminated_quote_fails),
		T(test_list_about_another_credential),
		T(test_device_info_partial_on_test_firmware),
		T(test_device_info_fails_without_firmware),
		T(test_device_info_cut_short_marks_the_rest_unknown),
		T(test_device_info_imei_shape),
		T(test_fw_version_parse),
		T(test_old_firmware_digest_not_checked),
		T(test_compare_without_final_line_break),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
