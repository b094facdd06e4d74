/* The station's records: ledger lines, onboarding CSV rows and files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <time.h>

#include "journal.h"
#include "ledger.h"
#include "ledger_summary.h"

/* nrfcloud-utils: csv.writer(lineterminator='\n', quoting=QUOTE_MINIMAL) */
static void test_row_quotes_like_python_csv(void **state)
{
	struct strbuf b = { NULL, 0, 0 };

	(void)state;
	assert_int_equal(csv_onboard_row(&b, "dev-1", "", "a,b", "APP|MODEM",
					 "-----BEGIN\n\"x\"\n-----END\n"),
			 0);
	assert_string_equal(b.data,
			    "dev-1,,\"a,b\",APP|MODEM,\"-----BEGIN\n\"\"x\"\"\n-----END\n\"\n");
	strbuf_free(&b);
}

static void test_parse_rows_with_multiline_fields(void **state)
{
	const char *text =
		"a,,,APP|MODEM,\"line1\nline2\n\"\r\n\"b\"\"q\",x,y,z,\"p,q\"\r\n\r\nc,1,2,3,4";
	struct csv_rows rows;

	(void)state;
	assert_int_equal(csv_parse_rows(text, strlen(text), &rows), 0);
	assert_int_equal(rows.count, 3);
	assert_string_equal(rows.first[0], "a");
	assert_string_equal(rows.first[1], "b\"q");
	assert_string_equal(rows.first[2], "c");
	assert_int_equal(rows.start[0], 0);
	assert_memory_equal(text + rows.start[1], "\"b\"\"q\"", 6);
	assert_int_equal(rows.end[2], strlen(text));
	csv_rows_free(&rows);
}

/* A last row cut inside its quotes (a crash) is no row: it would swallow every row after it. */
static void test_parse_rows_cut_inside_quotes(void **state)
{
	const char *text =
		"a,,,APP|MODEM,\"-----BEGIN\nAAA\n-----END\n\"\nb,,,APP|MODEM,\"-----BEGIN\nBB";
	const char *whole = "c,1,2,3,4";
	struct csv_rows rows;

	(void)state;
	assert_int_equal(csv_parse_rows(text, strlen(text), &rows), 0);
	assert_int_equal(rows.count, 1);
	assert_string_equal(rows.first[0], "a");
	assert_int_equal(rows.complete, rows.end[0]);
	csv_rows_free(&rows);
	/* a last row without its newline, but whole, is a row */
	assert_int_equal(csv_parse_rows(whole, strlen(whole), &rows), 0);
	assert_int_equal(rows.count, 1);
	assert_int_equal(rows.complete, strlen(whole));
	csv_rows_free(&rows);
}

static void test_part_names(void **state)
{
	char name[64];

	(void)state;
	csv_part_name("onboard.csv", 1, name, sizeof(name));
	assert_string_equal(name, "onboard.csv");
	csv_part_name("dir/onboard.csv", 2, name, sizeof(name));
	assert_string_equal(name, "dir/onboard-2.csv");
	csv_part_name("onboard", 3, name, sizeof(name));
	assert_string_equal(name, "onboard-3");
}

