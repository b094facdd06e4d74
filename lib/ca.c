/*
 * A factory CA: load and check a CA certificate and key, sign the CSRs the
 * modems make, and tell whether a certificate was issued by the CA for a
 * given public key. All of it is OpenSSL; this file only chooses the
 * profile of a device certificate.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "error.h"
#include "util.h"

struct mcred_ca {
	X509 *cert;
	EVP_PKEY *key;
};

/* A PEM password callback that refuses: an encrypted key is reported, never prompted for. */
static int no_password(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

static X509 *cert_from_pem(const char *pem, size_t len)
{
	BIO *bio = BIO_new_mem_buf(pem, (int)len);
	X509 *cert = bio ? PEM_read_bio_X509(bio, NULL, no_password, NULL) : NULL;

	BIO_free(bio);
	return cert;
}

static EVP_PKEY *pubkey_from_pem(const char *pem)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	EVP_PKEY *key = bio ? PEM_read_bio_PUBKEY(bio, NULL, no_password, NULL) : NULL;

	BIO_free(bio);
	return key;
}

static int contains(const char *text, size_t len, const char *word)
{
	size_t n = strlen(word), i;

	for (i = 0; i + n <= len; i++)
		if (memcmp(text + i, word, n) == 0)
			return 1;
	return 0;
}

/* Why a CA certificate cannot sign today, or NULL when it can. */
static const char *ca_cert_problem(X509 *cert)
{
	if (X509_cmp_current_time(X509_get0_notAfter(cert)) < 0)
		return "has expired";
	if (X509_cmp_current_time(X509_get0_notBefore(cert)) > 0)
		return "is not valid yet (its notBefore is in the future)";
	if (X509_check_ca(cert) == 0)
		return "is not a CA certificate (no basicConstraints CA:TRUE)";
	return NULL;
}

enum mcred_err mcred_ca_load(mcred_ca **out, const char *cert_pem, size_t cert_len,
			     const char *key_pem, size_t key_len, struct mcred_error *err)
{
	mcred_ca *ca;
	const char *problem;
	BIO *bio;

	if (!out || !cert_pem || !key_pem)
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG, "mcred_ca_load: NULL argument");
	*out = NULL;
	ca = calloc(1, sizeof(*ca));
	if (!ca)
		return mcred_error_set(err, MCRED_ERR_NOMEM, "out of memory");
	ca->cert = cert_from_pem(cert_pem, cert_len);
	if (!ca->cert) {
		mcred_ca_free(ca);
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "the CA certificate is not a PEM certificate "
				       "(-----BEGIN CERTIFICATE-----)");
	}
	bio = BIO_new_mem_buf(key_pem, (int)key_len);
	ca->key = bio ? PEM_read_bio_PrivateKey(bio, NULL, no_password, NULL) : NULL;
	BIO_free(bio);
	if (!ca->key) {
		int encrypted = contains(key_pem, key_len, "ENCRYPTED");

		mcred_ca_free(ca);
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG, "%s",
				       encrypted
					       ? "the CA key is encrypted: give it unencrypted "
						 "(e.g. `openssl pkey -in ca.key -out plain.key`) "
						 "on a protected file system"
					       : "the CA key is not a PEM private key");
	}
	if (X509_check_private_key(ca->cert, ca->key) != 1) {
		mcred_ca_free(ca);
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "the CA certificate is not the certificate of the CA key "
				       "(their public keys differ)");
	}
	problem = ca_cert_problem(ca->cert);
	if (problem) {
		mcred_ca_free(ca);
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG, "the CA certificate %s",
				       problem);
	}
	*out = ca;
	return MCRED_OK;
}

void mcred_ca_free(mcred_ca *ca)
{
	if (!ca)
		return;
	X509_free(ca->cert);
	EVP_PKEY_free(ca->key);
	free(ca);
}

/* ---- issuing ------------------------------------------------------------ */

/* A positive 128-bit random serial number, and its 32 upper-case hex digits. */
static int random_serial(X509 *cert, char hex[33])
{
	unsigned char bytes[16];
	BIGNUM *bn;
	int ok;

	if (RAND_bytes(bytes, sizeof(bytes)) != 1)
		return 0;
	bytes[0] &= 0x7f; /* positive as a DER INTEGER */
	bytes[0] |= 0x40; /* and a full 16 bytes, so its hex form is stable */
	bn = BN_bin2bn(bytes, sizeof(bytes), NULL);
	ok = bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert)) != NULL;
	BN_free(bn);
	mcred_hex_encode(bytes, sizeof(bytes), 1, hex);
	return ok;
}

static int add_ext(X509 *cert, X509V3_CTX *ctx, int nid, const char *value)
{
	X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, ctx, nid, value);
	int ok = ext && X509_add_ext(cert, ext, -1) == 1;

	X509_EXTENSION_free(ext);
	return ok;
}

