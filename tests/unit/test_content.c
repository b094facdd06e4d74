/*
 * The file is what the type says (mcred_cmng_check_content(),
 * mcred_pem_find()): every form of certificate and key made here with
 * OpenSSL, and every wrong one refused with a message that names what it is
 * and quotes nothing of it; and content that holds a private key stays out
 * of traces whatever type it is written as.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "modemcred.h"
#include "support/fake_modem.h"

#define PASSWORD "secret-pass"

/* ---- material, made once ----------------------------------------------------- */

static struct {
	char *cert, *cert2;       /* self-signed certificates (P-256) */
	char *key_pkcs8;          /* PRIVATE KEY */
	char *key_sec1;           /* EC PRIVATE KEY */
	char *key_params;         /* EC PARAMETERS + EC PRIVATE KEY, as `openssl ecparam -genkey` */
	char *key_rsa;            /* RSA PRIVATE KEY */
	char *key_encrypted;      /* ENCRYPTED PRIVATE KEY, PASSWORD */
	char *key_legacy;         /* EC PRIVATE KEY with Proc-Type: 4,ENCRYPTED */
	char *csr, *pubkey;       /* CERTIFICATE REQUEST, PUBLIC KEY */
	EVP_PKEY *ec, *ec2, *rsa; /* the keys */
} m;

static char *bio_text(BIO *b)
{
	char *data;
	long n = BIO_get_mem_data(b, &data);
	char *copy = malloc((size_t)n + 1);

	assert_non_null(copy);
	memcpy(copy, data, (size_t)n);
	copy[n] = '\0';
	BIO_free(b);
	return copy;
}

static char *cat(const char *a, const char *b)
{
	char *s = malloc(strlen(a) + strlen(b) + 1);

	assert_non_null(s);
	strcpy(s, a);
	strcat(s, b);
	return s;
}

static X509 *self_signed(EVP_PKEY *key, const char *cn)
{
	X509 *x = X509_new();

	assert_non_null(x);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_set_pubkey(x, key);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
				   (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(x));
	assert_true(X509_sign(x, key, EVP_sha256()) > 0);
	return x;
}

static char *cert_pem(EVP_PKEY *key, const char *cn)
{
	BIO *b = BIO_new(BIO_s_mem());
	X509 *x = self_signed(key, cn);

	assert_true(PEM_write_bio_X509(b, x));
	X509_free(x);
	return bio_text(b);
}

static char *csr_pem(EVP_PKEY *key)
{
	BIO *b = BIO_new(BIO_s_mem());
	X509_REQ *r = X509_REQ_new();

	X509_REQ_set_pubkey(r, key);
	assert_true(X509_REQ_sign(r, key, EVP_sha256()) > 0);
	assert_true(PEM_write_bio_X509_REQ(b, r));
	X509_REQ_free(r);
	return bio_text(b);
}

