/* libFuzzer target: the %CMNG response-line parser on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmng_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* an exact-size copy so ASan catches any read past len */
	char *line = malloc(size ? size : 1);
	if (!line)
		return 0;
	if (size)
		memcpy(line, data, size);
	struct mcred_cmng_entry e;
	struct mcred_error err;
	if (mcred_cmng_parse_line(line, size, &e, &err) == MCRED_OK) {
		/* what the parser returns must lie inside the line */
		if (e.has_content && (e.content < line || e.content + e.content_len > line + size))
			abort();
		if (e.has_sha256 && strlen(e.sha256) != 64)
			abort();
	} else if (err.code != MCRED_ERR_PROTOCOL || strlen(err.message) >= sizeof(err.message)) {
		abort();
	}
	free(line);
	return 0;
}
