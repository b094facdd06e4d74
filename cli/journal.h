/*
 * The station's intent journal (mcred_provision()'s intent_cb and
 * recall_cb): one small file per modem in the artifacts directory,
 * <dir>/<IMEI>.journal, that says what the station was about to do to the
 * modem. A line is appended and fsync'd before each step that changes the
 * modem; the file stays open while the modem's run lasts, and goes when the
 * run ends with the mode restored. A run
 * killed half-way (SIGKILL, power loss) leaves it: the next run on that
 * modem restores the mode found before the crash and knows a key the dead
 * run was generating as the station's own.
 *
 * Each line: "step=keygen mode_found=1 imei=351358811234567 keygen=1
 * replace_key=0 key_before=- key_sha256=<64 hex> cert_before=-" ("-" for
 * none); only the last whole line counts.
 */
#ifndef MODEMCRED_CLI_JOURNAL_H
#define MODEMCRED_CLI_JOURNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <sys/types.h>

#include "modemcred.h"

/*
 * The directory of a station's journals and artifacts (--out). A new or
 * renamed file's name is durable once the directory is synced, and one
 * sync covers every change made before it began: the modems of a station
 * share it.
 */
struct journal_dir {
	const char *path;
	atomic_ulong changes; /* names created or renamed in it so far */
	pthread_mutex_t sync; /* one directory sync at a time */
	unsigned long synced; /* the first `synced` changes are durable (under sync) */
};

/* One modem's journal while its run lasts. */
struct journal {
	int fd;     /* -1 until the first record */
	off_t size; /* of the open file */
	char path[4200];
};

void journal_dir_init(struct journal_dir *d, const char *path);
void journal_dir_destroy(struct journal_dir *d);
/*
 * Call after creating or renaming files in d: returns once their names are
 * durable (shared with the other threads' changes). 0, or -1 with errno.
 */
int journal_dir_commit(struct journal_dir *d);
void journal_init(struct journal *j);
/* Close a journal whose run ended without MCRED_STEP_DONE: the file stays. */
void journal_close(struct journal *j);

/* The journal's path for a modem: 0, or -1 when imei is not 15 digits. */
int journal_path(const char *dir, const char *imei, char *out, size_t len);

/* The line for an intent, newline included. */
void journal_line(const struct mcred_provision_intent *in, char *out, size_t len);

/* Parse a line into *in (its size kept); 0, or -1 when it is not a journal line. */
int journal_parse(const char *line, struct mcred_provision_intent *in);

/*
 * Record an intent durably in the modem's journal j, in d (the first
 * record creates the file, or appends to one a crashed run left), before
 * the step is taken; MCRED_STEP_DONE closes and removes it. 0, or -1 /
 * LEDGER_NO_SPACE (the disk is full) with err set.
 */
int journal_record(struct journal *j, struct journal_dir *d,
		   const struct mcred_provision_intent *in, struct mcred_error *err);

/* The last intent recorded for imei: 1 found, 0 none, -1 with err on an error. */
int journal_recall(const char *dir, const char *imei, struct mcred_provision_intent *in,
		   struct mcred_error *err);

#endif
