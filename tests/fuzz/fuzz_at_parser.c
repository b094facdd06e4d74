/*
 * libFuzzer target for the AT response splitter and classifier. The input
 * is fed once whole and once in pieces whose sizes come from the input
 * itself; both runs must give exactly the same lines, and every line must be
 * classifiable with and without a command in flight.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "modemcred.h"
#include "at_parser.h"

#define MAX_LINE 256

/* A running digest of the lines seen, cheap to compare between two runs. */
struct digest {
	uint64_t hash;
	size_t lines;
};

static int on_line(void *user, const char *line, size_t len)
{
	struct digest *d = user;
	int code;

	d->lines++;
	if (!line) {
		d->hash = d->hash * 31 + 0xFFFF;
		return 0;
	}
	if (strlen(line) != len || len > MAX_LINE)
		abort(); /* the splitter's contract */
	for (size_t i = 0; i < len; i++)
		d->hash = d->hash * 131 + (unsigned char)line[i];
	d->hash = d->hash * 31 + 1;
	(void)mcred_line_classify(line, len, "AT%CMNG=1", &code);
	(void)mcred_line_classify(line, len, NULL, &code);
	(void)mcred_line_classify(line, len, line, &code); /* a line as its own command */
	/* the shape checks that guard traces once content was sent */
	(void)mcred_line_is_command_echo(line, len);
	(void)mcred_line_is_strict_answer(line, len, "AT%CMNG=2,1,0");
	(void)mcred_line_is_strict_answer(line, len, "AT%CMNG=1");
	(void)mcred_line_is_strict_answer(line, len, line);
	(void)mcred_line_is_strict_urc(line, len);
	return 0;
}

static struct digest split_run(const uint8_t *data, size_t size, int pieces)
{
	struct mcred_line_splitter *s = mcred_line_splitter_new(MAX_LINE);
	struct digest d = { 0, 0 };
	size_t pos = 0, k = 0;

	if (!s)
		abort();
	while (pos < size) {
		/* Piece sizes: 1..16, taken from the data itself. */
		size_t n = pieces ? (size_t)(data[k++ % size] % 16) + 1 : size - pos;

		if (n > size - pos)
			n = size - pos;
		mcred_line_splitter_feed(s, data + pos, n, on_line, &d);
		pos += n;
	}
	mcred_line_splitter_free(s);
	return d;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct digest whole = split_run(data, size, 0);
	struct digest pieces = split_run(data, size, 1);

	if (whole.hash != pieces.hash || whole.lines != pieces.lines)
		abort(); /* the same bytes must give the same lines */
	return 0;
}
