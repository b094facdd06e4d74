/*
 * Silence on the line (see waiting.h). The library needs nothing new for
 * this: it traces each command before it waits for the answer and each line
 * as it comes, and polls the cancel callback at least every 100 ms while it
 * waits. Only the main thread of a single-port command uses this file.
 */
#include "waiting.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define COMMAND_SHOWN 48

static struct {
	char port[256];
	unsigned baud;
	int notice;                      /* tell a terminal when nothing answers */
	int told;                        /* told once: never again in this run */
	int heard;                       /* anything came from the modem */
	int waiting;                     /* a command went out and nothing came since */
	double since;                    /* when that command went out (monotonic seconds) */
	char command[COMMAND_SHOWN + 8]; /* it, shortened: what the tool waits for */
} g_wait;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void cli_wait_begin(const char *port, unsigned baud, int notice)
{
	memset(&g_wait, 0, sizeof(g_wait));
	snprintf(g_wait.port, sizeof(g_wait.port), "%s", port);
	g_wait.baud = baud;
	g_wait.notice = notice;
}

/*
 * The command as the trace shows it (secrets already redacted), its first
 * line only and cut before any quoted content: "AT%CMNG=0,12,0,\"...\"".
 */
static void remember_command(const char *text, size_t len)
{
	size_t n = strcspn(text, "\r\n\"");
	size_t cut = n < len ? n : len;

	if (cut > COMMAND_SHOWN)
		cut = COMMAND_SHOWN;
	memcpy(g_wait.command, text, cut);
	g_wait.command[cut] = '\0';
	if (cut < len && text[cut] == '"')
		strcat(g_wait.command, "\"...\"");
	else if (cut < len && cut == COMMAND_SHOWN)
		strcat(g_wait.command, "...");
}

void cli_wait_traced(enum mcred_trace_dir dir, const char *text, size_t len)
{
	if (dir == MCRED_TRACE_RX) {
		g_wait.heard = 1;
		g_wait.waiting = 0;
		return;
	}
	/* the library's own notes to the trace start with '<': no command */
	if (len == 0 || text[0] == '<')
		return;
	remember_command(text, len);
	g_wait.waiting = 1;
	g_wait.since = now_s();
}

void cli_wait_poll(void)
{
	if (!g_wait.notice || g_wait.told || !g_wait.waiting ||
	    now_s() - g_wait.since < CLI_WAIT_NOTICE_S)
		return;
	g_wait.told = 1;
	fflush(stdout);
	fprintf(stderr,
		"modemcred: nothing has come from %s (%u baud) for %d s; still waiting for the "
		"answer to %s%s (--timeout sets how long; Ctrl-C stops)\n",
		g_wait.port, g_wait.baud, CLI_WAIT_NOTICE_S, g_wait.command,
		strncmp(g_wait.command, "AT%KEYGEN", 9) == 0
			? ", which takes the modem a while to make a key"
			: "");
}

int cli_wait_heard_anything(void)
{
	return g_wait.heard;
}
