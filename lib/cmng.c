/*
 * %CMNG operations on a modem: validate first (nothing is sent on bad
 * input), then run the commands inside a CMEE (and, for changes, offline)
 * session.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "at.h"
#include "cmng_check.h"
#include "cmng_parse.h"
#include "device.h"
#include "at_shell.h"
#include "error.h"
#include "handle.h"
#include "util.h"

/* Add hint at the end of the handle's message (cut when it does not fit). */
static void append_hint(mcred_modem *m, const char *hint)
{
	size_t used = strnlen(m->err.message, sizeof(m->err.message) - 1);

	snprintf(m->err.message + used, sizeof(m->err.message) - used, "%s", hint);
}

/* Put "<context>: " in front of the handle's message, keeping code and cme. */
static enum mcred_err add_context(mcred_modem *m, enum mcred_err rc, const char *context)
{
	char *msg = m->err.message;
	size_t size = sizeof(m->err.message);
	size_t ctx_len = strlen(context);
	if (ctx_len + 2 >= size)
		return rc;
	/* shift the old message right; a cut message is still a useful one */
	size_t old_len = strnlen(msg, size - 1);
	if (old_len > size - 1 - ctx_len - 2)
		old_len = size - 1 - ctx_len - 2;
	memmove(msg + ctx_len + 2, msg, old_len);
	memcpy(msg, context, ctx_len);
	msg[ctx_len] = ':';
	msg[ctx_len + 1] = ' ';
	msg[ctx_len + 2 + old_len] = '\0';
	return rc;
}

/* Turn CME 513 into NOT_FOUND, keeping the code visible via mcred_modem_cme. */
static enum mcred_err map_not_found(mcred_modem *m, enum mcred_err rc, uint32_t tag, int type)
{
	if (rc != MCRED_ERR_CME || m->err.cme != 513)
		return rc;
	mcred_fail(m, MCRED_ERR_NOT_FOUND,
		   "tag %" PRIu32 " type %d (%s) does not exist (+CME ERROR: 513)", tag, type,
		   mcred_cmng_type_label(type));
	m->err.cme = 513;
	return MCRED_ERR_NOT_FOUND;
}

/* Run a built command; the reply is the caller's to free. */
static enum mcred_err run(mcred_modem *m, const struct mcred_cmng_cmd *cmd,
			  struct mcred_reply *reply)
{
	return mcred_at_exec(m, cmd->text, cmd->len, cmd->trace, 0, reply);
}

/* ---- list ---------------------------------------------------------------- */

static enum mcred_err list_append(struct mcred_credential_list *list,
				  const struct mcred_cmng_entry *e)
{
	struct mcred_credential *items = realloc(list->items, (list->count + 1) * sizeof(*items));
	if (!items)
		return MCRED_ERR_NOMEM;
	list->items = items;
	struct mcred_credential *c = &items[list->count++];
	memset(c, 0, sizeof(*c));
	c->tag = e->tag;
	c->type = e->type;
	c->has_sha256 = e->has_sha256;
	if (e->has_sha256)
		memcpy(c->sha256, e->sha256, sizeof(c->sha256));
	return MCRED_OK;
}

/*
 * An answer about another credential than the one asked for (cmd_tag and
 * cmd_type as sent, MCRED_ANY_* when not) is a protocol error: a late
 * answer to an earlier command or a confused modem, never to be believed.
 */
static enum mcred_err check_names_asked(mcred_modem *m, const struct mcred_cmng_entry *e,
					int64_t cmd_tag, int cmd_type)
{
	if ((cmd_tag == MCRED_ANY_TAG || e->tag == cmd_tag) &&
	    (cmd_type == MCRED_ANY_TYPE || e->type == cmd_type))
		return MCRED_OK;
	if (cmd_type == MCRED_ANY_TYPE)
		return mcred_fail(m, MCRED_ERR_PROTOCOL,
				  "asked about tag %" PRId64
				  ", the modem answered about tag %" PRIu32
				  " type %d: not believed",
				  cmd_tag, e->tag, e->type);
	return mcred_fail(m, MCRED_ERR_PROTOCOL,
			  "asked about tag %" PRId64 " type %d (%s), the modem answered about "
			  "tag %" PRIu32 " type %d: not believed",
			  cmd_tag, cmd_type, mcred_cmng_type_label(cmd_type), e->tag, e->type);
}

