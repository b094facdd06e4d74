/*
 * The AT engine and the session against a misbehaving modem (the scripted
 * fake of support/fake_modem.c): echoes that come late, after noise or cut
 * into lines, restarts in the middle of an operation, a restore that stalls
 * after a cancellation. What matters is what the caller can see: traces,
 * messages, URCs, results and the modem's state afterwards.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "modemcred.h"
#include "defaults.h"
#include "support/fake_modem.h"

/* ---- fixture ------------------------------------------------------------- */

struct fixture {
	struct fake_modem *fake;
	mcred_modem *m;
	char *seen; /* every trace record and URC, one per line */
	size_t seen_len;
	int urcs;
	int banner_urcs;
};

static void record(struct fixture *fx, const char *mark, const char *text, size_t len)
{
	size_t add = strlen(mark) + len + 1;
	char *grown = realloc(fx->seen, fx->seen_len + add + 1);

	assert_non_null(grown);
	fx->seen = grown;
	memcpy(fx->seen + fx->seen_len, mark, strlen(mark));
	memcpy(fx->seen + fx->seen_len + strlen(mark), text, len);
	fx->seen_len += add;
	fx->seen[fx->seen_len - 1] = '\n';
	fx->seen[fx->seen_len] = '\0';
}

static void on_trace(enum mcred_trace_dir dir, const char *text, size_t len, void *user)
{
	record(user, dir == MCRED_TRACE_TX ? "> " : "< ", text, len);
}

static void on_urc(const char *line, void *user)
{
	struct fixture *fx = user;

	fx->urcs++;
	fx->banner_urcs += strstr(line, "Booting") != NULL || strcmp(line, "Ready") == 0;
	record(fx, "urc ", line, strlen(line));
}

static int open_with(void **state, unsigned timeout_ms)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct mcred_options o;
	struct mcred_transport t;

	if (!fx || !(fx->fake = fake_modem_new()))
		return -1;
	mcred_options_init(&o);
	o.timeout_ms = timeout_ms;
	o.auto_offline = 1;
	o.cancel_cb = fake_modem_cancel;
	o.cancel_user = fx->fake;
	o.trace_cb = on_trace;
	o.trace_user = fx;
	o.urc_cb = on_urc;
	o.urc_user = fx;
	t = fake_modem_transport(fx->fake);
	if (mcred_modem_open_transport(&fx->m, &t, &o, NULL) != MCRED_OK)
		return -1;
	*state = fx;
	return 0;
}

static int setup(void **state)
{
	return open_with(state, 300);
}

/* For the stalled restore: a timeout much longer than the restore bound. */
static int setup_long_timeout(void **state)
{
	return open_with(state, 8000);
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	mcred_modem_free(fx->m);
	fake_modem_free(fx->fake);
	free(fx->seen);
	free(fx);
	return 0;
}

/* ---- secrets --------------------------------------------------------------- */

static const char psk[] = "0123456789ABCDEF0123456789ABCDEF";
#define KEY_BODY                                                             \
	"MIIFHDBOBgkqhkiG9w0BBQ0wQTApBgkqhkiG9w0BBQwwHAQIq5TLlQ8wQ6ICAggA\n" \
	"MAwGCCqGSIb3DQIJBQAwFAYIKoZIhvcNAwcECJ6NkV1xB0dUBIIEyPlW0Ez7Y2Lm\n"
static const char key_body[] = KEY_BODY; /* the armour around it is no secret */
static const char key_pem[] = "-----BEGIN ENCRYPTED PRIVATE KEY-----\n" KEY_BODY
			      "-----END ENCRYPTED PRIVATE KEY-----\n";
static const char password[] = "pw-Hunter2-Zebra";