static void test_ledger_line_fields(void **state)
{
	struct mcred_provision_result r;
	struct ledger_record rec;
	size_t len = 0;
	char *line;

	(void)state;
	mcred_provision_result_init(&r);
	r.status = MCRED_PROVISION_FAILED;
	snprintf(r.device_id, sizeof(r.device_id), "nrf-351358811234567");
	snprintf(r.imei, sizeof(r.imei), "351358811234567");
	snprintf(r.error.message, sizeof(r.error.message), "timed out \"x\"");
	r.n_credentials = 1;
	r.credentials[0].tag = 42;
	r.credentials[0].type = 2;
	r.credentials[0].has_sha256 = 1;
	memset(r.credentials[0].sha256, 'A', 64);
	r.timings.offline = 0.012;
	r.timings.facts = r.timings.keygen = r.timings.key_listed = r.timings.signing = -1;
	r.timings.token_wait = r.timings.write_ca = r.timings.write_cert = r.timings.verify = -1;
	r.timings.restore = 2.25;
	r.attest_seconds = 3.016; /* a timed-out %ATTESTTOKEN's seconds are planning data too */
	memset(&rec, 0, sizeof(rec));
	rec.port = "/dev/ttyACM0";
	rec.result = &r;
	rec.tag = 42;
	rec.exit_code = 3;
	rec.duration_s = 1.5;
	rec.time = 0;
	line = ledger_line(&rec, &len);
	assert_non_null(line);
	assert_int_equal(len, strlen(line));
	assert_int_equal(line[len - 1], '\n');
	assert_null(memchr(line, '\n', len - 1)); /* one line */
	assert_non_null(strstr(line,
			       "{\"time\":\"1970-01-01T00:00:00Z\",\"port\":\"/dev/ttyACM0\","
			       "\"device_id\":\"nrf-351358811234567\",\"imei\":\"351358811234567\","
			       "\"device_uuid\":null,\"model\":null,\"firmware\":null,\"tag\":42,"
			       "\"result\":\"failed\",\"error\":\"timed out \\\"x\\\"\","
			       "\"exit_code\":3,\"cert_serial\":null,\"cert_sha256\":null,"
			       "\"credentials\":[{\"tag\":42,\"type\":2,\"sha256\":\"AAAA"));
	assert_non_null(strstr(line,
			       "\"}],\"attest_token\":false,\"attest_uuid\":null,"
			       "\"steps_s\":{\"offline\":0.012,\"facts\":null,\"keygen\":null,"
			       "\"key_listed\":null,\"signing\":null,\"token_wait\":null,"
			       "\"write_ca\":null,\"write_cert\":null,\"verify\":null,"
			       "\"attest\":3.016,\"restore\":2.250},\"duration_s\":1.500}\n"));
	free(line);
}

/* ---- files ---------------------------------------------------------------------- */

struct dir {
	char path[64];
	char csv[96];
};

static int make_dir(void **state)
{
	struct dir *d = calloc(1, sizeof(*d));

	snprintf(d->path, sizeof(d->path), "/tmp/mcledger.XXXXXX");
	if (!mkdtemp(d->path))
		return -1;
	snprintf(d->csv, sizeof(d->csv), "%s/onboard.csv", d->path);
	*state = d;
	return 0;
}

static int remove_dir(void **state)
{
	struct dir *d = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d->path);
	if (system(cmd) != 0)
		return -1;
	free(d);
	return 0;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = calloc(1, 1 << 20);
	size_t n = f ? fread(buf, 1, (1 << 20) - 1, f) : 0;

	if (f)
		fclose(f);
	buf[n] = '\0';
	return buf;
}

static void test_csv_add_same_duplicate_replace(void **state)
{
	struct dir *d = *state;
	struct csv_options o = { d->csv, "", "", "APP|MODEM", 0, 0, NULL, NULL };
	struct mcred_error err;
	size_t parts;
	char *text;

	memset(&err, 0, sizeof(err));
	assert_int_equal(csv_add_device(&o, "dev-1", "CERT1\n", &err), CSV_ADDED);
	assert_int_equal(csv_add_device(&o, "dev-2", "CERT2\n", &err), CSV_ADDED);
	assert_int_equal(csv_add_device(&o, "dev-1", "CERT1\n", &err), CSV_SAME);
	assert_int_equal(csv_add_device(&o, "dev-1", "NEW\n", &err), CSV_DUPLICATE);
	o.replace = 1;
	assert_int_equal(csv_add_device(&o, "dev-1", "NEW\n", &err), CSV_REPLACED);
	text = slurp(d->csv);
	assert_string_equal(text, "dev-1,,,APP|MODEM,\"NEW\n\"\ndev-2,,,APP|MODEM,\"CERT2\n\"\n");
	free(text);
	assert_int_equal(csv_count_rows(d->csv, 0, &parts, &err), 2);
	assert_int_equal(parts, 1);
}

