/*
 * Unit tests for the CLI's pure parts: value parsers (cli/args.c), the
 * command-line parser (cli/cmdline.c) and the JSON writer (cli/json.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "args.h"
#include "cli.h"
#include "cmdline.h"
#include "json.h"

/* ---- tags ------------------------------------------------------------------ */

static void tag_accepts_range(void **state)
{
	struct mcred_error err;
	uint32_t tag = 99;

	(void)state;
	assert_int_equal(cli_parse_tag("0", &tag, &err), 0);
	assert_int_equal(tag, 0);
	assert_int_equal(cli_parse_tag("2147483647", &tag, &err), 0);
	assert_int_equal(tag, 2147483647u);
	assert_int_equal(cli_parse_tag("012", &tag, &err), 0);
	assert_int_equal(tag, 12);
}

/* Each rejected tag must say why, in words a user understands. */
static void expect_tag_error(const char *text, const char *words)
{
	struct mcred_error err;
	uint32_t tag = 7;

	memset(&err, 0, sizeof(err));
	assert_int_equal(cli_parse_tag(text, &tag, &err), -1);
	assert_int_equal(err.code, MCRED_ERR_INVALID_ARG);
	if (!strstr(err.message, words))
		fail_msg("tag '%s': message '%s' lacks '%s'", text, err.message, words);
	assert_int_equal(tag, 7); /* untouched on failure */
}

static void tag_rejects_bad_input(void **state)
{
	(void)state;
	expect_tag_error("2147483648", "belongs to the modem");
	expect_tag_error("4294967295", "belongs to the modem");
	expect_tag_error("-1", "not a number");
	expect_tag_error("12x", "not a number");
	expect_tag_error("", "empty");
	expect_tag_error("99999999999999999999", "out of range");
	expect_tag_error("4294967296", "user tags are 0 to 2147483647");
	expect_tag_error(" 1", "not a number");
	expect_tag_error("+1", "not a number");
	expect_tag_error("0x10", "not a number");
}

static void any_tag_allows_modem_tags(void **state)
{
	struct mcred_error err;
	uint32_t tag;

	(void)state;
	assert_int_equal(cli_parse_any_tag("4294967294", &tag, &err), 0);
	assert_true(tag == 4294967294u);
	assert_int_equal(cli_parse_any_tag("4294967296", &tag, &err), -1);
}

/* ---- types ---------------------------------------------------------------------- */

static void types_by_number_and_name(void **state)
{
	static const struct {
		const char *text;
		int type;
	} ok[] = { { "0", 0 },
		   { "ca", 0 },
		   { "cert", 1 },
		   { "key", 2 },
		   { "psk", 3 },
		   { "psk-id", 4 },
		   { "pubkey", 5 },
		   { "identity", 6 },
		   { "reserved", 7 },
		   { "endorsement", 8 },
		   { "ownership", 9 },
		   { "nordic-ca", 10 },
		   { "nordic-base", 11 },
		   { "11", 11 } };
	struct mcred_error err;
	size_t i;
	int type;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		type = -1;
		assert_int_equal(cli_parse_type(ok[i].text, &type, &err), 0);
		assert_int_equal(type, ok[i].type);
	}
	assert_int_equal(cli_parse_type("12", &type, &err), -1);
	assert_int_equal(cli_parse_type("certificate-authority", &type, &err), -1);
	assert_int_equal(err.code, MCRED_ERR_INVALID_ARG);
	assert_true(err.message[0] != '\0');
	assert_int_equal(cli_parse_type("", &type, &err), -1);
	assert_int_equal(cli_parse_type("-1", &type, &err), -1);
}

/* ---- timeouts, baud, sizes ------------------------------------------------------ */

