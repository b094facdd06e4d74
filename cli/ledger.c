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
	/* json.c writes integers only; the object is closed here with the duration. */
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

/* Open path for appending and write data with one write(2); the fd, or -1 with err. */
static int append_whole(const char *path, const char *what, const char *data, size_t len,
			struct mcred_error *err)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	ssize_t n;

	if (fd < 0) {
		cli_error_set(err, "cannot open the %s %s: %s", what, path, strerror(errno));
		return -1;
	}
	/* One write: O_APPEND places it whole at the end, never between another's bytes. */
	do
		n = write(fd, data, len);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)len) {
		cli_error_set(err, "cannot append to the %s %s: %s", what, path,
			      n < 0 ? strerror(errno) : "short write");
		close(fd);
		return -1;
	}
	return fd;
}

/* fsync and close what append_whole() wrote. 0 or -1 with err. */
static int sync_close(int fd, const char *what, const char *path, struct mcred_error *err)
{
	if (fsync(fd) != 0 || close(fd) != 0) {
		cli_error_set(err, "cannot write the %s %s: %s", what, path, strerror(errno));
		return -1;
	}
	return 0;
}

int ledger_append(const char *path, const char *data, size_t len, struct mcred_error *err)
{
	int fd = append_whole(path, "ledger", data, len, err);

	return fd < 0 ? -1 : sync_close(fd, "ledger", path, err);
}

