/*
 * %KEYGEN / %ATTESTTOKEN requests: the validation rules of
 * mcred_keygen_check(), and the exact commands mcred_keygen_run() and
 * mcred_attest_run() send, through a scripted fake transport that answers
 * with fixture blobs (tests/fixtures, or $MCRED_FIXTURES).
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
#include "support/fixtures.h"
#include "support/structs.h"

/* ---- mcred_keygen_check ----------------------------------------------------- */

static enum mcred_err check(uint32_t tag, enum mcred_keygen_kind kind, const char *attrs,
			    const char *ku, struct mcred_error *e)
{
	struct mcred_keygen_request req = keygen_req(tag, kind, attrs, ku);

	return mcred_keygen_check(&req, e);
}

static void check_accepts(void **state)
{
	struct mcred_error e;

	(void)state;
	assert_int_equal(check(1, MCRED_KEYGEN_CSR, NULL, NULL, &e), MCRED_OK);
	assert_int_equal(check(2147483647u, MCRED_KEYGEN_PUBKEY, NULL, NULL, &e), MCRED_OK);
	assert_int_equal(check(33, MCRED_KEYGEN_ENDORSEMENT, NULL, NULL, &e), MCRED_OK);
	assert_int_equal(check(11, MCRED_KEYGEN_CSR, "O=Nordic Semiconductor,L=Trondheim,C=no",
			       "101010000", &e),
			 MCRED_OK);
	assert_int_equal(check(11, MCRED_KEYGEN_CSR, NULL, "111010000", &e), MCRED_OK);
	assert_int_equal(check(11, MCRED_KEYGEN_CSR,
			       "CN=a,L=b,ST=c,O=d,OU=e,C=f,DC=g,SN=h,GN=i,R=j@k", NULL, &e),
			 MCRED_OK);
	assert_int_equal(check(11, MCRED_KEYGEN_CSR,
			       "commonName=x,locality=x,localityName=x,stateOrProvinceName=x,"
			       "organizationName=x,organizationalUnitName=x,countryName=x,"
			       "domainComponent=x,surName=x,surname=x,givenName=x,"
			       "emailAddress=x,serialNumber=x,postalAddress=x,postalCode=x,"
			       "dnQualifier=x,title=x,initials=x,pseudonym=x,"
			       "generationQualifier=x",
			       NULL, &e),
			 MCRED_OK);
	assert_int_equal(check(11, MCRED_KEYGEN_CSR, "CN=with spaces & =signs!", NULL, &e),
			 MCRED_OK);
	assert_int_equal(check(11, MCRED_KEYGEN_CSR, NULL, NULL, NULL), MCRED_OK);
}

static void expect_reject(uint32_t tag, enum mcred_keygen_kind kind, const char *attrs,
			  const char *ku, const char *words)
{
	struct mcred_error e;

	memset(&e, 0, sizeof(e));
	assert_int_equal(check(tag, kind, attrs, ku, &e), MCRED_ERR_INVALID_ARG);
	assert_int_equal(e.code, MCRED_ERR_INVALID_ARG);
	if (!strstr(e.message, words))
		fail_msg("message \"%s\" lacks \"%s\"", e.message, words);
}

