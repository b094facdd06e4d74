/*
 * Integration test of libmodemcred through its public API only, against a
 * running modemsim:
 *
 *   lib_client LINK [IDENTITY_PUB_PEM [--expect-urc]]
 *
 * (LINK also from $MODEMSIM_LINK.) Opens the simulated modem with a URC
 * callback and a trace callback, takes it offline, writes with verify, lists,
 * reads back, compares, deletes, checks invalid input is refused before
 * anything is sent, generates a key and verifies the report (with the
 * identity key when given), then does the same basics through
 * mcred_modem_open_transport() over its own termios transport. Exit 0 when
 * every check passed, 1 otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "modemcred.h"

static int failures;
static int checks;

#define CHECK(cond, ...)                                                                 \
	do {                                                                             \
		checks++;                                                                \
		if (!(cond)) {                                                           \
			failures++;                                                      \
			fprintf(stderr, "lib_client:%d: FAILED: %s: ", __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__);                                    \
			fputc('\n', stderr);                                             \
		}                                                                        \
	} while (0)

#define CHECK_OK(modem, expr)                                                     \
	do {                                                                      \
		enum mcred_err e_ = (expr);                                       \
		CHECK(e_ == MCRED_OK, "%s -> %s (%s)", #expr, mcred_strerror(e_), \
		      (modem) ? mcred_modem_error(modem)->message : "");          \
	} while (0)

struct trace_state {
	size_t tx, rx;
	int saw_cmng_write;
	int leaked_secret;
	const char *secret;
};

static void on_trace(enum mcred_trace_dir dir, const char *text, size_t len, void *user)
{
	struct trace_state *st = user;
	char *copy = malloc(len + 1);

	if (dir == MCRED_TRACE_TX)
		st->tx++;
	else
		st->rx++;
	if (!copy)
		return;
	memcpy(copy, text, len);
	copy[len] = '\0';
	if (strstr(copy, "CMNG=0"))
		st->saw_cmng_write = 1;
	if (st->secret && strstr(copy, st->secret))
		st->leaked_secret = 1;
	free(copy);
}

static void on_urc(const char *line, void *user)
{
	size_t *n = user;

	(void)line;
	(*n)++;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0;

	if (!f)
		return NULL;
	for (;;) {
		if (n + 4096 + 1 > cap) {
			char *nb;
			cap = cap ? cap * 2 : 8192;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		size_t r = fread(buf + n, 1, 4096, f);
		n += r;
		if (r == 0)
			break;
	}
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

static const char PSK_HEX[] = "000102030405060708090a0b0c0d0e0f";

/* A syntactically plausible PEM, CRLF line endings, about 600 bytes. */
static char *make_pem(size_t *len)
{
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t cap = 2048, n = 0;
	char *p = malloc(cap);

	if (!p)
		return NULL;
	n += (size_t)sprintf(p + n, "-----BEGIN CERTIFICATE-----\r\n");
	for (int line = 0; line < 8; line++) {
		for (int i = 0; i < 64; i++)
			p[n++] = b64[(line * 7 + i * 13) % 64];
		p[n++] = '\r';
		p[n++] = '\n';
	}
	n += (size_t)sprintf(p + n, "-----END CERTIFICATE-----\r\n");
	p[n] = '\0';
	*len = n;
	return p;
}

static void lf_only(const char *in, size_t len, char *out, size_t *outlen)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		if (in[i] == '\r' && i + 1 < len && in[i + 1] == '\n')
			continue;
		out[o++] = in[i];
	}
	out[o] = '\0';
	*outlen = o;
}

static const struct mcred_credential *find_cred(const struct mcred_credential_list *l, uint32_t tag,
						int type)
{
	for (size_t i = 0; l && i < l->count; i++)
		if (l->items[i].tag == tag && l->items[i].type == type)
			return &l->items[i];
	return NULL;
}

/* ---- the CMNG/keygen session ------------------------------------------------ */