/*
 * Parse every line of a list answer to the command for cmd_tag/cmd_type,
 * keeping those of type (or any).
 */
static enum mcred_err collect_list(mcred_modem *m, const struct mcred_reply *reply, int64_t cmd_tag,
				   int cmd_type, int type, struct mcred_credential_list *list)
{
	for (size_t i = 0; i < reply->lines.count; i++) {
		struct mcred_cmng_entry e;
		const char *line = reply->lines.lines[i];
		if (mcred_cmng_parse_line(line, strlen(line), &e, &m->err) != MCRED_OK)
			return MCRED_ERR_PROTOCOL;
		if (check_names_asked(m, &e, cmd_tag, cmd_type) != MCRED_OK)
			return MCRED_ERR_PROTOCOL;
		/* A list carries digests only: any other quoted value is malformed. */
		if (e.has_content)
			return mcred_fail(m, MCRED_ERR_PROTOCOL,
					  "the modem listed tag %" PRIu32 " type %d with a digest "
					  "that is not 64 hex digits: the answer is malformed",
					  e.tag, e.type);
		if (type != MCRED_ANY_TYPE && e.type != type)
			continue;
		if (list_append(list, &e) != MCRED_OK)
			return mcred_fail(m, MCRED_ERR_NOMEM, "out of memory listing credentials");
	}
	return MCRED_OK;
}

/*
 * List inside a session. AT%CMNG=1 takes a type only after a tag, so a type
 * without a tag lists all and filters here.
 */
static enum mcred_err list_now(mcred_modem *m, int64_t tag, int type,
			       struct mcred_credential_list *list)
{
	struct mcred_cmng_cmd cmd;
	int64_t cmd_tag = tag;
	int cmd_type = tag == MCRED_ANY_TAG ? MCRED_ANY_TYPE : type;
	enum mcred_err rc = mcred_cmng_build_list(cmd_tag, cmd_type, &cmd, &m->err);
	if (rc != MCRED_OK)
		return rc;
	struct mcred_reply reply;
	rc = run(m, &cmd, &reply);
	/* some firmware answers 513 for a tag with nothing in it: an empty list */
	if (rc == MCRED_ERR_CME && m->err.cme == 513)
		rc = mcred_succeed(m);
	if (rc == MCRED_OK)
		rc = collect_list(m, &reply, cmd_tag, cmd_type, type, list);
	mcred_reply_free(&reply);
	mcred_cmng_cmd_free(&cmd);
	return rc == MCRED_OK ? mcred_succeed(m) : rc;
}

void mcred_credential_list_free(struct mcred_credential_list *list)
{
	if (!list)
		return;
	free(list->items);
	free(list);
}

/* Validate list arguments without sending. */
static enum mcred_err check_list_args(mcred_modem *m, int64_t tag, int type)
{
	struct mcred_cmng_cmd cmd;
	enum mcred_err rc = mcred_cmng_build_list(tag, tag == MCRED_ANY_TAG ? MCRED_ANY_TYPE : type,
						  &cmd, &m->err);
	mcred_cmng_cmd_free(&cmd);
	if (rc == MCRED_OK && type != MCRED_ANY_TYPE)
		rc = mcred_cmng_check_known_type(type, &m->err);
	return rc;
}

enum mcred_err mcred_cmng_list(mcred_modem *modem, int64_t tag, int type,
			       struct mcred_credential_list **out)
{
	if (!modem)
		return MCRED_ERR_INVALID_ARG;
	if (!out)
		return mcred_fail(modem, MCRED_ERR_INVALID_ARG, "no place for the list given");
	*out = NULL;
	enum mcred_err rc = check_list_args(modem, tag, type);
	if (rc != MCRED_OK)
		return rc; /* the checks filled modem->err */
	struct mcred_credential_list *list = calloc(1, sizeof(*list));
	if (!list)
		return mcred_fail(modem, MCRED_ERR_NOMEM, "out of memory");
	struct mcred_session session;
	rc = mcred_session_begin(modem, 0, &session);
	if (rc == MCRED_OK)
		rc = list_now(modem, tag, type, list);
	rc = mcred_session_end(modem, &session, rc);
	if (rc != MCRED_OK) {
		mcred_credential_list_free(list);
		return rc;
	}
	*out = list;
	return MCRED_OK;
}

