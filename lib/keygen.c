/*
 * %KEYGEN and %ATTESTTOKEN on the modem. Requests are validated completely
 * before anything is sent (the modem's own errors are terse), and the CME
 * codes of these commands are turned into messages that say what to do.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/objects.h>

#include "at.h"
#include "cose.h"
#include "defaults.h"
#include "device.h"
#include "error.h"
#include "handle.h"
#include "at_shell.h"
#include "at_wire.h"
#include "struct_size.h"
#include "subject.h"

/* One "NAME=VALUE" item of the attribute list (len bytes, no ','). */
static enum mcred_err check_attribute(const char *item, size_t len, struct mcred_error *err)
{
	const char *eq = memchr(item, '=', len);
	size_t i, nlen;

	if (len == 0)
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "attributes contain an empty item: write \"NAME=VALUE\" pairs "
				       "separated by single commas");
	if (!eq || eq == item)
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "attribute \"%.*s\" is not NAME=VALUE (e.g. CN=device-1)",
				       (int)len, item);
	nlen = (size_t)(eq - item);
	if (mcred_attribute_nid(item, nlen) == NID_undef)
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "attribute name \"%.*s\" is not supported by %%KEYGEN; use CN, "
				       "L, ST, O, OU, C, DC, SN, GN, R (emailAddress), serialNumber, "
				       "postalAddress, postalCode, dnQualifier, title, initials, "
				       "pseudonym or generationQualifier",
				       (int)nlen, item);
	if (nlen + 1 == len)
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "attribute %.*s has an empty value", (int)nlen, item);
	for (i = nlen + 1; i < len; i++)
		if (item[i] < 0x20 || item[i] > 0x7e || item[i] == '"')
			return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
					       "attribute %.*s: values must be printable ASCII without "
					       "'\"' or ',' (found byte 0x%02x)",
					       (int)nlen, item, (unsigned)(unsigned char)item[i]);
	return MCRED_OK;
}

static enum mcred_err check_attributes(const char *attrs, struct mcred_error *err)
{
	const char *p = attrs;

	if (*attrs == '\0')
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "attributes are empty: leave them out for the modem's default "
				       "CN=<device uuid>");
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		enum mcred_err rc = check_attribute(p, len, err);

		if (rc != MCRED_OK || !comma)
			return rc;
		p = comma + 1;
	}
}

static enum mcred_err check_key_usage(const char *ku, struct mcred_error *err)
{
	size_t i, len = strlen(ku);

	if (len != 9)
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "key usage must be exactly 9 characters of 0/1 (RFC 5280 bits "
				       "digitalSignature..decipherOnly, e.g. 101010000), got %zu",
				       len);
	for (i = 0; i < 9; i++)
		if (ku[i] != '0' && ku[i] != '1')
			return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
					       "key usage must be 9 characters of 0/1 (e.g. "
					       "101010000); character %zu is '%c'",
					       i + 1, ku[i] >= 0x20 && ku[i] < 0x7f ? ku[i] : '?');
	if (ku[8] == '1')
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "key usage: the modem does not support decipherOnly; the last "
				       "character must be 0");
	return MCRED_OK;
}

enum mcred_err mcred_keygen_check(const struct mcred_keygen_request *given, struct mcred_error *err)
{
	struct mcred_keygen_request copy;
	const struct mcred_keygen_request *req = &copy;
	enum mcred_err rc;

	if (!given)
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG, "no keygen request given");
	rc = mcred_keygen_request_take(&copy, given, err);
	if (rc != MCRED_OK)
		return rc;
	if (req->tag < 1 || req->tag > MCRED_TAG_MAX)
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "sec_tag %lu is out of range: %%KEYGEN takes 1-2147483647",
				       (unsigned long)req->tag);
	if (req->kind != MCRED_KEYGEN_CSR && req->kind != MCRED_KEYGEN_PUBKEY &&
	    req->kind != MCRED_KEYGEN_ENDORSEMENT)
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "unknown keygen kind %d: use csr, pubkey or endorsement",
				       (int)req->kind);
	if (req->kind != MCRED_KEYGEN_CSR && (req->attributes || req->key_usage))
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "attributes and key usage apply to a CSR only; drop them or "
				       "ask for a CSR");
	if (req->attributes)
		rc = check_attributes(req->attributes, err);
	if (rc == MCRED_OK && req->key_usage)
		rc = check_key_usage(req->key_usage, err);
	if (rc == MCRED_OK)
		mcred_error_clear(err);
	return rc;
}

