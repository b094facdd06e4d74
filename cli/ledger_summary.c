/*
 * `provision --summary LEDGER` (see ledger_summary.h). The ledger is read
 * with a small scanner of JSON objects that takes only what the summary
 * needs (port, result, duration_s, steps_s) and skips everything else,
 * strings with escapes included; a line that is no such object counts as
 * unreadable and is left out.
 */
#include "ledger_summary.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "args.h"
#include "cli.h"

/* ---- statistics --------------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct seconds_stats seconds_stats_of(double *v, size_t n)
{
	struct seconds_stats st = { n, 0.0, 0.0 };
	size_t rank;

	if (n == 0)
		return st;
	qsort(v, n, sizeof(*v), cmp_double);
	st.median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	rank = (95 * n + 99) / 100; /* nearest rank, 1-based: ceil(0.95 n) */
	st.p95 = v[rank - 1];
	return st;
}

/* ---- reading a record ---------------------------------------------------------- */

/* What the summary takes from one record. */
struct record {
	char port[512];
	char result[32];
	double duration;
	double steps[LEDGER_STEPS];
};

/* A scanner over one line. */
struct scan {
	const char *p, *end;
};

static void skip_space(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\r'))
		s->p++;
}

static int take(struct scan *s, char c)
{
	skip_space(s);
	if (s->p < s->end && *s->p == c) {
		s->p++;
		return 1;
	}
	return 0;
}

/* A JSON string into out (escapes other than \" and \\ kept as written); 0 or -1. */
static int string_value(struct scan *s, char *out, size_t size)
{
	size_t n = 0;

	if (!take(s, '"'))
		return -1;
	while (s->p < s->end && *s->p != '"') {
		char c = *s->p++;

		if (c == '\\' && s->p < s->end)
			c = *s->p++;
		if (out && n + 1 < size)
			out[n++] = c;
	}
	if (out && size)
		out[n] = '\0';
	return take(s, '"') ? 0 : -1;
}

/*
 * No run of a step or of a device lasts this long (eleven days): a larger
 * value was written by other hands, and would also burst the table's columns.
 */
#define SECONDS_MAX 1e6

/* Whether [p, end) holds only what a JSON number is written with (strtod also reads inf, nan, hex). */
static int json_number_chars(const char *p, const char *end)
{
	for (; p < end; p++)
		if (!strchr("0123456789+-.eE", *p))
			return 0;
	return 1;
}

/*
 * A number of seconds (null, or one no run can take: -1 seconds, not
 * measured); 0, or -1 when it is no JSON number.
 */
static int number_value(struct scan *s, double *v)
{
	char *next;

	skip_space(s);
	if (s->end - s->p >= 4 && memcmp(s->p, "null", 4) == 0) {
		s->p += 4;
		*v = -1;
		return 0;
	}
	*v = strtod(s->p, &next);
	if (next == s->p || next > s->end || !json_number_chars(s->p, next))
		return -1;
	if (!isfinite(*v) || *v >= SECONDS_MAX) /* 1e999 reads as inf */
		*v = -1;
	s->p = next;
	return 0;
}

/* Skip any value: strings (with escapes), nested objects and arrays, literals. */
static int skip_value(struct scan *s)
{
	int depth = 0;

	skip_space(s);
	while (s->p < s->end) {
		char c = *s->p;

		if (c == '"') {
			if (string_value(s, NULL, 0) != 0)
				return -1;
			continue;
		}
		if ((c == ',' || c == '}' || c == ']') && depth == 0)
			return 0; /* the member's end, left for the caller */
		if (c == '{' || c == '[')
			depth++;
		else if (c == '}' || c == ']')
			depth--;
		s->p++;
	}
	return -1;
}

/* The steps_s object into r->steps (by the ledger's names). */
static int steps_value(struct scan *s, struct record *r)
{
	char key[32];
	double v;
	size_t i;

	if (!take(s, '{'))
		return -1;
	if (take(s, '}'))
		return 0;
	do {
		if (string_value(s, key, sizeof(key)) != 0 || !take(s, ':') ||
		    number_value(s, &v) != 0)
			return -1;
		for (i = 0; i < LEDGER_STEPS; i++)
			if (strcmp(key, ledger_step_names[i]) == 0)
				r->steps[i] = v;
	} while (take(s, ','));
	return take(s, '}') ? 0 : -1;
}

