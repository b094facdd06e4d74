/* Provisioning rules without a modem: firmware, device ids, requests, the factory CA. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "ca.h"
#include "modemcred.h"
#include "provision.h"
#include "support/fake_modem.h"
#include "support/fixtures.h"

static void test_firmware_rule(void **state)
{
	char why[200];

	(void)state;
	assert_int_equal(mcred_fw_keygen_capable("mfw_nrf9160_1.3.0", why, sizeof(why)), 1);
	assert_int_equal(mcred_fw_keygen_capable("mfw_nrf9160_1.3.5", why, sizeof(why)), 1);
	assert_int_equal(mcred_fw_keygen_capable("mfw_nrf9160_2.0.0", why, sizeof(why)), 1);
	assert_int_equal(mcred_fw_keygen_capable("mfw_nrf91x1_2.0.2", why, sizeof(why)), 1);
	assert_int_equal(mcred_fw_keygen_capable("mfw-pti_nrf91x1_2.3.3", why, sizeof(why)), 1);
	assert_int_equal(mcred_fw_keygen_capable("mfw_nrf9151-ntn_1.0.0-1.alpha", why, sizeof(why)),
			 1);
	assert_int_equal(mcred_fw_keygen_capable("mfw_nrf9160_1.2.3", why, sizeof(why)), 0);
	assert_non_null(strstr(why, "older than 1.3.0"));
	assert_int_equal(mcred_fw_keygen_capable("mfw_nrf9160_x", why, sizeof(why)), 0);
	assert_non_null(strstr(why, "cannot tell"));
	assert_int_equal(mcred_fw_keygen_capable("", why, sizeof(why)), 0);
}

static void test_device_ids(void **state)
{
	char id[MCRED_DEVICE_ID_MAX + 1];
	char prefix[64];
	struct mcred_error err;
	const char *uuid = "4e5249d0-5349-4d00-8000-0123456789ab";

	(void)state;
	memset(&err, 0, sizeof(err));
	assert_int_equal(mcred_device_id_make(MCRED_ID_UUID, NULL, "", uuid, id, &err), MCRED_OK);
	assert_string_equal(id, uuid);
	assert_int_equal(mcred_device_id_make(MCRED_ID_NRF_IMEI, "lab-", "351358811234567", "", id,
					      &err),
			 MCRED_OK);
	assert_string_equal(id, "lab-nrf-351358811234567");
	assert_int_equal(mcred_device_id_make(MCRED_ID_IMEI, NULL, "351358811234567", "", id, &err),
			 MCRED_OK);
	assert_string_equal(id, "351358811234567");
	/* an IMEI that is not 15 digits is not believed */
	assert_int_equal(mcred_device_id_make(MCRED_ID_IMEI, NULL, "35135881123456", "", id, &err),
			 MCRED_ERR_PROTOCOL);
	assert_int_equal(mcred_device_id_make(MCRED_ID_UUID, NULL, "", "", id, &err),
			 MCRED_ERR_PROTOCOL);
	/* 28 + 36 = 64 fits, 29 + 36 does not */
	memset(prefix, 'p', 28);
	prefix[28] = '\0';
	assert_int_equal(mcred_device_id_make(MCRED_ID_UUID, prefix, "", uuid, id, &err), MCRED_OK);
	assert_int_equal(strlen(id), 64);
	strcat(prefix, "p");
	assert_int_equal(mcred_device_id_make(MCRED_ID_UUID, prefix, "", uuid, id, &err),
			 MCRED_ERR_INVALID_ARG);
	assert_non_null(strstr(err.message, "64"));
	assert_int_equal(mcred_device_id_make(MCRED_ID_UUID, "a/b", "", uuid, id, &err),
			 MCRED_ERR_INVALID_ARG);
	assert_int_equal(mcred_device_id_chars_ok(".hidden"), 0);
	assert_int_equal(mcred_device_id_chars_ok("a,b"), 0);
	assert_int_equal(mcred_device_id_chars_ok("Line_2:a.b-c"), 1);
}

