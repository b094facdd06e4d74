/*
 * On-device keys and attestation: keygen, attest, verify. The library does
 * the decoding and every cryptographic check; this file chooses what to ask,
 * prints each check on its own line (or one JSON object) and maps "a check
 * that was performed failed" to exit 5.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "cli.h"
#include "files.h"
#include "json.h"

const char cli_help_keygen[] =
	"Usage: modemcred [-p PORT] [--offline] keygen --tag N [--kind csr|pubkey|endorsement]\n"
	"                 [--attributes 'CN=...,O=...'] [--key-usage 101010000]\n"
	"                 [-o FILE] [--format pem|der] [--identity-key FILE] [--force]\n"
	"\n"
	"Generate a private key inside the modem (%KEYGEN; it never leaves the\n"
	"modem), receive a CSR or the public key, and verify what came back: the\n"
	"CSR self-signature, its subject (exactly the attributes asked for, in\n"
	"their order; without --attributes CN=<device UUID>), the digest and\n"
	"sec_tag in the COSE payload, and the COSE signature when the device\n"
	"identity public key is given. The modem must be offline (use --offline).\n"
	"Needs modem firmware 1.3.0 or later.\n"
	"\n"
	"Options:\n" CLI_HELP_OPTIONS "\n"
	"Nothing is written to FILE when a check fails (exit 5); the modem's answer\n"
	"is then printed on standard error for `modemcred verify`.\n"
	"JSON: {kind, device_uuid, sec_tag, payload_id, digest, csr_signature,\n"
	"cose_signature, subject, public_key_pem, ...}; the CSR is in csr_pem.\n"
	"\n"
	"Example:\n"
	"  modemcred --offline keygen --tag 16842753 --attributes 'CN=device-42' -o dev.csr\n"
	"  openssl req -in dev.csr -verify -noout\n";

const char cli_help_attest[] =
	"Usage: modemcred [-p PORT] attest [--challenge HEX] [--identity-key FILE]\n"
	"\n"
	"Ask the modem for an attestation token (%ATTESTTOKEN) and verify it: print\n"
	"the message type, device UUID, device type and firmware UUID, and check\n"
	"the COSE signature when the device identity public key is given.\n"
	"\n"
	"Options:\n" CLI_HELP_OPTIONS "\n"
	"JSON: {kind: \"attestation\", device_uuid, payload_id (the message type),\n"
	"device_type, device_type_name, fw_uuid, cose_signature, ...}.\n"
	"\n"
	"Example:\n"
	"  modemcred attest --challenge $(openssl rand -hex 16)\n";

const char cli_help_verify[] =
	"Usage: modemcred verify (--keygen STRING | --attest STRING | FILE|-)\n"
	"                 [--tag N] [--attributes 'CN=...,O=...'] [--identity-key FILE]\n"
	"\n"
	"Verify a %KEYGEN or %ATTESTTOKEN answer without a modem (no port is\n"
	"opened). FILE may hold the whole answer line (`%KEYGEN: \"...\"`) or only\n"
	"the blob; the first answer in a file (%KEYGEN or %ATTESTTOKEN) is the one\n"
	"checked, and a bare blob is tried as a KEYGEN answer first. With\n"
	"--attributes, a CSR's subject must be exactly what %KEYGEN was asked for\n"
	"(for a %KEYGEN without attributes: CN=<the device UUID>).\n"
	"\n"
	"Options:\n" CLI_HELP_OPTIONS "\n"
	"Exit 0 when every performed check passed, 5 when one failed, 2 when the\n"
	"input cannot be decoded.\n"
	"\n"
	"Example:\n"
	"  modemcred verify --tag 11 --identity-key identity.pem keygen-answer.txt\n";

/* ---- identity key ---------------------------------------------------------- */

/* The --identity-key file, as PEM text or a raw 65-byte point. */
struct identity_key {
	const char *path;
	char *data;
	size_t len;
};

