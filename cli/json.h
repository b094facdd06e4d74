/*
 * A small streaming JSON writer for the CLI's --json output.
 *
 * The writer tracks nesting so callers never place commas themselves:
 *
 *     struct json j;
 *     json_init(&j, stdout);
 *     json_object_begin(&j);
 *     json_field_uint(&j, "tag", 12);
 *     json_field_string(&j, "sha256", NULL);
 *     json_object_end(&j);   // prints {"tag":12,"sha256":null} and a newline
 *
 * Strings are escaped per RFC 8259; bytes that are not valid UTF-8 become
 * U+FFFD so the output is always valid JSON whatever the modem sent.
 */
#ifndef MODEMCRED_CLI_JSON_H
#define MODEMCRED_CLI_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 16

struct json {
	FILE *out;
	int depth;
	int count[JSON_MAX_DEPTH]; /* values written so far at each level */
	int after_key;             /* a key was written; its value comes next */
};

void json_init(struct json *j, FILE *out);

/*
 * How many documents json_init() started on stdout in this process: with
 * --json, the error object is printed only when the command printed none.
 */
unsigned json_documents_on_stdout(void);

void json_object_begin(struct json *j);
void json_object_end(struct json *j);
void json_array_begin(struct json *j);
void json_array_end(struct json *j);

/* Key of the next member of the current object. */
void json_key(struct json *j, const char *key);

void json_string(struct json *j, const char *s); /* NULL writes null */
void json_string_n(struct json *j, const char *s, size_t len);
void json_int(struct json *j, int64_t v);
void json_uint(struct json *j, uint64_t v);
void json_bool(struct json *j, int v);
void json_null(struct json *j);

/* A member of the current object: json_key() followed by its value. */
void json_field_string(struct json *j, const char *key, const char *s); /* NULL: null */
void json_field_int(struct json *j, const char *key, int64_t v);
void json_field_uint(struct json *j, const char *key, uint64_t v);
void json_field_bool(struct json *j, const char *key, int v);
void json_field_null(struct json *j, const char *key);

/* Write s as a quoted, escaped JSON string to out (no comma handling). */
void json_write_escaped(FILE *out, const char *s, size_t len);

#endif