static void test_request_checks(void **state)
{
	struct mcred_provision_request req;
	struct mcred_error err;

	(void)state;
	mcred_provision_request_init(&req);
	memset(&err, 0, sizeof(err));
	assert_int_equal(req.days, 3650);
	assert_int_equal(mcred_provision_check(&req, &err), MCRED_ERR_INVALID_ARG); /* tag 0 */
	req.tag = 16842753;
	assert_int_equal(mcred_provision_check(&req, &err), MCRED_OK);
	req.subject_extra = "O=Acme,OU=Line 2";
	assert_int_equal(mcred_provision_check(&req, &err), MCRED_OK);
	req.subject_extra = "O=\"quoted\"";
	assert_int_equal(mcred_provision_check(&req, &err), MCRED_ERR_INVALID_ARG);
	req.subject_extra = NULL;
	req.id_prefix = "has space";
	assert_int_equal(mcred_provision_check(&req, &err), MCRED_ERR_INVALID_ARG);
	assert_string_equal(mcred_provision_step_name(MCRED_STEP_WRITE_CERT), "write-cert");
	assert_string_equal(mcred_provision_status_name(MCRED_PROVISION_UNCHANGED), "unchanged");
	assert_string_equal(mcred_provision_status_name((enum mcred_provision_status)99),
			    "unknown");
}

/* ---- the CA ------------------------------------------------------------------------ */

static char *pem_of_key(EVP_PKEY *key, int private_part)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data, *copy;
	long len;

	if (private_part)
		PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL);
	else
		PEM_write_bio_PUBKEY(bio, key);
	len = BIO_get_mem_data(bio, &data);
	copy = strndup(data, (size_t)len);
	BIO_free(bio);
	return copy;
}

static char *pem_of_cert(X509 *cert)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data, *copy;
	long len;

	PEM_write_bio_X509(bio, cert);
	len = BIO_get_mem_data(bio, &data);
	copy = strndup(data, (size_t)len);
	BIO_free(bio);
	return copy;
}

/* A self-signed certificate for key, valid from `from` to `to` days from now. */
static char *self_signed(EVP_PKEY *key, long from, long to, int is_ca)
{
	X509 *cert = X509_new();
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	char *pem;

	X509_set_version(cert, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(cert), "CN", MBSTRING_ASC,
				   (const unsigned char *)"Test CA", -1, -1, 0);
	X509_set_issuer_name(cert, X509_get_subject_name(cert));
	X509_gmtime_adj(X509_getm_notBefore(cert), from * 86400);
	X509_gmtime_adj(X509_getm_notAfter(cert), to * 86400);
	X509_set_pubkey(cert, key);
	X509V3_set_ctx(&ctx, cert, cert, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_basic_constraints,
				  is_ca ? "critical,CA:TRUE" : "CA:FALSE");
	X509_add_ext(cert, ext, -1);
	X509_EXTENSION_free(ext);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_subject_key_identifier, "hash");
	X509_add_ext(cert, ext, -1);
	X509_EXTENSION_free(ext);
	X509_sign(cert, key, EVP_sha256());
	pem = pem_of_cert(cert);
	X509_free(cert);
	return pem;
}

static char *csr_for(EVP_PKEY *key)
{
	X509_REQ *req = X509_REQ_new();
	BIO *bio = BIO_new(BIO_s_mem());
	char *data, *copy;
	long len;

	X509_NAME_add_entry_by_txt(X509_REQ_get_subject_name(req), "CN", MBSTRING_ASC,
				   (const unsigned char *)"dev-1", -1, -1, 0);
	X509_REQ_set_pubkey(req, key);
	X509_REQ_sign(req, key, EVP_sha256());
	PEM_write_bio_X509_REQ(bio, req);
	len = BIO_get_mem_data(bio, &data);
	copy = strndup(data, (size_t)len);
	BIO_free(bio);
	X509_REQ_free(req);
	return copy;
}

