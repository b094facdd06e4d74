/*
 * Wire encoding: the bytes one command puts on the wire, shell wrapping and
 * terminator included, and the most a device's buffer takes.
 */
#include <stdlib.h>
#include <string.h>

#include "at_shell.h"
#include "at_wire.h"

size_t mcred_wire_terminator_length(enum mcred_term term)
{
	return term == MCRED_TERM_CRLF ? 2 : 1;
}

void mcred_wire_append_terminator(char *out, size_t *pos, enum mcred_term term)
{
	switch (term) {
	case MCRED_TERM_CR: out[(*pos)++] = '\r'; break;
	case MCRED_TERM_LF: out[(*pos)++] = '\n'; break;
	case MCRED_TERM_NUL: out[(*pos)++] = '\0'; break;
	case MCRED_TERM_CRLF:
	default:
		out[(*pos)++] = '\r';
		out[(*pos)++] = '\n';
		break;
	}
}

size_t mcred_wire_length(const struct mcred_options *o, const char *cmd, size_t len)
{
	size_t n = mcred_shell_is_on(o) ? mcred_shell_line_length(cmd, len) : len;

	return n + mcred_wire_terminator_length(o->terminator);
}

size_t mcred_max_wire_length(const struct mcred_options *o)
{
	if (o->max_command_len == 0)
		return 0;
	/* The shell keeps the typed line, not the key that ends it. */
	if (mcred_shell_is_on(o)) {
		size_t term = mcred_wire_terminator_length(o->terminator);

		/* no limit to speak of (SIZE_MAX, "unlimited"): no wrap to a tiny one */
		if (o->max_command_len - 1 > SIZE_MAX - term)
			return SIZE_MAX;
		return o->max_command_len - 1 + term;
	}
	return o->max_command_len - 1;
}

char *mcred_wire_encode(const struct mcred_options *o, const char *cmd, size_t len,
			size_t *wire_len)
{
	size_t n = mcred_wire_length(o, cmd, len);
	char *out = malloc(n);
	size_t pos = 0;

	if (!out)
		return NULL;
	if (mcred_shell_is_on(o)) {
		pos = mcred_shell_encode(cmd, len, out);
	} else {
		memcpy(out, cmd, len);
		pos = len;
	}
	mcred_wire_append_terminator(out, &pos, o->terminator);
	*wire_len = pos;
	return out;
}
