/*
 * The modemcred application: global help, signals, the AT trace, opening the
 * modem, exit codes and dispatch to the commands in cmd_*.c.
 *
 * Every feature lives in libmodemcred; this layer only turns the command
 * line into library calls and library results into output and exit codes.
 */
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "args.h"
#include "cli.h"
#include "json.h"
#include "waiting.h"

/* ---- signals --------------------------------------------------------------- */

/*
 * SIGINT, SIGTERM, SIGHUP (the terminal or the SSH session went away) and
 * SIGQUIT only count here. The library polls cancel_cb: after the first
 * signal the modem finishes the command it has (its answer is awaited
 * within that command's timeout, so that we know what it did), nothing else
 * is sent, the library restores the functional mode itself and returns
 * MCRED_ERR_CANCELLED; a second signal abandons that command at once. We
 * then report what the modem did and exit 128 + the first signal.
 *
 * SIGPIPE is ignored: a reader that went away (`modemcred -v ... | head`)
 * makes our writes fail with EPIPE instead of killing us mid-operation with
 * the modem offline; finish_output() then says the output was lost.
 *
 * SIGHUP ignored when modemcred starts stays ignored: nohup promises a
 * command that outlives its terminal. (SIGINT and SIGQUIT are handled even
 * when a shell started us ignoring them, as a background job: a script's
 * `kill -INT` must still stop us with the mode restored.)
 */
static volatile sig_atomic_t g_signal;  /* the first signal, 0: none */
static volatile sig_atomic_t g_signals; /* how many arrived (counted up to 2) */

const int cli_stop_signals[CLI_STOP_SIGNALS] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };

/* The handler's words: write(2) only, the one output a handler may use. */
static void say_from_handler(const char *text, size_t len)
{
	ssize_t n = write(STDERR_FILENO, text, len);

	(void)n; /* stderr closed: nothing to do about it here */
}

static void on_signal(int signo)
{
	static const char finishing[] =
		"modemcred: interrupted: letting the modem finish the command it has, then "
		"stopping (interrupt again to abandon that command)\n";
	static const char abandoning[] =
		"modemcred: interrupted again: abandoning the command in flight\n";
	int saved_errno = errno;

	if (g_signals == 0) {
		g_signal = signo;
		say_from_handler(finishing, sizeof(finishing) - 1);
	} else if (g_signals == 1) {
		say_from_handler(abandoning, sizeof(abandoning) - 1);
	}
	if (g_signals < 2)
		g_signals++;
	errno = saved_errno;
}

static void install_signal_handlers(void)
{
	struct sigaction sa, old;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < CLI_STOP_SIGNALS; i++)
		sigaddset(&sa.sa_mask, cli_stop_signals[i]); /* one handler at a time counts */
	sa.sa_flags = 0; /* no SA_RESTART: a blocked read of stdin must return EINTR */
	for (i = 0; i < CLI_STOP_SIGNALS; i++) {
		int nohup = cli_stop_signals[i] == SIGHUP && sigaction(SIGHUP, NULL, &old) == 0 &&
			    old.sa_handler == SIG_IGN;

		if (!nohup)
			sigaction(cli_stop_signals[i], &sa, NULL);
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGPIPE, &sa, NULL);
}

int cli_interrupted(void)
{
	return (int)g_signal;
}

/* Let the modem finish the command it has; a second signal abandons it. */
static int cancel_cb(void *user)
{
	(void)user;
	cli_wait_poll(); /* polled while the library waits: the silence notice */
	if (g_signals >= 2)
		return MCRED_CANCEL_NOW;
	return g_signals ? MCRED_CANCEL_STOP : MCRED_CANCEL_NONE;
}

/* ---- AT trace (-v) ----------------------------------------------------------- */

/* (cli.h) The library has already replaced secret content by a placeholder. */
void cli_print_trace(const char *prefix, enum mcred_trace_dir dir, const char *text, size_t len)
{
	const char *mark = dir == MCRED_TRACE_TX ? "> " : "< ";
	char *buf = NULL;
	size_t size = 0, i;
	int at_line_start = 1;
	FILE *f = open_memstream(&buf, &size);

	if (!f)
		return;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c == '\r')
			continue;
		if (at_line_start) {
			fputs(prefix, f);
			fputs(mark, f);
			at_line_start = 0;
		}
		if (c == '\n') {
			fputc('\n', f);
			at_line_start = 1;
		} else if (c < 0x20 || c == 0x7f) {
			fprintf(f, "\\x%02x", c);
		} else {
			fputc(c, f);
		}
	}
	if (!at_line_start)
		fputc('\n', f);
	/* one write per record: the records of several ports' threads never mix within a line */
	if (fclose(f) == 0)
		fwrite(buf, 1, size, stderr);
	free(buf);
}