static void test_ca_load_checks(void **state)
{
	EVP_PKEY *key = EVP_EC_gen("P-256"), *other = EVP_EC_gen("P-256");
	char *key_pem = pem_of_key(key, 1), *other_pem = pem_of_key(other, 1);
	char *good = self_signed(key, 0, 30, 1), *expired = self_signed(key, -30, -1, 1);
	char *future = self_signed(key, 2, 30, 1), *leaf = self_signed(key, 0, 30, 0);
	struct mcred_error err;
	mcred_ca *ca = NULL;

	(void)state;
	memset(&err, 0, sizeof(err));
	assert_int_equal(mcred_ca_load(&ca, good, strlen(good), key_pem, strlen(key_pem), &err),
			 MCRED_OK);
	mcred_ca_free(ca);
	assert_int_equal(mcred_ca_load(&ca, good, strlen(good), other_pem, strlen(other_pem), &err),
			 MCRED_ERR_INVALID_ARG);
	assert_non_null(strstr(err.message, "not the certificate of the CA key"));
	assert_null(ca);
	assert_int_equal(mcred_ca_load(&ca, expired, strlen(expired), key_pem, strlen(key_pem),
				       &err),
			 MCRED_ERR_INVALID_ARG);
	assert_non_null(strstr(err.message, "expired"));
	assert_int_equal(mcred_ca_load(&ca, future, strlen(future), key_pem, strlen(key_pem), &err),
			 MCRED_ERR_INVALID_ARG);
	assert_non_null(strstr(err.message, "not valid yet"));
	assert_int_equal(mcred_ca_load(&ca, leaf, strlen(leaf), key_pem, strlen(key_pem), &err),
			 MCRED_ERR_INVALID_ARG);
	assert_non_null(strstr(err.message, "not a CA"));
	assert_int_equal(mcred_ca_load(&ca, good, strlen(good), "junk", 4, &err),
			 MCRED_ERR_INVALID_ARG);
	assert_int_equal(mcred_ca_load(&ca, "junk", 4, key_pem, strlen(key_pem), &err),
			 MCRED_ERR_INVALID_ARG);
	free(key_pem);
	free(other_pem);
	free(good);
	free(expired);
	free(future);
	free(leaf);
	EVP_PKEY_free(key);
	EVP_PKEY_free(other);
}