/* The device certificate profile: an end entity for TLS client authentication. */
static int add_device_extensions(X509 *cert, X509 *issuer)
{
	X509V3_CTX ctx;

	X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
	if (!add_ext(cert, &ctx, NID_basic_constraints, "critical,CA:FALSE") ||
	    !add_ext(cert, &ctx, NID_key_usage, "critical,digitalSignature") ||
	    !add_ext(cert, &ctx, NID_ext_key_usage, "clientAuth") ||
	    !add_ext(cert, &ctx, NID_subject_key_identifier, "hash"))
		return 0;
	/* keyid:always needs the CA's own key identifier; older CAs may lack one. */
	ERR_set_mark();
	if (add_ext(cert, &ctx, NID_authority_key_identifier, "keyid:always")) {
		ERR_pop_to_mark();
		return 1;
	}
	ERR_pop_to_mark();
	return add_ext(cert, &ctx, NID_authority_key_identifier, "keyid,issuer:always");
}

static char *cert_to_pem(X509 *cert)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data = NULL, *copy = NULL;
	long len;

	if (bio && PEM_write_bio_X509(bio, cert) == 1) {
		len = BIO_get_mem_data(bio, &data);
		copy = malloc((size_t)len + 1);
		if (copy) {
			memcpy(copy, data, (size_t)len);
			copy[len] = '\0';
		}
	}
	BIO_free(bio);
	return copy;
}

static X509_REQ *csr_from_pem(const char *pem)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	X509_REQ *req = bio ? PEM_read_bio_X509_REQ(bio, NULL, no_password, NULL) : NULL;

	BIO_free(bio);
	return req;
}

/* Fill a new certificate from the CSR; the caller signs it. */
static int build_cert(X509 *cert, X509_REQ *req, EVP_PKEY *pub, X509 *issuer, unsigned days,
		      char serial[33])
{
	return X509_set_version(cert, 2) == 1 && random_serial(cert, serial) &&
	       X509_set_issuer_name(cert, X509_get_subject_name(issuer)) == 1 &&
	       X509_set_subject_name(cert, X509_REQ_get_subject_name(req)) == 1 &&
	       X509_gmtime_adj(X509_getm_notBefore(cert), 0) != NULL &&
	       X509_time_adj_ex(X509_getm_notAfter(cert), (int)days, 0, NULL) != NULL &&
	       X509_set_pubkey(cert, pub) == 1 && add_device_extensions(cert, issuer);
}

enum mcred_err mcred_ca_sign(const mcred_ca *ca, const char *csr_pem, unsigned days,
			     char **cert_pem, char serial[33], struct mcred_error *err)
{
	X509_REQ *req;
	EVP_PKEY *pub;
	X509 *cert = NULL;
	enum mcred_err rc = MCRED_OK;

	if (!ca || !csr_pem || !cert_pem || !serial || days == 0)
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG, "mcred_ca_sign: bad argument");
	*cert_pem = NULL;
	req = csr_from_pem(csr_pem);
	if (!req)
		return mcred_error_set(err, MCRED_ERR_DECODE, "the CSR is not a PEM CSR");
	pub = X509_REQ_get0_pubkey(req);
	if (!pub || X509_REQ_verify(req, pub) != 1) {
		X509_REQ_free(req);
		return mcred_error_set(err, MCRED_ERR_VERIFY,
				       "the CSR's self-signature is invalid");
	}
	cert = X509_new();
	if (!cert || !build_cert(cert, req, pub, ca->cert, days, serial) ||
	    X509_sign(cert, ca->key, EVP_sha256()) <= 0 || !(*cert_pem = cert_to_pem(cert)))
		rc = mcred_error_set(err, MCRED_ERR_CRYPTO,
				     "signing the certificate failed (OpenSSL)");
	X509_free(cert);
	X509_REQ_free(req);
	return rc;
}

/* ---- checking ------------------------------------------------------------ */

/* The serial of cert as hex digits (upper case), "" when it does not fit. */
static void serial_hex(X509 *cert, char serial[33])
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), NULL);
	unsigned char bytes[16];
	int n = bn ? BN_num_bytes(bn) : 0;

	serial[0] = '\0';
	if (bn && n > 0 && n <= 16 && BN_bn2bin(bn, bytes) == n)
		mcred_hex_encode(bytes, (size_t)n, 1, serial);
	BN_free(bn);
}

enum mcred_err mcred_cert_check(const mcred_ca *ca, const char *cert_pem,
				const char *public_key_pem, char serial[33],
				struct mcred_error *err)
{
	X509 *cert;
	EVP_PKEY *want = NULL;
	enum mcred_err rc = MCRED_OK;

	if (!cert_pem || !public_key_pem)
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "mcred_cert_check: NULL argument");
	cert = cert_from_pem(cert_pem, strlen(cert_pem));
	if (!cert)
		return mcred_error_set(err, MCRED_ERR_DECODE,
				       "the device certificate is not a "
				       "PEM certificate");
	want = pubkey_from_pem(public_key_pem);
	if (!want)
		rc = mcred_error_set(err, MCRED_ERR_DECODE, "the on-device public key is not PEM");
	else if (EVP_PKEY_eq(X509_get0_pubkey(cert), want) != 1)
		rc = mcred_error_set(err, MCRED_ERR_MISMATCH,
				     "the certificate's public key is not "
				     "the modem's on-device key");
	else if (ca && (X509_check_issued(ca->cert, cert) != X509_V_OK ||
			X509_verify(cert, ca->key) != 1))
		rc = mcred_error_set(err, MCRED_ERR_VERIFY,
				     "the certificate was not issued by "
				     "this CA");
	if (serial)
		serial_hex(cert, serial);
	EVP_PKEY_free(want);
	X509_free(cert);
	return rc;
}