int mcred_keygen_kind_payload_id(enum mcred_keygen_kind kind)
{
	switch (kind) {
	case MCRED_KEYGEN_CSR: return MCRED_PAYLOAD_ID_CSR;
	case MCRED_KEYGEN_PUBKEY:
	case MCRED_KEYGEN_ENDORSEMENT: return MCRED_PAYLOAD_ID_PUBKEY;
	}
	return 0;
}

int mcred_keygen_kind_cred_type(enum mcred_keygen_kind kind)
{
	switch (kind) {
	case MCRED_KEYGEN_CSR:
	case MCRED_KEYGEN_PUBKEY: return MCRED_TYPE_PRIVATE_KEY;
	case MCRED_KEYGEN_ENDORSEMENT: return MCRED_TYPE_ENDORSEMENT_KEY;
	}
	return -1;
}

/* ---- talking to the modem --------------------------------------------------- */

/* AT%KEYGEN=<tag>,<type>,<content>[,"<attrs>"][,"<ku>"], malloc'd. */
static char *keygen_command(const struct mcred_keygen_request *req)
{
	const char *attrs = req->attributes ? req->attributes : "";
	const char *ku = req->key_usage ? req->key_usage : "";
	size_t cap = 64 + strlen(attrs) + strlen(ku);
	char *cmd = malloc(cap);
	int n;

	if (!cmd)
		return NULL;
	if (req->kind != MCRED_KEYGEN_CSR)
		n = snprintf(cmd, cap, "AT%%KEYGEN=%lu,%d,1", (unsigned long)req->tag,
			     mcred_keygen_kind_cred_type(req->kind));
	else if (req->attributes && req->key_usage)
		n = snprintf(cmd, cap, "AT%%KEYGEN=%lu,2,0,\"%s\",\"%s\"", (unsigned long)req->tag,
			     attrs, ku);
	else if (req->attributes)
		n = snprintf(cmd, cap, "AT%%KEYGEN=%lu,2,0,\"%s\"", (unsigned long)req->tag, attrs);
	else if (req->key_usage)
		n = snprintf(cmd, cap, "AT%%KEYGEN=%lu,2,0,,\"%s\"", (unsigned long)req->tag, ku);
	else
		n = snprintf(cmd, cap, "AT%%KEYGEN=%lu,2,0", (unsigned long)req->tag);
	if (n < 0 || (size_t)n >= cap) {
		free(cmd);
		return NULL;
	}
	return cmd;
}

/* The quoted blob of a "<prefix> "<blob>"" information line, malloc'd. */
static char *quoted_value(const struct mcred_lines *lines, const char *prefix)
{
	size_t i, plen = strlen(prefix);

	for (i = 0; i < lines->count; i++) {
		const char *l = lines->lines[i];
		const char *open, *close;
		char *out;

		if (strncmp(l, prefix, plen) != 0)
			continue;
		open = strchr(l + plen, '"');
		close = strrchr(l + plen, '"');
		if (!open || close == open)
			return NULL;
		out = malloc((size_t)(close - open));
		if (!out)
			return NULL;
		memcpy(out, open + 1, (size_t)(close - open - 1));
		out[close - open - 1] = '\0';
		return out;
	}
	return NULL;
}

/* The first size - 1 bytes of line, other than printable ASCII shown as '?'. */
static void printable_start(const char *line, char *out, size_t size)
{
	size_t i;

	for (i = 0; i + 1 < size && line[i]; i++)
		out[i] = line[i] >= 0x20 && line[i] < 0x7f ? line[i] : '?';
	out[i] = '\0';
}

