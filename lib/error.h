/*
 * Error records (error.c): filling a struct mcred_error, and the handle's
 * last error. The lowest layer: every other file may include it.
 */
#ifndef MODEMCRED_ERROR_H
#define MODEMCRED_ERROR_H

#include "modemcred.h"

/* Fill err (may be NULL) and return code. cme is set to -1. */
enum mcred_err mcred_error_set(struct mcred_error *err, enum mcred_err code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void mcred_error_clear(struct mcred_error *err);

/* Set the handle's error and return code (printf-style message). */
enum mcred_err mcred_fail(mcred_modem *m, enum mcred_err code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Mark success on the handle. */
enum mcred_err mcred_succeed(mcred_modem *m);

#endif
