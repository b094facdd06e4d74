/*
 * %CMNG validation and command formatting. Pure: no I/O. Every message says
 * what is wrong and how to fix it, because it ends up in front of a factory
 * engineer, not a developer.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmng_check.h"
#include "content.h"
#include "defaults.h"
#include "error.h"
#include "at_shell.h"
#include "util.h"
#include "at_wire.h"
#include "struct_size.h"

#define WRITABLE_TYPES "0-4 (ca, cert, key, psk, psk-id)"

const char *mcred_cmng_type_label(int type)
{
	const char *name = mcred_type_name(type);
	return name ? name : "unknown";
}

void mcred_cmng_cmd_free(struct mcred_cmng_cmd *cmd)
{
	if (!cmd)
		return;
	if (cmd->text && cmd->secret)
		mcred_secret_free(cmd->text, cmd->len + 1);
	else
		free(cmd->text);
	free(cmd->trace);
	memset(cmd, 0, sizeof(*cmd));
}

int mcred_cmng_type_is_secret(int type)
{
	return type == MCRED_TYPE_PRIVATE_KEY || type == MCRED_TYPE_PSK;
}

enum mcred_err mcred_cmng_check_user_tag(uint32_t tag, const char *what, struct mcred_error *err)
{
	if (tag <= MCRED_TAG_MAX)
		return MCRED_OK;
	return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
			       "cannot %s tag %" PRIu32 ": tags above %u belong to the modem and "
			       "are never written or deleted; use a tag from 0 to %u",
			       what, tag, MCRED_TAG_MAX, MCRED_TAG_MAX);
}

enum mcred_err mcred_cmng_check_known_type(int type, struct mcred_error *err)
{
	if (type >= 0 && type <= MCRED_TYPE_LAST)
		return MCRED_OK;
	return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
			       "unknown credential type %d: use 0-11 (ca, cert, key, psk, psk-id, "
			       "pubkey, identity, reserved, endorsement, ownership, nordic-ca, "
			       "nordic-base)",
			       type);
}

enum mcred_err mcred_cmng_check_write_type(int type, struct mcred_error *err)
{
	enum mcred_err rc = mcred_cmng_check_known_type(type, err);
	if (rc != MCRED_OK)
		return rc;
	if (type <= MCRED_TYPE_PSK_IDENTITY)
		return MCRED_OK;
	if (type == MCRED_TYPE_PUBLIC_KEY)
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "type 5 (pubkey) can only be deleted, not written; "
				       "writable types are " WRITABLE_TYPES);
	return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
			       "type %d (%s) belongs to the modem itself or is not supported "
			       "and cannot be written; writable types are " WRITABLE_TYPES,
			       type, mcred_cmng_type_label(type));
}

enum mcred_err mcred_cmng_check_read_type(int type, struct mcred_error *err)
{
	enum mcred_err rc = mcred_cmng_check_known_type(type, err);
	if (rc != MCRED_OK)
		return rc;
	switch (type) {
	case MCRED_TYPE_CLIENT_CERT:
	case MCRED_TYPE_PRIVATE_KEY:
	case MCRED_TYPE_PSK:
	case MCRED_TYPE_NORDIC_ROOT_CA:
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "the modem never reveals type %d (%s); a list shows its "
				       "SHA-256 digest, and a compare checks content against it",
				       type, mcred_cmng_type_label(type));
	default: return MCRED_OK;
	}
}

enum mcred_err mcred_cmng_check_delete_type(int type, struct mcred_error *err)
{
	enum mcred_err rc = mcred_cmng_check_known_type(type, err);
	if (rc != MCRED_OK)
		return rc;
	switch (type) {
	case MCRED_TYPE_RESERVED:
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "type 7 is reserved and cannot be deleted; deletable types "
				       "are 0-5 (ca, cert, key, psk, psk-id, pubkey)");
	case MCRED_TYPE_OWNERSHIP_KEY:
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "type 9 (ownership) cannot be deleted once provisioned; "
				       "deletable types are 0-5 (ca, cert, key, psk, psk-id, pubkey)");
	case MCRED_TYPE_DEVICE_IDENTITY_KEY:
	case MCRED_TYPE_ENDORSEMENT_KEY:
	case MCRED_TYPE_NORDIC_ROOT_CA:
	case MCRED_TYPE_NORDIC_BASE_KEY:
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "type %d (%s) belongs to the modem and cannot be deleted; "
				       "deletable types are 0-5 (ca, cert, key, psk, psk-id, pubkey)",
				       type, mcred_cmng_type_label(type));
	default: return MCRED_OK;
	}
}

/* 1-based line and column of byte offset pos. */
static void locate(const char *s, size_t pos, size_t *line, size_t *column)
{
	*line = 1;
	*column = 1;
	for (size_t i = 0; i < pos; i++) {
		if (s[i] == '\n') {
			(*line)++;
			*column = 1;
		} else {
			(*column)++;
		}
	}
}

