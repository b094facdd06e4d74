/*
 * What a credential file holds, checked against the type it is written
 * as, before anything is sent. The modem stores whatever it is given: a
 * private key written as a CA certificate lands in a slot anyone can read
 * back, a certificate written as a key or an encrypted key with no (or the
 * wrong) password is stored as garbage, and the failure shows only later,
 * in a TLS handshake. So the file's PEM blocks are found here and each is
 * parsed with OpenSSL.
 *
 * The forms taken are those the modem's TLS stack (mbedTLS) reads: PEM
 * blocks "-----BEGIN CERTIFICATE-----" for certificates, "PRIVATE KEY"
 * (PKCS#8), "EC PRIVATE KEY" (SEC1), "RSA PRIVATE KEY" (PKCS#1) and, with
 * the %CMNG password, "ENCRYPTED PRIVATE KEY" (PKCS#8) for keys; its PEM
 * reader skips text outside the blocks (mbedtls_pem_read_buffer() looks for
 * the header), so such text is allowed. Messages name what was found (the
 * block's label and line), never the content.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "cmng_check.h"
#include "content.h"
#include "error.h"
#include "util.h"

/* ---- finding PEM blocks ------------------------------------------------------ */

#define LABEL_MAX 40

/* One "-----BEGIN <label>-----" ... "-----END <label>-----" block of the content. */
struct pem_block {
	char label[LABEL_MAX + 1];
	size_t begin, end; /* its bytes: from the BEGIN line to after the END line */
	size_t line;       /* 1-based line of its BEGIN */
	int complete;      /* the END line was found */
};

/* At most this many blocks are looked at: far more than any credential has. */
#define BLOCKS_MAX 64

static const char begin_mark[] = "-----BEGIN ";
static const char dashes[] = "-----";

/* Where needle (n bytes) first is in the len bytes at s, or NULL. */
static const char *find_bytes(const char *s, size_t len, const char *needle, size_t n)
{
	for (size_t i = 0; n <= len && i <= len - n; i++)
		if (memcmp(s + i, needle, n) == 0)
			return s + i;
	return NULL;
}

/*
 * The label of a BEGIN mark at p (left bytes up to the content's end):
 * upper-case letters, digits and spaces up to "-----". 0 when p holds none.
 */
static int read_label(const char *p, size_t left, char label[LABEL_MAX + 1])
{
	size_t skip = sizeof(begin_mark) - 1, n = 0;

	if (left < skip || memcmp(p, begin_mark, skip) != 0)
		return 0;
	p += skip;
	left -= skip;
	while (n < left && n < LABEL_MAX &&
	       ((p[n] >= 'A' && p[n] <= 'Z') || (p[n] >= '0' && p[n] <= '9') || p[n] == ' '))
		n++;
	if (n == 0 || left - n < sizeof(dashes) - 1 || memcmp(p + n, dashes, sizeof(dashes) - 1))
		return 0;
	memcpy(label, p, n);
	label[n] = '\0';
	return 1;
}

static size_t line_of(const char *content, size_t pos)
{
	size_t line = 1;

	for (size_t i = 0; i < pos; i++)
		line += content[i] == '\n';
	return line;
}

/*
 * The PEM blocks of content, in order (at most max); returns how many. A
 * BEGIN without its END makes an incomplete block running to the end.
 */
static size_t find_blocks(const char *content, size_t len, struct pem_block *blocks, size_t max)
{
	size_t n = 0, at = 0;

	while (n < max && at < len) {
		const char *b =
			find_bytes(content + at, len - at, begin_mark, sizeof(begin_mark) - 1);
		struct pem_block *blk = &blocks[n];
		char end_line[LABEL_MAX + 16];
		const char *e;

		if (!b)
			break;
		at = (size_t)(b - content);
		if (!read_label(b, len - at, blk->label)) {
			at += sizeof(begin_mark) - 1;
			continue;
		}
		blk->begin = at;
		blk->line = line_of(content, at);
		snprintf(end_line, sizeof(end_line), "-----END %s-----", blk->label);
		e = find_bytes(b, len - at, end_line, strlen(end_line));
		blk->complete = e != NULL;
		blk->end = e ? (size_t)(e - content) + strlen(end_line) : len;
		at = blk->end;
		n++;
	}
	return n;
}

