/*
 * Credential commands (%CMNG): list, write, read, delete, clear, exists,
 * compare. Input is validated before the port is opened, so a usage error
 * (exit 2) means nothing was sent to the modem.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "args.h"
#include "cli.h"
#include "files.h"
#include "json.h"

const char cli_help_list[] =
	"Usage: modemcred [-p PORT] list [--tag N] [--type T] [--json]\n"
	"\n"
	"List the credentials stored in the modem: all, those of one tag, or one\n"
	"tag and type. The SHA-256 is the modem's digest of the stored content\n"
	"(\"-\" when the firmware does not report it). Tags above 2147483647 belong\n"
	"to the modem and are marked \"modem-owned\".\n"
	"\n"
	"Options:\n" CLI_HELP_OPTIONS "\n"
	"Output columns: TAG, TYPE, NAME, SHA256.\n"
	"JSON: an array of {tag, type, type_name, sha256}; sha256 is null when absent.\n"
	"\n"
	"Example:\n"
	"  modemcred list --tag 12\n";

const char cli_help_write[] =
	"Usage: modemcred [-p PORT] [--offline] write --tag N --type T [--verify]\n"
	"                 [--password-file F] FILE|-\n"
	"\n"
	"Write a credential (types 0-4: ca, cert, key, psk, psk-id) from FILE, or\n"
	"from standard input with \"-\". The content is checked before anything is\n"
	"sent: printable ASCII, CR/LF/TAB, no '\"', PSK as hex, and the whole command\n"
	"within --max-command; and with OpenSSL against --type: ca and cert PEM\n"
	"certificates only, key one PEM private key (an encrypted one with the\n"
	"--password-file that decrypts it). A file that is something else is\n"
	"refused with exit 2, saying what it holds. Windows line endings become LF\n"
	"unless --keep-line-endings. The modem must be offline: use --offline to\n"
	"have modemcred take it offline and restore its mode afterwards.\n"
	"\n"
	"Options:\n" CLI_HELP_OPTIONS "\n"
	"Prints: wrote <type> to tag <N> (sha256 <digest of the bytes sent>)\n"
	"JSON: {tag, type, type_name, sha256, verified[, not_checked]}; verified is\n"
	"null without --verify or when not checked (not_checked then says why).\n"
	"\n"
	"Example:\n"
	"  modemcred --offline write --tag 12 --type ca --verify ca.pem\n";

const char cli_help_read[] =
	"Usage: modemcred [-p PORT] read --tag N --type T [-o FILE] [--json]\n"
	"\n"
	"Read a credential's content, byte exact, to standard output or FILE.\n"
	"Modems refuse to read private keys and PSKs (types 1, 2, 3 and 10 are\n"
	"not readable on nRF91).\n"
	"\n"
	"Options:\n" CLI_HELP_OPTIONS "\n"
	"JSON: {tag, type, type_name, sha256, content}.\n"
	"\n"
	"Example:\n"
	"  modemcred read --tag 12 --type ca -o ca-from-modem.pem\n";

const char cli_help_delete[] = "Usage: modemcred [-p PORT] [--offline] delete --tag N --type T\n"
			       "\n"
			       "Delete one credential. Exits 6 when it does not exist. Tags above\n"
			       "2147483647 belong to the modem and are never deleted.\n"
			       "\n"
			       "Options:\n" CLI_HELP_OPTIONS "\n"
			       "JSON: {tag, type, type_name, deleted}.\n"
			       "\n"
			       "Example:\n"
			       "  modemcred --offline delete --tag 12 --type ca\n";

const char cli_help_clear[] =
	"Usage: modemcred [-p PORT] [--offline] clear (--tag N | --all) [--yes | --dry-run]\n"
	"\n"
	"Delete every deletable credential of one security tag, or with --all every\n"
	"user credential of every tag (as nrfcredstore's deleteall does, e.g. for\n"
	"rework at the factory), and print how many were deleted and skipped.\n"
	"Tags above 2147483647 belong to the modem and are left alone.\n"
	"\n"
	"Nothing brings a deleted private key back: the modem never reveals one, and\n"
	"a key it generated exists nowhere else. So clear lists what it will delete\n"
	"and asks on the terminal; with no terminal to ask on it refuses (exit 2)\n"
	"unless --yes. --dry-run lists and deletes nothing.\n"
	"\n"
	"Options:\n" CLI_HELP_OPTIONS "\n"
	"JSON: {tag, deleted, skipped, dry_run[, credentials]}; tag is null with\n"
	"--all; credentials (what was or would be deleted: {tag, type, type_name,\n"
	"sha256}) when the tag was listed first (--dry-run, or asked).\n"
	"\n"
	"Examples:\n"
	"  modemcred --offline clear --tag 12\n"
	"  modemcred clear --all --dry-run\n"
	"  modemcred --offline clear --all --yes\n";

const char cli_help_exists[] =
	"Usage: modemcred [-p PORT] exists --tag N --type T [--json]\n"
	"\n"
	"Print \"yes\" and exit 0 when the credential exists, print \"no\" and exit 6\n"
	"when it does not.\n"
	"\n"
	"Options:\n" CLI_HELP_OPTIONS "\n"
	"JSON: {tag, type, type_name, exists, sha256}; sha256 is null when absent.\n"
	"\n"
	"Example:\n"
	"  if modemcred -q exists --tag 12 --type ca; then echo present; fi\n";

const char cli_help_compare[] =
	"Usage: modemcred [-p PORT] compare --tag N --type T FILE|-\n"
	"\n"
	"Compare a stored credential with FILE by SHA-256 digest, after the same\n"
	"line-ending normalisation a write does. Works for unreadable types too\n"
	"(keys, PSKs) when the firmware reports digests. Content stored without\n"
	"the file's final line break (as nrfcredstore writes it) is equal too, and\n"
	"said so. Exit 0 when equal, 5 when different, 6 when the credential does\n"
	"not exist, 7 when the firmware cannot tell: it lists no digests, or the\n"
	"digests differ on firmware older than mfw 1.3.2, whose digests Nordic's\n"
	"tools do not trust either.\n"
	"\n"
	"Options:\n" CLI_HELP_OPTIONS "\n"
	"JSON: {tag, type, type_name, sha256, equal, match, not_checked}; sha256 is\n"
	"the file's digest; match is \"exact\", \"without-final-newline\" or null;\n"
	"equal is null and not_checked says why when the firmware cannot tell.\n"
	"\n"
	"Example:\n"
	"  modemcred compare --tag 12 --type ca ca.pem\n";

/* ---- option helpers -------------------------------------------------------- */