/* Load --identity-key (if given) and point vo at it. 0 or an exit code. */
static int load_identity_key(const struct cli_ctx *ctx, struct identity_key *key,
			     struct mcred_verify_options *vo)
{
	struct mcred_error err;

	memset(key, 0, sizeof(*key));
	key->path = ctx->cl->opt[OPT_IDENTITY_KEY];
	if (!key->path)
		return 0;
	if (strcmp(key->path, "-") == 0 && ctx->cl->nargs > 0 &&
	    strcmp(ctx->cl->args[0], "-") == 0) {
		cli_errorf("--identity-key - and the input - both name standard input; give one of "
			   "them as a file");
		return CLI_EXIT_USAGE;
	}
	memset(&err, 0, sizeof(err));
	if (cli_read_file(key->path, "identity key file", &key->data, &key->len, &err) != 0)
		return cli_fail(ctx, &err);
	if (mcred_identity_key_parse(key->data, key->len, vo, &err) != MCRED_OK) {
		cli_errorf("identity key file %s: %s", key->path, err.message);
		mcred_secret_free(key->data, key->len);
		key->data = NULL;
		return CLI_EXIT_USAGE;
	}
	return 0;
}

static void free_identity_key(struct identity_key *key)
{
	mcred_secret_free(key->data, key->len);
}

/* ---- report output -------------------------------------------------------------- */

/* "match"/"mismatch"/null, as the JSON contract names the digest result. */
static const char *digest_word(enum mcred_check c)
{
	if (c == MCRED_CHECK_VALID)
		return "match";
	return c == MCRED_CHECK_INVALID ? "mismatch" : NULL;
}

static const char *check_or_null(enum mcred_check c)
{
	return c == MCRED_CHECK_NOT_CHECKED ? NULL : mcred_check_name(c);
}

/* One JSON object for keygen, attest and verify, at j's place. blob and output may be NULL. */
static void report_object(struct json *j, const mcred_report *r, const char *blob,
			  const char *output)
{
	enum mcred_report_kind kind = mcred_report_kind(r);
	uint32_t tag;

	json_object_begin(j);
	json_field_string(j, "kind", mcred_report_kind_name(r));
	json_field_string(j, "device_uuid", mcred_report_device_uuid(r));
	if (mcred_report_sec_tag(r, &tag))
		json_field_uint(j, "sec_tag", tag);
	else
		json_field_null(j, "sec_tag");
	json_field_int(j, "payload_id", mcred_report_payload_id(r));
	json_field_string(j, "digest", digest_word(mcred_report_digest_check(r)));
	json_field_string(j, "csr_signature", check_or_null(mcred_report_csr_signature_check(r)));
	json_field_string(j, "cose_signature",
			  mcred_check_name(mcred_report_cose_signature_check(r)));
	json_field_string(j, "subject", mcred_report_subject(r));
	json_field_string(j, "public_key_pem", mcred_report_public_key_pem(r));
	/* Extras beyond the documented contract. */
	json_field_string(j, "sec_tag_check", mcred_check_name(mcred_report_sec_tag_check(r)));
	json_field_string(j, "payload_id_check",
			  mcred_check_name(mcred_report_payload_id_check(r)));
	if (kind == MCRED_REPORT_CSR)
		json_field_string(j, "subject_check",
				  mcred_check_name(mcred_report_subject_check(r)));
	json_field_string(j, "key_usage", mcred_report_key_usage(r));
	json_field_int(j, "kid", mcred_report_kid(r));
	if (kind == MCRED_REPORT_CSR)
		json_field_string(j, "csr_pem", mcred_report_csr_pem(r));
	if (kind == MCRED_REPORT_ATTESTATION) {
		json_field_int(j, "device_type", mcred_report_device_type(r));
		json_field_string(j, "device_type_name", mcred_report_device_type_name(r));
		json_field_string(j, "fw_uuid", mcred_report_fw_uuid(r));
		json_field_string(j, "nonce_check", mcred_check_name(mcred_report_nonce_check(r)));
	}
	json_field_bool(j, "ok", mcred_report_ok(r));
	json_field_string(j, "problem", mcred_report_problem(r));
	if (blob)
		json_field_string(j, "blob", blob);
	if (output)
		json_field_string(j, "output", output);
	json_object_end(j);
}

