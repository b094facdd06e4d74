/*
 * A factory CA: load and check a CA certificate and key, sign the CSRs the
 * modems make, and tell whether a certificate was issued by the CA for a
 * given public key. All of it is OpenSSL; this file only chooses the
 * profile of a device certificate. The key is PEM (encrypted or not) held
 * here, or a key in a PKCS#11 token (ca_pkcs11.c), which signs one
 * signature at a time.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "ca.h"
#include "ca_pkcs11.h"
#include "error.h"
#include "struct_size.h"
#include "util.h"

struct mcred_ca {
	X509 *cert;
	EVP_PKEY *key;
	struct mcred_ca_token *token; /* the key's token, NULL for a key held here */
};

/* A PEM password callback that refuses: for certificates, CSRs and public keys. */
static int no_password(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

/* ---- the PIN or passphrase ------------------------------------------------- */

int mcred_ca_secret_get(struct ca_secret *s, int is_pin)
{
	if (!s->asked) {
		int n = -1;

		s->asked = 1;
		if (s->key->password_cb)
			n = s->key->password_cb(s->buf, sizeof(s->buf), is_pin, s->key->user);
		s->given = n >= 0 && (size_t)n <= sizeof(s->buf);
		s->len = s->given ? (size_t)n : 0;
	}
	return s->given ? 0 : -1;
}

void mcred_ca_secret_wipe(struct ca_secret *s)
{
	OPENSSL_cleanse(s->buf, sizeof(s->buf));
	s->len = 0;
}

/* OpenSSL's PEM password callback over a struct ca_secret. */
static int pem_passphrase(char *buf, int size, int rwflag, void *user)
{
	struct ca_secret *s = user;

	(void)rwflag;
	if (mcred_ca_secret_get(s, 0) != 0 || s->len > (size_t)size)
		return -1;
	memcpy(buf, s->buf, s->len);
	return (int)s->len;
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

/* Why a CA certificate cannot sign today, or NULL when it can. */
static const char *ca_cert_problem(X509 *cert)
{
	if (X509_cmp_current_time(X509_get0_notAfter(cert)) < 0)
		return "has expired";
	if (X509_cmp_current_time(X509_get0_notBefore(cert)) > 0)
		return "is not valid yet (its notBefore is in the future)";
	/* what RFC 5280 asks of an issuer, and each miss named for what it is */
	if (!(X509_get_extension_flags(cert) & EXFLAG_CA))
		return "is not a CA certificate (no basicConstraints CA:TRUE)";
	if ((X509_get_extension_flags(cert) & EXFLAG_KUSAGE) &&
	    !(X509_get_key_usage(cert) & KU_KEY_CERT_SIGN))
		return "may not sign certificates (its keyUsage lacks keyCertSign)";
	return NULL;
}

void mcred_ca_key_init_size(struct mcred_ca_key *key, size_t size)
{
	mcred_struct_init(key, size);
}

/* The PEM key of k, decrypted with the passphrase of secret when it is encrypted. */
static enum mcred_err load_pem_key(const struct mcred_ca_key *k, struct ca_secret *secret,
				   EVP_PKEY **key, struct mcred_error *err)
{
	BIO *bio = BIO_new_mem_buf(k->pem, (int)k->pem_len);

	*key = bio ? PEM_read_bio_PrivateKey(bio, NULL, pem_passphrase, secret) : NULL;
	BIO_free(bio);
	mcred_openssl_forget();
	if (*key)
		return MCRED_OK;
	if (secret->asked && !secret->given)
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "the CA key is encrypted, and no passphrase was given");
	if (secret->given)
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "the CA key cannot be decrypted: wrong passphrase");
	return mcred_error_set(err, MCRED_ERR_INVALID_ARG, "the CA key is not a PEM private key");
}

/*
 * 1 for the keys certificates are signed with here (X509_sign with SHA-256):
 * EC and RSA. Ed25519 and Ed448 sign without a separate digest and would
 * fail at the first device, after its key was made.
 */
