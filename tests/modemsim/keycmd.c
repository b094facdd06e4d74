/*
 * %KEYGEN and %ATTESTTOKEN: parameter checks, modem state and the store.
 * The cryptography (keys, CSR, COSE_Sign1, CBOR) is keygen.c's job.
 *
 *   %KEYGEN=<sec_tag>,<key_type>[,<response_content>][,"<attributes>"][,"<key_usage>"]
 *   %ATTESTTOKEN[="<32 hex digits>"]
 */
#include "sim.h"
#include "keygen.h"

#include <ctype.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdlib.h>
#include <string.h>

#define MAX_USER_TAG 2147483647u

char *keycmd_public_pem(const char *private_pem)
{
	char *out = NULL;
	BIO *in = BIO_new_mem_buf(private_pem, -1);
	EVP_PKEY *key = in ? PEM_read_bio_PrivateKey(in, NULL, NULL, NULL) : NULL;
	BIO *mem = BIO_new(BIO_s_mem());
	if (key && mem && PEM_write_bio_PUBKEY(mem, key)) {
		char *data;
		long len = BIO_get_mem_data(mem, &data);
		out = malloc((size_t)len + 1);
		if (out) {
			memcpy(out, data, (size_t)len);
			out[len] = '\0';
		}
	}
	BIO_free(mem);
	EVP_PKEY_free(key);
	BIO_free(in);
	return out;
}

/* An optional string parameter: absent or empty -> NULL (use the default),
 * a quoted string -> a malloc'd copy in *out; -1 for anything else. */
static int optional_string(const struct param *p, int n, int index, char **out)
{
	*out = NULL;
	if (index >= n || p[index].kind == P_EMPTY)
		return 0;
	if (p[index].kind != P_STRING)
		return -1;
	if (p[index].len == 0)
		return 0;
	*out = malloc(p[index].len + 1);
	if (!*out)
		abort();
	memcpy(*out, p[index].text, p[index].len);
	(*out)[p[index].len] = '\0';
	return 0;
}

/* <response_content>: mandatory 0|1 for key type 2, optional 1 for type 8. */
static int response_content(const struct param *p, int n, int key_type)
{
	int given = n >= 3 && p[2].kind != P_EMPTY;
	if (given && (p[2].kind != P_INT || p[2].num > 1))
		return -1;
	if (key_type == 2)
		return given ? (int)p[2].num : -1;
	return !given || p[2].num == 1 ? 1 : -1;
}

/* Generate, store the private key under the tag, answer with the blob. */
static int generate(struct sim *sim, struct reply *r, struct simkg_request *req)
{
	struct cred *existing = store_find(&sim->store, req->sec_tag, req->key_type);
	if (!existing && store_user_count(&sim->store) >= sim->opt.capacity)
		return 515;
	if (req->key_type == 8 && existing)
		req->existing_key_pem = existing->content;

	char *blob = NULL, *key_pem = NULL;
	int rc = simkg_keygen(sim->identity, req, &blob, &key_pem);
	if (rc == 0) {
		store_put(&sim->store, req->sec_tag, req->key_type, key_pem, strlen(key_pem), 0);
		persist_save(sim);
		struct buf line = { 0 };
		buf_addf(&line, "%%KEYGEN: \"%s\"", blob);
		reply_line(sim, r, line.data, line.len);
		buf_free(&line);
	}
	free(blob);
	free(key_pem);
	return rc;
}

int keygen_command(struct sim *sim, struct reply *r, const char *rest, size_t rest_len)
{
	struct param p[MAX_PARAMS];
	if (rest_len < 1 || rest[0] != '=')
		return RES_ERROR;
	int n = params_split(rest + 1, rest_len - 1, p, MAX_PARAMS);
	if (n < 2 || n > 5 || p[0].kind != P_INT || p[0].num < 1 || p[0].num > MAX_USER_TAG ||
	    p[1].kind != P_INT || (p[1].num != 2 && p[1].num != 8))
		return 50;

	struct simkg_request req;
	memset(&req, 0, sizeof(req));
	req.sec_tag = (uint32_t)p[0].num;
	req.key_type = (int)p[1].num;
	req.response_content = response_content(p, n, req.key_type);
	req.modern_encoding = sim->opt.modern_csr;
	req.device_uuid = sim->uuid;

	char *attributes = NULL, *key_usage = NULL;
	int rc = 50;
	if (req.response_content < 0 || optional_string(p, n, 3, &attributes) ||
	    optional_string(p, n, 4, &key_usage))
		goto out;
	/* Attributes and key usage only shape a CSR; otherwise ignored. */
	if (req.response_content == 0) {
		req.attributes = attributes;
		req.key_usage = key_usage;
		/* --keygen-subject: a faulty modem, its own subject whatever was asked */
		if (sim->opt.keygen_subject)
			req.attributes = sim->opt.keygen_subject;
	}
	if (device_is_active(sim)) {
		rc = 518;
		goto out;
	}
	/* The modem's processing time (--keygen-ms); a reset meanwhile ends it. */
	if (sim->opt.keygen_ms > 0 && sleep_seconds(sim, (double)sim->opt.keygen_ms / 1000.0)) {
		rc = RES_ERROR;
		goto out;
	}
	async_advance(sim, (double)sim->opt.keygen_ms);
	if (sim->opt.keygen_fail > 0)
		rc = (int)sim->opt.keygen_fail;
	else
		rc = generate(sim, r, &req);
out:
	free(attributes);
	free(key_usage);
	return rc;
}

static int is_hex_challenge(const struct param *p)
{
	if (p->kind != P_STRING || p->len != 32)
		return 0;
	for (size_t i = 0; i < p->len; i++)
		if (!isxdigit((unsigned char)p->text[i]))
			return 0;
	return 1;
}

int attest_command(struct sim *sim, struct reply *r, const char *rest, size_t rest_len)
{
	char challenge[33];
	const char *challenge_hex = NULL;
	if (rest_len > 0) {
		struct param p[MAX_PARAMS];
		if (rest[0] != '=')
			return RES_ERROR;
		int n = params_split(rest + 1, rest_len - 1, p, MAX_PARAMS);
		if (n != 1 || !is_hex_challenge(&p[0]))
			return 50;
		memcpy(challenge, p[0].text, 32);
		challenge[32] = '\0';
		challenge_hex = challenge;
	}
	char *blob = NULL;
	/* The device type follows --model, the firmware UUID is %XMODEMUUID's. */
	int rc = simkg_attest(sim->identity, sim->uuid, sim->device_type, sim->fw_uuid,
			      challenge_hex, &blob);
	if (rc == 0) {
		struct buf line = { 0 };
		buf_addf(&line, "%%ATTESTTOKEN: \"%s\"", blob);
		reply_line(sim, r, line.data, line.len);
		buf_free(&line);
	}
	free(blob);
	return rc;
}