/* What to tell the user about a failed %KEYGEN / %ATTESTTOKEN. */
static enum mcred_err command_failed(mcred_modem *m, enum mcred_err rc,
				     const struct mcred_reply *reply, const char *what)
{
	int cme = reply->code;

	if (rc == MCRED_ERR_MODEM)
		return mcred_fail(m, rc,
				  "%s: the modem answered ERROR; firmware older than 1.3.0 "
				  "lacks %s, or enable numeric errors (AT+CMEE=1) to see why",
				  what, what);
	if (rc != MCRED_ERR_CME)
		return rc; /* timeouts, I/O: mcred_at_exec already said it */
	/*
	 * The tag and key hints are %KEYGEN's: %ATTESTTOKEN names no tag and
	 * makes no key, its CME codes get their general meaning (case 0).
	 */
	switch (strcmp(what, "%KEYGEN") == 0 || cme == 515 || cme == 518 ? cme : 0) {
	case 514:
		rc = mcred_fail(m, rc,
				"%s: not allowed (CME 514); the tag may be reserved by the "
				"modem, use a tag of your own",
				what);
		break;
	case 515:
		rc = mcred_fail(m, rc,
				"%s: modem memory full (CME 515); delete unused credentials "
				"first",
				what);
		break;
	case 518:
		/* the AT layer's message already gives mcred_cme_message(518)'s fix */
		return rc;
	case 519:
		rc = mcred_fail(m, rc,
				"%s: the tag already holds a key (CME 519); delete it or use "
				"another tag",
				what);
		break;
	case 523:
		rc = mcred_fail(m, rc, "%s: key generation failed in the modem (CME 523); retry",
				what);
		break;
	default: rc = mcred_fail(m, rc, "%s: CME %d: %s", what, cme, mcred_cme_message(cme)); break;
	}
	m->err.cme = cme;
	return rc;
}

/*
 * Send cmd, then hand back the quoted blob of the answer's prefix line.
 * changes: the command changes the modem (%KEYGEN); its fate goes to
 * last_change.
 */
static enum mcred_err exec_for_blob(mcred_modem *m, const char *cmd, unsigned timeout_ms,
				    const char *prefix, const char *what, int changes, char **blob)
{
	struct mcred_reply reply;
	enum mcred_err rc;

	memset(&reply, 0, sizeof(reply));
	rc = mcred_at_exec(m, cmd, strlen(cmd), NULL, timeout_ms, &reply);
	if (changes)
		m->last_change = mcred_reply_change(&reply);
	if (rc != MCRED_OK) {
		rc = command_failed(m, rc, &reply, what);
		mcred_reply_free(&reply);
		return rc;
	}
	*blob = quoted_value(&reply.lines, prefix);
	if (!*blob) {
		/*
		 * A line of this answer holds no secret: show it. Any other line
		 * (a late echo of an earlier command, say) is only counted.
		 */
		char seen[81] = "";
		size_t i;
		for (i = 0; i < reply.lines.count && !seen[0]; i++)
			if (strncmp(reply.lines.lines[i], prefix, strlen(prefix)) == 0)
				printable_start(reply.lines.lines[i], seen, sizeof(seen));
		if (seen[0])
			rc = mcred_fail(m, MCRED_ERR_PROTOCOL,
					"%s: the modem said OK but its answer is not %s \"...\": "
					"\"%s\"",
					what, prefix, seen);
		else
			rc = mcred_fail(m, MCRED_ERR_PROTOCOL,
					"%s: the modem said OK but sent no %s \"...\" line (%zu "
					"other line(s))",
					what, prefix, reply.lines.count);
		mcred_reply_free(&reply);
		return rc;
	}
	mcred_reply_free(&reply);
	return mcred_succeed(m);
}

/* Key generation takes seconds: at least MCRED_KEYGEN_TIMEOUT_MS. */
static unsigned keygen_timeout(const mcred_modem *m)
{
	return m->opts.timeout_ms > MCRED_KEYGEN_TIMEOUT_MS ? m->opts.timeout_ms
							    : MCRED_KEYGEN_TIMEOUT_MS;
}

enum mcred_err mcred_keygen_check_modem(mcred_modem *modem, const struct mcred_keygen_request *req)
{
	enum mcred_err rc;

	if (!modem)
		return MCRED_ERR_INVALID_ARG;
	rc = mcred_keygen_check(req, &modem->err);
	/* checked: req is not NULL and its size is good, attributes fit in it */
	if (rc == MCRED_OK && req->attributes)
		rc = mcred_shell_check_content(&modem->opts, req->attributes,
					       strlen(req->attributes), "the attributes", 0,
					       &modem->err);
	return rc;
}

