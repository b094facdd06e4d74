/*
 * The station's intent journal (mcred_provision()'s intent_cb and
 * recall_cb): one small file per modem in the artifacts directory,
 * <dir>/<IMEI>.journal, that says what the station was about to do to the
 * modem. A line is appended and fdatasync'd before each step that changes
 * the modem; the file goes when the run ends with the mode restored. A run
 * killed half-way (SIGKILL, power loss) leaves it: the next run on that
 * modem restores the mode found before the crash and knows a key the dead
 * run was generating as the station's own.
 *
 * Each line: "step=keygen mode_found=1 imei=351358811234567 keygen=1
 * replace_key=0 key_before=- key_sha256=<64 hex>" ("-" for none); only the
 * last whole line counts.
 */
#ifndef MODEMCRED_CLI_JOURNAL_H
#define MODEMCRED_CLI_JOURNAL_H

#include <stddef.h>

#include "modemcred.h"

/* The journal's path for a modem: 0, or -1 when imei is not 15 digits. */
int journal_path(const char *dir, const char *imei, char *out, size_t len);

/* The line for an intent, newline included. */
void journal_line(const struct mcred_provision_intent *in, char *out, size_t len);

/* Parse a line into *in (its size kept); 0, or -1 when it is not a journal line. */
int journal_parse(const char *line, struct mcred_provision_intent *in);

/*
 * Record an intent durably (MCRED_STEP_DONE removes the journal). 0, or -1
 * / LEDGER_NO_SPACE (the disk is full) with err set.
 */
int journal_record(const char *dir, const struct mcred_provision_intent *in,
		   struct mcred_error *err);

/* The last intent recorded for imei: 1 found, 0 none, -1 with err on an error. */
int journal_recall(const char *dir, const char *imei, struct mcred_provision_intent *in,
		   struct mcred_error *err);

#endif
