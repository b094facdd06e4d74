/*
 * The records a factory keeps from `modemcred provision`: the ledger (JSON
 * Lines, append-only, one whole line per write, fsync'd) and the nRF Cloud
 * onboarding CSV (as nrfcloud-utils writes it), plus crash-safe artifact
 * files. The text builders are pure and unit-tested (tests/unit/test_ledger.c).
 */
#ifndef MODEMCRED_CLI_LEDGER_H
#define MODEMCRED_CLI_LEDGER_H

#include <stddef.h>
#include <sys/types.h>

#include "modemcred.h"

/* Most rows in one onboarding CSV file (nRF Cloud's bulk onboarding limit). */
#define CSV_MAX_ROWS 1000

/* One ledger line's content. */
struct ledger_record {
	const char *port;
	const struct mcred_provision_result *result;
	uint32_t tag;
	int exit_code;
	double duration_s;
	long long time; /* seconds since the epoch (UTC) */
};

/*
 * The steps a ledger record times ("steps_s"), in this order: offline,
 * facts, keygen, key_listed, signing, token_wait, write_ca, write_cert,
 * verify (struct mcred_provision_timings), attest (the result's
 * attest_seconds), restore.
 */
#define LEDGER_STEPS 11
extern const char *const ledger_step_names[LEDGER_STEPS];
/* The timings of a result in that order (-1: the step did not run). */
void ledger_step_times(const struct mcred_provision_result *r, double out[LEDGER_STEPS]);

/* The JSON line for rec, newline included (malloc'd), or NULL when out of memory. */
char *ledger_line(const struct ledger_record *rec, size_t *len);

/* What the writers below return when the disk (or the user's quota) is full. */
#define LEDGER_NO_SPACE (-2)

/*
 * Append data (whole lines) to path, then fsync. Under an exclusive
 * flock(2) of the file, which every writer of these files takes (threads
 * and processes): a file whose last line was left unfinished (a crash, a
 * tool killed mid-line) first gets its newline; the lines go with one
 * write(2); a short write (the disk filled up) is undone with ftruncate()
 * and reported. So lines never interleave and each is whole or absent.
 * 0, or -1 / LEDGER_NO_SPACE with err set.
 */
int ledger_append(const char *path, const char *data, size_t len, struct mcred_error *err);

/*
 * ledger_append() to a file the caller holds open (O_APPEND) and writes
 * alone: no open, no lock. *size is the file's size, updated; what and
 * path name the file in messages.
 */
int ledger_append_fd(int fd, off_t *size, const char *what, const char *path, const char *data,
		     size_t len, struct mcred_error *err);

/*
 * Replace path by data: a temporary file, fsync, rename; with sync_dir,
 * then the directory's sync that makes the new name durable (without: the
 * caller syncs it, once for several files). 0, or -1 / LEDGER_NO_SPACE
 * with err (the temporary file removed).
 */
int file_replace(const char *path, const char *data, size_t len, int sync_dir,
		 struct mcred_error *err);

/* One CSV field as Python's csv module writes it (quoted when needed) appended to buf. */
struct strbuf {
	char *data;
	size_t len, cap;
};
int strbuf_add(struct strbuf *b, const char *s, size_t n);
void strbuf_free(struct strbuf *b);

/* The onboarding row: device id, subtype, tags, firmware types, certificate; LF ended
 * as nrfcloud-utils writes it (csv.writer with lineterminator "\n"). */
int csv_onboard_row(struct strbuf *b, const char *device_id, const char *subtype, const char *tags,
		    const char *fw_types, const char *cert_pem);

/*
 * Rows of a CSV text: their count and, per row, its first field (malloc'd).
 * A last row that ends inside a quoted field was cut (a crash, power loss
 * during someone's write): it is no row, and complete is where it begins.
 */