/* The report as a document of its own on stdout. */
static void report_json(const mcred_report *r, const char *blob, const char *output)
{
	struct json j;

	json_init(&j, stdout);
	report_object(&j, r, blob, output);
}

/* Why a check was not performed, for the human report. */
struct report_context {
	const char *identity_key_path; /* NULL: no --identity-key */
	int tag_expected;              /* a sec_tag was asked for */
	int subject_expected;          /* verify --attributes (keygen checks every CSR's) */
};

static void print_check(FILE *f, const char *label, enum mcred_check c, const char *why_not)
{
	if (c == MCRED_CHECK_NOT_CHECKED)
		fprintf(f, "%s: not checked (%s)\n", label, why_not);
	else
		fprintf(f, "%s: %s\n", label, c == MCRED_CHECK_VALID ? "valid" : "INVALID");
}

static void print_attestation(FILE *f, const mcred_report *r)
{
	const char *fw = mcred_report_fw_uuid(r), *dt = mcred_report_device_type_name(r);

	fprintf(f, "message type: %d (%s)\n", mcred_report_payload_id(r),
		mcred_report_payload_name(r));
	fprintf(f, "device UUID: %s\n", mcred_report_device_uuid(r));
	fprintf(f, "device type: %d (%s)\n", mcred_report_device_type(r), dt ? dt : "unknown");
	fprintf(f, "firmware UUID: %s\n", fw ? fw : "-");
}

static void print_keygen(FILE *f, const mcred_report *r, const struct report_context *rc)
{
	enum mcred_report_kind kind = mcred_report_kind(r);
	const char *subject = mcred_report_subject(r), *usage = mcred_report_key_usage(r);
	enum mcred_check digest = mcred_report_digest_check(r);
	uint32_t tag;

	fprintf(f, "kind: %s\n", mcred_report_kind_name(r));
	fprintf(f, "device UUID: %s\n", mcred_report_device_uuid(r));
	if (mcred_report_sec_tag(r, &tag))
		fprintf(f, "sec_tag: %lu\n", (unsigned long)tag);
	fprintf(f, "payload id: %d (%s)\n", mcred_report_payload_id(r),
		mcred_report_payload_name(r));
	if (subject)
		fprintf(f, "subject: %s\n", subject);
	if (usage)
		fprintf(f, "key usage: %s\n", usage);
	print_check(f, "payload id check", mcred_report_payload_id_check(r), "nothing expected");
	print_check(f, "sec_tag check", mcred_report_sec_tag_check(r),
		    rc->tag_expected ? "no sec_tag in the payload" : "no --tag given");
	fprintf(f, "digest: %s\n",
		digest == MCRED_CHECK_VALID     ? "match"
		: digest == MCRED_CHECK_INVALID ? "MISMATCH"
						: "not checked");
	if (kind == MCRED_REPORT_CSR)
		print_check(f, "CSR signature", mcred_report_csr_signature_check(r), "no CSR");
	if (kind == MCRED_REPORT_CSR || rc->subject_expected)
		print_check(f, "subject check", mcred_report_subject_check(r),
			    !rc->subject_expected      ? "no --attributes given"
			    : kind == MCRED_REPORT_CSR ? "the body does not parse as a CSR"
						       : "the body is a public key, not a CSR");
}