/* No 8 consecutive characters of secret (6 for short ones) in text. */
static void assert_no_part_of(const char *text, const char *secret, const char *where)
{
	size_t n = strlen(secret);
	size_t window = n < 20 ? 6 : 8;

	if (!text)
		return;
	for (size_t i = 0; i + window <= n; i++) {
		char part[16];

		memcpy(part, secret + i, window);
		part[window] = '\0';
		if (strchr(part, '\n'))
			continue;
		if (strstr(text, part))
			fail_msg("%s shows \"%s\" of a secret:\n%s", where, part, text);
	}
}

static void assert_nothing_leaked(struct fixture *fx)
{
	const char *msg = mcred_modem_error(fx->m)->message;

	assert_no_part_of(fx->seen, psk, "the trace");
	assert_no_part_of(fx->seen, key_body, "the trace");
	assert_no_part_of(fx->seen, password, "the trace");
	assert_no_part_of(msg, psk, "the error message");
	assert_no_part_of(msg, key_body, "the error message");
	assert_no_part_of(msg, password, "the error message");
}

/* Write the encrypted key and its password, with verification. */
static enum mcred_err write_key(struct fixture *fx)
{
	return mcred_cmng_write(fx->m, 8, 2, key_pem, strlen(key_pem), password,
				MCRED_WRITE_VERIFY);
}

/* A slow modem with ATE1 echoes each command one command late. */
static void test_late_echo_of_psk(void **state)
{
	struct fixture *fx = *state;

	fx->fake->echo = 2;
	assert_int_equal(mcred_cmng_write(fx->m, 7, 3, psk, strlen(psk), NULL, MCRED_WRITE_VERIFY),
			 MCRED_OK);
	assert_nothing_leaked(fx);
	assert_non_null(strstr(fx->seen, "<echo of an earlier command withheld>"));
	assert_int_equal(fx->fake->cfun, 1);
}

/* The echo after a noise byte (0xFF after a line glitch). */
static void test_echo_after_noise_byte(void **state)
{
	struct fixture *fx = *state;

	fx->fake->echo = 1;
	fx->fake->echo_noise = 1;
	assert_int_equal(write_key(fx), MCRED_OK);
	assert_nothing_leaked(fx);
}

/*
 * The echo cut into lines (quotes lost, CRLF inside), one command late: the
 * key's lines arrive as lines of the list that verifies the write. The
 * answer is malformed, and neither the message nor the trace may show it.
 */
static void test_late_echo_cut_into_lines(void **state)
{
	struct fixture *fx = *state;

	fx->fake->echo = 2;
	fx->fake->echo_split = 1;
	assert_int_equal(write_key(fx), MCRED_ERR_PROTOCOL);
	assert_nothing_leaked(fx);
	assert_non_null(strstr(mcred_modem_error(fx->m)->message, "withheld"));
	assert_int_equal(fx->fake->cfun, 1); /* restored all the same */
}

/* Echo cut into lines, in the write's own answer: no harm, no trace of it. */
static void test_echo_cut_into_lines_at_once(void **state)
{
	struct fixture *fx = *state;

	fx->fake->echo = 1;
	fx->fake->echo_split = 1;
	assert_int_equal(mcred_cmng_write(fx->m, 7, 3, psk, strlen(psk), NULL, MCRED_WRITE_VERIFY),
			 MCRED_OK);
	assert_nothing_leaked(fx);
}

/* ---- restarts ---------------------------------------------------------------- */

static void assert_state(struct fake_modem *f, int cfun, int cmee)
{
	assert_int_equal(f->cfun, cfun);
	assert_int_equal(f->cmee, cmee);
}

/*
 * The modem restarts while the delete's ERROR is being explained, right
 * after turning CMEE on: the delete is not sent again (the modem is no
 * longer in the state that refused it), its ERROR stands, and the mode
 * found (1) comes back.
 */
static void test_restart_early_in_offline_session(void **state)
{
	struct fixture *fx = *state;

	fx->fake->reset_on = "AT+CMEE=1";
	fx->fake->reset_after_answer = 1;
	assert_int_equal(mcred_cmng_delete(fx->m, 5, 0), MCRED_ERR_MODEM);
	assert_non_null(strstr(mcred_modem_error(fx->m)->message, "AT%CMNG=3,5,0: ERROR"));
	assert_int_equal(fake_modem_count_sent(fx->fake, "AT%CMNG=3,5,0"), 1);
	assert_int_equal(mcred_modem_restarts(fx->m), 1);
	assert_int_equal(mcred_modem_unrestored_mode(fx->m), -1);
	assert_state(fx->fake, 1, 0);
}

