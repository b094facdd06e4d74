/*
 * %CMNG operations, device info and sessions through the public API, against
 * a scripted fake nRF91 behind a callback transport: it parses what is
 * written and answers like the modem (CMEE, CFUN, a %CMNG store).
 */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"

/* ---- the fake modem ------------------------------------------------------ */

#define MAX_CREDS 16
#define MAX_LOG 64

struct cred {
	uint32_t tag;
	int type;
	char *content;
};

struct fake {
	int cmee;
	int cfun;
	int no_sha;          /* firmware without digests */
	int corrupt_sha;     /* lists a wrong digest */
	int write_cme;       /* non-zero: refuse writes with this code */
	int cancel_on_write; /* raise cancel once a write arrives */
	int cancel_on_offline; /* raise cancel once AT+CFUN=4 arrives */
	int cancel;
	int cgsn_prefixed;   /* answers +CGSN: "<imei>" */
	int no_uuid;         /* firmware without %XMODEMUUID */
	int refuse_online;   /* AT+CFUN=1 fails (restore failure) */
	size_t bytes_written;
	struct cred creds[MAX_CREDS];
	size_t ncreds;
	char *log[MAX_LOG];
	size_t nlog;
	char in[16384];
	size_t in_len;
	char *out;
	size_t out_len, out_pos;
};

static void say(struct fake *f, const char *text)
{
	size_t n = strlen(text);
	f->out = realloc(f->out, f->out_len + n + 1);
	memcpy(f->out + f->out_len, text, n);
	f->out_len += n;
}