/* --tag: user tags only when writing or deleting, any tag for lookups. */
static int get_tag(const struct cli_ctx *ctx, int any, uint32_t *tag)
{
	struct mcred_error err;
	const char *text = ctx->cl->opt[OPT_TAG];
	int rc;

	memset(&err, 0, sizeof(err));
	rc = any ? cli_parse_any_tag(text, tag, &err) : cli_parse_tag(text, tag, &err);
	return rc == 0 ? 0 : cli_fail(ctx, &err);
}

static int get_type(const struct cli_ctx *ctx, int *type)
{
	struct mcred_error err;

	memset(&err, 0, sizeof(err));
	if (cli_parse_type(ctx->cl->opt[OPT_TYPE], type, &err) != 0)
		return cli_fail(ctx, &err);
	return 0;
}

/* Both --tag and --type; returns 0 or an exit code. */
static int get_tag_type(const struct cli_ctx *ctx, int any, uint32_t *tag, int *type)
{
	int code = get_tag(ctx, any, tag);

	return code ? code : get_type(ctx, type);
}

static const char *type_label(int type)
{
	const char *name = mcred_type_name(type);

	return name ? name : "unknown type";
}

/*
 * SHA-256 of content as a write of this type stores it: what the modem will
 * list. With the modem open, under the options it settled on (--shell auto).
 */