/*
 * The same, with the banner in a read of its own after CMEE=1's OK: it is
 * already waiting when the delete would go again, and stops that.
 */
static void test_restart_read_apart_from_the_answer(void **state)
{
	struct fixture *fx = *state;

	fx->fake->line_per_read = 1;
	test_restart_early_in_offline_session(state);
}

/* A restart between the delete and the restore: still the mode found. */
static void test_restart_after_delete(void **state)
{
	struct fixture *fx = *state;

	fake_modem_store(fx->fake, 5, 0, "c", 1);
	fx->fake->reset_on = "AT%CMNG=3";
	fx->fake->reset_after_answer = 1;
	assert_int_equal(mcred_cmng_delete(fx->m, 5, 0), MCRED_OK);
	assert_int_equal(fx->fake->ncreds, 0);
	assert_int_equal(mcred_modem_restarts(fx->m), 1);
	assert_state(fx->fake, 1, 0);
	/* said in the trace and to the URC callback */
	assert_non_null(strstr(fx->seen, "< <the modem restarted"));
	assert_int_equal(fx->banner_urcs, 2);
}

/* The answer to the delete is lost to the restart: a protocol error, mode back. */
static void test_restart_loses_the_answer(void **state)
{
	struct fixture *fx = *state;

	fake_modem_store(fx->fake, 5, 0, "c", 1);
	fx->fake->reset_on = "AT%CMNG=3";
	assert_int_equal(mcred_cmng_delete(fx->m, 5, 0), MCRED_ERR_PROTOCOL);
	assert_non_null(strstr(mcred_modem_error(fx->m)->message, "restarted"));
	assert_int_equal(mcred_modem_restarts(fx->m), 1);
	assert_state(fx->fake, 1, 0);
}

/* Found offline (4), restarted (0): 4 is what comes back. */
static void test_restart_restores_offline_mode(void **state)
{
	struct fixture *fx = *state;

	fx->fake->cfun = 4;
	fake_modem_store(fx->fake, 5, 0, "c", 1);
	fx->fake->reset_on = "AT%CMNG=3";
	fx->fake->reset_after_answer = 1;
	assert_int_equal(mcred_cmng_delete(fx->m, 5, 0), MCRED_OK);
	assert_state(fx->fake, 4, 0);
}

/* Banner and log lines are never an answer; a banner ends the command. */
static void test_banner_is_no_answer(void **state)
{
	struct fixture *fx = *state;
	struct mcred_device_details *d = NULL;

	fx->fake->reset_on = "AT+CGSN";
	assert_int_equal(mcred_device_details_get(fx->m, &d), MCRED_ERR_PROTOCOL);
	assert_string_equal(d->imei, "");
	assert_int_equal(mcred_modem_restarts(fx->m), 1);
	mcred_device_details_free(d);
}

/*
 * The device starts as the port is opened (a Serial LTE Modem says "Ready"):
 * the banner comes before the run's first answer, which follows it. Nothing
 * of the run was lost: no restart. One after an answer is one.
 */
static void test_start_at_open_is_no_restart(void **state)
{
	struct fixture *fx = *state;
	struct mcred_device_details *d = NULL;

	fake_modem_restart(fx->fake); /* its banner waits when the run begins */
	assert_int_equal(mcred_device_details_get(fx->m, &d), MCRED_OK);
	assert_string_equal(d->imei, "351358811234567");
	assert_int_equal(mcred_modem_restarts(fx->m), 0);
	/* the trace says what it was, not that the modem restarted */
	assert_non_null(strstr(fx->seen, "< <a boot banner before the first answer"));
	assert_null(strstr(fx->seen, "the modem restarted"));
	mcred_device_details_free(d);
	fake_modem_restart(fx->fake);
	assert_int_equal(mcred_device_details_get(fx->m, &d), MCRED_OK);
	assert_int_equal(mcred_modem_restarts(fx->m), 1);
	assert_non_null(strstr(fx->seen, "< <the modem restarted"));
	mcred_device_details_free(d);
}