static int signs_with_sha256(EVP_PKEY *key)
{
	int id = EVP_PKEY_get_base_id(key);

	return id == EVP_PKEY_EC || id == EVP_PKEY_RSA || id == EVP_PKEY_RSA_PSS;
}

/* 1 when key signs what the certificate's public key verifies: the token holds its key. */
static int signs_for(EVP_PKEY *key, X509 *cert)
{
	unsigned char challenge[32], sig[1024];
	size_t sig_len = sizeof(sig);
	EVP_MD_CTX *sign = EVP_MD_CTX_new(), *verify = EVP_MD_CTX_new();
	int ok = sign && verify && RAND_bytes(challenge, sizeof(challenge)) == 1 &&
		 EVP_DigestSignInit(sign, NULL, EVP_sha256(), NULL, key) == 1 &&
		 EVP_DigestSign(sign, sig, &sig_len, challenge, sizeof(challenge)) == 1 &&
		 EVP_DigestVerifyInit(verify, NULL, EVP_sha256(), NULL, X509_get0_pubkey(cert)) ==
			 1 &&
		 EVP_DigestVerify(verify, sig, sig_len, challenge, sizeof(challenge)) == 1;

	EVP_MD_CTX_free(sign);
	EVP_MD_CTX_free(verify);
	mcred_openssl_forget();
	return ok;
}

/* The key of k into ca: from the token or from PEM, and the certificate's. */
static enum mcred_err load_key(mcred_ca *ca, const struct mcred_ca_key *k, struct mcred_error *err)
{
	struct ca_secret secret;
	enum mcred_err rc;

	memset(&secret, 0, sizeof(secret));
	secret.key = k;
	if (k->uri)
		rc = mcred_ca_token_open(k, &secret, &ca->token, &ca->key, err);
	else
		rc = load_pem_key(k, &secret, &ca->key, err);
	mcred_ca_secret_wipe(&secret);
	if (rc != MCRED_OK)
		return rc;
	if (!signs_with_sha256(ca->key))
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "the CA key is an %s key: certificates are signed with SHA-256 "
				       "by ECDSA or RSA; use an EC (P-256, P-384) or RSA CA key",
				       OBJ_nid2sn(EVP_PKEY_get_base_id(ca->key)));
	if (ca->token ? !signs_for(ca->key, ca->cert)
		      : X509_check_private_key(ca->cert, ca->key) != 1) {
		mcred_openssl_forget();
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       ca->token
					       ? "the CA certificate is not the certificate of the "
						 "token's key (a signature by the token does not "
						 "verify with the certificate's public key)"
					       : "the CA certificate is not the certificate of the CA "
						 "key (their public keys differ)");
	}
	return MCRED_OK;
}

/* The caller's struct mcred_ca_key (any size) into a full copy. */
static enum mcred_err take_key(struct mcred_ca_key *k, const struct mcred_ca_key *given,
			       struct mcred_error *err)
{
	mcred_ca_key_init(k);
	return mcred_struct_take(k, sizeof(*k), given, sizeof(*k), "struct mcred_ca_key",
				 "mcred_ca_key_init", err);
}

static enum mcred_err ca_open(mcred_ca **out, const char *cert_pem, size_t cert_len,
			      const struct mcred_ca_key *given, struct mcred_error *err)
{
	struct mcred_ca_key k;
	mcred_ca *ca;
	const char *problem;
	enum mcred_err rc;

	if (!out || !cert_pem || !given)
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG, "mcred_ca_open: NULL argument");
	*out = NULL;
	if ((rc = take_key(&k, given, err)) != MCRED_OK)
		return rc;
	if (!k.pem == !k.uri)
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "give the CA key as PEM text or as a PKCS#11 URI (one of "
				       "the two)");
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
	if ((rc = load_key(ca, &k, err)) != MCRED_OK) {
		mcred_ca_free(ca);
		return rc;
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

enum mcred_err mcred_ca_open(mcred_ca **out, const char *cert_pem, size_t cert_len,
			     const struct mcred_ca_key *given, struct mcred_error *err)
{
	enum mcred_err rc;

	mcred_openssl_enter();
	rc = ca_open(out, cert_pem, cert_len, given, err);
	mcred_openssl_leave();
	return rc;
}

enum mcred_err mcred_ca_load(mcred_ca **out, const char *cert_pem, size_t cert_len,
			     const char *key_pem, size_t key_len, struct mcred_error *err)
{
	struct mcred_ca_key k;
	char *uri = NULL;
	enum mcred_err rc;

	if (!key_pem)
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG, "mcred_ca_load: NULL argument");
	mcred_ca_key_init(&k);
	k.pem = key_pem;
	k.pem_len = key_len;
	if (key_len > 7 && strncasecmp(key_pem, "pkcs11:", 7) == 0) {
		if (!(uri = strndup(key_pem, key_len)))
			return mcred_error_set(err, MCRED_ERR_NOMEM, "out of memory");
		k.pem = NULL;
		k.uri = uri;
	}
	rc = mcred_ca_open(out, cert_pem, cert_len, &k, err);
	free(uri);
	return rc;
}