static int digest_as_sent(const struct cli_ctx *ctx, int type, const char *content, size_t len,
			  char sha256[65])
{
	const struct mcred_options *o = ctx->modem ? mcred_modem_options(ctx->modem) : &ctx->opts;
	struct mcred_error err;

	if (mcred_cmng_write_digest(type, content, len, o, sha256, &err) != MCRED_OK)
		return cli_fail(ctx, &err);
	return 0;
}

/* The members tag, type and type_name of the current JSON object. */
static void json_tag_type(struct json *j, uint32_t tag, int type)
{
	json_field_uint(j, "tag", tag);
	json_field_int(j, "type", type);
	json_field_string(j, "type_name", mcred_type_name(type));
}

/* Start a JSON object on stdout with tag, type and type_name. */
static void json_head(struct json *j, uint32_t tag, int type)
{
	json_init(j, stdout);
	json_object_begin(j);
	json_tag_type(j, tag, type);
}

/* ---- list ------------------------------------------------------------------- */

static void list_json(const struct mcred_credential_list *list)
{
	struct json j;
	size_t i;

	json_init(&j, stdout);
	json_array_begin(&j);
	for (i = 0; i < list->count; i++) {
		const struct mcred_credential *c = &list->items[i];

		json_object_begin(&j);
		json_tag_type(&j, c->tag, c->type);
		json_field_string(&j, "sha256", c->has_sha256 ? c->sha256 : NULL);
		json_object_end(&j);
	}
	json_array_end(&j);
}

static void list_table(const struct cli_ctx *ctx, const struct mcred_credential_list *list)
{
	size_t i, shown = 0;

	for (i = 0; i < list->count; i++) {
		const struct mcred_credential *c = &list->items[i];
		const char *name = mcred_type_name(c->type);

		if (shown++ == 0)
			printf("%-10s %-4s %-12s %s\n", "TAG", "TYPE", "NAME", "SHA256");
		printf("%-10lu %-4d %-12s %s%s\n", (unsigned long)c->tag, c->type,
		       name ? name : "?", c->has_sha256 ? c->sha256 : "-",
		       c->tag > MCRED_TAG_MAX ? "  modem-owned" : "");
	}
	if (shown == 0 && !ctx->cl->quiet)
		fprintf(stderr, "no credentials found\n");
}

int cmd_list(struct cli_ctx *ctx)
{
	struct mcred_credential_list *list = NULL;
	int64_t tag = MCRED_ANY_TAG;
	int type = MCRED_ANY_TYPE, code;
	enum mcred_err rc;

	if (ctx->cl->opt[OPT_TAG]) {
		uint32_t t;

		if ((code = get_tag(ctx, 1, &t)) != 0)
			return code;
		tag = t;
	}
	if (ctx->cl->opt[OPT_TYPE] && (code = get_type(ctx, &type)) != 0)
		return code;
	if ((code = cli_open_modem(ctx)) != 0)
		return code;
	rc = mcred_cmng_list(ctx->modem, tag, type, &list);
	if (rc != MCRED_OK) {
		mcred_credential_list_free(list);
		return cli_fail_modem(ctx, rc);
	}
	if (ctx->cl->json)
		list_json(list);
	else
		list_table(ctx, list);
	mcred_credential_list_free(list);
	return CLI_EXIT_OK;
}

/* ---- write --------------------------------------------------------------------- */

/* What was written, for the report. */
struct write_result {
	uint32_t tag;
	int type;
	char sha256[65];   /* digest of the bytes actually sent */
	int verify;        /* --verify given */
	enum mcred_err rc; /* result of the write */
};