static void test_csv_full_then_split(void **state)
{
	struct dir *d = *state;
	struct csv_options o = { d->csv, "", "", "APP|MODEM", 0, 0, NULL, NULL };
	struct mcred_error err;
	struct strbuf b = { NULL, 0, 0 };
	char id[32], part2[128];
	size_t parts;
	FILE *f;
	int i;

	memset(&err, 0, sizeof(err));
	for (i = 0; i < CSV_MAX_ROWS; i++) {
		snprintf(id, sizeof(id), "dev-%d", i);
		assert_int_equal(csv_onboard_row(&b, id, "", "", "APP|MODEM", "C\n"), 0);
	}
	f = fopen(d->csv, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(b.data, 1, b.len, f), b.len);
	fclose(f);
	strbuf_free(&b);
	/* a device already in the full file is still found, not refused */
	assert_int_equal(csv_add_device(&o, "dev-7", "C\n", &err), CSV_SAME);
	assert_int_equal(csv_add_device(&o, "new", "C\n", &err), CSV_FULL);
	o.split = 1;
	assert_int_equal(csv_add_device(&o, "new", "C\n", &err), CSV_ADDED);
	assert_int_equal(csv_add_device(&o, "new", "C\n", &err), CSV_SAME);
	snprintf(part2, sizeof(part2), "%s/onboard-2.csv", d->path);
	assert_int_equal(access(part2, F_OK), 0);
	assert_int_equal(csv_count_rows(d->csv, 1, &parts, &err), CSV_MAX_ROWS + 1);
	assert_int_equal(parts, 2);
}

static void test_ledger_append_whole_lines(void **state)
{
	struct dir *d = *state;
	char path[128];
	struct mcred_error err;
	char *text;

	snprintf(path, sizeof(path), "%s/ledger.jsonl", d->path);
	memset(&err, 0, sizeof(err));
	assert_int_equal(ledger_append(path, "{\"a\":1}\n", 8, &err), 0);
	assert_int_equal(ledger_append(path, "{\"b\":2}\n", 8, &err), 0);
	text = slurp(path);
	assert_string_equal(text, "{\"a\":1}\n{\"b\":2}\n");
	free(text);
	assert_int_equal(ledger_append("/nonexistent/dir/ledger", "x\n", 2, &err), -1);
	assert_non_null(strstr(err.message, "/nonexistent/dir/ledger"));
}

/* Threads appending at once: every line arrives whole, none is lost. */
struct appender {
	const char *path;
	int id;
	int failures;
};

static void *append_lines(void *arg)
{
	struct appender *a = arg;
	struct mcred_error err;
	char line[300];
	int i, n;

	for (i = 0; i < 50; i++) {
		/* long enough that a torn write would show */
		n = snprintf(line, sizeof(line), "{\"thread\":%d,\"i\":%d,\"pad\":\"%0200d\"}\n",
			     a->id, i, 0);
		if (ledger_append(a->path, line, (size_t)n, &err) != 0)
			a->failures++;
	}
	return NULL;
}

static void test_ledger_append_from_threads(void **state)
{
	struct dir *d = *state;
	struct appender a[6];
	pthread_t t[6];
	char path[128], want[300], *text, *line, *save = NULL;
	int seen[6][50], i, count = 0;

	snprintf(path, sizeof(path), "%s/ledger.jsonl", d->path);
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < 6; i++) {
		a[i].path = path;
		a[i].id = i;
		a[i].failures = 0;
		assert_int_equal(pthread_create(&t[i], NULL, append_lines, &a[i]), 0);
	}
	for (i = 0; i < 6; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(a[i].failures, 0);
	}
	text = slurp(path);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		int th = -1, k = -1;

		assert_int_equal(sscanf(line, "{\"thread\":%d,\"i\":%d,", &th, &k), 2);
		assert_in_range(th, 0, 5);
		assert_in_range(k, 0, 49);
		/* whole: exactly the line that thread wrote */
		snprintf(want, sizeof(want), "{\"thread\":%d,\"i\":%d,\"pad\":\"%0200d\"}", th, k,
			 0);
		assert_string_equal(line, want);
		seen[th][k]++;
		count++;
	}
	free(text);
	assert_int_equal(count, 300);
	for (i = 0; i < 6 * 50; i++)
		assert_int_equal(seen[i / 50][i % 50], 1);
}

