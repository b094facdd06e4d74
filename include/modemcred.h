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
 *
 * Names: mcred_<noun>_<verb>, the noun being what is acted on, most often
 * the modem command family: cmng (%CMNG), keygen (%KEYGEN), attest
 * (%ATTESTTOKEN), cfun (+CFUN), and modem, port, port_list, report, secret.
 * The verbs keep one meaning each:
 *   _check   validate input without a modem (nothing is ever sent)
 *   _run     send the command to a modem and hand back its answer
 *   _verify  decode and check such an answer, without a modem
 *   _get/_set, _begin/_end, _open/_free, _parse, _find, _init
 * and the getters of a report that give one check's outcome end in _check
 * (enum mcred_check). Accessors are named after what they return
 * (mcred_report_device_uuid, mcred_type_name). The 0.1.0 names that broke
 * the rule still link and work, as deprecated aliases: "Deprecated names"
 * at the end of this header lists them with their new names.
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
	                                    on the wire, terminator included */
	size_t max_response_len;       /**< bytes of one answer, default 65536 */
	int shell;                     /**< Zephyr shell: send "at <cmd>", escape CR/LF/backslash */
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

/** Open a modem over a caller-supplied transport (copied). */
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

/**
 * List serial ports with USB details; Nordic kits are recognised. Free the
 * list with mcred_port_list_free(). Since 0.2.0. Was mcred_ports_list() in 0.1.0.
 */
MCRED_API enum mcred_err mcred_port_list_get(struct mcred_port_list **out,
					     struct mcred_error *err);
/** Free a list of mcred_port_list_get(); NULL is allowed. Since 0.1.0. */
MCRED_API void mcred_port_list_free(struct mcred_port_list *list);

/**
 * Name of the modem port when exactly one Nordic kit is attached (its first
 * port). MCRED_ERR_NOT_FOUND when none, MCRED_ERR_INVALID_ARG when several.
 * Since 0.2.0. Was mcred_ports_find_kit() in 0.1.0.
 */
MCRED_API enum mcred_err mcred_port_find_kit(char *name, size_t name_len, struct mcred_error *err);

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

/**
 * Device facts. A field the modem did not give is "" (unknown) and its
 * _status says why: MCRED_OK when read; MCRED_ERR_MODEM, _CME or _CMS when
 * the modem answered ERROR (test firmware such as mfw-pti_nrf91x1_2.3.3
 * does for AT+CGSN and AT%XMODEMUUID; older firmware lacks %XMODEMUUID);
 * MCRED_ERR_PROTOCOL when the answer did not have the field's shape (an
 * IMEI is 15 digits, a UUID 8-4-4-4-12 hex digits): such a line, e.g. the
 * tail of an unsolicited result code, is never taken for the value.
 */
struct mcred_device_info {
	char imei[32];       /**< AT+CGSN: 15 digits */
	char model[64];      /**< AT+CGMM, e.g. "nRF9160-SICA" */
	char firmware[64];   /**< AT+CGMR, e.g. "mfw_nrf9160_1.3.5" */
	/**
	 * AT%XMODEMUUID: the UUID of the modem firmware build, not the device
	 * UUID that %KEYGEN and %ATTESTTOKEN carry (named uuid for compatibility).
	 */
	char uuid[64];
	enum mcred_err imei_status;
	enum mcred_err model_status;
	enum mcred_err firmware_status;
	enum mcred_err uuid_status;
};

/**
 * Read the device facts (AT+CGSN, AT+CGMM, AT+CGMR, AT%XMODEMUUID). A query
 * answered with ERROR or an answer of the wrong shape leaves that field
 * unknown and the others are still read. MCRED_OK when at least the
 * firmware version was read; otherwise the firmware query's error (the
 * fields read are still filled in). A timeout, I/O error or cancellation
 * ends it at once with that error.
 */
MCRED_API enum mcred_err mcred_device_info(mcred_modem *modem, struct mcred_device_info *info);

/** A modem firmware version, as parsed from AT+CGMR. */
struct mcred_fw_version {
	unsigned major, minor, patch;
	int ntn;             /**< the NTN firmware line (mfw_nrf9151-ntn_1.0.0-1.alpha) */
};

/**
 * Parse a firmware string as AT+CGMR gives it: "mfw_nrf9160_1.3.1",
 * "mfw_nrf91x1_2.0.2", "mfw-pti_nrf91x1_2.3.3" (test firmware, 2.3.3),
 * "mfw_nrf9151-ntn_1.0.0-1.alpha" (NTN line). MCRED_ERR_INVALID_ARG when the
 * text is not of that form.
 */
MCRED_API enum mcred_err mcred_fw_version_parse(const char *firmware, struct mcred_fw_version *v);