static int make_material(void **state)
{
	BIO *b;

	(void)state;
	m.ec = EVP_EC_gen("P-256");
	m.ec2 = EVP_EC_gen("P-256");
	m.rsa = EVP_RSA_gen(2048);
	assert_non_null(m.ec);
	assert_non_null(m.ec2);
	assert_non_null(m.rsa);
	m.cert = cert_pem(m.ec, "device-1");
	m.cert2 = cert_pem(m.ec2, "Test Root CA");
	b = BIO_new(BIO_s_mem());
	assert_true(PEM_write_bio_PrivateKey(b, m.ec, NULL, NULL, 0, NULL, NULL));
	m.key_pkcs8 = bio_text(b);
	b = BIO_new(BIO_s_mem());
	assert_true(PEM_write_bio_PrivateKey_traditional(b, m.ec, NULL, NULL, 0, NULL, NULL));
	m.key_sec1 = bio_text(b);
	m.key_params = cat("-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n"
			   "-----END EC PARAMETERS-----\n",
			   m.key_sec1);
	b = BIO_new(BIO_s_mem());
	assert_true(PEM_write_bio_PrivateKey_traditional(b, m.rsa, NULL, NULL, 0, NULL, NULL));
	m.key_rsa = bio_text(b);
	b = BIO_new(BIO_s_mem());
	assert_true(PEM_write_bio_PKCS8PrivateKey(b, m.ec, EVP_aes_256_cbc(), NULL, 0, NULL,
						  (void *)PASSWORD));
	m.key_encrypted = bio_text(b);
	b = BIO_new(BIO_s_mem());
	assert_true(PEM_write_bio_PrivateKey_traditional(b, m.ec, EVP_aes_256_cbc(),
							 (unsigned char *)PASSWORD,
							 (int)strlen(PASSWORD), NULL, NULL));
	m.key_legacy = bio_text(b);
	m.csr = csr_pem(m.ec);
	b = BIO_new(BIO_s_mem());
	assert_true(PEM_write_bio_PUBKEY(b, m.ec));
	m.pubkey = bio_text(b);
	/* what was made is what the tests think it is */
	assert_non_null(strstr(m.key_sec1, "BEGIN EC PRIVATE KEY"));
	assert_non_null(strstr(m.key_rsa, "BEGIN RSA PRIVATE KEY"));
	assert_non_null(strstr(m.key_encrypted, "BEGIN ENCRYPTED PRIVATE KEY"));
	assert_non_null(strstr(m.key_legacy, "Proc-Type: 4,ENCRYPTED"));
	return 0;
}

static int free_material(void **state)
{
	char **texts[] = { &m.cert,    &m.cert2,         &m.key_pkcs8,  &m.key_sec1, &m.key_params,
			   &m.key_rsa, &m.key_encrypted, &m.key_legacy, &m.csr,      &m.pubkey };

	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		free(*texts[i]);
	EVP_PKEY_free(m.ec);
	EVP_PKEY_free(m.ec2);
	EVP_PKEY_free(m.rsa);
	return 0;
}

/* ---- helpers ---------------------------------------------------------------------- */

/*
 * A 16-character piece of the base64 body of pem (from its third line, or
 * its start when it is shorter): if a message or trace held any of the
 * content, it would hold such a piece.
 */
static void body_piece(const char *pem, char piece[17])
{
	const char *line = pem;

	for (int i = 0; i < 2 && line && strchr(line, '\n'); i++)
		line = strchr(line, '\n') + 1;
	if (!line || strlen(line) < 16)
		line = pem;
	snprintf(piece, 17, "%s", line);
}

static enum mcred_err check(int type, const char *content, const char *password,
			    struct mcred_error *e)
{
	memset(e, 0, sizeof(*e));
	return mcred_cmng_check_content(type, content, strlen(content), password, e);
}

static void assert_ok(int type, const char *content, const char *password)
{
	struct mcred_error e;
	enum mcred_err rc = check(type, content, password, &e);

	if (rc != MCRED_OK)
		fail_msg("type %d refused: %s", type, e.message);
	assert_int_equal(ERR_peek_error(), 0); /* OpenSSL's error queue left empty */
}

/* Refused (exit 2 material), saying word, quoting nothing of content. */
static void assert_refused(int type, const char *content, const char *password, const char *word)
{
	struct mcred_error e;
	char piece[17];
	enum mcred_err rc = check(type, content, password, &e);

	assert_int_equal(rc, MCRED_ERR_INVALID_ARG);
	assert_int_equal(e.code, MCRED_ERR_INVALID_ARG);
	if (!strstr(e.message, word))
		fail_msg("message \"%s\" lacks \"%s\"", e.message, word);
	body_piece(content, piece);
	if (strlen(piece) >= 8 && strstr(e.message, piece))
		fail_msg("message \"%s\" quotes the content", e.message);
	if (password && strstr(e.message, password))
		fail_msg("message \"%s\" quotes the password", e.message);
	assert_int_equal(ERR_peek_error(), 0);
}

/* ---- certificates: types 0 and 1 ------------------------------------------------------ */

