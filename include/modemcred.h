/*
 * libmodemcred: manage the credentials of Nordic nRF91 cellular modems over a
 * serial line (AT%CMNG, AT%KEYGEN, AT%ATTESTTOKEN).
 *
 * Conventions, everywhere in this header:
 * - Every function that can fail returns an enum mcred_err; MCRED_OK (0) is
 *   success. Functions on a modem handle keep a message for the last error,
 *   read it with mcred_modem_error(). Functions without a handle take an
 *   optional struct mcred_error * that receives the message.
 * - Handles are opaque and freed with their own _free function. A handle is
 *   used by one thread at a time; distinct handles may run in parallel. The
 *   library keeps no global mutable state, never prints and never exits.
 * - Input is validated before anything is sent: an MCRED_ERR_INVALID_ARG
 *   means nothing reached the modem.
 * - Security tags are unsigned 32-bit. Tags 0..2147483647 belong to the user;
 *   tags above (MCRED_TAG_MAX) belong to the modem and are never written or
 *   deleted, but do show up in lists.
 */
#ifndef MODEMCRED_H
#define MODEMCRED_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define MCRED_API __attribute__((visibility("default")))
#else
#define MCRED_API
#endif

#define MCRED_VERSION_MAJOR 0
#define MCRED_VERSION_MINOR 1
#define MCRED_VERSION_PATCH 0
#define MCRED_VERSION_STRING "0.1.0"

/** Library version as "major.minor.patch". */
MCRED_API const char *mcred_version(void);

/* ------------------------------------------------------------------------ */
/* Errors                                                                   */
/* ------------------------------------------------------------------------ */

/** Result of every fallible call. */
enum mcred_err {
	MCRED_OK = 0,
	MCRED_ERR_INVALID_ARG,   /**< bad input; nothing was sent to the modem */
	MCRED_ERR_NOMEM,         /**< out of memory */
	MCRED_ERR_PORT,          /**< the port could not be found, opened or configured */
	MCRED_ERR_IO,            /**< reading from or writing to the port failed */
	MCRED_ERR_TIMEOUT,       /**< the modem did not finish answering in time */
	MCRED_ERR_PROTOCOL,      /**< the modem's answer was malformed or unexpected */
	MCRED_ERR_TOO_LARGE,     /**< the answer exceeded the response size limit */
	MCRED_ERR_MODEM,         /**< the modem answered a bare ERROR */
	MCRED_ERR_CME,           /**< the modem answered +CME ERROR; see mcred_modem_cme() */
	MCRED_ERR_CMS,           /**< the modem answered +CMS ERROR; see mcred_modem_cme() */
	MCRED_ERR_NOT_FOUND,     /**< the credential does not exist (CME 513 or absent) */
	MCRED_ERR_MISMATCH,      /**< the modem's digest differs from the expected one */
	MCRED_ERR_UNSUPPORTED,   /**< the modem or firmware cannot do this (e.g. no digests) */
	MCRED_ERR_DECODE,        /**< a KEYGEN/ATTESTTOKEN blob, CSR, key or CBOR is malformed */
	MCRED_ERR_VERIFY,        /**< a cryptographic check failed */
	MCRED_ERR_CANCELLED,     /**< the cancel callback asked to stop */
	MCRED_ERR_CRYPTO         /**< OpenSSL failed for a reason other than bad input */
};

/** Static English description of an error code ("operation timed out"). */
MCRED_API const char *mcred_strerror(enum mcred_err code);

/**
 * Meaning of a CME error code as seen on nRF91 ("513: not found"), with the
 * obvious fix where there is one (518 tells to take the modem offline).
 * Returns a static string; unknown codes give "unknown CME error".
 */
MCRED_API const char *mcred_cme_message(int cme);

/** Details of a failure: the code, the modem's CME/CMS code, a message. */
struct mcred_error {
	enum mcred_err code;
	int cme;              /**< CME or CMS code, -1 when the modem gave none */
	char message[512];    /**< what went wrong and, where possible, how to fix it */
};