static void check_rejects(void **state)
{
	(void)state;
	expect_reject(0, MCRED_KEYGEN_CSR, NULL, NULL, "1-2147483647");
	expect_reject(2147483648u, MCRED_KEYGEN_CSR, NULL, NULL, "1-2147483647");
	expect_reject(4294967295u, MCRED_KEYGEN_PUBKEY, NULL, NULL, "out of range");
	expect_reject(5, (enum mcred_keygen_kind)7, NULL, NULL, "kind");
	expect_reject(5, MCRED_KEYGEN_PUBKEY, "CN=x", NULL, "CSR only");
	expect_reject(5, MCRED_KEYGEN_ENDORSEMENT, NULL, "101010000", "CSR only");
	expect_reject(5, MCRED_KEYGEN_CSR, "", NULL, "empty");
	expect_reject(5, MCRED_KEYGEN_CSR, "CN", NULL, "NAME=VALUE");
	expect_reject(5, MCRED_KEYGEN_CSR, "=x", NULL, "NAME=VALUE");
	expect_reject(5, MCRED_KEYGEN_CSR, "CN=", NULL, "empty value");
	expect_reject(5, MCRED_KEYGEN_CSR, "CN=a,", NULL, "empty item");
	expect_reject(5, MCRED_KEYGEN_CSR, "CN=a,,O=b", NULL, "empty item");
	expect_reject(5, MCRED_KEYGEN_CSR, "XX=a", NULL, "not supported");
	expect_reject(5, MCRED_KEYGEN_CSR, "cn=a", NULL, "not supported");
	expect_reject(5, MCRED_KEYGEN_CSR, "emailaddress=a", NULL, "not supported");
	expect_reject(5, MCRED_KEYGEN_CSR, "CN=a\"b", NULL, "printable ASCII");
	expect_reject(5, MCRED_KEYGEN_CSR, "CN=a\nb", NULL, "printable ASCII");
	expect_reject(5, MCRED_KEYGEN_CSR, "CN=\xc3\xa6", NULL, "printable ASCII");
	expect_reject(5, MCRED_KEYGEN_CSR, NULL, "10101000", "exactly 9");
	expect_reject(5, MCRED_KEYGEN_CSR, NULL, "1010100000", "exactly 9");
	expect_reject(5, MCRED_KEYGEN_CSR, NULL, "", "exactly 9");
	expect_reject(5, MCRED_KEYGEN_CSR, NULL, "10101000x", "0/1");
	expect_reject(5, MCRED_KEYGEN_CSR, NULL, "101010001", "decipherOnly");
	assert_int_equal(mcred_keygen_check(NULL, NULL), MCRED_ERR_INVALID_ARG);
}

/* ---- a scripted modem ---------------------------------------------------------- */

#define CAP 65536

struct fake {
	char rx[CAP];
	size_t rx_len, rx_pos;
	char line[4096]; /* command being received */
	size_t line_len;
	char commands[16][4096]; /* every command received, in order */
	int count;
	const char *expect; /* the %KEYGEN / %ATTESTTOKEN command expected */
	const char *reply;  /* the answer to it */
	/*
	 * A Ctrl-C while the modem generates the key: the expected command
	 * raises cancel, and its answer comes a few empty reads later.
	 */
	int cancel_on_expect;
	int cancel;
	const char *held;
	int held_reads;
};

static void queue(struct fake *f, const char *s)
{
	size_t n = strlen(s);

	assert_true(f->rx_len + n <= CAP);
	memcpy(f->rx + f->rx_len, s, n);
	f->rx_len += n;
}

/* Answer one complete command the way an nRF91 would. */
static void answer(struct fake *f, const char *cmd)
{
	assert_true(f->count < 16);
	snprintf(f->commands[f->count++], sizeof(f->commands[0]), "%s", cmd);
	if (strcmp(cmd, "AT+CMEE?") == 0)
		queue(f, "\r\n+CMEE: 1\r\n\r\nOK\r\n");
	else if (strncmp(cmd, "AT+CMEE=", 8) == 0)
		queue(f, "\r\nOK\r\n");
	else if (strcmp(cmd, "AT+CFUN?") == 0)
		queue(f, "\r\n+CFUN: 4\r\n\r\nOK\r\n");
	else if (f->expect && strcmp(cmd, f->expect) == 0 && f->cancel_on_expect) {
		f->cancel = 1;
		f->held = f->reply;
		f->held_reads = 3;
	} else if (f->expect && strcmp(cmd, f->expect) == 0)
		queue(f, f->reply);
	else
		queue(f, "\r\nERROR\r\n");
}

static int fake_write(void *user, const uint8_t *buf, size_t len, unsigned timeout_ms)
{
	struct fake *f = user;
	size_t i;

	(void)timeout_ms;
	for (i = 0; i < len; i++) {
		if (buf[i] == '\n')
			continue;
		if (buf[i] == '\r') {
			f->line[f->line_len] = '\0';
			answer(f, f->line);
			f->line_len = 0;
			continue;
		}
		assert_true(f->line_len + 1 < sizeof(f->line));
		f->line[f->line_len++] = (char)buf[i];
	}
	return (int)len;
}

static int fake_read(void *user, uint8_t *buf, size_t len, unsigned timeout_ms)
{
	struct fake *f = user;
	size_t n = f->rx_len - f->rx_pos;
	struct timespec ts = { 0, 1000000L };

	(void)timeout_ms;
	if (n == 0 && f->held && --f->held_reads <= 0) {
		queue(f, f->held);
		f->held = NULL;
		n = f->rx_len - f->rx_pos;
	}
	if (n == 0) {
		nanosleep(&ts, NULL);
		return 0;
	}
	if (n > len)
		n = len;
	memcpy(buf, f->rx + f->rx_pos, n);
	f->rx_pos += n;
	return (int)n;
}