static void test_ca_sign_and_check(void **state)
{
	EVP_PKEY *cakey = EVP_EC_gen("P-256"), *dev = EVP_EC_gen("P-256");
	EVP_PKEY *other = EVP_EC_gen("P-256");
	char *ca_pem = self_signed(cakey, 0, 30, 1), *cakey_pem = pem_of_key(cakey, 1);
	char *csr = csr_for(dev), *dev_pub = pem_of_key(dev, 0), *other_pub = pem_of_key(other, 0);
	char *cert = NULL, *cert2 = NULL;
	char serial[33], serial2[33], read_serial[33];
	struct mcred_error err;
	mcred_ca *ca = NULL, *ca2 = NULL;
	BIO *bio;
	X509 *x;

	(void)state;
	memset(&err, 0, sizeof(err));
	assert_int_equal(mcred_ca_load(&ca, ca_pem, strlen(ca_pem), cakey_pem, strlen(cakey_pem),
				       &err),
			 MCRED_OK);
	assert_int_equal(mcred_ca_sign(ca, csr, 365, &cert, serial, &err), MCRED_OK);
	assert_int_equal(mcred_ca_sign(ca, csr, 365, &cert2, serial2, &err), MCRED_OK);
	/* a validity no X.509 time can end: a bad argument, not a crypto failure */
	{
		char *none = NULL, no_serial[33];

		assert_int_equal(mcred_ca_sign(ca, csr, 4000000000u, &none, no_serial, &err),
				 MCRED_ERR_INVALID_ARG);
		assert_null(none);
	}
	assert_int_equal(strlen(serial), 32);
	assert_string_not_equal(serial, serial2);
	assert_int_equal(mcred_cert_check(ca, cert, dev_pub, read_serial, &err), MCRED_OK);
	assert_string_equal(read_serial, serial);
	assert_int_equal(mcred_cert_check(NULL, cert, dev_pub, NULL, &err), MCRED_OK);
	assert_int_equal(mcred_cert_check(ca, cert, other_pub, NULL, &err), MCRED_ERR_MISMATCH);
	/* another CA (same name, other key) did not issue it */
	{
		EVP_PKEY *k2 = EVP_EC_gen("P-256");
		char *p2 = self_signed(k2, 0, 30, 1), *kp2 = pem_of_key(k2, 1);

		assert_int_equal(mcred_ca_load(&ca2, p2, strlen(p2), kp2, strlen(kp2), &err),
				 MCRED_OK);
		assert_int_equal(mcred_cert_check(ca2, cert, dev_pub, NULL, &err),
				 MCRED_ERR_VERIFY);
		free(p2);
		free(kp2);
		EVP_PKEY_free(k2);
	}
	/* the profile */
	bio = BIO_new_mem_buf(cert, -1);
	x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	assert_non_null(x);
	assert_int_equal(X509_check_ca(x), 0);
	assert_true(X509_get_extension_flags(x) & EXFLAG_KUSAGE);
	assert_int_equal(X509_get_key_usage(x), KU_DIGITAL_SIGNATURE);
	assert_int_equal(X509_get_extended_key_usage(x), XKU_SSL_CLIENT);
	assert_non_null(X509_get0_subject_key_id(x));
	assert_non_null(X509_get0_authority_key_id(x));
	assert_int_equal(X509_get_version(x), 2);
	/* 365 days asked of a CA that expires in 30: the certificate ends with the CA */
	{
		BIO *cb = BIO_new_mem_buf(ca_pem, -1);
		X509 *cax = PEM_read_bio_X509(cb, NULL, NULL, NULL);
		char *short_cert = NULL;
		X509 *sx;
		BIO *sb;

		assert_non_null(cax);
		assert_int_equal(ASN1_TIME_compare(X509_get0_notAfter(x), X509_get0_notAfter(cax)),
				 0);
		/* 10 days: within the CA's life, kept */
		assert_int_equal(mcred_ca_sign(ca, csr, 10, &short_cert, serial2, &err), MCRED_OK);
		sb = BIO_new_mem_buf(short_cert, -1);
		sx = PEM_read_bio_X509(sb, NULL, NULL, NULL);
		assert_non_null(sx);
		assert_int_equal(ASN1_TIME_compare(X509_get0_notAfter(sx), X509_get0_notAfter(cax)),
				 -1);
		assert_int_equal(X509_cmp_timeframe(NULL, X509_get0_notBefore(sx),
						    X509_get0_notAfter(sx)),
				 0);
		X509_free(sx);
		BIO_free(sb);
		free(short_cert);
		X509_free(cax);
		BIO_free(cb);
	}
	X509_free(x);
	BIO_free(bio);
	/* a CSR whose self-signature is broken is not signed */
	free(cert2);
	cert2 = NULL;
	csr[strlen(csr) / 2] = csr[strlen(csr) / 2] == 'A' ? 'B' : 'A';
	assert_int_not_equal(mcred_ca_sign(ca, csr, 365, &cert2, serial2, &err), MCRED_OK);
	mcred_ca_free(ca);
	mcred_ca_free(ca2);
	free(cert);
	free(cert2);
	free(ca_pem);
	free(cakey_pem);
	free(csr);
	free(dev_pub);
	free(other_pub);
	EVP_PKEY_free(cakey);
	EVP_PKEY_free(dev);
	EVP_PKEY_free(other);
}

/* The DER SubjectPublicKeyInfo of a PEM certificate or CSR (is_csr). */
static int spki_of(const char *pem, int is_csr, unsigned char **der)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	int len = -1;

	*der = NULL;
	if (is_csr) {
		X509_REQ *req = PEM_read_bio_X509_REQ(bio, NULL, NULL, NULL);

		if (req)
			len = i2d_X509_PUBKEY(X509_REQ_get_X509_PUBKEY(req), der);
		X509_REQ_free(req);
	} else {
		X509 *x = PEM_read_bio_X509(bio, NULL, NULL, NULL);

		if (x)
			len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), der);
		X509_free(x);
	}
	BIO_free(bio);
	return len;
}