static void timeouts(void **state)
{
	struct mcred_error err;
	unsigned ms = 0;

	(void)state;
	assert_int_equal(cli_parse_timeout("10", &ms, &err), 0);
	assert_int_equal(ms, 10000);
	assert_int_equal(cli_parse_timeout("2.5", &ms, &err), 0);
	assert_int_equal(ms, 2500);
	assert_int_equal(cli_parse_timeout("0.001", &ms, &err), 0);
	assert_int_equal(ms, 1);
	assert_int_equal(cli_parse_timeout(".25", &ms, &err), 0);
	assert_int_equal(ms, 250);
	assert_int_equal(cli_parse_timeout("3600", &ms, &err), 0);
	assert_int_equal(ms, 3600000);

	assert_int_equal(cli_parse_timeout("0", &ms, &err), -1);
	assert_non_null(strstr(err.message, "out of range"));
	assert_int_equal(cli_parse_timeout("3600.001", &ms, &err), -1);
	assert_int_equal(cli_parse_timeout("0.0001", &ms, &err), -1);
	assert_non_null(strstr(err.message, "three decimals"));
	assert_int_equal(cli_parse_timeout("", &ms, &err), -1);
	assert_int_equal(cli_parse_timeout(".", &ms, &err), -1);
	assert_int_equal(cli_parse_timeout("5.", &ms, &err), -1);
	assert_int_equal(cli_parse_timeout("-1", &ms, &err), -1);
	assert_int_equal(cli_parse_timeout("1e3", &ms, &err), -1);
	assert_int_equal(cli_parse_timeout("2,5", &ms, &err), -1);
	assert_int_equal(cli_parse_timeout("inf", &ms, &err), -1);
	assert_int_equal(cli_parse_timeout("99999999999999999999999", &ms, &err), -1);
}

static void baud_and_max_command(void **state)
{
	struct mcred_error err;
	unsigned baud = 0;
	size_t bytes = 0;

	(void)state;
	assert_int_equal(cli_parse_baud("115200", &baud, &err), 0);
	assert_int_equal(baud, 115200);
	assert_int_equal(cli_parse_baud("1000000", &baud, &err), 0);
	assert_int_equal(cli_parse_baud("0", &baud, &err), -1);
	assert_non_null(strstr(err.message, "baud rate"));
	assert_int_equal(cli_parse_baud("115200.0", &baud, &err), -1);
	assert_int_equal(cli_parse_baud("99999999", &baud, &err), -1);
	assert_int_equal(cli_parse_max_command("4096", &bytes, &err), 0);
	assert_int_equal(bytes, 4096);
	assert_int_equal(cli_parse_max_command("8", &bytes, &err), -1);
}

/* ---- names ------------------------------------------------------------------------- */

static void names(void **state)
{
	struct mcred_error err;
	enum mcred_term term;
	enum mcred_flow flow;
	enum mcred_transport_kind tk;
	enum mcred_keygen_kind kk;
	int der;

	(void)state;
	assert_int_equal(cli_parse_terminator("crlf", &term, &err), 0);
	assert_int_equal(term, MCRED_TERM_CRLF);
	assert_int_equal(cli_parse_terminator("cr", &term, &err), 0);
	assert_int_equal(term, MCRED_TERM_CR);
	assert_int_equal(cli_parse_terminator("lf", &term, &err), 0);
	assert_int_equal(term, MCRED_TERM_LF);
	assert_int_equal(cli_parse_terminator("nul", &term, &err), 0);
	assert_int_equal(term, MCRED_TERM_NUL);
	assert_int_equal(cli_parse_terminator("CRLF", &term, &err), -1);
	assert_non_null(strstr(err.message, "crlf, cr, lf or nul"));
	assert_int_equal(cli_parse_terminator("", &term, &err), -1);

	assert_int_equal(cli_parse_flow("rtscts", &flow, &err), 0);
	assert_int_equal(flow, MCRED_FLOW_RTSCTS);
	assert_int_equal(cli_parse_flow("xonxoff", &flow, &err), -1);
	assert_int_equal(cli_parse_transport("termios", &tk, &err), 0);
	assert_int_equal(tk, MCRED_TRANSPORT_TERMIOS);
	assert_int_equal(cli_parse_transport("usb", &tk, &err), -1);
	assert_int_equal(cli_parse_keygen_kind("endorsement", &kk, &err), 0);
	assert_int_equal(kk, MCRED_KEYGEN_ENDORSEMENT);
	assert_int_equal(cli_parse_keygen_kind("rsa", &kk, &err), -1);
	assert_int_equal(cli_parse_format("der", &der, &err), 0);
	assert_int_equal(der, 1);
	assert_int_equal(cli_parse_format("pem", &der, &err), 0);
	assert_int_equal(der, 0);
	assert_int_equal(cli_parse_format("PEM", &der, &err), -1);
}