static int is_allowed_text_byte(unsigned char c)
{
	return (c >= 0x20 && c <= 0x7e) || c == '\r' || c == '\n' || c == '\t';
}

static enum mcred_err report_bad_byte(const char *content, size_t pos, struct mcred_error *err)
{
	unsigned char c = (unsigned char)content[pos];
	size_t line, column;
	locate(content, pos, &line, &column);
	if (c == '"')
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "content has a double quote (\") at line %zu, column %zu: "
				       "it would end the AT string early and let the rest run as "
				       "AT commands; remove it",
				       line, column);
	if (c >= 0x80)
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "content has a non-ASCII byte 0x%02X at line %zu, column %zu: "
				       "only printable ASCII, CR, LF and TAB are allowed; remove it "
				       "(a UTF-8 character or byte-order mark?), or convert a binary "
				       "DER file to PEM",
				       c, line, column);
	return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
			       "content has control byte 0x%02X at line %zu, column %zu: only "
			       "printable ASCII, CR, LF and TAB are allowed; is it a binary (DER) "
			       "file? convert it to PEM",
			       c, line, column);
}

enum mcred_err mcred_cmng_check_text(const char *content, size_t len, struct mcred_error *err)
{
	if (!content || len == 0)
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "content is empty: the modem does not accept an empty "
				       "credential; give the file to write");
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)content[i];
		if (!is_allowed_text_byte(c) || c == '"')
			return report_bad_byte(content, i, err);
	}
	return MCRED_OK;
}

/*
 * The non-hex byte at psk[i], named for the habit it comes from: a 0x prefix,
 * bytes set apart by blanks or separators. Only that byte is named, never a
 * digit of the PSK.
 */
static enum mcred_err report_non_hex(const char *psk, size_t i, struct mcred_error *err)
{
	unsigned char c = (unsigned char)psk[i];

	if (i == 1 && psk[0] == '0' && (c == 'x' || c == 'X'))
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "the PSK starts with the prefix 0x: give its hex digits "
				       "alone, two per byte (e.g. 000102AB...)");
	if (c == ' ' || c == '\t' || c == ':' || c == '-' || c == ',')
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "the PSK has %s at position %zu: write its hex digits in "
				       "one run, two per byte, without separators (e.g. "
				       "000102AB...)",
				       c == ' '    ? "a space"
				       : c == '\t' ? "a tab"
				       : c == ':'  ? "a ':'"
				       : c == '-'  ? "a '-'"
						   : "a ','",
				       i + 1);
	return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
			       "the PSK has a character that is not a hex digit at "
			       "position %zu: write the PSK as hex digits, two per "
			       "byte (e.g. 000102AB...)",
			       i + 1);
}

/* A PSK is hex text, two digits per byte. Never quotes the PSK itself. */
static enum mcred_err check_psk(const char *psk, size_t len, struct mcred_error *err)
{
	for (size_t i = 0; i < len; i++)
		if (!isxdigit((unsigned char)psk[i]))
			return report_non_hex(psk, i, err);
	if (len % 2)
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "the PSK has an odd number of hex digits (%zu): every byte "
				       "takes two hex digits; a leading 0 may be missing",
				       len);
	return MCRED_OK;
}