static void write_report(const struct cli_ctx *ctx, const struct write_result *w)
{
	int verified = w->verify && w->rc == MCRED_OK;

	if (ctx->cl->json) {
		struct json j;

		json_head(&j, w->tag, w->type);
		json_field_string(&j, "sha256", w->sha256);
		if (!w->verify || w->rc == MCRED_ERR_UNSUPPORTED)
			json_field_null(&j, "verified");
		else
			json_field_bool(&j, "verified", verified);
		if (w->rc == MCRED_ERR_UNSUPPORTED)
			json_field_string(&j, "not_checked",
					  mcred_modem_error(ctx->modem)->message);
		json_object_end(&j);
		return;
	}
	cli_info(ctx, "wrote %s to tag %lu (sha256 %s)", type_label(w->type), (unsigned long)w->tag,
		 w->sha256);
	if (verified)
		cli_info(ctx, "verified: modem digest matches");
}

/* Read the content and the optional password; validate both. 0 or exit code. */
static int write_inputs(const struct cli_ctx *ctx, uint32_t tag, int type, char **content,
			size_t *len, char **password)
{
	struct mcred_error err;

	memset(&err, 0, sizeof(err));
	if (ctx->cl->opt[OPT_PASSWORD_FILE] && strcmp(ctx->cl->opt[OPT_PASSWORD_FILE], "-") == 0 &&
	    strcmp(ctx->cl->args[0], "-") == 0) {
		cli_errorf("--password-file - and the credential - both name standard input; give "
			   "one of them as a file");
		return CLI_EXIT_USAGE;
	}
	if (ctx->cl->opt[OPT_PASSWORD_FILE] &&
	    cli_read_password(ctx->cl->opt[OPT_PASSWORD_FILE], password, &err) != 0)
		return cli_fail(ctx, &err);
	if (cli_read_file(ctx->cl->args[0], "credential file", content, len, &err) != 0)
		return cli_fail(ctx, &err);
	if (mcred_cmng_check_write(tag, type, *content, *len, *password, &ctx->opts, &err) !=
	    MCRED_OK)
		return cli_fail(ctx, &err);
	if (!ctx->cl->opt[OPT_SKIP_CONTENT_CHECK] &&
	    mcred_cmng_check_content(type, *content, *len, *password, &err) != MCRED_OK) {
		int code = cli_fail(ctx, &err);

		if (type == MCRED_TYPE_PRIVATE_KEY && !*password &&
		    (mcred_pem_find(*content, *len) & MCRED_PEM_ENCRYPTED_KEY))
			cli_errorf("give the key's password with --password-file FILE (its first "
				   "line)");
		return code;
	}
	return 0;
}

/*
 * Report a write that was sent. The digest is taken after it: the library
 * hashed the content while the modem stored it, so OpenSSL's set-up is over
 * and never delays the first command.
 */
static int write_outcome(const struct cli_ctx *ctx, struct write_result *w, const char *content,
			 size_t len)
{
	/* A mismatch or a firmware without digests still means it was written. */
	int written = w->rc == MCRED_OK || w->rc == MCRED_ERR_MISMATCH ||
		      w->rc == MCRED_ERR_UNSUPPORTED;
	int code;

	if (written && (code = digest_as_sent(ctx, w->type, content, len, w->sha256)) != 0)
		return code;
	if (written)
		write_report(ctx, w);
	if (w->rc == MCRED_OK)
		return 0;
	code = cli_fail_modem(ctx, w->rc);
	/* written, but the digest check asked for could not be made */
	return w->rc == MCRED_ERR_UNSUPPORTED ? CLI_EXIT_NOT_CHECKED : code;
}

int cmd_write(struct cli_ctx *ctx)
{
	struct write_result w;
	char *content = NULL, *password = NULL;
	size_t len = 0;
	int code;

	memset(&w, 0, sizeof(w));
	w.verify = ctx->cl->opt[OPT_VERIFY] != NULL;
	code = get_tag_type(ctx, 0, &w.tag, &w.type);
	if (!code)
		code = write_inputs(ctx, w.tag, w.type, &content, &len, &password);
	if (!code)
		code = cli_open_modem(ctx);
	if (!code) {
		w.rc = mcred_cmng_write(ctx->modem, w.tag, w.type, content, len, password,
					w.verify ? MCRED_WRITE_VERIFY : 0);
		code = write_outcome(ctx, &w, content, len);
	}
	mcred_secret_free(content, len);
	if (password)
		mcred_secret_free(password, strlen(password));
	return code;
}