/* One line into r: 0, or -1 when it is not a ledger record. */
static int read_record(const char *line, size_t len, struct record *r)
{
	struct scan s = { line, line + len };
	char key[64];
	size_t i;
	int rc = 0;

	memset(r, 0, sizeof(*r));
	r->duration = -1;
	for (i = 0; i < LEDGER_STEPS; i++)
		r->steps[i] = -1;
	if (!take(&s, '{'))
		return -1;
	do {
		if (string_value(&s, key, sizeof(key)) != 0 || !take(&s, ':'))
			return -1;
		if (!strcmp(key, "port"))
			rc = string_value(&s, r->port, sizeof(r->port));
		else if (!strcmp(key, "result"))
			rc = string_value(&s, r->result, sizeof(r->result));
		else if (!strcmp(key, "duration_s"))
			rc = number_value(&s, &r->duration);
		else if (!strcmp(key, "steps_s"))
			rc = steps_value(&s, r);
		else
			rc = skip_value(&s);
		if (rc != 0)
			return -1;
	} while (take(&s, ','));
	return take(&s, '}') && r->port[0] && r->result[0] ? 0 : -1;
}

/* ---- summing up --------------------------------------------------------------------- */

/* Seconds collected per step, per port and in all. */
struct collect {
	double *steps[LEDGER_STEPS];
	size_t nsteps[LEDGER_STEPS];
	double *all;
	size_t nall;
	struct {
		char *port;
		double *v;
		size_t n;
	} * ports;
	size_t nports;
};

/* Append x to v (n values): capacity doubles, so a long ledger costs no quadratic copying. */
static int push(double **v, size_t *n, double x)
{
	if (*n == 0 || (*n >= 16 && (*n & (*n - 1)) == 0)) {
		double *p = realloc(*v, (*n ? 2 * *n : 16) * sizeof(**v));

		if (!p)
			return -1;
		*v = p;
	}
	(*v)[(*n)++] = x;
	return 0;
}

/* The collection of port (added when new), or NULL when out of memory. */
static int port_index(struct collect *c, const char *port, size_t *index)
{
	size_t i;
	void *p;

	for (i = 0; i < c->nports; i++)
		if (strcmp(c->ports[i].port, port) == 0) {
			*index = i;
			return 0;
		}
	p = realloc(c->ports, (c->nports + 1) * sizeof(*c->ports));
	if (!p)
		return -1;
	c->ports = p;
	c->ports[c->nports].port = strdup(port);
	c->ports[c->nports].v = NULL;
	c->ports[c->nports].n = 0;
	if (!c->ports[c->nports].port)
		return -1;
	*index = c->nports++;
	return 0;
}

static int count_record(struct ledger_summary *s, struct collect *c, const struct record *r)
{
	size_t i, port;
	int done = !strcmp(r->result, "provisioned") || !strcmp(r->result, "renewed");

	s->provisioned += !strcmp(r->result, "provisioned");
	s->renewed += !strcmp(r->result, "renewed");
	s->unchanged += !strcmp(r->result, "unchanged");
	s->csr_saved += !strcmp(r->result, "csr-saved");
	s->failed += !strcmp(r->result, "failed");
	for (i = 0; i < LEDGER_STEPS; i++)
		if (r->steps[i] >= 0 && push(&c->steps[i], &c->nsteps[i], r->steps[i]) != 0)
			return -1;
	if (port_index(c, r->port, &port) != 0)
		return -1;
	if (!done || r->duration < 0)
		return 0;
	return push(&c->ports[port].v, &c->ports[port].n, r->duration) ||
			       push(&c->all, &c->nall, r->duration)
		       ? -1
		       : 0;
}

static struct port_stats port_stats_of(char *port, double *v, size_t n)
{
	struct port_stats p;

	p.port = port;
	p.devices = n;
	p.per_device = seconds_stats_of(v, n);
	p.per_hour = p.per_device.median > 0 ? 3600.0 / p.per_device.median : 0.0;
	return p;
}

static void free_collect(struct collect *c)
{
	size_t i;

	for (i = 0; i < LEDGER_STEPS; i++)
		free(c->steps[i]);
	for (i = 0; i < c->nports; i++) {
		free(c->ports[i].port);
		free(c->ports[i].v);
	}
	free(c->ports);
	free(c->all);
}

/* The statistics of what was collected into s (the port names move to s). */
static int finish(struct ledger_summary *s, struct collect *c)
{
	size_t i;

	for (i = 0; i < LEDGER_STEPS; i++)
		s->steps[i] = seconds_stats_of(c->steps[i], c->nsteps[i]);
	s->ports = calloc(c->nports ? c->nports : 1, sizeof(*s->ports));
	if (!s->ports)
		return -1;
	for (i = 0; i < c->nports; i++) {
		s->ports[i] = port_stats_of(c->ports[i].port, c->ports[i].v, c->ports[i].n);
		c->ports[i].port = NULL;
	}
	s->nports = c->nports;
	s->all = port_stats_of(NULL, c->all, c->nall);
	return 0;
}