/* The same banner, with the command it came with that then got no answer: a restart. */
static void test_start_at_open_that_loses_the_answer(void **state)
{
	struct fixture *fx = *state;

	fake_modem_restart(fx->fake);
	fx->fake->silent_cfun_query = 1;
	assert_int_equal(mcred_at(fx->m, "AT+CFUN?", NULL), MCRED_ERR_TIMEOUT);
	assert_int_equal(mcred_modem_restarts(fx->m), 1);
	assert_non_null(strstr(fx->seen, "< <the modem restarted"));
}

/* ---- a restore that stalls after Ctrl-C -------------------------------------- */

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void test_stalled_restore_after_cancel_is_bounded(void **state)
{
	struct fixture *fx = *state;
	long long start = now_ms();
	long long took;

	fx->fake->cancel_on_offline = 1;
	fx->fake->silent_online = 1;
	assert_int_equal(mcred_cmng_delete(fx->m, 5, 0), MCRED_ERR_CANCELLED);
	took = now_ms() - start;
	/* the timeout is 8 s: a few seconds for the restore, not one or two timeouts */
	assert_true(took >= MCRED_RESTORE_AFTER_CANCEL_MS - 100);
	assert_true(took < MCRED_RESTORE_AFTER_CANCEL_MS + 2000);
	assert_int_equal(mcred_modem_unrestored_mode(fx->m), 1);
	assert_int_equal(mcred_modem_error(fx->m)->code, MCRED_ERR_CANCELLED);
}

/* ---- after a timeout: a device deaf inside quotes, a slow device -------------- */

/*
 * An offline device with a 200-byte AT buffer gets a raw 600-byte %CMNG
 * write: it keeps the start, drops the rest with the closing quote and goes
 * deaf inside quotes; the write times out.
 */
static void make_deaf(struct fixture *fx)
{
	static const char head[] = "AT%CMNG=0,1,4,\"";
	char cmd[sizeof(head) + 600 + 1];

	memcpy(cmd, head, sizeof(head) - 1);
	memset(cmd + sizeof(head) - 1, 'a', 600);
	strcpy(cmd + sizeof(head) - 1 + 600, "\"");
	fx->fake->at_host_size = 200;
	fx->fake->cfun = 4;
	assert_int_equal(mcred_at(fx->m, cmd, NULL), MCRED_ERR_TIMEOUT);
	assert_true(fx->fake->at_host_dropped > 0);
	assert_true(fx->fake->at_host_quoted);
	assert_int_equal(fx->fake->nlog, 0);
}

/* The device's buffer dropped the closing quote: the next command still gets its answer. */
static void test_deaf_device_is_recovered(void **state)
{
	struct fixture *fx = *state;
	struct fake_modem *f = fx->fake;
	struct mcred_lines *lines = NULL;

	make_deaf(fx);
	assert_int_equal(mcred_at(fx->m, "AT+CFUN?", &lines), MCRED_OK);
	assert_int_equal(lines->count, 1);
	assert_string_equal(lines->lines[0], "+CFUN: 4");
	mcred_lines_free(lines);
	assert_false(f->at_host_quoted);
	/* the cut write reached the modem malformed ("x after it): refused, nothing stored */
	assert_int_equal(f->nlog, 3);
	assert_int_equal(strncmp(f->log[0], "AT%CMNG=0,1,4,\"aaa", 18), 0);
	assert_string_equal(f->log[0] + strlen(f->log[0]) - 3, "a\"x");
	assert_int_equal(f->ncreds, 0);
	assert_string_equal(f->log[1], "AT+CMEE?");
	assert_string_equal(f->log[2], "AT+CFUN?");
	/* and a healthy exchange sends no recovery */
	assert_int_equal(mcred_at(fx->m, "AT+CFUN?", NULL), MCRED_OK);
	assert_int_equal(f->nlog, 4);
}