/* Sign csr for the key public_pem holds; the result, the certificate in *cert. */
static enum mcred_err sign_for(mcred_ca *ca, const char *csr, const char *public_pem, char **cert)
{
	struct mcred_error err;
	char serial[33];

	*cert = NULL;
	memset(&err, 0, sizeof(err));
	return mcred_ca_sign_timed(ca, csr, public_pem, 30, cert, serial, NULL, &err);
}

/*
 * The certificate carries the CSR's public key as the CSR holds it (copied,
 * not encoded again), EC with a named curve as RSA with its NULL
 * parameters, and is made only for the modem's key, whatever the encoding
 * of that key's PEM.
 */
static void test_ca_sign_for_the_modems_key(void **state)
{
	EVP_PKEY *cakey = EVP_EC_gen("P-256"), *dev = EVP_EC_gen("P-256");
	EVP_PKEY *other = EVP_EC_gen("P-256"), *rsa = EVP_RSA_gen(2048);
	char *ca_pem = self_signed(cakey, 0, 30, 1), *cakey_pem = pem_of_key(cakey, 1);
	char *csr = csr_for(dev), *rsa_csr = csr_for(rsa), *dev_pub = pem_of_key(dev, 0);
	char *other_pub = pem_of_key(other, 0), *rsa_pub = pem_of_key(rsa, 0);
	char *compressed_pub, *cert = NULL;
	unsigned char *want = NULL, *have = NULL;
	int want_len, have_len;
	struct mcred_error err;
	mcred_ca *ca = NULL;

	(void)state;
	memset(&err, 0, sizeof(err));
	assert_int_equal(mcred_ca_load(&ca, ca_pem, strlen(ca_pem), cakey_pem, strlen(cakey_pem),
				       &err),
			 MCRED_OK);
	for (int i = 0; i < 2; i++) {
		const char *req = i ? rsa_csr : csr;

		assert_int_equal(sign_for(ca, req, i ? rsa_pub : dev_pub, &cert), MCRED_OK);
		want_len = spki_of(req, 1, &want);
		have_len = spki_of(cert, 0, &have);
		assert_true(want_len > 0);
		assert_int_equal(have_len, want_len);
		assert_memory_equal(have, want, (size_t)want_len);
		assert_int_equal(mcred_cert_check(ca, cert, i ? rsa_pub : dev_pub, NULL, &err),
				 MCRED_OK);
		OPENSSL_free(want);
		OPENSSL_free(have);
		free(cert);
	}
	/* another key: no certificate */
	assert_int_equal(sign_for(ca, csr, other_pub, &cert), MCRED_ERR_MISMATCH);
	assert_null(cert);
	/* the same key, its point compressed in the PEM: the same key all the same */
	assert_int_equal(EVP_PKEY_set_utf8_string_param(dev, "point-format", "compressed"), 1);
	compressed_pub = pem_of_key(dev, 0);
	assert_string_not_equal(compressed_pub, dev_pub);
	assert_int_equal(sign_for(ca, csr, compressed_pub, &cert), MCRED_OK);
	free(cert);
	mcred_ca_free(ca);
	free(ca_pem);
	free(cakey_pem);
	free(csr);
	free(rsa_csr);
	free(dev_pub);
	free(other_pub);
	free(rsa_pub);
	free(compressed_pub);
	EVP_PKEY_free(cakey);
	EVP_PKEY_free(dev);
	EVP_PKEY_free(other);
	EVP_PKEY_free(rsa);
}