/* ---- what a block is ------------------------------------------------------------ */

enum block_kind {
	B_CERT,
	B_OTHER_CERT,
	B_KEY,
	B_ENCRYPTED_KEY,
	B_CSR,
	B_PUBLIC,
	B_PARAMS,
	B_OTHER
};

static int is_label(const char *label, const char *const *names)
{
	for (size_t i = 0; names[i]; i++)
		if (strcmp(label, names[i]) == 0)
			return 1;
	return 0;
}

static enum block_kind kind_of(const char *label)
{
	static const char *const certs[] = { "X509 CERTIFICATE", "TRUSTED CERTIFICATE", NULL };
	static const char *const csrs[] = { "CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST",
					    NULL };
	static const char *const publics[] = { "PUBLIC KEY", "RSA PUBLIC KEY", NULL };

	if (strcmp(label, "CERTIFICATE") == 0)
		return B_CERT;
	if (is_label(label, certs))
		return B_OTHER_CERT;
	if (strcmp(label, "ENCRYPTED PRIVATE KEY") == 0)
		return B_ENCRYPTED_KEY;
	if (strstr(label, "PRIVATE KEY"))
		return B_KEY;
	if (is_label(label, csrs))
		return B_CSR;
	if (is_label(label, publics))
		return B_PUBLIC;
	if (strcmp(label, "EC PARAMETERS") == 0)
		return B_PARAMS;
	return B_OTHER;
}

/* An old-style encrypted PEM key: its headers say "Proc-Type: 4,ENCRYPTED". */
static int legacy_encrypted(const char *content, const struct pem_block *b)
{
	static const char mark[] = "Proc-Type: 4,ENCRYPTED";

	return find_bytes(content + b->begin, b->end - b->begin, mark, sizeof(mark) - 1) != NULL;
}

/* What a file of such a block is, for "the file holds X, not Y". */
static const char *kind_words(enum block_kind k)
{
	switch (k) {
	case B_CERT:
	case B_OTHER_CERT: return "a certificate";
	case B_KEY:
	case B_ENCRYPTED_KEY: return "a private key";
	case B_CSR: return "a certificate request (CSR)";
	case B_PUBLIC: return "a public key";
	case B_PARAMS: return "EC parameters";
	default: return "a PEM block";
	}
}

unsigned mcred_pem_find(const char *content, size_t len)
{
	struct pem_block blocks[BLOCKS_MAX];
	unsigned found = 0;
	size_t n;

	if (!content)
		return 0;
	n = find_blocks(content, len, blocks, BLOCKS_MAX);
	for (size_t i = 0; i < n; i++) {
		switch (kind_of(blocks[i].label)) {
		case B_CERT:
		case B_OTHER_CERT: found |= MCRED_PEM_CERTIFICATE; break;
		case B_ENCRYPTED_KEY:
			found |= MCRED_PEM_PRIVATE_KEY | MCRED_PEM_ENCRYPTED_KEY;
			break;
		case B_KEY:
			found |= MCRED_PEM_PRIVATE_KEY;
			if (legacy_encrypted(content, &blocks[i]))
				found |= MCRED_PEM_ENCRYPTED_KEY;
			break;
		case B_CSR: found |= MCRED_PEM_CSR; break;
		case B_PUBLIC: found |= MCRED_PEM_PUBLIC_KEY; break;
		default: found |= MCRED_PEM_OTHER; break;
		}
	}
	if (mcred_content_holds_key(content, len))
		found |= MCRED_PEM_PRIVATE_KEY;
	return found;
}

