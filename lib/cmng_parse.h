/*
 * %CMNG answer lines (cmng_parse.c): pure, safe on any bytes. cmng.c parses
 * list and read answers with it.
 */
#ifndef MODEMCRED_CMNG_PARSE_H
#define MODEMCRED_CMNG_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "modemcred.h"

/* One parsed "%CMNG: <tag>,<type>[,"<sha>"[,"<content>"]]" line. */
struct mcred_cmng_entry {
	uint32_t tag;
	int type;
	int has_sha256;
	char sha256[65]; /* upper-case hex when has_sha256 */
	int has_content;
	const char *content; /* points into the parsed line, not NUL-terminated */
	size_t content_len;
	const char *sha_text; /* the raw first quoted value (for reads without sha) */
	size_t sha_text_len;
};

/*
 * Parse one logical line. A single quoted value that is not exactly 64 hex
 * digits is content (a read on firmware without digests). Malformed input
 * gives MCRED_ERR_PROTOCOL. Safe on any bytes.
 */
enum mcred_err mcred_cmng_parse_line(const char *line, size_t len, struct mcred_cmng_entry *out,
				     struct mcred_error *err);

#endif