/* The PEM of key encrypted with pass: PKCS#8 (traditional: the legacy PEM form). */
static char *encrypted_pem(EVP_PKEY *key, const char *pass, int traditional)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data, *copy;
	long len;

	if (traditional)
		PEM_write_bio_PrivateKey_traditional(bio, key, EVP_aes_256_cbc(),
						     (unsigned char *)pass, (int)strlen(pass), NULL,
						     NULL);
	else
		PEM_write_bio_PKCS8PrivateKey(bio, key, EVP_aes_256_cbc(), NULL, 0, NULL,
					      (void *)pass);
	len = BIO_get_mem_data(bio, &data);
	copy = strndup(data, (size_t)len);
	BIO_free(bio);
	return copy;
}

/* A password_cb that counts its calls and gives what it is told (NULL: none). */
struct asked {
	const char *give;
	int calls, is_pin;
};

static int give_password(char *buf, size_t size, int is_pin, void *user)
{
	struct asked *a = user;
	size_t n;

	a->calls++;
	a->is_pin = is_pin;
	if (!a->give || (n = strlen(a->give)) > size)
		return -1;
	memcpy(buf, a->give, n);
	return (int)n;
}

static enum mcred_err open_pem(const char *cert, const char *pem, struct asked *a,
			       struct mcred_error *err)
{
	struct mcred_ca_key key;
	mcred_ca *ca = NULL;
	enum mcred_err rc;

	mcred_ca_key_init(&key);
	key.pem = pem;
	key.pem_len = strlen(pem);
	key.password_cb = give_password;
	key.user = a;
	rc = mcred_ca_open(&ca, cert, strlen(cert), &key, err);
	assert_true((rc == MCRED_OK) == (ca != NULL));
	mcred_ca_free(ca);
	return rc;
}

/* Encrypted CA keys: the passphrase asked once, only when needed; wrong or none named. */
static void test_ca_open_encrypted_keys(void **state)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	char *cert = self_signed(key, 0, 30, 1), *plain = pem_of_key(key, 1);
	char *p8 = encrypted_pem(key, "s3cret pass", 0),
	     *trad = encrypted_pem(key, "s3cret pass", 1);
	const char *encrypted[] = { p8, trad };
	struct mcred_error err;
	struct asked a;
	int i;

	(void)state;
	assert_non_null(strstr(p8, "BEGIN ENCRYPTED PRIVATE KEY"));
	assert_non_null(strstr(trad, "Proc-Type: 4,ENCRYPTED"));
	memset(&err, 0, sizeof(err));
	for (i = 0; i < 2; i++) {
		a = (struct asked){ "s3cret pass", 0, -1 };
		assert_int_equal(open_pem(cert, encrypted[i], &a, &err), MCRED_OK);
		assert_int_equal(a.calls, 1);
		assert_int_equal(a.is_pin, 0);
		a = (struct asked){ "wrong", 0, -1 };
		assert_int_equal(open_pem(cert, encrypted[i], &a, &err), MCRED_ERR_INVALID_ARG);
		assert_non_null(strstr(err.message, "wrong passphrase"));
		assert_int_equal(a.calls, 1);
		assert_null(strstr(err.message, "wrong\""));
		a = (struct asked){ NULL, 0, -1 };
		assert_int_equal(open_pem(cert, encrypted[i], &a, &err), MCRED_ERR_INVALID_ARG);
		assert_non_null(strstr(err.message, "no passphrase was given"));
	}
	/* an unencrypted key asks for nothing */
	a = (struct asked){ "unused", 0, -1 };
	assert_int_equal(open_pem(cert, plain, &a, &err), MCRED_OK);
	assert_int_equal(a.calls, 0);
	free(cert);
	free(plain);
	free(p8);
	free(trad);
	EVP_PKEY_free(key);
}