/* ---- command line -------------------------------------------------------------------- */

static int parse(struct cli_cmdline *cl, struct mcred_error *err, ...)
{
	char *argv[64];
	int argc = 0;
	va_list ap;
	char *a;

	argv[argc++] = "modemcred";
	va_start(ap, err);
	while ((a = va_arg(ap, char *)) != NULL && argc < 63)
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;
	memset(err, 0, sizeof(*err));
	return cli_cmdline_parse(argc, argv, cl, err);
}

static void cmdline_globals_anywhere(void **state)
{
	struct cli_cmdline cl;
	struct mcred_error err;

	(void)state;
	assert_int_equal(parse(&cl, &err, "-p", "/dev/ttyACM0", "write", "--tag", "12", "--type",
			       "ca", "--json", "--timeout=2.5", "ca.pem", "--offline", "-v", NULL),
			 0);
	assert_int_equal(cl.command, CMD_WRITE);
	assert_string_equal(cl.port, "/dev/ttyACM0");
	assert_string_equal(cl.opt[OPT_TAG], "12");
	assert_string_equal(cl.opt[OPT_TYPE], "ca");
	assert_int_equal(cl.opts.timeout_ms, 2500);
	assert_int_equal(cl.opts.auto_offline, 1);
	assert_int_equal(cl.json, 1);
	assert_int_equal(cl.verbose, 1);
	assert_int_equal(cl.nargs, 1);
	assert_string_equal(cl.args[0], "ca.pem");

	/* A command option's value is never taken for a global option. */
	assert_int_equal(parse(&cl, &err, "keygen", "--tag", "3", "--attributes", "--json", NULL),
			 0);
	assert_string_equal(cl.opt[OPT_ATTRIBUTES], "--json");
	assert_int_equal(cl.json, 0);

	/* "-" is stdin, "--" ends options. */
	assert_int_equal(parse(&cl, &err, "compare", "--tag", "1", "--type", "0", "--", "-x", NULL),
			 0);
	assert_string_equal(cl.args[0], "-x");
	assert_int_equal(parse(&cl, &err, "-pCOM3", "write", "--tag", "1", "--type", "0", "-",
			       NULL),
			 0);
	assert_string_equal(cl.port, "COM3");
	assert_string_equal(cl.args[0], "-");
}

static void cmdline_errors(void **state)
{
	struct cli_cmdline cl;
	struct mcred_error err;

	(void)state;
	assert_int_equal(parse(&cl, &err, NULL), -1);
	assert_non_null(strstr(err.message, "no command"));
	assert_int_equal(parse(&cl, &err, "frobnicate", NULL), -1);
	assert_non_null(strstr(err.message, "unknown command"));
	assert_int_equal(parse(&cl, &err, "list", "--bogus", NULL), -1);
	assert_non_null(strstr(err.message, "unknown option"));
	assert_int_equal(parse(&cl, &err, "write", "--type", "ca", "f", NULL), -1);
	assert_non_null(strstr(err.message, "needs --tag"));
	assert_int_equal(parse(&cl, &err, "write", "--tag", "1", "--type", "ca", NULL), -1);
	assert_non_null(strstr(err.message, "FILE"));
	assert_int_equal(parse(&cl, &err, "info", "--tag", "1", NULL), -1);
	assert_non_null(strstr(err.message, "does not take --tag"));
	assert_int_equal(parse(&cl, &err, "info", "extra", NULL), -1);
	assert_int_equal(parse(&cl, &err, "list", "--tag", NULL), -1);
	assert_non_null(strstr(err.message, "needs a value"));
	assert_int_equal(parse(&cl, &err, "list", "--json=1", NULL), -1);
	assert_int_equal(parse(&cl, &err, "info", "--baud", "fast", NULL), -1);
	assert_non_null(strstr(err.message, "baud rate"));
	assert_int_equal(parse(&cl, &err, "info", "--terminator", "crlf2", NULL), -1);
	assert_int_equal(parse(&cl, &err, "info", "-p", "", NULL), -1);
}

