/*
 * modemsim: command-line options and lifecycle.
 *
 *   modemsim --link PATH [options]
 *
 * Start-up: parse options, load (or create) the store and identity key, open
 * the pseudo-terminal and publish it as PATH. "Ready" is simply: PATH exists.
 * Then serve any number of sequential clients until SIGTERM or SIGINT, remove
 * the link, write the statistics and exit 0. Nothing is printed on stdout.
 */
#include "sim.h"
#include "keygen.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

volatile int sim_stop;
volatile int sim_reset_requested;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		sim_reset_requested = 1;
	else
		sim_stop = 1;
}

static void usage(FILE *f)
{
	fputs("usage: modemsim --link PATH [options]\n"
	      "Simulated nRF91 modem on a pseudo-terminal, running one of the applications\n"
	      "put in front of the modem, each as strict as the real one.\n"
	      "  --link PATH            symlink to the pty (ready when it exists)\n"
	      "  --app NAME             the application (default at_client):\n"
	      "                         at_client    raw AT host (lib/at_host): no echo, CR\n"
	      "                                      terminator, answers without a leading\n"
	      "                                      CRLF, one --max-cmd buffer for a command\n"
	      "                                      and its answer\n"
	      "                         modem_shell  Zephyr shell \"mosh:~$ \", its at command,\n"
	      "                                      link/PDN event lines as they happen\n"
	      "                         shell        Zephyr shell \"uart:~$ \" with at_shell and\n"
	      "                                      Zephyr log lines on the same UART\n"
	      "                         slm          Serial LTE Modem: \"Ready\" at start,\n"
	      "                                      answers \"\\r\\n<info>\\r\\n\\r\\nOK\\r\\n\",\n"
	      "                                      CR LF terminator, #XSLMVER, #XUUID, #XRESET\n"
	      "  --shell                the same as --app shell\n"
	      "  --async-ms N           asynchronous output (URCs, event lines, log lines) on\n"
	      "                         average every N ms of emulated time, at random places:\n"
	      "                         before an echo, inside a line being typed, between\n"
	      "                         answer lines, after a prompt (default 0: only what a\n"
	      "                         CFUN change brings); repeatable with --seed\n"
	      "  --seed N               random seed (--async-ms, --fragment; default 12345)\n"
	      "  --stale TEXT           bytes waiting in the line when a client opens it;\n"
	      "                         escapes \\r \\n \\t \\e \\\\ \\xHH\n"
	      "  --lte-lc               at_client, slm: the application runs LTE link control,\n"
	      "                         subscribed to +CEREG (5), +CSCON, %MDMEV and +CGEV\n"
	      "  --uart-log             at_client, slm: the application's log lines (Zephyr\n"
	      "                         UART log backend) on the same line\n"
	      "  --store FILE           keep credentials and identity key in FILE (NVM)\n"
	      "  --cfun N               functional mode at start (default 0)\n"
	      "  --cmee N               CMEE at start (default 0)\n"
	      "  --echo                 at_client: start with echo on (ATE1)\n"
	      "  --shell-plain-prompt   shells: no VT100 colours\n"
	      "  --shell-prompt NAME    shells: prompt NAME:~$ (default uart; mosh: modem_shell)\n"
	      "  --shell-no-unescape-lf shell: at_shell without CONFIG_AT_SHELL_UNESCAPE_LF\n"
	      "  --shell-no-olf         shells: print \"\\n\" as it is (a backend with\n"
	      "                         SHELL_FLAG_CRLF_DEFAULT); the UART backend sends\n"
	      "                         every \"\\n\", also the modem's, as \"\\r\\n\"\n"
	      "  --shell-wildcard       shells: CONFIG_SHELL_WILDCARD=y (Zephyr's default):\n"
	      "                         an argument with ? or * that matches no subcommand\n"
	      "                         is dropped, so at 'AT+CFUN?' prints the usage\n"
	      "  --mosh-timestamps      modem_shell: `print timestamps enable` was run:\n"
	      "                         \"[YYYY-MM-DD hh:mm:ss.mmm] \" before each mosh_print()\n"
	      "  --shell-cmd-buff N     shells: CONFIG_SHELL_CMD_BUFF_SIZE (default 2048;\n"
	      "                         modem_shell 3584)\n"
	      "  --shell-response-max N shells: longest answer of the at command (default\n"
	      "                         2700, CONFIG_AT_SHELL_CMD_RESPONSE_MAX_LEN)\n"
	      "  --shell-at-fail N      shells: every at command fails with error code -N\n"
	      "  --terminator T         cr|lf|crlf|nul, as CONFIG_AT_HOST_TERMINATION\n"
	      "                         (default cr; an LF after it starts the next\n"
	      "                         command and the modem skips it, so CRLF works);\n"
	      "                         slm: cr|lf|crlf, default crlf\n"
	      "  --max-cmd N            AT host buffer, CONFIG_AT_HOST_CMD_MAX_LEN (default\n"
	      "                         4096): holds N-2 command bytes (more are dropped,\n"
	      "                         a dropped closing quote makes the host deaf) and\n"
	      "                         N-1 answer bytes (longer: cut, no final result);\n"
	      "                         slm: SLM_AT_MAX_CMD_LEN (default 4096): N command\n"
	      "                         bytes (more: ERROR), N-2 answer bytes (more: ERROR)\n"
	      "  --banner               the application's boot output at start (to the\n"
	      "                         first client) and on reset; always for slm\n"
	      "                         (SIGUSR1 resets: boot output, CFUN 0, CMEE 0, echo\n"
	      "                         off, unanswered input dropped)\n"
	      "  --reset-after-cmd TEXT reset instead of answering the first command\n"
	      "                         that contains TEXT\n"
	      "  --silent-after-cmd TEXT  answer nothing from the first command that\n"
	      "                         contains TEXT on, until a reset\n"
	      "  --hold-file FILE       while FILE exists, a command that contains its\n"
	      "                         first line is logged, then \"HELD\", and answered\n"
	      "                         only once FILE is removed (60 s at most): a test\n"
	      "                         makes something happen while the modem works\n"
	      "  --baud N               pace both directions as a line at N baud\n"
	      "  --urc-every MS         every MS ms (wall clock) the online modem changes\n"
	      "                         something and tells (+CEREG, %CESQ, +CSCON,\n"
	      "                         %XMODEMSLEEP subscribed); also inside every 3rd answer\n"
	      "  --fragment             write output in random 1-7 byte chunks\n"
	      "  --latency-ms N         processing time before each answer\n"
	      "  --keygen-ms N          processing time of %KEYGEN (default 0; real modems\n"
	      "                         take longer, by an undocumented amount)\n"
	      "  --capacity N           max number of user credentials (default 32)\n"
	      "  --no-sha               old firmware: no digests in list/read\n"
	      "  --spaces               ', ' after commas in responses\n"
	      "  --fw STR               AT+CGMR answer (default mfw_nrf9160_1.3.5); 2.x\n"
	      "                         refuses non-certificates as type 0/1 (527), 2.0.2\n"
	      "                         also CRLF ones; mfw-pti_* (test firmware) answers\n"
	      "                         ERROR to +CGSN and %XMODEMUUID; *-ntn_* is modern\n"
	      "  --model STR            AT+CGMM answer (default nRF9160-SICA): nRF9160-SIAA,\n"
	      "                         -SIBA, -SICA, nRF9161-LACA, nRF9131-LACA, nRF9151-LACA\n"
	      "                         (sets the attestation device type)\n"
	      "  --imei STR             AT+CGSN answer (default 351358811234567)\n"
	      "  --uuid UUID            device UUID (%KEYGEN, %ATTESTTOKEN)\n"
	      "  --fw-uuid UUID         firmware build UUID (%XMODEMUUID, %ATTESTTOKEN)\n"
	      "  --identity-key-out F   write the identity public key (PEM) at start\n"
	      "  --keygen-fail CODE     answer every %KEYGEN with +CME ERROR CODE\n"
	      "  --keygen-subject ATTRS a faulty modem: every CSR's subject is made of\n"
	      "                         ATTRS (same syntax as %KEYGEN's; '' the default\n"
	      "                         CN=<uuid>), whatever %KEYGEN asked for\n"
	      "  --modern-csr           CSR without legacy NULL parameters\n"
	      "  --stats FILE           write rx_bytes/tx_bytes/commands on exit\n"
	      "  --log FILE             append one line per command received, and\n"
	      "                         RESET, BANNER, SILENT, CUT and DROPPED events\n"
	      "  --help\n",
	      f);
}

