/*
 * The `at` commands of the two shell applications. Both pass their first
 * argument to the modem (nrf_modem_at_cmd) and print the answer; they differ
 * in the details.
 *
 * shell: sdk-nrf lib/at_shell/at_shell.c (with events_enable, commit
 * 04c740e5) and its Kconfig:
 *  - no argument: the usage text;
 *  - "events_enable" / "events_disable": "AT command event handler
 *    enabled" / "... disabled"; while enabled each notification prints as
 *    "AT event handler:\n<notification>" (async.c);
 *  - with CONFIG_AT_SHELL_UNESCAPE_LF (on unless --shell-no-unescape-lf)
 *    each "\n" of a command starting with AT%CMNG=0 becomes CR LF;
 *  - the answer (OK or not) printed with shell_print() as it is; an answer
 *    longer than CONFIG_AT_SHELL_CMD_RESPONSE_MAX_LEN (--shell-response-max,
 *    2700) makes nrf_modem_at_cmd() fail with -E2BIG and prints "Sending AT
 *    command failed with error code -7" instead; --shell-at-fail N fails
 *    every command so with -N.
 *
 * modem_shell: samples/cellular/modem_shell/src/at/at_shell.c (commit
 * 1b20c062), src/utils/mosh_print.c (commit 155a24e6):
 *  - "events_enable" / "events_disable": "AT command events enabled" /
 *    "... disabled"; notifications then print as "AT event handler: %s";
 *  - "\n" becomes CR LF in a command starting with AT%CMNG=0, always;
 *  - an OK answer goes through mosh_print(), an ERROR or CME one through
 *    mosh_error() (red); the answer buffer holds 2700 characters
 *    (MOSH_AT_CMD_RESPONSE_MAX_LEN 2701), a longer answer prints "Failed to
 *    send AT command, err -7" (red);
 *  - mosh_print() formats into a buffer of CONFIG_MOSH_PRINT_BUFFER_SIZE
 *    (1024): a longer answer first prints "Cutting too long string while
 *    printing..." (red), then its first 1023 characters.
 */
#include "sim.h"

#include <string.h>

#define E2BIG_CODE 7
#define MOSH_PRINT_BUFFER_SIZE 1024
#define RED 1

static const char cmng_write_prefix[] = "AT%CMNG=0";

/* lib/at_shell's at_usage_str, printed with shell_print("%s", ...). */
static const char at_shell_usage[] =
	"Usage: at <subcommand>\n"
	"\n"
	"Subcommands:\n"
	"  events_enable     Enable AT event handler which prints AT notifications\n"
	"  events_disable    Disable AT event handler\n"
	"\n"
	"Any other subcommand is interpreted as AT command and sent to the modem.\n"
	"\n";

/* shell_print(): the text and "\n", through the terminal. */
static void print_line(struct sim *sim, struct buf *out, int colour, const char *text, size_t len)
{
	struct buf b = { 0 };

	buf_add(&b, text, len);
	buf_adds(&b, "\n");
	shell_print_text(sim, out, colour, b.data, b.len);
	buf_free(&b);
}

/* "\n" (two characters) to CR LF in a credential write. */
static void unescape_lf(struct buf *cmd)
{
	size_t n = sizeof(cmng_write_prefix) - 1;

	if (cmd->len < n || memcmp(cmd->data, cmng_write_prefix, n) != 0)
		return;
	for (size_t i = 0; i + 1 < cmd->len; i++) {
		if (cmd->data[i] == '\\' && cmd->data[i + 1] == 'n') {
			cmd->data[i] = '\r';
			cmd->data[i + 1] = '\n';
		}
	}
}

/* The events subcommands; 1 when argv[1] was one. */
static int events_subcommand(struct sim *sim, const struct buf *arg, struct buf *out)
{
	int mosh = sim->opt.app == APP_MODEM_SHELL;
	const char *text;

	if (!strcmp(arg->data, "events_enable")) {
		sim->async.events_enabled = 1;
		text = mosh ? "AT command events enabled" : "AT command event handler enabled";
	} else if (!strcmp(arg->data, "events_disable")) {
		sim->async.events_enabled = 0;
		text = mosh ? "AT command events disabled" : "AT command event handler disabled";
	} else {
		return 0;
	}
	print_line(sim, out, 0, text, strlen(text));
	return 1;
}

/* lib/at_shell's report of nrf_modem_at_cmd() failing with -code. */
static void print_failure(struct sim *sim, struct buf *out, long code)
{
	char text[80];
	int n = snprintf(text, sizeof(text), "Sending AT command failed with error code -%ld",
			 code);

	print_line(sim, out, 0, text, (size_t)n);
}