/* One line of a ledger (without its newline) into the summary; 0, or -1 when out of memory. */
static int summarize_line(struct ledger_summary *s, struct collect *c, const char *line, size_t n)
{
	struct record r;

	if (n > 0 && line[n - 1] == '\r')
		n--;
	if (n == 0)
		return 0;
	if (read_record(line, n, &r) != 0) {
		s->unreadable++;
		return 0;
	}
	s->records++;
	return count_record(s, c, &r);
}

int ledger_summarize(const char *text, size_t len, struct ledger_summary *s)
{
	struct collect c;
	size_t i = 0;
	int rc = 0;

	memset(s, 0, sizeof(*s));
	memset(&c, 0, sizeof(c));
	while (i < len && rc == 0) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (text + i)) : len - i;

		rc = summarize_line(s, &c, text + i, n);
		i += n + 1;
	}
	if (rc == 0)
		rc = finish(s, &c);
	free_collect(&c);
	return rc;
}

/*
 * The same over a stream, a line at a time: a ledger grows by about a
 * kilobyte per device, a production line's year by hundreds of megabytes,
 * and it is never held whole. 0, -1 when out of memory, -2 on a read error (errno).
 */
static int summarize_stream(FILE *f, struct ledger_summary *s)
{
	struct collect c;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = 0;

	memset(s, 0, sizeof(*s));
	memset(&c, 0, sizeof(c));
	errno = 0;
	while (rc == 0 && (n = getline(&line, &cap, f)) >= 0)
		rc = summarize_line(s, &c, line, (size_t)n - (n > 0 && line[n - 1] == '\n'));
	if (rc == 0 && ferror(f))
		rc = -2;
	free(line);
	if (rc == 0)
		rc = finish(s, &c);
	free_collect(&c);
	if (rc != 0)
		ledger_summary_free(s);
	return rc;
}

void ledger_summary_free(struct ledger_summary *s)
{
	size_t i;

	for (i = 0; i < s->nports; i++)
		free(s->ports[i].port);
	free(s->ports);
	memset(s, 0, sizeof(*s));
}

/* ---- printing ----------------------------------------------------------------------- */

static const char *const step_labels[LEDGER_STEPS] = {
	"offline",      "device facts",      "key generation", "key listed",
	"signing",      "token wait",        "root CA write",  "certificate write",
	"verification", "attestation token", "restore",
};

/* A statistic's seconds in the table: "-" when nothing was measured (not a time of 0). */
static void table_seconds(FILE *out, int width, size_t n, double v)
{
	if (n)
		fprintf(out, " %*.3f", width, v);
	else
		fprintf(out, " %*s", width, "-");
}

/* The port column is as wide as the longest name: kit ports differ only at their end. */
static int port_width(const struct ledger_summary *s, const char *every)
{
	size_t i, w = strlen(every);

	for (i = 0; i < s->nports; i++)
		if (strlen(s->ports[i].port) > w)
			w = strlen(s->ports[i].port);
	return w > 512 ? 512 : (int)w;
}

static void port_row(FILE *out, int width, const char *name, const struct port_stats *p)
{
	fprintf(out, "%-*s %11zu", width, name, p->devices);
	table_seconds(out, 11, p->devices, p->per_device.median);
	if (p->per_hour > 0) /* none for a median of 0 s */
		fprintf(out, " %12.0f\n", p->per_hour);
	else
		fprintf(out, " %12s\n", "-");
}

static void print_table(const struct ledger_summary *s, const char *name, FILE *out)
{
	static const char every[] = "every port (per port)";
	int width = port_width(s, every);
	size_t i;

	fprintf(out,
		"%s: %zu records: %zu provisioned, %zu renewed, %zu unchanged, %zu csr-saved, "
		"%zu failed",
		name, s->records, s->provisioned, s->renewed, s->unchanged, s->csr_saved,
		s->failed);
	if (s->unreadable)
		fprintf(out, " (%zu lines are no ledger record and were left out)", s->unreadable);
	fprintf(out, "\n\n%-18s %6s %11s %11s\n", "step", "runs", "median (s)", "p95 (s)");
	for (i = 0; i < LEDGER_STEPS; i++) {
		fprintf(out, "%-18s %6zu", step_labels[i], s->steps[i].n);
		table_seconds(out, 11, s->steps[i].n, s->steps[i].median);
		table_seconds(out, 11, s->steps[i].n, s->steps[i].p95);
		fputc('\n', out);
	}
	fprintf(out, "\n%-*s %11s %11s %12s\n", width, "port", "provisioned", "median (s)",
		"devices/hour");
	for (i = 0; i < s->nports; i++)
		port_row(out, width, s->ports[i].port, &s->ports[i]);
	port_row(out, width, every, &s->all);
}