/*
 * A PSK identity is "ASCII text" (the %CMNG reference): one line of
 * printable characters. A line break or control character inside comes
 * from a file holding more than the identity.
 */
static enum mcred_err check_psk_identity(const char *id, size_t len, struct mcred_error *err)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)id[i];

		if (c < 0x20 || c > 0x7e)
			return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
					       "the PSK identity has %s at position %zu: an identity "
					       "is one line of printable ASCII text; give a file "
					       "holding the identity alone",
					       c == '\n' || c == '\r' ? "a line break"
					       : c > 0x7e             ? "a byte that is not ASCII"
								      : "a control character",
					       i + 1);
	}
	return MCRED_OK;
}

enum mcred_err mcred_cmng_check_password(int type, const char *password, struct mcred_error *err)
{
	if (!password)
		return MCRED_OK;
	if (type != MCRED_TYPE_PRIVATE_KEY)
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "a password is only used with type 2 (key), an encrypted "
				       "PKCS#8 private key; drop the password for type %d",
				       type);
	size_t len = strlen(password);
	if (len == 0)
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "the password is empty; give none for an unencrypted key");
	if (len > MCRED_PASSWORD_MAX)
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "the password has %zu characters; the modem accepts at most "
				       "%u: re-encrypt the key with a shorter password",
				       len, MCRED_PASSWORD_MAX);
	/* never say which character: the message must not leak the password */
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)password[i];
		if (c < 0x20 || c > 0x7e || c == '"')
			return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
					       "the password may only hold printable ASCII and no "
					       "double quote (\"); re-encrypt the key with such a "
					       "password");
	}
	return MCRED_OK;
}

/* Length without trailing bytes found in strip (files end with a newline). */
static size_t strip_trailing(const char *s, size_t len, const char *strip)
{
	while (len > 0 && s[len - 1] != '\0' && strchr(strip, s[len - 1]))
		len--;
	return len;
}

static size_t content_length_to_send(int type, const char *content, size_t len)
{
	if (type == MCRED_TYPE_PSK)
		return strip_trailing(content, len, "\r\n \t");
	if (type == MCRED_TYPE_PSK_IDENTITY)
		return strip_trailing(content, len, "\r\n");
	return len;
}

enum mcred_err mcred_cmng_prepare_content(int type, const char *content, size_t len,
					  int keep_line_endings, char **out, size_t *out_len,
					  struct mcred_error *err)
{
	*out = NULL;
	*out_len = 0;
	if (content)
		len = content_length_to_send(type, content, len);
	enum mcred_err rc = mcred_cmng_check_text(content, len, err);
	if (rc == MCRED_OK && type == MCRED_TYPE_PSK)
		rc = check_psk(content, len, err);
	if (rc == MCRED_OK && type == MCRED_TYPE_PSK_IDENTITY)
		rc = check_psk_identity(content, len, err);
	if (rc != MCRED_OK)
		return rc;
	char *copy = malloc(len + 1);
	if (!copy)
		return mcred_error_set(err, MCRED_ERR_NOMEM, "out of memory preparing the content");
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		/* the digest is over what is sent, so normalise before digesting */
		if (!keep_line_endings && content[i] == '\r' && i + 1 < len &&
		    content[i + 1] == '\n')
			continue;
		copy[n++] = content[i];
	}
	copy[n] = '\0';
	/* wipe the unused tail: the buffer is freed with len + 1 */
	memset(copy + n, 0, len + 1 - n);
	*out = copy;
	*out_len = n;
	return MCRED_OK;
}

/* Trace form with the content (and password) replaced by their sizes. */
static char *redacted_write(uint32_t tag, int type, size_t content_len, int has_password)
{
	char buf[128];
	int n = snprintf(buf, sizeof(buf), "AT%%CMNG=0,%" PRIu32 ",%d,\"<secret: %zu bytes>\"%s",
			 tag, type, content_len, has_password ? ",\"<secret>\"" : "");
	if (n < 0 || (size_t)n >= sizeof(buf))
		return NULL;
	return strdup(buf);
}