/* A repeated option would silently replace the first value: refused, named. */
static void cmdline_repeated_options(void **state)
{
	struct cli_cmdline cl;
	struct mcred_error err;

	(void)state;
	assert_int_equal(parse(&cl, &err, "read", "--tag", "1", "--tag", "2", "--type", "0", NULL),
			 -1);
	assert_non_null(strstr(err.message, "--tag is given twice"));
	assert_int_equal(parse(&cl, &err, "read", "--tag=1", "--type", "0", "--tag", "1", NULL),
			 -1);
	assert_non_null(strstr(err.message, "--tag"));
	/* global options, before and after the command, long and short forms */
	assert_int_equal(parse(&cl, &err, "-p", "a", "info", "-p", "b", NULL), -1);
	assert_non_null(strstr(err.message, "--port is given twice"));
	assert_int_equal(parse(&cl, &err, "--port=a", "info", "-pb", NULL), -1);
	assert_non_null(strstr(err.message, "--port"));
	assert_int_equal(parse(&cl, &err, "--timeout", "1", "list", "--timeout", "2", NULL), -1);
	assert_non_null(strstr(err.message, "--timeout is given twice"));
	assert_int_equal(parse(&cl, &err, "-vq", "list", "-v", NULL), -1);
	assert_non_null(strstr(err.message, "--verbose"));
	assert_int_equal(parse(&cl, &err, "keygen", "--tag", "1", "--force", "--force", NULL), -1);
	assert_non_null(strstr(err.message, "--force"));
	/* the same options once each are fine */
	assert_int_equal(parse(&cl, &err, "-p", "a", "--timeout", "1", "read", "--tag", "1",
			       "--type", "0", "-v", NULL),
			 0);
}

/* clear takes exactly one of --tag and --all; a kit by serial, or a port. */
static void cmdline_clear_all_and_serial_number(void **state)
{
	struct cli_cmdline cl;
	struct mcred_error err;

	(void)state;
	assert_int_equal(parse(&cl, &err, "clear", "--all", NULL), 0);
	assert_non_null(cl.opt[OPT_ALL]);
	assert_null(cl.opt[OPT_TAG]);
	assert_int_equal(parse(&cl, &err, "clear", "--tag", "5", NULL), 0);
	assert_int_equal(parse(&cl, &err, "clear", "--tag", "5", "--all", NULL), -1);
	assert_non_null(strstr(err.message, "not both"));
	assert_int_equal(parse(&cl, &err, "clear", NULL), -1);
	assert_non_null(strstr(err.message, "not neither"));
	assert_int_equal(parse(&cl, &err, "delete", "--tag", "1", "--type", "ca", "--all", NULL),
			 -1);
	assert_non_null(strstr(err.message, "does not take --all"));

	assert_int_equal(parse(&cl, &err, "--serial-number", "001050912345", "info", NULL), 0);
	assert_string_equal(cl.serial_number, "001050912345");
	assert_null(cl.port);
	assert_int_equal(parse(&cl, &err, "info", "--serial-number=42", NULL), 0);
	assert_string_equal(cl.serial_number, "42");
	assert_int_equal(parse(&cl, &err, "-p", "/dev/ttyACM0", "info", "--serial-number", "42",
			       NULL),
			 -1);
	assert_non_null(strstr(err.message, "--port and --serial-number"));
	assert_int_equal(parse(&cl, &err, "info", "--serial-number", "", NULL), -1);
	assert_non_null(strstr(err.message, "empty"));
}