/* The modem's entry for tag+type: 1 found, 0 absent, or an error < 0 via rc. */
static enum mcred_err find_entry(mcred_modem *m, uint32_t tag, int type, int *found,
				 struct mcred_credential *entry)
{
	struct mcred_credential_list list = { 0 };
	*found = 0;
	enum mcred_err rc = list_now(m, tag, type, &list);
	for (size_t i = 0; rc == MCRED_OK && i < list.count && !*found; i++) {
		if (list.items[i].tag == tag && list.items[i].type == type) {
			*entry = list.items[i];
			*found = 1;
		}
	}
	free(list.items);
	return rc;
}

/* ---- write and compare ------------------------------------------------- */

/*
 * A digest that differs is believed only from firmware whose digests can be
 * trusted (mfw 1.3.2 on, as Nordic's installer does); otherwise the check is
 * not made: MCRED_ERR_UNSUPPORTED, saying why. A firmware version that cannot
 * be read counts as trusted: the mismatch stands.
 */
static enum mcred_err mismatch_or_not_checked(mcred_modem *m, uint32_t tag, int type,
					      const char *ours, const char *expected,
					      const char *theirs)
{
	char firmware[64];
	enum mcred_err rc = mcred_firmware_query(m, firmware, sizeof(firmware));
	if (rc == MCRED_ERR_CANCELLED || rc == MCRED_ERR_TIMEOUT || rc == MCRED_ERR_IO)
		return rc;
	if (rc == MCRED_OK && !mcred_fw_digests_trusted(firmware))
		return mcred_fail(m, MCRED_ERR_UNSUPPORTED,
				  "digest of tag %" PRIu32 " type %d (%s) not checked: firmware %s "
				  "is older than mfw 1.3.2, whose digests are not reliable (Nordic's "
				  "tools skip this check there too); %s %s, modem lists %s",
				  tag, type, mcred_cmng_type_label(type), firmware, ours, expected,
				  theirs);
	return mcred_fail(m, MCRED_ERR_MISMATCH,
			  "digest mismatch for tag %" PRIu32 " type %d (%s): %s %s, modem has %s",
			  tag, type, mcred_cmng_type_label(type), ours, expected, theirs);
}

/*
 * The modem's digest for tag+type against expected (upper-case hex), or
 * against alt (another acceptable form, NULL when none); *matched (optional)
 * tells which matched: 1 expected, 2 alt. ours names where expected comes
 * from in a mismatch message ("sent").
 */
static enum mcred_err compare_digest(mcred_modem *m, uint32_t tag, int type, const char *expected,
				     const char *alt, int *matched, const char *ours,
				     const char *after)
{
	int found;
	struct mcred_credential entry;
	enum mcred_err rc = find_entry(m, tag, type, &found, &entry);
	if (rc != MCRED_OK)
		return rc;
	if (!found)
		return mcred_fail(m, MCRED_ERR_NOT_FOUND,
				  "tag %" PRIu32 " type %d (%s) is not in the modem's list%s", tag,
				  type, mcred_cmng_type_label(type), after);
	if (!entry.has_sha256)
		return mcred_fail(m, MCRED_ERR_UNSUPPORTED,
				  "cannot verify tag %" PRIu32 " type %d (%s): this firmware lists "
				  "no digests; read type 0 or 4 back and compare instead",
				  tag, type, mcred_cmng_type_label(type));
	int which = strcmp(entry.sha256, expected) == 0     ? 1
		    : alt && strcmp(entry.sha256, alt) == 0 ? 2
							    : 0;
	if (matched)
		*matched = which;
	if (!which)
		return mismatch_or_not_checked(m, tag, type, ours, expected, entry.sha256);
	return mcred_succeed(m);
}

/*
 * The digest of a write's content as the modem stores it. It is computed
 * while the modem stores the content (the engine's while_waiting hook), for
 * every write, verified or not: then it costs no time, and OpenSSL's first
 * use (about 1 ms of set-up per process) is over before a caller hashes the
 * same content (the CLI prints the digest of what it wrote).
 */
struct stored_digest {
	const struct mcred_options *opts;
	const char *content; /* as sent (see mcred_cmng_build_write) */
	size_t len;
	char hex[65];
	enum mcred_err rc; /* MCRED_ERR_CRYPTO until computed */
	int ran;
	/*
	 * The caller's own while_waiting work (provision.c): it runs after ours,
	 * while the modem stores the content, not during the session's commands.
	 */
	void (*then)(void *user);
	void *then_user;
};

