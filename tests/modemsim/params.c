/*
 * Parameter lists of set commands: the text after '=' split at commas outside
 * quotes. Spaces around a parameter are tolerated (the spec's own examples
 * write "AT%CMNG=0, 12345678, 0,..."); a quoted string is taken byte exact,
 * CR/LF included; an empty parameter (",,") is reported as P_EMPTY.
 */
#include "sim.h"

#include <ctype.h>
#include <string.h>

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Classify one trimmed, unquoted parameter. */
static void classify(struct param *p, const char *s, size_t len)
{
	p->text = s;
	p->len = len;
	p->num = 0;
	if (len == 0) {
		p->kind = P_EMPTY;
		return;
	}
	p->kind = P_INT;
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i])) {
			p->kind = P_OTHER;
			return;
		}
		unsigned d = (unsigned)(s[i] - '0');
		p->num = p->num > (UINT64_MAX - d) / 10 ? UINT64_MAX : p->num * 10 + d;
	}
}

int params_split(const char *s, size_t len, struct param *out, int max)
{
	size_t i = 0;
	int count = 0;
	for (;;) {
		if (count == max)
			return -1;
		struct param *p = &out[count++];
		while (i < len && is_blank(s[i]))
			i++;
		if (i < len && s[i] == '"') {
			size_t start = ++i;
			while (i < len && s[i] != '"')
				i++;
			if (i >= len)
				return -1; /* unterminated string */
			p->kind = P_STRING;
			p->text = s + start;
			p->len = i - start;
			p->num = 0;
			i++;
			while (i < len && is_blank(s[i]))
				i++;
			if (i < len && s[i] != ',')
				return -1; /* text after the closing quote */
		} else {
			size_t start = i;
			while (i < len && s[i] != ',' && s[i] != '"')
				i++;
			if (i < len && s[i] == '"')
				return -1; /* quote in the middle of a parameter */
			size_t end = i;
			while (end > start && is_blank(s[end - 1]))
				end--;
			classify(p, s + start, end - start);
		}
		if (i >= len)
			return count;
		i++; /* the comma */
	}
}