static void sayf(struct fake *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sayf(struct fake *f, const char *fmt, ...)
{
	char buf[8192];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	say(f, buf);
}

static void fail_cme(struct fake *f, int code)
{
	if (f->cmee)
		sayf(f, "\r\n+CME ERROR: %d\r\n", code);
	else
		say(f, "\r\nERROR\r\n");
}

static struct cred *find(struct fake *f, uint32_t tag, int type)
{
	for (size_t i = 0; i < f->ncreds; i++)
		if (f->creds[i].tag == tag && f->creds[i].type == type)
			return &f->creds[i];
	return NULL;
}

static void store(struct fake *f, uint32_t tag, int type, const char *content, size_t len)
{
	struct cred *c = find(f, tag, type);
	if (!c) {
		c = &f->creds[f->ncreds++];
		c->tag = tag;
		c->type = type;
	} else {
		free(c->content);
	}
	c->content = strndup(content, len);
}

static void digest_of(struct fake *f, const struct cred *c, char sha[65])
{
	mcred_sha256_hex(c->content, strlen(c->content), sha);
	if (f->corrupt_sha)
		sha[0] = sha[0] == 'A' ? 'B' : 'A';
}

static void list_one(struct fake *f, const struct cred *c)
{
	char sha[65];
	if (f->no_sha) {
		sayf(f, "\r\n%%CMNG: %" PRIu32 ", %d", c->tag, c->type);
		return;
	}
	digest_of(f, c, sha);
	sayf(f, "\r\n%%CMNG: %" PRIu32 ", %d, \"%s\"", c->tag, c->type, sha);
}

static void cmng_write(struct fake *f, const char *args)
{
	unsigned long tag;
	int type, used = 0;
	if (sscanf(args, "%lu,%d,%n", &tag, &type, &used) != 2 || args[used] != '"')
		return fail_cme(f, 50);
	const char *start = args + used + 1;
	const char *end = strchr(start, '"');
	if (!end)
		return fail_cme(f, 50);
	if (f->cfun == 1)
		return fail_cme(f, 518);
	if (f->cancel_on_write)
		f->cancel = 1;
	if (f->write_cme)
		return fail_cme(f, f->write_cme);
	store(f, (uint32_t)tag, type, start, (size_t)(end - start));
	say(f, "\r\nOK\r\n");
}

static void cmng_list(struct fake *f, const char *args)
{
	long long tag = -1;
	int type = -1;
	if (*args == ',')
		sscanf(args, ",%lld,%d", &tag, &type);
	for (size_t i = 0; i < f->ncreds; i++) {
		const struct cred *c = &f->creds[i];
		if ((tag < 0 || c->tag == (uint32_t)tag) && (type < 0 || c->type == type))
			list_one(f, c);
	}
	if (tag < 0)
		say(f, "\r\n%CMNG: 4294967292, 10, "
		       "\"0000000000000000000000000000000000000000000000000000000000000000\"");
	say(f, "\r\nOK\r\n");
}

static void cmng_read(struct fake *f, uint32_t tag, int type)
{
	if (type == 1 || type == 2 || type == 3 || type == 10)
		return fail_cme(f, 514);
	const struct cred *c = find(f, tag, type);
	if (!c)
		return fail_cme(f, 513);
	char sha[65];
	digest_of(f, c, sha);
	if (f->no_sha)
		sayf(f, "\r\n%%CMNG: %" PRIu32 ", %d, \"%s\"", tag, type, c->content);
	else /* a line break between parameters, as in the reference page */
		sayf(f, "\r\n%%CMNG: %" PRIu32 ", %d, \"%s\",\r\n\"%s\"", tag, type, sha,
		     c->content);
	say(f, "\r\nOK\r\n");
}

static void cmng_delete(struct fake *f, uint32_t tag, int type)
{
	struct cred *c = find(f, tag, type);
	if (f->cfun == 1)
		return fail_cme(f, 518);
	if (!c)
		return fail_cme(f, 513);
	free(c->content);
	*c = f->creds[--f->ncreds];
	say(f, "\r\nOK\r\n");
}

static void cmng(struct fake *f, const char *args)
{
	unsigned long tag = 0;
	int type = 0;
	if (strncmp(args, "0,", 2) == 0)
		return cmng_write(f, args + 2);
	if (args[0] == '1')
		return cmng_list(f, args + 1);
	if (sscanf(args + 1, ",%lu,%d", &tag, &type) != 2)
		return fail_cme(f, 50);
	if (args[0] == '2')
		return cmng_read(f, (uint32_t)tag, type);
	if (args[0] == '3')
		return cmng_delete(f, (uint32_t)tag, type);
	fail_cme(f, 50);
}

static void answer(struct fake *f, const char *cmd)
{
	int n;
	if (f->nlog < MAX_LOG)
		f->log[f->nlog++] = strdup(cmd);
	if (strcmp(cmd, "AT+CMEE?") == 0)
		sayf(f, "\r\n+CMEE: %d\r\n\r\nOK\r\n", f->cmee);
	else if (sscanf(cmd, "AT+CMEE=%d", &n) == 1)
		f->cmee = n, say(f, "\r\nOK\r\n");
	else if (strcmp(cmd, "AT+CFUN?") == 0)
		sayf(f, "\r\n+CFUN: %d\r\n\r\nOK\r\n", f->cfun);
	else if (strcmp(cmd, "AT+CFUN=4") == 0 && f->cancel_on_offline)
		f->cfun = 4, f->cancel = 1, say(f, "\r\nOK\r\n");
	else if (sscanf(cmd, "AT+CFUN=%d", &n) == 1 && n == 1 && f->refuse_online)
		fail_cme(f, 60);
	else if (sscanf(cmd, "AT+CFUN=%d", &n) == 1)
		f->cfun = n, say(f, "\r\nOK\r\n");
	else if (strcmp(cmd, "AT+CGSN") == 0 && f->cgsn_prefixed)
		say(f, "\r\n+CGSN: \"351358811234567\"\r\n\r\nOK\r\n");
	else if (strcmp(cmd, "AT+CGSN") == 0)
		say(f, "\r\n351358811234567\r\n\r\nOK\r\n");
	else if (strcmp(cmd, "AT+CGMM") == 0)
		say(f, "\r\nnRF9160-SICA\r\n\r\nOK\r\n");
	else if (strcmp(cmd, "AT+CGMR") == 0)
		say(f, "\r\nmfw_nrf9160_1.3.5\r\n\r\nOK\r\n");
	else if (strcmp(cmd, "AT%XMODEMUUID") == 0 && !f->no_uuid)
		say(f, "\r\n%XMODEMUUID: 50503041-3633-43b0-80c3-011a3496dac0\r\n\r\nOK\r\n");
	else if (strncmp(cmd, "AT%CMNG=", 8) == 0)
		cmng(f, cmd + 8);
	else
		say(f, "\r\nERROR\r\n");
}

/* Split the input into commands at CRLF outside quotes. */
static void process_input(struct fake *f)
{
	int quoted = 0;
	for (size_t i = 0; i < f->in_len; i++) {
		if (f->in[i] == '"')
			quoted = !quoted;
		if (quoted || f->in[i] != '\r' || i + 1 >= f->in_len || f->in[i + 1] != '\n')
			continue;
		f->in[i] = '\0';
		answer(f, f->in);
		memmove(f->in, f->in + i + 2, f->in_len - i - 2);
		f->in_len -= i + 2;
		i = (size_t)-1;
		quoted = 0;
	}
}

static int fake_write(void *user, const uint8_t *buf, size_t len, unsigned timeout_ms)
{
	struct fake *f = user;
	(void)timeout_ms;
	if (f->in_len + len > sizeof(f->in))
		return -1;
	memcpy(f->in + f->in_len, buf, len);
	f->in_len += len;
	f->bytes_written += len;
	process_input(f);
	return (int)len;
}

static int fake_read(void *user, uint8_t *buf, size_t len, unsigned timeout_ms)
{
	struct fake *f = user;
	(void)timeout_ms;
	size_t n = f->out_len - f->out_pos;
	if (n > len)
		n = len;
	if (n == 0)
		return 0;
	memcpy(buf, f->out + f->out_pos, n);
	f->out_pos += n;
	return (int)n;
}

static int fake_cancel(void *user)
{
	return ((struct fake *)user)->cancel;
}

struct fixture {
	struct fake fake;
	mcred_modem *m;
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	fx->fake.cfun = 1;
	struct mcred_options o;
	mcred_options_init(&o);
	o.timeout_ms = 300;
	o.auto_offline = 1;
	o.cancel_cb = fake_cancel;
	o.cancel_user = &fx->fake;
	struct mcred_transport t = { fake_read, fake_write, NULL, &fx->fake };
	if (mcred_modem_open_transport(&fx->m, &t, &o, NULL) != MCRED_OK)
		return -1;
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	mcred_modem_free(fx->m);
	for (size_t i = 0; i < fx->fake.ncreds; i++)
		free(fx->fake.creds[i].content);
	for (size_t i = 0; i < fx->fake.nlog; i++)
		free(fx->fake.log[i]);
	free(fx->fake.out);
	free(fx);
	return 0;
}

static size_t count_sent(const struct fake *f, const char *cmd)
{
	size_t n = 0;
	for (size_t i = 0; i < f->nlog; i++)
		n += strcmp(f->log[i], cmd) == 0;
	return n;
}

static void assert_message_has(mcred_modem *m, const char *word)
{
	const char *msg = mcred_modem_error(m)->message;
	if (!strstr(msg, word))
		fail_msg("message \"%s\" lacks \"%s\"", msg, word);
}

/* The modem was left as found: online, CMEE off. */
static void assert_restored(const struct fake *f)
{
	assert_int_equal(f->cfun, 1);
	assert_int_equal(f->cmee, 0);
}

static const char pem_crlf[] = "-----BEGIN CERTIFICATE-----\r\nMIIB\r\n-----END CERTIFICATE-----\r\n";
static const char pem_lf[] = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

/* ---- tests ----------------------------------------------------------------- */

static void test_write_verify_ok(void **state)
{
	struct fixture *fx = *state;
	assert_int_equal(mcred_cmng_write(fx->m, 12, 0, pem_crlf, strlen(pem_crlf), NULL,
					  MCRED_WRITE_VERIFY),
			 MCRED_OK);
	assert_int_equal(fx->fake.ncreds, 1);
	assert_string_equal(fx->fake.creds[0].content, pem_lf);
	assert_int_equal(count_sent(&fx->fake, "AT+CMEE=1"), 1);
	assert_int_equal(count_sent(&fx->fake, "AT+CFUN=4"), 1);
	assert_int_equal(count_sent(&fx->fake, "AT+CFUN=1"), 1);
	assert_int_equal(count_sent(&fx->fake, "AT%CMNG=1,12,0"), 1);
	assert_restored(&fx->fake);
	assert_int_equal(mcred_modem_error(fx->m)->code, MCRED_OK);
}

static void test_write_verify_mismatch(void **state)
{
	struct fixture *fx = *state;
	fx->fake.corrupt_sha = 1;
	assert_int_equal(mcred_cmng_write(fx->m, 12, 0, pem_lf, strlen(pem_lf), NULL,
					  MCRED_WRITE_VERIFY),
			 MCRED_ERR_MISMATCH);
	assert_message_has(fx->m, "digest mismatch for tag 12 type 0 (ca): sent ");
	assert_message_has(fx->m, "modem has ");
	assert_restored(&fx->fake);
}

static void test_write_verify_unsupported(void **state)
{
	struct fixture *fx = *state;
	fx->fake.no_sha = 1;
	assert_int_equal(mcred_cmng_write(fx->m, 12, 4, "id-1", 4, NULL, MCRED_WRITE_VERIFY),
			 MCRED_ERR_UNSUPPORTED);
	assert_message_has(fx->m, "cannot verify");
	assert_message_has(fx->m, "read type 0 or 4 back");
	/* the write itself happened */
	assert_int_equal(fx->fake.ncreds, 1);
	/* without verification the same write succeeds */
	assert_int_equal(mcred_cmng_write(fx->m, 12, 4, "id-1", 4, NULL, 0), MCRED_OK);
}

static void test_write_failure_restores(void **state)
{
	struct fixture *fx = *state;
	fx->fake.write_cme = 515;
	assert_int_equal(mcred_cmng_write(fx->m, 12, 0, pem_lf, strlen(pem_lf), NULL, 0),
			 MCRED_ERR_CME);
	assert_int_equal(mcred_modem_cme(fx->m), 515);
	assert_message_has(fx->m, "writing tag 12 type 0 (ca)");
	assert_message_has(fx->m, "memory full");
	assert_restored(&fx->fake);
}

static void test_write_online_without_auto_offline(void **state)
{
	struct fixture *fx = *state;
	fx->m->opts.auto_offline = 0;
	assert_int_equal(mcred_cmng_write(fx->m, 12, 0, pem_lf, strlen(pem_lf), NULL, 0),
			 MCRED_ERR_CME);
	assert_int_equal(mcred_modem_cme(fx->m), 518);
	assert_message_has(fx->m, "offline");
	assert_int_equal(count_sent(&fx->fake, "AT+CFUN=4"), 0);
	assert_restored(&fx->fake);
}

static void test_cancel_still_restores(void **state)
{
	struct fixture *fx = *state;
	fx->fake.cancel_on_write = 1;
	assert_int_equal(mcred_cmng_write(fx->m, 12, 0, pem_lf, strlen(pem_lf), NULL, 0),
			 MCRED_ERR_CANCELLED);
	assert_int_equal(mcred_modem_error(fx->m)->code, MCRED_ERR_CANCELLED);
	assert_restored(&fx->fake);
}

/* Ctrl-C while AT+CFUN=4 is in flight: the modem went offline, so restore it. */
static void test_cancel_while_going_offline_restores(void **state)
{
	struct fixture *fx = *state;
	fx->fake.cancel_on_offline = 1;
	assert_int_equal(mcred_cmng_write(fx->m, 12, 0, pem_lf, strlen(pem_lf), NULL, 0),
			 MCRED_ERR_CANCELLED);
	assert_int_equal(fx->fake.ncreds, 0); /* stopped before the write */
	assert_restored(&fx->fake);
}

static void test_restore_failure(void **state)
{
	struct fixture *fx = *state;
	fx->fake.refuse_online = 1;
	store(&fx->fake, 5, 0, "c", 1);
	/* the delete worked, the restore did not: say so */
	assert_int_equal(mcred_cmng_delete(fx->m, 5, 0), MCRED_ERR_CME);
	assert_int_equal(fx->fake.ncreds, 0);
	assert_int_equal(mcred_modem_cme(fx->m), 60);
	assert_message_has(fx->m, "succeeded, but restoring");
	assert_int_equal(fx->fake.cmee, 0);
	/* both fail: the operation's error and message win */
	assert_int_equal(mcred_cmng_delete(fx->m, 5, 0), MCRED_ERR_NOT_FOUND);
	assert_int_equal(mcred_modem_cme(fx->m), 513);
	assert_message_has(fx->m, "does not exist");
}

static void test_already_offline_left_alone(void **state)
{
	struct fixture *fx = *state;
	fx->fake.cfun = 4;
	fx->fake.cmee = 1;
	assert_int_equal(mcred_cmng_write(fx->m, 3, 3, "00ff\n", 5, NULL, MCRED_WRITE_VERIFY),
			 MCRED_OK);
	assert_int_equal(count_sent(&fx->fake, "AT+CFUN=4"), 0);
	assert_int_equal(count_sent(&fx->fake, "AT+CFUN=1"), 0);
	assert_int_equal(count_sent(&fx->fake, "AT+CMEE=1"), 0);
	assert_int_equal(count_sent(&fx->fake, "AT+CMEE=0"), 0);
	assert_int_equal(fx->fake.cfun, 4);
	assert_string_equal(fx->fake.creds[0].content, "00ff");
}

static void test_read_byte_exact(void **state)
{
	struct fixture *fx = *state;
	static const char content[] = "-----BEGIN X-----\r\nline  \t\n\r\n-----END X-----\r\n  ";
	store(&fx->fake, 77, 0, content, strlen(content));
	char *got = NULL;
	size_t len = 0;
	char sha[65], expected[65];
	assert_int_equal(mcred_cmng_read(fx->m, 77, 0, &got, &len, sha), MCRED_OK);
	assert_int_equal(len, strlen(content));
	assert_memory_equal(got, content, len);
	assert_int_equal(got[len], '\0');
	mcred_sha256_hex(content, strlen(content), expected);
	assert_string_equal(sha, expected);
	free(got);
	assert_restored(&fx->fake);
	/* reads need no offline */
	assert_int_equal(count_sent(&fx->fake, "AT+CFUN=4"), 0);

	fx->fake.no_sha = 1;
	assert_int_equal(mcred_cmng_read(fx->m, 77, 0, &got, &len, sha), MCRED_OK);
	assert_memory_equal(got, content, len);
	assert_string_equal(sha, "");
	free(got);
}

static void test_read_not_found_and_refused(void **state)
{
	struct fixture *fx = *state;
	char *got = (char *)1;
	assert_int_equal(mcred_cmng_read(fx->m, 4567, 0, &got, NULL, NULL), MCRED_ERR_NOT_FOUND);
	assert_null(got);
	assert_int_equal(mcred_modem_cme(fx->m), 513);
	size_t before = fx->fake.bytes_written;
	assert_int_equal(mcred_cmng_read(fx->m, 1, 2, &got, NULL, NULL), MCRED_ERR_INVALID_ARG);
	assert_int_equal(fx->fake.bytes_written, before);
}

static void test_delete(void **state)
{
	struct fixture *fx = *state;
	store(&fx->fake, 5, 1, "c", 1);
	assert_int_equal(mcred_cmng_delete(fx->m, 5, 1), MCRED_OK);
	assert_int_equal(fx->fake.ncreds, 0);
	assert_int_equal(mcred_cmng_delete(fx->m, 5, 1), MCRED_ERR_NOT_FOUND);
	assert_int_equal(mcred_modem_cme(fx->m), 513);
	assert_int_equal(mcred_modem_error(fx->m)->cme, 513);
	assert_message_has(fx->m, "tag 5 type 1 (cert) does not exist");
	assert_restored(&fx->fake);
}

static void test_clear_counts(void **state)
{
	struct fixture *fx = *state;
	store(&fx->fake, 7, 0, "a", 1);
	store(&fx->fake, 7, 1, "b", 1);
	store(&fx->fake, 7, 2, "c", 1);
	store(&fx->fake, 7, 9, "d", 1);
	store(&fx->fake, 8, 0, "e", 1);
	size_t deleted = 99, skipped = 99;
	assert_int_equal(mcred_cmng_clear(fx->m, 7, &deleted, &skipped), MCRED_OK);
	assert_int_equal(deleted, 3);
	assert_int_equal(skipped, 1);
	assert_int_equal(fx->fake.ncreds, 2);
	assert_non_null(find(&fx->fake, 7, 9));
	assert_non_null(find(&fx->fake, 8, 0));
	/* one session: CMEE and CFUN handled once */
	assert_int_equal(count_sent(&fx->fake, "AT+CMEE?"), 1);
	assert_int_equal(count_sent(&fx->fake, "AT+CFUN=4"), 1);
	assert_restored(&fx->fake);
	size_t before = fx->fake.bytes_written;
	assert_int_equal(mcred_cmng_clear(fx->m, 4294967292u, NULL, NULL), MCRED_ERR_INVALID_ARG);
	assert_int_equal(fx->fake.bytes_written, before);
}

static void test_exists_and_list(void **state)
{
	struct fixture *fx = *state;
	store(&fx->fake, 9, 4, "id", 2);
	int exists = -1;
	char sha[65], expected[65];
	assert_int_equal(mcred_cmng_exists(fx->m, 9, 4, &exists, sha), MCRED_OK);
	assert_int_equal(exists, 1);
	mcred_sha256_hex("id", 2, expected);
	assert_string_equal(sha, expected);
	assert_int_equal(mcred_cmng_exists(fx->m, 9, 0, &exists, sha), MCRED_OK);
	assert_int_equal(exists, 0);
	assert_string_equal(sha, "");

	struct mcred_credential_list *list = NULL;
	assert_int_equal(mcred_cmng_list(fx->m, MCRED_ANY_TAG, MCRED_ANY_TYPE, &list), MCRED_OK);
	assert_int_equal(list->count, 2);
	assert_int_equal(list->items[1].tag, 4294967292u);
	assert_int_equal(list->items[1].type, 10);
	mcred_credential_list_free(list);
	/* by type only: all listed, filtered here */
	assert_int_equal(mcred_cmng_list(fx->m, MCRED_ANY_TAG, 4, &list), MCRED_OK);
	assert_int_equal(list->count, 1);
	assert_int_equal(list->items[0].tag, 9);
	assert_true(list->items[0].has_sha256);
	mcred_credential_list_free(list);
	fx->fake.no_sha = 1;
	assert_int_equal(mcred_cmng_list(fx->m, 9, MCRED_ANY_TYPE, &list), MCRED_OK);
	assert_int_equal(list->count, 1);
	assert_false(list->items[0].has_sha256);
	mcred_credential_list_free(list);
	assert_restored(&fx->fake);
}

static void test_compare(void **state)
{
	struct fixture *fx = *state;
	store(&fx->fake, 12, 0, pem_lf, strlen(pem_lf));
	assert_int_equal(mcred_cmng_compare(fx->m, 12, 0, pem_crlf, strlen(pem_crlf)), MCRED_OK);
	assert_int_equal(mcred_cmng_compare(fx->m, 12, 0, "other", 5), MCRED_ERR_MISMATCH);
	assert_int_equal(mcred_cmng_compare(fx->m, 13, 0, "other", 5), MCRED_ERR_NOT_FOUND);
	assert_int_equal(count_sent(&fx->fake, "AT+CFUN=4"), 0);
}

static void test_invalid_input_sends_nothing(void **state)
{
	struct fixture *fx = *state;
	assert_int_equal(mcred_cmng_write(fx->m, 1, 0, "a\"b", 3, NULL, 0), MCRED_ERR_INVALID_ARG);
	assert_message_has(fx->m, "double quote");
	assert_int_equal(mcred_cmng_write(fx->m, 2147483648u, 0, "a", 1, NULL, 0),
			 MCRED_ERR_INVALID_ARG);
	assert_int_equal(mcred_cmng_write(fx->m, 1, 6, "a", 1, NULL, 0), MCRED_ERR_INVALID_ARG);
	assert_int_equal(mcred_cmng_write(fx->m, 1, 3, "abc", 3, NULL, 0), MCRED_ERR_INVALID_ARG);
	assert_int_equal(mcred_cmng_delete(fx->m, 1, 8), MCRED_ERR_INVALID_ARG);
	assert_int_equal(mcred_cmng_delete(fx->m, 4294967293u, 0), MCRED_ERR_INVALID_ARG);
	int exists;
	assert_int_equal(mcred_cmng_exists(fx->m, 1, 12, &exists, NULL), MCRED_ERR_INVALID_ARG);
	assert_int_equal(mcred_cmng_compare(fx->m, 1, 0, "", 0), MCRED_ERR_INVALID_ARG);
	struct mcred_credential_list *list;
	assert_int_equal(mcred_cmng_list(fx->m, 1, 99, &list), MCRED_ERR_INVALID_ARG);
	char big[5000];
	memset(big, 'A', sizeof(big));
	assert_int_equal(mcred_cmng_write(fx->m, 1, 0, big, sizeof(big), NULL, 0),
			 MCRED_ERR_INVALID_ARG);
	assert_message_has(fx->m, "maximum command length");
	assert_int_equal(fx->fake.bytes_written, 0);
}

static void test_secret_not_in_errors(void **state)
{
	struct fixture *fx = *state;
	fx->fake.write_cme = 527;
	static const char key[] = "-----BEGIN PRIVATE KEY-----\nSECRETKEYDATA\n-----END PRIVATE KEY-----\n";
	assert_int_equal(mcred_cmng_write(fx->m, 4, 2, key, strlen(key), "topsecretpw", 0),
			 MCRED_ERR_CME);
	assert_null(strstr(mcred_modem_error(fx->m)->message, "SECRETKEYDATA"));
	assert_null(strstr(mcred_modem_error(fx->m)->message, "topsecretpw"));
	assert_message_has(fx->m, "527");
}

static void test_device_info_and_cfun(void **state)
{
	struct fixture *fx = *state;
	struct mcred_device_info info;
	assert_int_equal(mcred_device_info(fx->m, &info), MCRED_OK);
	assert_string_equal(info.imei, "351358811234567");
	assert_string_equal(info.model, "nRF9160-SICA");
	assert_string_equal(info.firmware, "mfw_nrf9160_1.3.5");
	assert_string_equal(info.uuid, "50503041-3633-43b0-80c3-011a3496dac0");

	int mode = -1, saved = 7;
	assert_int_equal(mcred_cfun_get(fx->m, &mode), MCRED_OK);
	assert_int_equal(mode, 1);
	assert_int_equal(mcred_offline_begin(fx->m, &saved), MCRED_OK);
	assert_int_equal(saved, 1);
	assert_int_equal(fx->fake.cfun, 4);
	assert_int_equal(mcred_offline_end(fx->m, saved), MCRED_OK);
	assert_int_equal(fx->fake.cfun, 1);
	assert_int_equal(mcred_cfun_set(fx->m, 0), MCRED_OK);
	assert_int_equal(mcred_offline_begin(fx->m, &saved), MCRED_OK);
	assert_int_equal(fx->fake.cfun, 0);
	assert_int_equal(mcred_offline_end(fx->m, saved), MCRED_OK);
	assert_int_equal(fx->fake.cfun, 0);
	assert_int_equal(mcred_cfun_set(fx->m, 100), MCRED_ERR_INVALID_ARG);
}

static void test_device_info_without_uuid_and_cgsn_prefix(void **state)
{
	struct fixture *fx = *state;
	fx->fake.cgsn_prefixed = 1;
	fx->fake.no_uuid = 1;
	struct mcred_device_info info;
	assert_int_equal(mcred_device_info(fx->m, &info), MCRED_OK);
	assert_string_equal(info.imei, "351358811234567");
	assert_string_equal(info.uuid, "");
	assert_int_equal(mcred_modem_error(fx->m)->code, MCRED_OK);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_write_verify_ok),
		T(test_write_verify_mismatch),
		T(test_write_verify_unsupported),
		T(test_write_failure_restores),
		T(test_write_online_without_auto_offline),
		T(test_cancel_still_restores),
		T(test_cancel_while_going_offline_restores),
		T(test_restore_failure),
		T(test_already_offline_left_alone),
		T(test_read_byte_exact),
		T(test_read_not_found_and_refused),
		T(test_delete),
		T(test_clear_counts),
		T(test_exists_and_list),
		T(test_compare),
		T(test_invalid_input_sends_nothing),
		T(test_secret_not_in_errors),
		T(test_device_info_and_cfun),
		T(test_device_info_without_uuid_and_cgsn_prefix),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