static void session(mcred_modem *m, const char *idkey_pem, uint32_t base_tag, int full)
{
	struct mcred_device_details *info = NULL;
	struct mcred_credential_list *list = NULL;
	size_t pem_len = 0, lf_len = 0;
	char *pem = make_pem(&pem_len);
	char *lf = malloc(pem_len + 1);
	char want_sha[65], sha[65];
	int saved = -1, mode = -1;

	if (!pem || !lf) {
		CHECK(0, "out of memory");
		free(pem);
		free(lf);
		return;
	}
	lf_only(pem, pem_len, lf, &lf_len);

	CHECK_OK(m, mcred_device_details_get(m, &info));
	if (info) {
		CHECK(strcmp(info->imei, "351358811234567") == 0, "imei '%s'", info->imei);
		CHECK(strcmp(info->model, "nRF9160-SICA") == 0, "model '%s'", info->model);
		CHECK(strstr(info->firmware, "mfw_nrf9160") != NULL, "firmware '%s'",
		      info->firmware);
		/* %XMODEMUUID: the firmware build's UUID (modemsim's default --fw-uuid) */
		CHECK(strcmp(info->firmware_uuid, "7c1f3b2a-95d4-4e8b-a6f0-2d9e81c4b357") == 0,
		      "firmware uuid '%s'", info->firmware_uuid);
		mcred_device_details_free(info);
	}

	/* the simulator starts online (--cfun 1): a write is refused with 518 */
	CHECK_OK(m, mcred_cfun_get(m, &mode));
	CHECK(mode == 1, "CFUN at start %d, expected 1", mode);
	if (full) {
		enum mcred_err e =
			mcred_cmng_write(m, base_tag, MCRED_TYPE_CA_CERT, pem, pem_len, NULL, 0);
		CHECK(e == MCRED_ERR_CME, "write while online: %s", mcred_strerror(e));
		CHECK(mcred_modem_cme(m) == 518, "cme %d, expected 518", mcred_modem_cme(m));
		CHECK(strstr(mcred_modem_error(m)->message, "518") != NULL, "518 message: %s",
		      mcred_modem_error(m)->message);
		CHECK(mcred_modem_error(m)->cme == 518, "error.cme %d", mcred_modem_error(m)->cme);
	}

	CHECK_OK(m, mcred_offline_begin(m, &saved));
	CHECK(saved == 1, "saved mode %d", saved);
	CHECK_OK(m, mcred_cfun_get(m, &mode));
	CHECK(mode == 4, "CFUN while offline %d", mode);

	/* write with verify (CRLF normalised to LF by default) */
	CHECK_OK(m, mcred_cmng_write(m, base_tag, MCRED_TYPE_CA_CERT, pem, pem_len, NULL,
				     MCRED_WRITE_VERIFY));
	CHECK(mcred_modem_error(m)->code == MCRED_OK, "last error after success");
	CHECK_OK(m,
		 mcred_cmng_write_digest(MCRED_TYPE_CA_CERT, pem, pem_len, NULL, want_sha, NULL));
	CHECK_OK(m, mcred_cmng_write(m, base_tag, MCRED_TYPE_PSK, PSK_HEX, strlen(PSK_HEX), NULL,
				     MCRED_WRITE_VERIFY));

	/* list: everything, one tag, one tag and type */
	CHECK_OK(m, mcred_cmng_list(m, MCRED_ANY_TAG, MCRED_ANY_TYPE, &list));
	{
		const struct mcred_credential *c = find_cred(list, base_tag, 0);
		CHECK(c != NULL, "tag %u type 0 not listed", base_tag);
		if (c) {
			CHECK(c->has_sha256, "no digest");
			CHECK(strcmp(c->sha256, want_sha) == 0, "digest %s, expected %s", c->sha256,
			      want_sha);
		}
		size_t modem_owned = 0;
		for (size_t i = 0; list && i < list->count; i++)
			if (list->items[i].tag > MCRED_TAG_MAX)
				modem_owned++;
		CHECK(modem_owned >= 3, "modem-owned tags in the full list: %zu", modem_owned);
	}
	mcred_credential_list_free(list);
	list = NULL;
	CHECK_OK(m, mcred_cmng_list(m, base_tag, MCRED_ANY_TYPE, &list));
	CHECK(list && list->count == 2, "list of one tag: %zu entries", list ? list->count : 0);
	mcred_credential_list_free(list);
	list = NULL;
	CHECK_OK(m, mcred_cmng_list(m, base_tag, MCRED_TYPE_PSK, &list));
	CHECK(list && list->count == 1 && list->items[0].type == 3, "list of tag+type");
	mcred_credential_list_free(list);
	list = NULL;

	/* read back byte-exact */
	{
		char *content = NULL;
		size_t len = 0;
		CHECK_OK(m, mcred_cmng_read(m, base_tag, MCRED_TYPE_CA_CERT, &content, &len, sha));
		CHECK(content && len == lf_len && memcmp(content, lf, len) == 0,
		      "read back differs (%zu vs %zu bytes)", len, lf_len);
		CHECK(content && content[len] == '\0', "content not NUL-terminated");
		CHECK(strcmp(sha, want_sha) == 0, "read digest %s", sha);
		free(content);
		content = NULL;
		enum mcred_err e =
			mcred_cmng_read(m, base_tag, MCRED_TYPE_PSK, &content, &len, NULL);
		/* the modem refuses (514), or the library knows that up front */
		CHECK((e == MCRED_ERR_CME && mcred_modem_cme(m) == 514) ||
			      e == MCRED_ERR_INVALID_ARG,
		      "reading a PSK: %s cme %d", mcred_strerror(e), mcred_modem_cme(m));
		free(content);
	}

	/* exists / compare */
	{
		int ex = -1;
		CHECK_OK(m, mcred_cmng_exists(m, base_tag, MCRED_TYPE_CA_CERT, &ex, sha));
		CHECK(ex == 1, "exists %d", ex);
		CHECK(strcmp(sha, want_sha) == 0, "exists digest %s", sha);
		CHECK_OK(m, mcred_cmng_compare(m, base_tag, MCRED_TYPE_CA_CERT, pem, pem_len));
		CHECK(mcred_cmng_compare(m, base_tag, MCRED_TYPE_CA_CERT, "other\n", 6) ==
			      MCRED_ERR_MISMATCH,
		      "compare with other content");
	}

	/* invalid input: refused before sending */
	{
		CHECK(mcred_cmng_write(m, 2147483648u, 0, pem, pem_len, NULL, 0) ==
			      MCRED_ERR_INVALID_ARG,
		      "tag 2147483648");
		CHECK(mcred_cmng_write(m, base_tag, 9, pem, pem_len, NULL, 0) ==
			      MCRED_ERR_INVALID_ARG,
		      "type 9");
		CHECK(mcred_cmng_write(m, base_tag, 0, "a\"b", 3, NULL, 0) == MCRED_ERR_INVALID_ARG,
		      "quote");
		CHECK(mcred_cmng_write(m, base_tag, 3, "abc", 3, NULL, 0) == MCRED_ERR_INVALID_ARG,
		      "odd PSK");
		CHECK(mcred_cmng_write(m, base_tag, 0, "", 0, NULL, 0) == MCRED_ERR_INVALID_ARG,
		      "empty");
		CHECK(mcred_cmng_write(m, base_tag, 2, pem, pem_len,
				       "012345678901234567890123456789012",
				       0) == MCRED_ERR_INVALID_ARG,
		      "password of 33");
		CHECK(mcred_cmng_delete(m, 4294967292u, 0) == MCRED_ERR_INVALID_ARG,
		      "delete modem tag");
		CHECK(mcred_modem_error(m)->message[0] != '\0', "no message for invalid input");
	}

	/* delete, then not found */
	{
		int ex = -1;
		size_t deleted = 0, skipped = 0;
		CHECK_OK(m, mcred_cmng_delete(m, base_tag, MCRED_TYPE_CA_CERT));
		CHECK_OK(m, mcred_cmng_exists(m, base_tag, MCRED_TYPE_CA_CERT, &ex, NULL));
		CHECK(ex == 0, "exists after delete %d", ex);
		CHECK(mcred_cmng_delete(m, base_tag, MCRED_TYPE_CA_CERT) == MCRED_ERR_NOT_FOUND,
		      "delete missing");
		char *content = NULL;
		size_t len = 0;
		CHECK(mcred_cmng_read(m, base_tag, MCRED_TYPE_CA_CERT, &content, &len, NULL) ==
			      MCRED_ERR_NOT_FOUND,
		      "read missing");
		free(content);
		CHECK_OK(m, mcred_cmng_clear(m, base_tag, &deleted, &skipped));
		CHECK(deleted == 1, "clear deleted %zu", deleted);
	}

	/* raw AT */
	{
		struct mcred_lines *lines = NULL;
		CHECK_OK(m, mcred_at(m, "AT+CGMM", &lines));
		CHECK(lines && lines->count == 1 && strcmp(lines->lines[0], "nRF9160-SICA") == 0,
		      "AT+CGMM lines");
		mcred_lines_free(lines);
	}

	/* keygen + verify */
	if (full) {
		struct mcred_keygen_request req;
		struct mcred_verify_options vo;
		mcred_report *rep = NULL;
		struct mcred_error verr;
		char *blob = NULL;
		uint32_t t = 0;

		mcred_keygen_request_init(&req);
		req.tag = base_tag + 1;
		req.kind = MCRED_KEYGEN_CSR;
		req.attributes = "CN=lib-client,O=modemcred";
		req.key_usage = "101010000";
		CHECK_OK(NULL, mcred_keygen_check(&req, NULL));
		CHECK_OK(m, mcred_keygen_run(m, &req, &blob));
		mcred_verify_options_init(&vo);
		vo.expected_tag = base_tag + 1;
		vo.identity_key_pem = idkey_pem;
		if (blob) {
			CHECK_OK(NULL, mcred_keygen_verify(blob, strlen(blob), &vo, &rep, &verr));
		}
		if (rep) {
			CHECK(mcred_report_ok(rep), "report not ok: %s",
			      mcred_report_problem(rep) ? mcred_report_problem(rep) : "?");
			CHECK(mcred_report_kind(rep) == MCRED_REPORT_CSR, "kind");
			CHECK(mcred_report_payload_id(rep) == 9, "payload id %d",
			      mcred_report_payload_id(rep));
			CHECK(mcred_report_sec_tag(rep, &t) && t == base_tag + 1, "sec_tag %u", t);
			CHECK(mcred_report_digest_check(rep) == MCRED_CHECK_VALID, "digest check");
			CHECK(mcred_report_sec_tag_check(rep) == MCRED_CHECK_VALID,
			      "sec_tag check");
			CHECK(mcred_report_csr_signature_check(rep) == MCRED_CHECK_VALID,
			      "csr signature");
			CHECK(mcred_report_cose_signature_check(rep) ==
				      (idkey_pem ? MCRED_CHECK_VALID : MCRED_CHECK_NOT_CHECKED),
			      "cose signature %s",
			      mcred_check_name(mcred_report_cose_signature_check(rep)));
			CHECK(strcmp(mcred_report_device_uuid(rep),
				     "4e5249d0-5349-4d00-8000-0123456789ab") == 0,
			      "uuid %s", mcred_report_device_uuid(rep));
			CHECK(mcred_report_subject(rep) &&
				      strstr(mcred_report_subject(rep), "CN=lib-client"),
			      "subject");
			CHECK(mcred_report_key_usage(rep) &&
				      strcmp(mcred_report_key_usage(rep), "101010000") == 0,
			      "key usage %s",
			      mcred_report_key_usage(rep) ? mcred_report_key_usage(rep) : "(null)");
			CHECK(mcred_report_csr_pem(rep) && strstr(mcred_report_csr_pem(rep),
								  "BEGIN CERTIFICATE REQUEST"),
			      "csr pem");
			CHECK(mcred_report_public_key_pem(rep) != NULL, "public key pem");
			CHECK(mcred_report_kid(rep) == -2, "kid %d", mcred_report_kid(rep));
			mcred_report_free(rep);
			rep = NULL;
		}
		/* the wrong tag is caught */
		vo.expected_tag = base_tag + 2;
		if (blob && mcred_keygen_verify(blob, strlen(blob), &vo, &rep, &verr) == MCRED_OK &&
		    rep) {
			CHECK(!mcred_report_ok(rep), "wrong tag accepted");
			CHECK(mcred_report_sec_tag_check(rep) == MCRED_CHECK_INVALID,
			      "sec_tag check");
			mcred_report_free(rep);
			rep = NULL;
		} else {
			CHECK(0, "verify with a wrong tag failed to decode");
		}
		free(blob);
		blob = NULL;

		/* the key is listed as type 2 */
		CHECK_OK(m, mcred_cmng_list(m, base_tag + 1, MCRED_ANY_TYPE, &list));
		CHECK(list && find_cred(list, base_tag + 1, 2), "generated key not listed");
		mcred_credential_list_free(list);
		list = NULL;

		/* attestation */
		CHECK_OK(m, mcred_attest_run(m, "00112233445566778899aabbccddeeff", &blob));
		vo.expected_tag = -1;
		if (blob) {
			CHECK_OK(NULL, mcred_attest_verify(blob, strlen(blob), &vo, &rep, &verr));
			if (rep) {
				CHECK(mcred_report_ok(rep), "attestation report not ok");
				CHECK(mcred_report_kind(rep) == MCRED_REPORT_ATTESTATION, "kind");
				CHECK(mcred_report_device_type(rep) == 3, "device type %d",
				      mcred_report_device_type(rep));
				mcred_report_free(rep);
			}
		}
		free(blob);
	}

	CHECK_OK(m, mcred_offline_end(m, saved));
	CHECK_OK(m, mcred_cfun_get(m, &mode));
	CHECK(mode == 1, "CFUN restored to %d, expected 1", mode);
	free(pem);
	free(lf);
}

