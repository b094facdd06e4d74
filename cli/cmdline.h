/*
 * The modemcred command line as data: which commands exist, which options
 * each takes, and a pure parser that turns argv into a struct cli_cmdline.
 *
 * Global options may come before or after the command name. After the
 * command, its own options are looked up first, so a command option's value
 * is never mistaken for a global option. The parser does no I/O and reads no
 * environment: app.c decides what to do with the result (and the fuzz target
 * can feed it anything).
 */
#ifndef MODEMCRED_CLI_CMDLINE_H
#define MODEMCRED_CLI_CMDLINE_H

#include <stddef.h>

#include "modemcred.h"

enum cli_command {
	CMD_NONE = 0,
	CMD_HELP,
	CMD_PORTS,
	CMD_INFO,
	CMD_LIST,
	CMD_WRITE,
	CMD_READ,
	CMD_DELETE,
	CMD_CLEAR,
	CMD_EXISTS,
	CMD_COMPARE,
	CMD_AT,
	CMD_KEYGEN,
	CMD_ATTEST,
	CMD_VERIFY,
	CMD_PROVISION,
	CMD_COUNT
};

/* Command options. A command's table entry says which of them it takes. */
enum cli_opt {
	OPT_TAG = 0,
	OPT_TYPE,
	OPT_OUTPUT,
	OPT_VERIFY,
	OPT_PASSWORD_FILE,
	OPT_KIND,
	OPT_ATTRIBUTES,
	OPT_KEY_USAGE,
	OPT_FORMAT,
	OPT_IDENTITY_KEY,
	OPT_FORCE,
	OPT_CHALLENGE,
	OPT_KEYGEN_STRING,
	OPT_ATTEST_STRING,
	OPT_ALL,
	OPT_COUNT
};

#define OPTBIT(o) (1u << (o))
#define CLI_MAX_ARGS 4

struct cli_command_def {
	const char *name;
	unsigned allowed;      /* OPTBIT()s of the command options it takes */
	unsigned required;     /* OPTBIT()s it cannot do without */
	unsigned min_args;     /* positional arguments */
	unsigned max_args;
	const char *args_name; /* what the positional argument is, for messages */
};

/* The table, indexed by enum cli_command (CMD_NONE has a NULL name). */
extern const struct cli_command_def cli_commands[CMD_COUNT];

/* Long name of a command option ("tag"), for messages. */
const char *cli_opt_name(enum cli_opt opt);

/*
 * How bash completion completes an option's value (or a command's
 * positional argument).
 */
enum cli_complete {
	CLI_COMPLETE_NONE = 0, /* free text (a number, a string): nothing to offer */
	CLI_COMPLETE_WORDS,    /* one of the alternatives written in arg ("none|rtscts") */
	CLI_COMPLETE_FILE,     /* a file name */
	CLI_COMPLETE_TYPE,     /* a credential type name */
	CLI_COMPLETE_COMMAND   /* a command name */
};

/*
 * One option, as the parser reads it and as every document describes it:
 * --help, bash completion and the OPTIONS sections of modemcred(1) are made
 * from this table (cli/help.c at run time, cli/gendoc.c for the files).
 */
struct cli_opt_def {
	const char *name;     /* long name without "--" */
	char short_name;      /* 0 when none */
	int takes_value;
	int id;               /* enum cli_opt, or a global option (>= OPT_COUNT) */
	const char *arg;      /* its value in help ("N", "none|rtscts"); NULL for a flag */
	const char *help;     /* one line: what it does, its default */
	const char *details;  /* more for the man page (plain text), or NULL */
	enum cli_complete complete;
};

/* The whole option table, command options first, then global ones. */
const struct cli_opt_def *cli_opt_defs(size_t *count);

/* Non-zero for a global option (one every command takes). */
int cli_opt_is_global(const struct cli_opt_def *def);

/*
 * The one-line help of def as command cmd uses it: some commands give an
 * option a narrower meaning (keygen's --tag starts at 1), written in the
 * table next to the generic line. CMD_NONE gives the generic line.
 */
const char *cli_opt_help(enum cli_command cmd, const struct cli_opt_def *def);

/* What a command's positional argument completes to. */
enum cli_complete cli_command_args_complete(enum cli_command cmd);

struct cli_cmdline {
	enum cli_command command;
	int help;            /* -h/--help: show help (for the command, if any) */
	int version;         /* --version */

	/* Global options. opts holds the connection settings (no callbacks). */
	const char *port;    /* -p/--port, NULL when not given */
	const char *serial_number; /* --serial-number, NULL when not given */
	struct mcred_options opts;
	int json;
	int verbose;
	int quiet;

	/*
	 * Command options as given: the value for options with one, "" for
	 * flags, NULL when absent. Values are checked by the command itself,
	 * because their meaning depends on it (a keygen tag starts at 1).
	 */
	const char *opt[OPT_COUNT];
	const char *args[CLI_MAX_ARGS];
	size_t nargs;

	unsigned long given;  /* one bit per option seen (parser bookkeeping) */

	/* provision: the arguments after the command name, parsed by that command */
	int rest_argc;
	char *const *rest_argv;
};

/*
 * Parse argv[1..argc-1]. Returns 0 on success (also when only --help or
 * --version was asked for), -1 on a usage error with err set. The strings in
 * *out point into argv.
 */
int cli_cmdline_parse(int argc, char *const argv[], struct cli_cmdline *out,
		      struct mcred_error *err);

/*
 * Parse the global option at argv[*i] into cl (advancing *i past its value).
 * Returns 0 when it was one, 1 when argv[*i] is no global option, -1 on an
 * error (err set). For commands that parse their own options (provision).
 */
int cli_cmdline_global_option(int argc, char *const argv[], int *i, struct cli_cmdline *cl,
			      struct mcred_error *err);

#endif