/* A line left unfinished (a crash, a tool killed mid-line) is ended before the next. */
static void test_ledger_append_after_an_unfinished_line(void **state)
{
	struct dir *d = *state;
	char path[128];
	struct mcred_error err;
	FILE *f;
	char *text;

	snprintf(path, sizeof(path), "%s/ledger.jsonl", d->path);
	f = fopen(path, "w");
	fputs("{\"a\":1}\n{\"torn\":", f);
	fclose(f);
	memset(&err, 0, sizeof(err));
	assert_int_equal(ledger_append(path, "{\"b\":2}\n", 8, &err), 0);
	text = slurp(path);
	assert_string_equal(text, "{\"a\":1}\n{\"torn\":\n{\"b\":2}\n");
	free(text);
}

/* gather_attestation_tokens: f"{imei},{uuid},{token},{datetime.now(timezone.utc).isoformat()}\n" */
static void test_claim_row_like_gather_attestation_tokens(void **state)
{
	struct strbuf b = { NULL, 0, 0 };
	struct timespec when = { 1767225600, 123456789 }; /* 2026-01-01T00:00:00.123456789Z */

	(void)state;
	assert_int_equal(attest_csv_row(&b, "351358811234567",
					"4e5249d0-5349-4d00-8000-000000000001", "2dn3hAFQ.0oRDoQEm",
					&when),
			 0);
	assert_string_equal(b.data, "351358811234567,4e5249d0-5349-4d00-8000-000000000001,"
				    "2dn3hAFQ.0oRDoQEm,2026-01-01T00:00:00.123456+00:00\n");
	strbuf_free(&b);
	/* isoformat() leaves out microseconds that are 0 */
	when.tv_nsec = 999;
	assert_int_equal(attest_csv_row(&b, "1", "u", "t", &when), 0);
	assert_string_equal(b.data, "1,u,t,2026-01-01T00:00:00+00:00\n");
	strbuf_free(&b);
}

static void test_claim_csv_one_row_per_uuid(void **state)
{
	struct dir *d = *state;
	struct attest_csv_options o = { NULL, 0 };
	struct mcred_error err;
	struct csv_rows rows;
	char path[128], *text;

	snprintf(path, sizeof(path), "%s/claims.csv", d->path);
	o.path = path;
	memset(&err, 0, sizeof(err));
	assert_int_equal(attest_csv_add(&o, "111111111111111", "uuid-a", "tok1", &err), CSV_ADDED);
	assert_int_equal(attest_csv_add(&o, "222222222222222", "uuid-b", "tok2", &err), CSV_ADDED);
	/* the same device again: its row stays */
	assert_int_equal(attest_csv_add(&o, "111111111111111", "uuid-a", "tok3", &err), CSV_SAME);
	/* its UUID with another IMEI: refused unless replace */
	assert_int_equal(attest_csv_add(&o, "333333333333333", "uuid-a", "tok4", &err),
			 CSV_DUPLICATE);
	o.replace = 1;
	assert_int_equal(attest_csv_add(&o, "111111111111111", "uuid-a", "tok5", &err),
			 CSV_REPLACED);
	text = slurp(path);
	assert_int_equal(csv_parse_rows_by(text, strlen(text), 1, &rows), 0);
	assert_int_equal(rows.count, 2);
	assert_string_equal(rows.first[0], "uuid-a");
	assert_string_equal(rows.first[1], "uuid-b");
	assert_memory_equal(text + rows.start[0], "111111111111111,uuid-a,tok5,", 28);
	csv_rows_free(&rows);
	free(text);
}

