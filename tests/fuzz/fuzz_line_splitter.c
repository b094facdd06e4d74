/*
 * libFuzzer target for the line splitter (mcred_line_splitter_*), fed with
 * arbitrary splits of real modem answers. The splitter's contract is that
 * the same bytes give the same lines however the transport cut them; this
 * target checks it with the exact lines (not a digest), one byte at a time,
 * whole, and in the pieces the input chooses.
 *
 * Input layout:
 *   data[0] < 0x80: a real answer, answers[data[0] % N]; every following
 *                   byte is a bitmap of split points over the answer (bit i
 *                   set: cut after byte i). Some inputs also carry a suffix
 *                   after the bitmap, appended to the answer as garbage.
 *   data[0] >= 0x80: arbitrary bytes data[1..]; piece sizes 1..64 come from
 *                   a generator seeded by data[0], so the fuzzer explores
 *                   bytes and cuts together.
 * Each input is also run with a small line limit, so the overflow report
 * (NULL, 0) takes part in the comparison.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "at_parser.h"

/* Answers as real modems send them (README.md "Real devices", the reference pages, fixtures). */
static const char *const answers[] = {
	"%CMNG: 12345678,0,\"978C02C4978C02C4978C02C4978C02C4978C02C4978C02C4978C02C4978C02C4\"\r\n"
	"%CMNG: 4294967292,11,\"066CAA621BAF1E4DCB5CAC73C5D9AD08801B782D051B08BD8C71D0BB24F05354\"\r\n"
	"%CMNG: 4294967293,10\r\n%CMNG: 4294967294,6\r\nOK\r\n",
	"%CMNG: 12345678, 0, \"978C02C4978C02C4978C02C4978C02C4978C02C4978C02C4978C02C4978C02C4\",\r\n"
	"\"-----BEGIN CERTIFICATE-----\nMIIBbDCCAROgAwIBAgIUVZLHmNajESjP+Esurfzg2vhmkEEwCgYIKoZIzj0EAwIw\n"
	"-----END CERTIFICATE-----\n\"\r\nOK\r\n",
	"%CMNG: 12,0,\"10A36485FE8D362947AD1C94EBF0021FFF04176E74B50B13D3E93AAE1E589127\","
	"\"-----BEGIN CERTIFICATE-----\r\nMIIB\r\n-----END CERTIFICATE-----\r\n\"\r\nOK\r\n",
	"+CEREG: 5,\"1234\",\"0102DA04\",7\r\n%XMODEMSLEEP: 1,0\r\n%CESQ: 54,2,16,2\r\n+CFUN: 4\r\nOK\r\n",
	"AT%CMNG=2,4567,0\r\r\n+CME ERROR: 513\r\n",
	"+CMS ERROR: 500\r\nERROR\r\n",
	"351358811234567\r\nOK\r\nnRF9160-SICA\r\nOK\r\nmfw_nrf9160_1.3.5\r\nOK\r\n"
	"%XMODEMUUID: 4e5249d0-5349-4d00-8000-0123456789ab\r\nOK\r\n",
	"*** Booting nRF Connect SDK v2.6.0 ***\r\nThe AT host sample started\r\nReady\r\n",
	"\x1b[1;32muart:~$ \x1b[m at AT+CFUN?\r\n+CFUN: 4\r\nOK\r\n\x1b[1;32muart:~$ \x1b[m",
	"%KEYGEN: \"MIH_MIGmAgEAMCYxETAPBgNVBAoMCFRlc3QgT3JnMREwDwYDVQQDDAhkZXZpY2UtMTBZMBMGByqGSM49"
	"AgEGCCqGSM49AwEHA0IABLFzO3ftl_Zd01JLK2CR0wQ3VYzv8tRd7RzuE_Qda3WP5wtd0Ea97HCDe_ypo6VVDQ"
	"CTnx-hsS2_iYE2n4DjT5OgHjAcBgkqhkiG9w0BCQ4xDzANMAsGA1UdDwQEAwIDqDAKBggqhkjOPQQDAgNIADBF"
	"AiB0NpTzQRTRKojIFTPNaUX48Q9TNDtvTMcaky6v2OXKCAIhAJA7iCnE4RFnZUHmXvLNFPZqlYoYfwz0T6Y8JQ"
	"4H17Jn.0oRDoQEmoQRBIVhM2dn3hQlQUFAwQTYzQ7CAwwEaNJbawEIYKlggTqT4uxuRAetCKhmIwdbnODa1O7f"
	"E1W2Z6xpFkAukRcNQ-wg0WlvvrNHO1wOKSN6_cFhAX75CKTJ_zCiXTSzXojAupJRKZ0EBzVGmQPuK67rqXvfUx"
	"ljKv1Ea1GHgMZxIQQi6q_QYJoGZETczZHLryeYh9Q\"\r\nOK\r\n",
	"%ATTESTTOKEN: \"2dn3hAFQTlJJ0FNJTQCAAAEjRWeJqwNQbW9kZW1zaW0tZnctMS4zNQ.0oRDoQEmoQRBIfZYQAeV"
	"7hhi6iDLCYPQ2VMJ5zie6v_2M1ZvV_z8z-2Xcv3uQvzX8merIvdNnjreZiQGIFP1r3LEwsR-q177Erld_es\"\r\n"
	"OK\r\n",
	"OK\r\n%CMNG: 7,3,\"unbalanced\r\n+CEREG: 1\r\n\xff\x00ERROR\r\n",
	/* lines of the device's own inside a read's continued line (issue 14) */
	"%CMNG: 12,0,\"978C02C4978C02C4978C02C4978C02C4978C02C4978C02C4978C02C4978C02C4\",\r\n"
	"+CSCON: 1\r\n[00:00:05.319,917] \x1b[0m<inf> app: hi\x1b[0m\r\nI: up\r\n"
	"\"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n\"\r\nOK\r\n",
};