/* ---- read ------------------------------------------------------------------------ */

/* content NULL: withheld (it holds a private key); withheld then says why. */
static void read_json(uint32_t tag, int type, const char *sha256, const char *content, size_t len)
{
	struct json j;

	json_head(&j, tag, type);
	json_field_string(&j, "sha256", sha256);
	json_key(&j, "content");
	if (content) {
		json_string_n(&j, content, len);
	} else {
		json_null(&j);
		json_field_string(&j, "withheld", "the content holds a private key");
	}
	json_object_end(&j);
}

/*
 * A readable slot (type 0 or 4) that holds a private key: anyone with the
 * port reads it. Say so, and how to put it right; 1 when it does.
 */
static int warn_key_in_slot(const struct cli_ctx *ctx, uint32_t tag, int type, const char *content,
			    size_t len)
{
	if (!(mcred_pem_find(content, len) & MCRED_PEM_PRIVATE_KEY))
		return 0;
	cli_errorf("warning: tag %lu type %d (%s) holds a private key, which anyone with the port "
		   "can read back: delete it (modemcred --offline delete --tag %lu --type %s) and "
		   "write the key as type 2 (key)%s",
		   (unsigned long)tag, type, type_label(type), (unsigned long)tag, type_label(type),
		   ctx->cl->json ? "; --json leaves the content out (use -o FILE)" : "");
	return 1;
}

int cmd_read(struct cli_ctx *ctx)
{
	const char *out = ctx->cl->opt[OPT_OUTPUT];
	struct mcred_error err;
	char sha256[65] = "", *content = NULL;
	size_t len = 0;
	uint32_t tag;
	int type, code, holds_key;
	enum mcred_err rc;

	if ((code = get_tag_type(ctx, 1, &tag, &type)) != 0)
		return code;
	memset(&err, 0, sizeof(err));
	if (out && cli_check_output(out, &err) != 0)
		return cli_fail(ctx, &err);
	if ((code = cli_open_modem(ctx)) != 0)
		return code;
	rc = mcred_cmng_read(ctx->modem, tag, type, &content, &len, sha256);
	if (rc != MCRED_OK) {
		mcred_secret_free(content, len);
		return cli_fail_modem(ctx, rc);
	}
	if (!sha256[0]) /* older firmware: digest of the bytes as stored */
		mcred_cmng_read_digest(content, len, sha256);
	holds_key = warn_key_in_slot(ctx, tag, type, content, len);
	if (out && cli_write_file(out, content, len, holds_key, &err) != 0) {
		cli_fail(ctx, &err);
		code = CLI_EXIT_FAILURE; /* the modem was asked: not a usage error */
	} else if (ctx->cl->json) {
		read_json(tag, type, sha256, holds_key ? NULL : content, len);
	} else if (out) {
		cli_info(ctx, "read %s from tag %lu (%zu bytes, sha256 %s) into %s",
			 type_label(type), (unsigned long)tag, len, sha256, out);
	} else {
		fwrite(content, 1, len, stdout);
	}
	mcred_secret_free(content, len);
	return code;
}

/* ---- delete, clear ------------------------------------------------------------------ */

int cmd_delete(struct cli_ctx *ctx)
{
	uint32_t tag;
	int type, code;
	enum mcred_err rc;

	if ((code = get_tag_type(ctx, 0, &tag, &type)) != 0)
		return code;
	if ((code = cli_open_modem(ctx)) != 0)
		return code;
	rc = mcred_cmng_delete(ctx->modem, tag, type);
	if (rc != MCRED_OK)
		return cli_fail_modem(ctx, rc);
	if (ctx->cl->json) {
		struct json j;

		json_head(&j, tag, type);
		json_field_bool(&j, "deleted", 1);
		json_object_end(&j);
	}
	cli_info(ctx, "deleted %s from tag %lu", type_label(type), (unsigned long)tag);
	return CLI_EXIT_OK;
}

