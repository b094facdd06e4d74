/*
 * Asynchronous output: what the device prints that nobody asked for, and
 * where in the output it lands.
 *
 * Sources
 *   - the modem's notifications (net.c), sent only when subscribed;
 *   - the application's own prints, made from them or on its own:
 *       at_client  forwards every notification as it comes, "<urc>\r\n"
 *                  (sdk-nrf lib/at_host/at_host.c, AT_MONITOR ANY ->
 *                  response_handler -> write_uart_string);
 *       slm        forwards them in command mode as "\r\n" then the
 *                  notification (applications/serial_lte_modem/src/
 *                  slm_at_host.c, notification_handler);
 *       modem_shell  prints LTE link control's events with mosh_print()
 *                  (samples/cellular/modem_shell/src/link/link.c
 *                  link_ind_handler, link_shell_print.c, link_shell_pdn.c):
 *                  "Network registration status: searching",
 *                  "LTE cell changed: ID: 17031947, Tracking area: 33902",
 *                  "Currently active system mode: LTE-M", "RRC mode:
 *                  Connected", "Modem domain event: No IMEI", "PDN event:
 *                  PDP context 0 activated", ...;
 *       shell      logs through the Zephyr log backend of its shell: the
 *                  nrf_cloud_multi_service sample's connection loop
 *                  (samples/cellular/nrf_cloud_multi_service/src/
 *                  cloud_connection.c: "Network connectivity gained!",
 *                  "Connecting to nRF Cloud", "Could not connect to nRF
 *                  Cloud", ...), in Zephyr's format (subsys/logging/
 *                  log_output.c): "[00:00:05.123,456] <inf> cloud_connection:
 *                  Network is ready", coloured unless --shell-plain-prompt;
 *       --uart-log the same log lines through the UART log backend on the
 *                  at_client's or slm's line;
 *     and, after `at events_enable` in a shell, the notifications themselves
 *     (lib/at_shell/at_shell.c: "AT event handler:\n%s";
 *     modem_shell src/at/at_shell.c: "AT event handler: %s").
 *
 * When
 *   Transitions (AT+CFUN=4, AT+CFUN=1) always produce their output. With
 *   --async-ms N the device also changes on its own (RRC, cell, signal, the
 *   application's connection loop) on average every N ms, and everything
 *   comes a random while (up to N ms) after it happened. Time here is
 *   emulated: the time the line carries bytes (at --baud, 115200 without it)
 *   and the modem processes commands (1 ms each, plus --latency-ms and
 *   --keygen-ms), never the wall clock, so a run is repeatable byte for
 *   byte under its --seed whatever the machine's load. An idle device
 *   therefore prints nothing until the next bytes arrive; what fell due
 *   meanwhile comes then, before the echo.
 *
 * Where (the caller names the place; this file renders for it)
 *   CTX_RAW        at a line boundary of a raw AT host's output, outside
 *                  quoted content: before the answer, between its lines
 *                  (at_client), after it;
 *   CTX_SHELL_IDLE at a shell's prompt or between the characters of a line
 *                  being typed: the shell erases the prompt and the typed
 *                  text, prints, and draws them again (Zephyr subsys/shell/
 *                  shell.c shell_vfprintf(), shell_log_process());
 *   CTX_SHELL_CMD  while a shell runs a command: prints from other threads
 *                  go out as they are (no erase, no redraw); log lines wait
 *                  for the shell thread, that is for the prompt.
 */
#include "sim.h"

#include <stdlib.h>
#include <string.h>

#define LOG_ERR_LEVEL 1
#define LOG_WRN_LEVEL 2
#define LOG_INF_LEVEL 3

/* Emulated uptime at boot when the first log line could come. */
#define BOOT_UPTIME_MS 5123.456

/* ---- the clock and the dice ------------------------------------------------------ */

static unsigned next_rand(struct async *a)
{
	unsigned x = a->rng; /* xorshift32 */

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	a->rng = x;
	return x;
}

