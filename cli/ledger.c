/*
 * Ledger, onboarding CSV and artifact files (see ledger.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "args.h"
#include "files.h"
#include "json.h"
#include "ledger.h"

/* ---- ledger ------------------------------------------------------------------ */

static void field_or_null(struct json *j, const char *key, const char *value)
{
	json_field_string(j, key, value && *value ? value : NULL);
}

static void credentials_json(struct json *j, const struct mcred_provision_result *r)
{
	size_t i;

	json_key(j, "credentials");
	json_array_begin(j);
	for (i = 0; i < r->n_credentials; i++) {
		json_object_begin(j);
		json_field_uint(j, "tag", r->credentials[i].tag);
		json_field_int(j, "type", r->credentials[i].type);
		field_or_null(j, "sha256",
			      r->credentials[i].has_sha256 ? r->credentials[i].sha256 : NULL);
		json_object_end(j);
	}
	json_array_end(j);
}

/* Seconds with millisecond digits, or null for a step that did not run. */
static void seconds(FILE *f, const char *key, double s)
{
	if (s < 0)
		fprintf(f, "\"%s\":null", key);
	else
		fprintf(f, "\"%s\":%.3f", key, s);
}

const char *const ledger_step_names[LEDGER_STEPS] = {
	"offline",  "facts",      "keygen", "key_listed", "signing", "token_wait",
	"write_ca", "write_cert", "verify", "attest",     "restore",
};

void ledger_step_times(const struct mcred_provision_result *r, double out[LEDGER_STEPS])
{
	const struct mcred_provision_timings *t = &r->timings;
	const double v[LEDGER_STEPS] = { t->offline, t->facts,          t->keygen,   t->key_listed,
					 t->signing, t->token_wait,     t->write_ca, t->write_cert,
					 t->verify,  r->attest_seconds, t->restore };

	memcpy(out, v, sizeof(v));
}

/* ,"steps_s":{"offline":0.012,...}: each step's seconds (the ledger's planning data). */
static void steps_json(FILE *f, const struct mcred_provision_result *r)
{
	double v[LEDGER_STEPS];
	size_t i;

	ledger_step_times(r, v);
	fputs(",\"steps_s\":{", f);
	for (i = 0; i < LEDGER_STEPS; i++) {
		if (i)
			fputc(',', f);
		seconds(f, ledger_step_names[i], v[i]);
	}
	fputc('}', f);
}

char *ledger_line(const struct ledger_record *rec, size_t *len)
{
	const struct mcred_provision_result *r = rec->result;
	char when[32];
	time_t t = (time_t)rec->time;
	struct tm tm;
	struct json j;
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	if (!f)
		return NULL;
	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_init(&j, f);
	json_object_begin(&j);
	json_field_string(&j, "time", when);
	json_field_string(&j, "port", rec->port);
	field_or_null(&j, "device_id", r->device_id);
	field_or_null(&j, "imei", r->imei);
	field_or_null(&j, "device_uuid", r->device_uuid);
	field_or_null(&j, "model", r->model);
	field_or_null(&j, "firmware", r->firmware);
	json_field_uint(&j, "tag", rec->tag);
	json_field_string(&j, "result",
			  r->status == MCRED_PROVISION_FAILED
				  ? "failed"
				  : mcred_provision_status_name(r->status));
	field_or_null(&j, "error", r->status == MCRED_PROVISION_FAILED ? r->error.message : NULL);
	json_field_int(&j, "exit_code", rec->exit_code);
	field_or_null(&j, "cert_serial", r->cert_serial);
	field_or_null(&j, "cert_sha256", r->cert_sha256);
	credentials_json(&j, r);
	json_field_bool(&j, "attest_token", r->attest_token != NULL);
	field_or_null(&j, "attest_uuid", r->attest_token ? r->device_uuid : NULL);
	/* json.c writes integers only; the seconds and the object's end are written here. */
	steps_json(f, r);
	fprintf(f, ",\"duration_s\":%.3f}\n", rec->duration_s);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	*len = size;
	return buf;
}