/* provision's options come from the shared table: parsed, with its ports in order. */
static void cmdline_provision_options(void **state)
{
	struct cli_cmdline cl;
	struct mcred_error err;

	(void)state;
	assert_int_equal(parse(&cl, &err, "-p", "/dev/a", "--baud", "1000000", "provision", "--tag",
			       "7", "--id", "nrf-imei", "--id-prefix", "line2-", "--subject-extra",
			       "O=Acme", "--identity-key", "id.pem", "--force", "--ca=ca.pem",
			       "--ca-key", "ca.key", "--days", "30", "--cert-dir", "certs",
			       "--root-ca", "root.pem", "--attest", "--out", "arts", "--ledger",
			       "l.jsonl", "--onboard-csv", "o.csv", "--subtype", "s", "--tags", "t",
			       "--fw-types", "APP", "--replace", "--split", "--all-kits", "/dev/b",
			       "-p", "/dev/c", "--json", "/dev/d", NULL),
			 0);
	assert_int_equal(cl.command, CMD_PROVISION);
	assert_string_equal(cl.opt[OPT_TAG], "7");
	assert_string_equal(cl.opt[OPT_ID], "nrf-imei");
	assert_string_equal(cl.opt[OPT_ID_PREFIX], "line2-");
	assert_string_equal(cl.opt[OPT_SUBJECT_EXTRA], "O=Acme");
	assert_string_equal(cl.opt[OPT_IDENTITY_KEY], "id.pem");
	assert_string_equal(cl.opt[OPT_FORCE], "");
	assert_string_equal(cl.opt[OPT_CA], "ca.pem");
	assert_string_equal(cl.opt[OPT_CA_KEY], "ca.key");
	assert_string_equal(cl.opt[OPT_DAYS], "30");
	assert_string_equal(cl.opt[OPT_CERT_DIR], "certs");
	assert_string_equal(cl.opt[OPT_ROOT_CA], "root.pem");
	assert_string_equal(cl.opt[OPT_ATTEST], "");
	assert_null(cl.opt[OPT_ATTEST_STRING]);
	assert_string_equal(cl.opt[OPT_OUT], "arts");
	assert_string_equal(cl.opt[OPT_LEDGER], "l.jsonl");
	assert_string_equal(cl.opt[OPT_ONBOARD_CSV], "o.csv");
	assert_string_equal(cl.opt[OPT_SUBTYPE], "s");
	assert_string_equal(cl.opt[OPT_TAGS], "t");
	assert_string_equal(cl.opt[OPT_FW_TYPES], "APP");
	assert_string_equal(cl.opt[OPT_REPLACE], "");
	assert_string_equal(cl.opt[OPT_SPLIT], "");
	assert_string_equal(cl.opt[OPT_ALL_KITS], "");
	assert_int_equal(cl.opts.baud, 1000000);
	assert_int_equal(cl.json, 1);
	/* PORT arguments, and every -p in order (the one before the command first) */
	assert_int_equal(cl.nargs, 2);
	assert_string_equal(cl.args[0], "/dev/b");
	assert_string_equal(cl.args[1], "/dev/d");
	assert_int_equal(cl.nports, 2);
	assert_string_equal(cl.ports[0], "/dev/a");
	assert_string_equal(cl.ports[1], "/dev/c");
	assert_string_equal(cl.port, "/dev/a");

	/* the same name, another option: verify's --attest takes a value */
	assert_int_equal(parse(&cl, &err, "verify", "--attest", "x.y", NULL), 0);
	assert_string_equal(cl.opt[OPT_ATTEST_STRING], "x.y");
	assert_null(cl.opt[OPT_ATTEST]);
	assert_int_equal(parse(&cl, &err, "provision", "--attest=x", "/dev/a", NULL), -1);
	assert_non_null(strstr(err.message, "--attest takes no value"));
	/* provision's options belong to provision alone */
	assert_int_equal(parse(&cl, &err, "keygen", "--tag", "1", "--ca", "ca.pem", NULL), -1);
	assert_non_null(strstr(err.message, "keygen does not take --ca"));
	assert_int_equal(parse(&cl, &err, "provision", "--kind", "csr", NULL), -1);
	assert_non_null(strstr(err.message, "provision does not take --kind"));
	assert_int_equal(parse(&cl, &err, "provision", "--ledger", NULL), -1);
	assert_non_null(strstr(err.message, "--ledger needs a value"));
	/* many ports */
	{
		char *argv[CLI_MAX_ARGS + 3];
		int i;

		argv[0] = "modemcred";
		argv[1] = "provision";
		for (i = 0; i < CLI_MAX_ARGS; i++)
			argv[i + 2] = "/dev/x";
		argv[CLI_MAX_ARGS + 2] = NULL;
		memset(&err, 0, sizeof(err));
		assert_int_equal(cli_cmdline_parse(CLI_MAX_ARGS + 2, argv, &cl, &err), 0);
		assert_int_equal(cl.nargs, CLI_MAX_ARGS);
		argv[CLI_MAX_ARGS + 2] = "/dev/y";
		assert_int_equal(cli_cmdline_parse(CLI_MAX_ARGS + 3, argv, &cl, &err), -1);
		assert_non_null(strstr(err.message, "too many arguments"));
	}
}