static void report_text(FILE *f, const mcred_report *r, const struct report_context *rc)
{
	enum mcred_check cose = mcred_report_cose_signature_check(r);

	if (mcred_report_kind(r) == MCRED_REPORT_ATTESTATION) {
		print_attestation(f, r);
		print_check(f, "nonce", mcred_report_nonce_check(r), "no --challenge given");
		/* --tag was asked for: say it could not be checked, never stay silent. */
		if (rc->tag_expected)
			print_check(f, "sec_tag check", mcred_report_sec_tag_check(r),
				    "an attestation token carries no sec_tag");
		if (rc->subject_expected)
			print_check(f, "subject check", mcred_report_subject_check(r),
				    "an attestation token carries no CSR");
	} else {
		print_keygen(f, r, rc);
	}
	if (cose == MCRED_CHECK_VALID)
		fprintf(f, "COSE signature: valid (identity key %s)\n", rc->identity_key_path);
	else
		print_check(f, "COSE signature", cose, "no --identity-key given");
	if (mcred_report_ok(r))
		fprintf(f, "result: every performed check passed\n");
	else
		fprintf(f, "result: FAILED: %s\n",
			mcred_report_problem(r) ? mcred_report_problem(r) : "a check failed");
}

/* Print the report as asked (JSON, text to f, nothing if quiet); exit code by outcome. */
static int finish_report(const struct cli_ctx *ctx, FILE *f, const mcred_report *r,
			 const struct report_context *rc, const char *blob, const char *output)
{
	if (ctx->cl->json)
		report_json(r, blob, output);
	else if (!ctx->cl->quiet)
		report_text(f, r, rc);
	if (mcred_report_ok(r))
		return CLI_EXIT_OK;
	if (ctx->cl->quiet || ctx->cl->json)
		cli_errorf("verification failed: %s",
			   mcred_report_problem(r) ? mcred_report_problem(r) : "a check failed");
	return CLI_EXIT_VERIFY;
}

/* ---- keygen ------------------------------------------------------------------------ */

struct keygen_args {
	struct mcred_keygen_request req;
	int der;
	const char *output;
	int force;
};

/* Options into a request, validated without the modem. 0 or exit code. */
static int keygen_args(const struct cli_ctx *ctx, struct keygen_args *a)
{
	const struct cli_cmdline *cl = ctx->cl;
	struct mcred_error err;

	memset(a, 0, sizeof(*a));
	memset(&err, 0, sizeof(err));
	mcred_keygen_request_init(&a->req);
	a->req.kind = MCRED_KEYGEN_CSR;
	a->req.attributes = cl->opt[OPT_ATTRIBUTES];
	a->req.key_usage = cl->opt[OPT_KEY_USAGE];
	/* "-o -" is standard output, where the result goes without -o: the same thing */
	a->output = cl->opt[OPT_OUTPUT] && strcmp(cl->opt[OPT_OUTPUT], "-") != 0
			    ? cl->opt[OPT_OUTPUT]
			    : NULL;
	a->force = cl->opt[OPT_FORCE] != NULL;
	if (cli_parse_tag(cl->opt[OPT_TAG], &a->req.tag, &err) != 0 ||
	    (cl->opt[OPT_KIND] && cli_parse_keygen_kind(cl->opt[OPT_KIND], &a->req.kind, &err)) ||
	    (cl->opt[OPT_FORMAT] && cli_parse_format(cl->opt[OPT_FORMAT], &a->der, &err)) ||
	    mcred_keygen_check(&a->req, &err) != MCRED_OK)
		return cli_fail(ctx, &err);
	if (a->der && cl->json && !a->output) {
		cli_errorf("--format der with --json needs -o FILE (JSON carries PEM only)");
		return CLI_EXIT_USAGE;
	}
	/* Find out now, not after the modem generated a key. */
	if (a->output && cli_check_output(a->output, &err) != 0)
		return cli_fail(ctx, &err);
	if (a->der && cli_check_binary_output(a->output ? a->output : "-", &err) != 0)
		return cli_fail(ctx, &err);
	return 0;
}

