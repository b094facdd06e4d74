/*
 * Streaming JSON writer (see json.h). Output is compact, one document per
 * line, which suits both `jq` and line-oriented scripts.
 */
#include "json.h"

#include <inttypes.h>
#include <string.h>

/* Documents started on stdout (see json_documents_on_stdout()). */
static unsigned g_stdout_documents;

unsigned json_documents_on_stdout(void)
{
	return g_stdout_documents;
}

void json_init(struct json *j, FILE *out)
{
	if (out == stdout)
		g_stdout_documents++;
	j->out = out;
	j->depth = 0;
	j->count[0] = 0;
	j->after_key = 0;
}

/* Put the comma a new value needs, unless it follows its key. */
static void before_value(struct json *j)
{
	if (j->after_key) {
		j->after_key = 0;
		return;
	}
	if (j->count[j->depth]++ > 0)
		fputc(',', j->out);
}

/* After a complete top-level value, end the line. */
static void after_value(struct json *j)
{
	if (j->depth == 0)
		fputc('\n', j->out);
}

static void open_container(struct json *j, char c)
{
	before_value(j);
	fputc(c, j->out);
	if (j->depth < JSON_MAX_DEPTH - 1)
		j->depth++;
	j->count[j->depth] = 0;
}

static void close_container(struct json *j, char c)
{
	fputc(c, j->out);
	if (j->depth > 0)
		j->depth--;
	after_value(j);
}

void json_object_begin(struct json *j)
{
	open_container(j, '{');
}
void json_object_end(struct json *j)
{
	close_container(j, '}');
}
void json_array_begin(struct json *j)
{
	open_container(j, '[');
}
void json_array_end(struct json *j)
{
	close_container(j, ']');
}

void json_key(struct json *j, const char *key)
{
	before_value(j);
	json_write_escaped(j->out, key, strlen(key));
	fputc(':', j->out);
	j->after_key = 1;
}

/*
 * Length of a valid UTF-8 sequence starting at s (at most n bytes), or 0 if
 * the bytes there are not one. Overlong forms, surrogates and code points
 * above U+10FFFF are rejected, as RFC 3629 requires.
 */
static size_t utf8_sequence(const unsigned char *s, size_t n)
{
	size_t len, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1fu;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		cp = s[0] & 0x0fu;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07u;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3fu);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

void json_write_escaped(FILE *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	fputc('"', out);
	while (i < len) {
		unsigned char c = p[i];
		size_t seq;

		switch (c) {
		case '"':
			fputs("\\\"", out);
			i++;
			continue;
		case '\\':
			fputs("\\\\", out);
			i++;
			continue;
		case '\n':
			fputs("\\n", out);
			i++;
			continue;
		case '\r':
			fputs("\\r", out);
			i++;
			continue;
		case '\t':
			fputs("\\t", out);
			i++;
			continue;
		case '\b':
			fputs("\\b", out);
			i++;
			continue;
		case '\f':
			fputs("\\f", out);
			i++;
			continue;
		default: break;
		}
		if (c < 0x20 || c == 0x7f) {
			fprintf(out, "\\u%04x", c);
			i++;
			continue;
		}
		seq = utf8_sequence(p + i, len - i);
		if (seq == 0) {
			fputs("\\ufffd", out); /* not UTF-8: keep the output valid JSON */
			i++;
			continue;
		}
		fwrite(p + i, 1, seq, out);
		i += seq;
	}
	fputc('"', out);
}

void json_string_n(struct json *j, const char *s, size_t len)
{
	before_value(j);
	json_write_escaped(j->out, s, len);
	after_value(j);
}

void json_string(struct json *j, const char *s)
{
	if (!s) {
		json_null(j);
		return;
	}
	json_string_n(j, s, strlen(s));
}

void json_int(struct json *j, int64_t v)
{
	before_value(j);
	fprintf(j->out, "%" PRId64, v);
	after_value(j);
}

void json_uint(struct json *j, uint64_t v)
{
	before_value(j);
	fprintf(j->out, "%" PRIu64, v);
	after_value(j);
}

void json_bool(struct json *j, int v)
{
	before_value(j);
	fputs(v ? "true" : "false", j->out);
	after_value(j);
}

void json_null(struct json *j)
{
	before_value(j);
	fputs("null", j->out);
	after_value(j);
}

void json_field_string(struct json *j, const char *key, const char *s)
{
	json_key(j, key);
	json_string(j, s);
}

void json_field_int(struct json *j, const char *key, int64_t v)
{
	json_key(j, key);
	json_int(j, v);
}

void json_field_uint(struct json *j, const char *key, uint64_t v)
{
	json_key(j, key);
	json_uint(j, v);
}

void json_field_bool(struct json *j, const char *key, int v)
{
	json_key(j, key);
	json_bool(j, v);
}

void json_field_null(struct json *j, const char *key)
{
	json_key(j, key);
	json_null(j);
}
