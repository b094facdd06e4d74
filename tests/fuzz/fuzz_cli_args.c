/*
 * libFuzzer target for the CLI's input validation: arbitrary bytes through
 * the value parsers (cli/args.c), the command-line parser (cli/cmdline.c),
 * the JSON string escaper (cli/json.c), and the library checks the CLI runs
 * before opening a port (mcred_type_parse, mcred_cmng_check_write,
 * mcred_keygen_check, mcred_identity_key_parse) and the firmware version
 * parser.
 *
 * Input layout: byte 0 picks what to exercise, the rest is the payload.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "cmdline.h"
#include "json.h"
#include "modemcred.h"

/* The payload as a NUL-terminated string (cut at the first NUL). */
static char *as_string(const uint8_t *data, size_t len)
{
	char *s = malloc(len + 1);

	if (!s)
		abort();
	memcpy(s, data, len);
	s[len] = '\0';
	return s;
}

/* Library parsers of what the CLI reads before opening a port (or gets from AT+CGMR). */
static void library_parsers(const char *s)
{
	struct mcred_verify_options vo;
	struct mcred_fw_version v;
	struct mcred_error err;

	if (mcred_fw_version_parse(s, &v) == MCRED_OK && strncmp(s, "mfw", 3) != 0)
		abort();
	mcred_fw_digests_trusted(s);
	mcred_verify_options_init(&vo);
	if (mcred_identity_key_parse(s, strlen(s), &vo, &err) == MCRED_OK) {
		if (vo.identity_key_pem != s && vo.identity_key_raw != (const uint8_t *)s)
			abort(); /* accepted, but the options do not point at the key */
	} else if (vo.identity_key_pem || vo.identity_key_raw || !err.message[0]) {
		abort(); /* refused: options untouched, and a message says why */
	}
}

static void value_parsers(const char *s)
{
	struct mcred_error err;
	uint32_t tag;
	int type, der;
	unsigned u;
	size_t n;
	uint64_t v;
	enum mcred_flow flow;
	enum mcred_term term;
	enum mcred_transport_kind tk;
	enum mcred_keygen_kind kk;

	if (cli_parse_tag(s, &tag, &err) == 0 && tag > MCRED_TAG_MAX)
		abort();
	if (cli_parse_any_tag(s, &tag, &err) != 0 && err.message[0] == '\0')
		abort();
	if (cli_parse_type(s, &type, &err) == 0 && (type < 0 || type > 11))
		abort();
	if (cli_parse_timeout(s, &u, &err) == 0 && (u == 0 || u > 3600000u))
		abort();
	cli_parse_baud(s, &u, &err);
	cli_parse_max_command(s, &n, &err);
	cli_parse_uint(s, 0, UINT64_MAX, "value", &v, &err);
	cli_parse_flow(s, &flow, &err);
	cli_parse_terminator(s, &term, &err);
	cli_parse_transport(s, &tk, &err);
	cli_parse_keygen_kind(s, &kk, &err);
	cli_parse_format(s, &der, &err);
	if (mcred_attest_challenge_check(s, &err) == MCRED_OK && strlen(s) != 32)
		abort();
	mcred_type_parse(s, &type, &err);
	library_parsers(s);
}

/* NUL-separated arguments become argv. */
static void command_line(const uint8_t *data, size_t len)
{
	char *buf = malloc(len + 1), *argv[64];
	struct cli_cmdline cl;
	struct mcred_error err;
	size_t i, start = 0;
	int argc = 0;

	if (!buf)
		abort();
	memcpy(buf, data, len);
	buf[len] = '\0';
	argv[argc++] = "modemcred";
	for (i = 0; i <= len && argc < 63; i++) {
		if (buf[i] == '\0') {
			argv[argc++] = buf + start;
			start = i + 1;
		}
	}
	argv[argc] = NULL;
	if (cli_cmdline_parse(argc, argv, &cl, &err) == 0) {
		if (!cl.help && !cl.version && (cl.command <= CMD_NONE || cl.command >= CMD_COUNT))
			abort();
		if (cl.nargs > CLI_MAX_ARGS)
			abort();
	} else if (err.message[0] == '\0') {
		abort();
	}
	free(buf);
}

/*
 * Bytes 0-3 tag, byte 4 type, byte 5 flags, then the content; with flag 8
 * a NUL splits it into content and password.
 */
static void check_write(const uint8_t *data, size_t len)
{
	struct mcred_options opts;
	struct mcred_error err;
	const char *content, *nul;
	char *password = NULL, sha[65];
	size_t clen;
	uint32_t tag;
	int type;

	if (len < 6)
		return;
	tag = (uint32_t)data[0] << 24 | (uint32_t)data[1] << 16 | (uint32_t)data[2] << 8 | data[3];
	type = (int)(data[4] % 16) - 2;
	mcred_options_init(&opts);
	opts.keep_line_endings = data[5] & 1;
	opts.shell = (data[5] >> 1) & 1;
	opts.max_command_len = (data[5] & 4) ? 64 : 0;
	content = (const char *)data + 6;
	clen = len - 6;
	nul = memchr(content, '\0', clen);
	if (nul && (data[5] & 8)) {
		size_t plen = clen - (size_t)(nul - content) - 1;

		clen = (size_t)(nul - content);
		password = as_string((const uint8_t *)nul + 1, plen);
	}
	if (mcred_cmng_check_write(tag, type, content, clen, password, &opts, &err) == MCRED_OK &&
	    (tag > MCRED_TAG_MAX || clen == 0))
		abort(); /* the CLI relies on these never passing */
	mcred_cmng_write_digest(type, content, clen, &opts, sha, &err);
	free(password);
}

/* Byte 0-3 tag, byte 4 kind, then "attributes\0key_usage". */
static void check_keygen(const uint8_t *data, size_t len)
{
	struct mcred_keygen_request req;
	struct mcred_error err;
	char *rest;

	if (len < 5)
		return;
	mcred_keygen_request_init(&req);
	req.tag = (uint32_t)data[0] << 24 | (uint32_t)data[1] << 16 | (uint32_t)data[2] << 8 |
		  data[3];
	req.kind = (enum mcred_keygen_kind)(data[4] % 3);
	rest = as_string(data + 5, len - 5);
	req.attributes = (data[4] & 8) ? rest : NULL;
	req.key_usage = (data[4] & 16) ? rest + strlen(rest) / 2 : NULL;
	mcred_keygen_check(&req, &err);
	free(rest);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;
	char *s;

	if (size == 0)
		return 0;
	if (!sink)
		sink = fopen("/dev/null", "w");
	switch (data[0] % 5) {
	case 0:
		s = as_string(data + 1, size - 1);
		value_parsers(s);
		free(s);
		break;
	case 1: command_line(data + 1, size - 1); break;
	case 2: check_write(data + 1, size - 1); break;
	case 3: check_keygen(data + 1, size - 1); break;
	default:
		if (sink)
			json_write_escaped(sink, (const char *)data + 1, size - 1);
		break;
	}
	return 0;
}
