/*
 * %CMNG validation and command building (cmng_check.c): pure, no I/O.
 * Everything a write, list, read or delete checks before anything is sent,
 * and the command text it then sends. cmng.c runs them against a modem.
 */
#ifndef MODEMCRED_CMNG_CHECK_H
#define MODEMCRED_CMNG_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "modemcred.h"

/* %CMNG opcodes, as the modem numbers them. */
enum mcred_cmng_op {
	MCRED_CMNG_OP_WRITE = 0,
	MCRED_CMNG_OP_LIST = 1,
	MCRED_CMNG_OP_READ = 2,
	MCRED_CMNG_OP_DELETE = 3
};

#define MCRED_PASSWORD_MAX 32u
#define MCRED_TYPE_LAST 11

/*
 * One built command. text is what goes to the modem (malloc'd,
 * NUL-terminated); trace is what a trace may show instead, or NULL when text
 * holds no secret. secret says text must be wiped when freed.
 */
struct mcred_cmng_cmd {
	char *text;
	size_t len;
	char *trace;
	int secret;
};

/* Wipe (when it held a secret) and free the command; safe on a zeroed one. */
void mcred_cmng_cmd_free(struct mcred_cmng_cmd *cmd);

/* The type's short name for messages ("ca"), "unknown" for unknown types. */
const char *mcred_cmng_type_label(int type);

/* 1 when content of this type is secret (private key, PSK). */
int mcred_cmng_type_is_secret(int type);

/*
 * What a trace shows of a raw command (mcred_at()) that may write content
 * with CMNG: for a canonical write of secret content (a key, a PSK, any
 * password) the redacted form mcred_cmng_write() traces; for any other form
 * that may carry content (spaces, chained commands, unquoted content,
 * a command wrapping it) the command up to where content would start and the size
 * of the rest. *trace is malloc'd, NULL when the command is shown as it
 * is. MCRED_ERR_NOMEM when a form was needed and could not be made.
 */
enum mcred_err mcred_cmng_raw_trace(const char *command, char **trace);

/* Tag a write or delete may touch (0..MCRED_TAG_MAX); what names the op. */
enum mcred_err mcred_cmng_check_user_tag(uint32_t tag, const char *what, struct mcred_error *err);
/* Type checks per operation; each message says why and what to do instead. */
enum mcred_err mcred_cmng_check_write_type(int type, struct mcred_error *err);
enum mcred_err mcred_cmng_check_read_type(int type, struct mcred_error *err);
enum mcred_err mcred_cmng_check_delete_type(int type, struct mcred_error *err);
/* Any known type 0..11 (list, exists). */
enum mcred_err mcred_cmng_check_known_type(int type, struct mcred_error *err);

/* Content bytes: non-empty, printable ASCII + CR/LF/TAB, no '"'. */
enum mcred_err mcred_cmng_check_text(const char *content, size_t len, struct mcred_error *err);
/* Password: only for type 2, 1..32 printable ASCII characters, no '"'. */
enum mcred_err mcred_cmng_check_password(int type, const char *password, struct mcred_error *err);

/*
 * Validate write content for a type and produce the bytes a write sends:
 * trailing CR/LF/space/TAB stripped for a PSK, trailing CR/LF for a PSK
 * identity, CRLF -> LF unless keep_line_endings. *out is malloc'd (NUL
 * terminated); free it with mcred_secret_free(*out, *out_len + 1).
 */
enum mcred_err mcred_cmng_prepare_content(int type, const char *content, size_t len,
					  int keep_line_endings, char **out, size_t *out_len,
					  struct mcred_error *err);

/*
 * Full write validation and the write command: tag, type, content (prepared
 * as above), password, wire length against opts (NULL: defaults). On success
 * cmd holds the command; sent and sent_len (optional, may be NULL) receive a
 * copy of the prepared content for digesting (free with mcred_secret_free).
 */
enum mcred_err mcred_cmng_build_write(uint32_t tag, int type, const char *content, size_t len,
				      const char *password, const struct mcred_options *opts,
				      struct mcred_cmng_cmd *cmd, char **sent, size_t *sent_len,
				      struct mcred_error *err);
/*
 * SHA-256 of prepared content (from mcred_cmng_prepare_content()) as the modem
 * stores it when sent under opts (NULL: defaults): in shell mode each LF
 * becomes CR LF on the device (at_shell's \n unescaping).
 */
enum mcred_err mcred_cmng_stored_digest(const struct mcred_options *opts, const char *prepared,
					size_t len, char sha256[65]);
/* AT%CMNG=1[,<tag>[,<type>]]; tag MCRED_ANY_TAG or 0..UINT32_MAX, type needs a tag. */
enum mcred_err mcred_cmng_build_list(int64_t tag, int type, struct mcred_cmng_cmd *cmd,
				     struct mcred_error *err);
/* AT%CMNG=2,<tag>,<type> after the read rules. */
enum mcred_err mcred_cmng_build_read(uint32_t tag, int type, struct mcred_cmng_cmd *cmd,
				     struct mcred_error *err);
/* AT%CMNG=3,<tag>,<type> after the delete rules. */
enum mcred_err mcred_cmng_build_delete(uint32_t tag, int type, struct mcred_cmng_cmd *cmd,
				       struct mcred_error *err);

#endif