int mcred_content_holds_key(const char *content, size_t len)
{
	static const char mark[] = "PRIVATE KEY-----";

	return content && find_bytes(content, len, mark, sizeof(mark) - 1) != NULL;
}

/* ---- parsing with OpenSSL -------------------------------------------------------------- */

/* OpenSSL's reason for the last failure, without anything of the input. */
static const char *openssl_reason(char *buf, size_t len)
{
	unsigned long e = ERR_peek_last_error();
	const char *reason = e ? ERR_reason_error_string(e) : NULL;

	snprintf(buf, len, "%s", reason ? reason : "not valid");
	mcred_openssl_forget();
	return buf;
}

/* A BIO over one block's bytes. */
static BIO *block_bio(const char *content, const struct pem_block *b)
{
	return BIO_new_mem_buf(content + b->begin, (int)(b->end - b->begin));
}

/* Never ask for a password on a terminal (OpenSSL's default callback would). */
static int no_password(char *buf, int size, int rwflag, void *user)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)user;
	return -1;
}

/* Parse a CERTIFICATE block; MCRED_OK or the reason in err. */
static enum mcred_err parse_certificate(const char *content, const struct pem_block *b,
					struct mcred_error *err)
{
	BIO *bio = block_bio(content, b);
	X509 *x = bio ? PEM_read_bio_X509(bio, NULL, no_password, NULL) : NULL;
	char reason[128];
	enum mcred_err rc = MCRED_OK;

	if (!x)
		rc = mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				     "the certificate at line %zu does not parse (OpenSSL: %s): is "
				     "the file damaged or cut off?",
				     b->line, openssl_reason(reason, sizeof(reason)));
	X509_free(x);
	BIO_free(bio);
	mcred_openssl_forget();
	return rc;
}

/*
 * Parse a private key block, with password for an encrypted one (OpenSSL
 * then decrypts it, as the modem will). MCRED_OK or the reason in err.
 */
static enum mcred_err parse_key(const char *content, const struct pem_block *b,
				const char *password, struct mcred_error *err)
{
	BIO *bio = block_bio(content, b);
	/* with a password, OpenSSL's own callback hands it over (no terminal) */
	EVP_PKEY *key = !bio       ? NULL
			: password ? PEM_read_bio_PrivateKey(bio, NULL, NULL, (void *)password)
				   : PEM_read_bio_PrivateKey(bio, NULL, no_password, NULL);
	char reason[128];
	enum mcred_err rc = MCRED_OK;

	if (!key && password)
		rc = mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				     "the password does not decrypt the private key at line %zu "
				     "(OpenSSL: %s): give the key's own password",
				     b->line, openssl_reason(reason, sizeof(reason)));
	else if (!key)
		rc = mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				     "the private key at line %zu does not parse (OpenSSL: %s): is "
				     "the file damaged or cut off?",
				     b->line, openssl_reason(reason, sizeof(reason)));
	EVP_PKEY_free(key);
	BIO_free(bio);
	mcred_openssl_forget();
	return rc;
}

/* ---- the checks per type ------------------------------------------------------------------ */

/* A block's END line is missing: the file was cut. */
static enum mcred_err check_complete(const struct pem_block *b, struct mcred_error *err)
{
	if (b->complete)
		return MCRED_OK;
	return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
			       "the PEM block \"%s\" that begins at line %zu has no END line: the "
			       "file is cut off",
			       b->label, b->line);
}

/* A block a certificate file must not hold: say what it is. */
static enum mcred_err not_a_certificate(int type, const struct pem_block *b,
					struct mcred_error *err)
{
	const char *name = mcred_cmng_type_label(type);