/* --stale TEXT: the escapes a test needs to write a prompt, colours included. */
static int decode_escapes(const char *s, struct buf *out)
{
	for (; *s; s++) {
		char c = *s;
		if (c == '\\') {
			char e = *++s;
			unsigned v = 0;
			if (e == 'r')
				c = '\r';
			else if (e == 'n')
				c = '\n';
			else if (e == 't')
				c = '\t';
			else if (e == 'e')
				c = 0x1b;
			else if (e == '\\')
				c = '\\';
			else if (e == 'x' && s[1] && s[2] && sscanf(s + 1, "%2x", &v) == 1 &&
				 strspn(s + 1, "0123456789abcdefABCDEF") >= 2) {
				c = (char)v;
				s += 2;
			} else
				return -1;
		}
		buf_add(out, &c, 1);
	}
	return 0;
}

/* Parse a non-negative decimal number, or exit with a usage error. */
static long parse_num(const char *opt, const char *s)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0) {
		fprintf(stderr, "modemsim: %s: invalid number '%s'\n", opt, s);
		exit(2);
	}
	return v;
}

/* "4e5249d0-5349-4d00-8000-0123456789ab" -> 16 bytes; 0 on success. */
static int parse_uuid(const char *s, uint8_t out[16])
{
	size_t n = 0;
	for (const char *p = s; *p; p++) {
		if (*p == '-')
			continue;
		if (n >= 32)
			return -1;
		char c = *p;
		int v = c >= '0' && c <= '9'   ? c - '0'
			: c >= 'a' && c <= 'f' ? c - 'a' + 10
			: c >= 'A' && c <= 'F' ? c - 'A' + 10
					       : -1;
		if (v < 0)
			return -1;
		if (n % 2 == 0)
			out[n / 2] = (uint8_t)(v << 4);
		else
			out[n / 2] |= (uint8_t)v;
		n++;
	}
	return n == 32 ? 0 : -1;
}