/* ------------------------------------------------------------------------ */
/* Opening a modem                                                          */
/* ------------------------------------------------------------------------ */

enum mcred_flow { MCRED_FLOW_NONE = 0, MCRED_FLOW_RTSCTS };

/**
 * What ends a command sent to the device. CRLF (the default, as Nordic's own
 * tools send) suits devices set to any of CR (the AT host's default), LF or
 * CRLF; NUL needs MCRED_TERM_NUL.
 */
enum mcred_term { MCRED_TERM_CRLF = 0, MCRED_TERM_CR, MCRED_TERM_LF, MCRED_TERM_NUL };

/** Which transport mcred_modem_open() uses for a port name. */
enum mcred_transport_kind {
	MCRED_TRANSPORT_AUTO = 0,   /**< libserialport, else POSIX termios for devices it refuses */
	MCRED_TRANSPORT_SERIALPORT, /**< libserialport only */
	MCRED_TRANSPORT_TERMIOS     /**< POSIX termios only (ptys, socat, ser2net) */
};

/**
 * Does the device run a Zephyr shell (nRF Connect SDK at_shell, e.g. nRF
 * Cloud's multi-service sample) instead of the raw AT host (at_client)?
 * In the shell every command is typed as at '<command>'.
 */
enum mcred_shell_mode {
	MCRED_SHELL_AUTO = -1, /**< probe once when the handle opens (see mcred_options.shell) */
	MCRED_SHELL_NONE = 0,  /**< raw AT host (the default) */
	MCRED_SHELL_ON = 1     /**< Zephyr shell; any other non-zero value means this too */
};

/** Direction of a trace record. */
enum mcred_trace_dir { MCRED_TRACE_TX = 0, MCRED_TRACE_RX };

/**
 * Options for opening a modem. Initialise with mcred_options_init() and
 * change what you need; zero values mean the documented default.
 */
struct mcred_options {
	unsigned baud;                 /**< default 115200 */
	enum mcred_flow flow;          /**< default MCRED_FLOW_NONE */
	unsigned timeout_ms;           /**< per-command deadline, default 10000 */
	enum mcred_term terminator;    /**< default MCRED_TERM_CRLF */
	size_t max_command_len;        /**< the device's AT command buffer (at_host's
	                                    CONFIG_AT_HOST_CMD_MAX_LEN), default 4096:
	                                    commands may take max_command_len - 1 bytes
	                                    on the wire, terminator included. It also
	                                    holds the answer: an answer that stops at
	                                    max_command_len - 1 bytes without a final
	                                    result gives MCRED_ERR_TOO_LARGE at once.
	                                    In shell mode it is the shell's line buffer
	                                    (CONFIG_SHELL_CMD_BUFF_SIZE), default 2048:
	                                    the typed line at '...' may take
	                                    max_command_len - 1 bytes, terminator not
	                                    counted */
	size_t max_response_len;       /**< bytes of one answer, default 65536 */
	/**
	 * enum mcred_shell_mode: 0 raw AT host; MCRED_SHELL_ON (or any non-zero
	 * value but MCRED_SHELL_AUTO) a Zephyr shell: each command is sent as
	 * at '<command>', a line break as \n and a backslash as \x5c; content,
	 * attributes or commands holding ' are refused (MCRED_ERR_INVALID_ARG,
	 * nothing sent). ANSI colours and any "<name>:~$ " prompt are ignored in
	 * answers; "Sending AT command failed with error code -N" fails the command
	 * (MCRED_ERR_MODEM; -7, E2BIG, the answer did not fit at_shell's
	 * CONFIG_AT_SHELL_CMD_RESPONSE_MAX_LEN: MCRED_ERR_TOO_LARGE).
	 * MCRED_SHELL_AUTO: the open functions send the probe "at AT" (a shell
	 * passes AT to the modem: OK; the raw AT host passes the whole line: the
	 * modem's ERROR) and after an OK "AT" ("command not found" from a shell,
	 * OK from the AT host), much as Nordic's tools detect a shell; the
	 * handle-less checks (mcred_cmng_check_write(), mcred_cmng_write_digest())
	 * treat AUTO as the raw AT host. Read the outcome with mcred_modem_options().
	 */
	int shell;
	/**
	 * Shell mode only. 0 (default): the device's at_shell has
	 * CONFIG_AT_SHELL_UNESCAPE_LF=y and turns each \n of an AT%CMNG=0 command
	 * into CR LF, so the modem stores CR LF line endings and digests (write
	 * verification, compare, mcred_cmng_write_digest()) are computed over
	 * that form. 1: it lacks that option; content with a line break cannot be
	 * written through the shell and is refused.
	 */
	int shell_no_unescape_lf;
	int keep_line_endings;         /**< 1: keep CRLF in content; 0 (default): CRLF -> LF.
	                                    A PSK's or PSK identity's trailing line
	                                    break is dropped either way */
	int auto_offline;              /**< 1: writes, deletes and keygen set CFUN=4 if needed and restore after */
	enum mcred_transport_kind transport; /**< default MCRED_TRANSPORT_AUTO */