static void compute_stored_digest(void *user)
{
	struct stored_digest *d = user;
	d->ran = 1;
	d->rc = mcred_cmng_stored_digest(d->opts, d->content, d->len, d->hex);
	if (d->then)
		d->then(d->then_user);
}

/* Send a built write; with verify, compare the modem's digest with the content's. */
static enum mcred_err write_now(mcred_modem *m, uint32_t tag, int type,
				const struct mcred_cmng_cmd *cmd, int verify,
				struct stored_digest *d)
{
	struct mcred_reply reply;
	/* set right before the write: no other command comes in between */
	m->while_waiting = compute_stored_digest;
	m->while_waiting_user = d;
	enum mcred_err rc = run(m, cmd, &reply);
	m->while_waiting = NULL; /* not called when the write never went out whole */
	m->last_change = mcred_reply_change(&reply);
	mcred_reply_free(&reply);
	if (rc != MCRED_OK) {
		char context[96];
		snprintf(context, sizeof(context), "writing tag %" PRIu32 " type %d (%s)", tag,
			 type, mcred_cmng_type_label(type));
		/*
		 * Through a shell every line break arrives as CR LF (the shell makes
		 * them), which mfw 2.0.2 refused with 527 for certificates: the
		 * file's own line endings are not the cause there.
		 */
		if (rc == MCRED_ERR_CME && m->err.cme == 527 && mcred_shell_is_on(&m->opts) &&
		    memchr(d->content, '\n', d->len))
			append_hint(m, "; through a shell each line break reaches the modem as "
				       "CR LF, which some firmware (mfw 2.0.2) refuses in "
				       "certificates: write it over the raw AT host instead");
		/* no CR went out: the line endings the 527 advice names are not the cause */
		else if (rc == MCRED_ERR_CME && m->err.cme == 527 &&
			 !memchr(d->content, '\r', d->len))
			append_hint(m, "; the content went with LF line endings only, so the modem "
				       "refused the content itself: check that it is what the type "
				       "takes, in a form the modem parses (for a certificate: "
				       "openssl x509 -noout -text -in FILE)");
		return add_context(m, rc, context);
	}
	if (!verify)
		return MCRED_OK;
	if (d->rc != MCRED_OK)
		return mcred_fail(m, d->rc, "computing the SHA-256 of the content failed");
	rc = compare_digest(m, tag, type, d->hex, NULL, NULL, "sent", " after writing it");
	/*
	 * Through a shell, line breaks went as "\n", which at_shell turns back
	 * into line breaks only when built with CONFIG_AT_SHELL_UNESCAPE_LF:
	 * without, the modem stored the two characters.
	 */
	if (rc == MCRED_ERR_MISMATCH && mcred_shell_is_on(&m->opts) &&
	    !m->opts.shell_no_unescape_lf && memchr(d->content, '\n', d->len))
		append_hint(m, "; a device whose at_shell is built without "
			       "CONFIG_AT_SHELL_UNESCAPE_LF stores each line break as the two "
			       "characters \\n: write it with shell_no_unescape_lf (the CLI's "
			       "--shell-no-unescape-lf)");
	return rc;
}

enum mcred_err mcred_cmng_write(mcred_modem *modem, uint32_t tag, int type, const char *content,
				size_t len, const char *password, unsigned flags)
{
	if (!modem)
		return MCRED_ERR_INVALID_ARG;
	/*
	 * A flag this library does not know comes from a program built against
	 * a newer header: doing the write without what it asks would be
	 * reporting a success it did not ask for (as for a struct's fields).
	 */
	if (flags & ~MCRED_WRITE_VERIFY)
		return mcred_fail(modem, MCRED_ERR_INVALID_ARG,
				  "write flags 0x%x hold bits this libmodemcred %s does not know "
				  "(only MCRED_WRITE_VERIFY, 0x1): install a libmodemcred at least "
				  "as new as the program's header",
				  flags, mcred_version());
	struct mcred_cmng_cmd cmd;
	char *sent = NULL;
	size_t sent_len = 0;
	enum mcred_err rc = mcred_cmng_build_write(tag, type, content, len, password, &modem->opts,
						   &cmd, &sent, &sent_len, &modem->err);
	if (rc != MCRED_OK)
		return rc; /* the checks filled modem->err */
	struct stored_digest digest = { .opts = &modem->opts,
					.content = sent,
					.len = sent_len,
					.rc = MCRED_ERR_CRYPTO,
					.then = modem->while_waiting,
					.then_user = modem->while_waiting_user };
	modem->while_waiting = NULL;
	struct mcred_session session;
	rc = mcred_session_begin(modem, 1, &session);
	if (rc == MCRED_OK)
		rc = write_now(modem, tag, type, &cmd, (flags & MCRED_WRITE_VERIFY) != 0, &digest);
	rc = mcred_session_end(modem, &session, rc);
	if (!digest.ran) { /* the write never went out whole: the caller's work is still to do */
		modem->while_waiting = digest.then;
		modem->while_waiting_user = digest.then_user;
	}
	mcred_secret_free(sent, sent_len + 1);
	mcred_cmng_cmd_free(&cmd);
	return rc;
}

