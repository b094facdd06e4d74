/*
 * Pure parsers for command-line values (see args.h). Written by hand rather
 * than with strtoul()/strtod(): those accept leading spaces, signs, "0x",
 * "inf" and locale-dependent decimal points, none of which a provisioning
 * script should be able to pass by accident.
 */
#include "args.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void cli_error_set(struct mcred_error *err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	err->code = MCRED_ERR_INVALID_ARG;
	err->cme = -1;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
}

/* Messages quote what the user typed; keep a hostile value from flooding them. */
#define SHOWN "%.40s%s"
#define SHOW(s) (s), (strlen(s) > 40 ? "..." : "")

int cli_parse_uint(const char *text, uint64_t min, uint64_t max, const char *what, uint64_t *out,
		   struct mcred_error *err)
{
	uint64_t value = 0;
	const char *p;

	if (!text || !*text) {
		cli_error_set(err, "%s is empty: give a number from %llu to %llu", what,
			      (unsigned long long)min, (unsigned long long)max);
		return -1;
	}
	for (p = text; *p; p++) {
		if (*p < '0' || *p > '9') {
			cli_error_set(err,
				      "%s '" SHOWN "' is not a number: use only the digits 0-9 "
				      "(%llu to %llu)",
				      what, SHOW(text), (unsigned long long)min,
				      (unsigned long long)max);
			return -1;
		}
		/* Saturate instead of wrapping, so huge inputs report "too large". */
		if (value > (UINT64_MAX - 9) / 10)
			value = UINT64_MAX;
		else
			value = value * 10 + (uint64_t)(*p - '0');
	}
	if (value < min || value > max) {
		cli_error_set(err,
			      "%s '" SHOWN "' is out of range: give a number from %llu to %llu",
			      what, SHOW(text), (unsigned long long)min, (unsigned long long)max);
		return -1;
	}
	*out = value;
	return 0;
}

int cli_parse_tag(const char *text, uint32_t *tag, struct mcred_error *err)
{
	uint64_t v;

	/* Any number parses here, so that the messages below can say which tags are
	 * the user's; only empty or non-digit text fails, and gets the user range. */
	if (cli_parse_uint(text, 0, UINT64_MAX, "security tag", &v, err) != 0) {
		if (!text || !*text)
			cli_error_set(err, "security tag is empty: give a number from 0 to %u",
				      MCRED_TAG_MAX);
		else
			cli_error_set(err,
				      "security tag '" SHOWN "' is not a number: use only the "
				      "digits 0-9 (user tags are 0 to %u)",
				      SHOW(text), MCRED_TAG_MAX);
		return -1;
	}
	if (v > UINT32_MAX) {
		cli_error_set(err,
			      "security tag '" SHOWN "' is out of range: user tags are 0 to %u",
			      SHOW(text), MCRED_TAG_MAX);
		return -1;
	}
	if (v > MCRED_TAG_MAX) {
		cli_error_set(err,
			      "security tag %llu belongs to the modem: user tags are "
			      "0 to %u and tags above are never written or deleted",
			      (unsigned long long)v, MCRED_TAG_MAX);
		return -1;
	}
	*tag = (uint32_t)v;
	return 0;
}

int cli_parse_any_tag(const char *text, uint32_t *tag, struct mcred_error *err)
{
	uint64_t v;

	if (cli_parse_uint(text, 0, UINT32_MAX, "security tag", &v, err) != 0)
		return -1;
	*tag = (uint32_t)v;
	return 0;
}

int cli_parse_type(const char *text, int *type, struct mcred_error *err)
{
	if (!text || !*text) {
		cli_error_set(err, "credential type is empty: give a number (0-11) or a name "
				   "such as ca, cert, key, psk, psk-id");
		return -1;
	}
	if (mcred_type_parse(text, type, err) != MCRED_OK) {
		/* The library explains; only make sure a message is there. */
		if (err && !err->message[0])
			cli_error_set(err, "unknown credential type '" SHOWN "'", SHOW(text));
		if (err)
			err->code = MCRED_ERR_INVALID_ARG;
		return -1;
	}
	return 0;
}

int cli_parse_timeout(const char *text, unsigned *ms, struct mcred_error *err)
{
	static const unsigned max_ms = 3600u * 1000u;
	uint64_t whole = 0, frac = 0;
	unsigned frac_digits = 0;
	const char *p = text;

	if (!text || !*text) {
		cli_error_set(err, "timeout is empty: give seconds, e.g. 10 or 2.5");
		return -1;
	}
	for (; *p >= '0' && *p <= '9'; p++)
		whole = whole > 100000 ? whole : whole * 10 + (uint64_t)(*p - '0');
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++) {
			if (++frac_digits > 3) {
				cli_error_set(err,
					      "timeout '" SHOWN "' is too precise: use at most "
					      "three decimals (milliseconds)",
					      SHOW(text));
				return -1;
			}
			frac = frac * 10 + (uint64_t)(*p - '0');
		}
		if (frac_digits == 0) {
			cli_error_set(err,
				      "timeout '" SHOWN "' is not a number of seconds, "
				      "e.g. 10 or 2.5",
				      SHOW(text));
			return -1;
		}
	}
	if (*p != '\0' || p == text) {
		cli_error_set(err,
			      "timeout '" SHOWN "' is not a number of seconds: use digits "
			      "and an optional decimal point, e.g. 10 or 2.5",
			      SHOW(text));
		return -1;
	}
	while (frac_digits++ < 3)
		frac *= 10;
	if (whole * 1000 + frac == 0 || whole * 1000 + frac > max_ms) {
		cli_error_set(err,
			      "timeout '" SHOWN "' is out of range: give more than 0 and at "
			      "most 3600 seconds",
			      SHOW(text));
		return -1;
	}
	*ms = (unsigned)(whole * 1000 + frac);
	return 0;
}