static void set_defaults(struct sim_options *o)
{
	memset(o, 0, sizeof(*o));
	o->fw = "mfw_nrf9160_1.3.5";
	o->model = "nRF9160-SICA";
	o->imei = "351358811234567";
	o->uuid_text = "4e5249d0-5349-4d00-8000-0123456789ab";
	o->fw_uuid_text = "7c1f3b2a-95d4-4e8b-a6f0-2d9e81c4b357";
	o->app = APP_AT_CLIENT;
	o->terminator = TERM_CR;
	o->max_cmd = 4096;
	o->capacity = 32;
	o->seed = 12345;
}

static void parse_options(int argc, char **argv, struct sim_options *o)
{
	enum {
		O_LINK = 256,
		O_STORE,
		O_CFUN,
		O_CMEE,
		O_ECHO,
		O_SHELL,
		O_TERM,
		O_MAXCMD,
		O_BAUD,
		O_URC,
		O_FRAG,
		O_SEED,
		O_LAT,
		O_CAP,
		O_NOSHA,
		O_SPACES,
		O_FW,
		O_MODEL,
		O_IMEI,
		O_UUID,
		O_IDOUT,
		O_KGFAIL,
		O_KGSUBJECT,
		O_MODERN,
		O_STATS,
		O_LOG,
		O_HELP,
		O_FWUUID,
		O_BANNER,
		O_RESET_AFTER,
		O_SILENT_AFTER,
		O_HOLD_FILE,
		O_KGMS,
		O_SH_PLAIN,
		O_SH_PROMPT,
		O_SH_NO_LF,
		O_SH_BUFF,
		O_SH_RESP,
		O_SH_FAIL,
		O_APP,
		O_ASYNC,
		O_STALE,
		O_LTE_LC,
		O_UART_LOG,
		O_SH_NO_OLF,
		O_SH_WILDCARD,
		O_MOSH_TIMESTAMPS,
	};
	static const struct option longopts[] = {
		{ "link", required_argument, NULL, O_LINK },
		{ "store", required_argument, NULL, O_STORE },
		{ "cfun", required_argument, NULL, O_CFUN },
		{ "cmee", required_argument, NULL, O_CMEE },
		{ "echo", no_argument, NULL, O_ECHO },
		{ "shell", no_argument, NULL, O_SHELL },
		{ "terminator", required_argument, NULL, O_TERM },
		{ "max-cmd", required_argument, NULL, O_MAXCMD },
		{ "baud", required_argument, NULL, O_BAUD },
		{ "urc-every", required_argument, NULL, O_URC },
		{ "fragment", no_argument, NULL, O_FRAG },
		{ "seed", required_argument, NULL, O_SEED },
		{ "latency-ms", required_argument, NULL, O_LAT },
		{ "capacity", required_argument, NULL, O_CAP },
		{ "no-sha", no_argument, NULL, O_NOSHA },
		{ "spaces", no_argument, NULL, O_SPACES },
		{ "fw", required_argument, NULL, O_FW },
		{ "model", required_argument, NULL, O_MODEL },
		{ "imei", required_argument, NULL, O_IMEI },
		{ "uuid", required_argument, NULL, O_UUID },
		{ "identity-key-out", required_argument, NULL, O_IDOUT },
		{ "keygen-fail", required_argument, NULL, O_KGFAIL },
		{ "keygen-subject", required_argument, NULL, O_KGSUBJECT },
		{ "modern-csr", no_argument, NULL, O_MODERN },
		{ "stats", required_argument, NULL, O_STATS },
		{ "log", required_argument, NULL, O_LOG },
		{ "help", no_argument, NULL, O_HELP },
		{ "fw-uuid", required_argument, NULL, O_FWUUID },
		{ "banner", no_argument, NULL, O_BANNER },
		{ "reset-after-cmd", required_argument, NULL, O_RESET_AFTER },
		{ "silent-after-cmd", required_argument, NULL, O_SILENT_AFTER },
		{ "hold-file", required_argument, NULL, O_HOLD_FILE },
		{ "keygen-ms", required_argument, NULL, O_KGMS },
		{ "shell-plain-prompt", no_argument, NULL, O_SH_PLAIN },
		{ "shell-prompt", required_argument, NULL, O_SH_PROMPT },
		{ "shell-no-unescape-lf", no_argument, NULL, O_SH_NO_LF },
		{ "shell-cmd-buff", required_argument, NULL, O_SH_BUFF },
		{ "shell-response-max", required_argument, NULL, O_SH_RESP },
		{ "shell-at-fail", required_argument, NULL, O_SH_FAIL },
		{ "app", required_argument, NULL, O_APP },
		{ "async-ms", required_argument, NULL, O_ASYNC },
		{ "stale", required_argument, NULL, O_STALE },
		{ "lte-lc", no_argument, NULL, O_LTE_LC },
		{ "uart-log", no_argument, NULL, O_UART_LOG },
		{ "shell-no-olf", no_argument, NULL, O_SH_NO_OLF },
		{ "shell-wildcard", no_argument, NULL, O_SH_WILDCARD },
		{ "mosh-timestamps", no_argument, NULL, O_MOSH_TIMESTAMPS },
		{ NULL, 0, NULL, 0 },
	};
	set_defaults(o);
	int c;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case O_LINK: o->link = optarg; break;
		case O_STORE: o->store_file = optarg; break;
		case O_CFUN: o->cfun = (int)parse_num("--cfun", optarg); break;
		case O_CMEE: o->cmee = (int)parse_num("--cmee", optarg); break;
		case O_ECHO: o->echo = 1; break;
		case O_SHELL: o->app = APP_SHELL; break;
		case O_APP:
			if (app_parse(optarg, &o->app)) {
				fprintf(stderr,
					"modemsim: --app: at_client, modem_shell, shell "
					"or slm, not '%s'\n",
					optarg);
				exit(2);
			}
			break;
		case O_ASYNC: o->async_ms = parse_num("--async-ms", optarg); break;
		case O_STALE:
			buf_clear(&o->stale);
			if (decode_escapes(optarg, &o->stale)) {
				fprintf(stderr,
					"modemsim: --stale: unknown escape in '%s' "
					"(\\r \\n \\t \\e \\\\ \\xHH)\n",
					optarg);
				exit(2);
			}
			break;
		case O_LTE_LC: o->lte_lc = 1; break;
		case O_UART_LOG: o->uart_log = 1; break;
		case O_SH_NO_OLF: o->shell_no_olf = 1; break;
		case O_SH_WILDCARD: o->shell_wildcard = 1; break;
		case O_MOSH_TIMESTAMPS: o->mosh_timestamps = 1; break;
		case O_TERM:
			o->terminator_given = 1;
			if (!strcmp(optarg, "crlf"))
				o->terminator = TERM_CRLF;
			else if (!strcmp(optarg, "cr"))
				o->terminator = TERM_CR;
			else if (!strcmp(optarg, "lf"))
				o->terminator = TERM_LF;
			else if (!strcmp(optarg, "nul"))
				o->terminator = TERM_NUL;
			else {
				fprintf(stderr, "modemsim: --terminator: crlf, cr, lf or nul\n");
				exit(2);
			}
			break;
		case O_MAXCMD: o->max_cmd = (size_t)parse_num("--max-cmd", optarg); break;
		case O_BAUD: o->baud = parse_num("--baud", optarg); break;
		case O_URC: o->urc_every_ms = parse_num("--urc-every", optarg); break;
		case O_FRAG: o->fragment = 1; break;
		case O_SEED: o->seed = (unsigned)parse_num("--seed", optarg); break;
		case O_LAT: o->latency_ms = parse_num("--latency-ms", optarg); break;
		case O_CAP: o->capacity = (size_t)parse_num("--capacity", optarg); break;
		case O_NOSHA: o->no_sha = 1; break;
		case O_SPACES: o->spaces = 1; break;
		case O_FW: o->fw = optarg; break;
		case O_MODEL: o->model = optarg; break;
		case O_IMEI: o->imei = optarg; break;
		case O_UUID: o->uuid_text = optarg; break;
		case O_IDOUT: o->identity_key_out = optarg; break;
		case O_KGFAIL: o->keygen_fail = parse_num("--keygen-fail", optarg); break;
		case O_KGSUBJECT: o->keygen_subject = optarg; break;
		case O_MODERN: o->modern_csr = 1; break;
		case O_STATS: o->stats_file = optarg; break;
		case O_LOG: o->log_file = optarg; break;
		case O_FWUUID: o->fw_uuid_text = optarg; break;
		case O_BANNER: o->banner = 1; break;
		case O_RESET_AFTER: o->reset_after_cmd = optarg; break;
		case O_SILENT_AFTER: o->silent_after_cmd = optarg; break;
		case O_HOLD_FILE: o->hold_file = optarg; break;
		case O_KGMS: o->keygen_ms = parse_num("--keygen-ms", optarg); break;
		case O_HELP: usage(stdout); exit(0);
		/* Zephyr shell mode (shell.c) */
		case O_SH_PLAIN: o->shell_plain_prompt = 1; break;
		case O_SH_PROMPT: o->shell_prompt = optarg; break;
		case O_SH_NO_LF: o->shell_no_unescape_lf = 1; break;
		case O_SH_BUFF:
			o->shell_cmd_buff = (size_t)parse_num("--shell-cmd-buff", optarg);
			break;
		case O_SH_RESP:
			o->shell_response_max = (size_t)parse_num("--shell-response-max", optarg);
			break;
		case O_SH_FAIL: o->shell_at_fail = parse_num("--shell-at-fail", optarg); break;
		default: usage(stderr); exit(2);
		}
	}
	if (o->max_cmd < 3) {
		fprintf(stderr,
			"modemsim: --max-cmd: at least 3 (the NUL, one unused byte, one more)\n");
		exit(2);
	}
	if (optind < argc || !o->link) {
		usage(stderr);
		exit(2);
	}
	if (app_apply_defaults(o))
		exit(2);
}