	/** Unsolicited result codes (one logical line, no CR/LF at the ends). */
	void (*urc_cb)(const char *line, void *user);
	void *urc_user;
	/** Every command sent and line received; secrets are already redacted. */
	void (*trace_cb)(enum mcred_trace_dir dir, const char *text, size_t len, void *user);
	void *trace_user;
	/**
	 * Polled while waiting for an answer (at least every 100 ms) and before a
	 * command is sent; non-zero stops with MCRED_ERR_CANCELLED. A command is
	 * never cut off half sent. Restoring CMEE and CFUN is not cancellable.
	 */
	int (*cancel_cb)(void *user);
	void *cancel_user;
};

/** Fill opts with the defaults (all zeroes, which mean the defaults above). */
MCRED_API void mcred_options_init(struct mcred_options *opts);

/**
 * Caller-supplied transport, for gateways that bring their own link.
 * read: wait at most timeout_ms for data; return bytes read (> 0), 0 on
 *       timeout, -1 on error. write: return bytes written (> 0) or -1.
 * close: called once by mcred_modem_free(); may be NULL.
 */
struct mcred_transport {
	int (*read)(void *user, uint8_t *buf, size_t len, unsigned timeout_ms);
	int (*write)(void *user, const uint8_t *buf, size_t len, unsigned timeout_ms);
	void (*close)(void *user);
	void *user;
};

/** An open modem. */
typedef struct mcred_modem mcred_modem;

/**
 * Open the modem on a serial port ("/dev/ttyACM0", "COM3", a pty path).
 * opts may be NULL for defaults. On failure *out is NULL and err (optional)
 * says why.
 */
MCRED_API enum mcred_err mcred_modem_open(mcred_modem **out, const char *port,
					  const struct mcred_options *opts,
					  struct mcred_error *err);

/**
 * Open a modem over a caller-supplied transport (copied). When this fails
 * (also when a MCRED_SHELL_AUTO probe fails) the transport is not closed.
 */
MCRED_API enum mcred_err mcred_modem_open_transport(mcred_modem **out,
						    const struct mcred_transport *transport,
						    const struct mcred_options *opts,
						    struct mcred_error *err);

/** Close the port and free the handle. NULL is allowed. */
MCRED_API void mcred_modem_free(mcred_modem *modem);

/** The last error on this handle (code MCRED_OK after a success). */
MCRED_API const struct mcred_error *mcred_modem_error(const mcred_modem *modem);

/** CME/CMS code of the last failed command, or -1. */
MCRED_API int mcred_modem_cme(const mcred_modem *modem);