static int fake_cancel(void *user)
{
	return ((struct fake *)user)->cancel;
}

static mcred_modem *open_fake(struct fake *f)
{
	struct mcred_transport t = transport_of(fake_read, fake_write, NULL, f);
	struct mcred_options o;
	mcred_modem *m = NULL;
	struct mcred_error e;

	mcred_options_init(&o);
	o.timeout_ms = 2000;
	o.cancel_cb = fake_cancel;
	o.cancel_user = f;
	if (mcred_modem_open_transport(&m, &t, &o, &e) != MCRED_OK)
		fail_msg("open_transport: %s", e.message);
	return m;
}

/* Run one keygen against the fake: command expected, answer given. */
static enum mcred_err run_keygen(const struct mcred_keygen_request *req, const char *expect,
				 const char *reply, char **blob, struct fake **out_f,
				 mcred_modem **out_m)
{
	struct fake *f = calloc(1, sizeof(*f));
	mcred_modem *m;

	f->expect = expect;
	f->reply = reply;
	m = open_fake(f);
	*out_f = f;
	*out_m = m;
	return mcred_keygen_run(m, req, blob);
}

static int sent(const struct fake *f, const char *cmd)
{
	int i;

	for (i = 0; i < f->count; i++)
		if (strcmp(f->commands[i], cmd) == 0)
			return 1;
	return 0;
}

/* what mcred_keygen_request_init() sets: a static table cannot call it */
#define REQ_SIZE sizeof(struct mcred_keygen_request)

static void keygen_commands(void **state)
{
	static const struct {
		struct mcred_keygen_request req;
		const char *cmd;
	} cases[] = {
		{ { REQ_SIZE, 11, MCRED_KEYGEN_CSR, NULL, NULL }, "AT%KEYGEN=11,2,0" },
		{ { REQ_SIZE, 11, MCRED_KEYGEN_CSR, NULL, "101010000" },
		  "AT%KEYGEN=11,2,0,,\"101010000\"" },
		{ { REQ_SIZE, 11, MCRED_KEYGEN_CSR, "O=Nordic Semiconductor,L=Trondheim,C=no",
		    "101010000" },
		  "AT%KEYGEN=11,2,0,\"O=Nordic Semiconductor,L=Trondheim,C=no\",\"101010000\"" },
		{ { REQ_SIZE, 12, MCRED_KEYGEN_CSR, "CN=dev", NULL },
		  "AT%KEYGEN=12,2,0,\"CN=dev\"" },
		{ { REQ_SIZE, 2147483647u, MCRED_KEYGEN_PUBKEY, NULL, NULL },
		  "AT%KEYGEN=2147483647,2,1" },
		{ { REQ_SIZE, 33, MCRED_KEYGEN_ENDORSEMENT, NULL, NULL }, "AT%KEYGEN=33,8,1" },
	};
	char *fixture = fixture_read_blob("keygen_csr.txt");
	char reply[2048];
	size_t i;

	(void)state;
	snprintf(reply, sizeof(reply), "\r\n%%KEYGEN: \"%s\"\r\n\r\nOK\r\n", fixture);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fake *f;
		mcred_modem *m;
		char *blob = NULL;
		enum mcred_err rc = run_keygen(&cases[i].req, cases[i].cmd, reply, &blob, &f, &m);

		if (rc != MCRED_OK)
			fail_msg("case %zu: %d %s (sent %s)", i, rc, mcred_modem_error(m)->message,
				 f->count ? f->commands[f->count - 1] : "nothing");
		assert_true(sent(f, cases[i].cmd));
		assert_string_equal(blob, fixture);
		free(blob);
		mcred_modem_free(m);
		free(f);
	}
	free(fixture);
}