/* A session that ends after the timeout leaves the device listening, restored. */
static void test_session_end_recovers_deaf_device(void **state)
{
	struct fixture *fx = *state;
	struct fake_modem *f = fx->fake;
	char content[600];

	memset(content, 'a', sizeof(content));
	f->at_host_size = 200;
	assert_int_equal(mcred_cmng_write(fx->m, 1, MCRED_TYPE_PSK_IDENTITY, content,
					  sizeof(content), NULL, 0),
			 MCRED_ERR_TIMEOUT);
	assert_false(f->at_host_quoted);
	assert_int_equal(f->cfun, 1); /* the restore got through */
	assert_int_equal(f->cmee, 0);
	assert_int_equal(f->ncreds, 0);
	assert_int_equal(fake_modem_count_sent(f, "AT+CFUN=1"), 1);
}

/* Nothing to restore: the session's end still recovers the link. */
static void test_session_end_recovers_without_restore(void **state)
{
	struct fixture *fx = *state;
	struct fake_modem *f = fx->fake;
	char content[600];

	memset(content, 'a', sizeof(content));
	f->at_host_size = 200;
	f->cfun = 4;
	f->cmee = 1;
	assert_int_equal(mcred_cmng_write(fx->m, 1, MCRED_TYPE_PSK_IDENTITY, content,
					  sizeof(content), NULL, 0),
			 MCRED_ERR_TIMEOUT);
	assert_false(f->at_host_quoted);
	assert_string_equal(f->log[f->nlog - 1], "AT+CMEE?");
	/* the timeout's message is the operation's, not the recovery's */
	assert_non_null(strstr(mcred_modem_error(fx->m)->message, "no answer to"));
}

/*
 * The modem answers the write after the timeout: its late OK and the
 * recovery's ERROR come before the next command's answer, and neither is
 * taken for it.
 */
static void test_late_answers_are_not_taken(void **state)
{
	struct fixture *fx = *state;
	struct fake_modem *f = fx->fake;
	struct mcred_lines *lines = NULL;

	f->cfun = 4;
	f->late_on = "AT%CMNG=0";
	f->refuse_online = 1;
	assert_int_equal(mcred_at(fx->m, "AT%CMNG=0,1,4,\"id\"", NULL), MCRED_ERR_TIMEOUT);
	assert_int_equal(mcred_at(fx->m, "AT+CFUN=1", NULL), MCRED_ERR_MODEM);
	assert_int_equal(f->nlog, 4);
	assert_string_equal(f->log[1], "\x7f\x7f\x7f\"xx\"\x7f");
	assert_string_equal(f->log[2], "AT+CMEE?");
	assert_int_equal(fake_modem_count_sent(f, "AT+CFUN=1"), 1);
	assert_int_equal(f->ncreds, 1); /* the write itself did go through */
	/* stray refusals are not taken either */
	f->late_on = "AT%CMNG=0";
	f->late_done = 0;
	f->write_cme = 519;
	assert_int_equal(mcred_at(fx->m, "AT%CMNG=0,2,4,\"id\"", NULL), MCRED_ERR_TIMEOUT);
	assert_int_equal(mcred_at(fx->m, "AT+CFUN?", &lines), MCRED_OK);
	assert_string_equal(lines->lines[0], "+CFUN: 4");
	mcred_lines_free(lines);
	/* this time the other query resynchronised */
	assert_string_equal(f->log[f->nlog - 2], "AT+CFUN?");
}

/*
 * The timeout of a write that the device's buffer cut: the recovery's bytes
 * end the cut command and the modem refuses it (nothing else comes), which
 * proves what happened, however short the command was next to max_command_len.
 */