/* ---- a caller-supplied transport over termios ----------------------------------- */

struct fd_transport {
	int fd;
	int closed;
};

static int t_read(void *user, uint8_t *buf, size_t len, unsigned timeout_ms)
{
	struct fd_transport *t = user;
	struct pollfd p = { .fd = t->fd, .events = POLLIN };
	int r = poll(&p, 1, (int)timeout_ms);

	if (r == 0)
		return 0;
	if (r < 0)
		return errno == EINTR ? 0 : -1;
	ssize_t n = read(t->fd, buf, len);
	if (n < 0)
		return (errno == EAGAIN || errno == EINTR) ? 0 : -1;
	return n == 0 ? -1 : (int)n;
}

static int t_write(void *user, const uint8_t *buf, size_t len, unsigned timeout_ms)
{
	struct fd_transport *t = user;
	struct pollfd p = { .fd = t->fd, .events = POLLOUT };

	if (poll(&p, 1, (int)timeout_ms) <= 0)
		return -1;
	ssize_t n = write(t->fd, buf, len);
	return n <= 0 ? -1 : (int)n;
}

static void t_close(void *user)
{
	struct fd_transport *t = user;

	close(t->fd);
	t->closed++;
}

static void custom_transport(const char *link)
{
	struct fd_transport ft = { .fd = -1, .closed = 0 };
	struct mcred_transport tr;
	struct mcred_options o;
	struct mcred_error err;
	struct termios tio;
	mcred_modem *m = NULL;
	size_t urcs = 0;

	ft.fd = open(link, O_RDWR | O_NOCTTY | O_NONBLOCK);
	CHECK(ft.fd >= 0, "open %s: %s", link, strerror(errno));
	if (ft.fd < 0)
		return;
	if (tcgetattr(ft.fd, &tio) == 0) {
		cfmakeraw(&tio);
		tcsetattr(ft.fd, TCSANOW, &tio);
	}
	mcred_transport_init(&tr);
	tr.read = t_read;
	tr.write = t_write;
	tr.close = t_close;
	tr.user = &ft;
	mcred_options_init(&o);
	o.timeout_ms = 5000;
	o.urc_cb = on_urc;
	o.urc_user = &urcs;
	CHECK_OK(NULL, mcred_modem_open_transport(&m, &tr, &o, &err));
	if (!m) {
		close(ft.fd);
		return;
	}
	CHECK(strcmp(mcred_modem_transport_name(m), "custom") == 0, "transport name %s",
	      mcred_modem_transport_name(m));
	session(m, NULL, 600, 0);
	mcred_modem_free(m);
	CHECK(ft.closed == 1, "close callback called %d times", ft.closed);
}