/* Only what a command documents as repeatable may come twice: provision's -p and kits. */
static void cmdline_repeatable_options(void **state)
{
	struct cli_cmdline cl;
	struct mcred_error err;

	(void)state;
	assert_int_equal(parse(&cl, &err, "provision", "-p", "a", "--port", "b", "-pc",
			       "--serial-number", "1", "--serial-number=2", NULL),
			 0);
	assert_int_equal(cl.nports, 3);
	assert_string_equal(cl.ports[2], "c");
	assert_int_equal(cl.nserial_numbers, 2);
	assert_string_equal(cl.serial_numbers[0], "1");
	assert_string_equal(cl.serial_numbers[1], "2");
	/* before the command name too: the repeat waits for the command */
	assert_int_equal(parse(&cl, &err, "-p", "a", "-p", "b", "provision", NULL), 0);
	assert_int_equal(cl.nports, 2);
	assert_int_equal(parse(&cl, &err, "--serial-number", "1", "provision", "--serial-number",
			       "2", "-p", "a", NULL),
			 0);
	assert_int_equal(cl.nserial_numbers, 2);
	assert_int_equal(cl.nports, 1);
	/* every other command takes one port */
	assert_int_equal(parse(&cl, &err, "-p", "a", "-p", "b", "info", NULL), -1);
	assert_non_null(strstr(err.message, "-p/--port is given twice"));
	assert_non_null(strstr(err.message, "only provision"));
	assert_int_equal(parse(&cl, &err, "list", "--serial-number", "1", "--serial-number", "2",
			       NULL),
			 -1);
	assert_non_null(strstr(err.message, "--serial-number is given twice"));
	assert_int_equal(parse(&cl, &err, "-p", "a", "-p", "b", NULL), -1);
	assert_non_null(strstr(err.message, "given twice"));
	/* and provision takes every other option once */
	assert_int_equal(parse(&cl, &err, "provision", "--tag", "1", "--tag", "2", "a", NULL), -1);
	assert_non_null(strstr(err.message, "--tag is given twice"));
	assert_int_equal(parse(&cl, &err, "provision", "--ca", "x", "--ca", "y", "a", NULL), -1);
	assert_non_null(strstr(err.message, "--ca is given twice"));
	assert_int_equal(parse(&cl, &err, "provision", "--split", "--split", "a", NULL), -1);
	assert_non_null(strstr(err.message, "--split is given twice"));
	assert_int_equal(parse(&cl, &err, "provision", "--json", "a", "--json", NULL), -1);
	assert_non_null(strstr(err.message, "--json is given twice"));
	assert_int_equal(parse(&cl, &err, "provision", "-p", "", NULL), -1);
	assert_non_null(strstr(err.message, "empty"));
}

