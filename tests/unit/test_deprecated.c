/*
 * The deprecated names of 0.1.0 (the last section of modemcred.h) still
 * link and give exactly what their new names give: same result code, same
 * message, same answer, same report. Against the fake modem of
 * tests/unit/support and the fixtures of tests/fixtures.
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
#include "support/fixtures.h"
#include "support/structs.h"

/* Every getter of two reports agrees (the deprecated ones included). */
static void assert_same_report(const mcred_report *a, const mcred_report *b)
{
	size_t alen = 0, blen = 0;
	const uint8_t *abody = mcred_report_body(a, &alen), *bbody = mcred_report_body(b, &blen);

	assert_int_equal(mcred_report_kind(a), mcred_report_kind(b));
	assert_int_equal(mcred_report_ok(a), mcred_report_ok(b));
	assert_string_equal(mcred_report_device_uuid(a), mcred_report_device_uuid(b));
	assert_int_equal(mcred_report_payload_id(a), mcred_report_payload_id(b));
	assert_int_equal(mcred_report_payload_id_check(a), mcred_report_payload_id_check(b));
	assert_int_equal(mcred_report_sec_tag_check(a), mcred_report_sec_tag_check(b));
	assert_int_equal(mcred_report_digest_check(a), mcred_report_digest_check(b));
	assert_int_equal(mcred_report_csr_signature_check(a), mcred_report_csr_signature_check(b));
	assert_int_equal(mcred_report_cose_signature_check(a),
			 mcred_report_cose_signature_check(b));
	assert_int_equal(alen, blen);
	assert_memory_equal(abody, bbody, alen);
	/* the old getter names */
	assert_int_equal(mcred_report_csr_signature(a), mcred_report_csr_signature_check(a));
	assert_int_equal(mcred_report_cose_signature(a), mcred_report_cose_signature_check(a));
}

static void verify_keygen_alias(void **state)
{
	char *blob = fixture_read_blob("keygen_csr.txt");
	char *pem = fixture_read("identity_pub.pem", NULL);
	struct mcred_verify_options vo;
	struct mcred_error e1, e2;
	mcred_report *r1 = NULL, *r2 = NULL;

	(void)state;
	mcred_verify_options_init(&vo);
	vo.identity_key_pem = pem;
	assert_int_equal(mcred_verify_keygen(blob, strlen(blob), &vo, &r1, &e1), MCRED_OK);
	assert_int_equal(mcred_keygen_verify(blob, strlen(blob), &vo, &r2, &e2), MCRED_OK);
	/* the checks ran: the alias is no stub */
	assert_int_equal(mcred_report_csr_signature(r1), MCRED_CHECK_VALID);
	assert_int_equal(mcred_report_cose_signature(r1), MCRED_CHECK_VALID);
	assert_same_report(r1, r2);
	mcred_report_free(r1);
	mcred_report_free(r2);
	/* undecodable: the same error and message */
	assert_int_equal(mcred_verify_keygen("x.y", 3, NULL, &r1, &e1),
			 mcred_keygen_verify("x.y", 3, NULL, &r2, &e2));
	assert_int_equal(e1.code, MCRED_ERR_DECODE);
	assert_string_equal(e1.message, e2.message);
	free(pem);
	free(blob);
}

static void verify_attest_alias(void **state)
{
	char *blob = fixture_read_blob("attest.txt");
	struct mcred_error e1, e2;
	mcred_report *r1 = NULL, *r2 = NULL;

	(void)state;
	assert_int_equal(mcred_verify_attest(blob, strlen(blob), NULL, &r1, &e1), MCRED_OK);
	assert_int_equal(mcred_attest_verify(blob, strlen(blob), NULL, &r2, &e2), MCRED_OK);
	assert_int_equal(mcred_report_kind(r1), MCRED_REPORT_ATTESTATION);
	assert_same_report(r1, r2);
	mcred_report_free(r1);
	mcred_report_free(r2);
	free(blob);
}

/* One fake modem answering prefix with answer; its handle in *m. */
static struct fake_modem *fake_with(const char *prefix, const char *answer, mcred_modem **m)
{
	struct fake_modem *f = fake_modem_new();
	struct mcred_transport t = fake_modem_transport(f);
	struct mcred_error e;

	assert_non_null(f);
	f->cfun = 4;
	f->canned[0].prefix = prefix;
	f->canned[0].answer = answer;
	if (mcred_modem_open_transport(m, &t, NULL, &e) != MCRED_OK)
		fail_msg("open_transport: %s", e.message);
	return f;
}