static void test_certificates_accepted(void **state)
{
	char *chain = cat(m.cert, m.cert2);
	char *with_text = cat("subject=CN = device-1\nissuer=CN = device-1\n", m.cert);

	(void)state;
	assert_ok(0, m.cert, NULL);
	assert_ok(1, m.cert, NULL);
	assert_ok(0, chain, NULL);     /* a chain: one or more */
	assert_ok(0, with_text, NULL); /* text outside the blocks, as openssl x509 prints it */
	free(chain);
	free(with_text);
}

static void test_key_is_no_certificate(void **state)
{
	char *cert_and_key = cat(m.cert, m.key_pkcs8);

	(void)state;
	assert_refused(0, m.key_pkcs8, NULL, "holds a private key");
	assert_refused(0, m.key_pkcs8, NULL, "not a certificate");
	assert_refused(1, m.key_sec1, NULL, "holds a private key");
	assert_refused(0, m.key_encrypted, NULL, "holds a private key");
	assert_refused(1, m.key_rsa, NULL, "holds a private key");
	assert_refused(0, cert_and_key, NULL, "holds a private key");
	free(cert_and_key);
}

static void test_other_blocks_are_no_certificate(void **state)
{
	(void)state;
	assert_refused(1, m.csr, NULL, "certificate request");
	assert_refused(0, m.pubkey, NULL, "a public key");
	assert_refused(0, "hello, modem\n", NULL, "no PEM certificate");
}

