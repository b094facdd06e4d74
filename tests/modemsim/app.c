/*
 * The applications the modem can run (--app), what each one is built with by
 * default, and what each prints when it starts.
 *
 *   at_client    nRF Connect SDK samples/cellular/at_client with lib/at_host:
 *                raw AT, CR terminator, CONFIG_AT_HOST_CMD_MAX_LEN 4096.
 *   modem_shell  samples/cellular/modem_shell (prj.conf, commit 049bfc84):
 *                CONFIG_SHELL_PROMPT_UART="mosh:~$ ",
 *                CONFIG_SHELL_CMD_BUFF_SIZE=3584, CONFIG_SHELL_WILDCARD=n;
 *                its `at` command answers from a 2701-byte buffer
 *                (src/mosh_defines.h MOSH_AT_CMD_RESPONSE_MAX_LEN) and
 *                prints through a 1024-byte one (Kconfig
 *                MOSH_PRINT_BUFFER_SIZE). It runs LTE link control (lte_lc)
 *                and the PDN library, which subscribe to +CEREG, +CSCON,
 *                %MDMEV and +CGEV.
 *   shell        a Zephyr shell ("uart:~$ ", Zephyr's CONFIG_SHELL_PROMPT_UART
 *                default) with lib/at_shell, as in nRF Cloud's
 *                nrf_cloud_multi_service sample built for provisioning over
 *                the shell (CONFIG_SHELL_CMD_BUFF_SIZE=2048,
 *                CONFIG_AT_SHELL_CMD_RESPONSE_MAX_LEN 2700); lte_lc too, and
 *                the Zephyr log on the shell's UART.
 *   slm          applications/serial_lte_modem: its own AT host
 *                (src/slm_at_host.c), CR+LF terminator by default
 *                (doc/slm_description.rst), SLM_AT_MAX_CMD_LEN 4096
 *                (src/slm_defines.h), "Ready\r\n" when it starts.
 */
#include "sim.h"

#include <string.h>

static const struct {
	const char *name;
	enum app app;
} apps[] = {
	{ "at_client", APP_AT_CLIENT },
	{ "modem_shell", APP_MODEM_SHELL },
	{ "shell", APP_SHELL },
	{ "slm", APP_SLM },
};

int app_parse(const char *name, enum app *out)
{
	for (size_t i = 0; i < sizeof(apps) / sizeof(apps[0]); i++) {
		if (!strcmp(name, apps[i].name)) {
			*out = apps[i].app;
			return 0;
		}
	}
	return -1;
}

const char *app_name(enum app app)
{
	for (size_t i = 0; i < sizeof(apps) / sizeof(apps[0]); i++)
		if (apps[i].app == app)
			return apps[i].name;
	return "?";
}

int app_forwards_urcs(const struct sim *sim)
{
	return sim->opt.app == APP_AT_CLIENT || sim->opt.app == APP_SLM;
}

int app_apply_defaults(struct sim_options *o)
{
	o->shell = o->app == APP_MODEM_SHELL || o->app == APP_SHELL;
	if (o->app == APP_MODEM_SHELL) {
		if (!o->shell_prompt)
			o->shell_prompt = "mosh";
		if (!o->shell_cmd_buff)
			o->shell_cmd_buff = 3584;
		if (!o->shell_response_max)
			o->shell_response_max = 2700;
	} else {
		if (!o->shell_prompt)
			o->shell_prompt = "uart";
		if (!o->shell_cmd_buff)
			o->shell_cmd_buff = 2048;
		if (!o->shell_response_max)
			o->shell_response_max = 2700;
	}
	if (o->app == APP_SLM) {
		if (!o->terminator_given)
			o->terminator = TERM_CRLF;
		if (o->terminator == TERM_NUL) {
			fputs("modemsim: --app slm: the Serial LTE Modem terminates commands "
			      "with cr, lf or crlf (CONFIG_SLM_*_TERMINATION), not nul\n",
			      stderr);
			return -1;
		}
		if (o->echo) {
			fputs("modemsim: --app slm: the Serial LTE Modem does not echo "
			      "(ATE is not an SLM command)\n",
			      stderr);
			return -1;
		}
		o->banner = 1; /* "Ready" when it starts, always */
	}
	if (o->shell && o->echo) {
		fputs("modemsim: --echo is the raw AT host's ATE1; a shell echoes anyway\n",
		      stderr);
		return -1;
	}
	if ((o->uart_log || o->lte_lc) && o->shell) {
		fputs("modemsim: --uart-log and --lte-lc are for at_client and slm; the shells "
		      "have both built in\n",
		      stderr);
		return -1;
	}
	return 0;
}

enum line_event app_feed(struct sim *sim, unsigned char c)
{
	switch (sim->opt.app) {
	case APP_MODEM_SHELL:
	case APP_SHELL: return shell_line_feed(sim, c);
	case APP_SLM: return slm_feed(sim, c);
	case APP_AT_CLIENT: break;
	}
	return athost_feed(sim, c);
}

/*
 * Zephyr's boot banner (printk through the UART console, which sends "\n" as
 * "\r\n"), as nRF Connect SDK 2.6 prints it.
 */
static const char zephyr_banner[] = "*** Booting nRF Connect SDK v2.6.0 ***\r\n";

void app_boot_output(struct sim *sim, struct buf *out)
{
	switch (sim->opt.app) {
	case APP_AT_CLIENT:
		/* samples/cellular/at_client/src/main.c: printk() of its start
		 * message; then the AT host's "Ready" */
		buf_adds(out, zephyr_banner);
		buf_adds(out, "The AT host sample started\r\nReady\r\n");
		break;
	case APP_SLM:
		/* slm_at_host.c slm_at_host_init(): SLM_SYNC_STR; the console
		 * and the log go to RTT (doc/slm_description.rst) */
		buf_adds(out, "Ready\r\n");
		break;
	case APP_MODEM_SHELL:
		/* src/utils/mosh_print.c mosh_print_version_info() without
		 * APP_VERSION, BUILD_ID or BUILD_VARIANT, then the shell's
		 * start: shell_start() prints "\n\n" and the prompt */
		buf_adds(out, zephyr_banner);
		buf_adds(out, "\r\nMOSH version:       unknown"
			      "\r\nMOSH build id:      custom"
			      "\r\nMOSH build variant: dev\r\n\r\n");
		shell_print_text(sim, out, 0, "\n\n", 2);
		shell_add_prompt(sim, out);
		break;
	case APP_SHELL:
		buf_adds(out, zephyr_banner);
		shell_print_text(sim, out, 0, "\n\n", 2);
		shell_add_prompt(sim, out);
		break;
	}
}