static void cmdline_help_and_version(void **state)
{
	struct cli_cmdline cl;
	struct mcred_error err;

	(void)state;
	assert_int_equal(parse(&cl, &err, "--help", NULL), 0);
	assert_int_equal(cl.help, 1);
	assert_int_equal(cl.command, CMD_NONE);
	/* help needs none of the required options */
	assert_int_equal(parse(&cl, &err, "write", "--help", NULL), 0);
	assert_int_equal(cl.command, CMD_WRITE);
	assert_int_equal(parse(&cl, &err, "--version", NULL), 0);
	assert_int_equal(cl.version, 1);
	assert_int_equal(parse(&cl, &err, "help", "keygen", NULL), 0);
	assert_int_equal(cl.command, CMD_HELP);
}

/* ---- the option table as documentation ------------------------------------------------ */

/* Every option documents itself completely enough for help, man page and completion. */
static void option_table_documented(void **state)
{
	size_t i, count;
	const struct cli_opt_def *defs = cli_opt_defs(&count);

	(void)state;
	assert_true(count > 0);
	for (i = 0; i < count; i++) {
		const struct cli_opt_def *d = &defs[i];

		assert_non_null(d->help);
		assert_true(strlen(d->help) > 0);
		assert_true(strchr(d->help, '\n') == NULL); /* one line */
		/* an argument name exactly for the options that take a value */
		assert_int_equal(d->arg != NULL, d->takes_value != 0);
		if (d->complete == CLI_COMPLETE_WORDS)
			assert_non_null(strchr(d->arg, '|'));
		if (!d->takes_value)
			assert_int_equal(d->complete, CLI_COMPLETE_NONE);
	}
	/* every option in some command's help or the global one, once per command */
	for (i = 0; i < count; i++) {
		int c, takers = 0;
		size_t j;

		for (c = CMD_NONE; c < CMD_COUNT; c++) {
			if (!cli_command_takes((enum cli_command)c, &defs[i]))
				continue;
			takers++;
			for (j = 0; j < count; j++)
				if (j != i && !strcmp(defs[j].name, defs[i].name))
					assert_false(
						cli_command_takes((enum cli_command)c, &defs[j]));
			if (cli_opt_repeatable((enum cli_command)c, &defs[i]))
				assert_true(c == CMD_PROVISION);
		}
		assert_true(takers > 0);
	}
	/* a command's narrower wording replaces the generic line */
	for (i = 0; i < count; i++)
		if (strcmp(defs[i].name, "tag") == 0)
			break;
	assert_true(i < count);
	assert_string_equal(cli_opt_help(CMD_KEYGEN, &defs[i]), "security tag, 1-2147483647");
	assert_ptr_equal(cli_opt_help(CMD_NONE, &defs[i]), defs[i].help);
}

/* The options section of a command's help comes from the table, wrapped. */
static void help_made_from_table(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	const char *line;

	(void)state;
	assert_non_null(f);
	cli_help_print(f, "Usage: x\n\nOptions:\n" CLI_HELP_OPTIONS "\nEnd.\n", CMD_WRITE);
	fclose(f);
	assert_non_null(strstr(buf, "Usage: x\n\nOptions:\n      --tag N  "));
	assert_non_null(
		strstr(buf, "\n      --password-file FILE\n                        PKCS#8"));
	assert_null(strstr(buf, "--kind")); /* keygen's, not write's */
	assert_null(strstr(buf, "--port")); /* global */
	assert_null(strstr(buf, "@options"));
	assert_non_null(strstr(buf, "\n\nEnd.\n"));
	for (line = buf; *line; line += strcspn(line, "\n") + 1)
		assert_true(strcspn(line, "\n") <= 79);
	free(buf);
}