	switch (kind_of(b->label)) {
	case B_KEY:
	case B_ENCRYPTED_KEY:
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "the file holds a private key (\"%s\", line %zu), not a "
				       "certificate: type %d (%s) takes certificates only%s; write a "
				       "key as type 2 (key)",
				       b->label, b->line, type, name,
				       type == MCRED_TYPE_CA_CERT
					       ? ", and anyone with the port can read a type 0 slot back"
					       : "");
	case B_OTHER_CERT:
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "the certificate at line %zu is in OpenSSL's \"%s\" form, "
				       "which the modem does not read: convert it with `openssl x509 "
				       "-in FILE -out cert.pem` (a \"BEGIN CERTIFICATE\" block)",
				       b->line, b->label);
	case B_CSR:
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "the file holds a certificate request (CSR, line %zu), not a "
				       "certificate: have your CA sign it, and write the certificate "
				       "it issues",
				       b->line);
	default:
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "the file holds %s (\"%s\", line %zu), not a certificate: "
				       "type %d (%s) takes PEM certificates only",
				       kind_words(kind_of(b->label)), b->label, b->line, type,
				       name);
	}
}

/* Types 0 and 1: one or more certificates that parse, nothing else. */
static enum mcred_err check_certificates(int type, const char *content, size_t len,
					 struct mcred_error *err)
{
	struct pem_block blocks[BLOCKS_MAX];
	size_t n = find_blocks(content, len, blocks, BLOCKS_MAX);

	if (n == 0)
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "the file holds no PEM certificate (no \"-----BEGIN "
				       "CERTIFICATE-----\" line): type %d (%s) takes PEM "
				       "certificates; convert a binary (DER) one with `openssl x509 "
				       "-inform der -in FILE -out cert.pem`",
				       type, mcred_cmng_type_label(type));
	for (size_t i = 0; i < n; i++) {
		enum mcred_err rc = kind_of(blocks[i].label) != B_CERT
					    ? not_a_certificate(type, &blocks[i], err)
					    : check_complete(&blocks[i], err);

		if (rc == MCRED_OK)
			rc = parse_certificate(content, &blocks[i], err);
		if (rc != MCRED_OK)
			return rc;
	}
	return MCRED_OK;
}

/* The file has no private key: say what it holds instead. */
static enum mcred_err no_key(const struct pem_block *blocks, size_t n, struct mcred_error *err)
{
	for (size_t i = 0; i < n; i++) {
		enum block_kind k = kind_of(blocks[i].label);

		if (k == B_PARAMS)
			continue;
		if (k == B_CERT || k == B_OTHER_CERT)
			return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
					       "the file holds a certificate (line %zu), not a "
					       "private key: give the key's file as type 2 (key); a "
					       "certificate goes as type 0 (ca) or 1 (cert)",
					       blocks[i].line);
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "the file holds %s (\"%s\", line %zu), not a private key: "
				       "type 2 (key) takes one PEM private key",
				       kind_words(k), blocks[i].label, blocks[i].line);
	}
	return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
			       "the file holds no PEM private key (\"-----BEGIN PRIVATE KEY-----\", "
			       "\"EC PRIVATE KEY\" or \"RSA PRIVATE KEY\"): type 2 (key) takes one; "
			       "convert a binary (DER) one with `openssl pkey -inform der -in FILE "
			       "-out key.pem`");
}