/*
 * Every trace record: what came and went for the silence notice
 * (waiting.c), and on stderr with -v.
 */
static void trace_cb(enum mcred_trace_dir dir, const char *text, size_t len, void *user)
{
	const struct cli_ctx *ctx = user;

	cli_wait_traced(dir, text, len);
	if (ctx->cl->verbose)
		cli_print_trace("", dir, text, len);
}

/* ---- errors and exit codes ----------------------------------------------------- */

int cli_exit_code(enum mcred_err code)
{
	switch (code) {
	case MCRED_OK: return CLI_EXIT_OK;
	case MCRED_ERR_INVALID_ARG: return CLI_EXIT_USAGE;
	case MCRED_ERR_PORT:
	case MCRED_ERR_BUSY:
	case MCRED_ERR_IO:
	case MCRED_ERR_TIMEOUT:
	case MCRED_ERR_PROTOCOL:
	case MCRED_ERR_TOO_LARGE: return CLI_EXIT_PORT;
	case MCRED_ERR_MODEM:
	case MCRED_ERR_CME:
	case MCRED_ERR_CMS: return CLI_EXIT_MODEM;
	case MCRED_ERR_MISMATCH:
	case MCRED_ERR_VERIFY: return CLI_EXIT_VERIFY;
	case MCRED_ERR_NOT_FOUND: return CLI_EXIT_NOT_FOUND;
	case MCRED_ERR_CANCELLED: return 128 + (g_signal ? (int)g_signal : SIGINT);
	case MCRED_ERR_NOMEM:
	case MCRED_ERR_UNSUPPORTED:
	case MCRED_ERR_DECODE:
	case MCRED_ERR_CRYPTO:
	default: return CLI_EXIT_FAILURE;
	}
}

/* g_failure.completed of a run that changes nothing on the modem. */
#define COMPLETED_ABSENT (-2)

/*
 * The failure of this run, for the --json error object. The first report
 * with a library error code wins (what follows are hints); a plain message
 * stands until one with a code comes. Only the main thread touches it.
 */
static struct {
	enum mcred_err code; /* MCRED_OK: none known; derived from the exit code */
	int cme;             /* -1 when the modem gave none */
	char message[1024];
	/*
	 * An interrupted write, delete or keygen: what the modem did, as
	 * "completed" (MCRED_CHANGE_*); COMPLETED_ABSENT for other runs.
	 */
	int completed;
	/* what the human output adds after the message: advice, the likely cause */
	char hints[4][1024];
	int nhints;
} g_failure = { MCRED_OK, -1, "", COMPLETED_ABSENT, { "" }, 0 };

/* The interruption was reported (report_interrupted). */
static int g_interrupt_reported;

static void note_failure(enum mcred_err code, int cme, const char *message)
{
	if (g_failure.code != MCRED_OK)
		return;
	g_failure.code = code;
	g_failure.cme = cme;
	/* Without a message, the next cli_errorf() gives it. */
	snprintf(g_failure.message, sizeof(g_failure.message), "%s", message ? message : "");
	g_failure.nhints = 0; /* lines before it were no hints to it */
}

/*
 * The run was interrupted: that is its failure, whatever was noted before
 * (an answer that failed a check while the modem was stopping, say); the
 * message is the report that follows. cme: the modem's, when it gave one.
 */
static void note_interrupted(int cme)
{
	g_failure.code = MCRED_ERR_CANCELLED;
	g_failure.cme = cme;
	g_failure.message[0] = '\0';
	g_failure.nhints = 0;
}