/* pem with every "CERTIFICATE-----" relabelled "<label>-----" (malloc'd). */
static char *relabel(const char *pem, const char *label)
{
	const char *from = "CERTIFICATE-----";
	char *out = malloc(strlen(pem) * 2 + 64), *o = out;

	assert_non_null(out);
	for (const char *p = pem; *p;) {
		if (strncmp(p, from, strlen(from)) == 0) {
			o += sprintf(o, "%s-----", label);
			p += strlen(from);
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
	return out;
}

static void test_damaged_certificates(void **state)
{
	char *cut = strdup(m.cert), *broken = strdup(m.cert);
	char *trusted = relabel(m.cert, "TRUSTED CERTIFICATE");

	(void)state;
	*strstr(cut, "-----END") = '\0'; /* no END line */
	assert_refused(0, cut, NULL, "cut off");
	/* base64 that decodes to no certificate */
	memset(strchr(broken, '\n') + 1, 'A', 40);
	assert_refused(0, broken, NULL, "does not parse");
	/* OpenSSL's TRUSTED CERTIFICATE form: the modem reads BEGIN CERTIFICATE only */
	assert_refused(0, trusted, NULL, "convert it");
	free(cut);
	free(broken);
	free(trusted);
}

/* ---- keys: type 2 ---------------------------------------------------------------------- */

static void test_keys_accepted(void **state)
{
	(void)state;
	assert_ok(2, m.key_pkcs8, NULL);
	assert_ok(2, m.key_sec1, NULL);
	assert_ok(2, m.key_params, NULL);
	assert_ok(2, m.key_rsa, NULL);
	assert_ok(2, m.key_encrypted, PASSWORD);
}

static void test_encrypted_key_needs_its_password(void **state)
{
	(void)state;
	assert_refused(2, m.key_encrypted, NULL, "encrypted");
	assert_refused(2, m.key_encrypted, "wrong-pass", "does not decrypt");
	assert_refused(2, m.key_pkcs8, PASSWORD, "not encrypted");
	assert_refused(2, m.key_legacy, PASSWORD, "old OpenSSL way");
}

static void test_no_key_for_type_2(void **state)
{
	char *two = cat(m.key_pkcs8, m.key_sec1), *key_cert = cat(m.key_pkcs8, m.cert);
	const char ssh[] = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n"
			   "-----END OPENSSH PRIVATE KEY-----\n";

	(void)state;
	assert_refused(2, m.cert, NULL, "holds a certificate");
	assert_refused(2, m.cert, NULL, "not a private key");
	assert_refused(2, m.pubkey, NULL, "a public key");
	assert_refused(2, m.csr, NULL, "certificate request");
	assert_refused(2, two, NULL, "2 private keys");
	assert_refused(2, key_cert, NULL, "a private key and a certificate");
	assert_refused(2, ssh, NULL, "does not read");
	assert_refused(2, "not a key\n", NULL, "no PEM private key");
	free(two);
	free(key_cert);
}

static void test_psk_and_identity_as_before(void **state)
{
	struct mcred_error e;

	(void)state;
	assert_ok(3, "000102AB", NULL);
	assert_ok(4, "device-1@example.com", NULL);
	assert_int_equal(check(3, "0g", NULL, &e), MCRED_ERR_INVALID_ARG);
	assert_int_equal(check(5, m.pubkey, NULL, &e), MCRED_ERR_INVALID_ARG);
	assert_int_equal(check(0, "", NULL, &e), MCRED_ERR_INVALID_ARG);
	assert_int_equal(check(0, "a\"b", NULL, &e), MCRED_ERR_INVALID_ARG);
	/* a password only goes with a key */
	assert_int_equal(check(0, m.cert, PASSWORD, &e), MCRED_ERR_INVALID_ARG);
}

/* ---- what a file holds ---------------------------------------------------------------- */

static void test_pem_find(void **state)
{
	char *chain_key = cat(m.cert, m.key_sec1);
	const char *cut = strstr(m.key_pkcs8, "\n") + 1; /* a key without its BEGIN line */

	(void)state;
	assert_int_equal(mcred_pem_find(m.cert, strlen(m.cert)), MCRED_PEM_CERTIFICATE);
	assert_int_equal(mcred_pem_find(m.key_pkcs8, strlen(m.key_pkcs8)), MCRED_PEM_PRIVATE_KEY);
	assert_int_equal(mcred_pem_find(m.key_encrypted, strlen(m.key_encrypted)),
			 MCRED_PEM_PRIVATE_KEY | MCRED_PEM_ENCRYPTED_KEY);
	assert_int_equal(mcred_pem_find(m.key_legacy, strlen(m.key_legacy)),
			 MCRED_PEM_PRIVATE_KEY | MCRED_PEM_ENCRYPTED_KEY);
	assert_int_equal(mcred_pem_find(m.csr, strlen(m.csr)), MCRED_PEM_CSR);
	assert_int_equal(mcred_pem_find(m.pubkey, strlen(m.pubkey)), MCRED_PEM_PUBLIC_KEY);
	assert_int_equal(mcred_pem_find(m.key_params, strlen(m.key_params)),
			 MCRED_PEM_PRIVATE_KEY | MCRED_PEM_OTHER);
	assert_int_equal(mcred_pem_find(chain_key, strlen(chain_key)),
			 MCRED_PEM_CERTIFICATE | MCRED_PEM_PRIVATE_KEY);
	assert_int_equal(mcred_pem_find(cut, strlen(cut)), MCRED_PEM_PRIVATE_KEY);
	assert_int_equal(mcred_pem_find("00ff", 4), 0);
	assert_int_equal(mcred_pem_find(NULL, 0), 0);
	/* only the bytes given count */
	assert_int_equal(mcred_pem_find(m.cert, 20), 0);
	free(chain_key);
}

/* ---- key material stays a secret whatever the type -------------------------------------- */

struct trace_log {
	char text[16384];
	size_t len;
};

static void keep_trace(enum mcred_trace_dir dir, const char *text, size_t len, void *user)
{
	struct trace_log *t = user;

	(void)dir;
	if (t->len + len + 1 < sizeof(t->text)) {
		memcpy(t->text + t->len, text, len);
		t->len += len;
		t->text[t->len++] = '\n';
		t->text[t->len] = '\0';
	}
}

/* A handle on the offline fake modem f whose trace goes into t. */
static mcred_modem *open_traced(struct fake_modem *f, struct trace_log *t)
{
	struct mcred_options o;
	struct mcred_transport tr = fake_modem_transport(f);
	mcred_modem *modem = NULL;

	assert_non_null(t);
	mcred_options_init(&o);
	o.timeout_ms = 300;
	o.trace_cb = keep_trace;
	o.trace_user = t;
	f->cfun = 4;
	assert_int_equal(mcred_modem_open_transport(&modem, &tr, &o, NULL), MCRED_OK);
	return modem;
}

static void test_key_written_as_ca_stays_out_of_traces(void **state)
{
	struct fake_modem *f = fake_modem_new();
	struct trace_log *t = calloc(1, sizeof(*t));
	mcred_modem *modem = open_traced(f, t);
	char piece[17], *content = NULL;
	size_t len = 0;

	(void)state;
	/* the library's write does not refuse it (the checks are the caller's) */
	assert_int_equal(mcred_cmng_write(modem, 12, MCRED_TYPE_CA_CERT, m.key_pkcs8,
					  strlen(m.key_pkcs8), NULL, MCRED_WRITE_VERIFY),
			 MCRED_OK);
	assert_non_null(fake_modem_find(f, 12, 0));
	/* and reading it back: the answer holds the key */
	assert_int_equal(mcred_cmng_read(modem, 12, 0, &content, &len, NULL), MCRED_OK);
	assert_int_equal(len, strlen(m.key_pkcs8));
	body_piece(m.key_pkcs8, piece);
	if (strstr(t->text, piece) || strstr(t->text, "PRIVATE KEY-----"))
		fail_msg("the trace shows the key:\n%s", t->text);
	assert_non_null(strstr(t->text, "<secret: "));
	assert_non_null(strstr(t->text, "private key material"));
	mcred_secret_free(content, len);
	mcred_modem_free(modem);
	fake_modem_free(f);
	free(t);
}

/* A PSK (and a password) written through the raw mcred_at(): traced redacted all the same. */
static void test_raw_psk_write_stays_out_of_traces(void **state)
{
	struct fake_modem *f = fake_modem_new();
	struct trace_log *t = calloc(1, sizeof(*t));
	mcred_modem *modem = open_traced(f, t);

	(void)state;
	assert_int_equal(mcred_at(modem, "AT%CMNG=0,81,3,\"DEADBEEF00112233\"", NULL), MCRED_OK);
	assert_non_null(fake_modem_find(f, 81, 3));
	/* the modem may refuse this one: the trace is what counts */
	(void)mcred_at(modem, "at%cmng=0,82,1,\"CERTTEXT\",\"hunter22\"", NULL);
	if (strstr(t->text, "DEADBEEF") || strstr(t->text, "hunter22"))
		fail_msg("the trace shows a secret:\n%s", t->text);
	assert_non_null(strstr(t->text, "AT%CMNG=0,81,3,\"<secret: 16 bytes>\""));
	/* other raw commands are traced as they are */
	assert_int_equal(mcred_at(modem, "AT+CFUN?", NULL), MCRED_OK);
	assert_non_null(strstr(t->text, "AT+CFUN?"));
	mcred_modem_free(modem);
	fake_modem_free(f);
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_certificates_accepted),
		cmocka_unit_test(test_key_is_no_certificate),
		cmocka_unit_test(test_other_blocks_are_no_certificate),
		cmocka_unit_test(test_damaged_certificates),
		cmocka_unit_test(test_keys_accepted),
		cmocka_unit_test(test_encrypted_key_needs_its_password),
		cmocka_unit_test(test_no_key_for_type_2),
		cmocka_unit_test(test_psk_and_identity_as_before),
		cmocka_unit_test(test_pem_find),
		cmocka_unit_test(test_key_written_as_ca_stays_out_of_traces),
		cmocka_unit_test(test_raw_psk_write_stays_out_of_traces),
	};

	return cmocka_run_group_tests(tests, make_material, free_material);
}