/* Length of content without trailing whitespace, as Python's rstrip() leaves it. */
static size_t rstripped_length(const char *content, size_t len)
{
	while (len > 0 && strchr(" \t\r\n\v\f", content[len - 1]) && content[len - 1] != '\0')
		len--;
	return len;
}

enum mcred_err mcred_cmng_compare_match(mcred_modem *modem, uint32_t tag, int type,
					const char *content, size_t len,
					enum mcred_compare_match *match)
{
	if (!modem)
		return MCRED_ERR_INVALID_ARG;
	if (match)
		*match = MCRED_MATCH_NONE;
	char *prepared = NULL;
	size_t prepared_len = 0;
	enum mcred_err rc = mcred_cmng_check_write_type(type, &modem->err);
	if (rc == MCRED_OK)
		rc = mcred_cmng_prepare_content(type, content, len, modem->opts.keep_line_endings,
						&prepared, &prepared_len, &modem->err);
	if (rc != MCRED_OK)
		return rc; /* the checks filled modem->err */
	char digest[65], trimmed[65];
	size_t trimmed_len = rstripped_length(prepared, prepared_len);
	/* both as the modem stores them (CR LF where a shell unescapes \n) */
	rc = mcred_cmng_stored_digest(&modem->opts, prepared, prepared_len, digest);
	if (rc == MCRED_OK)
		rc = mcred_cmng_stored_digest(&modem->opts, prepared, trimmed_len, trimmed);
	mcred_secret_free(prepared, prepared_len + 1);
	if (rc != MCRED_OK)
		return mcred_fail(modem, rc, "computing the SHA-256 of the content failed");
	/* nrfcredstore stores content rstrip()ped: that form is equal too */
	const char *alt = trimmed_len < prepared_len && trimmed_len > 0 ? trimmed : NULL;
	int matched = 0;
	struct mcred_session session;
	rc = mcred_session_begin(modem, 0, &session);
	if (rc == MCRED_OK)
		rc = compare_digest(modem, tag, type, digest, alt, &matched,
				    "the content given hashes to", "");
	rc = mcred_session_end(modem, &session, rc);
	if (rc == MCRED_OK && match)
		*match = matched == 2 ? MCRED_MATCH_TRIMMED : MCRED_MATCH_EXACT;
	return rc;
}

enum mcred_err mcred_cmng_compare(mcred_modem *modem, uint32_t tag, int type, const char *content,
				  size_t len)
{
	return mcred_cmng_compare_match(modem, tag, type, content, len, NULL);
}

/* ---- read ---------------------------------------------------------------- */

/* What a read asked for, and where its answer goes. */
struct read_args {
	uint32_t tag;
	int type;
	const struct mcred_cmng_cmd *cmd;
	char **content;
	size_t *len;
	char *sha256;
};

/* Content whose digest (given in the same answer) does not match is not believed. */
static enum mcred_err check_read_digest(mcred_modem *m, const struct mcred_cmng_entry *e)
{
	char actual[65];
	if (!e->has_sha256)
		return MCRED_OK;
	if (mcred_sha256_hex(e->content, e->content_len, actual) != MCRED_OK)
		return mcred_fail(m, MCRED_ERR_CRYPTO,
				  "computing the SHA-256 of the content failed");
	if (strcmp(actual, e->sha256) == 0)
		return MCRED_OK;
	return mcred_fail(m, MCRED_ERR_MISMATCH,
			  "tag %" PRIu32 " type %d (%s): the content the modem sent hashes to %s, "
			  "but the modem gave the digest %s in the same answer; the content was "
			  "damaged on the way: read it again",
			  e->tag, e->type, mcred_cmng_type_label(e->type), actual, e->sha256);
}