void mcred_ca_free(mcred_ca *ca)
{
	if (!ca)
		return;
	mcred_openssl_enter();
	X509_free(ca->cert);
	EVP_PKEY_free(ca->key); /* before its token closes */
	mcred_ca_token_close(ca->token);
	free(ca);
	mcred_openssl_leave();
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

/*
 * The CSR's SubjectPublicKeyInfo into the certificate, as the CSR holds it.
 * X509_set_pubkey() would make the same bytes, by encoding the key and
 * decoding the result again: in OpenSSL 3.0 each of those looks through
 * every provider's encoders or decoders, about a millisecond of CPU, and a
 * station signs for many ports at once.
 */
static int copy_public_key(X509 *cert, X509_REQ *req)
{
	const unsigned char *bits;
	const ASN1_OBJECT *alg;
	const void *param;
	X509_ALGOR *algor;
	ASN1_OBJECT *alg_copy;
	void *param_copy = NULL;
	unsigned char *bits_copy;
	int type, len;

	if (!X509_PUBKEY_get0_param(NULL, &bits, &len, &algor, X509_REQ_get_X509_PUBKEY(req)) ||
	    len <= 0)
		return 0;
	X509_ALGOR_get0(&alg, &type, &param, algor);
	if (type == V_ASN1_OBJECT) /* a named curve: the modems' keys */
		param_copy = OBJ_dup(param);
	else if (type == V_ASN1_SEQUENCE) /* explicit curve parameters */
		param_copy = ASN1_STRING_dup(param);
	else if (type != V_ASN1_NULL && type != V_ASN1_UNDEF) /* no key known has other kinds */
		return X509_set_pubkey(cert, X509_REQ_get0_pubkey(req)) == 1;
	/* RSA's NULL parameters, or none: nothing to copy */
	alg_copy = OBJ_dup(alg);
	bits_copy = OPENSSL_memdup(bits, (size_t)len);
	if (alg_copy && bits_copy && (param_copy || type == V_ASN1_NULL || type == V_ASN1_UNDEF) &&
	    X509_PUBKEY_set0_param(X509_get_X509_PUBKEY(cert), alg_copy, type, param_copy,
				   bits_copy, len))
		return 1;
	ASN1_OBJECT_free(alg_copy);
	if (type == V_ASN1_OBJECT)
		ASN1_OBJECT_free(param_copy);
	else
		ASN1_STRING_free(param_copy);
	OPENSSL_free(bits_copy);
	return 0;
}

/* Fill a new certificate from the CSR; the caller signs it. */
/* Days a certificate may be valid: from now to well before the year 9999. */
#define MCRED_CERT_DAYS_MAX 2000000u

/*
 * notAfter days from now, but not past the issuer's own: a chain does not
 * verify once its CA has expired (RFC 5280, 6.1.3), so a later date would
 * only promise what the certificate cannot keep.
 */
static int set_not_after(X509 *cert, X509 *issuer, unsigned days)
{
	const ASN1_TIME *ca_end = X509_get0_notAfter(issuer);
	int cmp;

	if (X509_time_adj_ex(X509_getm_notAfter(cert), (int)days, 0, NULL) == NULL)
		return 0;
	cmp = ASN1_TIME_compare(X509_get0_notAfter(cert), ca_end);
	return cmp == -1 || cmp == 0 || (cmp == 1 && X509_set1_notAfter(cert, ca_end) == 1);
}

static int build_cert(X509 *cert, X509_REQ *req, X509 *issuer, unsigned days, char serial[33])
{
	return X509_set_version(cert, 2) == 1 && random_serial(cert, serial) &&
	       X509_set_issuer_name(cert, X509_get_subject_name(issuer)) == 1 &&
	       X509_set_subject_name(cert, X509_REQ_get_subject_name(req)) == 1 &&
	       X509_gmtime_adj(X509_getm_notBefore(cert), 0) != NULL &&
	       set_not_after(cert, issuer, days) && copy_public_key(cert, req) &&
	       add_device_extensions(cert, issuer);
}

/* Sign cert with the CA's key: one signature at a time on a token (ca_pkcs11.c). */
static int sign_cert(const mcred_ca *ca, X509 *cert, double *token_wait_s)
{
	int ok;

	if (ca->token)
		*token_wait_s = mcred_ca_token_take(ca->token);
	ok = X509_sign(cert, ca->key, EVP_sha256()) > 0;
	if (ca->token)
		mcred_ca_token_release(ca->token);
	return ok;
}

/*
 * The DER of a PEM public key ("PUBLIC KEY": a SubjectPublicKeyInfo), read
 * as text: no key is decoded. Free with OPENSSL_free(); NULL when it is none.
 */
static unsigned char *spki_of_pem(const char *pem, long *len)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	char *name = NULL, *header = NULL;
	unsigned char *der = NULL;

	if (bio && PEM_read_bio(bio, &name, &header, &der, len) == 1 &&
	    strcmp(name, PEM_STRING_PUBLIC) != 0) {
		OPENSSL_free(der);
		der = NULL;
	}
	OPENSSL_free(name);
	OPENSSL_free(header);
	BIO_free(bio);
	return der;
}

