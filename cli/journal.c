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
		 "key_sha256=%s\n",
		 mcred_provision_step_name(in->step), in->mode_found, in->imei, in->keygen ? 1 : 0,
		 in->replace_key ? 1 : 0, in->key_before[0] ? in->key_before : "-",
		 in->key_sha256[0] ? in->key_sha256 : "-");
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
	char step[32], imei[32], before[80], after[80];
	int mode, keygen, replace, n = 0;
	size_t i;

	if (sscanf(line,
		   "step=%31s mode_found=%d imei=%31s keygen=%d replace_key=%d key_before=%79s "
		   "key_sha256=%79s%n",
		   step, &mode, imei, &keygen, &replace, before, after, &n) != 7 ||
	    (line[n] != '\0' && line[n] != '\n') || !is_imei(imei) ||
	    take_digest(before, in->key_before) != 0 || take_digest(after, in->key_sha256) != 0)
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

/* A new file's name is durable once its directory is synced. */
static int sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

int journal_record(const char *dir, const struct mcred_provision_intent *in,
		   struct mcred_error *err)
{
	char path[4200], line[512];
	int existed, rc;

	if (journal_path(dir, in->imei, path, sizeof(path)) != 0) {
		cli_error_set(err, "no journal for a modem whose IMEI is '%.40s'", in->imei);
		return -1;
	}
	if (in->step == MCRED_STEP_DONE) {
		/* a removal lost in a crash leaves a journal that only repeats a restore */
		if (unlink(path) != 0 && errno != ENOENT) {
			cli_error_set(err, "cannot remove the journal %s: %s", path,
				      strerror(errno));
			return -1;
		}
		return 0;
	}
	existed = access(path, F_OK) == 0;
	journal_line(in, line, sizeof(line));
	rc = ledger_append(path, line, strlen(line), err);
	if (rc == 0 && !existed && sync_dir(dir) != 0) {
		cli_error_set(err, "cannot sync the directory %s of the journal: %s", dir,
			      strerror(errno));
		return -1;
	}
	return rc;
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
