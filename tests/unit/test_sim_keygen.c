/*
 * The simulator's %KEYGEN / %ATTESTTOKEN answers, checked by independent
 * tools: tests/tools/cose_check.py (Debian python3-cbor2 + cryptography) and
 * `openssl req -verify`. Runs from the repository root.
 */
#include "../modemsim/keygen.c"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#define CHECKER "/usr/bin/python3 tests/tools/cose_check.py"

static const uint8_t dev_uuid[16] = { 0x50, 0x50, 0x30, 0x41, 0x36, 0x33, 0x43, 0xb0,
				      0x80, 0xc3, 0x01, 0x1a, 0x34, 0x96, 0xda, 0xc0 };
static const uint8_t fw_uuid[16] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
				     0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10 };

struct fixture {
	char dir[64];
	char pub[128];
	struct simkg_identity *id;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	strcpy(f->dir, "/tmp/simkg-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->pub, sizeof(f->pub), "%s/identity.pem", f->dir);
	f->id = simkg_identity_new(NULL);
	if (f->id == NULL || simkg_identity_write_public_pem(f->id, f->pub) != 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[256];

	simkg_identity_free(f->id);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *fp = fopen(path, "wb");

	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

static int run(const char *cmd)
{
	int st = system(cmd);

	assert_true(st != -1 && WIFEXITED(st));
	return WEXITSTATUS(st);
}

/* cose_check.py on blob with the fixture's identity key; its exit status. */
static int check_blob(struct fixture *f, const char *blob, const char *extra)
{
	char path[128], cmd[512];

	snprintf(path, sizeof(path), "%s/blob.txt", f->dir);
	write_file(path, blob, strlen(blob));
	snprintf(cmd, sizeof(cmd), CHECKER " --identity-key %s --file %s %s >%s/check.json", f->pub,
		 path, extra != NULL ? extra : "", f->dir);
	return run(cmd);
}

/* base64url (no padding) decode into a malloc'd buffer. */
static uint8_t *b64url_dec(const char *s, size_t len, size_t *outlen)
{
	size_t padded = (len + 3) / 4 * 4, i, pad = padded - len;
	char *tmp = malloc(padded + 1);
	uint8_t *out = malloc(padded / 4 * 3 + 1);
	int n;

	assert_non_null(tmp);
	assert_non_null(out);
	for (i = 0; i < len; i++)
		tmp[i] = s[i] == '-' ? '+' : s[i] == '_' ? '/' : s[i];
	for (; i < padded; i++)
		tmp[i] = '=';
	tmp[padded] = '\0';
	n = EVP_DecodeBlock(out, (const unsigned char *)tmp, (int)padded);
	assert_true(n >= 0);
	*outlen = (size_t)n - pad;
	free(tmp);
	return out;
}

/* Split a blob into its decoded halves. */
static void split(const char *blob, uint8_t **a, size_t *alen, uint8_t **b, size_t *blen)
{
	const char *dot = strchr(blob, '.');

	assert_non_null(dot);
	assert_null(strchr(dot + 1, '.'));
	*a = b64url_dec(blob, (size_t)(dot - blob), alen);
	*b = b64url_dec(dot + 1, strlen(dot + 1), blen);
}

/* Copy of blob with one byte flipped in the first (part 0) or second half; index < 0 counts from the end. */
static char *tamper(const char *blob, int part, long index)
{
	uint8_t *a, *b, *t;
	size_t alen, blen, tlen;
	char *out;

	split(blob, &a, &alen, &b, &blen);
	t = part == 0 ? a : b;
	tlen = part == 0 ? alen : blen;
	if (index < 0)
		index += (long)tlen;
	assert_true(index >= 0 && (size_t)index < tlen);
	t[index] ^= 0x01;
	out = join_blob(a, alen, b, blen);
	assert_non_null(out);
	free(a);
	free(b);
	return out;
}

/* Write the blob's body (first half) as DER and run `openssl req -verify`. */
static int openssl_verify_csr(struct fixture *f, const char *blob)
{
	uint8_t *a, *b;
	size_t alen, blen;
	char path[128], cmd[512];

	split(blob, &a, &alen, &b, &blen);
	snprintf(path, sizeof(path), "%s/csr.der", f->dir);
	write_file(path, a, alen);
	free(a);
	free(b);
	snprintf(cmd, sizeof(cmd), "openssl req -verify -inform DER -in %s -noout 2>/dev/null",
		 path);
	return run(cmd);
}

static X509_REQ *body_csr(const char *blob, uint8_t **der, size_t *len)
{
	uint8_t *b;
	size_t blen;
	const unsigned char *p;
	X509_REQ *req;

	split(blob, der, len, &b, &blen);
	free(b);
	p = *der;
	req = d2i_X509_REQ(NULL, &p, (long)*len);
	assert_non_null(req);
	return req;
}

static bool contains(const uint8_t *hay, size_t n, const uint8_t *needle, size_t m)
{
	size_t i;

	for (i = 0; i + m <= n; i++)
		if (memcmp(hay + i, needle, m) == 0)
			return true;
	return false;
}

static const uint8_t alg_legacy[] = { 0x30, 0x0c, 0x06, 0x08, 0x2a, 0x86, 0x48,
				      0xce, 0x3d, 0x04, 0x03, 0x02, 0x05, 0x00 };
static const uint8_t alg_modern[] = { 0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86,
				      0x48, 0xce, 0x3d, 0x04, 0x03, 0x02 };

static void free_blob(char **blob, char **key)
{
	free(*blob);
	if (*key != NULL)
		OPENSSL_cleanse(*key, strlen(*key));
	free(*key);
	*blob = *key = NULL;
}

static void csr_case(void **state, int modern)
{
	struct fixture *f = *state;
	struct simkg_request rq = { .sec_tag = 11,
				    .key_type = 2,
				    .response_content = 0,
				    .attributes = "O=Nordic Semiconductor,L=Trondheim,C=no",
				    .key_usage = "101010000",
				    .modern_encoding = modern,
				    .device_uuid = dev_uuid };
	char *blob = NULL, *key = NULL, *bad, line[256];
	uint8_t *der;
	size_t len;
	X509_REQ *req;
	EVP_PKEY *stored;

	assert_int_equal(simkg_keygen(f->id, &rq, &blob, &key), 0);
	assert_non_null(strstr(key, "-----BEGIN PRIVATE KEY-----"));
	assert_null(strpbrk(blob, "=+/\r\n"));
	assert_int_equal(check_blob(f, blob, "--tag 11 --expect-kind csr"), 0);
	assert_int_equal(check_blob(f, blob, "--tag 12"), 1);
	assert_int_equal(openssl_verify_csr(f, blob), 0);

	req = body_csr(blob, &der, &len);
	assert_true(contains(der, len, modern ? alg_modern : alg_legacy,
			     modern ? sizeof(alg_modern) : sizeof(alg_legacy)));
	if (modern)
		assert_false(contains(der, len, alg_legacy, sizeof(alg_legacy)));
	/* key usage 101010000 = BIT STRING 03 02 03 a8, as in the real example */
	assert_true(contains(der, len, (const uint8_t *)"\x04\x04\x03\x02\x03\xa8", 6));
	X509_NAME_oneline(X509_REQ_get_subject_name(req), line, sizeof(line));
	assert_string_equal(line, "/O=Nordic Semiconductor/L=Trondheim/C=no");
	/* the CSR's key is the stored private key */
	stored = load_private_pem(key);
	assert_non_null(stored);
	assert_int_equal(EVP_PKEY_eq(stored, X509_REQ_get0_pubkey(req)), 1);
	EVP_PKEY_free(stored);
	X509_REQ_free(req);
	free(der);

	bad = tamper(blob, 0, 40); /* inside the subject */
	assert_int_equal(check_blob(f, bad, "--tag 11"), 1);
	free(bad);
	bad = tamper(blob, 1, -1); /* last byte of the COSE signature */
	assert_int_equal(check_blob(f, bad, "--tag 11"), 1);
	free(bad);
	bad = tamper(blob, 1, 20); /* inside the COSE payload */
	assert_int_equal(check_blob(f, bad, "--tag 11"), 1);
	free(bad);
	free_blob(&blob, &key);
}

static void test_csr_legacy(void **state)
{
	csr_case(state, 0);
}

static void test_csr_modern(void **state)
{
	csr_case(state, 1);
}

static void test_csr_default_subject(void **state)
{
	struct fixture *f = *state;
	struct simkg_request rq = { .sec_tag = 4242, .key_type = 2, .device_uuid = dev_uuid };
	char *blob = NULL, *key = NULL, line[256];
	uint8_t *der;
	size_t len;
	X509_REQ *req;

	assert_int_equal(simkg_keygen(f->id, &rq, &blob, &key), 0);
	assert_int_equal(check_blob(f, blob, "--tag 4242 --expect-kind csr"), 0);
	assert_int_equal(openssl_verify_csr(f, blob), 0);
	req = body_csr(blob, &der, &len);
	X509_NAME_oneline(X509_REQ_get_subject_name(req), line, sizeof(line));
	assert_string_equal(line, "/CN=50503041-3633-43b0-80c3-011a3496dac0");
	/* default key usage 111010000 = 03 02 03 e8 */
	assert_true(contains(der, len, (const uint8_t *)"\x04\x04\x03\x02\x03\xe8", 6));
	assert_true(contains(der, len, alg_legacy, sizeof(alg_legacy)));
	X509_REQ_free(req);
	free(der);
	free_blob(&blob, &key);

	/* long attribute names and the rest of the list */
	rq.attributes = "commonName=dev 1,organizationName=ACME,organizationalUnitName=QA,"
			"emailAddress=a@b.example,R=c@d.example,DC=example,ST=Trondelag,"
			"surName=Nordmann,GN=Kari,serialNumber=123,title=t,initials=KN,"
			"pseudonym=p,generationQualifier=Jr,postalCode=7030,dnQualifier=q,"
			"postalAddress=Somewhere 1,locality=Oslo,countryName=NO";
	assert_int_equal(simkg_keygen(f->id, &rq, &blob, &key), 0);
	assert_int_equal(check_blob(f, blob, "--tag 4242"), 0);
	assert_int_equal(openssl_verify_csr(f, blob), 0);
	req = body_csr(blob, &der, &len);
	assert_int_equal(X509_NAME_entry_count(X509_REQ_get_subject_name(req)), 19);
	X509_REQ_free(req);
	free(der);
	free_blob(&blob, &key);
}

static void pubkey_case(struct fixture *f, struct simkg_request *rq, const char *extra)
{
	char *blob = NULL, *key = NULL, *bad;
	uint8_t *a, *b;
	size_t alen, blen;
	const unsigned char *p;
	EVP_PKEY *pub, *priv;

	assert_int_equal(simkg_keygen(f->id, rq, &blob, &key), 0);
	assert_int_equal(check_blob(f, blob, extra), 0);
	split(blob, &a, &alen, &b, &blen);
	p = a;
	pub = d2i_PUBKEY(NULL, &p, (long)alen);
	assert_non_null(pub);
	assert_ptr_equal(p, a + alen);
	priv = load_private_pem(key);
	assert_non_null(priv);
	assert_int_equal(EVP_PKEY_eq(pub, priv), 1);
	if (rq->existing_key_pem != NULL)
		assert_string_equal(key, rq->existing_key_pem);
	/* payload id 8 right after the tag 55799 + array header in the COSE payload */
	assert_true(contains(b, blen, (const uint8_t *)"\xd9\xd9\xf7\x85\x08\x50", 6));
	EVP_PKEY_free(pub);
	EVP_PKEY_free(priv);
	free(a);
	free(b);

	bad = tamper(blob, 0, -5);
	assert_int_equal(check_blob(f, bad, extra), 1);
	free(bad);
	bad = tamper(blob, 1, -33); /* first byte of s */
	assert_int_equal(check_blob(f, bad, extra), 1);
	free(bad);
	free_blob(&blob, &key);
}

static void test_pubkey(void **state)
{
	struct simkg_request rq = { .sec_tag = 16842753,
				    .key_type = 2,
				    .response_content = 1,
				    .attributes = "ignored=for pubkey",
				    .device_uuid = dev_uuid };

	pubkey_case(*state, &rq, "--tag 16842753 --expect-kind pubkey");
}

static void test_endorsement_new(void **state)
{
	struct simkg_request rq = { .sec_tag = 33, .key_type = 8, .device_uuid = dev_uuid };

	pubkey_case(*state, &rq, "--tag 33 --expect-kind pubkey");
}

static void test_endorsement_existing(void **state)
{
	struct fixture *f = *state;
	struct simkg_identity *other = simkg_identity_new(NULL);
	const char *pem = simkg_identity_private_pem(other);
	struct simkg_request rq = { .sec_tag = 33,
				    .key_type = 8,
				    .response_content = 1,
				    .existing_key_pem = pem,
				    .device_uuid = dev_uuid };

	assert_non_null(pem);
	pubkey_case(f, &rq, "--tag 33 --expect-kind pubkey");
	simkg_identity_free(other);
}

static void test_big_sec_tag(void **state)
{
	struct fixture *f = *state;
	struct simkg_request rq = { .sec_tag = 4294967292u,
				    .key_type = 2,
				    .response_content = 1,
				    .device_uuid = dev_uuid };
	char *blob = NULL, *key = NULL;
	uint8_t *a, *b;
	size_t alen, blen;

	assert_int_equal(simkg_keygen(f->id, &rq, &blob, &key), 0);
	assert_int_equal(check_blob(f, blob, "--tag 4294967292"), 0);
	split(blob, &a, &alen, &b, &blen);
	/* sec_tag bstr h'23' (CBOR -4) right after the device uuid */
	assert_true(contains(b, blen, dev_uuid, 16));
	assert_true(contains(b, blen, (const uint8_t *)"\x41\x23\x58\x20", 4));
	free(a);
	free(b);
	free_blob(&blob, &key);
}

static void test_wrong_identity(void **state)
{
	struct fixture *f = *state;
	struct simkg_identity *other = simkg_identity_new(NULL);
	struct simkg_request rq = { .sec_tag = 11, .key_type = 2, .device_uuid = dev_uuid };
	char *blob = NULL, *key = NULL;

	assert_int_equal(simkg_keygen(other, &rq, &blob, &key), 0);
	assert_int_equal(check_blob(f, blob, "--tag 11"), 1);
	free_blob(&blob, &key);
	simkg_identity_free(other);
}

static void test_identity_roundtrip(void **state)
{
	struct fixture *f = *state;
	const char *pem = simkg_identity_private_pem(f->id);
	struct simkg_identity *again;
	struct simkg_request rq = { .sec_tag = 7, .key_type = 8, .device_uuid = dev_uuid };
	char *blob = NULL, *key = NULL;

	assert_non_null(pem);
	assert_non_null(strstr(pem, "-----BEGIN PRIVATE KEY-----"));
	again = simkg_identity_new(pem);
	assert_non_null(again);
	/* a reloaded identity signs answers the original public key verifies */
	assert_int_equal(simkg_keygen(again, &rq, &blob, &key), 0);
	assert_int_equal(check_blob(f, blob, "--tag 7"), 0);
	free_blob(&blob, &key);
	simkg_identity_free(again);
	assert_null(simkg_identity_new("not a key"));
	assert_int_equal(simkg_identity_write_public_pem(f->id, "/nonexistent/dir/x.pem"), -1);
}

static void test_attest(void **state)
{
	struct fixture *f = *state;
	char *blob = NULL, *bad;
	uint8_t *a, *b;
	size_t alen, blen;
	/* 5 elements: a token taken without a challenge carries a random
	 * 16-byte nonce (nRFCloud/utils tests, real ATTESTTOKEN) */
	static const uint8_t head[] = { 0xd9, 0xd9, 0xf7, 0x85, 0x01, 0x50 };
	static const uint8_t cose_head[] = { 0xd2, 0x84, 0x43, 0xa1, 0x01, 0x26, 0xa1,
					     0x04, 0x41, 0x21, 0xf6, 0x58, 0x40 };

	assert_int_equal(simkg_attest(f->id, dev_uuid, 3, fw_uuid, NULL, &blob), 0);
	assert_int_equal(check_blob(f, blob, NULL), 0);
	split(blob, &a, &alen, &b, &blen);
	assert_int_equal(alen, 3 + 1 + 1 + 17 + 1 + 17 + 17);
	assert_memory_equal(a, head, sizeof(head));
	assert_int_equal(blen, sizeof(cose_head) + 64);
	assert_memory_equal(b, cose_head, sizeof(cose_head));
	free(a);
	free(b);
	bad = tamper(blob, 0, 10); /* device uuid */
	assert_int_equal(check_blob(f, bad, NULL), 1);
	free(bad);
	bad = tamper(blob, 1, -1);
	assert_int_equal(check_blob(f, bad, NULL), 1);
	free(bad);
	free(blob);
}

static void test_attest_challenge(void **state)
{
	struct fixture *f = *state;
	const char *hex = "00112233445566778899AABBCCDDEEFF";
	char *blob = NULL, *bad;
	uint8_t *a, *b;
	size_t alen, blen;

	assert_int_equal(simkg_attest(f->id, dev_uuid, 6, fw_uuid, hex, &blob), 0);
	assert_int_equal(check_blob(f, blob, "--challenge 00112233445566778899aabbccddeeff"), 0);
	assert_int_equal(check_blob(f, blob, "--challenge 00112233445566778899aabbccddeef0"), 1);
	split(blob, &a, &alen, &b, &blen);
	assert_int_equal(a[3], 0x85);
	assert_true(contains(a, alen,
			     (const uint8_t *)"\x50\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa"
					      "\xbb\xcc\xdd\xee\xff",
			     17));
	free(a);
	free(b);
	bad = tamper(blob, 0, -1); /* last challenge byte */
	assert_int_equal(check_blob(f, bad, NULL), 1);
	free(bad);
	free(blob);
	assert_int_equal(simkg_attest(f->id, dev_uuid, 6, fw_uuid, "0011", &blob), 50);
	assert_null(blob);
	assert_int_equal(simkg_attest(f->id, dev_uuid, 6, fw_uuid,
				      "zz112233445566778899aabbccddeeff", &blob),
			 50);
}

static void test_invalid_params(void **state)
{
	struct fixture *f = *state;
	struct simkg_request rq = { .sec_tag = 11, .key_type = 2, .device_uuid = dev_uuid };
	char *blob = NULL, *key = NULL;
	static const char *bad_usage[] = { "111111111", "11101000", "1110100000", "11101x000" };
	static const char *bad_attr[] = { "XX=1",    "CN",    "CN=",   "=x",         "CN=a,,O=b",
					  "CN=a\"b", "C=NOR", "CN=a,", "DC=\xc3\xa6" };
	size_t i;

	for (i = 0; i < sizeof(bad_usage) / sizeof(bad_usage[0]); i++) {
		rq.key_usage = bad_usage[i];
		assert_int_equal(simkg_keygen(f->id, &rq, &blob, &key), 50);
		assert_null(blob);
		assert_null(key);
	}
	rq.key_usage = NULL;
	for (i = 0; i < sizeof(bad_attr) / sizeof(bad_attr[0]); i++) {
		rq.attributes = bad_attr[i];
		assert_int_equal(simkg_keygen(f->id, &rq, &blob, &key), 50);
		assert_null(blob);
		assert_null(key);
	}
	rq.attributes = NULL;
	rq.key_type = 3;
	assert_int_equal(simkg_keygen(f->id, &rq, &blob, &key), 50);
	rq.key_type = 2;
	rq.response_content = 2;
	assert_int_equal(simkg_keygen(f->id, &rq, &blob, &key), 50);
	rq.key_type = 8;
	rq.existing_key_pem = "garbage";
	assert_int_equal(simkg_keygen(f->id, &rq, &blob, &key), 523);
	assert_null(blob);
	assert_null(key);
	/* key usage and attributes are ignored for public key answers */
	rq.existing_key_pem = NULL;
	rq.key_usage = "111111111";
	rq.attributes = "XX=1";
	assert_int_equal(simkg_keygen(f->id, &rq, &blob, &key), 0);
	free_blob(&blob, &key);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csr_legacy),
		cmocka_unit_test(test_csr_modern),
		cmocka_unit_test(test_csr_default_subject),
		cmocka_unit_test(test_pubkey),
		cmocka_unit_test(test_endorsement_new),
		cmocka_unit_test(test_endorsement_existing),
		cmocka_unit_test(test_big_sec_tag),
		cmocka_unit_test(test_wrong_identity),
		cmocka_unit_test(test_identity_roundtrip),
		cmocka_unit_test(test_attest),
		cmocka_unit_test(test_attest_challenge),
		cmocka_unit_test(test_invalid_params),
	};

	return cmocka_run_group_tests_name("sim_keygen", tests, setup, teardown);
}