/* Write all of data to fd; 0 or -1 (errno set). */
static int write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* ENOSPC and EDQUOT: the station stops (see station.c), the others go on. */
static int no_space(int e)
{
	return e == ENOSPC || e == EDQUOT;
}

/* "cannot <verb> the <what> <path>: <errno e><more>"; LEDGER_NO_SPACE when the disk is full. */
static int io_error(struct mcred_error *err, int e, const char *verb, const char *what,
		    const char *path, const char *more)
{
	cli_error_set(err, "cannot %s the %s %s: %s%s", verb, what, path, strerror(e), more);
	return no_space(e) ? LEDGER_NO_SPACE : -1;
}

static void unlock_close(int fd)
{
	flock(fd, LOCK_UN);
	close(fd);
}

/* 1 when the file's last byte (of size bytes) is not a newline: a line was left unfinished. */
static int ends_unfinished(int fd, off_t size)
{
	char last = '\n';

	return size > 0 && pread(fd, &last, 1, size - 1) == 1 && last != '\n';
}

/*
 * Append data (whole lines) to the file open on fd, of size before: a
 * file whose last line is unfinished (a crash, a tool killed mid-line)
 * first gets its newline, the lines go with one write(2), and a short
 * write (the disk filled up) is undone with ftruncate() to the size
 * before, so that each line is whole or absent. 0 with the bytes added in
 * *added, or -1 / LEDGER_NO_SPACE with err set.
 */
static int append_lines(int fd, off_t before, const char *what, const char *path, const char *data,
			size_t len, size_t *added, struct mcred_error *err)
{
	char *buf = malloc(len + 1);
	size_t n = 0;
	ssize_t w;
	int e;

	if (!buf)
		return io_error(err, ENOMEM, "append to", what, path, "");
	if (ends_unfinished(fd, before))
		buf[n++] = '\n';
	memcpy(buf + n, data, len);
	n += len;
	do
		w = write(fd, buf, n);
	while (w < 0 && errno == EINTR);
	e = w < 0 ? errno : 0;
	/* a short write: the next one says why (ENOSPC on a full disk) */
	if (w >= 0 && (size_t)w < n && write(fd, buf + w, n - (size_t)w) < 0)
		e = errno;
	free(buf);
	if (w < 0 || (size_t)w != n) {
		int undone = w <= 0 || ftruncate(fd, before) == 0;

		return io_error(err, e ? e : EIO, "append to", what, path,
				undone ? " (nothing of the line was kept)"
				       : " (the cut line could not be removed)");
	}
	*added = n;
	return 0;
}

/*
 * Append data (whole lines, see append_lines()) to path under an exclusive
 * flock(2) of the file, which every writer here takes, threads and
 * processes alike. Returns the fd (unlocked) to fsync and close, its size
 * before in *before and the bytes added in *added; or -1 / LEDGER_NO_SPACE
 * with err set.
 */
static int append_whole(const char *path, const char *what, const char *data, size_t len,
			off_t *before, size_t *added, struct mcred_error *err)
{
	int fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	struct stat st;
	int e, rc;

	if (fd < 0)
		return io_error(err, errno, "open", what, path, "");
	while (flock(fd, LOCK_EX) != 0)
		if (errno != EINTR) {
			e = errno;
			close(fd);
			return io_error(err, e, "lock", what, path, "");
		}
	/* an empty file may be new: its name must survive a power loss too */
	if (fstat(fd, &st) != 0 || (st.st_size == 0 && cli_sync_parent_dir(path) != 0)) {
		e = errno;
		unlock_close(fd);
		return io_error(err, e, "append to", what, path, "");
	}
	rc = append_lines(fd, st.st_size, what, path, data, len, added, err);
	if (rc != 0) {
		unlock_close(fd);
		return rc;
	}
	flock(fd, LOCK_UN);
	*before = st.st_size;
	return fd;
}