/* A type whose content mcred_cmng_write() traces as it is (when it holds no key). */
static int shown_type(long type)
{
	return type == MCRED_TYPE_CA_CERT || type == MCRED_TYPE_CLIENT_CERT ||
	       type == MCRED_TYPE_PSK_IDENTITY;
}

/*
 * Is command the canonical write AT%CMNG=0,<tag>,<type>,"<content>"[,
 * "<password>"], nothing before or after? 1, and *secret says whether it
 * carries a secret (a key or PSK type, a password, or key material in any
 * type); 0: some other form.
 */
static int canonical_write(const char *command, int *secret)
{
	static const char prefix[] = "AT%CMNG=0,";
	const char *p = command, *content, *end, *after;
	unsigned long tag;
	long type;
	char *next;

	if (strncasecmp(p, prefix, sizeof(prefix) - 1) != 0)
		return 0;
	p += sizeof(prefix) - 1;
	if (!isdigit((unsigned char)*p))
		return 0;
	tag = strtoul(p, &next, 10);
	if (*next != ',' || tag > UINT32_MAX)
		return 0;
	p = next + 1;
	if (!isdigit((unsigned char)*p))
		return 0;
	type = strtol(p, &next, 10);
	if (strncmp(next, ",\"", 2) != 0)
		return 0;
	content = next + 2;
	end = strchr(content, '"');
	if (!end)
		return 0;
	after = end + 1;
	if (*after == ',') { /* the password: one more quoted string, then the end */
		const char *pw_end = after[1] == '"' ? strchr(after + 2, '"') : NULL;

		if (!pw_end || pw_end[1] != '\0')
			return 0;
	} else if (*after != '\0') {
		return 0;
	}
	/*
	 * Shown only what mcred_cmng_write() shows: the content of a type it
	 * writes in clear (certificates, a PSK identity). A private key written
	 * as a certificate is still a key, and a type it never writes (5-11,
	 * or none) may hold anything.
	 */
	*secret = !shown_type(type) || mcred_cmng_type_is_secret((int)type) || *after == ',' ||
		  mcred_content_holds_key(content, (size_t)(end - content));
	return 1;
}

/* The trace form of a canonical write that carries a secret (see canonical_write()). */
static char *canonical_write_trace(const char *command)
{
	const char *tag = command + strlen("AT%CMNG=0,");
	const char *type = strchr(tag, ',') + 1;
	const char *content = strchr(type, '"') + 1;
	const char *end = strchr(content, '"');

	return redacted_write((uint32_t)strtoul(tag, NULL, 10), (int)strtol(type, NULL, 10),
			      (size_t)(end - content), end[1] == ',');
}

/* Where "CMNG" (%CMNG, or a command wrapping it) first is in command, any case; NULL: nowhere. */
static const char *find_cmng(const char *command)
{
	for (const char *p = command; *p; p++)
		if (strncasecmp(p, "CMNG", 4) == 0)
			return p;
	return NULL;
}

/*
 * A command naming CMNG that surely carries no content: a list, read, delete
 * or test (no quote anywhere; after each CMNG only "=", "?", digits, commas
 * and spaces up to the end or a ';', and an operation other than 0, the
 * write).
 */
static int cmng_without_content(const char *command)
{
	if (strchr(command, '"'))
		return 0;
	for (const char *p = find_cmng(command); p; p = find_cmng(p + 4)) {
		const char *q = p + 4;

		q += strspn(q, " =");
		if (*q == '0')
			return 0;
		q += strspn(q, "?0123456789, ");
		if (*q != '\0' && *q != ';')
			return 0;
	}
	return 1;
}

/*
 * Any other command naming CMNG that may carry content (spaces around "=",
 * a chained command, content without quotes, a command wrapping it): the command up
 * to its third comma after CMNG (where a write's content starts) or its
 * first quote, and the size of the rest. Nothing of the content is shown,
 * whatever the type: the parts of such a form cannot be told apart.
 */