/*
 * Is the certificate's key (a copy of the CSR's) the one public_key_pem
 * holds? Byte for byte first (what the CSR held, as the modem's key PEM
 * does: no key decoded); only a different encoding is decoded and compared
 * as keys, with the CSR's (the copy in the certificate is not decoded).
 */
static int cert_key_is(X509 *cert, X509_REQ *req, const char *public_key_pem)
{
	unsigned char *want, *have = NULL;
	long want_len = 0;
	int have_len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), &have);
	int same = 0;

	want = spki_of_pem(public_key_pem, &want_len);
	if (want && have_len > 0 && want_len == have_len &&
	    memcmp(want, have, (size_t)have_len) == 0)
		same = 1;
	else if (want) {
		EVP_PKEY *key = pubkey_from_pem(public_key_pem);

		same = key && EVP_PKEY_eq(X509_REQ_get0_pubkey(req), key) == 1;
		EVP_PKEY_free(key);
	}
	OPENSSL_free(want);
	OPENSSL_free(have);
	return same;
}

/* The certificate just made checked as mcred_cert_check() would, without reading it back. */
static enum mcred_err check_made(const mcred_ca *ca, X509 *cert, X509_REQ *req,
				 const char *public_key_pem, struct mcred_error *err)
{
	if (public_key_pem && !cert_key_is(cert, req, public_key_pem))
		return mcred_error_set(err, MCRED_ERR_MISMATCH,
				       "the CSR's public key is not the modem's on-device key");
	/* a token that signed with another key than the certificate's is caught here */
	if (X509_check_issued(ca->cert, cert) != X509_V_OK ||
	    X509_verify(cert, X509_get0_pubkey(ca->cert)) != 1)
		return mcred_error_set(err, MCRED_ERR_VERIFY,
				       "the certificate made does not verify under the CA's "
				       "certificate (%s)",
				       ca->token ? "the CA's token" : "OpenSSL");
	return MCRED_OK;
}

