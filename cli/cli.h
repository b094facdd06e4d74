/*
 * What the command files of the modemcred CLI share: the run context, exit
 * codes, error reporting and opening the modem (all in app.c), and the entry
 * points and help texts of the commands (cmd_*.c).
 */
#ifndef MODEMCRED_CLI_H
#define MODEMCRED_CLI_H

#include <stdio.h>

#include "cmdline.h"
#include "modemcred.h"

/* Exit codes: stable, documented in --help and modemcred(1). */
enum {
	CLI_EXIT_OK = 0,
	CLI_EXIT_FAILURE = 1,     /* anything else */
	CLI_EXIT_USAGE = 2,       /* usage error or invalid input; nothing was sent */
	CLI_EXIT_PORT = 3,        /* port, transport, timeout, malformed answer */
	CLI_EXIT_MODEM = 4,       /* the modem refused (ERROR, +CME ERROR, +CMS ERROR) */
	CLI_EXIT_VERIFY = 5,      /* a verification failed */
	CLI_EXIT_NOT_FOUND = 6,   /* the credential does not exist */
	CLI_EXIT_NOT_CHECKED = 7, /* a digest check could not be made on this firmware */
	CLI_EXIT_CSR_SAVED = 8,   /* provision without a CA: stopped, as asked, with a CSR */
	/*
	 * Standard output or standard error could not be written (a closed
	 * pipe: 128 + SIGPIPE, as a shell shows a program SIGPIPE ended; a
	 * full disk); the modem work was done. Interrupted: 128 + that signal.
	 */
	CLI_EXIT_OUTPUT_LOST = 141
};

/* One run of the CLI. */
struct cli_ctx {
	const struct cli_cmdline *cl;
	struct mcred_options opts; /* cl->opts plus the trace and cancel callbacks */
	mcred_modem *modem;        /* NULL until cli_open_modem() */
	char port[256];            /* the port cli_open_modem() opened, for messages */
	int json_output; /* the command prints JSON without --json (provision on a pipe) */
};

/* Entry point called by main(). */
int cli_app_main(int argc, char **argv);

/* Exit code for a library result (MCRED_ERR_CANCELLED gives 128 + signal). */
int cli_exit_code(enum mcred_err code);

/* Print "modemcred: <message>" on stderr. */
void cli_errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Report err (from a parser or a handle-less library call); return its exit code. */
int cli_fail(const struct cli_ctx *ctx, const struct mcred_error *err);

/* Report the modem handle's last error for result code; return the exit code. */
int cli_fail_modem(const struct cli_ctx *ctx, enum mcred_err code);

/*
 * Open the modem: --port, else $MODEMCRED_PORT, else the one attached Nordic
 * kit. Returns 0 or an exit code (the error already printed).
 */
int cli_open_modem(struct cli_ctx *ctx);

/* Print an informational line on stdout unless --quiet or --json. */
void cli_info(const struct cli_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * -v: one trace record on stderr as "<prefix>> line" (sent) or "<prefix>< line"
 * (received), one output line per line of text, control characters made
 * visible, in one write (several threads may trace at once).
 */
void cli_print_trace(const char *prefix, enum mcred_trace_dir dir, const char *text, size_t len);

/* The signals that stop a run (README "Signals"): SIGINT, SIGTERM, SIGHUP, SIGQUIT. */
#define CLI_STOP_SIGNALS 4
extern const int cli_stop_signals[CLI_STOP_SIGNALS];

/* Non-zero (the first signal's number) once SIGINT, SIGTERM, SIGHUP or SIGQUIT arrived. */
int cli_interrupted(void);

struct json;

/*
 * Report the interruption of the run (a signal): "interrupted; <done>" on
 * stderr, done NULL for what the modem did (a write, delete or keygen: from
 * mcred_modem_last_change()), the mode, and "completed" in the --json error
 * object. With result and --json, print the error object now, with result
 * printing as "result" what the command would have printed (keygen: its
 * report, which holds the CSR). Returns the exit code, 128 + the signal.
 */
int cli_fail_interrupted(const struct cli_ctx *ctx, const char *done,
			 void (*result)(struct json *j, const void *user), const void *user);

/* Output could not be written (stdout by write(2)): the run ends CLI_EXIT_OUTPUT_LOST. */
void cli_output_lost(void);

/* Commands: each returns the exit code. */
int cmd_ports(struct cli_ctx *ctx);
int cmd_info(struct cli_ctx *ctx);
int cmd_at(struct cli_ctx *ctx);
int cmd_list(struct cli_ctx *ctx);
int cmd_write(struct cli_ctx *ctx);
int cmd_read(struct cli_ctx *ctx);
int cmd_delete(struct cli_ctx *ctx);
int cmd_clear(struct cli_ctx *ctx);
int cmd_exists(struct cli_ctx *ctx);
int cmd_compare(struct cli_ctx *ctx);
int cmd_keygen(struct cli_ctx *ctx);
int cmd_attest(struct cli_ctx *ctx);
int cmd_verify(struct cli_ctx *ctx);
int cmd_provision(struct cli_ctx *ctx);

/*
 * Help texts ("modemcred <command> --help"), next to each command's code.
 * The line CLI_HELP_OPTIONS in a text stands for the command's options,
 * made from the option table by cli_help_print() (help.c).
 */
#define CLI_HELP_OPTIONS "@options\n"

/* Print text, CLI_HELP_OPTIONS replaced by the options of cmd (CMD_NONE: global ones). */
void cli_help_print(FILE *out, const char *text, enum cli_command cmd);

/* The options section alone, one option per entry, wrapped at 79 columns. */
void cli_help_options(FILE *out, enum cli_command cmd);

/*
 * Non-zero when cmd's options include def (CMD_NONE: when def is a global
 * option): its command options, and the global options it gives a meaning
 * of its own in the table (provision's -p).
 */
int cli_command_takes(enum cli_command cmd, const struct cli_opt_def *def);

/* What help and the man page add to the options cmd takes more than once. */
#define CLI_REPEATABLE "may be given more than once"

/* The one-line help of def for cmd, with CLI_REPEATABLE where it applies (in buf). */
const char *cli_opt_help_line(enum cli_command cmd, const struct cli_opt_def *def, char *buf,
			      size_t size);

extern const char cli_help_ports[], cli_help_info[], cli_help_at[];
extern const char cli_help_list[], cli_help_write[], cli_help_read[], cli_help_delete[];
extern const char cli_help_clear[], cli_help_exists[], cli_help_compare[];
extern const char cli_help_keygen[], cli_help_attest[], cli_help_verify[];
extern const char cli_help_provision[];

#endif