static char *withheld_cmng_trace(const char *command)
{
	const char *p = find_cmng(command) + 4;
	int commas = 0;
	size_t keep;
	char *out;

	while (*p && commas < 3 && *p != '"') {
		commas += *p == ',';
		p++;
	}
	keep = (size_t)(p - command);
	out = malloc(keep + 48);
	if (!out)
		return NULL;
	memcpy(out, command, keep);
	snprintf(out + keep, 48, "<withheld: %zu bytes>", strlen(p));
	return out;
}

enum mcred_err mcred_cmng_raw_trace(const char *command, char **trace)
{
	int secret = 0;

	*trace = NULL;
	if (!find_cmng(command))
		return MCRED_OK;
	if (canonical_write(command, &secret)) {
		if (!secret)
			return MCRED_OK;
		*trace = canonical_write_trace(command);
	} else if (cmng_without_content(command)) {
		return MCRED_OK;
	} else {
		*trace = withheld_cmng_trace(command);
	}
	return *trace ? MCRED_OK : MCRED_ERR_NOMEM;
}

static enum mcred_err format_write(uint32_t tag, int type, const char *content, size_t len,
				   const char *password, struct mcred_cmng_cmd *cmd,
				   struct mcred_error *err)
{
	char head[48];
	int hn = snprintf(head, sizeof(head), "AT%%CMNG=0,%" PRIu32 ",%d,\"", tag, type);
	size_t pw_len = password ? strlen(password) : 0;
	size_t total = (size_t)hn + len + 1 + (password ? pw_len + 3 : 0);
	char *text = malloc(total + 1);
	if (!text)
		return mcred_error_set(err, MCRED_ERR_NOMEM, "out of memory building the command");
	size_t at = 0;
	memcpy(text + at, head, (size_t)hn);
	at += (size_t)hn;
	memcpy(text + at, content, len);
	at += len;
	text[at++] = '"';
	if (password) {
		memcpy(text + at, ",\"", 2);
		at += 2;
		memcpy(text + at, password, pw_len);
		at += pw_len;
		text[at++] = '"';
	}
	text[at] = '\0';
	cmd->text = text;
	cmd->len = at;
	/* whatever the type: a private key written as a certificate is still a key */
	cmd->secret = mcred_cmng_type_is_secret(type) || password != NULL ||
		      mcred_content_holds_key(content, len);
	if (cmd->secret) {
		cmd->trace = redacted_write(tag, type, len, password != NULL);
		if (!cmd->trace) {
			mcred_cmng_cmd_free(cmd);
			return mcred_error_set(err, MCRED_ERR_NOMEM, "out of memory");
		}
	}
	return MCRED_OK;
}

static enum mcred_err check_wire_length(const struct mcred_cmng_cmd *cmd,
					const struct mcred_options *opts, struct mcred_error *err)
{
	struct mcred_options o;
	if (opts)
		o = *opts;
	else
		mcred_options_init(&o);
	if (o.shell == MCRED_SHELL_AUTO)
		o.shell = MCRED_SHELL_NONE; /* not known without a modem: a handle checks again */
	mcred_options_apply_defaults(&o);
	size_t wire = mcred_wire_length(&o, cmd->text, cmd->len);
	if (wire <= mcred_max_wire_length(&o))
		return MCRED_OK;
	if (mcred_shell_is_on(&o))
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "the write command would be a %zu-byte shell line (at '...' "
				       "and escapes counted), over the %zu that fit the device "
				       "shell's %zu-byte line buffer (CONFIG_SHELL_CMD_BUFF_SIZE): "
				       "the shell would drop the rest. Shorten the content (remove "
				       "comments or extra certificates), or raise "
				       "CONFIG_SHELL_CMD_BUFF_SIZE on the device and the maximum "
				       "command length here together",
				       mcred_shell_line_length(cmd->text, cmd->len),
				       o.max_command_len - 1, o.max_command_len);
	return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
			       "the write command would be %zu bytes on the wire, over the %zu "
			       "that fit the device's %zu-byte AT command buffer: the device's "
			       "AT host would cut it. Shorten the content (remove comments or "
			       "extra certificates), or raise CONFIG_AT_HOST_CMD_MAX_LEN on the "
			       "device and the maximum command length here together",
			       wire, mcred_max_wire_length(&o), o.max_command_len);
}

