/*
 * libFuzzer target for the shell's screen (lib/at_screen.c) and the reader
 * that finds the echo on it (mcred_shell_reader in lib/at_shell.c).
 *
 * Input layout:
 *   data[0] & 1 == 0: the screen alone. data[1] sets its size (1-8 rows,
 *           1-64 columns); data[2..] are received bytes. After every byte:
 *           at least one row and at most max_rows, the cursor on a row, no
 *           row longer than max_row_len, and no row (on the screen or
 *           scrolled off) holding an escape, CR, LF, NUL or DEL byte.
 *   data[0] & 1 == 1: the reader. data[0] >> 1 picks a typed line; data[1..]
 *           are whatever the device printed before the echo (any bytes).
 *           They are followed by bytes that end whatever they began
 *           ("m" ends an escape sequence, CR LF the row, ESC [ J erases what
 *           the cursor moved back over), then the echo as Zephyr prints it
 *           (prompt, the line broken every 80 columns, CR LF) and an answer.
 *           Fed whole and byte by byte, the reader must have found the echo
 *           and passed the answer on intact at the end of what it passed,
 *           both runs alike; rows it handed on hold no control bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "at_screen.h"
#include "at_shell.h"

static const char *const typed_lines[] = {
	"at 'AT+CFUN?'",
	"at 'AT%CMNG=1'",
	"at 'AT%CMNG=0,12,0,\"-----BEGIN CERTIFICATE-----\\nMIIBbjCCAROgAwIBAgIUY5sPZXoia4Rco"
	"CCubEE5gkYeGIQwCgYIKoZIzj0EAwIw\\nDDEKMAgGA1UEAwwBeDAeFw0yNjEyMDYyMzQ5NDJaFw0yNjEy"
	"\\n-----END CERTIFICATE-----\\n\"'",
	"at 'AT%KEYGEN=16,2,0,\"CN=dev-0042,O=Acme\"'",
};
#define N_TYPED (sizeof(typed_lines) / sizeof(typed_lines[0]))
static const char answer[] = "%CMNG: 12,0,\"0F776CF1B4EB4008FA39017B91C18078D4AAB95A9C2473C6"
			     "1EEF178092EB8244\"\r\nOK\r\n\r\n\x1b[1;32muart:~$ \x1b[m";

static void check_text(const char *row, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)row[i];

		if (c == 0x1b || c == '\r' || c == '\n' || c == 0 || c == 0x7f)
			abort();
	}
}

static void on_row(void *user, const char *row, size_t len)
{
	(void)user;
	check_text(row, len);
}

static void check_screen(const struct mcred_screen *t, size_t max_rows, size_t max_row_len)
{
	size_t rows = mcred_screen_rows(t);

	if (rows < 1 || rows > max_rows || mcred_screen_cursor_row(t) >= rows)
		abort();
	for (size_t i = 0; i < rows; i++) {
		size_t len;
		const char *row = mcred_screen_row(t, i, &len);

		if (len > max_row_len)
			abort();
		check_text(row, len);
	}
}

static void screen_alone(const uint8_t *data, size_t size)
{
	size_t max_rows, max_row_len;
	struct mcred_screen *t;

	if (size < 2)
		return;
	max_rows = (data[1] & 7) + 1u;
	max_row_len = (data[1] >> 3) * 2u + 1u;
	t = mcred_screen_new(max_rows, max_row_len);
	if (!t)
		abort();
	for (size_t i = 2; i < size; i++) {
		(void)mcred_screen_put(t, data[i], on_row, NULL);
		check_screen(t, max_rows, max_row_len);
	}
	mcred_screen_scroll(t, data[1] & 3, on_row, NULL);
	check_screen(t, max_rows, max_row_len);
	mcred_screen_free(t);
}

/* What the reader passed on, and whether it found the echo. */
struct passed {
	uint8_t *p;
	size_t len, cap;
	int echo_seen;
};

static void append(struct passed *o, const void *bytes, size_t n)
{
	if (o->len + n > o->cap) {
		size_t cap = o->cap ? o->cap : 256;

		while (cap < o->len + n)
			cap *= 2;
		o->p = realloc(o->p, cap);
		if (!o->p)
			abort();
		o->cap = cap;
	}
	memcpy(o->p + o->len, bytes, n);
	o->len += n;
}

static void before_echo(void *user, const char *row, size_t len)
{
	(void)user;
	check_text(row, len);
}

static void echo_seen(void *user)
{
	((struct passed *)user)->echo_seen = 1;
}

static void answer_row(void *user, const char *row, size_t len)
{
	check_text(row, len);
	append(user, row, len);
	append(user, "\r\n", 2);
}

static void pass(void *user, const uint8_t *bytes, size_t n)
{
	append(user, bytes, n);
}

/* The typed line as Zephyr echoes it after its 8-column prompt. */
static void add_echo(struct passed *in, const char *typed)
{
	size_t column = 8;

	append(in, "\x1b[1;32muart:~$ \x1b[m", 18);
	for (const char *p = typed; *p; p++) {
		append(in, p, 1);
		if (++column % 80 == 0)
			append(in, "\r\n", 2);
	}
	append(in, "\r\n", 2);
}

static void read_once(const char *typed, const uint8_t *in, size_t n, size_t piece,
		      struct passed *out)
{
	size_t len = strlen(typed);
	struct mcred_screen *t = mcred_screen_new(len / 40 + 64, len + 1024);
	const struct mcred_shell_reader_out cb = { before_echo, echo_seen, answer_row, pass, out };
	struct mcred_shell_reader r;

	if (!t)
		abort();
	mcred_shell_reader_start(&r, t, typed, len, NULL, 0);
	for (size_t i = 0; i < n; i += piece)
		mcred_shell_reader_feed(&r, in + i, n - i < piece ? n - i : piece, &cb);
	mcred_screen_free(t);
}

static void reader(const uint8_t *data, size_t size)
{
	const char *typed = typed_lines[(data[0] >> 1) % N_TYPED];
	struct passed in = { 0 }, whole = { 0 }, single = { 0 };
	size_t tail = sizeof(answer) - 1;

	append(&in, data + 1, size - 1);
	append(&in, "m\r\n\x1b[J", 6);
	add_echo(&in, typed);
	append(&in, answer, tail);
	read_once(typed, in.p, in.len, in.len ? in.len : 1, &whole);
	read_once(typed, in.p, in.len, 1, &single);
	if (!whole.echo_seen || !single.echo_seen || whole.len < tail ||
	    memcmp(whole.p + whole.len - tail, answer, tail) != 0)
		abort();
	if (whole.len != single.len || memcmp(whole.p, single.p, whole.len) != 0)
		abort(); /* however the bytes came */
	free(in.p);
	free(whole.p);
	free(single.p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	if (data[0] & 1)
		reader(data, size);
	else
		screen_alone(data, size);
	return 0;
}