/* Uniform in [0, 1). */
static double uniform(struct async *a)
{
	return (double)(next_rand(a) >> 8) / (double)(1u << 24);
}

static double mean_ms(const struct sim *sim)
{
	return (double)sim->opt.async_ms;
}

void async_init(struct sim *sim)
{
	struct async *a = &sim->async;

	memset(a, 0, sizeof(*a));
	a->rng = sim->opt.seed * 2654435761u ^ 0x9e3779b9u;
	if (a->rng == 0)
		a->rng = 1;
	if (sim->opt.async_ms > 0)
		a->next_tick = 2.0 * mean_ms(sim) * uniform(a);
	a->mosh_stat = a->mosh_act = -1;
	a->mosh_cell = -2;
}

static void drop_items(struct async *a)
{
	for (size_t i = 0; i < a->count; i++)
		free(a->items[i].text);
	a->count = 0;
}

void async_free(struct sim *sim)
{
	drop_items(&sim->async);
	free(sim->async.items);
	sim->async.items = NULL;
	sim->async.cap = 0;
}

void async_reboot(struct sim *sim)
{
	struct async *a = &sim->async;

	drop_items(a);
	a->boot = a->now;
	a->events_enabled = 0;
	a->cloud_step = 0;
	a->mosh_stat = a->mosh_act = -1;
	a->mosh_cell = -2;
}

void async_advance(struct sim *sim, double ms)
{
	sim->async.now += ms;
}

void async_advance_bytes(struct sim *sim, size_t n)
{
	double baud = sim->opt.baud > 0 ? (double)sim->opt.baud : 115200.0;

	sim->async.now += (double)n * 10000.0 / baud;
}

/* ---- the queue ------------------------------------------------------------------- */

/* Insert in due order, after those due at the same time (first come first out). */
static void enqueue(struct sim *sim, enum async_kind kind, int level, const char *text, double due)
{
	struct async *a = &sim->async;
	size_t i = a->count;

	if (a->count == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 16;
		a->items = realloc(a->items, a->cap * sizeof(*a->items));
		if (!a->items)
			abort();
	}
	while (i > 0 && a->items[i - 1].due > due)
		i--;
	memmove(&a->items[i + 1], &a->items[i], (a->count - i) * sizeof(*a->items));
	a->items[i].due = due;
	a->items[i].kind = kind;
	a->items[i].level = level;
	a->items[i].text = text ? strdup(text) : NULL;
	if (text && !a->items[i].text)
		abort();
	a->count++;
}

/* When something that happens now is printed: at once without --async-ms,
 * else a random while later, never before what came before it. */
static double due_after_delay(struct sim *sim, enum async_kind kind)
{
	struct async *a = &sim->async;
	double due = a->now;

	if (sim->opt.async_ms > 0)
		due += mean_ms(sim) * uniform(a);
	for (size_t i = 0; i < a->count; i++)
		if (a->items[i].kind == kind && a->items[i].due > due)
			due = a->items[i].due;
	return due;
}

void async_notify(struct sim *sim, const char *text)
{
	enqueue(sim, ASYNC_NOTIFICATION, 0, text, due_after_delay(sim, ASYNC_NOTIFICATION));
}

void async_log(struct sim *sim, int level, const char *text)
{
	enqueue(sim, ASYNC_LOG, level, text, due_after_delay(sim, ASYNC_LOG));
}

void async_schedule_register(struct sim *sim)
{
	struct async *a = &sim->async;
	double due = a->now;

	if (sim->opt.async_ms > 0)
		due += mean_ms(sim) * (0.5 + uniform(a));
	enqueue(sim, ASYNC_REGISTER, 0, NULL, due);
}

/* ---- the application's own log lines ------------------------------------------------ */

static int app_logs(const struct sim *sim)
{
	return sim->opt.app == APP_SHELL || sim->opt.uart_log;
}

/*
 * The connection loop of samples/cellular/nrf_cloud_multi_service/src/
 * cloud_connection.c (cloud_connection_thread_fn, connect_cloud,
 * disconnect_cloud) while the cloud cannot be reached, one line per step,
 * from "Network is ready" on. An attempt fails; a reconnection while the
 * library still holds a connection warns instead.
 */