struct csv_rows {
	char **first;        /* device ids */
	size_t *start, *end; /* byte range of each row in the text */
	size_t count;
	size_t complete; /* the text's length without a cut last row */
};
int csv_parse_rows(const char *text, size_t len, struct csv_rows *rows);
/* The same with the field number column (0 the first) as each row's key. */
int csv_parse_rows_by(const char *text, size_t len, unsigned column, struct csv_rows *rows);
void csv_rows_free(struct csv_rows *rows);

/* "FILE-<n>.csv" for part n >= 2 ("x.csv" -> "x-2.csv", "x" -> "x-2"); part 1 is FILE. */
void csv_part_name(const char *path, unsigned part, char *out, size_t len);

/* What adding a row did, for the station's messages (CSV_NO_SPACE: the disk is full). */
enum csv_outcome {
	CSV_ADDED,
	CSV_SAME,
	CSV_REPLACED,
	CSV_DUPLICATE,
	CSV_FULL,
	CSV_ERROR,
	CSV_NO_SPACE
};

struct csv_options {
	const char *path;
	const char *subtype, *tags, *fw_types;
	int replace; /* replace an existing row of the same device id */
	int split;   /* a full file continues in FILE-2.csv, ... */
	/*
	 * Optional: 1 when the certificate of a device's existing row (PEM) is
	 * for the key the device holds now. Such a row is an earlier
	 * certificate of the same key (a renewal whose row a crash or a full
	 * disk kept out) and takes the new one without replace.
	 */
	int (*same_key)(const char *cert_pem, void *user);
	void *user;
};

/*
 * Add the row of one device under an exclusive lock of path (several
 * processes may share it). Ids match whatever their case. A row with the
 * same id and content: CSV_SAME; with other content: replaced with
 * opts->replace (or same_key), else CSV_DUPLICATE. The row goes into the
 * first part with room; when every part is full and not opts->split:
 * CSV_FULL. CSV_ERROR with err set on I/O errors. A part whose last row
 * was cut loses that row when a row is added to it.
 */
enum csv_outcome csv_add_device(const struct csv_options *opts, const char *device_id,
				const char *cert_pem, struct mcred_error *err);
/* What csv_add_device() would do, under the same locks, writing nothing. */
enum csv_outcome csv_check_device(const struct csv_options *opts, const char *device_id,
				  const char *cert_pem, struct mcred_error *err);

/* Rows already in path and its parts (0 when absent); -1 with err on a read error. */
long csv_count_rows(const char *path, int split, size_t *parts, struct mcred_error *err);

/*
 * The claim CSV of nRF Cloud's claim flow: the rows nrfcloud-utils'
 * gather_attestation_tokens appends and claim_devices reads (its first
 * four fields), f"{imei},{uuid},{token},{datetime.now(timezone.utc)
 * .isoformat()}\n": no header, no quoting (no field can hold a comma),
 * the time with microseconds (unless 0) and "+00:00".
 */
struct timespec;
int attest_csv_row(struct strbuf *b, const char *imei, const char *uuid, const char *token,
		   const struct timespec *when);

struct attest_csv_options {
	const char *path;
	int replace; /* put a new token in the place of the device's row */
};

/*
 * Add one device's claim row, under the same locks as the onboarding CSV,
 * whole and fsync'd. One row per device UUID (whatever its case): rows of
 * this UUID and IMEI are kept (CSV_SAME: their token still claims the
 * device) unless opts->replace (CSV_REPLACED: the first takes the new
 * row, the others go); a row of this UUID with another IMEI is
 * CSV_DUPLICATE without replace. CSV_ADDED, CSV_ERROR, CSV_NO_SPACE.
 */
enum csv_outcome attest_csv_add(const struct attest_csv_options *opts, const char *imei,
				const char *uuid, const char *token, struct mcred_error *err);
/*
 * What attest_csv_add() would do, writing nothing. On CSV_SAME, *kept (when
 * kept is not NULL) gets the kept row's token (malloc'd), the one that
 * claims the device.
 */
enum csv_outcome attest_csv_check(const struct attest_csv_options *opts, const char *imei,
				  const char *uuid, char **kept, struct mcred_error *err);

#endif
