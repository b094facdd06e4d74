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

/* The terminal's settings before echo went off, for a signal at the prompt. */
static struct termios g_saved;
static volatile sig_atomic_t g_echo_off;

/* Echo back on, then the signal's default action (tcsetattr is async-signal-safe). */
static void restore_and_die(int signo)
{
	if (g_echo_off)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &g_saved);
	signal(signo, SIG_DFL);
	raise(signo);
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
	struct sigaction sa, old_int, old_term;
	struct termios quiet;
	int n;

	if (!cli_can_prompt() || tcgetattr(STDIN_FILENO, &g_saved) != 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = restore_and_die;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
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
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	fputc('\n', stderr);
	if (n < 0)
		memset(buf, 0, size); /* the caller's buffer: a partial line is wiped */
	return n;
}