/* ,"name":x with x in seconds, or null when nothing was measured (n is 0) */
static void seconds_json(FILE *out, const char *name, size_t n, double v, int decimals)
{
	fprintf(out, ",\"%s\":", name);
	if (n)
		fprintf(out, "%.*f", decimals, v);
	else
		fputs("null", out);
}

/* "name":{"runs":n,"median_s":x,"p95_s":y} (json.c writes integers: the seconds by hand) */
static void stats_json(FILE *out, const char *name, const struct seconds_stats *st)
{
	fprintf(out, "\"%s\":{\"runs\":%zu", name, st->n);
	seconds_json(out, "median_s", st->n, st->median, 3);
	seconds_json(out, "p95_s", st->n, st->p95, 3);
	fputc('}', out);
}

/* A JSON string: the port names are paths, escaped all the same. */
static void quoted(FILE *out, const char *text)
{
	const unsigned char *p;

	fputc('"', out);
	for (p = (const unsigned char *)text; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(out, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(out, "\\u%04x", *p);
		else
			fputc(*p, out);
	}
	fputc('"', out);
}

static void port_json(FILE *out, const struct port_stats *p)
{
	fputc('{', out);
	if (p->port) {
		fputs("\"port\":", out);
		quoted(out, p->port);
		fputc(',', out);
	}
	fprintf(out, "\"provisioned\":%zu", p->devices);
	seconds_json(out, "median_s", p->devices, p->per_device.median, 3);
	seconds_json(out, "p95_s", p->devices, p->per_device.p95, 3);
	seconds_json(out, "devices_per_hour", p->per_hour > 0, p->per_hour, 0);
	fputc('}', out);
}

static void print_json(const struct ledger_summary *s, FILE *out)
{
	size_t i;

	fprintf(out,
		"{\"records\":%zu,\"unreadable\":%zu,\"results\":{\"provisioned\":%zu,\"renewed\":%zu,"
		"\"unchanged\":%zu,\"csr_saved\":%zu,\"failed\":%zu},\"steps\":{",
		s->records, s->unreadable, s->provisioned, s->renewed, s->unchanged, s->csr_saved,
		s->failed);
	for (i = 0; i < LEDGER_STEPS; i++) {
		if (i)
			fputc(',', out);
		stats_json(out, ledger_step_names[i], &s->steps[i]);
	}
	fputs("},\"ports\":[", out);
	for (i = 0; i < s->nports; i++) {
		if (i)
			fputc(',', out);
		port_json(out, &s->ports[i]);
	}
	fputs("],\"every_port\":", out);
	port_json(out, &s->all);
	fputs("}\n", out);
}

void ledger_summary_print(const struct ledger_summary *s, const char *name, int json, FILE *out)
{
	if (json)
		print_json(s, out);
	else
		print_table(s, name, out);
	fflush(out);
}

int ledger_summary_command(const char *path, int json)
{
	struct ledger_summary s;
	struct stat st;
	int is_stdin = strcmp(path, "-") == 0;
	FILE *f = is_stdin ? stdin : fopen(path, "r");
	int rc, saved;

	if (!f) {
		cli_errorf("--summary: cannot open the ledger %s: %s", path, strerror(errno));
		return CLI_EXIT_USAGE;
	}
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		cli_errorf("--summary: %s is a directory: give the ledger file (--ledger FILE of "
			   "the runs)",
			   path);
		if (!is_stdin)
			fclose(f);
		return CLI_EXIT_USAGE;
	}
	rc = summarize_stream(f, &s);
	saved = errno;
	if (!is_stdin)
		fclose(f);
	if (rc == -2) {
		cli_errorf("--summary: cannot read the ledger %s: %s", path, strerror(saved));
		return CLI_EXIT_USAGE;
	}
	if (rc != 0) {
		cli_errorf("out of memory");
		return CLI_EXIT_FAILURE;
	}
	ledger_summary_print(&s, path, json, stdout);
	ledger_summary_free(&s);
	return CLI_EXIT_OK;
}