static enum mcred_err ca_sign(const mcred_ca *ca, const char *csr_pem, const char *public_key_pem,
			      unsigned days, char **cert_pem, char serial[33], double *token_wait_s,
			      struct mcred_error *err)
{
	X509_REQ *req;
	EVP_PKEY *pub;
	X509 *cert = NULL;
	double waited = 0.0;
	enum mcred_err rc = MCRED_OK;

	if (token_wait_s)
		*token_wait_s = 0.0;
	if (!ca || !csr_pem || !cert_pem || !serial)
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG, "mcred_ca_sign: no %s given",
				       !ca         ? "CA"
				       : !csr_pem  ? "CSR"
				       : !cert_pem ? "cert_pem"
						   : "serial");
	/* an X.509 time ends with the year 9999 */
	if (days == 0 || days > MCRED_CERT_DAYS_MAX)
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "a certificate valid for %u days: give 1 to %u", days,
				       MCRED_CERT_DAYS_MAX);
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
	if (!cert || !build_cert(cert, req, ca->cert, days, serial) ||
	    !sign_cert(ca, cert, &waited))
		rc = mcred_error_set(err, MCRED_ERR_CRYPTO, "signing the certificate failed (%s)",
				     ca->token ? "the CA's token" : "OpenSSL");
	else if ((rc = check_made(ca, cert, req, public_key_pem, err)) == MCRED_OK &&
		 !(*cert_pem = cert_to_pem(cert)))
		rc = mcred_error_set(err, MCRED_ERR_NOMEM, "out of memory");
	mcred_openssl_forget();
	if (token_wait_s)
		*token_wait_s = waited;
	X509_free(cert);
	X509_REQ_free(req);
	return rc;
}

enum mcred_err mcred_ca_sign_timed(const mcred_ca *ca, const char *csr_pem,
				   const char *public_key_pem, unsigned days, char **cert_pem,
				   char serial[33], double *token_wait_s, struct mcred_error *err)
{
	enum mcred_err rc;

	mcred_openssl_enter();
	rc = ca_sign(ca, csr_pem, public_key_pem, days, cert_pem, serial, token_wait_s, err);
	mcred_openssl_leave();
	return rc;
}

enum mcred_err mcred_ca_sign(const mcred_ca *ca, const char *csr_pem, unsigned days,
			     char **cert_pem, char serial[33], struct mcred_error *err)
{
	return mcred_ca_sign_timed(ca, csr_pem, NULL, days, cert_pem, serial, NULL, err);
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

static enum mcred_err cert_check(const mcred_ca *ca, const char *cert_pem,
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
	/* the CA certificate's public key: the same as the key's, checked at open */
	else if (ca && (X509_check_issued(ca->cert, cert) != X509_V_OK ||
			X509_verify(cert, X509_get0_pubkey(ca->cert)) != 1))
		rc = mcred_error_set(err, MCRED_ERR_VERIFY,
				     "the certificate was not issued by "
				     "this CA");
	if (serial)
		serial_hex(cert, serial);
	EVP_PKEY_free(want);
	X509_free(cert);
	return rc;
}

enum mcred_err mcred_cert_check(const mcred_ca *ca, const char *cert_pem,
				const char *public_key_pem, char serial[33],
				struct mcred_error *err)
{
	enum mcred_err rc;

	mcred_openssl_enter();
	rc = cert_check(ca, cert_pem, public_key_pem, serial, err);
	mcred_openssl_leave();
	return rc;
}

int mcred_cert_expires_within(const char *cert_pem, unsigned days)
{
	X509 *cert;
	time_t limit = time(NULL) + (time_t)days * 86400;
	int cmp = 0, parsed;

	mcred_openssl_enter();
	cert = cert_from_pem(cert_pem, strlen(cert_pem));
	parsed = cert != NULL;
	if (parsed) {
		/* -1: notAfter is at or before the limit; 0: cannot compare */
		cmp = X509_cmp_time(X509_get0_notAfter(cert), &limit);
		X509_free(cert);
	}
	mcred_openssl_leave();
	return !parsed ? -1 : cmp < 0 ? 1 : cmp > 0 ? 0 : -1;
}
