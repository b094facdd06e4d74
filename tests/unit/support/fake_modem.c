/*
 * The scripted fake nRF91 modem: see fake_modem.h. No global state; every
 * call works on the struct fake_modem it is given.
 */
#include "modemcred.h"
#include "fake_modem.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handle.h"
#include "util.h"
#include "structs.h"

/* ---- output ---------------------------------------------------------------- */

static void say(struct fake_modem *f, const char *text)
{
	size_t n = strlen(text);
	char *out = realloc(f->out, f->out_len + n + 1);
	if (!out)
		abort();
	f->out = out;
	memcpy(f->out + f->out_len, text, n);
	f->out_len += n;
}

static void sayf(struct fake_modem *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sayf(struct fake_modem *f, const char *fmt, ...)
{
	char buf[8192];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	say(f, buf);
}

/* An error as the modem reports it: +CME ERROR with AT+CMEE=1, else ERROR. */
static void fail_cme(struct fake_modem *f, int code)
{
	if (f->cmee)
		sayf(f, "\r\n+CME ERROR: %d\r\n", code);
	else
		say(f, "\r\nERROR\r\n");
}

/* ---- the %CMNG store --------------------------------------------------------- */

struct fake_modem_cred *fake_modem_find(struct fake_modem *f, uint32_t tag, int type)
{
	for (size_t i = 0; i < f->ncreds; i++)
		if (f->creds[i].tag == tag && f->creds[i].type == type)
			return &f->creds[i];
	return NULL;
}

void fake_modem_store(struct fake_modem *f, uint32_t tag, int type, const char *content, size_t len)
{
	struct fake_modem_cred *c = fake_modem_find(f, tag, type);
	if (!c) {
		if (f->ncreds == FAKE_MODEM_MAX_CREDS)
			abort(); /* a test stores more than the fake holds */
		c = &f->creds[f->ncreds++];
		c->tag = tag;
		c->type = type;
	} else {
		free(c->content);
	}
	c->content = strndup(content, len);
}

static void digest_of(struct fake_modem *f, const struct fake_modem_cred *c, char sha[65])
{
	mcred_sha256_hex(c->content, strlen(c->content), sha);
	if (f->corrupt_sha)
		sha[0] = sha[0] == 'A' ? 'B' : 'A';
}

static void list_one(struct fake_modem *f, const struct fake_modem_cred *c)
{
	char sha[65];
	if (f->no_sha) {
		sayf(f, "\r\n%%CMNG: %" PRIu32 ", %d", c->tag, c->type);
		return;
	}
	digest_of(f, c, sha);
	sayf(f, "\r\n%%CMNG: %" PRIu32 ", %d, \"%s\"", c->tag, c->type, sha);
}

/* AT%CMNG=0,<tag>,<type>,"<content>" (args after "0,"). */
static void cmng_write(struct fake_modem *f, const char *args)
{
	unsigned long tag;
	int type, used = 0;
	if (sscanf(args, "%lu,%d,%n", &tag, &type, &used) != 2 || args[used] != '"')
		return fail_cme(f, 50);
	const char *start = args + used + 1;
	const char *end = strchr(start, '"');
	/* nothing but a passphrase may follow the content */
	if (!end || (end[1] != '\0' && end[1] != ','))
		return fail_cme(f, 50);
	if (f->cfun == 1)
		return fail_cme(f, 518);
	if (f->cancel_on_write)
		f->cancel = 1;
	if (f->write_cme)
		return fail_cme(f, f->write_cme);
	fake_modem_store(f, (uint32_t)tag, type, start, (size_t)(end - start));
	say(f, "\r\nOK\r\n");
}

/* AT%CMNG=1[,<tag>[,<type>]] (args after "1"); the modem's own tag
 * 4294967292 is listed only when listing everything. */
static void cmng_list(struct fake_modem *f, const char *args)
{
	long long tag = -1;
	int type = -1;
	if (*args == ',')
		sscanf(args, ",%lld,%d", &tag, &type);
	for (size_t i = 0; i < f->ncreds; i++) {
		const struct fake_modem_cred *c = &f->creds[i];
		if ((tag < 0 || c->tag == (uint32_t)tag) && (type < 0 || c->type == type))
			list_one(f, c);
	}
	if (tag < 0)
		say(f, "\r\n%CMNG: 4294967292, 10, "
		       "\"0000000000000000000000000000000000000000000000000000000000000000\"");
	say(f, "\r\nOK\r\n");
}

/* AT%CMNG=2,<tag>,<type>: keys, PSKs and Nordic CAs cannot be read back. */
static void cmng_read(struct fake_modem *f, uint32_t tag, int type)
{
	if (type == 1 || type == 2 || type == 3 || type == 10)
		return fail_cme(f, 514);
	const struct fake_modem_cred *c = fake_modem_find(f, tag, type);
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

/* AT%CMNG=3,<tag>,<type>. */
static void cmng_delete(struct fake_modem *f, uint32_t tag, int type)
{
	struct fake_modem_cred *c = fake_modem_find(f, tag, type);
	if (f->cfun == 1)
		return fail_cme(f, 518);
	if (!c)
		return fail_cme(f, 513);
	free(c->content);
	*c = f->creds[--f->ncreds];
	say(f, "\r\nOK\r\n");
}

static void cmng(struct fake_modem *f, const char *args)
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

/* ---- commands ------------------------------------------------------------------ */

/* The canned answer for cmd, or NULL. */
static const char *canned_answer(const struct fake_modem *f, const char *cmd)
{
	for (size_t i = 0; i < sizeof(f->canned) / sizeof(f->canned[0]) && f->canned[i].prefix; i++)
		if (strncmp(cmd, f->canned[i].prefix, strlen(f->canned[i].prefix)) == 0)
			return f->canned[i].answer;
	return NULL;
}

/* The echo of text as scripted: noise first, quotes turned into line breaks. */
static void say_echo(struct fake_modem *f, const char *text)
{
	if (f->echo_noise)
		say(f, "\xff");
	if (!f->echo_split) {
		say(f, text);
		say(f, "\r\n");
		return;
	}
	for (const char *p = text; *p; p++) {
		char one[2] = { *p, '\0' };
		say(f, *p == '"' || *p == '\n' ? "\r\n" : one);
	}
	say(f, "\r\n");
}

static void echo(struct fake_modem *f, const char *cmd)
{
	if (f->echo == 1)
		say_echo(f, cmd);
	if (f->echo != 2)
		return;
	if (f->prev_cmd)
		say_echo(f, f->prev_cmd);
	free(f->prev_cmd);
	f->prev_cmd = strdup(cmd);
}

/* What the at_client sample prints after a reset; the modem forgets its settings. */
static void restart(struct fake_modem *f)
{
	say(f, "*** Booting nRF Connect SDK v2.6.0 ***\r\nThe AT host sample started\r\n"
	       "Ready\r\n");
	f->cfun = 0;
	f->cmee = 0;
	f->restarts++;
}

void fake_modem_restart(struct fake_modem *f)
{
	restart(f);
}

static void answer_command(struct fake_modem *f, const char *cmd);

/* The answer to cmd, held back until the next command. */
static void answer_late(struct fake_modem *f, const char *cmd)
{
	size_t mark = f->out_len;

	f->late_done = 1;
	answer_command(f, cmd);
	f->late_answer = strndup(f->out + mark, f->out_len - mark);
	f->out_len = mark;
}

static void answer(struct fake_modem *f, const char *cmd)
{
	if (f->nlog < FAKE_MODEM_MAX_LOG)
		f->log[f->nlog++] = strdup(cmd);
	if (f->late_answer) {
		say(f, f->late_answer);
		free(f->late_answer);
		f->late_answer = NULL;
	}
	echo(f, cmd);
	if (f->late_on && !f->late_done && strncmp(cmd, f->late_on, strlen(f->late_on)) == 0)
		return answer_late(f, cmd);
	if (f->reset_on && !f->restarts && strncmp(cmd, f->reset_on, strlen(f->reset_on)) == 0) {
		if (f->reset_after_answer)
			answer_command(f, cmd);
		restart(f);
		return;
	}
	answer_command(f, cmd);
}

static void answer_command(struct fake_modem *f, const char *cmd)
{
	int n;
	if (canned_answer(f, cmd)) {
		say(f, canned_answer(f, cmd));
		return;
	}
	if ((strcmp(cmd, "AT+CMEE?") == 0 && f->silent_cmee_query) ||
	    (strcmp(cmd, "AT+CFUN?") == 0 && f->silent_cfun_query))
		return; /* a modem that stopped answering */
	if (strcmp(cmd, "AT+CMEE?") == 0)
		sayf(f, "\r\n+CMEE: %d\r\n\r\nOK\r\n", f->cmee);
	else if (sscanf(cmd, "AT+CMEE=%d", &n) == 1)
		f->cmee = n, say(f, "\r\nOK\r\n");
	else if (strcmp(cmd, "AT+CFUN?") == 0)
		sayf(f, "\r\n+CFUN: %d\r\n\r\nOK\r\n", f->cfun);
	else if (strcmp(cmd, "AT+CFUN=4") == 0 && f->cancel_on_offline)
		f->cfun = 4, f->cancel = 1, say(f, "\r\nOK\r\n");
	else if (strcmp(cmd, "AT+CFUN=4") == 0 && f->store_on_offline.content) {
		fake_modem_store(f, f->store_on_offline.tag, f->store_on_offline.type,
				 f->store_on_offline.content, strlen(f->store_on_offline.content));
		f->cfun = 4, say(f, "\r\nOK\r\n");
	} else if (sscanf(cmd, "AT+CFUN=%d", &n) == 1 && n == 1 && f->refuse_online)
		fail_cme(f, 60);
	else if (strcmp(cmd, "AT+CFUN=1") == 0 && f->silent_online)
		return; /* a restore that stalls */
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
static void process_input(struct fake_modem *f)
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

/* The stored command as the modem gets it: without blanks around it. */
static void at_host_send(struct fake_modem *f)
{
	size_t start = 0, len = f->in_len;

	while (start < len && (unsigned char)f->in[start] <= ' ')
		start++;
	while (len > start && (unsigned char)f->in[len - 1] <= ' ')
		len--;
	f->in[len] = '\0';
	f->in_len = 0;
	f->at_host_quoted = 0;
	if (len > start) /* a blank command is dropped unanswered */
		answer(f, f->in + start);
}

/* One received byte through the AT host model (see at_host_size). */
static void at_host_feed(struct fake_modem *f, char c)
{
	if (c == 0x08 || c == 0x7f) {
		if (f->in_len > 0)
			f->in_len--;
		return;
	}
	if (!f->at_host_quoted && c == '\n' && f->in_len > 0 && f->in[f->in_len - 1] == '\r')
		return at_host_send(f);
	if (f->in_len + 1 > f->at_host_size - 1) {
		f->at_host_dropped++;
		return;
	}
	f->in[f->in_len++] = c;
	if (c == '"')
		f->at_host_quoted = !f->at_host_quoted;
}

/* ---- the transport ------------------------------------------------------------- */

static int fake_write(void *user, const uint8_t *buf, size_t len, unsigned timeout_ms)
{
	struct fake_modem *f = user;
	(void)timeout_ms;
	if (f->at_host_size) {
		if (f->at_host_size > sizeof(f->in))
			return -1;
		for (size_t i = 0; i < len; i++)
			at_host_feed(f, (char)buf[i]);
		f->bytes_written += len;
		return (int)len;
	}
	if (f->in_len + len > sizeof(f->in))
		return -1;
	memcpy(f->in + f->in_len, buf, len);
	f->in_len += len;
	f->bytes_written += len;
	process_input(f);
	return (int)len;
}

/* Hands out pending answers at once; nothing pending reads as a timeout. */
static int fake_read(void *user, uint8_t *buf, size_t len, unsigned timeout_ms)
{
	struct fake_modem *f = user;
	(void)timeout_ms;
	size_t n = f->out_len - f->out_pos;
	if (n > len)
		n = len;
	if (n == 0)
		return 0;
	if (f->line_per_read) {
		const char *lf = memchr(f->out + f->out_pos, '\n', n);
		if (lf)
			n = (size_t)(lf - (f->out + f->out_pos)) + 1;
	}
	memcpy(buf, f->out + f->out_pos, n);
	f->out_pos += n;
	if (f->out_pos == f->out_len) /* all read: reuse the buffer from the start */
		f->out_len = f->out_pos = 0;
	return (int)n;
}

int fake_modem_cancel(void *user)
{
	return ((struct fake_modem *)user)->cancel;
}

struct mcred_transport fake_modem_transport(struct fake_modem *f)
{
	struct mcred_transport t = transport_of(fake_read, fake_write, NULL, f);
	return t;
}

/* ---- life cycle ------------------------------------------------------------------ */

struct fake_modem *fake_modem_new(void)
{
	struct fake_modem *f = calloc(1, sizeof(*f));
	if (f)
		f->cfun = 1;
	return f;
}

void fake_modem_free(struct fake_modem *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->ncreds; i++)
		free(f->creds[i].content);
	for (size_t i = 0; i < f->nlog; i++)
		free(f->log[i]);
	free(f->out);
	free(f->prev_cmd);
	free(f->late_answer);
	free(f);
}

size_t fake_modem_count_sent(const struct fake_modem *f, const char *cmd)
{
	size_t n = 0;
	for (size_t i = 0; i < f->nlog; i++)
		n += strcmp(f->log[i], cmd) == 0;
	return n;
}
