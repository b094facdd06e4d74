/*
 * File helpers for the CLI: read a whole file (or stdin) without leaving
 * copies of secrets behind (mcred_secret_free() wipes), write output files.
 */
#ifndef MODEMCRED_CLI_FILES_H
#define MODEMCRED_CLI_FILES_H

#include <stddef.h>

#include "modemcred.h"

/* Largest input file accepted: far above any credential, stops accidents. */
#define CLI_MAX_FILE (1024u * 1024u)

/*
 * Read all of path ("-" means stdin) into a malloc'd, NUL-terminated buffer.
 * Growing the buffer wipes the old copy, so key material is never left in
 * freed memory. Returns 0, or -1 with err set (MCRED_ERR_INVALID_ARG for a
 * missing/unreadable/oversized file, MCRED_ERR_CANCELLED when interrupted).
 * what names the file in messages ("credential file").
 */
int cli_read_file(const char *path, const char *what, char **data, size_t *len,
		  struct mcred_error *err);

/*
 * Read a password file: the first line, without its line ending. Returns 0
 * or -1 with err set. The result is malloc'd; free it with mcred_secret_free().
 */
int cli_read_password(const char *path, char **password, struct mcred_error *err);

/*
 * Check, before anything is sent to the modem, that path can be written:
 * "-" (stdout) always can; otherwise an existing regular file must be
 * writable, a new one must go into a writable directory. Creates nothing.
 * Returns 0, or -1 with err set (MCRED_ERR_INVALID_ARG).
 */
int cli_check_output(const char *path, struct mcred_error *err);

/*
 * Binary output (DER) goes to path ("-": standard output): refused when
 * that is a terminal, where it would garble the screen. Returns 0, or -1
 * with err set (MCRED_ERR_INVALID_ARG) saying to use -o FILE or a pipe.
 */
int cli_check_binary_output(const char *path, struct mcred_error *err);

/*
 * Write data to path ("-" means stdout). A regular file (or a new one) is
 * replaced whole or not at all (a temporary file beside it, renamed over
 * it): a full disk never leaves it cut. secret: key material, in a file
 * only its owner may read (mode 0600, also for a file that existed).
 * Returns 0, or -1 with err set (MCRED_ERR_IO when the writing failed).
 */
int cli_write_file(const char *path, const void *data, size_t len, int secret,
		   struct mcred_error *err);

/*
 * A name created, renamed or removed in a directory survives a power loss
 * only once the directory itself is synced: fsync() of the file makes its
 * data durable, not its name (fsync(2), "Calling fsync() does not
 * necessarily ensure that the entry in the directory containing the file
 * has also reached disk"). cli_sync_dir() syncs dir; cli_sync_parent_dir()
 * the directory path is in. 0, or -1 with errno set.
 */
int cli_sync_dir(const char *dir);
int cli_sync_parent_dir(const char *path);

#endif