/* Take content (and digest) from the first %CMNG line of a read answer. */
static enum mcred_err take_read_answer(mcred_modem *m, const struct mcred_reply *reply,
				       struct read_args *a)
{
	struct mcred_cmng_entry e;
	for (size_t i = 0; i < reply->lines.count; i++) {
		const char *line = reply->lines.lines[i];
		if (mcred_cmng_parse_line(line, strlen(line), &e, &m->err) != MCRED_OK)
			return MCRED_ERR_PROTOCOL;
		if (check_names_asked(m, &e, a->tag, a->type) != MCRED_OK)
			return MCRED_ERR_PROTOCOL;
		/* firmware without digests whose content is 64 hex digits */
		if (!e.has_content && e.has_sha256) {
			e.has_content = 1;
			e.content = e.sha_text;
			e.content_len = e.sha_text_len;
			e.has_sha256 = 0;
		}
		if (!e.has_content)
			break;
		if (check_read_digest(m, &e) != MCRED_OK)
			return m->err.code;
		char *copy = malloc(e.content_len + 1);
		if (!copy)
			return mcred_fail(m, MCRED_ERR_NOMEM, "out of memory reading the content");
		memcpy(copy, e.content, e.content_len);
		copy[e.content_len] = '\0';
		*a->content = copy;
		if (a->len)
			*a->len = e.content_len;
		if (a->sha256)
			memcpy(a->sha256, e.has_sha256 ? e.sha256 : "", e.has_sha256 ? 65 : 1);
		return mcred_succeed(m);
	}
	return mcred_fail(m, MCRED_ERR_NOT_FOUND,
			  "tag %" PRIu32 " type %d (%s): the modem returned no content", a->tag,
			  a->type, mcred_cmng_type_label(a->type));
}

static enum mcred_err read_now(mcred_modem *m, struct read_args *a)
{
	struct mcred_reply reply;
	enum mcred_err rc = run(m, a->cmd, &reply);
	rc = map_not_found(m, rc, a->tag, a->type);
	if (rc == MCRED_OK)
		rc = take_read_answer(m, &reply, a);
	mcred_reply_free(&reply);
	return rc;
}

enum mcred_err mcred_cmng_read(mcred_modem *modem, uint32_t tag, int type, char **content,
			       size_t *len, char sha256[65])
{
	if (!modem)
		return MCRED_ERR_INVALID_ARG;
	if (!content)
		return mcred_fail(modem, MCRED_ERR_INVALID_ARG, "no place for the content given");
	*content = NULL;
	if (len)
		*len = 0;
	if (sha256)
		sha256[0] = '\0';
	struct mcred_cmng_cmd cmd;
	enum mcred_err rc = mcred_cmng_build_read(tag, type, &cmd, &modem->err);
	if (rc != MCRED_OK)
		return rc; /* the checks filled modem->err */
	struct read_args a = { tag, type, &cmd, content, len, sha256 };
	struct mcred_session session;
	rc = mcred_session_begin(modem, 0, &session);
	if (rc == MCRED_OK)
		rc = read_now(modem, &a);
	rc = mcred_session_end(modem, &session, rc);
	mcred_cmng_cmd_free(&cmd);
	return rc;
}

/* ---- delete and clear ---------------------------------------------------- */

static enum mcred_err delete_now(mcred_modem *m, uint32_t tag, int type)
{
	struct mcred_cmng_cmd cmd;
	enum mcred_err rc = mcred_cmng_build_delete(tag, type, &cmd, &m->err);
	if (rc != MCRED_OK)
		return rc;
	struct mcred_reply reply;
	rc = run(m, &cmd, &reply);
	m->last_change = mcred_reply_change(&reply);
	mcred_reply_free(&reply);
	mcred_cmng_cmd_free(&cmd);
	rc = map_not_found(m, rc, tag, type);
	if (rc != MCRED_OK && rc != MCRED_ERR_NOT_FOUND) {
		char context[96];
		snprintf(context, sizeof(context), "deleting tag %" PRIu32 " type %d (%s)", tag,
			 type, mcred_cmng_type_label(type));
		add_context(m, rc, context);
	}
	return rc;
}