/* Refuse to touch a tag that already holds such a key, unless --force. */
static int keygen_guard(struct cli_ctx *ctx, const struct keygen_args *a)
{
	int type = mcred_keygen_kind_cred_type(a->req.kind);
	int exists = 0;
	enum mcred_err rc;

	if (a->force)
		return 0;
	rc = mcred_cmng_exists(ctx->modem, a->req.tag, type, &exists, NULL);
	if (rc == MCRED_ERR_NOT_FOUND)
		return 0;
	if (rc != MCRED_OK)
		return cli_fail_modem(ctx, rc);
	if (!exists)
		return 0;
	if (type == MCRED_TYPE_PRIVATE_KEY)
		cli_errorf("tag %lu already holds a private key (type 2); --force replaces it with "
			   "a new key",
			   (unsigned long)a->req.tag);
	else
		cli_errorf("tag %lu already holds an endorsement key (type 8); --force goes ahead "
			   "(the modem then answers with that existing key)",
			   (unsigned long)a->req.tag);
	return CLI_EXIT_FAILURE;
}

/* Write the CSR or public key in the chosen format. 0 or exit code. */
static int keygen_output(const struct cli_ctx *ctx, const struct keygen_args *a,
			 const mcred_report *r)
{
	const char *path = a->output ? a->output : "-";
	struct mcred_error err;
	const void *data;
	size_t len = 0;

	if (ctx->cl->json && !a->output)
		return 0; /* the PEM is inside the JSON */
	if (a->der) {
		data = mcred_report_body(r, &len);
	} else {
		data = mcred_report_kind(r) == MCRED_REPORT_CSR ? mcred_report_csr_pem(r)
								: mcred_report_public_key_pem(r);
		len = data ? strlen(data) : 0;
	}
	if (!data || len == 0) {
		cli_errorf("the modem's answer holds no %s to write", a->der ? "DER body" : "PEM");
		return CLI_EXIT_FAILURE;
	}
	memset(&err, 0, sizeof(err));
	if (cli_write_file(path, data, len, 0, &err) != 0) {
		cli_fail(ctx, &err);
		if (strcmp(path, "-") == 0)
			cli_output_lost(); /* a closed pipe: the exit status says so */
		return CLI_EXIT_FAILURE;   /* the key exists now: not a usage error */
	}
	return 0;
}

/*
 * The modem said OK but its answer cannot be decoded (empty, garbage, cut
 * off): a protocol error, exit 3. The answer goes to stderr as it came, for
 * `modemcred verify` later (it holds no secret).
 */
static int answer_undecodable(const struct cli_ctx *ctx, const struct mcred_error *err,
			      const char *what, const char *blob)
{
	int code = CLI_EXIT_PORT;

	if (err->code == MCRED_ERR_DECODE || err->code == MCRED_ERR_INVALID_ARG)
		cli_errorf("the modem's %s answer cannot be decoded: %s", what, err->message);
	else
		code = cli_fail(ctx, err);
	fprintf(stderr, "the modem answered: \"%s\"\n", blob);
	return code;
}

/* What the error object of an interrupted keygen holds as its result. */
struct keygen_result {
	const mcred_report *r;
	const char *blob;   /* when the check failed, as in finish_report */
	const char *output; /* -o FILE, or NULL */
};

static void print_keygen_result(struct json *j, const void *user)
{
	const struct keygen_result *k = user;

	report_object(j, k->r, k->blob, k->output);
}

/* "the modem generated the key, and its CSR was verified and saved to FILE". */
static const char *saved_words(const struct cli_ctx *ctx, const struct keygen_args *a,
			       const mcred_report *r, char *buf, size_t size)
{
	const char *what = mcred_report_kind(r) == MCRED_REPORT_CSR ? "CSR" : "public key";

	if (a->output)
		snprintf(buf, size,
			 "the modem generated the key, and its %s was verified and saved "
			 "to %s",
			 what, a->output);
	else if (ctx->cl->json)
		snprintf(buf, size,
			 "the modem generated the key, and its %s was verified: it is in "
			 "the result",
			 what);
	else
		snprintf(buf, size,
			 "the modem generated the key, and its %s was verified and printed "
			 "on standard output",
			 what);
	return buf;
}

