/*
 * Parser for one %CMNG response line:
 *   %CMNG: <tag>,<type>[,"<sha>"[,"<content>"]]
 * Pure and bounded by len: it is a fuzz target and must be safe on any bytes.
 */
#include <ctype.h>
#include <string.h>

#include "cmng_parse.h"
#include "error.h"

/* A cursor over the line; never reads past end. */
struct cursor {
	const char *p;
	const char *end;
};

static void skip_spaces(struct cursor *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t'))
		c->p++;
}

static int at_end(struct cursor *c)
{
	skip_spaces(c);
	return c->p == c->end;
}

static int accept_char(struct cursor *c, char ch)
{
	skip_spaces(c);
	if (c->p < c->end && *c->p == ch) {
		c->p++;
		return 1;
	}
	return 0;
}

static int accept_prefix(struct cursor *c, const char *prefix)
{
	size_t n = strlen(prefix);
	skip_spaces(c);
	if ((size_t)(c->end - c->p) < n || memcmp(c->p, prefix, n) != 0)
		return 0;
	c->p += n;
	return 1;
}

/* Decimal number up to max; 0 on no digits, overflow or too many digits. */
static int accept_number(struct cursor *c, uint64_t max, uint64_t *value)
{
	skip_spaces(c);
	uint64_t v = 0;
	size_t digits = 0;
	while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
		v = v * 10 + (uint64_t)(*c->p - '0');
		if (++digits > 10 || v > max)
			return 0;
		c->p++;
	}
	*value = v;
	return digits > 0;
}

/* A double-quoted string; the value is every byte between the quotes. */
static int accept_quoted(struct cursor *c, const char **start, size_t *len)
{
	if (!accept_char(c, '"'))
		return 0;
	const char *close = memchr(c->p, '"', (size_t)(c->end - c->p));
	if (!close)
		return 0;
	*start = c->p;
	*len = (size_t)(close - c->p);
	c->p = close + 1;
	return 1;
}

static int is_sha256_hex(const char *s, size_t len)
{
	if (len != 64)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

static void store_sha(struct mcred_cmng_entry *out, const char *s)
{
	for (size_t i = 0; i < 64; i++) {
		char ch = s[i];
		out->sha256[i] = (ch >= 'a' && ch <= 'f') ? (char)(ch - 'a' + 'A') : ch;
	}
	out->sha256[64] = '\0';
	out->has_sha256 = 1;
}

static enum mcred_err malformed(const char *line, size_t len, const char *why,
				struct mcred_error *err)
{
	/* show only the start: a read line carries content that may be long */
	int shown = 0;
	while ((size_t)shown < len && shown < 40 && line[shown] >= 0x20 && line[shown] < 0x7f)
		shown++;
	return mcred_error_set(err, MCRED_ERR_PROTOCOL,
			       "unexpected %%CMNG answer from the modem (%s): \"%.*s%s\"", why,
			       shown, line, (size_t)shown < len ? "..." : "");
}

/* The optional quoted values after <tag>,<type>. */
static enum mcred_err parse_values(struct cursor *c, struct mcred_cmng_entry *out, const char *line,
				   size_t len, struct mcred_error *err)
{
	const char *first, *second;
	size_t first_len, second_len;
	if (!accept_quoted(c, &first, &first_len))
		return malformed(line, len, "expected a quoted value after the type", err);
	out->sha_text = first;
	out->sha_text_len = first_len;
	if (at_end(c)) {
		if (is_sha256_hex(first, first_len)) {
			store_sha(out, first);
		} else if (first_len > 0) {
			/* a read on firmware without digests: the value is the content */
			out->has_content = 1;
			out->content = first;
			out->content_len = first_len;
		}
		return MCRED_OK;
	}
	if (!accept_char(c, ','))
		return malformed(line, len, "expected ',' or the end after the digest", err);
	if (first_len > 0 && !is_sha256_hex(first, first_len))
		return malformed(line, len, "the digest is not 64 hex digits", err);
	if (first_len > 0)
		store_sha(out, first);
	if (!accept_quoted(c, &second, &second_len))
		return malformed(line, len, "expected the quoted content after the digest", err);
	if (!at_end(c))
		return malformed(line, len, "unexpected text after the content", err);
	out->has_content = 1;
	out->content = second;
	out->content_len = second_len;
	return MCRED_OK;
}

enum mcred_err mcred_cmng_parse_line(const char *line, size_t len, struct mcred_cmng_entry *out,
				     struct mcred_error *err)
{
	memset(out, 0, sizeof(*out));
	if (!line)
		return mcred_error_set(err, MCRED_ERR_PROTOCOL, "empty %%CMNG answer");
	struct cursor c = { line, line + len };
	uint64_t tag, type;
	if (!accept_prefix(&c, "%CMNG:"))
		return malformed(line, len, "it does not start with %CMNG:", err);
	if (!accept_number(&c, UINT32_MAX, &tag))
		return malformed(line, len, "the tag is not a number from 0 to 4294967295", err);
	if (!accept_char(&c, ',') || !accept_number(&c, 255, &type))
		return malformed(line, len, "expected ',' and a type number after the tag", err);
	out->tag = (uint32_t)tag;
	out->type = (int)type;
	if (at_end(&c))
		return MCRED_OK;
	if (!accept_char(&c, ','))
		return malformed(line, len, "expected ',' or the end after the type", err);
	return parse_values(&c, out, line, len, err);
}
