/*
 * The station's intent journal (see journal.h).
 */
#include "journal.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "args.h"
#include "files.h"
#include "ledger.h"

static int is_imei(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return i == 15;
}

int journal_path(const char *dir, const char *imei, char *out, size_t len)
{
	if (!is_imei(imei))
		return -1;
	snprintf(out, len, "%s/%s.journal", dir, imei);
	return 0;
}

/* The steps a journal names, by the library's names. */
static const enum mcred_provision_step journal_steps[] = {
	MCRED_STEP_OFFLINE,    MCRED_STEP_KEYGEN, MCRED_STEP_WRITE_CA,
	MCRED_STEP_WRITE_CERT, MCRED_STEP_DONE,
};

void journal_line(const struct mcred_provision_intent *in, char *out, size_t len)
{
	snprintf(out, len,
		 "step=%s mode_found=%d imei=%s keygen=%d replace_key=%d key_before=%s "
		 "key_sha256=%s cert_before=%s\n",
		 mcred_provision_step_name(in->step), in->mode_found, in->imei, in->keygen ? 1 : 0,
		 in->replace_key ? 1 : 0, in->key_before[0] ? in->key_before : "-",
		 in->key_sha256[0] ? in->key_sha256 : "-",
		 in->cert_before[0] ? in->cert_before : "-");
}

/* A digest field: 64 hex digits, or "-" for none. */
static int take_digest(const char *text, char out[65])
{
	size_t i;

	out[0] = '\0';
	if (strcmp(text, "-") == 0)
		return 0;
	for (i = 0; i < 64; i++)
		if (!isxdigit((unsigned char)text[i]))
			return -1;
	if (text[64] != '\0')
		return -1;
	memcpy(out, text, 65);
	return 0;
}

int journal_parse(const char *line, struct mcred_provision_intent *in)
{
	char step[32], imei[32], before[80], after[80], cert[80];
	int mode, keygen, replace, n = 0;
	size_t i;

	if (sscanf(line,
		   "step=%31s mode_found=%d imei=%31s keygen=%d replace_key=%d key_before=%79s "
		   "key_sha256=%79s cert_before=%79s%n",
		   step, &mode, imei, &keygen, &replace, before, after, cert, &n) != 8 ||
	    (line[n] != '\0' && line[n] != '\n') || !is_imei(imei) ||
	    take_digest(before, in->key_before) != 0 || take_digest(after, in->key_sha256) != 0 ||
	    take_digest(cert, in->cert_before) != 0)
		return -1;
	for (i = 0; i < sizeof(journal_steps) / sizeof(journal_steps[0]); i++)
		if (strcmp(step, mcred_provision_step_name(journal_steps[i])) == 0)
			break;
	if (i == sizeof(journal_steps) / sizeof(journal_steps[0]))
		return -1;
	in->step = journal_steps[i];
	in->mode_found = mode;
	snprintf(in->imei, sizeof(in->imei), "%s", imei);
	in->keygen = keygen != 0;
	in->replace_key = replace != 0;
	return 0;
}

void journal_dir_init(struct journal_dir *d, const char *path)
{
	d->path = path;
	atomic_init(&d->changes, 0);
	pthread_mutex_init(&d->sync, NULL);
	d->synced = 0;
}

void journal_dir_destroy(struct journal_dir *d)
{
	pthread_mutex_destroy(&d->sync);
}

/*
 * Return once the names created or renamed in d so far are durable. A sync
 * that began after the change covers it; otherwise this thread syncs, for
 * every change made until then (a group commit: 32 modems starting at once
 * need a few syncs, not 32).
 */
int journal_dir_commit(struct journal_dir *d)
{
	unsigned long mine = atomic_fetch_add(&d->changes, 1) + 1;
	int rc = 0;

	pthread_mutex_lock(&d->sync);
	if (d->synced < mine) {
		unsigned long upto = atomic_load(&d->changes);

		rc = cli_sync_dir(d->path);
		if (rc == 0)
			d->synced = upto;
	}
	pthread_mutex_unlock(&d->sync);
	return rc;
}

void journal_init(struct journal *j)
{
	j->fd = -1;
	j->size = 0;
	j->path[0] = '\0';
}

void journal_close(struct journal *j)
{
	if (j->fd >= 0)
		close(j->fd);
	j->fd = -1;
}

/* Open the journal at j->path: a new one, or the one a crashed run left. */
static int journal_open(struct journal *j, struct journal_dir *d, struct mcred_error *err)
{
	int fd = open(j->path, O_RDWR | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	int created = fd >= 0, e;
	struct stat st;

	if (fd < 0 && errno == EEXIST)
		fd = open(j->path, O_RDWR | O_APPEND | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0) {
		e = errno;
		if (fd >= 0)
			close(fd);
		cli_error_set(err, "cannot open the journal %s: %s", j->path, strerror(e));
		return e == ENOSPC || e == EDQUOT ? LEDGER_NO_SPACE : -1;
	}
	j->fd = fd;
	j->size = st.st_size;
	if (created && journal_dir_commit(d) != 0) {
		cli_error_set(err, "cannot sync the directory %s of the journal: %s", d->path,
			      strerror(errno));
		return -1;
	}
	return 0;
}

int journal_record(struct journal *j, struct journal_dir *d,
		   const struct mcred_provision_intent *in, struct mcred_error *err)
{
	char line[512];
	int rc;

	if (j->fd < 0 && journal_path(d->path, in->imei, j->path, sizeof(j->path)) != 0) {
		cli_error_set(err, "no journal for a modem whose IMEI is '%.40s'", in->imei);
		return -1;
	}
	if (in->step == MCRED_STEP_DONE) {
		journal_close(j);
		/* a removal lost in a crash leaves a journal that only repeats a restore */
		if (unlink(j->path) != 0 && errno != ENOENT) {
			cli_error_set(err, "cannot remove the journal %s: %s", j->path,
				      strerror(errno));
			return -1;
		}
		return 0;
	}
	if (j->fd < 0 && (rc = journal_open(j, d, err)) != 0)
		return rc;
	journal_line(in, line, sizeof(line));
	return ledger_append_fd(j->fd, &j->size, "journal", j->path, line, strlen(line), err);
}

int journal_recall(const char *dir, const char *imei, struct mcred_provision_intent *in,
		   struct mcred_error *err)
{
	char path[4200], *text = NULL, *end, *line;
	size_t len = 0;
	int found = 0;

	if (journal_path(dir, imei, path, sizeof(path)) != 0 || access(path, F_OK) != 0)
		return 0;
	if (cli_read_file(path, "journal", &text, &len, err) != 0)
		return -1;
	/* the last whole line: one cut by a crash does not count */
	end = len > 0 ? strrchr(text, '\n') : NULL;
	if (end) {
		*end = '\0';
		line = strrchr(text, '\n');
		line = line ? line + 1 : text;
		found = journal_parse(line, in) == 0;
	}
	free(text);
	return found;
}