/*
 * What clear deletes: what the library's clear deletes (lib/cmng.c): user
 * tags, types 0-5; the modem's own tags and types stay.
 */
static int clear_deletes(const struct mcred_credential *c)
{
	return c->tag <= MCRED_TAG_MAX && c->type >= MCRED_TYPE_CA_CERT &&
	       c->type <= MCRED_TYPE_PUBLIC_KEY;
}

/* What a clear is about: one tag, or (all) every user tag. */
struct clear_plan {
	int all;
	uint32_t tag;
	struct mcred_credential_list *list; /* what the tag(s) hold; NULL when not listed */
	size_t deletes, stays;
};

/* List the tag(s) and count what clear would delete. 0 or exit code. */
static int clear_list(struct cli_ctx *ctx, struct clear_plan *p)
{
	enum mcred_err rc = mcred_cmng_list(ctx->modem, p->all ? MCRED_ANY_TAG : (int64_t)p->tag,
					    MCRED_ANY_TYPE, &p->list);
	size_t i;

	if (rc != MCRED_OK)
		return cli_fail_modem(ctx, rc);
	for (i = 0; i < p->list->count; i++) {
		if (clear_deletes(&p->list->items[i]))
			p->deletes++;
		else
			p->stays++;
	}
	return 0;
}

/* One credential the plan deletes, as a line of the list shown before asking. */
static void print_doomed(FILE *f, const struct mcred_credential *c)
{
	fprintf(f, "  tag %-10lu type %d (%s)%s\n", (unsigned long)c->tag, c->type,
		type_label(c->type),
		c->type == MCRED_TYPE_PRIVATE_KEY
			? ": a private key, which cannot be recovered (the modem never reveals it; "
			  "one the modem generated exists nowhere else)"
			: "");
}

static void print_plan(FILE *f, const struct clear_plan *p, const char *verb)
{
	size_t i;

	if (p->all)
		fprintf(f, "clear %s %zu credential%s of every user tag:\n", verb, p->deletes,
			p->deletes == 1 ? "" : "s");
	else
		fprintf(f, "clear %s %zu credential%s of tag %lu:\n", verb, p->deletes,
			p->deletes == 1 ? "" : "s", (unsigned long)p->tag);
	for (i = 0; i < p->list->count; i++)
		if (clear_deletes(&p->list->items[i]))
			print_doomed(f, &p->list->items[i]);
	if (p->stays)
		fprintf(f, "(%zu more belong to the modem and stay)\n", p->stays);
}

/* Ask on the terminal. 0 when confirmed, else the exit code (already reported). */
static int clear_confirm(const struct cli_ctx *ctx, const struct clear_plan *p)
{
	char answer[16];

	print_plan(stderr, p, "will delete");
	fprintf(stderr, "Delete %s? [y/N] ", p->deletes == 1 ? "it" : "them");
	fflush(stderr);
	if (!fgets(answer, sizeof(answer), stdin)) {
		fputc('\n', stderr);
		if (cli_interrupted())
			return cli_fail_modem(ctx, MCRED_ERR_CANCELLED);
		answer[0] = '\0';
	}
	answer[strcspn(answer, "\r\n")] = '\0';
	if (!strcasecmp(answer, "y") || !strcasecmp(answer, "yes"))
		return 0;
	cli_errorf("not confirmed: nothing was deleted");
	return CLI_EXIT_FAILURE;
}