/* Identity key: from the store file if it held one, else a new one. */
static int init_identity(struct sim *sim)
{
	if (!sim->identity) {
		sim->identity = simkg_identity_new(NULL);
		if (!sim->identity) {
			fputs("modemsim: cannot create the identity key\n", stderr);
			return -1;
		}
		persist_save(sim);
	}
	if (sim->opt.identity_key_out &&
	    simkg_identity_write_public_pem(sim->identity, sim->opt.identity_key_out)) {
		fprintf(stderr, "modemsim: cannot write %s\n", sim->opt.identity_key_out);
		return -1;
	}
	return 0;
}

/*
 * One throwaway %KEYGEN before the link exists: OpenSSL's first use sets up
 * its providers (a few ms) and that set-up is the simulator's, not the
 * modem's. Every real %KEYGEN then takes what --keygen-ms says (plus the
 * little the work itself costs), the first one included.
 */
static void warm_up_crypto(const struct sim *sim)
{
	static const uint8_t uuid[16] = { 0 };
	struct simkg_request rq = { .sec_tag = 1, .key_type = 2, .device_uuid = uuid };
	char *blob = NULL, *key_pem = NULL;

	if (simkg_keygen(sim->identity, &rq, &blob, &key_pem) == 0) {
		free(blob);
		free(key_pem);
	}
}

