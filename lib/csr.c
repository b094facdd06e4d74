/*
 * The body of a %KEYGEN answer: a CSR (PKCS#10 DER) or a SubjectPublicKeyInfo.
 * Real modems sign their CSR with the legacy encoding of ecdsa-with-SHA256
 * (NULL parameters); OpenSSL 3 parses and verifies it, so no special case.
 * PEM output is made from the DER exactly as received, never re-encoded.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "csr.h"
#include "error.h"
#include "util.h"

/* Everything a memory BIO holds, as a malloc'd string. */
static char *bio_to_string(BIO *bio)
{
	char *data = NULL;
	long n = BIO_get_mem_data(bio, &data);
	char *s;

	if (n < 0 || !data)
		return NULL;
	s = malloc((size_t)n + 1);
	if (!s)
		return NULL;
	memcpy(s, data, (size_t)n);
	s[n] = '\0';
	return s;
}

/* PEM armour around DER bytes as they are. */
static char *der_to_pem(const char *label, const uint8_t *der, size_t len)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *s = NULL;

	if (bio && len <= INT32_MAX && PEM_write_bio(bio, label, "", der, (long)len) > 0)
		s = bio_to_string(bio);
	BIO_free(bio);
	return s;
}

/*
 * The CSR's SubjectPublicKeyInfo as PEM, as the CSR holds it (the key is
 * not encoded again: in OpenSSL 3.0 that looks through every provider's
 * encoders, about a millisecond of CPU per modem).
 */
static char *pubkey_to_pem(X509_REQ *req)
{
	unsigned char *der = NULL;
	int len = i2d_X509_PUBKEY(X509_REQ_get_X509_PUBKEY(req), &der);
	char *s = len > 0 ? der_to_pem("PUBLIC KEY", der, (size_t)len) : NULL;

	OPENSSL_free(der);
	return s;
}

/* Append text to a growing string; 0 on out of memory. */
static int append(char **buf, size_t *len, const char *text, size_t n)
{
	char *p = realloc(*buf, *len + n + 1);

	if (!p)
		return 0;
	memcpy(p + *len, text, n);
	*len += n;
	p[*len] = '\0';
	*buf = p;
	return 1;
}

/* One value, with ',', '+', '\\' and '=' escaped as in RFC 4514. */
static int append_value(char **buf, size_t *len, const unsigned char *v, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		char c = (char)v[i];

		if ((c == ',' || c == '+' || c == '\\' || c == '=') && !append(buf, len, "\\", 1))
			return 0;
		if (!append(buf, len, &c, 1))
			return 0;
	}
	return 1;
}

/* "O=...,L=...,C=..." in the order the CSR holds the RDNs (not RFC 2253's). */
static char *subject_line(const X509_NAME *name)
{
	char *buf = NULL;
	size_t len = 0;
	int i, n = X509_NAME_entry_count(name);
	int ok = append(&buf, &len, "", 0);

	for (i = 0; ok && i < n; i++) {
		const X509_NAME_ENTRY *e = X509_NAME_get_entry(name, i);
		int nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(e));
		const char *sn = nid != NID_undef ? OBJ_nid2sn(nid) : "?";
		unsigned char *utf8 = NULL;
		int vlen = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(e));
		/* Entries of one multi-valued RDN share a set number: join with '+'. */
		int same_set = i > 0 && X509_NAME_ENTRY_set(X509_NAME_get_entry(name, i - 1)) ==
						X509_NAME_ENTRY_set(e);

		if (i > 0)
			ok = append(&buf, &len, same_set ? "+" : ",", 1);
		ok = ok && append(&buf, &len, sn, strlen(sn)) && append(&buf, &len, "=", 1);
		ok = ok && vlen >= 0 && append_value(&buf, &len, utf8, vlen);
		OPENSSL_free(utf8);
	}
	if (!ok) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* The keyUsage of the extension request as 9 characters of 0/1. */
static int key_usage_bits(const X509_REQ *req, char out[10])
{
	STACK_OF(X509_EXTENSION) *exts = X509_REQ_get_extensions((X509_REQ *)req);
	ASN1_BIT_STRING *ku = NULL;
	int i;

	if (exts)
		ku = X509V3_get_d2i(exts, NID_key_usage, NULL, NULL);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	if (!ku)
		return 0;
	for (i = 0; i < 9; i++)
		out[i] = ASN1_BIT_STRING_get_bit(ku, i) ? '1' : '0';
	out[9] = '\0';
	ASN1_BIT_STRING_free(ku);
	return 1;
}

/* Parse DER that must be exactly one CSR, nothing after it. */
static X509_REQ *parse_csr(const uint8_t *der, size_t len)
{
	const unsigned char *p = der;
	X509_REQ *req;

	if (len == 0 || len > INT32_MAX)
		return NULL;
	req = d2i_X509_REQ(NULL, &p, (long)len);
	if (req && p != der + len) {
		X509_REQ_free(req);
		return NULL;
	}
	return req;
}

enum mcred_err mcred_csr_inspect(const uint8_t *der, size_t len, struct mcred_body_info *info,
				 struct mcred_error *err)
{
	X509_REQ *req = parse_csr(der, len);
	EVP_PKEY *key;

	memset(info, 0, sizeof(*info));
	if (!req) {
		mcred_openssl_forget();
		return mcred_error_set(err, MCRED_ERR_DECODE, "body is not a DER CSR");
	}
	key = X509_REQ_get0_pubkey(req);
	/* X509_REQ_verify checks the bytes as received (OpenSSL keeps them). */
	info->sig_valid = key != NULL && X509_REQ_verify(req, key) == 1;
	info->subject = subject_line(X509_REQ_get_subject_name(req));
	info->name = X509_NAME_dup(X509_REQ_get_subject_name(req));
	info->has_key_usage = key_usage_bits(req, info->key_usage);
	info->pubkey_pem = key ? pubkey_to_pem(req) : NULL;
	info->csr_pem = der_to_pem("CERTIFICATE REQUEST", der, len);
	X509_REQ_free(req);
	mcred_openssl_forget();
	if (!info->subject || !info->name || !info->csr_pem || (key && !info->pubkey_pem)) {
		mcred_body_info_clear(info);
		return mcred_error_set(err, MCRED_ERR_NOMEM, "out of memory describing the CSR");
	}
	return MCRED_OK;
}

enum mcred_err mcred_pubkey_inspect(const uint8_t *der, size_t len, struct mcred_body_info *info,
				    struct mcred_error *err)
{
	const unsigned char *p = der;
	EVP_PKEY *key = NULL;

	memset(info, 0, sizeof(*info));
	if (len > 0 && len <= INT32_MAX)
		key = d2i_PUBKEY(NULL, &p, (long)len);
	if (!key || p != der + len) {
		EVP_PKEY_free(key);
		mcred_openssl_forget();
		return mcred_error_set(err, MCRED_ERR_DECODE,
				       "body is not a DER SubjectPublicKeyInfo");
	}
	EVP_PKEY_free(key);
	info->pubkey_pem = der_to_pem("PUBLIC KEY", der, len);
	if (!info->pubkey_pem)
		return mcred_error_set(err, MCRED_ERR_NOMEM, "out of memory describing the key");
	return MCRED_OK;
}

void mcred_body_info_clear(struct mcred_body_info *info)
{
	if (!info)
		return;
	free(info->subject);
	free(info->pubkey_pem);
	free(info->csr_pem);
	X509_NAME_free(info->name);
	memset(info, 0, sizeof(*info));
}