int file_replace(const char *path, const char *data, size_t len, struct mcred_error *err)
{
	char tmp[4200];
	int fd;

	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld.%lx", path, (long)getpid(),
		 (unsigned long)pthread_self());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		cli_error_set(err, "cannot create %s: %s", tmp, strerror(errno));
		return -1;
	}
	if (write_all(fd, data, len) != 0 || fsync(fd) != 0 || close(fd) != 0) {
		cli_error_set(err, "cannot write %s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, path) != 0) {
		cli_error_set(err, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
		unlink(tmp);
		return -1;
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

/* The first field of the row starting at text[i]: unquoted into [*fs, *fl). */
static size_t scan_row(const char *text, size_t len, size_t i, struct strbuf *first)
{
	int quoted = 0, field = 0;

	for (; i < len; i++) {
		char c = text[i];

		if (quoted) {
			if (c == '"' && i + 1 < len && text[i + 1] == '"') {
				if (field == 0)
					strbuf_add(first, "\"", 1);
				i++;
			} else if (c == '"') {
				quoted = 0;
			} else if (field == 0) {
				strbuf_add(first, &c, 1);
			}
		} else if (c == '"') {
			quoted = 1;
		} else if (c == ',') {
			field++;
		} else if (c == '\n') {
			return i + 1;
		} else if (c != '\r' && field == 0) {
			strbuf_add(first, &c, 1);
		}
	}
	return len;
}

int csv_parse_rows(const char *text, size_t len, struct csv_rows *rows)
{
	size_t i = 0;

	memset(rows, 0, sizeof(*rows));
	while (i < len) {
		struct strbuf first = { NULL, 0, 0 };
		size_t next = scan_row(text, len, i, &first);
		int blank = next - i <= 2 && strspn(text + i, "\r\n") >= next - i;
		int rc = blank ? 0
			       : add_row(rows, first.data ? first.data : "", first.len, i, next);

		strbuf_free(&first);
		if (rc != 0) {
			csv_rows_free(rows);
			return -1;
		}
		i = next;
	}
	return 0;
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

static int load_part(struct csv_part *p, struct mcred_error *err)
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
	if (csv_parse_rows(p->text ? p->text : "", p->len, &p->rows) != 0) {
		strbuf_free(&b);
		p->text = NULL;
		cli_error_set(err, "out of memory reading %s", p->path);
		return -1;
	}
	return 0;
}

static void free_part(struct csv_part *p)
{
	free(p->text);
	csv_rows_free(&p->rows);
}

/* Index of device_id's row in p, or -1. */
static long find_row(const struct csv_part *p, const char *device_id)
{
	size_t i;

	for (i = 0; i < p->rows.count; i++)
		if (strcmp(p->rows.first[i], device_id) == 0)
			return (long)i;
	return -1;
}

/* Swap row i of p for row (or drop it when row is NULL), keeping the others. */
static int rewrite_part(struct csv_part *p, size_t i, const struct strbuf *row,
			struct mcred_error *err)
{
	struct strbuf b = { NULL, 0, 0 };
	int rc;

	if (strbuf_add(&b, p->text, p->rows.start[i]) != 0 ||
	    (row && strbuf_add(&b, row->data, row->len) != 0) ||
	    strbuf_add(&b, p->text + p->rows.end[i], p->len - p->rows.end[i]) != 0) {
		strbuf_free(&b);
		cli_error_set(err, "out of memory");
		return -1;
	}
	rc = file_replace(p->path, b.data, b.len, err);
	strbuf_free(&b);
	return rc;
}

/*
 * Append row to part p (a new part file is created); the fd to fsync once
 * the lock is released (so that the threads' fsyncs can share a journal
 * commit), or -1 with err.
 */
static int append_part(struct csv_part *p, const struct strbuf *row, struct mcred_error *err)
{
	struct strbuf b = { NULL, 0, 0 };
	int fd;

	/* A file that does not end its last row would glue the new row onto it. */
	if ((p->len > 0 && p->text[p->len - 1] != '\n' && strbuf_add(&b, "\n", 1) != 0) ||
	    strbuf_add(&b, row->data, row->len) != 0) {
		strbuf_free(&b);
		cli_error_set(err, "out of memory");
		return -1;
	}
	fd = append_whole(p->path, "onboarding CSV", b.data, b.len, err);
	strbuf_free(&b);
	return fd;
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

static enum csv_outcome add_locked(const struct csv_options *o, const char *device_id,
				   const struct strbuf *row, int *sync_fd, char *sync_path,
				   struct mcred_error *err)
{
	struct csv_part p;
	unsigned part, parts = o->split ? MAX_PARTS : 1;
	unsigned room = 0; /* first part with room, 0: none */
	enum csv_outcome out = CSV_FULL;

	for (part = 1; part <= parts; part++) {
		long i;

		csv_part_name(o->path, part, p.path, sizeof(p.path));
		if (load_part(&p, err) != 0)
			return CSV_ERROR;
		i = find_row(&p, device_id);
		if (i >= 0) {
			size_t n = p.rows.end[i] - p.rows.start[i];

			if (n == row->len && memcmp(p.text + p.rows.start[i], row->data, n) == 0)
				out = CSV_SAME;
			else if (!o->replace)
				out = CSV_DUPLICATE;
			else
				out = rewrite_part(&p, (size_t)i, row, err) == 0 ? CSV_REPLACED
										 : CSV_ERROR;
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
	csv_part_name(o->path, room, p.path, sizeof(p.path));
	if (load_part(&p, err) != 0)
		return CSV_ERROR;
	*sync_fd = append_part(&p, row, err);
	out = *sync_fd >= 0 ? CSV_ADDED : CSV_ERROR;
	memcpy(sync_path, p.path, sizeof(p.path));
	free_part(&p);
	return out;
}

enum csv_outcome csv_add_device(const struct csv_options *o, const char *device_id,
				const char *cert_pem, struct mcred_error *err)
{
	struct strbuf row = { NULL, 0, 0 };
	char sync_path[4200];
	enum csv_outcome out;
	int lock, sync_fd = -1;

	if (csv_onboard_row(&row, device_id, o->subtype, o->tags, o->fw_types, cert_pem) != 0) {
		strbuf_free(&row);
		cli_error_set(err, "out of memory");
		return CSV_ERROR;
	}
	pthread_mutex_lock(&csv_mutex);
	lock = lock_csv(o->path, err);
	out = lock < 0 ? CSV_ERROR : add_locked(o, device_id, &row, &sync_fd, sync_path, err);
	if (lock >= 0)
		close(lock);
	pthread_mutex_unlock(&csv_mutex);
	if (sync_fd >= 0 && sync_close(sync_fd, "onboarding CSV", sync_path, err) != 0)
		out = CSV_ERROR;
	strbuf_free(&row);
	return out;
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
