/*
 * Test vectors in tests/fixtures/ (made independently of the library by
 * tests/tools/make_fixtures.py). MCRED_FIXTURES overrides the directory;
 * unit tests run from the repository root.
 */
#ifndef MCRED_TESTS_FIXTURES_H
#define MCRED_TESTS_FIXTURES_H

#include <stddef.h>

/* The whole file, NUL-terminated (malloc'd); the test fails if it is missing. */
char *fixture_read(const char *name, size_t *len);

/* A fixture holding one blob: fixture_read() without the line break at the end. */
char *fixture_read_blob(const char *name);

#endif