/* lib/at_shell: 0 when the modem never answered. */
static int at_shell_run(struct sim *sim, struct buf *cmd, struct buf *out)
{
	struct buf answer = { 0 };
	int res;

	if (!sim->opt.shell_no_unescape_lf)
		unescape_lf(cmd);
	if (sim->opt.shell_at_fail) {
		at_log_text(sim, cmd->data, cmd->len);
		print_failure(sim, out, sim->opt.shell_at_fail);
		return 1;
	}
	res = at_modem_answer(sim, cmd->data, cmd->len, &answer);
	if (res == RES_NONE) {
		buf_free(&answer);
		return 0;
	}
	if (answer.len > sim->opt.shell_response_max)
		print_failure(sim, out, E2BIG_CODE);
	else
		print_line(sim, out, 0, answer.data, answer.len);
	buf_free(&answer);
	return 1;
}

/* mosh_print() / mosh_error(): through the 1024-byte print buffer, which
 * holds the timestamp first after `print timestamps enable` (--mosh-timestamps). */
static void mosh_print(struct sim *sim, struct buf *out, int colour, const char *text, size_t len)
{
	struct buf b = { 0 };

	shell_mosh_timestamp(sim, &b);
	buf_add(&b, text, len);
	if (b.len >= MOSH_PRINT_BUFFER_SIZE) {
		static const char cut[] = "Cutting too long string while printing...";

		print_line(sim, out, RED, cut, sizeof(cut) - 1);
		b.len = MOSH_PRINT_BUFFER_SIZE - 1;
	}
	print_line(sim, out, colour, b.data, b.len);
	buf_free(&b);
}

/* modem_shell's cmd_at(): 0 when the modem never answered. */
static int mosh_at_run(struct sim *sim, struct buf *cmd, struct buf *out)
{
	struct buf answer = { 0 };
	char text[64];
	int res, n;

	unescape_lf(cmd);
	if (sim->opt.shell_at_fail) {
		at_log_text(sim, cmd->data, cmd->len);
		n = snprintf(text, sizeof(text), "Failed to send AT command, err -%ld",
			     sim->opt.shell_at_fail);
		mosh_print(sim, out, RED, text, (size_t)n);
		return 1;
	}
	res = at_modem_answer(sim, cmd->data, cmd->len, &answer);
	if (res == RES_NONE) {
		buf_free(&answer);
		return 0;
	}
	if (answer.len > sim->opt.shell_response_max) {
		n = snprintf(text, sizeof(text), "Failed to send AT command, err -%d", E2BIG_CODE);
		mosh_print(sim, out, RED, text, (size_t)n);
	} else {
		mosh_print(sim, out, res == RES_OK ? 0 : RED, answer.data, answer.len);
	}
	buf_free(&answer);
	return 1;
}

/*
 * CONFIG_SHELL_WILDCARD=y (Zephyr's default; shell.c execute(),
 * shell_wildcard.c): an argument after the command that holds '?' or '*' is
 * a pattern for the command's subcommands; when none matches (at_shell has
 * none, modem_shell's are events_enable...), execute() stops there and runs
 * the command without that argument and those after it.
 */
static int wildcard_cut(const struct sim *sim, int argc, const struct buf *argv)
{
	if (!sim->opt.shell_wildcard)
		return argc;
	for (int i = 1; i < argc; i++)
		if (strpbrk(argv[i].data, "?*"))
			return i;
	return argc;
}

int shell_at_command(struct sim *sim, int argc, struct buf *argv, struct buf *out)
{
	int mosh = sim->opt.app == APP_MODEM_SHELL;

	argc = wildcard_cut(sim, argc, argv);

	if (argc < 2 ||
	    (mosh && (!strcmp(argv[1].data, "-h") || !strcmp(argv[1].data, "--help")))) {
		if (mosh) {
			/* shell_help(): the command's help (Zephyr's layout, abridged) */
			static const char help[] =
				"at - Execute an AT command. Any subcommand not listed below is "
				"interpreted as AT command and sent to the modem.\n";
			shell_print_text(sim, out, 0, help, sizeof(help) - 1);
		} else {
			print_line(sim, out, 0, at_shell_usage, sizeof(at_shell_usage) - 2);
		}
		return 1;
	}
	if (events_subcommand(sim, &argv[1], out))
		return 1;
	return mosh ? mosh_at_run(sim, &argv[1], out) : at_shell_run(sim, &argv[1], out);
}
