/*
 * %CMNG=<opcode>[,<sec_tag>[,<type>[,<content>[,<passwd>]]]]
 *
 * 0 write, 1 list, 2 read, 3 delete, with the rules of the nRF91 AT command
 * reference (%CMNG set command) and what real modems answer (the CME codes
 * sdk-nrf lib/modem_key_mgmt maps; 527 on mfw 2.x, DevZone case 127428).
 * A list comes in storage order (store.c). Checks run in this order:
 * malformed parameters (50), access rules (514), online modem (518), content
 * (527, mfw 2.x only), then existence (513) and capacity (515).
 */
#include "sim.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>

#define MAX_USER_TAG 2147483647u
#define MAX_TYPE 11
#define MAX_PASSWORD 32

enum { OP_WRITE, OP_LIST, OP_READ, OP_DELETE };

/* A tag parameter: 0..4294967295 (the modem's own tags can be listed/read). */
static int get_tag(const struct param *p, uint32_t *tag)
{
	if (p->kind != P_INT || p->num > UINT32_MAX)
		return -1;
	*tag = (uint32_t)p->num;
	return 0;
}

static int get_type(const struct param *p, int *type)
{
	if (p->kind != P_INT || p->num > MAX_TYPE)
		return -1;
	*type = (int)p->num;
	return 0;
}

/* "%CMNG: <tag>,<type>" with the firmware's separator; no newline. */
static void add_head(struct sim *sim, struct buf *b, const struct cred *c)
{
	const char *sep = at_sep(sim);
	buf_addf(b, "%%CMNG: %lu%s%d", (unsigned long)c->tag, sep, c->type);
}

/* Every PEM block of the content is an X.509 certificate, and there is one. */
static int is_certificate_pem(const char *content, size_t len)
{
	BIO *in = BIO_new_mem_buf(content, (int)len);
	int count = 0, ok = in != NULL;
	X509 *cert;

	while (ok && (cert = PEM_read_bio_X509(in, NULL, NULL, NULL)) != NULL) {
		X509_free(cert);
		count++;
	}
	if (ok) {
		unsigned long err = ERR_peek_last_error();
		ok = count > 0 && ERR_GET_LIB(err) == ERR_LIB_PEM &&
		     ERR_GET_REASON(err) == PEM_R_NO_START_LINE;
	}
	ERR_clear_error();
	BIO_free(in);
	return ok;
}

/* mfw 2.x: certificates (types 0, 1) must parse (DevZone case 127428:
 * +CME ERROR: 527 for content that is not one); 2.0.2 also refused CRLF
 * line endings in them (reported by users of mfw_nrf91x1_2.0.2). */
static int content_refused(const struct sim *sim, int type, const struct param *content)
{
	if ((type != 0 && type != 1) || !device_fw_checks_certificates(sim))
		return 0;
	if (device_fw_refuses_crlf_pem(sim) && memchr(content->text, '\r', content->len))
		return 1; /* a CR in a PEM is the CR of a CRLF */
	return !is_certificate_pem(content->text, content->len);
}

static int cmng_write(struct sim *sim, const struct param *p, int n)
{
	uint32_t tag;
	int type;
	if (n < 4 || n > 5 || get_tag(&p[1], &tag) || get_type(&p[2], &type) ||
	    p[3].kind != P_STRING)
		return 50;
	if (tag > MAX_USER_TAG)
		return 514;
	if (type > 4 || p[3].len == 0)
		return 50;
	/* The PKCS#8 password counts for type 2 only; other types ignore it. */
	if (n == 5 && type == 2 && (p[4].kind != P_STRING || p[4].len > MAX_PASSWORD))
		return 50;
	if (device_is_active(sim))
		return 518;
	if (content_refused(sim, type, &p[3]))
		return 527;
	if (!store_find(&sim->store, tag, type) &&
	    store_user_count(&sim->store) >= sim->opt.capacity)
		return 515;
	store_put(&sim->store, tag, type, p[3].text, p[3].len, 0);
	persist_save(sim);
	return RES_OK;
}

static int cmng_list(struct sim *sim, struct reply *r, const struct param *p, int n)
{
	uint32_t tag = 0;
	int type = 0;
	if (n > 3 || (n >= 2 && get_tag(&p[1], &tag)) || (n == 3 && get_type(&p[2], &type)))
		return 50;
	struct buf line = { 0 };
	for (size_t i = 0; i < sim->store.count; i++) {
		const struct cred *c = &sim->store.items[i];
		if ((n >= 2 && c->tag != tag) || (n == 3 && c->type != type))
			continue;
		buf_clear(&line);
		add_head(sim, &line, c);
		if (!sim->opt.no_sha) {
			char sha[65];
			sha256_hex(c->content, c->len, sha);
			buf_addf(&line, "%s\"%s\"", at_sep(sim), sha);
		}
		reply_line(sim, r, line.data, line.len);
	}
	buf_free(&line);
	return RES_OK;
}

/*
 * The read answer, as in the reference page's example: the digest, a comma,
 * a line break, then the content in quotes exactly as stored. Type 8 holds a
 * private key; reading it gives the public key (reference page, type 8).
 */
static int cmng_read(struct sim *sim, struct reply *r, const struct param *p, int n)
{
	uint32_t tag;
	int type;
	if (n != 3 || get_tag(&p[1], &tag) || get_type(&p[2], &type))
		return 50;
	if (type == 1 || type == 2 || type == 3 || type == 10)
		return 514;
	const struct cred *c = store_find(&sim->store, tag, type);
	if (!c)
		return 513;

	char *derived = NULL;
	const char *content = c->content;
	size_t len = c->len;
	if (type == 8) {
		derived = keycmd_public_pem(c->content);
		if (!derived)
			return 60;
		content = derived;
		len = strlen(derived);
	}
	struct buf line = { 0 };
	add_head(sim, &line, c);
	if (!sim->opt.no_sha) {
		char sha[65];
		sha256_hex(content, len, sha);
		buf_addf(&line, "%s\"%s\",\r\n\"", at_sep(sim), sha);
	} else {
		buf_addf(&line, "%s\"", at_sep(sim));
	}
	buf_add(&line, content, len);
	buf_adds(&line, "\"");
	reply_line(sim, r, line.data, line.len);
	buf_free(&line);
	free(derived);
	return RES_OK;
}

static int cmng_delete(struct sim *sim, const struct param *p, int n)
{
	uint32_t tag;
	int type;
	if (n != 3 || get_tag(&p[1], &tag) || get_type(&p[2], &type))
		return 50;
	if (tag > MAX_USER_TAG || type >= 8)
		return 514; /* 8, 9, 10, 11 cannot be deleted */
	if (device_is_active(sim))
		return 518;
	if (store_remove(&sim->store, tag, type))
		return 513;
	persist_save(sim);
	return RES_OK;
}

int cmng_command(struct sim *sim, struct reply *r, const char *rest, size_t rest_len)
{
	struct param p[MAX_PARAMS];
	if (rest_len < 1 || rest[0] != '=')
		return RES_ERROR;
	int n = params_split(rest + 1, rest_len - 1, p, MAX_PARAMS);
	if (n < 1 || p[0].kind != P_INT)
		return 50;
	switch (p[0].num) {
	case OP_WRITE: return cmng_write(sim, p, n);
	case OP_LIST: return cmng_list(sim, r, p, n);
	case OP_READ: return cmng_read(sim, r, p, n);
	case OP_DELETE: return cmng_delete(sim, p, n);
	default: return 50;
	}
}