/**
 * The options the handle works with: defaults applied, and with
 * MCRED_SHELL_AUTO the shell mode the probe found (MCRED_SHELL_ON or
 * MCRED_SHELL_NONE). NULL for a NULL handle.
 */
MCRED_API const struct mcred_options *mcred_modem_options(const mcred_modem *modem);

/** "libserialport", "termios" or "custom". */
MCRED_API const char *mcred_modem_transport_name(const mcred_modem *modem);

/* ------------------------------------------------------------------------ */
/* Port discovery                                                           */
/* ------------------------------------------------------------------------ */

struct mcred_port {
	char name[128];        /**< "/dev/ttyACM0" */
	char description[128];
	int usb_vid;           /**< -1 when not USB */
	int usb_pid;
	char serial[64];       /**< USB serial number, "" if none */
	const char *kit;       /**< "nRF9160 DK", "Thingy:91 X", ... or NULL */
};

struct mcred_port_list {
	struct mcred_port *ports;
	size_t count;
};

/** List serial ports with USB details; Nordic kits are recognised. */
MCRED_API enum mcred_err mcred_ports_list(struct mcred_port_list **out, struct mcred_error *err);
MCRED_API void mcred_port_list_free(struct mcred_port_list *list);

/**
 * Name of the modem port when exactly one Nordic kit is attached (its first
 * port). MCRED_ERR_NOT_FOUND when none, MCRED_ERR_INVALID_ARG when several.
 */
MCRED_API enum mcred_err mcred_ports_find_kit(char *name, size_t name_len, struct mcred_error *err);

/* ------------------------------------------------------------------------ */
/* Raw AT                                                                   */
/* ------------------------------------------------------------------------ */

/** Information lines of one answer (final result not included). */
struct mcred_lines {
	char **lines;   /**< NUL-terminated; a quoted value may contain CR/LF */
	size_t count;
};

/**
 * Send one AT command (without terminator) and collect its answer. Success
 * means the modem said OK. URCs go to the urc callback, never into *out.
 */
MCRED_API enum mcred_err mcred_at(mcred_modem *modem, const char *command, struct mcred_lines **out);
MCRED_API void mcred_lines_free(struct mcred_lines *lines);

/* ------------------------------------------------------------------------ */
/* Device                                                                   */
/* ------------------------------------------------------------------------ */

struct mcred_device_info {
	char imei[32];       /**< AT+CGSN */
	char model[64];      /**< AT+CGMM */
	char firmware[64];   /**< AT+CGMR */
	char uuid[64];       /**< AT%XMODEMUUID, "" if the firmware lacks it */
};

MCRED_API enum mcred_err mcred_device_info(mcred_modem *modem, struct mcred_device_info *info);

/** Read the functional mode (AT+CFUN?): 0 off, 1 on, 4 offline, ... */
MCRED_API enum mcred_err mcred_cfun_get(mcred_modem *modem, int *mode);
MCRED_API enum mcred_err mcred_cfun_set(mcred_modem *modem, int mode);

/**
 * Take the modem offline for an operation: remembers the mode it found in
 * *saved and sets CFUN=4 unless it is already 0 or 4. Undo with
 * mcred_offline_end(), also after a failure.
 */
MCRED_API enum mcred_err mcred_offline_begin(mcred_modem *modem, int *saved);
MCRED_API enum mcred_err mcred_offline_end(mcred_modem *modem, int saved);

/* ------------------------------------------------------------------------ */
/* Credentials (%CMNG)                                                      */
/* ------------------------------------------------------------------------ */

#define MCRED_TAG_MAX 2147483647u

