/*
 * The store file (--store FILE): the simulated modem's NVM. Loaded at start,
 * rewritten after every change (to a temporary file, then renamed, so a
 * crash never leaves half a store). The format is text with length-prefixed
 * blocks, so content is kept byte exact whatever it contains:
 *
 *   modemsim-store 1
 *   identity <length>
 *   <length bytes: the identity private key PEM>
 *   cred <tag> <type> <length>
 *   <length bytes: the content>
 *
 * each block followed by one newline. The modem's own credentials (tags
 * above 2147483647) are built in and not saved.
 */
#include "sim.h"
#include "keygen.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAGIC "modemsim-store 1\n"

/* Read a block of len bytes plus its newline; malloc'd, NUL-terminated. */
static char *read_block(FILE *f, size_t len)
{
	char *data = malloc(len + 1);
	if (!data)
		return NULL;
	if (fread(data, 1, len, f) != len || fgetc(f) != '\n') {
		free(data);
		return NULL;
	}
	data[len] = '\0';
	return data;
}

/* One "identity"/"cred" record; 1 at end of file, 0 ok, -1 malformed. */
static int load_record(struct sim *sim, FILE *f)
{
	char head[128];
	if (!fgets(head, sizeof(head), f))
		return 1;
	unsigned long tag;
	int type;
	size_t len;
	char *data;
	if (sscanf(head, "identity %zu", &len) == 1) {
		if (!(data = read_block(f, len)))
			return -1;
		simkg_identity_free(sim->identity);
		sim->identity = simkg_identity_new(data);
		free(data);
		return sim->identity ? 0 : -1;
	}
	if (sscanf(head, "cred %lu %d %zu", &tag, &type, &len) == 3 && tag <= UINT32_MAX) {
		if (!(data = read_block(f, len)))
			return -1;
		store_put(&sim->store, (uint32_t)tag, type, data, len, 0);
		free(data);
		return 0;
	}
	return -1;
}

int persist_load(struct sim *sim)
{
	const char *path = sim->opt.store_file;
	if (!path)
		return 0;
	FILE *f = fopen(path, "rb");
	if (!f)
		return errno == ENOENT
			       ? 0
			       : (fprintf(stderr, "modemsim: %s: %s\n", path, strerror(errno)), -1);
	char magic[sizeof(MAGIC)];
	int rc = fgets(magic, sizeof(magic), f) && !strcmp(magic, MAGIC) ? 0 : -1;
	while (rc == 0)
		rc = load_record(sim, f);
	fclose(f);
	if (rc < 0) {
		fprintf(stderr, "modemsim: %s: not a valid store file\n", path);
		return -1;
	}
	return 0;
}

static int write_store(struct sim *sim, FILE *f)
{
	fputs(MAGIC, f);
	const char *pem = sim->identity ? simkg_identity_private_pem(sim->identity) : NULL;
	if (pem) {
		fprintf(f, "identity %zu\n", strlen(pem));
		fputs(pem, f);
		fputc('\n', f);
	}
	for (size_t i = 0; i < sim->store.count; i++) {
		const struct cred *c = &sim->store.items[i];
		if (c->modem_owned)
			continue;
		fprintf(f, "cred %lu %d %zu\n", (unsigned long)c->tag, c->type, c->len);
		fwrite(c->content, 1, c->len, f);
		fputc('\n', f);
	}
	return ferror(f) ? -1 : 0;
}

void persist_save(struct sim *sim)
{
	const char *path = sim->opt.store_file;
	if (!path)
		return;
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s.tmp%ld", path, (long)getpid());
	FILE *f = fopen(tmp, "wb");
	if (!f) {
		fprintf(stderr, "modemsim: cannot write %s: %s\n", tmp, strerror(errno));
		return;
	}
	int bad = write_store(sim, f);
	bad |= fclose(f) != 0;
	if (bad || rename(tmp, path)) {
		fprintf(stderr, "modemsim: cannot save the store to %s\n", path);
		unlink(tmp);
	}
}
