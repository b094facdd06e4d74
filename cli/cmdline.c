/*
 * Command-line parsing (see cmdline.h). A small hand-written parser instead
 * of getopt_long(): getopt keeps global state, prints its own messages and
 * cannot tell which options belong to which command.
 */
#include "cmdline.h"

#include <string.h>

#include "args.h"

#define TAG_TYPE (OPTBIT(OPT_TAG) | OPTBIT(OPT_TYPE))
#define KEY_CHECK (OPTBIT(OPT_IDENTITY_KEY) | OPTBIT(OPT_TAG))

const struct cli_command_def cli_commands[CMD_COUNT] = {
	[CMD_NONE] = { NULL, 0, 0, 0, 0, NULL },
	[CMD_HELP] = { "help", 0, 0, 0, 1, "COMMAND" },
	[CMD_PORTS] = { "ports", 0, 0, 0, 0, NULL },
	[CMD_INFO] = { "info", 0, 0, 0, 0, NULL },
	[CMD_LIST] = { "list", TAG_TYPE, 0, 0, 0, NULL },
	[CMD_WRITE] = { "write", TAG_TYPE | OPTBIT(OPT_VERIFY) | OPTBIT(OPT_PASSWORD_FILE),
			TAG_TYPE, 1, 1, "FILE|-" },
	[CMD_READ] = { "read", TAG_TYPE | OPTBIT(OPT_OUTPUT), TAG_TYPE, 0, 0, NULL },
	[CMD_DELETE] = { "delete", TAG_TYPE, TAG_TYPE, 0, 0, NULL },
	[CMD_CLEAR] = { "clear", OPTBIT(OPT_TAG), OPTBIT(OPT_TAG), 0, 0, NULL },
	[CMD_EXISTS] = { "exists", TAG_TYPE, TAG_TYPE, 0, 0, NULL },
	[CMD_COMPARE] = { "compare", TAG_TYPE, TAG_TYPE, 1, 1, "FILE|-" },
	[CMD_AT] = { "at", 0, 0, 1, 1, "'COMMAND'" },
	[CMD_KEYGEN] = { "keygen",
			 OPTBIT(OPT_TAG) | OPTBIT(OPT_KIND) | OPTBIT(OPT_ATTRIBUTES) |
				 OPTBIT(OPT_KEY_USAGE) | OPTBIT(OPT_OUTPUT) | OPTBIT(OPT_FORMAT) |
				 OPTBIT(OPT_IDENTITY_KEY) | OPTBIT(OPT_FORCE),
			 OPTBIT(OPT_TAG), 0, 0, NULL },
	[CMD_ATTEST] = { "attest", OPTBIT(OPT_CHALLENGE) | OPTBIT(OPT_IDENTITY_KEY), 0, 0, 0,
			 NULL },
	[CMD_VERIFY] = { "verify",
			 KEY_CHECK | OPTBIT(OPT_KEYGEN_STRING) | OPTBIT(OPT_ATTEST_STRING), 0, 0,
			 1, "FILE|-" },
};

/* Global options; their ids follow the command options so one table holds both. */
enum {
	G_PORT = OPT_COUNT,
	G_BAUD,
	G_FLOW,
	G_TIMEOUT,
	G_TERMINATOR,
	G_MAX_COMMAND,
	G_TRANSPORT,
	G_OFFLINE,
	G_SHELL,
	G_SHELL_NO_UNESCAPE_LF,
	G_KEEP_LINE_ENDINGS,
	G_JSON,
	G_VERBOSE,
	G_QUIET,
	G_VERSION,
	G_HELP
};

/* takes_value: 0 a flag, 1 a value, OPTIONAL_VALUE "--name=value" or one of
 * the option's own words as the next argument (--shell auto). */
#define OPTIONAL_VALUE 2

struct opt_def {
	const char *name;  /* long name without "--" */
	char short_name;   /* 0 when none */
	int takes_value;
	int id;            /* enum cli_opt or G_* */
};