static const struct {
	int level;
	const char *text;
} cloud_loop[] = {
	{ LOG_INF_LEVEL, "Network is ready" },
	{ LOG_INF_LEVEL, "Connecting to nRF Cloud" },
	{ LOG_ERR_LEVEL, "Could not connect to nRF Cloud" },
	{ LOG_INF_LEVEL, "Disconnecting from nRF Cloud" },
	{ LOG_INF_LEVEL, "Waiting for network ready..." },
	{ LOG_INF_LEVEL, "Network is ready" },
	{ LOG_INF_LEVEL, "Connecting to nRF Cloud" },
	{ LOG_WRN_LEVEL, "Already connected to nRF Cloud" },
	{ LOG_INF_LEVEL, "Disconnecting from nRF Cloud" },
	{ LOG_INF_LEVEL, "Waiting for network ready..." },
};

static void cloud_loop_step(struct sim *sim)
{
	struct async *a = &sim->async;
	size_t n = sizeof(cloud_loop) / sizeof(cloud_loop[0]);
	size_t i = (size_t)a->cloud_step % n;

	async_log(sim, cloud_loop[i].level, cloud_loop[i].text);
	a->cloud_step = (int)((i + 1) % n);
}

/* l4_event_handler() of cloud_connection.c, on the default PDN going up or
 * down; the loop then waits for the network again. */
static void cloud_connectivity(struct sim *sim, int up)
{
	if (!app_logs(sim))
		return;
	sim->async.cloud_step = 0;
	if (up) {
		async_log(sim, LOG_INF_LEVEL, "Network connectivity gained!");
		return;
	}
	async_log(sim, LOG_INF_LEVEL, "Network connectivity lost!");
	async_log(sim, LOG_INF_LEVEL, "Disconnecting from nRF Cloud");
	async_log(sim, LOG_INF_LEVEL, "Waiting for network ready...");
}

/* One spontaneous change (--async-ms): the application's loop moves on while
 * the network is up, or the modem changes something. */
static void spontaneous(struct sim *sim)
{
	if (app_logs(sim) && sim->net.pdn && next_rand(&sim->async) % 2 == 0) {
		cloud_loop_step(sim);
		return;
	}
	net_step(sim);
}

void async_urc_every_step(struct sim *sim)
{
	net_step(sim);
}

/* ---- rendering ----------------------------------------------------------------------- */

/* Zephyr's log line (log_output.c prefix_print, postfix_print): timestamp,
 * colour, level and source, the message, colour off, CR LF. */
static void add_log_line(const struct sim *sim, struct buf *out, int level, const char *text,
			 int colours)
{
	static const char *const severity[] = { NULL, "err", "wrn", "inf" };
	/* err red, wrn yellow; inf has no colour of its own: the default */
	static const char *const colour[] = { NULL, "\x1b[1;31m", "\x1b[1;33m", "\x1b[0m" };
	double up = BOOT_UPTIME_MS + sim->async.now - sim->async.boot;
	unsigned long long us = (unsigned long long)(up * 1000.0);
	unsigned long long s = us / 1000000ULL;

	buf_addf(out, "[%02llu:%02llu:%02llu.%03llu,%03llu] ", s / 3600, s / 60 % 60, s % 60,
		 us / 1000 % 1000, us % 1000);
	if (colours)
		buf_adds(out, colour[level]);
	buf_addf(out, "<%s> cloud_connection: %s", severity[level], text);
	if (colours)
		buf_adds(out, "\x1b[0m");
	buf_adds(out, "\r\n");
}

/* What LTE link control (lib/lte_link_control) makes of a notification, as
 * modem_shell prints it: one print per line of lines, each ending in "\n". */
static const char *reg_text(int stat)
{
	switch (stat) {
	case 0: return "not registered";
	case 1: return "Connected - home network";
	case 2: return "searching";
	case 3: return "denied";
	case 5: return "Connected - roaming";
	default: return "unknown";
	}
}