/*
 * Decode and check the blob, then print and write. Returns the exit code.
 * interrupted: the run was interrupted while the modem generated the key;
 * the answer is handled as usual all the same (a key never stays without
 * its CSR saved), then the interruption is reported, with --json as the
 * error object holding the report as its result.
 */
static int keygen_finish(struct cli_ctx *ctx, const struct keygen_args *a, const char *blob,
			 struct mcred_verify_options *vo, const struct identity_key *key,
			 int interrupted)
{
	struct report_context rc = { key->path, 1, a->req.kind == MCRED_KEYGEN_CSR };
	struct keygen_result result = { NULL, NULL, a->output };
	struct mcred_error err;
	mcred_report *r = NULL;
	/* Without -o the PEM goes to stdout, so the report goes to stderr. */
	FILE *f = a->output ? stdout : stderr;
	/* interrupted with --json: the report goes into the error object */
	int report_now = !(interrupted && ctx->cl->json);
	char words[512];
	const char *done;
	int code;

	vo->expected_tag = a->req.tag;
	vo->expected_payload_id = mcred_keygen_kind_payload_id(a->req.kind);
	/* the CSR names what was asked: these attributes, or the modem's CN=<device UUID> */
	vo->check_subject = a->req.kind == MCRED_KEYGEN_CSR;
	vo->expected_attributes = a->req.attributes;
	memset(&err, 0, sizeof(err));
	if (mcred_keygen_verify(blob, strlen(blob), vo, &r, &err) != MCRED_OK) {
		code = answer_undecodable(ctx, &err, "%KEYGEN", blob);
		done = "the modem generated the key, but its answer (above) cannot be decoded";
	} else if (mcred_report_ok(r)) {
		code = keygen_output(ctx, a, r);
		done = saved_words(ctx, a, r, words, sizeof(words));
		if (code == 0 && report_now)
			code = finish_report(ctx, f, r, &rc, blob, a->output);
		if (code != 0) {
			fprintf(stderr,
				"the key was generated in tag %lu; `modemcred --json verify` "
				"on the modem's answer gives it as %s: %s\n",
				(unsigned long)a->req.tag,
				mcred_report_kind(r) == MCRED_REPORT_CSR ? "csr_pem"
									 : "public_key_pem",
				blob);
			done = "the modem generated the key; its answer (above) could not be saved";
		}
	} else {
		code = report_now ? finish_report(ctx, f, r, &rc, blob, NULL) : CLI_EXIT_VERIFY;
		fprintf(stderr, "nothing written; the modem answered: %s\n", blob);
		result.blob = blob;
		result.output = NULL;
		done = "the modem generated the key, but its answer failed a check (above): nothing "
		       "was written";
	}
	if (interrupted) {
		result.r = r;
		code = cli_fail_interrupted(ctx, done, r ? print_keygen_result : NULL, &result);
	}
	mcred_report_free(r);
	return code;
}

int cmd_keygen(struct cli_ctx *ctx)
{
	struct mcred_verify_options vo;
	struct identity_key key;
	struct keygen_args a;
	char *blob = NULL;
	enum mcred_err rc;
	int code;

	mcred_verify_options_init(&vo);
	if ((code = keygen_args(ctx, &a)) != 0)
		return code;
	if ((code = load_identity_key(ctx, &key, &vo)) != 0)
		return code;
	code = cli_open_modem(ctx);
	/* What this modem's mode refuses (shell: a '), before the guard's list. */
	if (!code && mcred_keygen_check_modem(ctx->modem, &a.req) != MCRED_OK)
		code = cli_fail_modem(ctx, mcred_modem_error(ctx->modem)->code);
	if (!code)
		code = keygen_guard(ctx, &a);
	if (!code) {
		rc = mcred_keygen_run(ctx->modem, &a.req, &blob);
		/* interrupted once the key existed: its answer came all the same */
		if (rc == MCRED_OK || (rc == MCRED_ERR_CANCELLED && blob))
			code = keygen_finish(ctx, &a, blob, &vo, &key, rc != MCRED_OK);
		else
			code = cli_fail_modem(ctx, rc);
		/* unanswered is not undone: the modem may have made the key all the same */
		if (rc == MCRED_ERR_TIMEOUT)
			cli_errorf("the modem may still have generated a key in tag %lu without its "
				   "%s reaching here: `modemcred list --tag %lu` shows it; keygen "
				   "--force replaces it",
				   (unsigned long)a.req.tag,
				   a.req.kind == MCRED_KEYGEN_CSR ? "CSR" : "public key",
				   (unsigned long)a.req.tag);
	}
	free(blob);
	free_identity_key(&key);
	return code;
}

