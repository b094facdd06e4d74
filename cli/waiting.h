/*
 * What the line did, as the CLI sees it through the library's trace
 * callback (every command sent, every line received) and is polled through
 * its cancel callback: so that a user at a terminal learns early, once,
 * that nothing answers, and a timeout can say whether anything came at all.
 * One command's modem at a time (not provision's threads).
 */
#ifndef MODEMCRED_CLI_WAITING_H
#define MODEMCRED_CLI_WAITING_H

#include <stddef.h>

#include "modemcred.h"

/* Seconds without an answer after which a terminal is told (once per run). */
#define CLI_WAIT_NOTICE_S 2

/*
 * Start watching port: notice (non-zero) asks for the message on standard
 * error after CLI_WAIT_NOTICE_S of silence, naming port and baud.
 */
void cli_wait_begin(const char *port, unsigned baud, int notice);

/* A trace record (from the trace callback): a command went out, or a line came. */
void cli_wait_traced(enum mcred_trace_dir dir, const char *text, size_t len);

/* Called at every poll of the cancel callback: says so once when nothing answers. */
void cli_wait_poll(void);

/* Non-zero once anything at all came from the modem in this run. */
int cli_wait_heard_anything(void);

#endif