/* The journal's lines: written and read back; the last whole line counts; DONE removes it. */
static void test_journal_record_recall(void **state)
{
	struct dir *d = *state;
	struct mcred_provision_intent in, out;
	struct mcred_error err;
	struct journal_dir jd;
	struct journal j;
	char path[4200], line[512];
	FILE *f;

	memset(&in, 0, sizeof(in));
	in.size = sizeof(in);
	in.step = MCRED_STEP_KEYGEN;
	in.mode_found = 1;
	snprintf(in.imei, sizeof(in.imei), "351358811234567");
	in.keygen = 1;
	memset(in.key_sha256, 'A', 64);
	memset(in.cert_before, 'B', 64);
	journal_line(&in, line, sizeof(line));
	assert_string_equal(line,
			    "step=keygen mode_found=1 imei=351358811234567 keygen=1 "
			    "replace_key=0 key_before=- key_sha256="
			    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA "
			    "cert_before=BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB\n");
	memset(&err, 0, sizeof(err));
	memset(&out, 0, sizeof(out));
	journal_dir_init(&jd, d->path);
	journal_init(&j);
	assert_int_equal(journal_recall(d->path, "351358811234567", &out, &err), 0);
	in.step = MCRED_STEP_OFFLINE;
	assert_int_equal(journal_record(&j, &jd, &in, &err), 0);
	assert_true(jd.synced >= 1); /* the new name is durable */
	in.step = MCRED_STEP_KEYGEN;
	assert_int_equal(journal_record(&j, &jd, &in, &err), 0);
	assert_int_equal(journal_recall(d->path, "351358811234567", &out, &err), 1);
	assert_int_equal(out.step, MCRED_STEP_KEYGEN);
	assert_int_equal(out.mode_found, 1);
	assert_int_equal(out.keygen, 1);
	assert_string_equal(out.key_before, "");
	assert_memory_equal(out.key_sha256, in.key_sha256, 65);
	assert_memory_equal(out.cert_before, in.cert_before, 65);
	/* a line cut by a crash does not count: the one before does */
	journal_close(&j); /* the station died */
	assert_int_equal(journal_path(d->path, "351358811234567", path, sizeof(path)), 0);
	f = fopen(path, "a");
	fputs("step=write-ca mode_fo", f);
	fclose(f);
	assert_int_equal(journal_recall(d->path, "351358811234567", &out, &err), 1);
	assert_int_equal(out.step, MCRED_STEP_KEYGEN);
	/* the next run appends to the journal it left, after a newline */
	journal_init(&j);
	in.step = MCRED_STEP_WRITE_CERT;
	assert_int_equal(journal_record(&j, &jd, &in, &err), 0);
	assert_int_equal(journal_recall(d->path, "351358811234567", &out, &err), 1);
	assert_int_equal(out.step, MCRED_STEP_WRITE_CERT);
	in.step = MCRED_STEP_DONE;
	assert_int_equal(journal_record(&j, &jd, &in, &err), 0);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(j.fd, -1);
	/* an IMEI that is not 15 digits names no file */
	snprintf(in.imei, sizeof(in.imei), "../x");
	in.step = MCRED_STEP_OFFLINE;
	assert_int_equal(journal_record(&j, &jd, &in, &err), -1);
	journal_dir_destroy(&jd);
	assert_int_equal(journal_parse("step=keygen mode_found=1 imei=12 keygen=1 replace_key=0 "
				       "key_before=- key_sha256=- cert_before=-",
				       &out),
			 -1);
	/* a line without the certificate found before says too little to trust */
	assert_int_equal(journal_parse("step=keygen mode_found=1 imei=351358811234567 keygen=1 "
				       "replace_key=0 key_before=- key_sha256=-",
				       &out),
			 -1);
}

static void test_summary_statistics(void **state)
{
	double v[] = { 5, 1, 4, 2, 3 }, w[20];
	struct seconds_stats st;
	int i;

	(void)state;
	st = seconds_stats_of(v, 5);
	assert_int_equal(st.n, 5);
	assert_true(st.median == 3 && st.p95 == 5);
	for (i = 0; i < 20; i++)
		w[i] = 20 - i; /* 1..20 */
	st = seconds_stats_of(w, 20);
	assert_true(st.median == 10.5 && st.p95 == 19); /* nearest rank: the 19th of 20 */
	st = seconds_stats_of(w, 0);
	assert_true(st.n == 0 && st.median == 0);
}