static const struct opt_def opt_defs[] = {
	{ "tag", 0, 1, OPT_TAG },
	{ "type", 0, 1, OPT_TYPE },
	{ "output", 'o', 1, OPT_OUTPUT },
	{ "verify", 0, 0, OPT_VERIFY },
	{ "password-file", 0, 1, OPT_PASSWORD_FILE },
	{ "kind", 0, 1, OPT_KIND },
	{ "attributes", 0, 1, OPT_ATTRIBUTES },
	{ "key-usage", 0, 1, OPT_KEY_USAGE },
	{ "format", 0, 1, OPT_FORMAT },
	{ "identity-key", 0, 1, OPT_IDENTITY_KEY },
	{ "force", 0, 0, OPT_FORCE },
	{ "challenge", 0, 1, OPT_CHALLENGE },
	{ "keygen", 0, 1, OPT_KEYGEN_STRING },
	{ "attest", 0, 1, OPT_ATTEST_STRING },
	{ "port", 'p', 1, G_PORT },
	{ "baud", 0, 1, G_BAUD },
	{ "flow", 0, 1, G_FLOW },
	{ "timeout", 0, 1, G_TIMEOUT },
	{ "terminator", 0, 1, G_TERMINATOR },
	{ "max-command", 0, 1, G_MAX_COMMAND },
	{ "transport", 0, 1, G_TRANSPORT },
	{ "offline", 0, 0, G_OFFLINE },
	{ "shell", 0, OPTIONAL_VALUE, G_SHELL },
	{ "shell-no-unescape-lf", 0, 0, G_SHELL_NO_UNESCAPE_LF },
	{ "keep-line-endings", 0, 0, G_KEEP_LINE_ENDINGS },
	{ "json", 0, 0, G_JSON },
	{ "verbose", 'v', 0, G_VERBOSE },
	{ "quiet", 'q', 0, G_QUIET },
	{ "version", 0, 0, G_VERSION },
	{ "help", 'h', 0, G_HELP },
};

#define N_OPT_DEFS (sizeof(opt_defs) / sizeof(opt_defs[0]))

const char *cli_opt_name(enum cli_opt opt)
{
	size_t i;

	for (i = 0; i < N_OPT_DEFS; i++)
		if (opt_defs[i].id == (int)opt)
			return opt_defs[i].name;
	return "?";
}

static const struct opt_def *find_long(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < N_OPT_DEFS; i++)
		if (strlen(opt_defs[i].name) == len && strncmp(opt_defs[i].name, name, len) == 0)
			return &opt_defs[i];
	return NULL;
}

static const struct opt_def *find_short(char c)
{
	size_t i;

	for (i = 0; i < N_OPT_DEFS; i++)
		if (opt_defs[i].short_name == c)
			return &opt_defs[i];
	return NULL;
}

static enum cli_command find_command(const char *name)
{
	int c;

	for (c = CMD_NONE + 1; c < CMD_COUNT; c++)
		if (strcmp(cli_commands[c].name, name) == 0)
			return (enum cli_command)c;
	return CMD_NONE;
}

/* Store a global option's value (checked here: it applies to every command). */
static int apply_global(struct cli_cmdline *cl, int id, const char *value,
			struct mcred_error *err)
{
	struct mcred_options *o = &cl->opts;

	switch (id) {
	case G_PORT:
		if (!*value) {
			cli_error_set(err, "--port is empty: give a port such as /dev/ttyACM0 "
				      "(run `modemcred ports` to list them)");
			return -1;
		}
		cl->port = value;
		return 0;
	case G_BAUD: return cli_parse_baud(value, &o->baud, err);
	case G_FLOW: return cli_parse_flow(value, &o->flow, err);
	case G_TIMEOUT: return cli_parse_timeout(value, &o->timeout_ms, err);
	case G_TERMINATOR: return cli_parse_terminator(value, &o->terminator, err);
	case G_MAX_COMMAND: return cli_parse_max_command(value, &o->max_command_len, err);
	case G_TRANSPORT: return cli_parse_transport(value, &o->transport, err);
	case G_OFFLINE: o->auto_offline = 1; return 0;
	case G_SHELL: return cli_parse_shell(*value ? value : "on", &o->shell, err);
	case G_SHELL_NO_UNESCAPE_LF: o->shell_no_unescape_lf = 1; return 0;
	case G_KEEP_LINE_ENDINGS: o->keep_line_endings = 1; return 0;
	case G_JSON: cl->json = 1; return 0;
	case G_VERBOSE: cl->verbose = 1; return 0;
	case G_QUIET: cl->quiet = 1; return 0;
	case G_VERSION: cl->version = 1; return 0;
	case G_HELP: cl->help = 1; return 0;
	default: return 0;
	}
}

/* Record an option and its value (NULL for a flag). */
static int store_option(struct cli_cmdline *cl, const struct opt_def *def, const char *value,
			struct mcred_error *err)
{
	if (def->id < OPT_COUNT) {
		cl->opt[def->id] = def->takes_value ? value : "";
		return 0;
	}
	return apply_global(cl, def->id, value ? value : "", err);
}

/*
 * Handle the option in argv[*i] ("--name", "--name=value", "-x", "-xVALUE",
 * bundled flags "-vq"), taking its value from the next argument when needed.
 */
static int parse_option(int argc, char *const argv[], int *i, struct cli_cmdline *cl,
			struct mcred_error *err)
{
	const char *arg = argv[*i];
	const struct opt_def *def;
	const char *value = NULL;