/* In shell mode: content and password must be typeable inside at '...'. */
static enum mcred_err check_shell_write(const struct mcred_options *opts, const char *content,
					size_t len, const char *password, struct mcred_error *err)
{
	enum mcred_err rc = mcred_shell_check_content(opts, content, len, "the content", 1, err);

	/* Never say where in the password: messages must not leak it. */
	if (rc == MCRED_OK && password)
		rc = mcred_shell_check_content(opts, password, strlen(password), "the password", 1,
					       err);
	return rc;
}

enum mcred_err mcred_cmng_stored_digest(const struct mcred_options *opts, const char *prepared,
					size_t len, char sha256[65])
{
	struct mcred_options o;
	size_t stored_len;
	char *stored;
	enum mcred_err rc;

	if (opts)
		o = *opts;
	else
		mcred_options_init(&o);
	stored_len = mcred_shell_stored_length(&o, prepared, len);
	stored = malloc(stored_len + 1);
	if (!stored)
		return MCRED_ERR_NOMEM;
	mcred_shell_stored_form(&o, prepared, len, stored);
	rc = mcred_sha256_hex(stored, stored_len, sha256);
	mcred_secret_free(stored, stored_len + 1);
	return rc;
}

enum mcred_err mcred_cmng_build_write(uint32_t tag, int type, const char *content, size_t len,
				      const char *password, const struct mcred_options *opts,
				      struct mcred_cmng_cmd *cmd, char **sent, size_t *sent_len,
				      struct mcred_error *err)
{
	memset(cmd, 0, sizeof(*cmd));
	if (sent)
		*sent = NULL;
	if (sent_len)
		*sent_len = 0;
	enum mcred_err rc = mcred_cmng_check_user_tag(tag, "write", err);
	if (rc == MCRED_OK)
		rc = mcred_cmng_check_write_type(type, err);
	if (rc == MCRED_OK)
		rc = mcred_cmng_check_password(type, password, err);
	if (rc != MCRED_OK)
		return rc;
	char *prepared = NULL;
	size_t prepared_len = 0;
	rc = mcred_cmng_prepare_content(type, content, len, opts ? opts->keep_line_endings : 0,
					&prepared, &prepared_len, err);
	if (rc != MCRED_OK)
		return rc;
	if (opts)
		rc = check_shell_write(opts, prepared, prepared_len, password, err);
	if (rc == MCRED_OK)
		rc = format_write(tag, type, prepared, prepared_len, password, cmd, err);
	if (rc == MCRED_OK)
		rc = check_wire_length(cmd, opts, err);
	if (rc != MCRED_OK) {
		mcred_cmng_cmd_free(cmd);
		mcred_secret_free(prepared, prepared_len + 1);
		return rc;
	}
	if (sent && sent_len) {
		*sent = prepared;
		*sent_len = prepared_len;
	} else {
		mcred_secret_free(prepared, prepared_len + 1);
	}
	return MCRED_OK;
}

enum mcred_err mcred_cmng_check_write(uint32_t tag, int type, const char *content, size_t len,
				      const char *password, const struct mcred_options *opts,
				      struct mcred_error *err)
{
	struct mcred_cmng_cmd cmd;
	struct mcred_options o;
	enum mcred_err rc = mcred_options_take(&o, opts, err);

	if (rc != MCRED_OK)
		return rc;
	rc = mcred_cmng_build_write(tag, type, content, len, password, opts ? &o : NULL, &cmd, NULL,
				    NULL, err);
	mcred_cmng_cmd_free(&cmd);
	if (rc == MCRED_OK)
		mcred_error_clear(err);
	return rc;
}

enum mcred_err mcred_cmng_write_digest(int type, const char *content, size_t len,
				       const struct mcred_options *opts, char sha256[65],
				       struct mcred_error *err)
{
	char *prepared = NULL;
	size_t prepared_len = 0;
	struct mcred_options o;
	enum mcred_err rc;