/* provision's help lists each of its options, and says which may repeat. */
static void provision_help_made_from_table(void **state)
{
	size_t i, count;
	const struct cli_opt_def *defs = cli_opt_defs(&count);
	char *buf = NULL, spec[64];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	const char *line;

	(void)state;
	assert_non_null(f);
	cli_help_print(f, cli_help_provision, CMD_PROVISION);
	fclose(f);
	/* " --name ARG" then the description or a line break */
	for (i = 0; i < count; i++) {
		int listed;

		snprintf(spec, sizeof(spec), " --%s%s%s ", defs[i].name, defs[i].arg ? " " : "",
			 defs[i].arg ? defs[i].arg : "");
		listed = strstr(buf, spec) != NULL;
		spec[strlen(spec) - 1] = '\n';
		listed = listed || strstr(buf, spec) != NULL;
		assert_int_equal(listed, cli_command_takes(CMD_PROVISION, &defs[i]));
	}
	assert_non_null(strstr(buf, "  -p, --port PORT       a port to provision"));
	assert_non_null(strstr(buf, "  --ca FILE         factory CA"));
	assert_non_null(strstr(buf, "      --attest          also collect"));
	assert_non_null(strstr(buf, "security tag, 1-2147483647 (default 16842753"));
	assert_non_null(strstr(buf, "may be\n                        given more than once"));
	assert_null(strstr(buf, "--baud N"));
	assert_null(strstr(buf, "@options"));
	for (line = buf; *line; line += strcspn(line, "\n") + 1)
		assert_true(strcspn(line, "\n") <= 79);
	free(buf);
}

/* ---- JSON ---------------------------------------------------------------------------- */

static char *json_of(void (*build)(struct json *j))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct json j;

	assert_non_null(f);
	json_init(&j, f);
	build(&j);
	fclose(f);
	return buf;
}

static void build_doc(struct json *j)
{
	json_object_begin(j);
	json_key(j, "s");
	json_string(j, "a\"b\\c\n\r\t\x01\x7f/é");
	json_key(j, "bad");
	json_string_n(j, "x\xff\xc3y\0z", 6);
	json_key(j, "n");
	json_null(j);
	json_key(j, "list");
	json_array_begin(j);
	json_uint(j, 4294967295u);
	json_int(j, -1);
	json_bool(j, 1);
	json_array_end(j);
	json_key(j, "empty");
	json_object_begin(j);
	json_object_end(j);
	json_object_end(j);
}

static void json_escaping(void **state)
{
	char *out;

	(void)state;
	out = json_of(build_doc);
	assert_string_equal(out, "{\"s\":\"a\\\"b\\\\c\\n\\r\\t\\u0001\\u007f/é\","
				 "\"bad\":\"x\\ufffd\\ufffdy\\u0000z\",\"n\":null,"
				 "\"list\":[4294967295,-1,true],\"empty\":{}}\n");
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tag_accepts_range),
		cmocka_unit_test(tag_rejects_bad_input),
		cmocka_unit_test(any_tag_allows_modem_tags),
		cmocka_unit_test(types_by_number_and_name),
		cmocka_unit_test(timeouts),
		cmocka_unit_test(baud_and_max_command),
		cmocka_unit_test(names),
		cmocka_unit_test(cmdline_globals_anywhere),
		cmocka_unit_test(cmdline_errors),
		cmocka_unit_test(cmdline_repeated_options),
		cmocka_unit_test(cmdline_clear_all_and_serial_number),
		cmocka_unit_test(cmdline_provision_options),
		cmocka_unit_test(cmdline_repeatable_options),
		cmocka_unit_test(cmdline_help_and_version),
		cmocka_unit_test(option_table_documented),
		cmocka_unit_test(help_made_from_table),
		cmocka_unit_test(provision_help_made_from_table),
		cmocka_unit_test(json_escaping),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