static void write_stats(const struct sim *sim)
{
	if (!sim->opt.stats_file)
		return;
	FILE *f = fopen(sim->opt.stats_file, "w");
	if (!f) {
		fprintf(stderr, "modemsim: cannot write %s: %s\n", sim->opt.stats_file,
			strerror(errno));
		return;
	}
	fprintf(f, "rx_bytes %llu\ntx_bytes %llu\ncommands %llu\n", sim->rx_bytes, sim->tx_bytes,
		sim->commands);
	fclose(f);
}

/*
 * SIGTERM and SIGINT only set sim_stop, SIGUSR1 sim_reset_requested. They stay
 * blocked except inside the waits (pselect), so a signal can never slip in
 * between checking the flags and going to sleep. SIGPIPE is irrelevant for a
 * pty but ignored to be safe.
 */
static void setup_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	sigset_t block;
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, NULL);
}

int main(int argc, char **argv)
{
	static struct sim sim;
	parse_options(argc, argv, &sim.opt);
	if (parse_uuid(sim.opt.uuid_text, sim.uuid)) {
		fprintf(stderr, "modemsim: --uuid: invalid UUID '%s'\n", sim.opt.uuid_text);
		return 2;
	}
	if (parse_uuid(sim.opt.fw_uuid_text, sim.fw_uuid)) {
		fprintf(stderr, "modemsim: --fw-uuid: invalid UUID '%s'\n", sim.opt.fw_uuid_text);
		return 2;
	}
	sim.device_type = device_type_of_model(sim.opt.model);
	if (sim.device_type < 0) {
		fprintf(stderr,
			"modemsim: --model: unknown model '%s' (nRF9160-SIAA, "
			"nRF9160-SIBA, nRF9160-SICA, nRF9161-LACA, nRF9131-LACA, nRF9151-LACA)\n",
			sim.opt.model);
		return 2;
	}
	sim.reset_armed = sim.opt.reset_after_cmd != NULL;
	sim.silent_armed = sim.opt.silent_after_cmd != NULL;
	sim.banner_owed = sim.opt.banner;
	sim.cfun = sim.opt.cfun;
	sim.cmee = sim.opt.cmee;
	sim.echo = sim.opt.echo;
	sim.master_fd = sim.slave_fd = -1;

	setup_signals();
	async_init(&sim);
	net_boot(&sim);
	store_add_modem_owned(&sim.store);
	if (persist_load(&sim) || init_identity(&sim))
		return 1;
	warm_up_crypto(&sim);
	io_init(&sim);
	if (pty_open(&sim))
		return 1;

	int rc = io_serve(&sim);

	pty_close(&sim);
	write_stats(&sim);
	simkg_identity_free(sim.identity);
	store_free(&sim.store);
	io_free(&sim);
	async_free(&sim);
	buf_free(&sim.opt.stale);
	return rc ? 1 : 0;
}