void cli_errorf(const char *fmt, ...)
{
	char message[sizeof(g_failure.message)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	if (!g_failure.message[0])
		snprintf(g_failure.message, sizeof(g_failure.message), "%s", message);
	else if (strcmp(message, g_failure.message) != 0 && g_failure.nhints < 4)
		/* a line after the failure's: the --json error carries it too */
		snprintf(g_failure.hints[g_failure.nhints++], sizeof(g_failure.hints[0]), "%s",
			 message);
	fflush(stdout); /* keep stdout and stderr in order on a terminal */
	fprintf(stderr, "modemcred: %s\n", message);
}

/* The error code a failure reported without one stands for, by its exit code. */
static enum mcred_err code_of_exit(int exit_code)
{
	switch (exit_code) {
	case CLI_EXIT_USAGE: return MCRED_ERR_INVALID_ARG;
	case CLI_EXIT_PORT: return MCRED_ERR_PORT;
	case CLI_EXIT_MODEM: return MCRED_ERR_MODEM;
	case CLI_EXIT_VERIFY: return MCRED_ERR_VERIFY;
	case CLI_EXIT_NOT_FOUND: return MCRED_ERR_NOT_FOUND;
	default: return exit_code >= 128 ? MCRED_ERR_CANCELLED : MCRED_OK;
	}
}

/*
 * "timeout" for MCRED_ERR_TIMEOUT: the name without its prefix, in lower
 * case; "failure" for a failure of the tool that no error code names.
 */
static void err_kind(enum mcred_err code, char *kind, size_t len)
{
	const char *name = code == MCRED_OK ? NULL : mcred_err_name(code);
	size_t i;

	if (!name || strncmp(name, "MCRED_ERR_", 10) != 0) {
		snprintf(kind, len, "failure");
		return;
	}
	for (i = 0; name[10 + i] && i + 1 < len; i++)
		kind[i] = (char)tolower((unsigned char)name[10 + i]);
	kind[i] = '\0';
}

/*
 * {"error": {"exit_code": N, "kind": "...", "message": "...", "cme": N|null
 * [, "completed": true|false|null], "hints": [...]}[, "result": {...}]}: hints
 * are the lines standard error adds after the message; result, when given,
 * prints what the command would have printed had it not been interrupted.
 */
static void print_json_error(int exit_code, void (*result)(struct json *j, const void *user),
			     const void *user)
{
	enum mcred_err code = g_failure.code != MCRED_OK ? g_failure.code : code_of_exit(exit_code);
	char kind[32];
	struct json j;

	err_kind(code, kind, sizeof(kind));
	json_init(&j, stdout);
	json_object_begin(&j);
	json_key(&j, "error");
	json_object_begin(&j);
	json_field_int(&j, "exit_code", exit_code);
	json_field_string(&j, "kind", kind);
	json_field_string(&j, "message",
			  g_failure.message[0] ? g_failure.message : mcred_strerror(code));
	if (g_failure.cme >= 0)
		json_field_int(&j, "cme", g_failure.cme);
	else
		json_field_null(&j, "cme");
	if (g_failure.completed == MCRED_CHANGE_UNKNOWN)
		json_field_null(&j, "completed");
	else if (g_failure.completed != COMPLETED_ABSENT)
		json_field_bool(&j, "completed", g_failure.completed == MCRED_CHANGE_MADE);
	json_key(&j, "hints");
	json_array_begin(&j);
	for (int i = 0; i < g_failure.nhints; i++)
		json_string(&j, g_failure.hints[i]);
	json_array_end(&j);
	json_object_end(&j);
	if (result) {
		json_key(&j, "result");
		result(&j, user);
	}
	json_object_end(&j);
}

/* The mode the library could not restore, with the command that restores it. */
static int report_unrestored(const struct cli_ctx *ctx, const char *why)
{
	int mode = ctx && ctx->modem ? mcred_modem_unrestored_mode(ctx->modem) : -1;

	if (mode < 0)
		return 0;
	cli_errorf("%sthe modem's functional mode could not be restored (it stays as it is, "
		   "probably offline): restore it with `modemcred at AT+CFUN=%d`",
		   why, mode);
	return 1;
}

/* What an interrupted command that changes the modem did, in words. */
static const struct {
	enum cli_command command;
	const char *made, *none, *unknown;
} change_words[] = {
	{ CMD_WRITE, "the modem stored the credential: the write was carried out",
	  "nothing was written",
	  "whether the modem stored the credential is unknown: the answer to the write never "
	  "came (`modemcred list` shows what it holds)" },
	{ CMD_DELETE, "the modem deleted the credential: the delete was carried out",
	  "nothing was deleted",
	  "whether the modem deleted the credential is unknown: the answer to the delete never "
	  "came (`modemcred list` shows what it holds)" },
	{ CMD_KEYGEN, "the modem generated the key", "no key was generated",
	  "whether the modem generated a key is unknown: the answer to %KEYGEN never came, so "
	  "there is no CSR (`modemcred list` shows a new key; if there is one, generate again "
	  "with --force)" },
};

/* The index in change_words of this run's command, or -1. */
static int change_entry(const struct cli_ctx *ctx)
{
	size_t i;

	for (i = 0; ctx && i < sizeof(change_words) / sizeof(change_words[0]); i++)
		if (change_words[i].command == ctx->cl->command)
			return (int)i;
	return -1;
}

/*
 * "interrupted; <what the modem did>[ (<why>)]; <the mode>", and what the
 * modem did for the error object. done: the words of the command itself,
 * NULL for the usual ones; why: a failure the operation met meanwhile.
 */
static int report_interrupted(const struct cli_ctx *ctx, const char *done, const char *why)
{
	int entry = change_entry(ctx);
	enum mcred_change change = ctx && ctx->modem ? mcred_modem_last_change(ctx->modem)
						     : MCRED_CHANGE_NONE;
	int mode = ctx && ctx->modem ? mcred_modem_unrestored_mode(ctx->modem) : -1;
	char text[sizeof(g_failure.message)];
	size_t n;

	g_interrupt_reported = 1;
	if (entry >= 0) {
		g_failure.completed = change;
		if (!done)
			done = change == MCRED_CHANGE_MADE   ? change_words[entry].made
			       : change == MCRED_CHANGE_NONE ? change_words[entry].none
							     : change_words[entry].unknown;
	}
	n = (size_t)snprintf(text, sizeof(text), "interrupted%s%s", done ? "; " : "",
			     done ? done : "");
	if (why && n < sizeof(text))
		n += (size_t)snprintf(text + n, sizeof(text) - n, " (%s)", why);
	if (n >= sizeof(text))
		n = sizeof(text) - 1;
	/* Only --offline changes the mode (and the library restores it). */
	if (mode >= 0)
		snprintf(text + n, sizeof(text) - n,
			 "; the modem's functional mode could not be restored (it stays as it is, "
			 "probably offline): restore it with `modemcred at AT+CFUN=%d`",
			 mode);
	else if (ctx && ctx->modem && ctx->opts.auto_offline)
		snprintf(text + n, sizeof(text) - n, "; the modem's functional mode was restored");
	cli_errorf("%s", text);
	return cli_exit_code(MCRED_ERR_CANCELLED);
}

int cli_fail_interrupted(const struct cli_ctx *ctx, const char *done,
			 void (*result)(struct json *j, const void *user), const void *user)
{
	int code;

	note_interrupted(-1);
	code = report_interrupted(ctx, done, NULL);
	if (result && ctx->cl->json)
		print_json_error(code, result, user);
	return code;
}

/* Report err (message, code, CME) with the given exit code. */
static int fail_as(const struct cli_ctx *ctx, const struct mcred_error *err, int exit_code)
{
	const char *message = err->message[0] ? err->message : mcred_strerror(err->code);

	if (err->code == MCRED_ERR_CANCELLED)
		return cli_fail_interrupted(ctx, NULL, NULL, NULL);
	note_failure(err->code, err->cme, message);
	cli_errorf("%s", message);
	return exit_code;
}

int cli_fail(const struct cli_ctx *ctx, const struct mcred_error *err)
{
	return fail_as(ctx, err, cli_exit_code(err->code));
}

/*
 * CME 518 in the CLI's words: the library's meaning names its own option
 * (auto_offline); here it is --offline. Rewrites message in place (size bytes).
 */
static void name_offline_option(char *message, size_t size)
{
	const char *library = mcred_cme_message(518) + strlen("518: ");
	static const char ours[] =
		"the modem is online, and writes, deletes and key generation need it offline: "
		"give --offline to have modemcred take it offline (AT+CFUN=4) and restore its "
		"mode afterwards";
	char *at = strstr(message, library);
	char rest[1024];

	if (!at)
		return;
	snprintf(rest, sizeof(rest), "%s", at + strlen(library));
	snprintf(at, size - (size_t)(at - message), "%s%s", ours, rest);
}

/*
 * A read or write on the port failed (EIO, ENXIO, a hang-up): the device
 * went away under the command. Say what probably happened.
 */
static void explain_lost_port(const struct cli_ctx *ctx)
{
	struct stat st;

	if (!ctx->port[0])
		return;
	if (stat(ctx->port, &st) != 0)
		cli_errorf("%s is gone: the kit was unplugged, or reset (it may come back under "
			   "another name); plug it in again and run the command again",
			   ctx->port);
	else
		cli_errorf("%s stopped working during the command: was the kit unplugged and "
			   "plugged in again, reset, or its USB cable loose? (for a pseudo-terminal: "
			   "did the program behind it, such as socat or a simulator, exit?) Connect "
			   "it again and run the command again",
			   ctx->port);
}

/* A timeout, and nothing at all came from the port in this run. */
static void explain_silence(const struct cli_ctx *ctx)
{
	const struct mcred_options *o = mcred_modem_options(ctx->modem);

	if (!ctx->port[0] || cli_wait_heard_anything())
		return;
	/* a shell's output shows in traces only after the echo of the typed line */
	if (o && o->shell == MCRED_SHELL_ON) {
		cli_errorf("no answer to the typed command came from %s, or none after its "
			   "echo: does the device run a Zephyr shell with the `at` command "
			   "(CONFIG_AT_SHELL), or the raw AT host (leave --shell out)?",
			   ctx->port);
		return;
	}
	cli_errorf("nothing at all came from %s at %u baud: is it the modem's port (a Nordic kit "
		   "has several; the modem's is the first)? Does the device run an AT host "
		   "(at_client, serial_lte_modem) or a Zephyr shell (--shell)? Another baud rate "
		   "(--baud) or RTS/CTS (--flow rtscts)? Is the modem's application running?",
		   ctx->port, ctx->opts.baud ? ctx->opts.baud : 115200u);
}

int cli_fail_modem(const struct cli_ctx *ctx, enum mcred_err code)
{
	const struct mcred_error *e = mcred_modem_error(ctx->modem);
	char message[sizeof(e->message) + 256];

	if (code == MCRED_ERR_CANCELLED)
		return cli_fail_interrupted(ctx, NULL, NULL, NULL);
	/* The library's message already says what failed and how to fix it. */
	if (e && e->message[0])
		snprintf(message, sizeof(message), "%s", e->message);
	else if (e && e->cme >= 0)
		snprintf(message, sizeof(message), "%s: %s", mcred_strerror(code),
			 mcred_cme_message(e->cme));
	else
		snprintf(message, sizeof(message), "%s", mcred_strerror(code));
	if (e && e->cme == 518)
		name_offline_option(message, sizeof(message));
	/* interrupted meanwhile: what the modem did first, then why it failed */
	if (cli_interrupted()) {
		note_interrupted(e ? e->cme : -1);
		return report_interrupted(ctx, NULL, message);
	}
	note_failure(code, e ? e->cme : -1, message);
	cli_errorf("%s", message);
	/* the library names its option; say which is the CLI's, unless it already did */
	if (e && strstr(e->message, "max_command_len") && !strstr(e->message, "--max-command"))
		cli_errorf("give the size of the device's AT command buffer with --max-command "
			   "BYTES");
	if (code == MCRED_ERR_IO)
		explain_lost_port(ctx);
	if (code == MCRED_ERR_TIMEOUT)
		explain_silence(ctx);
	report_unrestored(ctx, "");
	return cli_exit_code(code);
}

void cli_info(const struct cli_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	if (ctx->cl->quiet || ctx->cl->json)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* ---- opening the modem ----------------------------------------------------------- */

/* The one attached Nordic kit, when no port was named. */
static int find_kit_port(char *name, size_t len)
{
	struct mcred_error err;
	enum mcred_err rc;

	memset(&err, 0, sizeof(err));
	rc = mcred_port_find_kit(name, len, &err);
	if (rc == MCRED_OK)
		return 0;
	if (rc == MCRED_ERR_CANCELLED)
		return cli_fail_interrupted(NULL, NULL, NULL, NULL);
	/* Always say the ways to name the port, and how to look the ports up. */
	cli_errorf("no port given, and %s: give the port with --port PORT or MODEMCRED_PORT, "
		   "or a kit with --serial-number; `modemcred ports` lists the serial ports",
		   err.message[0] ? err.message : "cannot look for a Nordic kit");
	return CLI_EXIT_PORT;
}

/* The modem port of the kit with USB serial number serial (--serial-number). */
static int find_kit_port_by_serial(const char *serial, char *name, size_t len)
{
	struct mcred_error err;

	memset(&err, 0, sizeof(err));
	if (mcred_port_find_kit_by_serial(serial, name, len, &err) == MCRED_OK)
		return 0;
	if (err.code == MCRED_ERR_CANCELLED)
		return cli_fail_interrupted(NULL, NULL, NULL, NULL);
	/* No such kit is a port problem (exit 3), as when no kit is found at all. */
	if (err.code == MCRED_ERR_NOT_FOUND)
		err.code = MCRED_ERR_PORT;
	fail_as(NULL, &err, CLI_EXIT_PORT);
	cli_errorf("`modemcred ports` lists the serial ports and kits");
	return CLI_EXIT_PORT;
}

/*
 * The port could not be opened: the library's reason, then what only the
 * CLI can add: its option to use a busy port anyway (not when another
 * program opened it with TIOCEXCL, as the library's message says: then the
 * kernel refuses every open, --ignore-busy too), and for a port that does
 * not exist where to find the right one.
 */
static int report_open_failure(const struct cli_ctx *ctx, const char *port,
			       const struct mcred_error *err)
{
	int code = cli_fail(ctx, err);

	if (err->code == MCRED_ERR_BUSY && !strstr(err->message, "(TIOCEXCL)"))
		cli_errorf("to use %s anyway give --ignore-busy: risky, both programs then read "
			   "the modem's answers, so a list can come back short and a write be "
			   "reported failed though stored",
			   port);
	else if (err->code == MCRED_ERR_PORT && access(port, F_OK) != 0)
		cli_errorf("`modemcred ports` lists the serial ports");
	return code;
}

int cli_open_modem(struct cli_ctx *ctx)
{
	char found[128];
	const char *port = ctx->cl->port;
	struct mcred_error err;
	enum mcred_err rc;

	if (cli_interrupted())
		return cli_fail_interrupted(ctx, NULL, NULL, NULL);
	if (!port && ctx->cl->serial_number) { /* the option wins over MODEMCRED_PORT */
		int code = find_kit_port_by_serial(ctx->cl->serial_number, found, sizeof(found));

		if (code != 0)
			return code;
		port = found;
		if (ctx->cl->verbose)
			fprintf(stderr, "using %s (the Nordic kit with serial number %s)\n", port,
				ctx->cl->serial_number);
	}
	if (!port) {
		port = getenv("MODEMCRED_PORT");
		if (port && !*port)
			port = NULL;
	}
	if (!port) {
		int code = find_kit_port(found, sizeof(found));

		if (code != 0)
			return code;
		port = found;
		if (ctx->cl->verbose)
			fprintf(stderr, "using %s (the only Nordic kit attached)\n", port);
	}
	snprintf(ctx->port, sizeof(ctx->port), "%s", port);
	cli_wait_begin(port, ctx->opts.baud ? ctx->opts.baud : 115200u,
		       !ctx->cl->quiet && isatty(STDERR_FILENO));
	memset(&err, 0, sizeof(err));
	rc = mcred_modem_open(&ctx->modem, port, &ctx->opts, &err);
	if (rc != MCRED_OK)
		return report_open_failure(ctx, port, &err);
	if (ctx->cl->verbose)
		fprintf(stderr, "opened %s (%s)\n", port, mcred_modem_transport_name(ctx->modem));
	return 0;
}

/* ---- help ---------------------------------------------------------------------------- */

static const char global_help[] =
	"Usage: modemcred [global options] <command> [command options]\n"
	"\n"
	"Manage the TLS credentials of a Nordic nRF91 modem over a serial line:\n"
	"list, write, read, check and delete %CMNG credentials, generate keys on\n"
	"the modem and verify what it returns.\n"
	"\n"
	"Commands (`modemcred <command> --help` explains each):\n"
	"  ports      list serial ports and recognise Nordic kits\n"
	"  info       IMEI, model, firmware, modem UUID, functional mode\n"
	"  list       list stored credentials with their SHA-256 digests\n"
	"  write      write a credential from a file\n"
	"  read       read a credential back, byte exact\n"
	"  delete     delete one credential\n"
	"  clear      delete every credential of a security tag, or of all (--all)\n"
	"  exists     tell whether a credential exists (exit 0 yes, 6 no)\n"
	"  compare    compare a stored credential with a file by digest\n"
	"  at         send a raw AT command\n"
	"  keygen     generate a key on the modem, get a CSR or public key, verify it\n"
	"  attest     get and verify an attestation token\n"
	"  verify     verify a %KEYGEN or %ATTESTTOKEN answer offline\n"
	"  provision  factory station: key, certificate and CA for one or many modems\n"
	"\n"
	"Global options (before or after the command):\n" CLI_HELP_OPTIONS "\n"
	"Credential types, by number or name: 0 ca, 1 cert, 2 key, 3 psk, 4 psk-id,\n"
	"5 pubkey, 6 identity, 7 reserved, 8 endorsement, 9 ownership, 10 nordic-ca,\n"
	"11 nordic-base; nrfcredstore's names (ROOT_CA_CERT, CLIENT_KEY, PSK_ID, ...)\n"
	"work too.\n"
	"\n"
	"Exit status:\n"
	"  0  success\n"
	"  1  other failure\n"
	"  2  usage error or invalid input (nothing was sent to the modem)\n"
	"  3  port, transport or timeout problem (also: the port is in use by\n"
	"     another program; --ignore-busy)\n"
	"  4  the modem refused (the message names the CME error and its meaning)\n"
	"  5  a verification failed (digest mismatch, failed signature check)\n"
	"  6  not found\n"
	"  7  a digest check asked for could not be made (write --verify, compare):\n"
	"     the firmware lists no digests, or is older than mfw 1.3.2\n"
	"  8  provision without --ca: key and CSR saved, no certificate yet\n"
	"  129, 130, 131, 143  interrupted by SIGHUP, SIGINT, SIGQUIT, SIGTERM: the\n"
	"     command the modem has finishes, nothing more is sent, the functional\n"
	"     mode is restored; a second signal abandons that command\n"
	"  141  output lost: standard output or error could not be written (a closed\n"
	"     pipe); the modem work was done and the mode restored\n"
	"\n"
	"Example:\n"
	"  modemcred -p /dev/ttyACM0 --offline write --tag 12 --type ca --verify ca.pem\n"
	"\n"
	"See modemcred(1).\n";

typedef int (*cmd_fn)(struct cli_ctx *ctx);

static const struct {
	cmd_fn run;
	const char *help;
} commands[CMD_COUNT] = {
	[CMD_PORTS] = { cmd_ports, cli_help_ports },
	[CMD_INFO] = { cmd_info, cli_help_info },
	[CMD_LIST] = { cmd_list, cli_help_list },
	[CMD_WRITE] = { cmd_write, cli_help_write },
	[CMD_READ] = { cmd_read, cli_help_read },
	[CMD_DELETE] = { cmd_delete, cli_help_delete },
	[CMD_CLEAR] = { cmd_clear, cli_help_clear },
	[CMD_EXISTS] = { cmd_exists, cli_help_exists },
	[CMD_COMPARE] = { cmd_compare, cli_help_compare },
	[CMD_AT] = { cmd_at, cli_help_at },
	[CMD_KEYGEN] = { cmd_keygen, cli_help_keygen },
	[CMD_ATTEST] = { cmd_attest, cli_help_attest },
	[CMD_VERIFY] = { cmd_verify, cli_help_verify },
	[CMD_PROVISION] = { cmd_provision, cli_help_provision },
};

/* "modemcred --help", "modemcred help [COMMAND]", "modemcred COMMAND --help". */
static int print_help(const struct cli_cmdline *cl)
{
	enum cli_command c = cl->command;
	int i;

	if (c == CMD_HELP && cl->nargs == 1) {
		for (i = CMD_NONE + 1; i < CMD_COUNT; i++)
			if (strcmp(cli_commands[i].name, cl->args[0]) == 0)
				c = (enum cli_command)i;
		if (c == CMD_HELP) {
			cli_errorf("unknown command '%.60s'; run `modemcred --help`", cl->args[0]);
			return CLI_EXIT_USAGE;
		}
	}
	if (commands[c].help)
		cli_help_print(stdout, commands[c].help, c);
	else
		cli_help_print(stdout, global_help, CMD_NONE);
	return CLI_EXIT_OK;
}

/*
 * --json given anywhere before "--": for a usage error, where the parser
 * may have stopped before reaching it.
 */
static int wants_json(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--json") == 0)
			return 1;
	return 0;
}

/*
 * With --json every failure prints one object on stdout: the error object,
 * unless the command's own result already did (compare's "equal": false,
 * exists, a verification report with its checks).
 */
static int finish_json(int json, int code)
{
	if (json && code != CLI_EXIT_OK && json_documents_on_stdout() == 0)
		print_json_error(code, NULL, NULL);
	return code;
}

/* The operations that take the modem offline with --offline, and so restore its mode. */
static int restores_mode(const struct cli_ctx *ctx)
{
	enum cli_command c = ctx->cl->command;

	return ctx->opts.auto_offline &&
	       (c == CMD_WRITE || c == CMD_DELETE || c == CMD_CLEAR || c == CMD_KEYGEN);
}

/*
 * A restart (boot banner) during the command: the modem lost its settings.
 * The library restored the mode it found when it knew it; otherwise say how.
 */
static void warn_if_restarted(const struct cli_ctx *ctx)
{
	unsigned restarts = ctx->modem ? mcred_modem_restarts(ctx->modem) : 0;
	const char *name = cli_commands[ctx->cl->command].name;
	const char *times = restarts > 1 ? " (more than once)" : "";

	if (restarts == 0)
		return;
	if (!restores_mode(ctx))
		cli_errorf("warning: the modem restarted during %s%s; it starts in CFUN 0 (off): "
			   "if it was on, turn it on with `modemcred at AT+CFUN=1`",
			   name, times);
	else
		cli_errorf("warning: the modem restarted during %s%s%s", name, times,
			   mcred_modem_unrestored_mode(ctx->modem) < 0
				   ? "; its functional mode was restored"
				   : "");
}

/* Output that could not be written so far (see finish_output). */
static int g_output_lost;

void cli_output_lost(void)
{
	g_output_lost = 1;
}

/*
 * Flush stdout and tell whether output was lost: standard output or
 * standard error could not be written (a reader that went away, `| head`:
 * EPIPE, as SIGPIPE is ignored; a full disk). The modem work went on and
 * the mode was restored; the exit status says the output was lost
 * (CLI_EXIT_OUTPUT_LOST), unless a signal interrupted the run (128 + it).
 */
static int finish_output(int code)
{
	if (fflush(stdout) != 0 || ferror(stdout))
		g_output_lost = 1;
	if (ferror(stderr))
		g_output_lost = 1;
	if (!g_output_lost)
		return code;
	cli_errorf("output lost: standard output or standard error could not be written");
	return cli_interrupted() ? code : CLI_EXIT_OUTPUT_LOST;
}

/*
 * A signal came that the command did not report (it arrived after the
 * library's last look, or the command sends nothing that stops): the run
 * still ends as interrupted, 128 + the signal; its output is complete.
 */
static int finish_interrupted(const struct cli_ctx *ctx, int code)
{
	char done[96];

	if (!cli_interrupted() || g_interrupt_reported)
		return code;
	if (code != CLI_EXIT_OK)
		return cli_fail_interrupted(ctx, NULL, NULL, NULL);
	snprintf(done, sizeof(done), "`%s` had finished: its output is complete",
		 cli_commands[ctx->cl->command].name);
	return report_interrupted(ctx, done, NULL);
}

int cli_app_main(int argc, char **argv)
{
	struct cli_cmdline cl;
	struct cli_ctx ctx;
	struct mcred_error err;
	int code;

	if (argc <= 1) { /* bare `modemcred`: what it can do, as a usage error */
		cli_help_print(stdout, global_help, CMD_NONE);
		return finish_output(CLI_EXIT_USAGE);
	}
	memset(&err, 0, sizeof(err));
	if (cli_cmdline_parse(argc, argv, &cl, &err) != 0) {
		note_failure(MCRED_ERR_INVALID_ARG, -1, err.message);
		cli_errorf("%s", err.message);
		return finish_output(finish_json(wants_json(argc, argv), CLI_EXIT_USAGE));
	}
	if (cl.version) {
		printf("modemcred %s (libmodemcred %s)\n", MCRED_VERSION_STRING, mcred_version());
		return finish_output(CLI_EXIT_OK);
	}
	if (cl.help || cl.command == CMD_HELP)
		return finish_output(finish_json(cl.json, print_help(&cl)));

	install_signal_handlers();
	memset(&ctx, 0, sizeof(ctx));
	ctx.cl = &cl;
	ctx.opts = cl.opts;
	ctx.opts.cancel_cb = cancel_cb;
	ctx.opts.trace_cb = trace_cb;
	ctx.opts.trace_user = &ctx;

	code = commands[cl.command].run(&ctx);
	code = finish_interrupted(&ctx, code);
	warn_if_restarted(&ctx);
	mcred_modem_free(ctx.modem);
	return finish_output(finish_json(cl.json || ctx.json_output, code));
}
