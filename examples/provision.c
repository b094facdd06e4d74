/*
 * provision: write a CA certificate into an nRF91 modem and prove it landed.
 *
 *   provision PORT TAG CA.pem
 *
 * Checks first that the file holds certificates and nothing else (no
 * private key), before the port is even opened; takes the modem offline
 * only for the write (restoring the mode it found), verifies the modem's
 * SHA-256 against the bytes sent, then lists the tag. Another program on
 * the port (ModemManager, a terminal) makes the open fail with
 * MCRED_ERR_BUSY, naming it.
 * Build: make examples   (build/examples/provision)
 */
#include <stdio.h>
#include <stdlib.h>

#include "modemcred.h"

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 8192, n = 0;
	char *buf = malloc(cap);
	size_t got;
	while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap) {
			char *bigger = realloc(buf, cap *= 2);
			if (!bigger)
				free(buf);
			buf = bigger;
		}
	}
	fclose(f);
	*len = n;
	return buf;
}

static void print_urc(const char *line, void *user)
{
	(void)user;
	fprintf(stderr, "(unsolicited: %s)\n", line);
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: %s PORT TAG CA.pem\n", argv[0]);
		return 2;
	}
	uint32_t tag = (uint32_t)strtoul(argv[2], NULL, 10);
	size_t len;
	char *pem = read_file(argv[3], &len);
	if (!pem) {
		perror(argv[3]);
		return 2;
	}

	struct mcred_error err;
	if (mcred_cmng_check_content(MCRED_TYPE_CA_CERT, pem, len, NULL, &err) != MCRED_OK) {
		fprintf(stderr, "%s: %s\n", argv[3], err.message);
		free(pem);
		return 2;
	}

	struct mcred_options opts;
	mcred_options_init(&opts);
	opts.auto_offline = 1; /* writes need CFUN=4; restored afterwards */
	opts.urc_cb = print_urc;

	mcred_modem *modem;
	if (mcred_modem_open(&modem, argv[1], &opts, &err) != MCRED_OK) {
		fprintf(stderr, "open: %s\n", err.message);
		free(pem);
		return 3;
	}

	int status = 0;
	if (mcred_cmng_write(modem, tag, MCRED_TYPE_CA_CERT, pem, len, NULL, MCRED_WRITE_VERIFY) !=
	    MCRED_OK) {
		const struct mcred_error *e = mcred_modem_error(modem);
		fprintf(stderr, "write: %s\n", e->message);
		status = e->code == MCRED_ERR_MISMATCH ? 5 : 4;
	} else {
		struct mcred_credential_list *list;
		if (mcred_cmng_list(modem, tag, MCRED_ANY_TYPE, &list) == MCRED_OK) {
			for (size_t i = 0; i < list->count; i++)
				printf("tag %u type %s sha256 %s\n", (unsigned)list->items[i].tag,
				       mcred_type_name(list->items[i].type),
				       list->items[i].has_sha256 ? list->items[i].sha256 : "-");
			mcred_credential_list_free(list);
		}
	}
	mcred_modem_free(modem);
	free(pem);
	return status;
}
