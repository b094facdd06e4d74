/*
 * Asking for a secret on the terminal, without echo (the CA key's PIN or
 * passphrase when no file gives it).
 */
#ifndef MODEMCRED_CLI_PROMPT_H
#define MODEMCRED_CLI_PROMPT_H

#include <stddef.h>

/* 1 when standard input is a terminal to ask on. */
int cli_can_prompt(void);

/*
 * Print "modemcred: <question>: " on stderr and read one line from the
 * terminal on standard input with echo off (restored afterwards, also when
 * SIGINT or SIGTERM ends the process at the prompt). At most size bytes go
 * to buf, without the line ending. Returns their count, or -1 (no terminal,
 * read error, end of input, an empty line, a line longer than size).
 */
int cli_prompt_secret(const char *question, char *buf, size_t size);

#endif