/* The one key block of a type 2 file, checked for the forms the modem reads. */
static enum mcred_err check_key_form(const char *content, const struct pem_block *b,
				     const char *password, struct mcred_error *err)
{
	enum block_kind k = kind_of(b->label);
	int known = k == B_ENCRYPTED_KEY || strcmp(b->label, "PRIVATE KEY") == 0 ||
		    strcmp(b->label, "EC PRIVATE KEY") == 0 ||
		    strcmp(b->label, "RSA PRIVATE KEY") == 0;

	if (!known)
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "the private key at line %zu is a \"%s\", which the modem "
				       "does not read: it takes PKCS#8 (\"PRIVATE KEY\"), SEC1 (\"EC "
				       "PRIVATE KEY\") or PKCS#1 (\"RSA PRIVATE KEY\"); convert it, "
				       "e.g. with `openssl pkey -in FILE -out key.pem`",
				       b->line, b->label);
	if (k == B_KEY && legacy_encrypted(content, b))
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "the private key at line %zu is encrypted the old OpenSSL way "
				       "(Proc-Type: 4,ENCRYPTED); the modem decrypts PKCS#8 only: "
				       "convert it with `openssl pkcs8 -topk8 -v2 aes-256-cbc -in FILE "
				       "-out key.p8.pem`",
				       b->line);
	if (k == B_ENCRYPTED_KEY && !password)
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "the private key is encrypted (PKCS#8, line %zu): it can be "
				       "written only with its password, which the modem needs to "
				       "decrypt it",
				       b->line);
	if (k == B_KEY && password)
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "the private key (line %zu) is not encrypted, but a password "
				       "was given: drop the password, or encrypt the key with it "
				       "(`openssl pkcs8 -topk8 -v2 aes-256-cbc`)",
				       b->line);
	return parse_key(content, b, password, err);
}

/* Type 2: exactly one PEM private key that parses (with its password), nothing else. */
static enum mcred_err check_private_key(const char *content, size_t len, const char *password,
					struct mcred_error *err)
{
	struct pem_block blocks[BLOCKS_MAX];
	size_t n = find_blocks(content, len, blocks, BLOCKS_MAX), keys = 0, key = 0;

	for (size_t i = 0; i < n; i++) {
		enum block_kind k = kind_of(blocks[i].label);

		if (k == B_KEY || k == B_ENCRYPTED_KEY) {
			key = i;
			keys++;
		}
	}
	if (keys == 0)
		return no_key(blocks, n, err);
	if (keys > 1)
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "the file holds %zu private keys; type 2 (key) takes one: "
				       "give the file of the one key",
				       keys);
	for (size_t i = 0; i < n; i++) {
		enum block_kind k = kind_of(blocks[i].label);

		if (i == key || k == B_PARAMS)
			continue;
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "the file holds a private key and %s (\"%s\", line %zu): type "
				       "2 (key) takes the key alone; split the file (a certificate "
				       "goes as type 1, cert)",
				       kind_words(k), blocks[i].label, blocks[i].line);
	}
	enum mcred_err rc = check_complete(&blocks[key], err);

	return rc == MCRED_OK ? check_key_form(content, &blocks[key], password, err) : rc;
}

static enum mcred_err check_content(int type, const char *content, size_t len, const char *password,
				    struct mcred_error *err)
{
	char *prepared = NULL;
	size_t prepared_len = 0;
	enum mcred_err rc = mcred_cmng_check_write_type(type, err);

	if (rc == MCRED_OK)
		rc = mcred_cmng_check_password(type, password, err);
	/* the checks of every write first: text, PSK as hex (no line ending conversion) */
	if (rc == MCRED_OK)
		rc = mcred_cmng_prepare_content(type, content, len, 1, &prepared, &prepared_len,
						err);
	if (rc == MCRED_OK && (type == MCRED_TYPE_CA_CERT || type == MCRED_TYPE_CLIENT_CERT))
		rc = check_certificates(type, prepared, prepared_len, err);
	else if (rc == MCRED_OK && type == MCRED_TYPE_PRIVATE_KEY)
		rc = check_private_key(prepared, prepared_len, password, err);
	mcred_secret_free(prepared, prepared_len + 1);
	if (rc == MCRED_OK)
		mcred_error_clear(err);
	return rc;
}

enum mcred_err mcred_cmng_check_content(int type, const char *content, size_t len,
					const char *password, struct mcred_error *err)
{
	enum mcred_err rc;

	mcred_openssl_enter();
	rc = check_content(type, content, len, password, err);
	mcred_openssl_leave();
	return rc;
}
