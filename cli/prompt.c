/*
 * Asking for a secret on the terminal (see prompt.h).
 */
#include "prompt.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"

/* The terminal's settings before echo went off, for a signal at the prompt. */
static struct termios g_saved;
static volatile sig_atomic_t g_echo_off;

/*
 * A stop signal at the prompt (Ctrl-C, Ctrl-Backslash, a closed terminal, kill):
 * echo back on, and out with 128 + the signal's number, as the CLI's exit
 * codes say. Nothing was sent to any modem yet. _exit, not the default
 * action: SIGQUIT's would dump a core holding what was typed so far.
 * (tcsetattr and _exit are async-signal-safe.)
 */
static void restore_and_exit(int signo)
{
	if (g_echo_off)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &g_saved);
	_exit(128 + signo);
}

int cli_can_prompt(void)
{
	return isatty(STDIN_FILENO);
}

/* One line from standard input into buf (at most size bytes kept); its length or -1. */
static int read_line(char *buf, size_t size)
{
	size_t n = 0;
	int too_long = 0;
	char c;

	for (;;) {
		ssize_t r = read(STDIN_FILENO, &c, 1);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		if (c == '\n' || c == '\r')
			break;
		if (n < size)
			buf[n++] = c;
		else
			too_long = 1;
	}
	return too_long || n == 0 ? -1 : (int)n;
}

int cli_prompt_secret(const char *question, char *buf, size_t size)
{
	struct sigaction sa, old[CLI_STOP_SIGNALS];
	struct termios quiet;
	size_t i;
	int n;

	if (!cli_can_prompt() || tcgetattr(STDIN_FILENO, &g_saved) != 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = restore_and_exit;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < CLI_STOP_SIGNALS; i++) {
		sigaction(cli_stop_signals[i], NULL, &old[i]);
		/* SIGHUP ignored at start (nohup) stays ignored */
		if (old[i].sa_handler != SIG_IGN)
			sigaction(cli_stop_signals[i], &sa, NULL);
	}
	quiet = g_saved;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	quiet.c_lflag |= ICANON;
	/* echo off (what was typed before the question is dropped), then the question */
	g_echo_off = 1;
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	fprintf(stderr, "modemcred: %s: ", question);
	fflush(stderr);
	n = read_line(buf, size);
	tcsetattr(STDIN_FILENO, TCSANOW, &g_saved);
	g_echo_off = 0;
	for (i = 0; i < CLI_STOP_SIGNALS; i++)
		sigaction(cli_stop_signals[i], &old[i], NULL);
	fputc('\n', stderr);
	if (n < 0)
		memset(buf, 0, size); /* the caller's buffer: a partial line is wiped */
	return n;
}