	if (!sha256)
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "no buffer given for the digest (sha256)");
	rc = mcred_options_take(&o, opts, err);
	if (rc != MCRED_OK)
		return rc;
	if (opts)
		opts = &o; /* from here on the library's own full copy */
	rc = mcred_cmng_check_write_type(type, err);
	if (rc == MCRED_OK)
		rc = mcred_cmng_prepare_content(type, content, len,
						opts ? opts->keep_line_endings : 0, &prepared,
						&prepared_len, err);
	if (rc == MCRED_OK && opts)
		rc = check_shell_write(opts, prepared, prepared_len, NULL, err);
	if (rc != MCRED_OK) {
		mcred_secret_free(prepared, prepared_len + 1);
		return rc;
	}
	rc = mcred_cmng_stored_digest(opts, prepared, prepared_len, sha256);
	mcred_secret_free(prepared, prepared_len + 1);
	if (rc != MCRED_OK)
		return mcred_error_set(err, rc, "cannot compute SHA-256");
	mcred_error_clear(err);
	return MCRED_OK;
}

static enum mcred_err set_text(struct mcred_cmng_cmd *cmd, const char *buf, int n,
			       struct mcred_error *err)
{
	memset(cmd, 0, sizeof(*cmd));
	cmd->text = strdup(buf);
	if (!cmd->text)
		return mcred_error_set(err, MCRED_ERR_NOMEM, "out of memory building the command");
	cmd->len = (size_t)n;
	return MCRED_OK;
}

enum mcred_err mcred_cmng_build_list(int64_t tag, int type, struct mcred_cmng_cmd *cmd,
				     struct mcred_error *err)
{
	char buf[64];
	int n;
	memset(cmd, 0, sizeof(*cmd));
	if (tag != MCRED_ANY_TAG && (tag < 0 || tag > (int64_t)UINT32_MAX))
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "cannot list tag %" PRId64 ": tags are 0 to 4294967295",
				       tag);
	if (type != MCRED_ANY_TYPE) {
		enum mcred_err rc = mcred_cmng_check_known_type(type, err);
		if (rc != MCRED_OK)
			return rc;
	}
	if (tag == MCRED_ANY_TAG && type != MCRED_ANY_TYPE)
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "listing by type needs a tag: AT%%CMNG=1 takes a type only "
				       "after a tag; list everything and filter instead");
	if (tag == MCRED_ANY_TAG)
		n = snprintf(buf, sizeof(buf), "AT%%CMNG=1");
	else if (type == MCRED_ANY_TYPE)
		n = snprintf(buf, sizeof(buf), "AT%%CMNG=1,%" PRId64, tag);
	else
		n = snprintf(buf, sizeof(buf), "AT%%CMNG=1,%" PRId64 ",%d", tag, type);
	return set_text(cmd, buf, n, err);
}

enum mcred_err mcred_cmng_build_read(uint32_t tag, int type, struct mcred_cmng_cmd *cmd,
				     struct mcred_error *err)
{
	char buf[64];
	memset(cmd, 0, sizeof(*cmd));
	enum mcred_err rc = mcred_cmng_check_read_type(type, err);
	if (rc != MCRED_OK)
		return rc;
	int n = snprintf(buf, sizeof(buf), "AT%%CMNG=2,%" PRIu32 ",%d", tag, type);
	return set_text(cmd, buf, n, err);
}

enum mcred_err mcred_cmng_build_delete(uint32_t tag, int type, struct mcred_cmng_cmd *cmd,
				       struct mcred_error *err)
{
	char buf[64];
	memset(cmd, 0, sizeof(*cmd));
	enum mcred_err rc = mcred_cmng_check_user_tag(tag, "delete", err);
	if (rc == MCRED_OK)
		rc = mcred_cmng_check_delete_type(type, err);
	if (rc != MCRED_OK)
		return rc;
	int n = snprintf(buf, sizeof(buf), "AT%%CMNG=3,%" PRIu32 ",%d", tag, type);
	return set_text(cmd, buf, n, err);
}