/*
 * fsync and close what append_whole() wrote. When the data cannot be made
 * durable, it is taken back if nothing was appended after it. 0, -1 or
 * LEDGER_NO_SPACE with err.
 */
static int sync_close(int fd, const char *what, const char *path, off_t before, size_t added,
		      struct mcred_error *err)
{
	struct stat st;
	int e;

	if (fsync(fd) == 0)
		return close(fd) == 0 ? 0 : io_error(err, errno, "write", what, path, "");
	e = errno;
	if (flock(fd, LOCK_EX) == 0 && fstat(fd, &st) == 0 && st.st_size == before + (off_t)added)
		(void)ftruncate(fd, before);
	unlock_close(fd);
	return io_error(err, e, "write", what, path, "");
}

int ledger_append(const char *path, const char *data, size_t len, struct mcred_error *err)
{
	off_t before = 0;
	size_t added = 0;
	int fd = append_whole(path, "ledger", data, len, &before, &added, err);

	return fd < 0 ? fd : sync_close(fd, "ledger", path, before, added, err);
}

int ledger_append_fd(int fd, off_t *size, const char *what, const char *path, const char *data,
		     size_t len, struct mcred_error *err)
{
	size_t added = 0;
	int rc = append_lines(fd, *size, what, path, data, len, &added, err);

	if (rc != 0)
		return rc;
	if (fsync(fd) != 0) {
		int e = errno;

		(void)ftruncate(fd, *size); /* not durable: take it back */
		return io_error(err, e, "write", what, path, "");
	}
	*size += (off_t)added;
	return 0;
}

int file_replace(const char *path, const char *data, size_t len, int sync_dir,
		 struct mcred_error *err)
{
	char tmp[4200];
	int fd, e;

	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld.%lx", path, (long)getpid(),
		 (unsigned long)pthread_self());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		e = errno;
		cli_error_set(err, "cannot create %s: %s", tmp, strerror(e));
		return no_space(e) ? LEDGER_NO_SPACE : -1;
	}
	if (write_all(fd, data, len) != 0 || fsync(fd) != 0) {
		e = errno;
		cli_error_set(err, "cannot write %s: %s", tmp, strerror(e));
		close(fd);
		unlink(tmp);
		return no_space(e) ? LEDGER_NO_SPACE : -1;
	}
	if (close(fd) != 0 || rename(tmp, path) != 0) {
		e = errno;
		cli_error_set(err, "cannot rename %s to %s: %s", tmp, path, strerror(e));
		unlink(tmp);
		return no_space(e) ? LEDGER_NO_SPACE : -1;
	}
	if (sync_dir && cli_sync_parent_dir(path) != 0) {
		e = errno;
		cli_error_set(err, "cannot sync the directory of %s: %s", path, strerror(e));
		return no_space(e) ? LEDGER_NO_SPACE : -1;
	}
	return 0;
}

/* ---- CSV text ------------------------------------------------------------------ */