enum mcred_cred_type {
	MCRED_TYPE_CA_CERT = 0,
	MCRED_TYPE_CLIENT_CERT = 1,
	MCRED_TYPE_PRIVATE_KEY = 2,
	MCRED_TYPE_PSK = 3,
	MCRED_TYPE_PSK_IDENTITY = 4,
	MCRED_TYPE_PUBLIC_KEY = 5,
	MCRED_TYPE_DEVICE_IDENTITY_KEY = 6,
	MCRED_TYPE_RESERVED = 7,
	MCRED_TYPE_ENDORSEMENT_KEY = 8,
	MCRED_TYPE_OWNERSHIP_KEY = 9,
	MCRED_TYPE_NORDIC_ROOT_CA = 10,
	MCRED_TYPE_NORDIC_BASE_KEY = 11
};

/** Short name of a type: "ca", "cert", "key", "psk", "psk-id", ...; NULL if unknown. */
MCRED_API const char *mcred_type_name(int type);
/** Human description: "root CA certificate", ... ; "unknown type" if unknown. */
MCRED_API const char *mcred_type_description(int type);
/** Parse a type given by number ("0") or name ("ca"). */
MCRED_API enum mcred_err mcred_type_parse(const char *text, int *type, struct mcred_error *err);

struct mcred_credential {
	uint32_t tag;
	int type;
	int has_sha256;       /**< 0 when the firmware reports no digest */
	char sha256[65];      /**< 64 upper-case hex digits */
};

struct mcred_credential_list {
	struct mcred_credential *items;
	size_t count;
};

#define MCRED_ANY_TAG (-1)
#define MCRED_ANY_TYPE (-1)

/** List credentials: all (tag MCRED_ANY_TAG), one tag, or one tag and type. */
MCRED_API enum mcred_err mcred_cmng_list(mcred_modem *modem, int64_t tag, int type,
					 struct mcred_credential_list **out);
MCRED_API void mcred_credential_list_free(struct mcred_credential_list *list);

/** Flags for mcred_cmng_write(). */
#define MCRED_WRITE_VERIFY 0x1u  /**< compare the modem's digest with the bytes sent */

/**
 * Write a credential (types 0-4). password: PKCS#8 password for an encrypted
 * type 2 key, else NULL. Content is validated (printable ASCII, CR/LF/TAB, no
 * '"', PSK as hex) and, unless keep_line_endings, CRLF is turned into LF.
 * With MCRED_WRITE_VERIFY a differing digest gives MCRED_ERR_MISMATCH and a
 * firmware without digests MCRED_ERR_UNSUPPORTED.
 */
MCRED_API enum mcred_err mcred_cmng_write(mcred_modem *modem, uint32_t tag, int type,
					  const char *content, size_t len,
					  const char *password, unsigned flags);

/** Read a credential's content, byte exact (malloc'd, NUL-terminated); sha256 optional. */
MCRED_API enum mcred_err mcred_cmng_read(mcred_modem *modem, uint32_t tag, int type,
					 char **content, size_t *len, char sha256[65]);

/** Delete one credential. MCRED_ERR_NOT_FOUND when it does not exist. */
MCRED_API enum mcred_err mcred_cmng_delete(mcred_modem *modem, uint32_t tag, int type);

/** Delete every deletable credential of one tag; counts are optional. */
MCRED_API enum mcred_err mcred_cmng_clear(mcred_modem *modem, uint32_t tag,
					  size_t *deleted, size_t *skipped);

/** *exists = 1 when the credential exists; sha256 (optional) gets its digest or "". */
MCRED_API enum mcred_err mcred_cmng_exists(mcred_modem *modem, uint32_t tag, int type,
					   int *exists, char sha256[65]);

/**
 * Compare stored content with content (after the same normalisation a write
 * does) by digest. MCRED_OK when equal, MCRED_ERR_MISMATCH when not.
 */
MCRED_API enum mcred_err mcred_cmng_compare(mcred_modem *modem, uint32_t tag, int type,
					    const char *content, size_t len);

/**
 * Check a write without a modem: the same validation mcred_cmng_write() does.
 * max_command_len 0 means 4096.
 */