static void mosh_cereg(struct async *a, const char *args, struct buf *lines)
{
	int stat = atoi(args);
	const char *tac = strchr(args, '"');
	int cell = -1, act = 0;
	char tac_hex[9] = "", ci_hex[9] = "";

	if (tac &&
	    sscanf(tac, "\"%8[0-9A-Fa-f]\",\"%8[0-9A-Fa-f]\",%d", tac_hex, ci_hex, &act) == 3)
		cell = (int)(strtoul(ci_hex, NULL, 16) & 0x7fffffff);
	if (stat != a->mosh_stat) {
		buf_addf(lines, "Network registration status: %s\n", reg_text(stat));
		a->mosh_stat = stat;
	}
	if (act != a->mosh_act) {
		buf_addf(lines, "Currently active system mode: %s\n",
			 act == 7   ? "LTE-M"
			 : act == 9 ? "NB-IoT"
				    : "None");
		a->mosh_act = act;
	}
	if (cell != a->mosh_cell) {
		/* link_cell_change_work() without %XMONITOR's details; an
		 * invalid cell (UINT32_MAX) prints as -1 with %d */
		if (cell < 0)
			buf_adds(lines, "LTE cell changed: ID: -1, Tracking area: -1\n");
		else
			buf_addf(lines, "LTE cell changed: ID: %d, Tracking area: %lu\n", cell,
				 strtoul(tac_hex, NULL, 16));
		a->mosh_cell = cell;
	}
}

static void mosh_mdmev(const char *args, struct buf *lines)
{
	static const struct {
		const char *event;
		const char *text;
	} events[] = {
		{ "SEARCH STATUS 1", "Light search done" },
		{ "SEARCH STATUS 2", "Search done" },
		{ "RESET LOOP", "Reset loop" },
		{ "ME OVERHEATED", "Overheated" },
		{ "ME BATTERY LOW", "Battery low" },
		{ "NO IMEI", "No IMEI" },
		{ "PRACH CE-LEVEL 0", "CE-level 0" },
	};

	for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++)
		if (!strcmp(args, events[i].event))
			buf_addf(lines, "Modem domain event: %s\n", events[i].text);
}

/* modem_shell's lines for a notification, each ending in "\n". */
static void mosh_lines(struct async *a, const char *urc, struct buf *lines)
{
	if (!strncmp(urc, "+CEREG: ", 8))
		mosh_cereg(a, urc + 8, lines);
	else if (!strncmp(urc, "+CSCON: ", 8))
		buf_addf(lines, "RRC mode: %s\n", atoi(urc + 8) ? "Connected" : "Idle");
	else if (!strncmp(urc, "%MDMEV: ", 8))
		mosh_mdmev(urc + 8, lines);
	else if (!strcmp(urc, "+CGEV: ME PDN ACT 0"))
		buf_adds(lines, "PDN event: PDP context 0 activated\n");
	else if (!strcmp(urc, "+CGEV: ME DETACH"))
		buf_adds(lines, "PDN event: PDP context 0 network detach\n");
}

/* One shell print from another thread (shell_vfprintf): as it is inside a
 * command, else with the typed line erased and drawn again. */
static void shell_async_print(struct sim *sim, struct buf *out, enum async_ctx ctx,
			      const char *text, size_t len, const char *typed, size_t typed_len)
{
	if (ctx == CTX_SHELL_IDLE)
		shell_erase_line(sim, out, typed_len);
	shell_print_text(sim, out, 0, text, len);
	if (ctx == CTX_SHELL_IDLE)
		shell_redraw_line(sim, out, typed, typed_len);
}