/**
 * 1 when digests listed by this firmware can be trusted for a comparison:
 * any firmware except mfw 1.x below 1.3.2 (Nordic's own installer skips the
 * digest check there). An unknown or unparsable version counts as trusted:
 * a comparison is then made, and can only err towards a mismatch.
 */
MCRED_API int mcred_fw_digests_trusted(const char *firmware);

/** Read the functional mode (AT+CFUN?): 0 off, 1 on, 4 offline, ... */
MCRED_API enum mcred_err mcred_cfun_get(mcred_modem *modem, int *mode);
MCRED_API enum mcred_err mcred_cfun_set(mcred_modem *modem, int mode);

/**
 * What a functional mode means: "off (minimum functionality)" (0), "on
 * (normal)" (1), "receive only" (2), "offline (flight mode)" (4), "LTE
 * off" (20), ..., "SIM on" (41); "other" for any other value. A static
 * string. Since 0.2.0.
 */
MCRED_API const char *mcred_cfun_name(int mode);

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
/**
 * Parse a type given by number ("0"), name ("ca"), a longer alias
 * ("root-ca") or nrfcredstore's name ("ROOT_CA_CERT"); case is ignored.
 */
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
 * With MCRED_WRITE_VERIFY a differing digest gives MCRED_ERR_MISMATCH; when
 * the digest cannot be checked (a firmware without digests, or a differing
 * digest on firmware older than mfw 1.3.2, see mcred_fw_digests_trusted())
 * MCRED_ERR_UNSUPPORTED, and the message says why: the write itself was
 * done in both cases.
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
 * does) by digest. MCRED_OK when equal, also when the stored content is the
 * given one without its trailing line break (see mcred_cmng_compare_match());
 * MCRED_ERR_MISMATCH when not; MCRED_ERR_NOT_FOUND when it does not exist.
 * MCRED_ERR_UNSUPPORTED when the comparison cannot be made: the firmware
 * lists no digests, or the digests differ on firmware older than mfw 1.3.2,
 * whose digests are not reliable (Nordic's installer skips the check there).
 * Equal digests are equal content on any firmware.
 */
MCRED_API enum mcred_err mcred_cmng_compare(mcred_modem *modem, uint32_t tag, int type,
					    const char *content, size_t len);

/** Which form of the content matched in mcred_cmng_compare_match(). */
enum mcred_compare_match {
	MCRED_MATCH_NONE = 0,   /**< no match (or not compared) */
	MCRED_MATCH_EXACT,      /**< the content as a write would send it */
	/**
	 * The content without its trailing line break (and other trailing
	 * whitespace), as nrfcredstore writes it (Python rstrip()).
	 */
	MCRED_MATCH_TRIMMED
};

/** mcred_cmng_compare() that also says which form matched (match optional). */
MCRED_API enum mcred_err mcred_cmng_compare_match(mcred_modem *modem, uint32_t tag, int type,
						  const char *content, size_t len,
						  enum mcred_compare_match *match);

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
 * SHA-256 (upper-case hex) of content exactly as given: the digest the modem
 * lists for stored content, so that of what mcred_cmng_read() returned (for
 * a firmware that lists no digests). For content about to be written, use
 * mcred_cmng_write_digest(). MCRED_ERR_INVALID_ARG when sha256 is NULL, or
 * content is NULL and len is not 0. Since 0.2.0.
 */
MCRED_API enum mcred_err mcred_cmng_read_digest(const char *content, size_t len,
						char sha256[65]);

/**
 * Wipe len bytes at p (OPENSSL_cleanse(), which the compiler cannot drop),
 * then free(p). For buffers that held a private key, a PSK or a password,
 * the caller's own included; NULL is allowed. Since 0.2.0.
 */
MCRED_API void mcred_secret_free(void *p, size_t len);

/* ------------------------------------------------------------------------ */
/* On-device keys (%KEYGEN) and attestation (%ATTESTTOKEN)                  */
/* ------------------------------------------------------------------------ */

enum mcred_keygen_kind {
	MCRED_KEYGEN_CSR = 0,        /**< key type 2, response content 0 */
	MCRED_KEYGEN_PUBKEY,         /**< key type 2, response content 1 */
	MCRED_KEYGEN_ENDORSEMENT     /**< key type 8, public key */
};

/**
 * The credential type a key of this kind is stored as: MCRED_TYPE_PRIVATE_KEY
 * (2) for a CSR or public key, MCRED_TYPE_ENDORSEMENT_KEY (8) for an
 * endorsement key; -1 for an unknown kind. Since 0.2.0.
 */
MCRED_API int mcred_keygen_kind_cred_type(enum mcred_keygen_kind kind);

/**
 * The COSE payload id the %KEYGEN answer for this kind carries: 9 (CSR
 * message) for a CSR, 8 (public key message) for a public or endorsement
 * key; 0 for an unknown kind. Set it as expected_payload_id of
 * struct mcred_verify_options to check an answer against what was asked.
 * Since 0.2.0.
 */
MCRED_API int mcred_keygen_kind_payload_id(enum mcred_keygen_kind kind);

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
 * Generate a key on the modem (%KEYGEN). *blob receives the text between the
 * quotes of "%KEYGEN: "..."" (malloc'd, NUL-terminated); pass it to
 * mcred_keygen_verify(). Since 0.2.0. Was mcred_keygen() in 0.1.0.
 */
MCRED_API enum mcred_err mcred_keygen_run(mcred_modem *modem,
					  const struct mcred_keygen_request *req, char **blob);

/**
 * Check an attestation challenge without a modem: 32 hex digits (16 bytes),
 * either case, or NULL for none. MCRED_ERR_INVALID_ARG says which character
 * is not a hex digit, or how many digits there are. Since 0.2.0.
 */
MCRED_API enum mcred_err mcred_attest_challenge_check(const char *challenge,
						      struct mcred_error *err);

/**
 * Ask the modem for an attestation token (%ATTESTTOKEN); challenge as for
 * mcred_attest_challenge_check(), checked before anything is sent. *blob as
 * for mcred_keygen_run(); pass it to mcred_attest_verify(). Since 0.2.0.
 * Was mcred_attest_token() in 0.1.0.
 */
MCRED_API enum mcred_err mcred_attest_run(mcred_modem *modem, const char *challenge,
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
	/**
	 * 0: derive it from the blob's body (a CSR or a public key); what was
	 * asked for is mcred_keygen_kind_payload_id() of its kind.
	 */
	int expected_payload_id;
	const char *identity_key_pem;       /**< device identity public key as PEM, or NULL */
	const uint8_t *identity_key_raw;    /**< or a raw 65-byte uncompressed P-256 point */
	size_t identity_key_raw_len;
};

MCRED_API void mcred_verify_options_init(struct mcred_verify_options *opts);

/**
 * Recognise and check a device identity public key given as the bytes of a
 * file, before anything is sent to a modem: a PEM public key
 * ("-----BEGIN PUBLIC KEY-----") on P-256, or a raw 65-byte uncompressed
 * P-256 point (04||X||Y on the curve). On success opts->identity_key_pem, or
 * opts->identity_key_raw and _raw_len, point into data, which must outlive
 * opts; PEM text must be a C string (data[len] == '\0'). Anything else (a
 * certificate, a private key, another curve, corrupt or cut-off PEM) gives
 * MCRED_ERR_INVALID_ARG with a message that says what was found (never the
 * key's content), and opts is left unchanged.
 */
MCRED_API enum mcred_err mcred_identity_key_parse(const void *data, size_t len,
						  struct mcred_verify_options *opts,
						  struct mcred_error *err);

/** Result of decoding and checking a KEYGEN or ATTESTTOKEN blob. */
typedef struct mcred_report mcred_report;

/**
 * Decode and check a KEYGEN blob ("<b64url body>.<b64url COSE>"), with CR/LF
 * and surrounding quotes tolerated. opts may be NULL. MCRED_ERR_DECODE when it
 * cannot be decoded at all; otherwise MCRED_OK and the report says each check.
 * Since 0.2.0. Was mcred_verify_keygen() in 0.1.0.
 */
MCRED_API enum mcred_err mcred_keygen_verify(const char *blob, size_t len,
					     const struct mcred_verify_options *opts,
					     mcred_report **out, struct mcred_error *err);

/** The same for an ATTESTTOKEN blob. Since 0.2.0. Was mcred_verify_attest() in 0.1.0. */
MCRED_API enum mcred_err mcred_attest_verify(const char *blob, size_t len,
					     const struct mcred_verify_options *opts,
					     mcred_report **out, struct mcred_error *err);

/** Which answer mcred_answer_find() found. */
enum mcred_answer_kind {
	MCRED_ANSWER_NONE = 0,    /**< no answer line: maybe a bare blob */
	MCRED_ANSWER_KEYGEN,      /**< "%KEYGEN: ..." */
	MCRED_ANSWER_ATTEST       /**< "%ATTESTTOKEN: ..." */
};

/**
 * Find the modem's answer in captured text (a terminal log, a saved reply;
 * it may hold NUL bytes): the "%ATTESTTOKEN:" line, else the "%KEYGEN:" line
 * (never the echoed "AT%KEYGEN=..." command). *offset (optional) receives
 * where it starts, 0 when none is found; give the text from there to
 * mcred_attest_verify() or mcred_keygen_verify(), which read the line, its
 * quotes and line breaks and ignore what follows. Since 0.2.0.
 */
MCRED_API enum mcred_answer_kind mcred_answer_find(const char *text, size_t len,
						   size_t *offset);

/** Since 0.1.0. */
MCRED_API void mcred_report_free(mcred_report *report);

/** Since 0.1.0. */
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
/** The CSR's self-signature. Since 0.2.0. Was mcred_report_csr_signature() in 0.1.0. */
MCRED_API enum mcred_check mcred_report_csr_signature_check(const mcred_report *r);
/**
 * The COSE signature, with the device identity key of the options (not
 * checked without one). Since 0.2.0. Was mcred_report_cose_signature() in 0.1.0.
 */
MCRED_API enum mcred_check mcred_report_cose_signature_check(const mcred_report *r);

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

/* ------------------------------------------------------------------------ */
/* Deprecated names                                                         */
/* ------------------------------------------------------------------------ */

/*
 * The names of version 0.1.0 that broke mcred_<noun>_<verb>. Each remains an
 * exported function that does exactly what its new name does, so programs
 * built against 0.1.0 keep linking and working; new code uses the new names.
 * Define MCRED_WARN_DEPRECATED before including this header to have the
 * compiler point at the old names left in a program.
 */
#if defined(MCRED_WARN_DEPRECATED) && defined(__GNUC__)
#define MCRED_DEPRECATED(use) __attribute__((deprecated("use " use)))
#else
#define MCRED_DEPRECATED(use)
#endif

/** Since 0.1.0. Deprecated since 0.2.0: use mcred_port_list_get(). */
MCRED_API enum mcred_err mcred_ports_list(struct mcred_port_list **out, struct mcred_error *err)
	MCRED_DEPRECATED("mcred_port_list_get");
/** Since 0.1.0. Deprecated since 0.2.0: use mcred_port_find_kit(). */
MCRED_API enum mcred_err mcred_ports_find_kit(char *name, size_t name_len, struct mcred_error *err)
	MCRED_DEPRECATED("mcred_port_find_kit");
/** Since 0.1.0. Deprecated since 0.2.0: use mcred_keygen_run(). */
MCRED_API enum mcred_err mcred_keygen(mcred_modem *modem, const struct mcred_keygen_request *req,
				      char **blob) MCRED_DEPRECATED("mcred_keygen_run");
/** Since 0.1.0. Deprecated since 0.2.0: use mcred_attest_run(). */
MCRED_API enum mcred_err mcred_attest_token(mcred_modem *modem, const char *challenge,
					    char **blob) MCRED_DEPRECATED("mcred_attest_run");
/** Since 0.1.0. Deprecated since 0.2.0: use mcred_keygen_verify(). */
MCRED_API enum mcred_err mcred_verify_keygen(const char *blob, size_t len,
					     const struct mcred_verify_options *opts,
					     mcred_report **out, struct mcred_error *err)
	MCRED_DEPRECATED("mcred_keygen_verify");
/** Since 0.1.0. Deprecated since 0.2.0: use mcred_attest_verify(). */
MCRED_API enum mcred_err mcred_verify_attest(const char *blob, size_t len,
					     const struct mcred_verify_options *opts,
					     mcred_report **out, struct mcred_error *err)
	MCRED_DEPRECATED("mcred_attest_verify");
/** Since 0.1.0. Deprecated since 0.2.0: use mcred_report_csr_signature_check(). */
MCRED_API enum mcred_check mcred_report_csr_signature(const mcred_report *r)
	MCRED_DEPRECATED("mcred_report_csr_signature_check");
/** Since 0.1.0. Deprecated since 0.2.0: use mcred_report_cose_signature_check(). */
MCRED_API enum mcred_check mcred_report_cose_signature(const mcred_report *r)
	MCRED_DEPRECATED("mcred_report_cose_signature_check");
/**
 * Since 0.1.0. Deprecated since 0.2.0: use mcred_cmng_write_digest(), as a write's digest
 * has one source. This is the SHA-256 of content with, when normalise is
 * non-zero, CRLF turned into LF; unlike a write it keeps a PSK's trailing
 * line break, so its digest can differ from the one the modem lists.
 * normalise 0 is mcred_cmng_read_digest().
 */
MCRED_API enum mcred_err mcred_content_digest(const char *content, size_t len, int normalise,
					      char sha256[65])
	MCRED_DEPRECATED("mcred_cmng_write_digest or mcred_cmng_read_digest");

#ifdef __cplusplus
}
#endif

#endif /* MODEMCRED_H */