/* {tag, deleted, skipped, dry_run[, credentials]} */
static void clear_json(const struct clear_plan *p, size_t deleted, size_t skipped, int dry_run)
{
	struct json j;
	size_t i;

	json_init(&j, stdout);
	json_object_begin(&j);
	if (p->all)
		json_field_null(&j, "tag");
	else
		json_field_uint(&j, "tag", p->tag);
	json_field_uint(&j, "deleted", deleted);
	json_field_uint(&j, "skipped", skipped);
	json_field_bool(&j, "dry_run", dry_run);
	if (p->list) { /* what was (or would be) deleted */
		json_key(&j, "credentials");
		json_array_begin(&j);
		for (i = 0; i < p->list->count; i++) {
			const struct mcred_credential *c = &p->list->items[i];

			if (!clear_deletes(c))
				continue;
			json_object_begin(&j);
			json_tag_type(&j, c->tag, c->type);
			json_field_string(&j, "sha256", c->has_sha256 ? c->sha256 : NULL);
			json_object_end(&j);
		}
		json_array_end(&j);
	}
	json_object_end(&j);
}

/*
 * Ask before deleting, or know why not: --dry-run and --yes need no
 * terminal; otherwise standard input must be one, checked before the port
 * is opened (exit 2, nothing sent).
 */
static int clear_check_consent(const struct cli_ctx *ctx, int *ask)
{
	*ask = !ctx->cl->opt[OPT_YES] && !ctx->cl->opt[OPT_DRY_RUN];
	if (!*ask || isatty(STDIN_FILENO))
		return 0;
	cli_errorf("clear deletes credentials and asks first, but standard input is no terminal "
		   "to ask on: give --yes to delete without asking, or --dry-run to list what "
		   "would be deleted");
	return CLI_EXIT_USAGE;
}

static int clear_run(struct cli_ctx *ctx, struct clear_plan *p, int ask)
{
	size_t deleted = 0, skipped = 0;
	int dry_run = ctx->cl->opt[OPT_DRY_RUN] != NULL, code;
	enum mcred_err rc;

	if ((code = cli_open_modem(ctx)) != 0)
		return code;
	if ((ask || dry_run) && (code = clear_list(ctx, p)) != 0)
		return code;
	if (dry_run || (ask && p->deletes == 0)) {
		if (ctx->cl->json)
			clear_json(p, 0, p->stays, dry_run);
		else if (p->deletes == 0)
			cli_info(ctx, "nothing to delete");
		else if (!ctx->cl->quiet)
			print_plan(stdout, p, "would delete");
		return CLI_EXIT_OK;
	}
	if (ask && (code = clear_confirm(ctx, p)) != 0)
		return code;
	rc = p->all ? mcred_cmng_clear_all(ctx->modem, &deleted, &skipped)
		    : mcred_cmng_clear(ctx->modem, p->tag, &deleted, &skipped);
	if (rc != MCRED_OK)
		return cli_fail_modem(ctx, rc);
	if (ctx->cl->json)
		clear_json(p, deleted, skipped, 0);
	if (p->all)
		cli_info(ctx, "cleared every user tag: %zu deleted, %zu skipped", deleted, skipped);
	else
		cli_info(ctx, "cleared tag %lu: %zu deleted, %zu skipped", (unsigned long)p->tag,
			 deleted, skipped);
	return CLI_EXIT_OK;
}

int cmd_clear(struct cli_ctx *ctx)
{
	struct clear_plan p;
	int code, ask;

	memset(&p, 0, sizeof(p));
	p.all = ctx->cl->opt[OPT_ALL] != NULL;
	if (!p.all && (code = get_tag(ctx, 0, &p.tag)) != 0)
		return code;
	if ((code = clear_check_consent(ctx, &ask)) != 0)
		return code;
	code = clear_run(ctx, &p, ask);
	mcred_credential_list_free(p.list);
	return code;
}

/* ---- exists, compare ------------------------------------------------------------------- */