MCRED_API enum mcred_err mcred_cmng_check_write(uint32_t tag, int type, const char *content,
						size_t len, const char *password,
						const struct mcred_options *opts,
						struct mcred_error *err);

/**
 * SHA-256 (upper-case hex) of exactly what mcred_cmng_write() would send for
 * this content and type under opts (NULL: defaults): CRLF turned into LF
 * unless keep_line_endings, the trailing line break of a PSK or PSK identity
 * removed. This is the digest the modem lists after the write. The type and
 * content are validated as for a write (tag, password and length are not).
 */
MCRED_API enum mcred_err mcred_cmng_write_digest(int type, const char *content, size_t len,
						 const struct mcred_options *opts,
						 char sha256[65], struct mcred_error *err);

/**
 * SHA-256 (upper-case hex) of content as a write would store it
 * (normalise: CRLF -> LF when non-zero).
 */
MCRED_API enum mcred_err mcred_content_digest(const char *content, size_t len, int normalise,
					      char sha256[65]);

/* ------------------------------------------------------------------------ */
/* On-device keys (%KEYGEN) and attestation (%ATTESTTOKEN)                  */
/* ------------------------------------------------------------------------ */

enum mcred_keygen_kind {
	MCRED_KEYGEN_CSR = 0,        /**< key type 2, response content 0 */
	MCRED_KEYGEN_PUBKEY,         /**< key type 2, response content 1 */
	MCRED_KEYGEN_ENDORSEMENT     /**< key type 8, public key */
};

struct mcred_keygen_request {
	uint32_t tag;                /**< 1..2147483647 */
	enum mcred_keygen_kind kind;
	const char *attributes;      /**< "CN=x,O=y" or NULL (CSR only) */
	const char *key_usage;       /**< 9 characters of 0/1 or NULL (CSR only) */
};

/** Validate a keygen request without a modem. */
MCRED_API enum mcred_err mcred_keygen_check(const struct mcred_keygen_request *req,
					    struct mcred_error *err);

/**
 * Validate a keygen request for this modem, sending nothing: the checks of
 * mcred_keygen_check() and those of its mode (in shell mode the attributes
 * may hold no '). mcred_keygen() makes them too; call this first when other
 * commands (e.g. a look for an existing key) come before it.
 */
MCRED_API enum mcred_err mcred_keygen_check_modem(mcred_modem *modem,
						  const struct mcred_keygen_request *req);

/**
 * Generate a key on the modem. *blob receives the text between the quotes of
 * "%KEYGEN: "..."" (malloc'd, NUL-terminated); pass it to mcred_verify_keygen().
 */
MCRED_API enum mcred_err mcred_keygen(mcred_modem *modem, const struct mcred_keygen_request *req,
				      char **blob);

/** Ask for an attestation token; challenge is 32 hex digits or NULL. */
MCRED_API enum mcred_err mcred_attest_token(mcred_modem *modem, const char *challenge,
					    char **blob);

/** Outcome of one check. */
enum mcred_check {
	MCRED_CHECK_NOT_CHECKED = 0,  /**< not performed (no key, nothing expected) */
	MCRED_CHECK_VALID,            /**< performed and passed */
	MCRED_CHECK_INVALID           /**< performed and failed */
};

/** "not-checked", "valid", "invalid". */
MCRED_API const char *mcred_check_name(enum mcred_check check);

enum mcred_report_kind {
	MCRED_REPORT_CSR = 0,
	MCRED_REPORT_PUBKEY,
	MCRED_REPORT_ATTESTATION
};

struct mcred_verify_options {
	int64_t expected_tag;               /**< -1: do not check the sec_tag */
	int expected_payload_id;            /**< 0: derive from the blob's kind/what was asked */
	const char *identity_key_pem;       /**< device identity public key as PEM, or NULL */
	const uint8_t *identity_key_raw;    /**< or a raw 65-byte uncompressed P-256 point */
	size_t identity_key_raw_len;
};