int main(int argc, char **argv)
{
	const char *link = argc > 1 ? argv[1] : getenv("MODEMSIM_LINK");
	const char *idkey_path = argc > 2 && argv[2][0] ? argv[2] : NULL;
	int expect_urc = argc > 3 && strcmp(argv[3], "--expect-urc") == 0;
	char *idkey = NULL;
	struct mcred_options o;
	struct mcred_error err;
	struct trace_state ts;
	mcred_modem *m = NULL;
	size_t urcs = 0;

	if (!link) {
		fprintf(stderr, "usage: lib_client LINK [IDENTITY_PUB_PEM [--expect-urc]]\n");
		return 1;
	}
	if (idkey_path) {
		idkey = read_file(idkey_path, NULL);
		CHECK(idkey != NULL, "cannot read %s", idkey_path);
	}
	CHECK(strcmp(mcred_version(), MCRED_VERSION_STRING) == 0, "version %s", mcred_version());
	CHECK(strstr(mcred_cme_message(518), "518") != NULL, "cme message 518: %s",
	      mcred_cme_message(518));

	/* bring the simulator online so the offline helper has work to do */
	mcred_options_init(&o);
	memset(&ts, 0, sizeof(ts));
	ts.secret = PSK_HEX;
	o.timeout_ms = 5000;
	o.urc_cb = on_urc;
	o.urc_user = &urcs;
	o.trace_cb = on_trace;
	o.trace_user = &ts;
	memset(&err, 0, sizeof(err));
	CHECK_OK(NULL, mcred_modem_open(&m, link, &o, &err));
	if (!m) {
		fprintf(stderr, "lib_client: cannot open %s: %s\n", link, err.message);
		free(idkey);
		return 1;
	}
	CHECK(strcmp(mcred_modem_transport_name(m), "termios") == 0, "transport %s",
	      mcred_modem_transport_name(m));
	CHECK_OK(m, mcred_cfun_set(m, 1));

	session(m, idkey, 500, 1);
	if (expect_urc) {
		/* the simulator sends URCs every 50 ms; they arrive during commands.
		 * Wait for the first one (an event), up to 30 s on a loaded machine. */
		for (int i = 0; i < 300 && urcs == 0; i++) {
			struct mcred_lines *lines = NULL;
			usleep(100 * 1000);
			CHECK_OK(m, mcred_at(m, "AT", &lines));
			CHECK(lines && lines->count == 0, "URC delivered as an answer line");
			mcred_lines_free(lines);
		}
		CHECK(urcs > 0, "no URC reached the callback");
	}
	CHECK(ts.tx > 0 && ts.rx > 0, "trace saw tx %zu rx %zu", ts.tx, ts.rx);
	CHECK(ts.saw_cmng_write, "trace shows no %%CMNG write");
	CHECK(!ts.leaked_secret, "the PSK appeared in the trace");
	mcred_modem_free(m);

	/* opening a missing port fails with MCRED_ERR_PORT and a message */
	memset(&err, 0, sizeof(err));
	m = NULL;
	CHECK(mcred_modem_open(&m, "/nonexistent/port", NULL, &err) == MCRED_ERR_PORT,
	      "missing port gave %s", mcred_strerror(err.code));
	CHECK(m == NULL && err.message[0], "missing port: handle or no message");
	mcred_modem_free(m);

	custom_transport(link);

	free(idkey);
	printf("lib_client: %d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