/* The spec's wrapped answer comes through and verifies. */
static void keygen_wrapped_answer(void **state)
{
	struct mcred_keygen_request req = keygen_req(11, MCRED_KEYGEN_CSR,
						     "O=Nordic Semiconductor,L=Trondheim,C=no",
						     "101010000");
	char *fixture = fixture_read_blob("spec_keygen_example.txt");
	char reply[4096];
	struct fake *f;
	mcred_modem *m;
	char *blob = NULL;
	mcred_report *r = NULL;
	struct mcred_verify_options o;
	struct mcred_error e;

	(void)state;
	snprintf(reply, sizeof(reply), "\r\n%s\r\n\r\nOK\r\n", fixture);
	assert_int_equal(run_keygen(&req,
				    "AT%KEYGEN=11,2,0,\"O=Nordic Semiconductor,L=Trondheim,"
				    "C=no\",\"101010000\"",
				    reply, &blob, &f, &m),
			 MCRED_OK);
	assert_non_null(blob);
	assert_null(strchr(blob, '"'));
	mcred_verify_options_init(&o);
	o.expected_tag = 11;
	assert_int_equal(mcred_keygen_verify(blob, strlen(blob), &o, &r, &e), MCRED_OK);
	assert_true(mcred_report_ok(r));
	assert_int_equal(mcred_report_sec_tag_check(r), MCRED_CHECK_VALID);
	mcred_report_free(r);
	free(blob);
	mcred_modem_free(m);
	free(f);
	free(fixture);
}

static void expect_failure(const char *reply, enum mcred_err code, int cme, const char *words)
{
	struct mcred_keygen_request req = keygen_req(11, MCRED_KEYGEN_CSR, NULL, NULL);
	struct fake *f;
	mcred_modem *m;
	char *blob = (char *)1;
	enum mcred_err rc = run_keygen(&req, "AT%KEYGEN=11,2,0", reply, &blob, &f, &m);

	assert_int_equal(rc, code);
	assert_null(blob);
	if (cme >= 0)
		assert_int_equal(mcred_modem_cme(m), cme);
	if (!strstr(mcred_modem_error(m)->message, words))
		fail_msg("message \"%s\" lacks \"%s\"", mcred_modem_error(m)->message, words);
	mcred_modem_free(m);
	free(f);
}

static void keygen_errors(void **state)
{
	(void)state;
	expect_failure("\r\n+CME ERROR: 514\r\n", MCRED_ERR_CME, 514, "not allowed");
	expect_failure("\r\n+CME ERROR: 515\r\n", MCRED_ERR_CME, 515, "memory full");
	expect_failure("\r\n+CME ERROR: 518\r\n", MCRED_ERR_CME, 518, "CFUN=4");
	expect_failure("\r\n+CME ERROR: 519\r\n", MCRED_ERR_CME, 519, "already holds a key");
	expect_failure("\r\n+CME ERROR: 523\r\n", MCRED_ERR_CME, 523, "retry");
	expect_failure("\r\nERROR\r\n", MCRED_ERR_MODEM, -1, "1.3.0");
	expect_failure("\r\nOK\r\n", MCRED_ERR_PROTOCOL, -1, "%KEYGEN");
}

/* %ATTESTTOKEN's CME codes get their general meaning: it names no tag and makes no key. */
static void attest_errors_have_no_keygen_hints(void **state)
{
	static const int codes[] = { 514, 519 };
	struct fake *f;
	mcred_modem *m;
	char *blob;

	(void)state;
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		char reply[32];
		const char *msg;

		snprintf(reply, sizeof(reply), "\r\n+CME ERROR: %d\r\n", codes[i]);
		f = calloc(1, sizeof(*f));
		f->expect = "AT%ATTESTTOKEN";
		f->reply = reply;
		m = open_fake(f);
		blob = NULL;
		assert_int_equal(mcred_attest_run(m, NULL, &blob), MCRED_ERR_CME);
		assert_null(blob);
		assert_int_equal(mcred_modem_cme(m), codes[i]);
		msg = mcred_modem_error(m)->message;
		if (strstr(msg, "tag") || strstr(msg, "key") || !strstr(msg, "%ATTESTTOKEN"))
			fail_msg("message: %s", msg);
		mcred_modem_free(m);
		free(f);
	}
}

/* A bad request sends nothing at all. */
static void keygen_invalid_sends_nothing(void **state)
{
	struct mcred_keygen_request req = keygen_req(0, MCRED_KEYGEN_CSR, NULL, NULL);
	struct fake *f;
	mcred_modem *m;
	char *blob = NULL;

	(void)state;
	assert_int_equal(run_keygen(&req, NULL, NULL, &blob, &f, &m), MCRED_ERR_INVALID_ARG);
	assert_int_equal(f->count, 0);
	assert_non_null(strstr(mcred_modem_error(m)->message, "1-2147483647"));
	assert_int_equal(mcred_keygen_run(m, &req, NULL), MCRED_ERR_INVALID_ARG);
	assert_int_equal(mcred_keygen_run(NULL, &req, &blob), MCRED_ERR_INVALID_ARG);
	mcred_modem_free(m);
	free(f);
}