MCRED_API void mcred_verify_options_init(struct mcred_verify_options *opts);

/** Result of decoding and checking a KEYGEN or ATTESTTOKEN blob. */
typedef struct mcred_report mcred_report;

/**
 * Decode and check a KEYGEN blob ("<b64url body>.<b64url COSE>"), with CR/LF
 * and surrounding quotes tolerated. opts may be NULL. MCRED_ERR_DECODE when it
 * cannot be decoded at all; otherwise MCRED_OK and the report says each check.
 */
MCRED_API enum mcred_err mcred_verify_keygen(const char *blob, size_t len,
					     const struct mcred_verify_options *opts,
					     mcred_report **out, struct mcred_error *err);

/** The same for an ATTESTTOKEN blob. */
MCRED_API enum mcred_err mcred_verify_attest(const char *blob, size_t len,
					     const struct mcred_verify_options *opts,
					     mcred_report **out, struct mcred_error *err);

MCRED_API void mcred_report_free(mcred_report *report);

MCRED_API enum mcred_report_kind mcred_report_kind(const mcred_report *r);
/** "csr", "pubkey", "attestation". */
MCRED_API const char *mcred_report_kind_name(const mcred_report *r);
/** 1 when every performed check passed (checks not performed do not count). */
MCRED_API int mcred_report_ok(const mcred_report *r);

/** Device UUID as 8-4-4-4-12 lower-case hex. */
MCRED_API const char *mcred_report_device_uuid(const mcred_report *r);
/** 1 and *tag set when the payload carries a sec_tag. */
MCRED_API int mcred_report_sec_tag(const mcred_report *r, uint32_t *tag);
/** COSE payload id (KEYGEN) or message type (ATTESTTOKEN). */
MCRED_API int mcred_report_payload_id(const mcred_report *r);
/** Its name: "CSR message v1", "device identity message v1", ..., or "unknown payload"/"unknown message type". */
MCRED_API const char *mcred_report_payload_name(const mcred_report *r);

MCRED_API enum mcred_check mcred_report_payload_id_check(const mcred_report *r);
MCRED_API enum mcred_check mcred_report_sec_tag_check(const mcred_report *r);
MCRED_API enum mcred_check mcred_report_digest_check(const mcred_report *r);
MCRED_API enum mcred_check mcred_report_csr_signature(const mcred_report *r);
MCRED_API enum mcred_check mcred_report_cose_signature(const mcred_report *r);

/** CSR subject as "O=...,L=...,C=..." or NULL. */
MCRED_API const char *mcred_report_subject(const mcred_report *r);
/** CSR key usage as 9 characters of 0/1, or NULL. */
MCRED_API const char *mcred_report_key_usage(const mcred_report *r);
/** Public key (from the CSR or the public-key body) as PEM, or NULL. */
MCRED_API const char *mcred_report_public_key_pem(const mcred_report *r);
/** CSR as PEM ("-----BEGIN CERTIFICATE REQUEST-----"), or NULL. */
MCRED_API const char *mcred_report_csr_pem(const mcred_report *r);
/** Body (CSR DER, SubjectPublicKeyInfo DER, or attestation message) exactly as received. */
MCRED_API const uint8_t *mcred_report_body(const mcred_report *r, size_t *len);
/** Attestation only: device type and its name ("nRF9160 SICA"), firmware UUID. */
MCRED_API int mcred_report_device_type(const mcred_report *r);
MCRED_API const char *mcred_report_device_type_name(const mcred_report *r);
MCRED_API const char *mcred_report_fw_uuid(const mcred_report *r);
/** COSE kid as a small negative integer (-2 device identity key), 0 if absent. */
MCRED_API int mcred_report_kid(const mcred_report *r);
/** Human-readable message of the first failed check, or NULL. */
MCRED_API const char *mcred_report_problem(const mcred_report *r);

#ifdef __cplusplus
}
#endif

#endif /* MODEMCRED_H */