/* ---- attest ---------------------------------------------------------------------------- */

/* The value of a hex digit (mcred_attest_challenge_check() accepted it). */
static int hex_digit(char c)
{
	return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

int cmd_attest(struct cli_ctx *ctx)
{
	const char *challenge = ctx->cl->opt[OPT_CHALLENGE];
	struct report_context rctx = { NULL, 0, 0 };
	struct mcred_verify_options vo;
	uint8_t nonce[16];
	struct identity_key key;
	struct mcred_error err;
	mcred_report *r = NULL;
	char *blob = NULL;
	enum mcred_err rc;
	int code;

	memset(&err, 0, sizeof(err));
	mcred_verify_options_init(&vo);
	if (mcred_attest_challenge_check(challenge, &err) != MCRED_OK)
		return cli_fail(ctx, &err);
	/* the token must answer this challenge: its nonce is the challenge's 16 bytes */
	if (challenge) {
		for (size_t i = 0; i < sizeof(nonce); i++)
			nonce[i] = (uint8_t)(hex_digit(challenge[2 * i]) << 4 |
					     hex_digit(challenge[2 * i + 1]));
		vo.expected_nonce = nonce;
	}
	if ((code = load_identity_key(ctx, &key, &vo)) != 0)
		return code;
	rctx.identity_key_path = key.path;
	code = cli_open_modem(ctx);
	if (!code) {
		rc = mcred_attest_run(ctx->modem, challenge, &blob);
		if (rc != MCRED_OK)
			code = cli_fail_modem(ctx, rc);
		else if (mcred_attest_verify(blob, strlen(blob), &vo, &r, &err) != MCRED_OK)
			code = answer_undecodable(ctx, &err, "%ATTESTTOKEN", blob);
		else
			code = finish_report(ctx, stdout, r, &rctx, blob, NULL);
	}
	mcred_report_free(r);
	free(blob);
	free_identity_key(&key);
	return code;
}

/* ---- verify ------------------------------------------------------------------------------ */

/* The text to verify: --keygen/--attest STRING or FILE. 0 or exit code. */
static int verify_input(const struct cli_ctx *ctx, char **text, size_t *len,
			enum mcred_answer_kind *forced)
{
	const struct cli_cmdline *cl = ctx->cl;
	const char *given = cl->opt[OPT_KEYGEN_STRING] ? cl->opt[OPT_KEYGEN_STRING]
						       : cl->opt[OPT_ATTEST_STRING];
	struct mcred_error err;
	int sources = (cl->opt[OPT_KEYGEN_STRING] != NULL) + (cl->opt[OPT_ATTEST_STRING] != NULL) +
		      (cl->nargs > 0);

	if (sources != 1) {
		cli_errorf("verify needs exactly one of --keygen STRING, --attest STRING or FILE; "
			   "run `modemcred verify --help`");
		return CLI_EXIT_USAGE;
	}
	*forced = cl->opt[OPT_KEYGEN_STRING]   ? MCRED_ANSWER_KEYGEN
		  : cl->opt[OPT_ATTEST_STRING] ? MCRED_ANSWER_ATTEST
					       : MCRED_ANSWER_NONE;
	if (given) {
		*len = strlen(given);
		*text = malloc(*len + 1);
		if (!*text)
			return CLI_EXIT_FAILURE;
		memcpy(*text, given, *len + 1);
		return 0;
	}
	memset(&err, 0, sizeof(err));
	if (cli_read_file(cl->args[0], "input file", text, len, &err) != 0)
		return cli_fail(ctx, &err);
	return 0;
}

/* Decode as the kind says; an unmarked blob is tried as KEYGEN, then ATTESTTOKEN. */
static enum mcred_err verify_blob(enum mcred_answer_kind kind, const char *blob, size_t len,
				  const struct mcred_verify_options *vo, mcred_report **r,
				  struct mcred_error *err)
{
	struct mcred_error second;
	enum mcred_err rc;

	if (kind == MCRED_ANSWER_ATTEST)
		return mcred_attest_verify(blob, len, vo, r, err);
	rc = mcred_keygen_verify(blob, len, vo, r, err);
	if (rc != MCRED_ERR_DECODE || kind == MCRED_ANSWER_KEYGEN)
		return rc;
	memset(&second, 0, sizeof(second));
	if (mcred_attest_verify(blob, len, vo, r, &second) == MCRED_OK)
		return MCRED_OK;
	return rc; /* report why it is not a KEYGEN answer, the likelier intent */
}

/*
 * --attributes: the subject %KEYGEN was asked for, checked as keygen checks
 * it (before the input is read). 0 or exit code.
 */
static int verify_attributes(const char *attributes, struct mcred_verify_options *vo)
{
	struct mcred_keygen_request req;
	struct mcred_error err;

	memset(&err, 0, sizeof(err));
	mcred_keygen_request_init(&req);
	req.tag = 1; /* any: only the attributes are checked */
	req.attributes = attributes;
	if (mcred_keygen_check(&req, &err) != MCRED_OK) {
		cli_errorf("--attributes: %s", err.message);
		return CLI_EXIT_USAGE;
	}
	vo->check_subject = 1;
	vo->expected_attributes = attributes;
	return 0;
}

int cmd_verify(struct cli_ctx *ctx)
{
	struct report_context rctx = { NULL, 0, 0 };
	struct mcred_verify_options vo;
	struct identity_key key = { NULL, NULL, 0 };
	struct mcred_error err;
	mcred_report *r = NULL;
	enum mcred_answer_kind forced, found;
	char *text = NULL;
	size_t len = 0, start;
	int code;

	mcred_verify_options_init(&vo);
	memset(&err, 0, sizeof(err));
	if (ctx->cl->opt[OPT_TAG]) {
		uint32_t tag;

		if (cli_parse_any_tag(ctx->cl->opt[OPT_TAG], &tag, &err) != 0)
			return cli_fail(ctx, &err);
		vo.expected_tag = tag;
		rctx.tag_expected = 1;
	}
	if (ctx->cl->opt[OPT_ATTRIBUTES] &&
	    (code = verify_attributes(ctx->cl->opt[OPT_ATTRIBUTES], &vo)) != 0)
		return code;
	rctx.subject_expected = ctx->cl->opt[OPT_ATTRIBUTES] != NULL;
	if ((code = verify_input(ctx, &text, &len, &forced)) != 0)
		return code;
	code = load_identity_key(ctx, &key, &vo);
	if (!code) {
		rctx.identity_key_path = key.path;
		/* at the %KEYGEN: or %ATTESTTOKEN: line, not the echoed command; else all */
		found = mcred_answer_find(text, len, &start);
		enum mcred_err vrc = verify_blob(forced ? forced : found, text + start, len - start,
						 &vo, &r, &err);

		if (vrc != MCRED_OK) {
			err.code = vrc;
			code = cli_fail(ctx, &err);
			/* Undecodable input is invalid input, not a failed check. */
			if (err.code == MCRED_ERR_DECODE)
				code = CLI_EXIT_USAGE;
		} else {
			code = finish_report(ctx, stdout, r, &rctx, NULL, NULL);
		}
	}
	mcred_report_free(r);
	free(text);
	free_identity_key(&key);
	return code;
}