static void attest_commands(void **state)
{
	char *fixture = fixture_read_blob("attest.txt");
	char reply[2048];
	const char *challenge = "0123456789abcdefABCDEF0123456789";
	struct fake *f = calloc(1, sizeof(*f));
	mcred_modem *m = open_fake(f);
	char *blob = NULL;
	mcred_report *r = NULL;
	struct mcred_error e;

	(void)state;
	snprintf(reply, sizeof(reply), "\r\n%%ATTESTTOKEN: \"%s\"\r\n\r\nOK\r\n", fixture);
	f->reply = reply;
	f->expect = "AT%ATTESTTOKEN";
	assert_int_equal(mcred_attest_run(m, NULL, &blob), MCRED_OK);
	assert_string_equal(blob, fixture);
	assert_int_equal(mcred_attest_verify(blob, strlen(blob), NULL, &r, &e), MCRED_OK);
	assert_string_equal(mcred_report_device_type_name(r), "nRF9160 SICA");
	mcred_report_free(r);
	free(blob);

	f->expect = "AT%ATTESTTOKEN=\"0123456789abcdefABCDEF0123456789\"";
	assert_int_equal(mcred_attest_run(m, challenge, &blob), MCRED_OK);
	assert_true(sent(f, f->expect));
	assert_string_equal(blob, fixture);
	free(blob);

	/* Bad challenges: nothing sent. */
	f->count = 0;
	assert_int_equal(mcred_attest_run(m, "0123", &blob), MCRED_ERR_INVALID_ARG);
	assert_null(blob);
	assert_int_equal(mcred_attest_run(m, "0123456789abcdef0123456789abcdeg", &blob),
			 MCRED_ERR_INVALID_ARG);
	assert_int_equal(mcred_attest_run(m, "0123456789abcdef0123456789abcdef0", &blob),
			 MCRED_ERR_INVALID_ARG);
	assert_non_null(strstr(mcred_modem_error(m)->message, "32 hex"));
	assert_int_equal(f->count, 0);

	/* The modem refuses. */
	f->expect = NULL;
	assert_int_equal(mcred_attest_run(m, NULL, &blob), MCRED_ERR_MODEM);
	assert_null(blob);
	mcred_modem_free(m);
	free(f);
	free(fixture);
}

/*
 * Ctrl-C while the modem generates the key: its answer is still awaited and
 * handed back with MCRED_ERR_CANCELLED, so the key never stays without its
 * CSR (issue 13).
 */
static void keygen_cancelled_while_generating_keeps_the_answer(void **state)
{
	char *fixture = fixture_read_blob("keygen_csr.txt");
	struct mcred_keygen_request req;
	struct fake *f = calloc(1, sizeof(*f));
	mcred_modem *m;
	char *blob = NULL;
	char reply[2048];

	(void)state;
	snprintf(reply, sizeof(reply), "\r\n%%KEYGEN: \"%s\"\r\n\r\nOK\r\n", fixture);
	mcred_keygen_request_init(&req);
	req.tag = 11;
	f->expect = "AT%KEYGEN=11,2,0";
	f->reply = reply;
	f->cancel_on_expect = 1;
	m = open_fake(f);
	assert_int_equal(mcred_keygen_run(m, &req, &blob), MCRED_ERR_CANCELLED);
	assert_non_null(blob);
	assert_string_equal(blob, fixture);
	assert_int_equal(mcred_modem_last_change(m), MCRED_CHANGE_MADE);
	free(blob);
	mcred_modem_free(m);
	free(f);
	free(fixture);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(check_accepts),
		cmocka_unit_test(check_rejects),
		cmocka_unit_test(keygen_commands),
		cmocka_unit_test(keygen_wrapped_answer),
		cmocka_unit_test(keygen_errors),
		cmocka_unit_test(attest_errors_have_no_keygen_hints),
		cmocka_unit_test(keygen_invalid_sends_nothing),
		cmocka_unit_test(keygen_cancelled_while_generating_keeps_the_answer),
		cmocka_unit_test(attest_commands),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