static void test_timeout_of_a_cut_command_says_so(void **state)
{
	struct fixture *fx = *state;
	struct fake_modem *f = fx->fake;
	static const size_t sizes[] = { 600, 300 };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		char content[600];
		const char *msg;

		memset(content, 'a', sizes[i]);
		f->at_host_size = 200;
		assert_int_equal(mcred_cmng_write(fx->m, 1, MCRED_TYPE_PSK_IDENTITY, content,
						  sizes[i], NULL, 0),
				 MCRED_ERR_TIMEOUT);
		msg = mcred_modem_error(fx->m)->message;
		if (!strstr(msg, "stopped listening in the middle of the command") ||
		    !strstr(msg, "CONFIG_AT_HOST_CMD_MAX_LEN") || !strstr(msg, "max_command_len") ||
		    !strstr(msg, "nothing was stored") || strstr(msg, "wrong port"))
			fail_msg("message: %s", msg);
		/* the operation's own words stay in front */
		assert_non_null(strstr(msg, "writing tag 1 type 4"));
		assert_int_equal(f->ncreds, 0);
		assert_false(f->at_host_quoted);
	}
}

/* A device that was only slow answers the write late: its timeout is not blamed on a buffer. */
static void test_timeout_of_a_slow_device_blames_no_buffer(void **state)
{
	struct fixture *fx = *state;
	struct fake_modem *f = fx->fake;
	const char *msg;

	f->cfun = 4;
	f->late_on = "AT%CMNG=0";
	assert_int_equal(mcred_cmng_write(fx->m, 1, MCRED_TYPE_PSK_IDENTITY, "id", 2, NULL, 0),
			 MCRED_ERR_TIMEOUT);
	msg = mcred_modem_error(fx->m)->message;
	assert_non_null(strstr(msg, "no answer to"));
	assert_null(strstr(msg, "stopped listening"));
	assert_null(strstr(msg, "nothing was stored"));
	assert_int_equal(f->ncreds, 1); /* it was stored, late */
}

/* No answer to the resynchronisation: the next command waits for a later one. */
static void test_unanswered_resync_holds_the_command(void **state)
{
	struct fixture *fx = *state;
	struct fake_modem *f = fx->fake;
	struct mcred_lines *lines = NULL;

	f->silent_cmee_query = 1;
	make_deaf(fx);
	assert_int_equal(mcred_at(fx->m, "AT+CGMR", &lines), MCRED_ERR_TIMEOUT);
	assert_null(lines);
	assert_int_equal(fake_modem_count_sent(f, "AT+CGMR"), 0);
	assert_non_null(strstr(mcred_modem_error(fx->m)->message, "AT+CGMR was not sent"));
	/* the next attempt asks AT+CFUN?, and the command gets its own answer */
	assert_int_equal(mcred_at(fx->m, "AT+CGMR", &lines), MCRED_OK);
	assert_int_equal(lines->count, 1);
	assert_string_equal(lines->lines[0], "mfw_nrf9160_1.3.5");
	mcred_lines_free(lines);
	assert_int_equal(fake_modem_count_sent(f, "AT+CGMR"), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_late_echo_of_psk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_echo_after_noise_byte, setup, teardown),
		cmocka_unit_test_setup_teardown(test_late_echo_cut_into_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_echo_cut_into_lines_at_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart_early_in_offline_session, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_restart_read_apart_from_the_answer, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_restart_after_delete, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart_loses_the_answer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart_restores_offline_mode, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_banner_is_no_answer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_start_at_open_is_no_restart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_start_at_open_that_loses_the_answer, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_stalled_restore_after_cancel_is_bounded,
						setup_long_timeout, teardown),
		cmocka_unit_test_setup_teardown(test_deaf_device_is_recovered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_session_end_recovers_deaf_device, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_session_end_recovers_without_restore, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_late_answers_are_not_taken, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout_of_a_cut_command_says_so, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_timeout_of_a_slow_device_blames_no_buffer,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_unanswered_resync_holds_the_command, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
