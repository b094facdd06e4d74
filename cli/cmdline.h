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
#include <stdint.h>

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
	OPT_YES,
	OPT_DRY_RUN,
	OPT_SKIP_CONTENT_CHECK,
	/* provision */
	OPT_ALL_KITS,
	OPT_ID,
	OPT_ID_PREFIX,
	OPT_SUBJECT_EXTRA,
	OPT_CA,
	OPT_CA_KEY,
	OPT_DAYS,
	OPT_CERT_DIR,
	OPT_ROOT_CA,
	OPT_ATTEST,
	OPT_OUT,
	OPT_LEDGER,
	OPT_ONBOARD_CSV,
	OPT_SUBTYPE,
	OPT_TAGS,
	OPT_FW_TYPES,
	OPT_REPLACE,
	OPT_SPLIT,
	OPT_PKCS11_MODULE,
	OPT_CA_KEY_PASSWORD_FILE,
	OPT_ATTEST_CSV,
	OPT_SUMMARY,
	OPT_RENEW_WITHIN,
	OPT_COUNT
};

/* A set of options (ids of enum cli_opt and the global ones), one bit each. */
typedef uint64_t cli_optset;
#define OPTBIT(o) ((cli_optset)1 << (o))
#define CLI_OPTSET_BITS 64

/* A set of commands, one bit each (which commands take an option repeatedly). */
#define CMDBIT(c) (1u << (c))

/* Positional arguments: a few for most commands, one per port for provision. */
#define CLI_MAX_ARGS 256
/* Values of one repeatable option (-p, --serial-number: one per port). */
#define CLI_MAX_VALUES 256

struct cli_command_def {
	const char *name;
	cli_optset allowed;  /* OPTBIT()s of the command options it takes */
	cli_optset required; /* OPTBIT()s it cannot do without */
	unsigned min_args;   /* positional arguments */
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
	CLI_COMPLETE_DIR,      /* a directory name */
	CLI_COMPLETE_TYPE,     /* a credential type name */
	CLI_COMPLETE_COMMAND   /* a command name */
};

/*
 * One option, as the parser reads it and as every document describes it:
 * --help, bash completion and the OPTIONS sections of modemcred(1) are made
 * from this table (cli/help.c at run time, cli/gendoc.c for the files).
 */
struct cli_opt_def {
	const char *name; /* long name without "--" */
	char short_name;  /* 0 when none */
	int takes_value;
	int id;              /* enum cli_opt, or a global option (>= OPT_COUNT) */
	const char *arg;     /* its value in help ("N", "none|rtscts"); NULL for a flag */
	const char *help;    /* one line: what it does, its default */
	const char *details; /* more for the man page (plain text), or NULL */
	enum cli_complete complete;
	/*
	 * CMDBIT()s of the commands that take it more than once (provision's
	 * -p); every other repeat is refused, naming the option.
	 */
	unsigned repeatable;
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

/*
 * The man page's details of def as command cmd uses it: the note's own
 * details where cmd gives the option its own meaning (NULL when it has
 * none), else the generic ones.
 */
const char *cli_opt_details(enum cli_command cmd, const struct cli_opt_def *def);

/* Non-zero when cmd gives def a meaning of its own (a note in the table). */
int cli_opt_has_note(enum cli_command cmd, const struct cli_opt_def *def);

/* Non-zero when cmd takes def more than once. */
int cli_opt_repeatable(enum cli_command cmd, const struct cli_opt_def *def);

/* What a command's positional argument completes to. */
enum cli_complete cli_command_args_complete(enum cli_command cmd);

struct cli_cmdline {
	enum cli_command command;
	int help;    /* -h/--help: show help (for the command, if any) */
	int version; /* --version */

	/* Global options. opts holds the connection settings (no callbacks). */
	const char *port;          /* -p/--port, NULL when not given */
	const char *serial_number; /* --serial-number, NULL when not given */
	/* Every -p and --serial-number in order (several only for provision). */
	const char *ports[CLI_MAX_VALUES];
	size_t nports;
	const char *serial_numbers[CLI_MAX_VALUES];
	size_t nserial_numbers;
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

	/* Parser bookkeeping: options seen, and those seen more than once. */
	cli_optset given;
	cli_optset repeated;
};

/*
 * Parse argv[1..argc-1]. Returns 0 on success (also when only --help or
 * --version was asked for), -1 on a usage error with err set. The strings in
 * *out point into argv.
 */
int cli_cmdline_parse(int argc, char *const argv[], struct cli_cmdline *out,
		      struct mcred_error *err);

#endif