/* A URI is checked before any engine or token is touched. */
static void test_ca_open_refuses_bad_sources(void **state)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	char *cert = self_signed(key, 0, 30, 1), *plain = pem_of_key(key, 1);
	struct mcred_ca_key k;
	struct mcred_error err;
	mcred_ca *ca = NULL;

	(void)state;
	memset(&err, 0, sizeof(err));
	mcred_ca_key_init(&k);
	k.uri = "pkcs11:token=factory;object=line-ca;pin-value=1234";
	assert_int_equal(mcred_ca_open(&ca, cert, strlen(cert), &k, &err), MCRED_ERR_INVALID_ARG);
	assert_non_null(strstr(err.message, "holds a PIN"));
	assert_null(strstr(err.message, "1234"));
	k.uri = "file:///etc/ca.key";
	assert_int_equal(mcred_ca_open(&ca, cert, strlen(cert), &k, &err), MCRED_ERR_INVALID_ARG);
	assert_non_null(strstr(err.message, "PKCS#11 URI"));
	/* one of the two, not both, not none */
	k.uri = "pkcs11:object=x";
	k.pem = plain;
	k.pem_len = strlen(plain);
	assert_int_equal(mcred_ca_open(&ca, cert, strlen(cert), &k, &err), MCRED_ERR_INVALID_ARG);
	mcred_ca_key_init(&k);
	assert_int_equal(mcred_ca_open(&ca, cert, strlen(cert), &k, &err), MCRED_ERR_INVALID_ARG);
	/* an uninitialised struct is refused */
	memset(&k, 0, sizeof(k));
	k.pem = plain;
	assert_int_equal(mcred_ca_open(&ca, cert, strlen(cert), &k, &err), MCRED_ERR_INVALID_ARG);
	assert_null(ca);
	free(cert);
	free(plain);
	EVP_PKEY_free(key);
}

static void test_cert_expires_within(void **state)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	char *ten_days = self_signed(key, 0, 10, 0), *expired = self_signed(key, -30, -1, 0);

	(void)state;
	assert_int_equal(mcred_cert_expires_within(ten_days, 30), 1);
	assert_int_equal(mcred_cert_expires_within(ten_days, 11), 1);
	assert_int_equal(mcred_cert_expires_within(ten_days, 9), 0);
	assert_int_equal(mcred_cert_expires_within(expired, 1), 1);
	assert_int_equal(mcred_cert_expires_within("junk", 30), -1);
	free(ten_days);
	free(expired);
	EVP_PKEY_free(key);
}

/* ---- a run against the fake modem ---------------------------------------------------- */

#define RUN_TAG 12345u

/* What an earlier run saved for the device: its key (by digest), CSR, public key, certificate. */
static int load_saved(const char *device_id, struct mcred_provision_artifacts *a, void *user)
{
	const struct mcred_provision_artifacts *saved = user;

	(void)device_id;
	a->key_sha256 = saved->key_sha256;
	a->csr_pem = saved->csr_pem;
	a->public_key_pem = saved->public_key_pem;
	a->cert_pem = saved->cert_pem;
	return 0;
}

/* The SHA-256 of text in hex, as the modem lists a digest. */
static void sha256_hex(const char *text, char hex[65])
{
	unsigned char md[32];
	unsigned int n = 0;

	EVP_Digest(text, strlen(text), md, &n, EVP_sha256(), NULL);
	for (unsigned int i = 0; i < n; i++)
		sprintf(hex + 2 * i, "%02X", md[i]);
}

static enum mcred_err provision_fake(struct fake_modem *f,
				     const struct mcred_provision_artifacts *saved,
				     struct mcred_provision_result *res)
{
	struct mcred_provision_request req;
	struct mcred_options o;
	struct mcred_transport t = fake_modem_transport(f);
	mcred_modem *m = NULL;
	enum mcred_err rc;

	mcred_options_init(&o);
	o.timeout_ms = 2000;
	assert_int_equal(mcred_modem_open_transport(&m, &t, &o, NULL), MCRED_OK);
	mcred_provision_request_init(&req);
	req.tag = RUN_TAG;
	req.id_kind = MCRED_ID_IMEI;
	req.load_cb = load_saved;
	req.user = (void *)saved;
	mcred_provision_result_clear(res);
	mcred_provision_result_init(res);
	rc = mcred_provision(m, &req, res);
	mcred_modem_free(m);
	return rc;
}

/*
 * The modem goes offline only to change it, and what decided the change is
 * listed again once it is offline: a tag changed before AT+CFUN=4 (here by
 * "the device's application") stops the run with nothing written and the
 * mode restored. The next run writes; the one after finds nothing to do and
 * never takes the modem offline.
 */