static void test_summary_of_ledger_text(void **state)
{
	const char *text =
		"{\"port\":\"/dev/a\",\"error\":\"say \\\"port\\\":x, {}\",\"result\":"
		"\"provisioned\",\"credentials\":[{\"tag\":1}],\"steps_s\":{\"keygen\":2.000,"
		"\"signing\":null},\"duration_s\":4.000}\n"
		"{\"port\":\"/dev/a\",\"result\":\"provisioned\",\"steps_s\":{\"keygen\":4.000},"
		"\"duration_s\":8.000}\n"
		"{\"port\":\"/dev/b\",\"result\":\"failed\",\"steps_s\":{\"keygen\":1.000},"
		"\"duration_s\":1.000}\n"
		"{\"time\":\"2026-\n";
	struct ledger_summary s;

	(void)state;
	assert_int_equal(ledger_summarize(text, strlen(text), &s), 0);
	assert_int_equal(s.records, 3);
	assert_int_equal(s.unreadable, 1);
	assert_int_equal(s.provisioned, 2);
	assert_int_equal(s.failed, 1);
	assert_int_equal(s.steps[2].n, 3); /* keygen */
	assert_true(s.steps[2].median == 2.0);
	assert_int_equal(s.steps[4].n, 0); /* signing: null */
	assert_int_equal(s.nports, 2);
	assert_string_equal(s.ports[0].port, "/dev/a");
	assert_int_equal(s.ports[0].devices, 2);
	assert_true(s.ports[0].per_device.median == 6.0 && s.ports[0].per_hour == 600.0);
	assert_int_equal(s.ports[1].devices, 0);
	assert_int_equal(s.all.devices, 2);
	ledger_summary_free(&s);
}

/*
 * Seconds no run can take (a hand-edited or corrupted ledger: 1e308, inf)
 * are no measurement, as negative ones are: they stay out of the medians,
 * and the table keeps its width. A median of 0 s gives no devices/hour.
 */
static void test_summary_of_implausible_seconds(void **state)
{
	const char *text = "{\"port\":\"/dev/a\",\"result\":\"provisioned\",\"steps_s\":{"
			   "\"signing\":1e300,\"keygen\":2.000},\"duration_s\":1e308}\n"
			   "{\"port\":\"/dev/a\",\"result\":\"provisioned\",\"steps_s\":{"
			   "\"signing\":0.001},\"duration_s\":4.000}\n"
			   "{\"port\":\"/dev/b\",\"result\":\"provisioned\",\"duration_s\":0.000}\n"
			   "{\"port\":\"/dev/c\",\"result\":\"provisioned\",\"duration_s\":inf}\n";
	struct ledger_summary s;
	char *out = NULL, *line, *save = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	assert_int_equal(ledger_summarize(text, strlen(text), &s), 0);
	assert_int_equal(s.records, 3); /* "inf" is no JSON number */
	assert_int_equal(s.unreadable, 1);
	assert_int_equal(s.steps[4].n, 1); /* signing: 1e300 left out */
	assert_true(s.steps[4].median == 0.001);
	assert_int_equal(s.ports[0].devices, 1); /* /dev/a: 1e308 left out */
	assert_true(s.ports[0].per_device.median == 4.0);
	assert_int_equal(s.ports[1].devices, 1); /* /dev/b: 0 s, measured */
	assert_true(s.ports[1].per_hour == 0.0);
	f = open_memstream(&out, &len);
	assert_non_null(f);
	ledger_summary_print(&s, "ledger", 0, f);
	fclose(f);
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "ledger:", 7) != 0)
			assert_true(strlen(line) < 80);
		if (strncmp(line, "/dev/b", 6) == 0)
			assert_non_null(strstr(line, "            -")); /* devices/hour: none */
	}
	free(out);
	ledger_summary_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_row_quotes_like_python_csv),
		cmocka_unit_test(test_parse_rows_with_multiline_fields),
		cmocka_unit_test(test_parse_rows_cut_inside_quotes),
		cmocka_unit_test(test_part_names),
		cmocka_unit_test(test_ledger_line_fields),
		cmocka_unit_test_setup_teardown(test_csv_add_same_duplicate_replace, make_dir,
						remove_dir),
		cmocka_unit_test_setup_teardown(test_csv_full_then_split, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_ledger_append_whole_lines, make_dir,
						remove_dir),
		cmocka_unit_test_setup_teardown(test_ledger_append_from_threads, make_dir,
						remove_dir),
		cmocka_unit_test_setup_teardown(test_ledger_append_after_an_unfinished_line,
						make_dir, remove_dir),
		cmocka_unit_test(test_claim_row_like_gather_attestation_tokens),
		cmocka_unit_test_setup_teardown(test_claim_csv_one_row_per_uuid, make_dir,
						remove_dir),
		cmocka_unit_test_setup_teardown(test_journal_record_recall, make_dir, remove_dir),
		cmocka_unit_test(test_summary_statistics),
		cmocka_unit_test(test_summary_of_ledger_text),
		cmocka_unit_test(test_summary_of_implausible_seconds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