static void keygen_alias(void **state)
{
	struct mcred_keygen_request req = keygen_req(11, MCRED_KEYGEN_CSR, NULL, NULL);
	char *fixture = fixture_read_blob("keygen_csr.txt");
	char answer[4096], *b1 = NULL, *b2 = NULL;
	mcred_modem *m;
	struct fake_modem *f;

	(void)state;
	snprintf(answer, sizeof(answer), "\r\n%%KEYGEN: \"%s\"\r\n\r\nOK\r\n", fixture);
	f = fake_with("AT%KEYGEN=11,2,0", answer, &m);
	assert_int_equal(mcred_keygen(m, &req, &b1), MCRED_OK);
	assert_int_equal(mcred_keygen_run(m, &req, &b2), MCRED_OK);
	assert_string_equal(b1, fixture);
	assert_string_equal(b1, b2);
	assert_int_equal(fake_modem_count_sent(f, "AT%KEYGEN=11,2,0"), 2);
	free(b1);
	free(b2);
	/* a bad request: the same error, nothing sent */
	req.tag = 0;
	assert_int_equal(mcred_keygen(m, &req, &b1), MCRED_ERR_INVALID_ARG);
	assert_int_equal(mcred_keygen_run(m, &req, &b2), MCRED_ERR_INVALID_ARG);
	assert_null(b1);
	assert_null(b2);
	assert_int_equal(fake_modem_count_sent(f, "AT%KEYGEN=0,2,0"), 0);
	mcred_modem_free(m);
	fake_modem_free(f);
	free(fixture);
}

static void attest_token_alias(void **state)
{
	char *fixture = fixture_read_blob("attest.txt");
	char answer[4096], *b1 = NULL, *b2 = NULL;
	char msg[512];
	mcred_modem *m;
	struct fake_modem *f;

	(void)state;
	snprintf(answer, sizeof(answer), "\r\n%%ATTESTTOKEN: \"%s\"\r\n\r\nOK\r\n", fixture);
	f = fake_with("AT%ATTESTTOKEN", answer, &m);
	assert_int_equal(mcred_attest_token(m, NULL, &b1), MCRED_OK);
	assert_int_equal(mcred_attest_run(m, NULL, &b2), MCRED_OK);
	assert_string_equal(b1, fixture);
	assert_string_equal(b1, b2);
	free(b1);
	free(b2);
	assert_int_equal(mcred_attest_token(m, "0123", &b1), MCRED_ERR_INVALID_ARG);
	snprintf(msg, sizeof(msg), "%s", mcred_modem_error(m)->message);
	assert_int_equal(mcred_attest_run(m, "0123", &b2), MCRED_ERR_INVALID_ARG);
	assert_string_equal(msg, mcred_modem_error(m)->message);
	mcred_modem_free(m);
	fake_modem_free(f);
	free(fixture);
}

static void ports_aliases(void **state)
{
	struct mcred_port_list *l1 = NULL, *l2 = NULL;
	struct mcred_error e1, e2;
	char n1[128] = "", n2[128] = "";
	size_t i;

	(void)state;
	assert_int_equal(mcred_ports_list(&l1, &e1), mcred_port_list_get(&l2, &e2));
	if (l1 && l2) {
		assert_int_equal(l1->count, l2->count);
		for (i = 0; i < l1->count; i++)
			assert_string_equal(l1->ports[i]->name, l2->ports[i]->name);
	}
	mcred_port_list_free(l1);
	mcred_port_list_free(l2);
	assert_int_equal(mcred_ports_find_kit(n1, sizeof(n1), &e1),
			 mcred_port_find_kit(n2, sizeof(n2), &e2));
	assert_string_equal(n1, n2);
	assert_string_equal(e1.message, e2.message);
	assert_int_equal(mcred_ports_list(NULL, &e1), MCRED_ERR_INVALID_ARG);
	assert_int_equal(mcred_ports_find_kit(NULL, 0, &e1), MCRED_ERR_INVALID_ARG);
}

/*
 * mcred_content_digest() is not an alias of mcred_cmng_write_digest(): it
 * never dropped a PSK's trailing line break. Both other cases agree.
 */
static void content_digest(void **state)
{
	char old[65], now[65];

	(void)state;
	assert_int_equal(mcred_content_digest("x\r\ny\r\n", 6, 0, old), MCRED_OK);
	assert_int_equal(mcred_cmng_read_digest("x\r\ny\r\n", 6, now), MCRED_OK);
	assert_string_equal(old, now);
	/* normalised: what a write of a certificate stores */
	assert_int_equal(mcred_content_digest("x\r\ny\r\n", 6, 1, old), MCRED_OK);
	assert_int_equal(mcred_cmng_write_digest(MCRED_TYPE_CA_CERT, "x\r\ny\r\n", 6, NULL, now,
						 NULL),
			 MCRED_OK);
	assert_string_equal(old, now);
	/* a PSK: the write drops the line break, the old function did not */
	assert_int_equal(mcred_content_digest("00ff\n", 5, 1, old), MCRED_OK);
	assert_int_equal(mcred_cmng_write_digest(MCRED_TYPE_PSK, "00ff\n", 5, NULL, now, NULL),
			 MCRED_OK);
	assert_string_not_equal(old, now);
	assert_int_equal(mcred_content_digest(NULL, 3, 1, old), MCRED_ERR_INVALID_ARG);
	assert_int_equal(mcred_content_digest("x", 1, 1, NULL), MCRED_ERR_INVALID_ARG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(verify_keygen_alias), cmocka_unit_test(verify_attest_alias),
		cmocka_unit_test(keygen_alias),        cmocka_unit_test(attest_token_alias),
		cmocka_unit_test(ports_aliases),       cmocka_unit_test(content_digest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