int strbuf_add(struct strbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		p = realloc(b->data, cap);
		if (!p)
			return -1;
		b->data = p;
		b->cap = cap;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

void strbuf_free(struct strbuf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

/* Python's csv.writer (QUOTE_MINIMAL): quote a field holding , " CR or LF; double quotes. */
static int csv_field(struct strbuf *b, const char *s)
{
	const char *p;

	if (!s)
		s = "";
	if (!strpbrk(s, ",\"\r\n"))
		return strbuf_add(b, s, strlen(s));
	if (strbuf_add(b, "\"", 1) != 0)
		return -1;
	for (p = s; *p; p++)
		if ((*p == '"' && strbuf_add(b, "\"", 1) != 0) || strbuf_add(b, p, 1) != 0)
			return -1;
	return strbuf_add(b, "\"", 1);
}

int csv_onboard_row(struct strbuf *b, const char *device_id, const char *subtype, const char *tags,
		    const char *fw_types, const char *cert_pem)
{
	const char *fields[5] = { device_id, subtype, tags, fw_types, cert_pem };
	int i;

	for (i = 0; i < 5; i++)
		if ((i > 0 && strbuf_add(b, ",", 1) != 0) || csv_field(b, fields[i]) != 0)
			return -1;
	return strbuf_add(b, "\n", 1);
}

/* Add one row's first field and range. */
static int add_row(struct csv_rows *rows, const char *first, size_t first_len, size_t start,
		   size_t end)
{
	size_t n = rows->count + 1;
	char **f = realloc(rows->first, n * sizeof(*f));
	size_t *s, *e;

	if (!f)
		return -1;
	rows->first = f;
	s = realloc(rows->start, n * sizeof(*s));
	if (!s)
		return -1;
	rows->start = s;
	e = realloc(rows->end, n * sizeof(*e));
	if (!e)
		return -1;
	rows->end = e;
	f[rows->count] = strndup(first, first_len);
	if (!f[rows->count])
		return -1;
	s[rows->count] = start;
	e[rows->count] = end;
	rows->count = n;
	return 0;
}

/*
 * The row starting at text[i]: its field number column, unquoted, into key;
 * the next row's start. *cut is 1 when the text ends inside a quoted field.
 */
static size_t scan_row(const char *text, size_t len, size_t i, unsigned column, struct strbuf *key,
		       int *cut)
{
	int quoted = 0;

	*cut = 0;
	unsigned field = 0;

	for (; i < len; i++) {
		char c = text[i];

		if (quoted) {
			if (c == '"' && i + 1 < len && text[i + 1] == '"') {
				if (field == column)
					strbuf_add(key, "\"", 1);
				i++;
			} else if (c == '"') {
				quoted = 0;
			} else if (field == column) {
				strbuf_add(key, &c, 1);
			}
		} else if (c == '"') {
			quoted = 1;
		} else if (c == ',') {
			field++;
		} else if (c == '\n') {
			return i + 1;
		} else if (c != '\r' && field == column) {
			strbuf_add(key, &c, 1);
		}
	}
	*cut = quoted;
	return len;
}

int csv_parse_rows_by(const char *text, size_t len, unsigned column, struct csv_rows *rows)
{
	size_t i = 0;

	memset(rows, 0, sizeof(*rows));
	rows->complete = len;
	while (i < len) {
		struct strbuf key = { NULL, 0, 0 };
		int cut;
		size_t next = scan_row(text, len, i, column, &key, &cut);
		int blank = next - i <= 2 && strspn(text + i, "\r\n") >= next - i;
		int rc = blank || cut ? 0
				      : add_row(rows, key.data ? key.data : "", key.len, i, next);

		strbuf_free(&key);
		/* a cut row is none: no quote of it may swallow the next */
		if (cut)
			rows->complete = i;
		if (rc != 0) {
			csv_rows_free(rows);
			return -1;
		}
		i = next;
	}
	return 0;
}

int csv_parse_rows(const char *text, size_t len, struct csv_rows *rows)
{
	return csv_parse_rows_by(text, len, 0, rows);
}

void csv_rows_free(struct csv_rows *rows)
{
	size_t i;

	for (i = 0; i < rows->count; i++)
		free(rows->first[i]);
	free(rows->first);
	free(rows->start);
	free(rows->end);
	memset(rows, 0, sizeof(*rows));
}

void csv_part_name(const char *path, unsigned part, char *out, size_t len)
{
	size_t n = strlen(path);

	if (part <= 1)
		snprintf(out, len, "%s", path);
	else if (n > 4 && strcmp(path + n - 4, ".csv") == 0)
		snprintf(out, len, "%.*s-%u.csv", (int)(n - 4), path, part);
	else
		snprintf(out, len, "%s-%u", path, part);
}

/* ---- CSV files -------------------------------------------------------------------- */

/* A part of the CSV and its rows. */
struct csv_part {
	char path[4200];
	char *text;
	size_t len;
	struct csv_rows rows;
	int exists;
};

/* Load a part and its rows, keyed by their field number column. */
static int load_part_by(struct csv_part *p, unsigned column, struct mcred_error *err)
{
	FILE *f = fopen(p->path, "rb");
	struct strbuf b = { NULL, 0, 0 };
	char chunk[8192];
	size_t n;

	memset(&p->rows, 0, sizeof(p->rows));
	p->text = NULL;
	p->len = 0;
	p->exists = f != NULL;
	if (!f) {
		if (errno == ENOENT)
			return 0;
		cli_error_set(err, "cannot read %s: %s", p->path, strerror(errno));
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (strbuf_add(&b, chunk, n) != 0)
			break;
	if (ferror(f) || n > 0) {
		fclose(f);
		strbuf_free(&b);
		cli_error_set(err, "cannot read %s", p->path);
		return -1;
	}
	fclose(f);
	p->text = b.data;
	p->len = b.len;
	if (csv_parse_rows_by(p->text ? p->text : "", p->len, column, &p->rows) != 0) {
		strbuf_free(&b);
		p->text = NULL;
		cli_error_set(err, "out of memory reading %s", p->path);
		return -1;
	}
	return 0;
}

static int load_part(struct csv_part *p, struct mcred_error *err)
{
	return load_part_by(p, 0, err);
}

static void free_part(struct csv_part *p)
{
	free(p->text);
	csv_rows_free(&p->rows);
}

/* Index of the first row of p whose key is device_id (ids are hex: any case), or -1. */
static long find_row(const struct csv_part *p, const char *device_id)
{
	size_t i;

	for (i = 0; i < p->rows.count; i++)
		if (strcasecmp(p->rows.first[i], device_id) == 0)
			return (long)i;
	return -1;
}

/* Field number column of row i of p, unquoted (malloc'd), or NULL when out of memory. */
static char *row_field(const struct csv_part *p, size_t i, unsigned column)
{
	struct strbuf b = { NULL, 0, 0 };
	int cut;

	if (strbuf_add(&b, "", 0) != 0)
		return NULL;
	scan_row(p->text, p->rows.end[i], p->rows.start[i], column, &b, &cut);
	return b.data;
}

/*
 * Rewrite part p with the rows of device_id replaced: the first by row,
 * the others dropped; a cut last row goes too. Without a row of
 * device_id, row is added at the end. 0, -1 or LEDGER_NO_SPACE with err.
 */
static int rewrite_part(struct csv_part *p, const char *device_id, const struct strbuf *row,
			struct mcred_error *err)
{
	struct strbuf b = { NULL, 0, 0 };
	size_t i, at = 0;
	int placed = 0, fail = 0, rc;

	for (i = 0; i < p->rows.count && !fail; i++) {
		if (strcasecmp(p->rows.first[i], device_id) != 0)
			continue;
		fail = strbuf_add(&b, p->text + at, p->rows.start[i] - at) ||
		       (!placed && strbuf_add(&b, row->data, row->len));
		placed = 1;
		at = p->rows.end[i];
	}
	fail = fail || strbuf_add(&b, p->text ? p->text + at : "", p->rows.complete - at) ||
	       (!placed && strbuf_add(&b, row->data, row->len));
	if (fail) {
		strbuf_free(&b);
		cli_error_set(err, "out of memory");
		return -1;
	}
	rc = file_replace(p->path, b.data, b.len, 1, err);
	strbuf_free(&b);
	return rc;
}

/* An appended row to fsync once the CSV's lock is released (see csv_add_device). */
struct pending_sync {
	int fd; /* -1: nothing to sync */
	off_t before;
	size_t added;
	char path[4200];
};

/*
 * Append row to part p (a new part file is created), whole or not at all
 * (append_whole); the fsync waits in *sync until the lock is released, so
 * that the threads' fsyncs can share a journal commit. 0, -1 or
 * LEDGER_NO_SPACE with err.
 */
static int append_part(struct csv_part *p, const struct strbuf *row, struct pending_sync *sync,
		       struct mcred_error *err)
{
	int fd =
		append_whole(p->path, "CSV", row->data, row->len, &sync->before, &sync->added, err);

	if (fd < 0)
		return fd;
	sync->fd = fd;
	memcpy(sync->path, p->path, sizeof(sync->path));
	return 0;
}

/* Serialises the station's threads; flock() serialises processes. */
static pthread_mutex_t csv_mutex = PTHREAD_MUTEX_INITIALIZER;

/* Lock file beside the CSV: its parts are replaced by rename, so they cannot hold the lock. */
static int lock_csv(const char *path, struct mcred_error *err)
{
	char lock[4200];
	int fd;

	snprintf(lock, sizeof(lock), "%s.lock", path);
	fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0 || flock(fd, LOCK_EX) != 0) {
		cli_error_set(err, "cannot lock %s: %s", lock, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

#define MAX_PARTS 1000u

/* The outcome of a failed write: the disk is full, or another error. */
static enum csv_outcome failed_write(int rc)
{
	return rc == LEDGER_NO_SPACE ? CSV_NO_SPACE : CSV_ERROR;
}

/*
 * Add row at the end of part p, which holds no row of device_id: appended,
 * or when the part's last row was cut, the part rewritten without it.
 */
static int add_to_part(struct csv_part *p, const char *device_id, const struct strbuf *row,
		       struct pending_sync *sync, struct mcred_error *err)
{
	if (p->rows.complete < p->len)
		return rewrite_part(p, device_id, row, err);
	return append_part(p, row, sync, err);
}

/* The row of p at i differs from row: may it take row's place? */
static int may_replace(const struct csv_options *o, const struct csv_part *p, size_t i)
{
	char *cert;
	int same;

	if (o->replace)
		return 1;
	if (!o->same_key || !(cert = row_field(p, i, 4))) /* device id, subtype, tags, fw, cert */
		return 0;
	same = o->same_key(cert, o->user) == 1;
	free(cert);
	return same;
}

/* The device's row in a part that has one: the same, replaced, or a duplicate. */
static enum csv_outcome update_row(const struct csv_options *o, struct csv_part *p, long i,
				   const char *device_id, const struct strbuf *row, int dry,
				   struct mcred_error *err)
{
	size_t n = p->rows.end[i] - p->rows.start[i];
	int rc;

	if (n == row->len && memcmp(p->text + p->rows.start[i], row->data, n) == 0)
		return CSV_SAME;
	if (!may_replace(o, p, (size_t)i))
		return CSV_DUPLICATE;
	if (dry)
		return CSV_REPLACED;
	rc = rewrite_part(p, device_id, row, err);
	return rc == 0 ? CSV_REPLACED : failed_write(rc);
}

static enum csv_outcome add_locked(const struct csv_options *o, const char *device_id,
				   const struct strbuf *row, int dry, struct pending_sync *sync,
				   struct mcred_error *err)
{
	struct csv_part p;
	unsigned part, parts = o->split ? MAX_PARTS : 1;
	unsigned room = 0; /* first part with room, 0: none */
	enum csv_outcome out;
	int rc;

	for (part = 1; part <= parts; part++) {
		long i;

		csv_part_name(o->path, part, p.path, sizeof(p.path));
		if (load_part(&p, err) != 0)
			return CSV_ERROR;
		i = find_row(&p, device_id);
		if (i >= 0) {
			out = update_row(o, &p, i, device_id, row, dry, err);
			free_part(&p);
			return out;
		}
		if (!room && p.rows.count < CSV_MAX_ROWS)
			room = part;
		free_part(&p);
		if (!p.exists)
			break; /* parts are numbered without gaps */
	}
	if (!room)
		return CSV_FULL;
	if (dry)
		return CSV_ADDED;
	csv_part_name(o->path, room, p.path, sizeof(p.path));
	if (load_part(&p, err) != 0)
		return CSV_ERROR;
	rc = add_to_part(&p, device_id, row, sync, err);
	free_part(&p);
	return rc == 0 ? CSV_ADDED : failed_write(rc);
}

/* Run add under the CSV's locks (threads, then processes); fsync what it appended. */
static enum csv_outcome locked_add(const char *path, struct pending_sync *sync,
				   enum csv_outcome (*add)(void *arg, struct pending_sync *sync,
							   struct mcred_error *err),
				   void *arg, struct mcred_error *err)
{
	enum csv_outcome out;
	int lock, rc;

	sync->fd = -1;
	pthread_mutex_lock(&csv_mutex);
	lock = lock_csv(path, err);
	out = lock < 0 ? CSV_ERROR : add(arg, sync, err);
	if (lock >= 0)
		close(lock);
	pthread_mutex_unlock(&csv_mutex);
	if (sync->fd >= 0 &&
	    (rc = sync_close(sync->fd, "CSV", sync->path, sync->before, sync->added, err)) != 0)
		out = failed_write(rc);
	return out;
}

struct onboard_add {
	const struct csv_options *o;
	const char *device_id;
	const struct strbuf *row;
	int dry;
};

static enum csv_outcome onboard_add(void *arg, struct pending_sync *sync, struct mcred_error *err)
{
	struct onboard_add *a = arg;

	return add_locked(a->o, a->device_id, a->row, a->dry, sync, err);
}

static enum csv_outcome onboard(const struct csv_options *o, const char *device_id,
				const char *cert_pem, int dry, struct mcred_error *err)
{
	struct strbuf row = { NULL, 0, 0 };
	struct pending_sync sync;
	struct onboard_add a = { o, device_id, &row, dry };
	enum csv_outcome out;

	if (csv_onboard_row(&row, device_id, o->subtype, o->tags, o->fw_types, cert_pem) != 0) {
		strbuf_free(&row);
		cli_error_set(err, "out of memory");
		return CSV_ERROR;
	}
	out = locked_add(o->path, &sync, onboard_add, &a, err);
	strbuf_free(&row);
	return out;
}

enum csv_outcome csv_add_device(const struct csv_options *o, const char *device_id,
				const char *cert_pem, struct mcred_error *err)
{
	return onboard(o, device_id, cert_pem, 0, err);
}

enum csv_outcome csv_check_device(const struct csv_options *o, const char *device_id,
				  const char *cert_pem, struct mcred_error *err)
{
	return onboard(o, device_id, cert_pem, 1, err);
}

long csv_count_rows(const char *path, int split, size_t *parts, struct mcred_error *err)
{
	struct csv_part p;
	unsigned part;
	long total = 0;

	*parts = 0;
	for (part = 1; part <= (split ? MAX_PARTS : 1); part++) {
		csv_part_name(path, part, p.path, sizeof(p.path));
		if (load_part(&p, err) != 0)
			return -1;
		total += (long)p.rows.count;
		free_part(&p);
		if (!p.exists)
			break;
		*parts = part;
	}
	return total;
}

/* ---- claim CSV (attestation tokens) ------------------------------------------------ */

int attest_csv_row(struct strbuf *b, const char *imei, const char *uuid, const char *token,
		   const struct timespec *when)
{
	char date[32], line[64];
	struct tm tm;
	time_t t = when->tv_sec;
	long us = when->tv_nsec / 1000;

	gmtime_r(&t, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	/* datetime.isoformat(): microseconds unless they are 0, then the offset */
	if (us)
		snprintf(line, sizeof(line), "%s.%06ld+00:00", date, us);
	else
		snprintf(line, sizeof(line), "%s+00:00", date);
	return strbuf_add(b, imei, strlen(imei)) || strbuf_add(b, ",", 1) ||
			       strbuf_add(b, uuid, strlen(uuid)) || strbuf_add(b, ",", 1) ||
			       strbuf_add(b, token, strlen(token)) || strbuf_add(b, ",", 1) ||
			       strbuf_add(b, line, strlen(line)) || strbuf_add(b, "\n", 1)
		       ? -1
		       : 0;
}

struct claim_add {
	const struct attest_csv_options *o;
	const char *imei, *uuid;
	const struct strbuf *row;
	int dry;
	char **kept; /* dry: the token of the row kept */
};

/* 1 when every row of p for uuid names imei in its first field (as parsed: quotes allowed). */
static int rows_name_imei(const struct csv_part *p, const char *uuid, const char *imei)
{
	size_t i;

	for (i = 0; i < p->rows.count; i++) {
		char *field;
		int same;

		if (strcasecmp(p->rows.first[i], uuid) != 0)
			continue;
		if (!(field = row_field(p, i, 0)))
			return 0;
		same = strcmp(field, imei) == 0;
		free(field);
		if (!same)
			return 0;
	}
	return 1;
}

static enum csv_outcome claim_add(void *arg, struct pending_sync *sync, struct mcred_error *err)
{
	struct claim_add *a = arg;
	struct csv_part p;
	enum csv_outcome out;
	long i;
	int rc = 0;

	snprintf(p.path, sizeof(p.path), "%s", a->o->path);
	if (load_part_by(&p, 1, err) != 0) /* keyed by UUID, as gather_attestation_tokens */
		return CSV_ERROR;
	i = find_row(&p, a->uuid);
	if (i < 0) {
		out = CSV_ADDED;
		if (!a->dry)
			rc = add_to_part(&p, a->uuid, a->row, sync, err);
	} else if (a->o->replace) {
		out = CSV_REPLACED;
		if (!a->dry)
			rc = rewrite_part(&p, a->uuid, a->row, err);
	} else if (!rows_name_imei(&p, a->uuid, a->imei)) {
		out = CSV_DUPLICATE;
	} else {
		out = CSV_SAME;
		if (a->kept && !(*a->kept = row_field(&p, (size_t)i, 2)))
			out = CSV_ERROR;
	}
	if (rc != 0)
		out = failed_write(rc);
	if (out == CSV_ERROR && rc == 0)
		cli_error_set(err, "out of memory reading %s", p.path);
	free_part(&p);
	return out;
}

static enum csv_outcome claim(const struct attest_csv_options *o, const char *imei,
			      const char *uuid, const char *token, char **kept,
			      struct mcred_error *err)
{
	struct strbuf row = { NULL, 0, 0 };
	struct pending_sync sync;
	struct timespec now;
	struct claim_add a = { o, imei, uuid, &row, kept != NULL, kept };
	enum csv_outcome out;

	clock_gettime(CLOCK_REALTIME, &now);
	if (attest_csv_row(&row, imei, uuid, token, &now) != 0) {
		strbuf_free(&row);
		cli_error_set(err, "out of memory");
		return CSV_ERROR;
	}
	out = locked_add(o->path, &sync, claim_add, &a, err);
	strbuf_free(&row);
	return out;
}

enum csv_outcome attest_csv_add(const struct attest_csv_options *o, const char *imei,
				const char *uuid, const char *token, struct mcred_error *err)
{
	return claim(o, imei, uuid, token, NULL, err);
}

enum csv_outcome attest_csv_check(const struct attest_csv_options *o, const char *imei,
				  const char *uuid, char **kept, struct mcred_error *err)
{
	char *unused = NULL;
	enum csv_outcome out = claim(o, imei, uuid, "", kept ? kept : &unused, err);

	free(unused);
	return out;
}
