/*
 * The modemcred application: global help, signals, the AT trace, opening the
 * modem, exit codes and dispatch to the commands in cmd_*.c.
 *
 * Every feature lives in libmodemcred; this layer only turns the command
 * line into library calls and library results into output and exit codes.
 */
#include <ctype.h>
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
 * SIGINT/SIGTERM only set this flag. The library polls cancel_cb, stops
 * waiting, restores the functional mode itself and returns
 * MCRED_ERR_CANCELLED; we then free the modem and exit 128 + signal.
 */
static volatile sig_atomic_t g_signal;

static void on_signal(int signo)
{
	g_signal = signo;
}

static void install_signal_handlers(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: a blocked read of stdin must return EINTR */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

int cli_interrupted(void)
{
	return (int)g_signal;
}

static int cancel_cb(void *user)
{
	(void)user;
	cli_wait_poll(); /* polled while the library waits: the silence notice */
	return g_signal != 0;
}

/* ---- AT trace (-v) ----------------------------------------------------------- */

/*
 * Print one trace record as "> line" (sent) or "< line" (received), one
 * output line per line of text, control characters made visible. The
 * library has already replaced secret content by a placeholder.
 */
static void print_trace(enum mcred_trace_dir dir, const char *text, size_t len)
{
	const char *mark = dir == MCRED_TRACE_TX ? "> " : "< ";
	size_t i;
	int at_line_start = 1;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c == '\r')
			continue;
		if (at_line_start) {
			fputs(mark, stderr);
			at_line_start = 0;
		}
		if (c == '\n') {
			fputc('\n', stderr);
			at_line_start = 1;
		} else if (c < 0x20 || c == 0x7f) {
			fprintf(stderr, "\\x%02x", c);
		} else {
			fputc(c, stderr);
		}
	}
	if (!at_line_start)
		fputc('\n', stderr);
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
		print_trace(dir, text, len);
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

/*
 * The failure of this run, for the --json error object. The first report
 * with a library error code wins (what follows are hints); a plain message
 * stands until one with a code comes. Only the main thread touches it.
 */
static struct {
	enum mcred_err code; /* MCRED_OK: none known; derived from the exit code */
	int cme;             /* -1 when the modem gave none */
	char message[1024];
} g_failure = { MCRED_OK, -1, "" };

static void note_failure(enum mcred_err code, int cme, const char *message)
{
	if (g_failure.code != MCRED_OK)
		return;
	g_failure.code = code;
	g_failure.cme = cme;
	/* Without a message, the next cli_errorf() gives it. */
	snprintf(g_failure.message, sizeof(g_failure.message), "%s", message ? message : "");
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

/* {"error": {"exit_code": N, "kind": "...", "message": "...", "cme": N|null}} */
static void print_json_error(int exit_code)
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
	json_object_end(&j);
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

static int report_interrupted(const struct cli_ctx *ctx)
{
	/* Only --offline changes the mode (and the library restores it). */
	if (report_unrestored(ctx, "interrupted; "))
		return cli_exit_code(MCRED_ERR_CANCELLED);
	if (ctx && ctx->modem && ctx->opts.auto_offline)
		cli_errorf("interrupted; the modem's functional mode was restored");
	else
		cli_errorf("interrupted");
	return cli_exit_code(MCRED_ERR_CANCELLED);
}

/* Report err (message, code, CME) with the given exit code. */
static int fail_as(const struct cli_ctx *ctx, const struct mcred_error *err, int exit_code)
{
	const char *message = err->message[0] ? err->message : mcred_strerror(err->code);

	if (err->code == MCRED_ERR_CANCELLED) {
		note_failure(MCRED_ERR_CANCELLED, -1, NULL);
		return report_interrupted(ctx);
	}
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
	if (!ctx->port[0] || cli_wait_heard_anything())
		return;
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

	if (code == MCRED_ERR_CANCELLED) {
		note_failure(MCRED_ERR_CANCELLED, -1, NULL);
		return report_interrupted(ctx);
	}
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
	note_failure(code, e ? e->cme : -1, message);
	cli_errorf("%s", message);
	if (code == MCRED_ERR_TIMEOUT && e && strstr(e->message, "max_command_len"))
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
		return report_interrupted(NULL);
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
		return report_interrupted(NULL);
	/* No such kit is a port problem (exit 3), as when no kit is found at all. */
	if (err.code == MCRED_ERR_NOT_FOUND)
		err.code = MCRED_ERR_PORT;
	fail_as(NULL, &err, CLI_EXIT_PORT);
	cli_errorf("`modemcred ports` lists the serial ports and kits");
	return CLI_EXIT_PORT;
}

/*
 * The port could not be opened: the library's reason, then what only the
 * CLI can add: its option to use a busy port anyway, and for a port that
 * does not exist where to find the right one.
 */
static int report_open_failure(const struct cli_ctx *ctx, const char *port,
			       const struct mcred_error *err)
{
	int code = cli_fail(ctx, err);

	if (err->code == MCRED_ERR_BUSY)
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
		return report_interrupted(ctx);
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
	"  130, 143  interrupted by SIGINT, SIGTERM (functional mode restored)\n"
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
		print_json_error(code);
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

/* Flush stdout and report a failed write (full disk, closed pipe). */
static int finish_output(int code)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_errorf("cannot write standard output");
		return code ? code : CLI_EXIT_FAILURE;
	}
	return code;
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
	warn_if_restarted(&ctx);
	mcred_modem_free(ctx.modem);
	return finish_output(finish_json(cl.json, code));
}
