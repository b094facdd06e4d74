/*
 * A handle's own callbacks (trace_cb, urc_cb, cancel_cb) run in the middle
 * of one of its operations. An embedder that uses the handle from inside
 * one (a URC handler that asks AT+CFUN?, a trace logger that reads the
 * device facts, a cancel check that looks at the modem) would read the
 * outer command's answer in the inner call and leave the handle out of step
 * for good (every later command timing out), and change the buffer the
 * URC callback was given. Such a call is refused: MCRED_ERR_INVALID_ARG,
 * nothing sent, the outer operation and the handle unharmed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "modemcred.h"
#include "support/fake_modem.h"

enum which_cb { IN_TRACE, IN_URC, IN_CANCEL };

struct embedder {
	enum which_cb where;
	mcred_modem *m;
	struct fake_modem *fake;
	int calls;       /* nested calls made */
	int not_refused; /* nested calls that were not refused with INVALID_ARG */
	int sent;        /* nested calls after which the modem had got more commands */
	int urc_changed; /* the line given to urc_cb changed during the nested calls */
	int busy;        /* inside a nested call (the test's own guard) */
};

static const char cert[] = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

static void expect_refused(struct embedder *e, enum mcred_err rc, size_t log_before)
{
	e->calls++;
	e->not_refused += rc != MCRED_ERR_INVALID_ARG;
	e->sent += e->fake->nlog != log_before;
}

/* What a careless embedder does from inside a callback: use the handle. */
static void use_the_handle(struct embedder *e)
{
	struct mcred_lines *lines = NULL;
	struct mcred_credential_list *list = NULL;
	struct mcred_device_details *details = NULL;
	int mode = -1;
	size_t before = e->fake->nlog;

	if (e->busy)
		return;
	e->busy = 1;
	expect_refused(e, mcred_at(e->m, "AT+CFUN?", &lines), before);
	expect_refused(e, mcred_cfun_get(e->m, &mode), before);
	expect_refused(e, mcred_cmng_list(e->m, MCRED_ANY_TAG, MCRED_ANY_TYPE, &list), before);
	expect_refused(e, mcred_cmng_write(e->m, 99, 0, cert, strlen(cert), NULL, 0), before);
	expect_refused(e, mcred_device_details_get(e->m, &details), before);
	mcred_lines_free(lines);
	mcred_credential_list_free(list);
	mcred_device_details_free(details);
	e->busy = 0;
}

static void on_trace(enum mcred_trace_dir dir, const char *text, size_t len, void *user)
{
	struct embedder *e = user;

	(void)dir, (void)text, (void)len;
	if (e->where == IN_TRACE)
		use_the_handle(e);
}

static void on_urc(const char *line, void *user)
{
	struct embedder *e = user;
	char before[128];

	if (e->where != IN_URC)
		return;
	snprintf(before, sizeof(before), "%s", line);
	use_the_handle(e);
	e->urc_changed += strcmp(before, line) != 0;
}

static int on_cancel(void *user)
{
	struct embedder *e = user;

	if (e->where == IN_CANCEL)
		use_the_handle(e);
	return MCRED_CANCEL_NONE;
}

static void run_with_nested_calls(enum which_cb where)
{
	struct embedder e = { .where = where };
	struct mcred_options o;
	struct mcred_transport t;
	int exists = 0;

	e.fake = fake_modem_new();
	assert_non_null(e.fake);
	/* a URC ahead of the answer to the mode query */
	e.fake->canned[0].prefix = "AT+CFUN?";
	e.fake->canned[0].answer = "\r\n+CEREG: 5\r\n\r\n+CFUN: 1\r\n\r\nOK\r\n";
	mcred_options_init(&o);
	o.timeout_ms = 500;
	o.auto_offline = 1;
	o.trace_cb = on_trace;
	o.urc_cb = on_urc;
	o.cancel_cb = on_cancel;
	o.trace_user = o.urc_user = o.cancel_user = &e;
	t = fake_modem_transport(e.fake);
	assert_int_equal(mcred_modem_open_transport(&e.m, &t, &o, NULL), MCRED_OK);

	/* the outer operation: offline, write, verify, back online */
	assert_int_equal(mcred_cmng_write(e.m, 12, 0, cert, strlen(cert), NULL, MCRED_WRITE_VERIFY),
			 MCRED_OK);
	assert_int_equal(mcred_modem_error(e.m)->code, MCRED_OK);
	assert_int_equal(mcred_modem_last_change(e.m), MCRED_CHANGE_MADE);
	assert_int_equal(e.fake->cfun, 1);
	assert_true(e.calls > 0);
	assert_int_equal(e.not_refused, 0);
	assert_int_equal(e.sent, 0);
	assert_int_equal(e.urc_changed, 0);
	assert_int_equal(e.fake->ncreds, 1);
	assert_int_equal(e.fake->creds[0].tag, 12);

	/* and the handle is in step afterwards */
	e.where = (enum which_cb) - 1;
	assert_int_equal(mcred_cmng_exists(e.m, 12, 0, &exists, NULL), MCRED_OK);
	assert_int_equal(exists, 1);
	mcred_modem_free(e.m);
	fake_modem_free(e.fake);
}

static void test_handle_used_from_trace_cb_is_refused(void **state)
{
	(void)state;
	run_with_nested_calls(IN_TRACE);
}

static void test_handle_used_from_urc_cb_is_refused(void **state)
{
	(void)state;
	run_with_nested_calls(IN_URC);
}

static void test_handle_used_from_cancel_cb_is_refused(void **state)
{
	(void)state;
	run_with_nested_calls(IN_CANCEL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_handle_used_from_trace_cb_is_refused),
		cmocka_unit_test(test_handle_used_from_urc_cb_is_refused),
		cmocka_unit_test(test_handle_used_from_cancel_cb_is_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