int cli_parse_baud(const char *text, unsigned *baud, struct mcred_error *err)
{
	uint64_t v;

	if (cli_parse_uint(text, 50, 4000000, "baud rate", &v, err) != 0)
		return -1;
	*baud = (unsigned)v;
	return 0;
}

int cli_parse_max_command(const char *text, size_t *bytes, struct mcred_error *err)
{
	uint64_t v;

	if (cli_parse_uint(text, 16, 1048576, "maximum command length", &v, err) != 0)
		return -1;
	*bytes = (size_t)v;
	return 0;
}

/* Look text up in a NULL-terminated list of names; index or -1. */
static int name_index(const char *text, const char *const names[])
{
	int i;

	for (i = 0; text && names[i]; i++)
		if (strcmp(text, names[i]) == 0)
			return i;
	return -1;
}

int cli_parse_flow(const char *text, enum mcred_flow *flow, struct mcred_error *err)
{
	static const char *const names[] = { "none", "rtscts", NULL };
	static const enum mcred_flow values[] = { MCRED_FLOW_NONE, MCRED_FLOW_RTSCTS };
	int i = name_index(text, names);

	if (i < 0) {
		cli_error_set(err, "flow control '" SHOWN "' is unknown: use none or rtscts",
			      SHOW(text ? text : ""));
		return -1;
	}
	*flow = values[i];
	return 0;
}

int cli_parse_terminator(const char *text, enum mcred_term *term, struct mcred_error *err)
{
	static const char *const names[] = { "crlf", "cr", "lf", "nul", NULL };
	static const enum mcred_term values[] = { MCRED_TERM_CRLF, MCRED_TERM_CR, MCRED_TERM_LF,
						  MCRED_TERM_NUL };
	int i = name_index(text, names);

	if (i < 0) {
		cli_error_set(err, "terminator '" SHOWN "' is unknown: use crlf, cr, lf or nul",
			      SHOW(text ? text : ""));
		return -1;
	}
	*term = values[i];
	return 0;
}

int cli_parse_shell(const char *text, int *shell, struct mcred_error *err)
{
	static const char *const names[] = { "on", "off", "auto", NULL };
	static const int values[] = { MCRED_SHELL_ON, MCRED_SHELL_NONE, MCRED_SHELL_AUTO };
	int i = name_index(text, names);

	if (i < 0) {
		cli_error_set(err,
			      "--shell '" SHOWN "' is unknown: use on, off or auto (--shell "
			      "alone means on)",
			      SHOW(text ? text : ""));
		return -1;
	}
	*shell = values[i];
	return 0;
}

int cli_parse_transport(const char *text, enum mcred_transport_kind *kind, struct mcred_error *err)
{
	static const char *const names[] = { "auto", "serialport", "termios", NULL };
	static const enum mcred_transport_kind values[] = { MCRED_TRANSPORT_AUTO,
							    MCRED_TRANSPORT_SERIALPORT,
							    MCRED_TRANSPORT_TERMIOS };
	int i = name_index(text, names);

	if (i < 0) {
		cli_error_set(err,
			      "transport '" SHOWN "' is unknown: use auto, serialport or termios",
			      SHOW(text ? text : ""));
		return -1;
	}
	*kind = values[i];
	return 0;
}

int cli_parse_keygen_kind(const char *text, enum mcred_keygen_kind *kind, struct mcred_error *err)
{
	static const char *const names[] = { "csr", "pubkey", "endorsement", NULL };
	static const enum mcred_keygen_kind values[] = { MCRED_KEYGEN_CSR, MCRED_KEYGEN_PUBKEY,
							 MCRED_KEYGEN_ENDORSEMENT };
	int i = name_index(text, names);

	if (i < 0) {
		cli_error_set(err,
			      "key kind '" SHOWN "' is unknown: use csr, pubkey or endorsement",
			      SHOW(text ? text : ""));
		return -1;
	}
	*kind = values[i];
	return 0;
}

int cli_parse_format(const char *text, int *der, struct mcred_error *err)
{
	static const char *const names[] = { "pem", "der", NULL };
	int i = name_index(text, names);

	if (i < 0) {
		cli_error_set(err, "format '" SHOWN "' is unknown: use pem or der",
			      SHOW(text ? text : ""));
		return -1;
	}
	*der = i;
	return 0;
}