static void test_provision_offline_only_to_change(void **state)
{
	EVP_PKEY *dev = EVP_EC_gen("P-256");
	char *pub = pem_of_key(dev, 0), *cert = self_signed(dev, 0, 30, 0);
	char *token = fixture_read_blob("attest.txt"), answer[4096], key_sha[65];
	struct fake_modem *f = fake_modem_new();
	struct mcred_provision_artifacts saved;
	struct mcred_provision_result res;
	size_t offline_sent;

	(void)state;
	assert_non_null(f);
	snprintf(answer, sizeof(answer), "\r\n%%ATTESTTOKEN: \"%s\"\r\n\r\nOK\r\n", token);
	f->canned[0].prefix = "AT%ATTESTTOKEN";
	f->canned[0].answer = answer;
	f->cfun = 1;
	/* the key an earlier run made and saved; its certificate never reached the modem */
	fake_modem_store(f, RUN_TAG, MCRED_TYPE_PRIVATE_KEY, "the key", strlen("the key"));
	sha256_hex("the key", key_sha);
	memset(&saved, 0, sizeof(saved));
	saved.key_sha256 = key_sha;
	saved.csr_pem = "the CSR";
	saved.public_key_pem = pub;
	saved.cert_pem = cert;
	memset(&res, 0, sizeof(res));

	f->store_on_offline.tag = RUN_TAG;
	f->store_on_offline.type = MCRED_TYPE_CA_CERT;
	f->store_on_offline.content = "someone else's CA";
	assert_int_equal(provision_fake(f, &saved, &res), MCRED_ERR_MISMATCH);
	assert_int_equal(res.status, MCRED_PROVISION_FAILED);
	assert_int_equal(res.step, MCRED_STEP_OFFLINE);
	assert_non_null(strstr(res.error.message, "changed"));
	assert_null(fake_modem_find(f, RUN_TAG, MCRED_TYPE_CLIENT_CERT));
	assert_int_equal(f->cfun, 1);
	assert_true(res.timings.offline >= 0 && res.timings.restore >= 0);

	f->store_on_offline.content = NULL;
	assert_int_equal(provision_fake(f, &saved, &res), MCRED_OK);
	assert_int_equal(res.status, MCRED_PROVISION_PROVISIONED);
	assert_non_null(fake_modem_find(f, RUN_TAG, MCRED_TYPE_CLIENT_CERT));
	assert_int_equal(f->cfun, 1);
	offline_sent = fake_modem_count_sent(f, "AT+CFUN=4");
	assert_int_equal(offline_sent, 2);

	assert_int_equal(provision_fake(f, &saved, &res), MCRED_OK);
	assert_int_equal(res.status, MCRED_PROVISION_UNCHANGED);
	assert_int_equal(fake_modem_count_sent(f, "AT+CFUN=4"), offline_sent);
	assert_int_equal(fake_modem_count_sent(f, "AT+CFUN=1"), offline_sent);
	assert_int_equal(f->cfun, 1);
	assert_true(res.timings.offline < 0 && res.timings.restore < 0);
	assert_true(f->nlog < FAKE_MODEM_MAX_LOG); /* every command was counted */

	mcred_provision_result_clear(&res);
	fake_modem_free(f);
	free(token);
	free(pub);
	free(cert);
	EVP_PKEY_free(dev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_firmware_rule),
		cmocka_unit_test(test_device_ids),
		cmocka_unit_test(test_request_checks),
		cmocka_unit_test(test_ca_load_checks),
		cmocka_unit_test(test_ca_sign_and_check),
		cmocka_unit_test(test_ca_sign_for_the_modems_key),
		cmocka_unit_test(test_ca_open_encrypted_keys),
		cmocka_unit_test(test_ca_open_refuses_bad_sources),
		cmocka_unit_test(test_cert_expires_within),
		cmocka_unit_test(test_provision_offline_only_to_change),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