#define N_ANSWERS (sizeof(answers) / sizeof(answers[0]))

/* Every line reported, as length-prefixed records, to compare runs exactly. */
struct lines {
	uint8_t *p;
	size_t len, cap;
	size_t count;
};

static void append(struct lines *l, const void *bytes, size_t n)
{
	if (l->len + n > l->cap) {
		size_t cap = l->cap ? l->cap : 1024;

		while (cap < l->len + n)
			cap *= 2;
		l->p = realloc(l->p, cap);
		if (!l->p)
			abort();
		l->cap = cap;
	}
	memcpy(l->p + l->len, bytes, n);
	l->len += n;
}

static int on_line(void *user, const char *line, size_t len)
{
	struct lines *l = user;
	uint32_t n = line ? (uint32_t)len : UINT32_MAX; /* the overflow report */

	if (line && strlen(line) != len)
		abort(); /* NUL-terminated, no NUL inside */
	l->count++;
	append(l, &n, sizeof(n));
	if (line)
		append(l, line, len);
	return 0;
}

/* Feed bytes in the pieces cut[] marks (cut[i] != 0: a piece ends after i). */
static void run(const uint8_t *bytes, size_t size, const uint8_t *cut, size_t max_line,
		struct lines *out)
{
	struct mcred_line_splitter *s = mcred_line_splitter_new(max_line);
	size_t start = 0;

	if (!s)
		abort();
	for (size_t i = 0; i < size; i++) {
		if (cut[i] || i + 1 == size) {
			mcred_line_splitter_feed(s, bytes + start, i + 1 - start, on_line, out);
			start = i + 1;
		}
	}
	mcred_line_splitter_free(s);
}

static void same_lines(const struct lines *a, const struct lines *b)
{
	if (a->count != b->count || a->len != b->len || (a->len && memcmp(a->p, b->p, a->len)))
		abort(); /* the same bytes must give the same lines */
}

static void check_splits(const uint8_t *bytes, size_t size, const uint8_t *cut, size_t max_line)
{
	struct lines whole = { 0 }, pieces = { 0 }, single = { 0 };
	uint8_t *none = calloc(size ? size : 1, 1), *every = malloc(size ? size : 1);

	if (!none || !every)
		abort();
	memset(every, 1, size);
	run(bytes, size, none, max_line, &whole);
	run(bytes, size, cut, max_line, &pieces);
	run(bytes, size, every, max_line, &single);
	same_lines(&whole, &pieces);
	same_lines(&whole, &single);
	free(whole.p);
	free(pieces.p);
	free(single.p);
	free(none);
	free(every);
}

static void real_answer(const uint8_t *data, size_t size)
{
	const char *answer = answers[data[0] % N_ANSWERS];
	size_t alen = strlen(answer), bitmap = (alen + 7) / 8, extra = 0, n;
	uint8_t *bytes, *cut;

	if (size - 1 > bitmap)
		extra = size - 1 - bitmap; /* garbage after the answer */
	n = alen + extra;
	bytes = malloc(n);
	cut = calloc(n, 1);
	if (!bytes || !cut)
		abort();
	memcpy(bytes, answer, alen);
	if (extra)
		memcpy(bytes + alen, data + 1 + bitmap, extra);
	for (size_t i = 0; i < alen && 1 + i / 8 < size; i++)
		cut[i] = (data[1 + i / 8] >> (i % 8)) & 1;
	check_splits(bytes, n, cut, 4096);
	check_splits(bytes, n, cut, 40);
	free(bytes);
	free(cut);
}

static void arbitrary_bytes(const uint8_t *data, size_t size)
{
	const uint8_t *bytes = data + 1;
	size_t n = size - 1;
	uint32_t state = 0x9E3779B9u ^ data[0];
	uint8_t *cut = calloc(n ? n : 1, 1);

	if (!cut)
		abort();
	for (size_t i = 0; i < n;) {
		state ^= state << 13;
		state ^= state >> 17;
		state ^= state << 5;
		i += state % 64 + 1;
		if (i - 1 < n)
			cut[i - 1] = 1;
	}
	check_splits(bytes, n, cut, 4096);
	check_splits(bytes, n, cut, 40);
	free(cut);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	if (data[0] < 0x80)
		real_answer(data, size);
	else
		arbitrary_bytes(data, size);
	return 0;
}