	if (arg[1] == '-') {
		const char *name = arg + 2, *eq = strchr(name, '=');

		def = find_long(name, eq ? (size_t)(eq - name) : strlen(name));
		if (eq)
			value = eq + 1;
	} else {
		/* Short flags may be bundled ("-vq"); one that takes a value ends
		 * the bundle and takes the rest ("-vpCOM3") or the next argument. */
		const char *p = arg + 1;

		while ((def = find_short(*p)) != NULL && !def->takes_value && p[1] != '\0') {
			if (store_option(cl, def, NULL, err) != 0)
				return -1;
			p++;
		}
		if (!def && p != arg + 1) {
			cli_error_set(err, "unknown option '-%c' in '%.60s'; run `modemcred --help`",
				      *p, arg);
			return -1;
		}
		if (def && p[1] != '\0')
			value = p + 1;
	}
	if (!def) {
		cli_error_set(err, "unknown option '%.60s'; run `modemcred --help`", arg);
		return -1;
	}
	if (!def->takes_value && value) {
		cli_error_set(err, "--%s takes no value", def->name);
		return -1;
	}
	/* --shell auto: the next argument is its value only when it is one of its words */
	if (def->takes_value == OPTIONAL_VALUE && !value && *i + 1 < argc &&
	    (strcmp(argv[*i + 1], "auto") == 0 || strcmp(argv[*i + 1], "on") == 0 ||
	     strcmp(argv[*i + 1], "off") == 0))
		value = argv[++*i];
	if (def->takes_value == 1 && !value) {
		if (*i + 1 >= argc) {
			cli_error_set(err, "--%s needs a value", def->name);
			return -1;
		}
		value = argv[++*i];
	}
	return store_option(cl, def, value, err);
}

static int add_positional(struct cli_cmdline *cl, const char *arg, struct mcred_error *err)
{
	if (cl->command == CMD_NONE) {
		cl->command = find_command(arg);
		if (cl->command == CMD_NONE) {
			cli_error_set(err, "unknown command '%.60s'; run `modemcred --help` for the "
				      "list of commands", arg);
			return -1;
		}
		return 0;
	}
	if (cl->nargs >= CLI_MAX_ARGS) {
		cli_error_set(err, "too many arguments; run `modemcred %s --help`",
			      cli_commands[cl->command].name);
		return -1;
	}
	cl->args[cl->nargs++] = arg;
	return 0;
}

/* Check that the command got the options and arguments it takes and needs. */
static int check_command(const struct cli_cmdline *cl, struct mcred_error *err)
{
	const struct cli_command_def *def = &cli_commands[cl->command];
	int o;

	for (o = 0; o < OPT_COUNT; o++) {
		if (cl->opt[o] && !(def->allowed & OPTBIT(o))) {
			cli_error_set(err, "%s does not take --%s; run `modemcred %s --help`",
				      def->name, cli_opt_name((enum cli_opt)o), def->name);
			return -1;
		}
		if (!cl->opt[o] && (def->required & OPTBIT(o))) {
			cli_error_set(err, "%s needs --%s; run `modemcred %s --help`", def->name,
				      cli_opt_name((enum cli_opt)o), def->name);
			return -1;
		}
	}
	if (cl->nargs < def->min_args) {
		cli_error_set(err, "%s needs %s; run `modemcred %s --help`", def->name,
			      def->args_name, def->name);
		return -1;
	}
	if (cl->nargs > def->max_args) {
		if (def->max_args == 0)
			cli_error_set(err, "%s takes no argument (got '%.60s'); run `modemcred %s "
				      "--help`", def->name, cl->args[0], def->name);
		else
			cli_error_set(err, "%s takes one %s (got also '%.60s')", def->name,
				      def->args_name, cl->args[def->max_args]);
		return -1;
	}
	return 0;
}

int cli_cmdline_parse(int argc, char *const argv[], struct cli_cmdline *out,
		      struct mcred_error *err)
{
	int i, only_positional = 0;

	memset(out, 0, sizeof(*out));
	mcred_options_init(&out->opts);
	for (i = 1; i < argc; i++) {
		const char *arg = argv[i];
		int rc;

		if (!only_positional && strcmp(arg, "--") == 0) {
			only_positional = 1;
			continue;
		}
		if (!only_positional && arg[0] == '-' && arg[1] != '\0')
			rc = parse_option(argc, argv, &i, out, err);
		else
			rc = add_positional(out, arg, err);
		if (rc != 0)
			return -1;
	}
	if (out->help || out->version)
		return 0;
	if (out->command == CMD_NONE) {
		cli_error_set(err, "no command given; run `modemcred --help` for the list of "
			      "commands");
		return -1;
	}
	return check_command(out, err);
}