int cmd_exists(struct cli_ctx *ctx)
{
	char sha256[65] = "";
	uint32_t tag;
	int type, code, exists = 0;
	enum mcred_err rc;

	if ((code = get_tag_type(ctx, 1, &tag, &type)) != 0)
		return code;
	if ((code = cli_open_modem(ctx)) != 0)
		return code;
	rc = mcred_cmng_exists(ctx->modem, tag, type, &exists, sha256);
	if (rc == MCRED_ERR_NOT_FOUND) { /* tolerate either way of saying "no" */
		rc = MCRED_OK;
		exists = 0;
	}
	if (rc != MCRED_OK)
		return cli_fail_modem(ctx, rc);
	if (ctx->cl->json) {
		struct json j;

		json_head(&j, tag, type);
		json_field_bool(&j, "exists", exists);
		json_field_string(&j, "sha256", exists && sha256[0] ? sha256 : NULL);
		json_object_end(&j);
	} else if (!ctx->cl->quiet) {
		printf("%s\n", exists ? "yes" : "no");
	}
	return exists ? CLI_EXIT_OK : CLI_EXIT_NOT_FOUND;
}

static void compare_json(uint32_t tag, int type, const char *sha256, enum mcred_err rc,
			 enum mcred_compare_match match, const char *why_not)
{
	struct json j;

	json_head(&j, tag, type);
	json_field_string(&j, "sha256", sha256);
	if (rc == MCRED_ERR_UNSUPPORTED)
		json_field_null(&j, "equal");
	else
		json_field_bool(&j, "equal", rc == MCRED_OK);
	json_field_string(&j, "match",
			  match == MCRED_MATCH_EXACT     ? "exact"
			  : match == MCRED_MATCH_TRIMMED ? "without-final-newline"
							 : NULL);
	json_field_string(&j, "not_checked", rc == MCRED_ERR_UNSUPPORTED ? why_not : NULL);
	json_object_end(&j);
}

int cmd_compare(struct cli_ctx *ctx)
{
	enum mcred_compare_match match = MCRED_MATCH_NONE;
	struct mcred_error err;
	char sha256[65] = "", *content = NULL;
	const char *file;
	size_t len = 0;
	uint32_t tag;
	int type, code;
	enum mcred_err rc;

	if ((code = get_tag_type(ctx, 1, &tag, &type)) != 0)
		return code;
	memset(&err, 0, sizeof(err));
	if (cli_read_file(ctx->cl->args[0], "credential file", &content, &len, &err) != 0)
		return cli_fail(ctx, &err);
	file = strcmp(ctx->cl->args[0], "-") ? ctx->cl->args[0] : "standard input";
	/* Checked before the port is opened; the digest again under the mode found. */
	code = digest_as_sent(ctx, type, content, len, sha256);
	if (!code)
		code = cli_open_modem(ctx);
	if (!code)
		code = digest_as_sent(ctx, type, content, len, sha256);
	if (!code) {
		rc = mcred_cmng_compare_match(ctx->modem, tag, type, content, len, &match);
		if (ctx->cl->json &&
		    (rc == MCRED_OK || rc == MCRED_ERR_MISMATCH || rc == MCRED_ERR_UNSUPPORTED))
			compare_json(tag, type, sha256, rc, match,
				     mcred_modem_error(ctx->modem)->message);
		if (rc == MCRED_OK && match == MCRED_MATCH_TRIMMED)
			cli_info(ctx,
				 "equal: the %s in tag %lu matches %s without its final line "
				 "break (as nrfcredstore writes it)",
				 type_label(type), (unsigned long)tag, file);
		else if (rc == MCRED_OK)
			cli_info(ctx, "equal: the %s in tag %lu matches %s (sha256 %s)",
				 type_label(type), (unsigned long)tag, file, sha256);
		else
			code = cli_fail_modem(ctx, rc);
		/* "cannot tell" is neither equal nor different */
		if (rc == MCRED_ERR_UNSUPPORTED)
			code = CLI_EXIT_NOT_CHECKED;
	}
	mcred_secret_free(content, len);
	return code;
}