enum mcred_err mcred_keygen_run(mcred_modem *modem, const struct mcred_keygen_request *req,
				char **blob)
{
	struct mcred_keygen_request copy;
	struct mcred_session session;
	enum mcred_err rc;
	char *cmd;

	if (!modem)
		return MCRED_ERR_INVALID_ARG;
	if (!blob)
		return mcred_fail(modem, MCRED_ERR_INVALID_ARG, "no place for the keygen answer");
	*blob = NULL;
	rc = mcred_keygen_check_modem(modem, req);
	if (rc != MCRED_OK)
		return rc;
	mcred_keygen_request_take(&copy, req, NULL); /* checked above */
	cmd = keygen_command(&copy);
	if (!cmd)
		return mcred_fail(modem, MCRED_ERR_NOMEM, "out of memory");
	/* Refuse an overlong command here, before the session sends CMEE/CFUN. */
	if (mcred_wire_length(&modem->opts, cmd, strlen(cmd)) >
	    mcred_max_wire_length(&modem->opts)) {
		rc = mcred_fail(modem, MCRED_ERR_INVALID_ARG,
				"the %%KEYGEN command would be %zu bytes on the wire, over the %zu "
				"that fit the device's %zu-byte AT command buffer: shorten the "
				"attributes",
				mcred_wire_length(&modem->opts, cmd, strlen(cmd)),
				mcred_max_wire_length(&modem->opts), modem->opts.max_command_len);
		free(cmd);
		return rc;
	}
	rc = mcred_session_begin(modem, 1, &session);
	if (rc == MCRED_OK)
		rc = exec_for_blob(modem, cmd, keygen_timeout(modem), "%KEYGEN:", "%KEYGEN", 1,
				   blob);
	rc = mcred_session_end(modem, &session, rc);
	free(cmd);
	/* cancelled once the key exists: its answer is the caller's, never lost */
	if (rc != MCRED_OK && rc != MCRED_ERR_CANCELLED) {
		free(*blob);
		*blob = NULL;
	}
	return rc;
}

enum mcred_err mcred_attest_challenge_check(const char *challenge, struct mcred_error *err)
{
	size_t i, n;

	if (!challenge) {
		mcred_error_clear(err);
		return MCRED_OK; /* no challenge: the modem makes the token without one */
	}
	n = strlen(challenge);
	for (i = 0; i < n; i++)
		if (!isxdigit((unsigned char)challenge[i]))
			return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
					       "challenge has a character that is not a hex "
					       "digit at position %zu: use 32 hex digits (16 bytes)",
					       i + 1);
	if (n != 32)
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "challenge has %zu hex digits: it must have exactly 32 "
				       "hex digits (16 bytes), e.g. from `openssl rand -hex 16`",
				       n);
	mcred_error_clear(err);
	return MCRED_OK;
}

enum mcred_err mcred_attest_run(mcred_modem *modem, const char *challenge, char **blob)
{
	char cmd[64];
	struct mcred_session session;
	enum mcred_err rc;

	if (!modem)
		return MCRED_ERR_INVALID_ARG;
	if (!blob)
		return mcred_fail(modem, MCRED_ERR_INVALID_ARG, "no place for the token");
	*blob = NULL;
	rc = mcred_attest_challenge_check(challenge, &modem->err);
	if (rc != MCRED_OK)
		return rc;
	if (challenge)
		snprintf(cmd, sizeof(cmd), "AT%%ATTESTTOKEN=\"%s\"", challenge);
	else
		snprintf(cmd, sizeof(cmd), "AT%%ATTESTTOKEN");
	rc = mcred_session_begin(modem, 0, &session);
	if (rc == MCRED_OK)
		rc = exec_for_blob(modem, cmd, 0, "%ATTESTTOKEN:", "%ATTESTTOKEN", 0, blob);
	rc = mcred_session_end(modem, &session, rc);
	if (rc != MCRED_OK) {
		free(*blob);
		*blob = NULL;
	}
	return rc;
}