enum mcred_err mcred_cmng_delete(mcred_modem *modem, uint32_t tag, int type)
{
	if (!modem)
		return MCRED_ERR_INVALID_ARG;
	struct mcred_cmng_cmd cmd;
	enum mcred_err rc = mcred_cmng_build_delete(tag, type, &cmd, &modem->err);
	mcred_cmng_cmd_free(&cmd);
	if (rc != MCRED_OK)
		return rc; /* the checks filled modem->err */
	struct mcred_session session;
	rc = mcred_session_begin(modem, 1, &session);
	if (rc == MCRED_OK)
		rc = delete_now(modem, tag, type);
	return mcred_session_end(modem, &session, rc);
}

static int is_deletable(int type)
{
	return type >= MCRED_TYPE_CA_CERT && type <= MCRED_TYPE_PUBLIC_KEY;
}

/* Delete what tag (MCRED_ANY_TAG: every user tag) holds, counting into *deleted, *skipped. */
static enum mcred_err clear_now(mcred_modem *m, int64_t tag, size_t *deleted, size_t *skipped)
{
	struct mcred_credential_list list = { 0 };
	enum mcred_err rc = list_now(m, tag, MCRED_ANY_TYPE, &list);
	for (size_t i = 0; rc == MCRED_OK && i < list.count; i++) {
		if (tag != MCRED_ANY_TAG && list.items[i].tag != tag)
			continue;
		if (list.items[i].tag > MCRED_TAG_MAX || !is_deletable(list.items[i].type)) {
			(*skipped)++;
			continue;
		}
		rc = delete_now(m, list.items[i].tag, list.items[i].type);
		if (rc == MCRED_OK)
			(*deleted)++;
		else if (rc == MCRED_ERR_NOT_FOUND)
			rc = MCRED_OK; /* gone already: that is what clear wants */
	}
	free(list.items);
	return rc == MCRED_OK ? mcred_succeed(m) : rc;
}

/* Clear one tag, or every user tag with MCRED_ANY_TAG; counts are optional. */
static enum mcred_err clear_tags(mcred_modem *modem, int64_t tag, size_t *deleted, size_t *skipped)
{
	size_t deleted_n = 0, skipped_n = 0;
	struct mcred_session session;
	enum mcred_err rc = mcred_session_begin(modem, 1, &session);
	if (rc == MCRED_OK)
		rc = clear_now(modem, tag, &deleted_n, &skipped_n);
	rc = mcred_session_end(modem, &session, rc);
	if (deleted)
		*deleted = deleted_n;
	if (skipped)
		*skipped = skipped_n;
	return rc;
}

enum mcred_err mcred_cmng_clear(mcred_modem *modem, uint32_t tag, size_t *deleted, size_t *skipped)
{
	if (!modem)
		return MCRED_ERR_INVALID_ARG;
	enum mcred_err rc = mcred_cmng_check_user_tag(tag, "clear", &modem->err);
	if (rc != MCRED_OK) {
		if (deleted)
			*deleted = 0;
		if (skipped)
			*skipped = 0;
		return rc; /* the checks filled modem->err */
	}
	return clear_tags(modem, tag, deleted, skipped);
}

enum mcred_err mcred_cmng_clear_all(mcred_modem *modem, size_t *deleted, size_t *skipped)
{
	if (!modem)
		return MCRED_ERR_INVALID_ARG;
	return clear_tags(modem, MCRED_ANY_TAG, deleted, skipped);
}

/* ---- exists -------------------------------------------------------------- */

static enum mcred_err exists_now(mcred_modem *m, uint32_t tag, int type, int *exists, char *sha256)
{
	struct mcred_credential entry;
	enum mcred_err rc = find_entry(m, tag, type, exists, &entry);
	if (rc == MCRED_OK && *exists && sha256 && entry.has_sha256)
		memcpy(sha256, entry.sha256, 65);
	return rc;
}

enum mcred_err mcred_cmng_exists(mcred_modem *modem, uint32_t tag, int type, int *exists,
				 char sha256[65])
{
	if (!modem)
		return MCRED_ERR_INVALID_ARG;
	if (!exists)
		return mcred_fail(modem, MCRED_ERR_INVALID_ARG, "no place for the answer given");
	*exists = 0;
	if (sha256)
		sha256[0] = '\0';
	enum mcred_err rc = mcred_cmng_check_known_type(type, &modem->err);
	if (rc != MCRED_OK)
		return rc; /* the checks filled modem->err */
	struct mcred_session session;
	rc = mcred_session_begin(modem, 0, &session);
	if (rc == MCRED_OK)
		rc = exists_now(modem, tag, type, exists, sha256);
	return mcred_session_end(modem, &session, rc);
}