/* Deliver one notification the way the application does. */
static void deliver_notification(struct sim *sim, struct buf *out, enum async_ctx ctx,
				 const char *urc, const char *typed, size_t typed_len)
{
	struct buf lines = { 0 };

	if (!strcmp(urc, "+CGEV: ME PDN ACT 0"))
		cloud_connectivity(sim, 1);
	else if (!strcmp(urc, "+CGEV: ME DETACH"))
		cloud_connectivity(sim, 0);

	if (sim->opt.app == APP_AT_CLIENT) {
		buf_addf(out, "%s\r\n", urc);
		return;
	}
	if (sim->opt.app == APP_SLM) {
		buf_addf(out, "\r\n%s\r\n", urc);
		return;
	}
	if (sim->opt.app == APP_MODEM_SHELL)
		mosh_lines(&sim->async, urc, &lines);
	for (size_t start = 0, i = 0; i < lines.len; i++) {
		struct buf one = { 0 };

		if (lines.data[i] != '\n')
			continue;
		shell_mosh_timestamp(sim, &one); /* each event line is one mosh_print() */
		buf_add(&one, lines.data + start, i + 1 - start);
		shell_async_print(sim, out, ctx, one.data, one.len, typed, typed_len);
		buf_free(&one);
		start = i + 1;
	}
	if (sim->async.events_enabled) {
		/* the notification keeps its CR LF; shell_print() adds "\n" */
		buf_clear(&lines);
		if (sim->opt.app == APP_MODEM_SHELL)
			buf_addf(&lines, "AT event handler: %s\r\n\n", urc);
		else
			buf_addf(&lines, "AT event handler:\n%s\r\n\n", urc);
		shell_async_print(sim, out, ctx, lines.data, lines.len, typed, typed_len);
	}
	buf_free(&lines);
}

int async_pending(const struct sim *sim)
{
	const struct async *a = &sim->async;

	if (sim->opt.async_ms > 0 && a->next_tick <= a->now)
		return 1;
	return a->count > 0 && a->items[0].due <= a->now;
}

/* The first item that can go out here, or -1. Log lines wait while a shell
 * runs a command (the shell thread prints them); the raw hosts print no log
 * unless --uart-log. */
static long first_deliverable(const struct sim *sim, enum async_ctx ctx)
{
	const struct async *a = &sim->async;

	for (size_t i = 0; i < a->count && a->items[i].due <= a->now; i++) {
		if (a->items[i].kind == ASYNC_LOG && ctx == CTX_SHELL_CMD)
			continue;
		return (long)i;
	}
	return -1;
}

size_t async_emit(struct sim *sim, struct buf *out, enum async_ctx ctx, const char *typed,
		  size_t typed_len)
{
	struct async *a = &sim->async;
	size_t start = out->len;
	int log_batch = 0;
	long i;

	while (sim->opt.async_ms > 0 && a->next_tick <= a->now) {
		spontaneous(sim);
		a->next_tick += 2.0 * mean_ms(sim) * uniform(a);
	}
	while ((i = first_deliverable(sim, ctx)) >= 0) {
		struct async_item item = a->items[i];

		memmove(&a->items[i], &a->items[i + 1], (a->count - (size_t)i - 1) * sizeof(item));
		a->count--;
		if (item.kind != ASYNC_LOG && log_batch) {
			/* shell_log_process(): its last round finds no message */
			shell_erase_line(sim, out, typed_len);
			shell_redraw_line(sim, out, typed, typed_len);
			log_batch = 0;
		}
		switch (item.kind) {
		case ASYNC_REGISTER: net_register(sim); break;
		case ASYNC_NOTIFICATION:
			deliver_notification(sim, out, ctx, item.text, typed, typed_len);
			break;
		case ASYNC_LOG:
			if (ctx == CTX_RAW) {
				add_log_line(sim, out, item.level, item.text, 1);
			} else {
				shell_erase_line(sim, out, typed_len);
				add_log_line(sim, out, item.level, item.text,
					     !sim->opt.shell_plain_prompt);
				shell_redraw_line(sim, out, typed, typed_len);
				log_batch = 1;
			}
			break;
		}
		free(item.text);
	}
	if (log_batch) {
		shell_erase_line(sim, out, typed_len);
		shell_redraw_line(sim, out, typed, typed_len);
	}
	return out->len - start;
}
