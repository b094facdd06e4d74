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
 *   A handle's own callbacks (urc_cb, trace_cb, cancel_cb) run in the middle
 *   of one of its operations and must not use it: a call on the handle from
 *   inside one is refused with MCRED_ERR_INVALID_ARG (nothing sent, the
 *   handle's error record left to the operation in progress), and
 *   mcred_modem_free() there is undefined; the const accessors
 *   (mcred_modem_error(), ...) may be called.
 * - No error of the library's stays in the calling thread's OpenSSL error
 *   queue, which the program's next SSL_get_error() would read.
 * - Input is validated before anything is sent: an MCRED_ERR_INVALID_ARG
 *   means nothing reached the modem.
 * - Security tags are unsigned 32-bit. Tags 0..2147483647 belong to the user;
 *   tags above (MCRED_TAG_MAX) belong to the modem and are never written or
 *   deleted, but do show up in lists.
 *
 * Structs you fill: call their _init first; the library checks their size
 * field, so programs built against an older header keep working. The _init
 * of each (a macro) zeroes the struct and sets its leading size_t size to
 * sizeof the struct as the program's header declares it; zero fields mean
 * the documented default. The library reads only the fields that fit in
 * size and takes the defaults for fields added after the program was built;
 * a size of 0 (no _init) or one too small for the struct's first version is
 * refused with MCRED_ERR_INVALID_ARG, before anything is sent; a larger size
 * (a program built against a newer header) is accepted when the fields this
 * library does not know are zero, refused otherwise; a size more than 4096
 * bytes beyond this library's struct (a struct never initialised) is
 * refused without reading past it. New fields are only ever added at the
 * end. See "ABI stability" in libmodemcred(3).
 *
 * Structs the library fills for you are either allocated by the library and
 * read through accessors or `const char *` fields it owns (they can grow at
 * the end; a size field says how much of them this library filled), or hold
 * only values whose format is fixed by definition (a SHA-256 as 64 hex
 * digits, a UUID as 36 characters), which never need to grow.
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
 * (mcred_report_device_uuid, mcred_type_name).
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

/*
 * The version of this header: the one place that defines the version (the
 * Makefile, libmodemcred.pc and the shared library's file name read it from
 * here). Each function below notes the version it appeared in ("Since 0.2.0.",
 * 0.2.0 being the first ABI); its symbol has the matching node (MODEMCRED_0.2,
 * ...) of lib/libmodemcred.map, whose top says how to add a function.
 */
#define MCRED_VERSION_MAJOR 0
#define MCRED_VERSION_MINOR 2
#define MCRED_VERSION_PATCH 0

/** A version as one number for compile-time checks: 0.2.0 is 0x000200. */
#define MCRED_VERSION_ENCODE(major, minor, patch) (((major) << 16) | ((minor) << 8) | (patch))
/**
 * This header's version as one number, e.g.
 * #if MCRED_VERSION_NUM >= MCRED_VERSION_ENCODE(0, 2, 0)
 */
#define MCRED_VERSION_NUM \
	MCRED_VERSION_ENCODE(MCRED_VERSION_MAJOR, MCRED_VERSION_MINOR, MCRED_VERSION_PATCH)

#define MCRED_STRINGIFY_(x) #x
#define MCRED_VERSION_STRING_(major, minor, patch) \
	MCRED_STRINGIFY_(major) "." MCRED_STRINGIFY_(minor) "." MCRED_STRINGIFY_(patch)
/** This header's version as "major.minor.patch" ("0.2.0"). */
#define MCRED_VERSION_STRING \
	MCRED_VERSION_STRING_(MCRED_VERSION_MAJOR, MCRED_VERSION_MINOR, MCRED_VERSION_PATCH)

/**
 * Version of the library actually loaded, as "major.minor.patch" (may
 * differ from MCRED_VERSION_STRING of the header a program was built with).
 * Since 0.2.0.
 */
MCRED_API const char *mcred_version(void);

/* ------------------------------------------------------------------------ */
/* Errors                                                                   */
/* ------------------------------------------------------------------------ */

/**
 * Result of every fallible call. The values are part of the ABI: a code keeps
 * its value forever, a removed code's value is never reused, and new codes
 * are added at the end with the next free value.
 */
enum mcred_err {
	MCRED_OK = 0,
	MCRED_ERR_INVALID_ARG = 1,  /**< bad input; nothing was sent to the modem */
	MCRED_ERR_NOMEM = 2,        /**< out of memory */
	MCRED_ERR_PORT = 3,         /**< the port could not be found, opened or configured */
	MCRED_ERR_IO = 4,           /**< reading from or writing to the port failed */
	MCRED_ERR_TIMEOUT = 5,      /**< the modem did not finish answering in time */
	MCRED_ERR_PROTOCOL = 6,     /**< the modem's answer was malformed or unexpected */
	MCRED_ERR_TOO_LARGE = 7,    /**< the answer exceeded the response size limit */
	MCRED_ERR_MODEM = 8,        /**< the modem answered a bare ERROR */
	MCRED_ERR_CME = 9,          /**< the modem answered +CME ERROR; see mcred_modem_cme() */
	MCRED_ERR_CMS = 10,         /**< the modem answered +CMS ERROR; see mcred_modem_cme() */
	MCRED_ERR_NOT_FOUND = 11,   /**< the credential does not exist (CME 513 or absent) */
	MCRED_ERR_MISMATCH = 12,    /**< the modem's digest differs from the expected one */
	MCRED_ERR_UNSUPPORTED = 13, /**< the modem or firmware cannot do this (e.g. no digests) */
	MCRED_ERR_DECODE = 14,      /**< a KEYGEN/ATTESTTOKEN blob, CSR, key or CBOR is malformed */
	MCRED_ERR_VERIFY = 15,      /**< a cryptographic check failed */
	MCRED_ERR_CANCELLED = 16,   /**< the cancel callback asked to stop */
	MCRED_ERR_CRYPTO = 17,      /**< OpenSSL failed for a reason other than bad input */
	/**
	 * another program or handle holds the port (nothing was sent); the
	 * message names it, see mcred_port_holders_get(). Since 0.2.0.
	 */
	MCRED_ERR_BUSY = 18
};

/** Static English description of an error code ("operation timed out"). Since 0.2.0. */
MCRED_API const char *mcred_strerror(enum mcred_err code);

/**
 * The code's name as written in this header ("MCRED_ERR_TIMEOUT"), for logs
 * and machine-readable output; NULL for a value that is no code.
 * Since 0.2.0.
 */
MCRED_API const char *mcred_err_name(enum mcred_err code);

/**
 * Meaning of a CME error code as seen on nRF91 ("513: not found"), with the
 * obvious fix where there is one (518 tells to take the modem offline).
 * Returns a static string; unknown codes give "unknown CME error".
 * Since 0.2.0.
 */
MCRED_API const char *mcred_cme_message(int cme);

/**
 * Details of a failure: the code, the modem's CME/CMS code, a message.
 *
 * Frozen: this struct never changes, so that the many functions that take
 * one keep one contract. The caller allocates it and the library only ever
 * writes it, never reads it; a message longer than 511 bytes is cut (the
 * library's messages are far shorter). Further details of a failure will
 * come through new functions, never through new fields here.
 */
struct mcred_error {
	enum mcred_err code;
	int cme;           /**< CME or CMS code, -1 when the modem gave none */
	char message[512]; /**< what went wrong and, where possible, how to fix it */
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
 * What mcred_options.cancel_cb returns: 0 to go on, else how to stop (see
 * there). Since 0.2.0.
 */
enum mcred_cancel {
	MCRED_CANCEL_NONE = 0, /**< go on */
	MCRED_CANCEL_STOP = 1, /**< stop once the command the modem has is answered */
	MCRED_CANCEL_NOW = 2   /**< stop now, abandoning a command the modem has */
};

/**
 * One look at the holders of many ports, for a program that opens them all
 * at once, such as a factory station: a look is a pass over every process's
 * open files (Linux: /proc), and one pass for all the ports replaces one per
 * open (see mcred_options.port_survey). Made by mcred_port_survey_new(),
 * read-only after: handles opening in many threads may share one. Free it
 * with mcred_port_survey_free() once the opens are done.
 */
typedef struct mcred_port_survey mcred_port_survey;

/**
 * Options for opening a modem. Initialise with mcred_options_init() and
 * change what you need; zero values mean the documented default. The
 * library checks size (see the top of this header): set it with
 * mcred_options_init(), never by hand.
 */
struct mcred_options {
	size_t size;                /**< sizeof(struct mcred_options), set by _init */
	unsigned baud;              /**< default 115200 */
	enum mcred_flow flow;       /**< default MCRED_FLOW_NONE */
	unsigned timeout_ms;        /**< per-command deadline, default 10000; the
				     line time of command and answer at baud
				     comes on top (since 0.2.0) */
	enum mcred_term terminator; /**< default MCRED_TERM_CRLF */
	/**
	 * the device's AT command buffer (at_host's CONFIG_AT_HOST_CMD_MAX_LEN),
	 * default 4096: commands may take max_command_len - 1 bytes on the wire,
	 * terminator included. It also holds the answer: an answer that stops at
	 * max_command_len - 1 bytes without a final result gives
	 * MCRED_ERR_TOO_LARGE at once. In shell mode it is the shell's line buffer
	 * (CONFIG_SHELL_CMD_BUFF_SIZE), default 2048: the typed line at '...' may
	 * take max_command_len - 1 bytes, terminator not counted
	 */
	size_t max_command_len;
	size_t max_response_len; /**< bytes of one answer, default 65536 */
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
	/**
	 * 1: keep CRLF in content; 0 (default): CRLF -> LF. A PSK's or PSK
	 * identity's trailing line break is dropped either way
	 */
	int keep_line_endings;
	int auto_offline; /**< 1: writes, deletes and keygen set CFUN=4 if needed and restore after */
	enum mcred_transport_kind transport; /**< default MCRED_TRANSPORT_AUTO */

	/**
	 * Unsolicited result codes (one logical line, no CR/LF at the ends);
	 * boot banner lines too (see mcred_modem_restarts()).
	 */
	void (*urc_cb)(const char *line, void *user);
	void *urc_user;
	/**
	 * Every command sent and line received; secrets are already redacted.
	 * Once content was sent on the handle (a %CMNG write), a received line
	 * that has not the exact shape of a final result, of an answer to the
	 * command in flight or of a URC is passed as a placeholder: a late or
	 * garbled echo shows nothing of what was sent.
	 */
	void (*trace_cb)(enum mcred_trace_dir dir, const char *text, size_t len, void *user);
	void *trace_user;
	/**
	 * Polled while waiting for an answer (at least every 100 ms) and before a
	 * command is sent; non-zero (an enum mcred_cancel) stops the operation
	 * with MCRED_ERR_CANCELLED. A command is never cut off half sent, and no
	 * command is sent after the request but those restoring the mode.
	 * MCRED_CANCEL_STOP (or any value but MCRED_CANCEL_NOW) lets a command
	 * the modem already has finish first: its answer is still awaited
	 * within its timeout, so that what the modem did is known
	 * (mcred_modem_last_change()) and the link stays in step.
	 * MCRED_CANCEL_NOW, also while such an answer is awaited, abandons it
	 * (what it did stays unknown). Restoring CMEE and CFUN is not
	 * cancellable, but after a cancellation it gets 3 s at most; see
	 * mcred_modem_unrestored_mode().
	 */
	int (*cancel_cb)(void *user);
	void *cancel_user;
	/**
	 * 0 (default): mcred_modem_open() takes the port for this handle alone
	 * before anything is sent, and refuses with MCRED_ERR_BUSY a port that
	 * another handle or program holds (see "One program per port" in
	 * libmodemcred(3)). 1: use it anyway. Risky: both programs then read
	 * the modem's answers and each may take the other's, so a list can come
	 * back short, a write be reported failed though stored, a key made with
	 * no CSR saved. Since 0.2.0.
	 */
	int ignore_busy;
	/**
	 * NULL (default): mcred_modem_open() looks for other programs holding
	 * the port itself, a pass over every process's open files. A survey
	 * that covers the port (mcred_port_survey_new(), made for many ports
	 * in one pass): the open takes what it found instead, and still takes
	 * the port's lock. A survey is a snapshot, so make it right before the
	 * opens: a program that opens a port later is seen only if it keeps
	 * the lock convention. Read only while the handle opens; the handle
	 * keeps NULL (mcred_modem_options()). Not used with ignore_busy.
	 * Since 0.2.0.
	 */
	const mcred_port_survey *port_survey;
};

/**
 * What mcred_options_init(opts) calls: zero size bytes at opts (all zeroes
 * mean the defaults above) and set opts->size to size. Since 0.2.0.
 */
MCRED_API void mcred_options_init_size(struct mcred_options *opts, size_t size);
/**
 * Fill *opts with the defaults, size included. A macro, so that size is the
 * program's own sizeof.
 */
#define mcred_options_init(opts) mcred_options_init_size((opts), sizeof(*(opts)))

/**
 * Caller-supplied transport, for gateways that bring their own link.
 * read: wait at most timeout_ms for data; return bytes read (> 0), 0 on
 *       timeout, -1 on error. write: return bytes written (> 0) or -1.
 * close: called once by mcred_modem_free(); may be NULL.
 * Initialise with mcred_transport_init(); size as for struct mcred_options.
 */
struct mcred_transport {
	size_t size; /**< sizeof(struct mcred_transport), set by _init */
	int (*read)(void *user, uint8_t *buf, size_t len, unsigned timeout_ms);
	int (*write)(void *user, const uint8_t *buf, size_t len, unsigned timeout_ms);
	void (*close)(void *user);
	void *user;
};

/** What mcred_transport_init(t) calls: zeroes and the size. Since 0.2.0. */
MCRED_API void mcred_transport_init_size(struct mcred_transport *transport, size_t size);
/** Zero *t and set its size; then set the callbacks. */
#define mcred_transport_init(t) mcred_transport_init_size((t), sizeof(*(t)))

/** An open modem. */
typedef struct mcred_modem mcred_modem;

/**
 * Open the modem on a serial port ("/dev/ttyACM0", "COM3", a pty path).
 * opts may be NULL for defaults. On failure *out is NULL and err (optional)
 * says why.
 * Since 0.2.0.
 */
MCRED_API enum mcred_err mcred_modem_open(mcred_modem **out, const char *port,
					  const struct mcred_options *opts,
					  struct mcred_error *err);

/**
 * Open a modem over a caller-supplied transport (copied). When this fails
 * (also when a MCRED_SHELL_AUTO probe fails) the transport is not closed.
 * Since 0.2.0.
 */
MCRED_API enum mcred_err mcred_modem_open_transport(mcred_modem **out,
						    const struct mcred_transport *transport,
						    const struct mcred_options *opts,
						    struct mcred_error *err);

/** Close the port and free the handle. NULL is allowed. Since 0.2.0. */
MCRED_API void mcred_modem_free(mcred_modem *modem);

/** The last error on this handle (code MCRED_OK after a success). Since 0.2.0. */
MCRED_API const struct mcred_error *mcred_modem_error(const mcred_modem *modem);

/** CME/CMS code of the last failed command, or -1. Since 0.2.0. */
MCRED_API int mcred_modem_cme(const mcred_modem *modem);

/**
 * The options the handle works with: defaults applied, and with
 * MCRED_SHELL_AUTO the shell mode the probe found (MCRED_SHELL_ON or
 * MCRED_SHELL_NONE). NULL for a NULL handle. Since 0.2.0.
 */
MCRED_API const struct mcred_options *mcred_modem_options(const mcred_modem *modem);

/** "libserialport", "termios" or "custom". Since 0.2.0. */
MCRED_API const char *mcred_modem_transport_name(const mcred_modem *modem);

/**
 * How often the modem restarted while this handle was open: a boot banner
 * (e.g. "*** Booting nRF Connect SDK ...", "Ready") arrived. A restart puts
 * the modem back in CFUN 0 with CMEE 0. Banner lines are never taken as an
 * answer; they also go to the urc callback and the trace. An operation
 * that had turned CMEE on (to learn why a command failed: operations turn
 * it on only then, see libmodemcred(3)) turns it on again after a restart,
 * restores at its end the functional mode it found when it knows it
 * (auto_offline operations read it first), and fails with
 * MCRED_ERR_PROTOCOL when a command's answer was lost to the restart.
 * Compare the count before and after an operation to know. Since 0.2.0.
 */
MCRED_API unsigned mcred_modem_restarts(const mcred_modem *modem);

/**
 * The functional mode the last operation should have restored and could
 * not (the modem refused or did not answer, or the restore was cut short
 * after a cancellation: it then gets a few seconds only), or -1 when
 * nothing is left to restore. "AT+CFUN=<mode>" restores it by hand.
 * Since 0.2.0.
 */
MCRED_API int mcred_modem_unrestored_mode(const mcred_modem *modem);

/** What became of the change an operation asked the modem to make. Since 0.2.0. */
enum mcred_change {
	MCRED_CHANGE_UNKNOWN = -1, /**< sent, and no final result came (timeout, restart, cancel) */
	MCRED_CHANGE_NONE = 0,     /**< not made: never sent, or refused; or nothing to change */
	MCRED_CHANGE_MADE = 1      /**< made: the modem answered OK */
};

/**
 * Whether the modem made the change the last operation on the handle asked
 * for: the credential stored (mcred_cmng_write()), deleted
 * (mcred_cmng_delete(); for mcred_cmng_clear() and _clear_all() the last
 * deletion sent, the others are counted), the key generated
 * (mcred_keygen_run()). Meant for an operation that failed or was
 * cancelled: one interrupted while the modem had its command waits for that
 * command's answer (see mcred_options.cancel_cb), so this is
 * MCRED_CHANGE_UNKNOWN only when the answer never came. Operations that
 * change nothing leave MCRED_CHANGE_NONE. Since 0.2.0.
 */
MCRED_API enum mcred_change mcred_modem_last_change(const mcred_modem *modem);

/* ------------------------------------------------------------------------ */
/* Port discovery                                                           */
/* ------------------------------------------------------------------------ */

/**
 * One serial port, allocated by the library with its strings (owned by the
 * list). A later version may add fields at the end only: size is the size of
 * the struct this library filled (read a field added later only when size
 * reaches past it).
 */
struct mcred_port {
	size_t size;             /**< sizeof the struct the library filled */
	const char *name;        /**< "/dev/ttyACM0" */
	const char *description; /**< "" if none */
	int usb_vid;             /**< -1 when not USB */
	int usb_pid;
	const char *serial; /**< USB serial number, "" if none */
	const char *kit;    /**< "nRF9160 DK", "Thingy:91 X", ... or NULL */
};

/**
 * The ports, in natural name order. An array of pointers, so that struct
 * mcred_port can grow.
 */
struct mcred_port_list {
	struct mcred_port **ports; /**< count pointers */
	size_t count;
};

/**
 * List serial ports with USB details; Nordic kits are recognised. Free the
 * list with mcred_port_list_free(). Since 0.2.0.
 */
MCRED_API enum mcred_err mcred_port_list_get(struct mcred_port_list **out, struct mcred_error *err);
/** Free a list of mcred_port_list_get(); NULL is allowed. Since 0.2.0. */
MCRED_API void mcred_port_list_free(struct mcred_port_list *list);

/**
 * Name of the modem port when exactly one Nordic kit is attached (its first
 * port). MCRED_ERR_NOT_FOUND when none, MCRED_ERR_INVALID_ARG when several.
 * Since 0.2.0.
 */
MCRED_API enum mcred_err mcred_port_find_kit(char *name, size_t name_len, struct mcred_error *err);

/**
 * Name of the modem port (its first port) of the Nordic kit whose USB serial
 * number is exactly serial, for when several kits are attached. A prefix
 * does not match. MCRED_ERR_NOT_FOUND when no kit has it; the message then
 * lists the kits found with their serial numbers. Since 0.2.0.
 */
MCRED_API enum mcred_err mcred_port_find_kit_by_serial(const char *serial, char *name,
						       size_t name_len, struct mcred_error *err);

/* ------------------------------------------------------------------------ */
/* One program per port                                                     */
/* ------------------------------------------------------------------------ */

/*
 * mcred_modem_open() takes the port for its handle before anything is sent:
 * an advisory flock(2) on the device (as picocom does; every libmodemcred
 * handle honours it, in this process too), a look at the processes that
 * hold the device open (Linux), and TIOCEXCL where the system has it (later
 * opens by unprivileged programs fail). A port held otherwise is refused
 * with MCRED_ERR_BUSY, naming the program; mcred_options.ignore_busy
 * proceeds anyway.
 */

/**
 * A process that holds a port open. Allocated by the library; fields are
 * only ever added at the end: size is the size of the struct the library
 * filled.
 */
struct mcred_port_holder {
	size_t size;         /**< sizeof the struct the library filled */
	long pid;            /**< its process id */
	const char *program; /**< its name as the system shows it ("ModemManager", "screen") */
};

/** The holders of one port, as mcred_port_holders_get() found them. */
struct mcred_port_holder_list {
	struct mcred_port_holder **holders; /**< count pointers */
	size_t count;
	/**
	 * processes whose open files this user may not see (those of other
	 * users, unless run as root): one of them may hold the port too
	 */
	size_t hidden;
};

/**
 * Look once for the programs that hold any of count ports, as
 * mcred_port_holders_get() does for one. A port that is missing or no
 * device is left out: its open says what is wrong. MCRED_ERR_UNSUPPORTED
 * where there is no /proc (then open without a survey: each open relies on
 * the port's lock). Since 0.2.0.
 */
MCRED_API enum mcred_err mcred_port_survey_new(mcred_port_survey **out, const char *const *ports,
					       size_t count, struct mcred_error *err);
/** Free a survey; NULL is allowed. Since 0.2.0. */
MCRED_API void mcred_port_survey_free(mcred_port_survey *survey);

/**
 * The processes other than the caller's that hold port open ("/dev/ttyACM0",
 * or a symlink to it), e.g. ModemManager or a terminal program. A process
 * that holds the master side of a pseudo-terminal (a simulator, socat) owns
 * that line and is not listed, nor is a child between fork and exec that
 * holds its parent's copy. Linux reads /proc; elsewhere
 * MCRED_ERR_UNSUPPORTED. MCRED_ERR_PORT when port is no device. Free the
 * list with mcred_port_holder_list_free(). Since 0.2.0.
 */
MCRED_API enum mcred_err mcred_port_holders_get(const char *port,
						struct mcred_port_holder_list **out,
						struct mcred_error *err);
/** Free a list of mcred_port_holders_get(); NULL is allowed. Since 0.2.0. */
MCRED_API void mcred_port_holder_list_free(struct mcred_port_holder_list *list);

/* ------------------------------------------------------------------------ */
/* Raw AT                                                                   */
/* ------------------------------------------------------------------------ */

/** Information lines of one answer (final result not included). */
struct mcred_lines {
	char **lines; /**< NUL-terminated; a quoted value may contain CR/LF */
	size_t count;
};

/**
 * Send one AT command (without terminator) and collect its answer. Success
 * means the modem said OK. URCs go to the urc callback, never into *out.
 * Refused (MCRED_ERR_INVALID_ARG, nothing sent): text not starting with
 * "AT", a line break outside quotes, an unbalanced '"', a control byte
 * other than TAB (and CR/LF inside quotes): the AT host takes backspace and
 * DEL as edits. A command that may write content with CMNG is traced and
 * named in messages without its content: a key or PSK in the canonical
 * AT%CMNG=0,<tag>,<type>,"<content>" as mcred_cmng_write() traces it, any
 * other form (spaces, a chained command, no quotes) up to where the
 * content starts. Messages never quote a refused command. Since 0.2.0.
 */
MCRED_API enum mcred_err mcred_at(mcred_modem *modem, const char *command,
				  struct mcred_lines **out);
/**
 * Free what mcred_at() gave, wiped first like every buffer that may hold a
 * secret; NULL is allowed. Since 0.2.0.
 */
MCRED_API void mcred_lines_free(struct mcred_lines *lines);

/* ------------------------------------------------------------------------ */
/* Device                                                                   */
/* ------------------------------------------------------------------------ */

/**
 * Device facts, allocated and owned by the library: read with
 * mcred_device_details_get(), free with mcred_device_details_free(). The
 * strings belong to the struct. A field the modem did not give is ""
 * (unknown, never NULL) and its _status says why: MCRED_OK when read;
 * MCRED_ERR_MODEM, _CME or _CMS when the modem answered ERROR (test
 * firmware such as mfw-pti_nrf91x1_2.3.3 does for AT+CGSN and
 * AT%XMODEMUUID; older firmware lacks %XMODEMUUID); MCRED_ERR_PROTOCOL
 * when the answer did not have the field's shape (an IMEI is 15 digits, a
 * UUID 8-4-4-4-12 hex digits): such a line, e.g. the tail of an
 * unsolicited result code, is never taken for the value. A later version
 * may add fields at the end only: size is the size of the struct this
 * library filled, so a program built against a newer header reads a field
 * f only when size >= offsetof(struct mcred_device_details, f) + sizeof(f).
 */
struct mcred_device_details {
	size_t size;          /**< sizeof the struct the library filled */
	const char *imei;     /**< AT+CGSN: 15 digits */
	const char *model;    /**< AT+CGMM, e.g. "nRF9160-SICA" */
	const char *firmware; /**< AT+CGMR, e.g. "mfw_nrf9160_1.3.5" */
	/**
	 * AT%XMODEMUUID: the UUID of the modem firmware build, not the device
	 * UUID that %KEYGEN and %ATTESTTOKEN carry.
	 */
	const char *firmware_uuid;
	enum mcred_err imei_status;
	enum mcred_err model_status;
	enum mcred_err firmware_status;
	enum mcred_err firmware_uuid_status;
};

/**
 * Read the device facts (AT+CGSN, AT+CGMM, AT+CGMR, AT%XMODEMUUID) into a
 * struct the library allocates. A query answered with ERROR or an answer of
 * the wrong shape leaves that field unknown and the others are still read.
 * MCRED_OK when at least the firmware version was read; otherwise the
 * firmware query's error. A timeout, I/O error or cancellation ends it at
 * once with that error. *out is set (free it with
 * mcred_device_details_free()) on success and on every failure but
 * MCRED_ERR_INVALID_ARG and MCRED_ERR_NOMEM, with the fields read so far.
 * Since 0.2.0.
 */
MCRED_API enum mcred_err mcred_device_details_get(mcred_modem *modem,
						  struct mcred_device_details **out);
/** Free what mcred_device_details_get() gave; NULL is allowed. Since 0.2.0. */
MCRED_API void mcred_device_details_free(struct mcred_device_details *details);

/** A modem firmware version, as parsed from AT+CGMR. */
struct mcred_fw_version {
	unsigned major, minor, patch;
	int ntn; /**< the NTN firmware line (mfw_nrf9151-ntn_1.0.0-1.alpha) */
};

/**
 * Parse a firmware string as AT+CGMR gives it: "mfw_nrf9160_1.3.1",
 * "mfw_nrf91x1_2.0.2", "mfw-pti_nrf91x1_2.3.3" (test firmware, 2.3.3),
 * "mfw_nrf9151-ntn_1.0.0-1.alpha" (NTN line). MCRED_ERR_INVALID_ARG when the
 * text is not of that form.
 * Since 0.2.0.
 */
MCRED_API enum mcred_err mcred_fw_version_parse(const char *firmware, struct mcred_fw_version *v);

/**
 * 1 when digests listed by this firmware can be trusted for a comparison:
 * any firmware except mfw 1.x below 1.3.2 (Nordic's own installer skips the
 * digest check there). An unknown or unparsable version counts as trusted:
 * a comparison is then made, and can only err towards a mismatch.
 * Since 0.2.0.
 */
MCRED_API int mcred_fw_digests_trusted(const char *firmware);

/** Read the functional mode (AT+CFUN?): 0 off, 1 on, 4 offline, ... Since 0.2.0. */
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
 * Since 0.2.0.
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

/**
 * Short name of a type: "ca", "cert", "key", "psk", "psk-id", ...; NULL if unknown.
 * Since 0.2.0.
 */
MCRED_API const char *mcred_type_name(int type);
/** Human description: "root CA certificate", ... ; "unknown type" if unknown. Since 0.2.0. */
MCRED_API const char *mcred_type_description(int type);
/**
 * Parse a type given by number ("0"), name ("ca"), a longer alias
 * ("root-ca") or nrfcredstore's name ("ROOT_CA_CERT"); case is ignored.
 * Since 0.2.0.
 */
MCRED_API enum mcred_err mcred_type_parse(const char *text, int *type, struct mcred_error *err);

struct mcred_credential {
	uint32_t tag;
	int type;
	int has_sha256;  /**< 0 when the firmware reports no digest */
	char sha256[65]; /**< 64 upper-case hex digits */
};

struct mcred_credential_list {
	struct mcred_credential *items;
	size_t count;
};

#define MCRED_ANY_TAG (-1)
#define MCRED_ANY_TYPE (-1)

/** List credentials: all (tag MCRED_ANY_TAG), one tag, or one tag and type. Since 0.2.0. */
MCRED_API enum mcred_err mcred_cmng_list(mcred_modem *modem, int64_t tag, int type,
					 struct mcred_credential_list **out);
MCRED_API void mcred_credential_list_free(struct mcred_credential_list *list);

/** Flags for mcred_cmng_write(). */
#define MCRED_WRITE_VERIFY 0x1u /**< compare the modem's digest with the bytes sent */

/**
 * Write a credential (types 0-4). password: PKCS#8 password for an encrypted
 * type 2 key, else NULL. Content is validated (printable ASCII, CR/LF/TAB, no
 * '"', PSK as hex) and, unless keep_line_endings, CRLF is turned into LF.
 * What the content is (certificates for types 0 and 1, a key that parses
 * for 2) is not checked here: mcred_cmng_check_content() does that, call
 * it first. Content that holds a private key is a secret in the trace
 * whatever the type.
 * With MCRED_WRITE_VERIFY a differing digest gives MCRED_ERR_MISMATCH; when
 * the digest cannot be checked (a firmware without digests, or a differing
 * digest on firmware older than mfw 1.3.2, see mcred_fw_digests_trusted())
 * MCRED_ERR_UNSUPPORTED, and the message says why: the write itself was
 * done in both cases.
 * A flag bit this library does not know (a program built against a newer
 * header) is refused with MCRED_ERR_INVALID_ARG, nothing sent.
 * Since 0.2.0.
 */
MCRED_API enum mcred_err mcred_cmng_write(mcred_modem *modem, uint32_t tag, int type,
					  const char *content, size_t len, const char *password,
					  unsigned flags);

/**
 * Read a credential's content, byte exact (malloc'd, NUL-terminated); sha256 optional.
 * Since 0.2.0.
 */
MCRED_API enum mcred_err mcred_cmng_read(mcred_modem *modem, uint32_t tag, int type, char **content,
					 size_t *len, char sha256[65]);

/** Delete one credential. MCRED_ERR_NOT_FOUND when it does not exist. Since 0.2.0. */
MCRED_API enum mcred_err mcred_cmng_delete(mcred_modem *modem, uint32_t tag, int type);

/** Delete every deletable credential of one tag; counts are optional. Since 0.2.0. */
MCRED_API enum mcred_err mcred_cmng_clear(mcred_modem *modem, uint32_t tag, size_t *deleted,
					  size_t *skipped);

/**
 * Delete every user credential of every tag (0-2147483647), as nrfcredstore's
 * deleteall does, for rework at the factory. Modem-owned tags (above
 * MCRED_TAG_MAX) and types that cannot be deleted are left in place and
 * counted in *skipped; counts are optional. Needs the modem offline, like
 * mcred_cmng_clear(). Since 0.2.0.
 */
MCRED_API enum mcred_err mcred_cmng_clear_all(mcred_modem *modem, size_t *deleted, size_t *skipped);

/** *exists = 1 when the credential exists; sha256 (optional) gets its digest or "". Since 0.2.0. */
MCRED_API enum mcred_err mcred_cmng_exists(mcred_modem *modem, uint32_t tag, int type, int *exists,
					   char sha256[65]);

/**
 * Compare stored content with content (after the same normalisation a write
 * does) by digest. MCRED_OK when equal, also when the stored content is the
 * given one without its trailing line break (see mcred_cmng_compare_match());
 * MCRED_ERR_MISMATCH when not; MCRED_ERR_NOT_FOUND when it does not exist.
 * MCRED_ERR_UNSUPPORTED when the comparison cannot be made: the firmware
 * lists no digests, or the digests differ on firmware older than mfw 1.3.2,
 * whose digests are not reliable (Nordic's installer skips the check there).
 * Equal digests are equal content on any firmware.
 * Since 0.2.0.
 */
MCRED_API enum mcred_err mcred_cmng_compare(mcred_modem *modem, uint32_t tag, int type,
					    const char *content, size_t len);

/** Which form of the content matched in mcred_cmng_compare_match(). */
enum mcred_compare_match {
	MCRED_MATCH_NONE = 0, /**< no match (or not compared) */
	MCRED_MATCH_EXACT,    /**< the content as a write would send it */
	/**
	 * The content without its trailing line break (and other trailing
	 * whitespace), as nrfcredstore writes it (Python rstrip()).
	 */
	MCRED_MATCH_TRIMMED
};

/** mcred_cmng_compare() that also says which form matched (match optional). Since 0.2.0. */
MCRED_API enum mcred_err mcred_cmng_compare_match(mcred_modem *modem, uint32_t tag, int type,
						  const char *content, size_t len,
						  enum mcred_compare_match *match);

/**
 * Check a write without a modem: the same validation mcred_cmng_write() does.
 * max_command_len 0 means 4096.
 * Since 0.2.0.
 */
MCRED_API enum mcred_err mcred_cmng_check_write(uint32_t tag, int type, const char *content,
						size_t len, const char *password,
						const struct mcred_options *opts,
						struct mcred_error *err);

/** What mcred_pem_find() found in a file: one bit per kind of PEM block. */
#define MCRED_PEM_CERTIFICATE 0x01u /**< "CERTIFICATE" (or OpenSSL's X509/TRUSTED forms) */
#define MCRED_PEM_PRIVATE_KEY 0x02u /**< any "... PRIVATE KEY": key material, a secret */
#define MCRED_PEM_ENCRYPTED_KEY \
	0x04u                      /**< a private key that is encrypted (also set: _PRIVATE_KEY) */
#define MCRED_PEM_CSR 0x08u        /**< "CERTIFICATE REQUEST" */
#define MCRED_PEM_PUBLIC_KEY 0x10u /**< "PUBLIC KEY", "RSA PUBLIC KEY" */
#define MCRED_PEM_OTHER 0x20u      /**< any other "-----BEGIN ...-----" */

/**
 * The kinds of PEM blocks content holds, by their BEGIN lines (and, for
 * MCRED_PEM_PRIVATE_KEY, any "PRIVATE KEY-----" at all, so that a cut-off
 * key still counts); 0 for none. No parsing: a quick look, e.g. to treat
 * a file that holds key material as a secret in logs whatever type it is
 * written as (the library's traces do). NULL content gives 0. Since 0.2.0.
 */
MCRED_API unsigned mcred_pem_find(const char *content, size_t len);

/**
 * Check, with OpenSSL and without a modem, that content is what a write of
 * type expects, before anything is sent: for types 0 (ca) and 1 (cert) one
 * or more PEM X.509 certificates ("-----BEGIN CERTIFICATE-----", the only
 * form the modem reads) that parse, and no private key or other PEM block
 * (text outside the blocks is allowed, as the modem's parser skips it);
 * for type 2 (key) exactly one PEM private key (PKCS#8, SEC1 "EC PRIVATE
 * KEY" or PKCS#1 "RSA PRIVATE KEY"; an "EC PARAMETERS" block may come with
 * it) that parses: an encrypted one ("ENCRYPTED PRIVATE KEY", PKCS#8) only
 * with the password that decrypts it, an unencrypted one without a
 * password; types 3 and 4 as mcred_cmng_check_write() checks them. Also
 * makes the content checks of mcred_cmng_write() (printable ASCII, PSK as
 * hex). MCRED_ERR_INVALID_ARG says what the content is ("the file holds a
 * private key, not a certificate") and never quotes it. mcred_cmng_write()
 * does not make these checks (a firmware may accept what they refuse): call
 * this first. Since 0.2.0.
 */
MCRED_API enum mcred_err mcred_cmng_check_content(int type, const char *content, size_t len,
						  const char *password, struct mcred_error *err);

/**
 * SHA-256 (upper-case hex) of exactly what mcred_cmng_write() would send for
 * this content and type under opts (NULL: defaults): CRLF turned into LF
 * unless keep_line_endings, the trailing line break of a PSK or PSK identity
 * removed. This is the digest the modem lists after the write. The type and
 * content are validated as for a write (tag, password and length are not).
 * Since 0.2.0.
 */
MCRED_API enum mcred_err mcred_cmng_write_digest(int type, const char *content, size_t len,
						 const struct mcred_options *opts, char sha256[65],
						 struct mcred_error *err);

/**
 * SHA-256 (upper-case hex) of content exactly as given: the digest the modem
 * lists for stored content, so that of what mcred_cmng_read() returned (for
 * a firmware that lists no digests). For content about to be written, use
 * mcred_cmng_write_digest(). MCRED_ERR_INVALID_ARG when sha256 is NULL, or
 * content is NULL and len is not 0. Since 0.2.0.
 */
MCRED_API enum mcred_err mcred_cmng_read_digest(const char *content, size_t len, char sha256[65]);

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
	MCRED_KEYGEN_CSR = 0,    /**< key type 2, response content 0 */
	MCRED_KEYGEN_PUBKEY,     /**< key type 2, response content 1 */
	MCRED_KEYGEN_ENDORSEMENT /**< key type 8, public key */
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

/** Initialise with mcred_keygen_request_init(); size as for struct mcred_options. */
struct mcred_keygen_request {
	size_t size;  /**< sizeof(struct mcred_keygen_request), set by _init */
	uint32_t tag; /**< 1..2147483647 */
	enum mcred_keygen_kind kind;
	const char *attributes; /**< "CN=x,O=y" or NULL (CSR only) */
	const char *key_usage;  /**< 9 characters of 0/1 or NULL (CSR only) */
};

/** What mcred_keygen_request_init(req) calls: zeroes and the size. Since 0.2.0. */
MCRED_API void mcred_keygen_request_init_size(struct mcred_keygen_request *req, size_t size);
/** Zero *req (kind CSR, no attributes, no key usage) and set its size; then set tag. */
#define mcred_keygen_request_init(req) mcred_keygen_request_init_size((req), sizeof(*(req)))

/** Validate a keygen request without a modem. Since 0.2.0. */
MCRED_API enum mcred_err mcred_keygen_check(const struct mcred_keygen_request *req,
					    struct mcred_error *err);

/**
 * Validate a keygen request for this modem, sending nothing: the checks of
 * mcred_keygen_check() and those of its mode (in shell mode the attributes
 * may hold no '). mcred_keygen_run() makes them too; call this first when other
 * commands (e.g. a look for an existing key) come before it. Since 0.2.0.
 */
MCRED_API enum mcred_err mcred_keygen_check_modem(mcred_modem *modem,
						  const struct mcred_keygen_request *req);

/**
 * Generate a key on the modem (%KEYGEN). *blob receives the text between the
 * quotes of "%KEYGEN: "..."" (malloc'd, NUL-terminated); pass it to
 * mcred_keygen_verify(). A key must never exist without its CSR or public
 * key in hand: when the operation was cancelled (MCRED_ERR_CANCELLED) after
 * the modem answered %KEYGEN, *blob holds that answer all the same
 * (mcred_modem_last_change() is then MCRED_CHANGE_MADE); free it.
 * Since 0.2.0.
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
 */
MCRED_API enum mcred_err mcred_attest_run(mcred_modem *modem, const char *challenge, char **blob);

/** Outcome of one check. */
enum mcred_check {
	MCRED_CHECK_NOT_CHECKED = 0, /**< not performed (no key, nothing expected) */
	MCRED_CHECK_VALID,           /**< performed and passed */
	MCRED_CHECK_INVALID          /**< performed and failed */
};

/** "not-checked", "valid", "invalid" ("unknown" for no such value). Since 0.2.0. */
MCRED_API const char *mcred_check_name(enum mcred_check check);

enum mcred_report_kind { MCRED_REPORT_CSR = 0, MCRED_REPORT_PUBKEY, MCRED_REPORT_ATTESTATION };

/** Initialise with mcred_verify_options_init(); size as for struct mcred_options. */
struct mcred_verify_options {
	size_t size;          /**< sizeof(struct mcred_verify_options), by _init */
	int64_t expected_tag; /**< -1: do not check the sec_tag */
	/**
	 * 0: derive it from the blob's body (a CSR or a public key); what was
	 * asked for is mcred_keygen_kind_payload_id() of its kind.
	 */
	int expected_payload_id;
	const char *identity_key_pem;    /**< device identity public key as PEM, or NULL */
	const uint8_t *identity_key_raw; /**< or a raw 65-byte uncompressed P-256 point */
	size_t identity_key_raw_len;
	/**
	 * An attestation token's nonce must be these 16 bytes: the challenge
	 * given to %ATTESTTOKEN (a token without it may be a replayed one).
	 * NULL: not checked.
	 */
	const uint8_t *expected_nonce;
	/**
	 * 1: a CSR's subject must be the one %KEYGEN makes of
	 * expected_attributes, the attributes it was asked for (those of
	 * struct mcred_keygen_request): every attribute, one RDN each, in the
	 * order given, with its value byte for byte (UTF-8), and no other; with
	 * expected_attributes NULL, the modem's default CN=<device UUID>, the
	 * UUID of the answer's payload (hex in either case). Attributes that
	 * mcred_keygen_check() refuses are MCRED_ERR_INVALID_ARG. 0: not checked.
	 */
	int check_subject;
	const char *expected_attributes; /**< as asked of %KEYGEN ("CN=x,O=y"), or NULL */
};

/**
 * What mcred_verify_options_init(opts) calls: zeroes, expected_tag -1 and
 * the size. Since 0.2.0.
 */
MCRED_API void mcred_verify_options_init_size(struct mcred_verify_options *opts, size_t size);
/**
 * The defaults (nothing expected, no key) and the size. A macro, so that
 * size is the program's own sizeof.
 */
#define mcred_verify_options_init(opts) mcred_verify_options_init_size((opts), sizeof(*(opts)))

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
 * Since 0.2.0.
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
 * Since 0.2.0.
 */
MCRED_API enum mcred_err mcred_keygen_verify(const char *blob, size_t len,
					     const struct mcred_verify_options *opts,
					     mcred_report **out, struct mcred_error *err);

/** The same for an ATTESTTOKEN blob. Since 0.2.0. */
MCRED_API enum mcred_err mcred_attest_verify(const char *blob, size_t len,
					     const struct mcred_verify_options *opts,
					     mcred_report **out, struct mcred_error *err);

/** Which answer mcred_answer_find() found. */
enum mcred_answer_kind {
	MCRED_ANSWER_NONE = 0, /**< no answer line: maybe a bare blob */
	MCRED_ANSWER_KEYGEN,   /**< "%KEYGEN: ..." */
	MCRED_ANSWER_ATTEST    /**< "%ATTESTTOKEN: ..." */
};

/**
 * Find the modem's answer in captured text (a terminal log, a saved reply;
 * it may hold NUL bytes): the first "%ATTESTTOKEN:" or "%KEYGEN:" line (never
 * the echoed "AT%KEYGEN=..." command). *offset (optional) receives
 * where it starts, 0 when none is found; give the text from there to
 * mcred_attest_verify() or mcred_keygen_verify(), which read the line, its
 * quotes and line breaks and ignore what follows. Since 0.2.0.
 */
MCRED_API enum mcred_answer_kind mcred_answer_find(const char *text, size_t len, size_t *offset);

/** Since 0.2.0. */
MCRED_API void mcred_report_free(mcred_report *report);

/** Since 0.2.0. */
MCRED_API enum mcred_report_kind mcred_report_kind(const mcred_report *r);
/** "csr", "pubkey", "attestation". Since 0.2.0. */
MCRED_API const char *mcred_report_kind_name(const mcred_report *r);
/** 1 when every performed check passed (checks not performed do not count). Since 0.2.0. */
MCRED_API int mcred_report_ok(const mcred_report *r);

/** Device UUID as 8-4-4-4-12 lower-case hex. Since 0.2.0. */
MCRED_API const char *mcred_report_device_uuid(const mcred_report *r);
/** 1 and *tag set when the payload carries a sec_tag. Since 0.2.0. */
MCRED_API int mcred_report_sec_tag(const mcred_report *r, uint32_t *tag);
/** COSE payload id (KEYGEN) or message type (ATTESTTOKEN). Since 0.2.0. */
MCRED_API int mcred_report_payload_id(const mcred_report *r);
/**
 * Its name: "CSR message v1", "device identity message v1", ..., or
 * "unknown payload"/"unknown message type".
 * Since 0.2.0.
 */
MCRED_API const char *mcred_report_payload_name(const mcred_report *r);

/** Since 0.2.0. */
MCRED_API enum mcred_check mcred_report_payload_id_check(const mcred_report *r);
MCRED_API enum mcred_check mcred_report_sec_tag_check(const mcred_report *r);
MCRED_API enum mcred_check mcred_report_digest_check(const mcred_report *r);
/** The CSR's self-signature. Since 0.2.0. */
MCRED_API enum mcred_check mcred_report_csr_signature_check(const mcred_report *r);
/**
 * The COSE signature, with the device identity key of the options (not
 * checked without one). Since 0.2.0.
 */
MCRED_API enum mcred_check mcred_report_cose_signature_check(const mcred_report *r);
/**
 * An attestation token's nonce against the options' expected_nonce (not
 * checked without one). Since 0.2.0.
 */
MCRED_API enum mcred_check mcred_report_nonce_check(const mcred_report *r);
/**
 * A CSR's subject against the one asked for (check_subject of the options;
 * not checked without it, nor for a body that is no CSR). Since 0.2.0.
 */
MCRED_API enum mcred_check mcred_report_subject_check(const mcred_report *r);

/** CSR subject as "O=...,L=...,C=..." or NULL. Since 0.2.0. */
MCRED_API const char *mcred_report_subject(const mcred_report *r);
/** CSR key usage as 9 characters of 0/1, or NULL. Since 0.2.0. */
MCRED_API const char *mcred_report_key_usage(const mcred_report *r);
/** Public key (from the CSR or the public-key body) as PEM, or NULL. Since 0.2.0. */
MCRED_API const char *mcred_report_public_key_pem(const mcred_report *r);
/** CSR as PEM ("-----BEGIN CERTIFICATE REQUEST-----"), or NULL. Since 0.2.0. */
MCRED_API const char *mcred_report_csr_pem(const mcred_report *r);
/**
 * Body (CSR DER, SubjectPublicKeyInfo DER, or attestation message) exactly as received.
 * Since 0.2.0.
 */
MCRED_API const uint8_t *mcred_report_body(const mcred_report *r, size_t *len);
/** Attestation only: device type and its name ("nRF9160 SICA"), firmware UUID. Since 0.2.0. */
MCRED_API int mcred_report_device_type(const mcred_report *r);
MCRED_API const char *mcred_report_device_type_name(const mcred_report *r);
MCRED_API const char *mcred_report_fw_uuid(const mcred_report *r);
/** COSE kid as a small negative integer (-2 device identity key), 0 if absent. Since 0.2.0. */
MCRED_API int mcred_report_kid(const mcred_report *r);
/** Human-readable message of the first failed check, or NULL. Since 0.2.0. */
MCRED_API const char *mcred_report_problem(const mcred_report *r);

/* ------------------------------------------------------------------------ */
/* Provisioning one modem (since 0.2.0)                                     */
/* ------------------------------------------------------------------------ */

/**
 * A factory CA: a CA certificate and its private key, loaded and checked.
 * A loaded CA is read-only and may sign from several threads at once (with
 * a key in a PKCS#11 token, one signature at a time: see mcred_ca_open()).
 */
typedef struct mcred_ca mcred_ca;

/**
 * Where the CA's private key is and how to unlock it, for mcred_ca_open().
 * Initialise with mcred_ca_key_init(). Give pem or uri.
 */
struct mcred_ca_key {
	size_t size; /**< sizeof(struct mcred_ca_key), by _init */
	/**
	 * The key as PEM text: unencrypted, or encrypted (PKCS#8 "ENCRYPTED
	 * PRIVATE KEY", or a traditional key with a Proc-Type: 4,ENCRYPTED
	 * header) with its passphrase from password_cb.
	 */
	const char *pem;
	size_t pem_len;
	/**
	 * Or an RFC 7512 PKCS#11 URI naming the key in a token, e.g.
	 * "pkcs11:token=factory;object=line-ca": every signature is made by the
	 * token, the key never enters this process. The PIN comes from
	 * password_cb; a URI holding pin-value is refused (a URI is no place for
	 * a secret: it is seen on command lines and in logs).
	 */
	const char *uri;
	/**
	 * The PKCS#11 module (a .so) that reaches the token; NULL: p11-kit's
	 * proxy, which loads every module registered with p11-kit (SoftHSM2,
	 * OpenSC, most HSM vendors').
	 */
	const char *pkcs11_module;
	/**
	 * Asked at most once, and only when the key needs it: the token's PIN
	 * (is_pin 1) or the PEM passphrase (is_pin 0). Write at most size bytes
	 * to buf and return how many, or -1 when there is none (the open fails
	 * with MCRED_ERR_INVALID_ARG saying a PIN or passphrase is needed). The
	 * library wipes buf after use. NULL: no secret can be had.
	 */
	int (*password_cb)(char *buf, size_t size, int is_pin, void *user);
	void *user; /**< given to password_cb */
};

/** What mcred_ca_key_init(key) calls: zeroes and the size. Since 0.2.0. */
MCRED_API void mcred_ca_key_init_size(struct mcred_ca_key *key, size_t size);
/** Zero *key and set its size. A macro, as mcred_options_init(). */
#define mcred_ca_key_init(key) mcred_ca_key_init_size((key), sizeof(*(key)))

/**
 * Open a CA: its certificate (PEM) and its key (struct mcred_ca_key: PEM,
 * encrypted PEM, or a key in a PKCS#11 token through OpenSSL's pkcs11
 * engine). Checks, before any modem is touched: the certificate parses;
 * the key parses, is unlocked (a wrong or missing PIN or passphrase is
 * named as such) and is the certificate's key (for a token key: the token
 * signs a random challenge that the certificate's public key verifies);
 * the certificate is valid now (not expired, not before notBefore) and is
 * a CA (basicConstraints CA:TRUE). Any failure is MCRED_ERR_INVALID_ARG
 * with the reason. Since 0.2.0.
 */
MCRED_API enum mcred_err mcred_ca_open(mcred_ca **out, const char *cert_pem, size_t cert_len,
				       const struct mcred_ca_key *key, struct mcred_error *err);

/**
 * mcred_ca_open() with an unencrypted PEM key, or (key_pem beginning with
 * "pkcs11:") a token key that needs no PIN, through p11-kit's proxy.
 * Since 0.2.0.
 */
MCRED_API enum mcred_err mcred_ca_load(mcred_ca **out, const char *cert_pem, size_t cert_len,
				       const char *key_pem, size_t key_len,
				       struct mcred_error *err);
MCRED_API void mcred_ca_free(mcred_ca *ca);

/**
 * Sign a CSR (PEM; its self-signature is checked first) as a device
 * certificate valid for days days from now, or until the CA's own
 * certificate expires if that comes first (no chain verifies past it): a
 * positive 128-bit random serial, the CSR's subject, basicConstraints
 * critical CA:FALSE, keyUsage critical digitalSignature, extendedKeyUsage
 * clientAuth, subject and authority key identifiers, SHA-256. *cert_pem is malloc'd PEM; serial gets
 * the serial as 32 upper-case hex digits. Since 0.2.0.
 */
MCRED_API enum mcred_err mcred_ca_sign(const mcred_ca *ca, const char *csr_pem, unsigned days,
				       char **cert_pem, char serial[33], struct mcred_error *err);

/**
 * Check a certificate (PEM) against a public key (PEM): MCRED_ERR_MISMATCH
 * when its key is another, MCRED_ERR_VERIFY when ca is not NULL and did not
 * issue it, MCRED_ERR_DECODE when either does not parse. serial (optional)
 * gets its serial number in upper-case hex ("" beyond 16 bytes). Since 0.2.0.
 */
MCRED_API enum mcred_err mcred_cert_check(const mcred_ca *ca, const char *cert_pem,
					  const char *public_key_pem, char serial[33],
					  struct mcred_error *err);

/**
 * Steps of mcred_provision(), in the order they run, but for two: OFFLINE
 * runs just before the first step that changes the modem (KEYGEN, or
 * WRITE_CA or WRITE_CERT when the key is reused), and not at all when
 * nothing changes (nor then RESTORE); and with a CA and a root CA the
 * certificate is signed while the modem stores the root CA, so SIGN starts
 * after WRITE_CA. Since 0.2.0.
 */
enum mcred_provision_step {
	MCRED_STEP_OFFLINE = 0, /**< take the modem offline (CFUN=4), list the tag again */
	MCRED_STEP_INFO,        /**< IMEI, model, firmware; firmware check */
	MCRED_STEP_INSPECT,     /**< what the tag holds */
	/**
	 * device id (and UUID from an attestation token when it is needed before
	 * %KEYGEN); load_cb
	 */
	MCRED_STEP_IDENTIFY,
	MCRED_STEP_KEYGEN,     /**< %KEYGEN, list the key's digest, verify, save */
	MCRED_STEP_SIGN,       /**< certificate: sign, or take an issued one */
	MCRED_STEP_WRITE_CA,   /**< write the root CA certificate(s), type 0 */
	MCRED_STEP_WRITE_CERT, /**< write the device certificate, type 1 */
	MCRED_STEP_ATTEST,     /**< attestation token (when asked for) */
	MCRED_STEP_RESTORE,    /**< restore the functional mode */
	MCRED_STEP_DONE
};

/** "offline", "info", "inspect", "identify", "keygen", "sign", "write-ca", ... Since 0.2.0. */
MCRED_API const char *mcred_provision_step_name(enum mcred_provision_step step);

/** How the device id (the CSR's CN) is made. */
enum mcred_device_id_kind {
	MCRED_ID_UUID = 0, /**< the device UUID of the %KEYGEN/%ATTESTTOKEN payloads */
	MCRED_ID_IMEI,     /**< the IMEI */
	MCRED_ID_NRF_IMEI  /**< "nrf-" and the IMEI, as nRF Cloud names devices */
};

/** Longest device id (nRF Cloud's limit). */
#define MCRED_DEVICE_ID_MAX 64

/**
 * What earlier runs saved for one device: given to load_cb to fill, and to
 * save_cb when there is something new. Strings are PEM or hex; NULL or ""
 * when unknown. The library allocates it (zeroed) and fields are only ever
 * added at the end, so a callback built against an older header reads and
 * fills the fields it knows.
 */
struct mcred_provision_artifacts {
	const char *device_id;
	/** digest the modem listed for the key right after %KEYGEN: it identifies that key later */
	const char *key_sha256;
	const char *csr_pem;
	const char *public_key_pem;
	/** device certificate (from an earlier run or an external CA) */
	const char *cert_pem;
};

/** Outcome of provisioning one modem. */
enum mcred_provision_status {
	MCRED_PROVISION_FAILED = 0,
	/**
	 * something was generated or written, or a provisioning a crash cut
	 * short (recall_cb: %KEYGEN or a write under way) was found complete
	 */
	MCRED_PROVISION_PROVISIONED,
	MCRED_PROVISION_UNCHANGED, /**< already provisioned as asked; nothing written */
	/** no CA and no issued certificate: stopped after saving the CSR */
	MCRED_PROVISION_CSR_SAVED,
	/** a certificate about to expire replaced for the same key (renew_within_days) */
	MCRED_PROVISION_RENEWED
};

/**
 * "failed", "provisioned", "unchanged", "csr-saved", "renewed" ("unknown"
 * for no such value). Since 0.2.0.
 */
MCRED_API const char *mcred_provision_status_name(enum mcred_provision_status status);

/**
 * What a run is about to do to one modem, for a journal that outlives a
 * crash of the host (request's intent_cb and recall_cb): before each step
 * that changes the modem the run hands this to intent_cb, which must store
 * it durably (e.g. write and fsync a file) before returning 0. A later run
 * on the same modem (by IMEI) gets it back from recall_cb: the mode to
 * restore is the one found before the crash, and a key this run was
 * generating when it died is its own and may be replaced without force.
 * Strings are "" when unknown. Fields are only added at the end.
 */
struct mcred_provision_intent {
	size_t size; /**< sizeof(struct mcred_provision_intent), set by the library */
	/**
	 * The step about to run: MCRED_STEP_OFFLINE, MCRED_STEP_KEYGEN,
	 * MCRED_STEP_WRITE_CA, MCRED_STEP_WRITE_CERT (a write's intent carries
	 * key_sha256 once the new key is listed); MCRED_STEP_DONE: the run
	 * ended with the mode restored, the journal may go.
	 */
	enum mcred_provision_step step;
	int mode_found;      /**< functional mode to restore at the end, -1 for none */
	char imei[32];       /**< the modem's IMEI (15 digits by definition) */
	int keygen;          /**< %KEYGEN was about to be sent to the tag */
	int replace_key;     /**< the run was allowed to replace the tag's key */
	char key_before[65]; /**< listed digest of the tag's key before %KEYGEN, "" none */
	char key_sha256[65]; /**< listed digest of the new key, once listed */
	/**
	 * listed digest of the tag's client certificate before %KEYGEN, "" none:
	 * a certificate written since is another run's, and so is the key
	 */
	char cert_before[65];
};

/**
 * Seconds the steps of one mcred_provision() took, -1 for a step that did
 * not run. Steps overlap where the host works while the modem does: the
 * signature is made while the root CA is stored. Frozen: later timings come
 * as new fields of the result, never here.
 */
struct mcred_provision_timings {
	/** the mode read, the intent recorded, AT+CFUN=4, the tag listed again; -1: stayed online */
	double offline;
	double facts;      /**< IMEI, model, firmware, the tag's listing, the device UUID */
	double keygen;     /**< %KEYGEN */
	double key_listed; /**< the listing of the new key's digest */
	double signing;    /**< the certificate made and signed by the CA, token_wait included */
	double token_wait; /**< waiting for the CA's token while other modems' were signed */
	double write_ca;   /**< the root CA's write (%CMNG=0, type 0) */
	double write_cert; /**< the certificate's write (type 1) */
	double verify;     /**< the listings that verify what was written, by digest */
	double restore;    /**< restoring the functional mode; -1: never taken offline */
};

/** Initialise with mcred_provision_request_init(); size as for struct mcred_options. */
struct mcred_provision_request {
	size_t size;  /**< sizeof(struct mcred_provision_request), by _init */
	uint32_t tag; /**< 1..2147483647 */
	enum mcred_device_id_kind id_kind;
	const char *id_prefix;     /**< put before the id, or NULL */
	const char *subject_extra; /**< appended to "CN=<id>", e.g. "O=Acme,OU=Line 2" */
	/** device identity public key: checks the COSE signatures; NULL: not checked */
	const char *identity_key_pem;
	/** NULL: stop after the CSR unless load_cb gives a certificate for the on-device key */
	const mcred_ca *ca;
	unsigned days;           /**< certificate validity, 0: 3650 */
	const char *root_ca_pem; /**< type 0 content, or NULL to leave type 0 alone */
	int attest;              /**< collect an attestation token */
	int force;               /**< replace a key this device's artifacts do not know */

	/** Each step as it starts; may be NULL. */
	void (*progress_cb)(enum mcred_provision_step step, void *user);
	/**
	 * Polled between steps: non-zero ends the run after the step in flight
	 * (MCRED_ERR_CANCELLED; the mode is restored and what that step made was
	 * already passed to save_cb). To stop a command in flight use the
	 * handle's cancel_cb (MCRED_CANCEL_NOW) instead; restoring the mode
	 * then gets a few seconds only, and a failed restore is added to the
	 * error message.
	 */
	int (*stop_cb)(void *user);
	/**
	 * Fill a with what earlier runs saved for the device id (pointers owned
	 * by the caller, valid until mcred_provision() returns). Non-zero
	 * return: an error (the run fails). May be NULL.
	 */
	int (*load_cb)(const char *device_id, struct mcred_provision_artifacts *a, void *user);
	/**
	 * Keep new artifacts: after %KEYGEN (key digest, CSR, public key) and
	 * after the certificate is issued (all of them). Non-zero return: the
	 * run fails. May be NULL. Called on the calling thread, possibly while
	 * the modem stores the root CA: it must not use the handle.
	 */
	int (*save_cb)(const struct mcred_provision_artifacts *a, void *user);
	void *user; /**< passed to every callback */
	/**
	 * Renew: a certificate found for the on-device key (load_cb) that
	 * expires within this many days is replaced by one from ca for the same
	 * key, signed from the saved CSR once the key in the tag is checked to
	 * be the CSR's (its listed digest is the one saved with the CSR);
	 * status MCRED_PROVISION_RENEWED. 0: never. Needs ca. Since 0.2.0.
	 */
	unsigned renew_within_days;
	/**
	 * Record intent durably before the step it names (see struct
	 * mcred_provision_intent; valid during the call). Non-zero return: the
	 * step is not taken and the run fails (MCRED_ERR_IO; the mode is
	 * restored). May be NULL: no journal. Since 0.2.0.
	 */
	int (*intent_cb)(const struct mcred_provision_intent *intent, void *user);
	/**
	 * Fill *intent (zeroed, its size set) with the last intent recorded for
	 * the modem with this IMEI by a run that did not reach
	 * MCRED_STEP_DONE: return 1; 0 when there is none; -1 on an error (the
	 * run fails before the modem is changed). May be NULL. Since 0.2.0.
	 */
	int (*recall_cb)(const char *imei, struct mcred_provision_intent *intent, void *user);
};

/**
 * What mcred_provision_request_init(req) calls: zeroes (certificates valid
 * 3650 days) and the size. Since 0.2.0.
 */
MCRED_API void mcred_provision_request_init_size(struct mcred_provision_request *req, size_t size);
/** Fill *req with the defaults and set its size. A macro, as mcred_options_init(). */
#define mcred_provision_request_init(req) mcred_provision_request_init_size((req), sizeof(*(req)))

/**
 * Everything learned about one modem; strings "" when unknown. The caller
 * allocates it and initialises it with mcred_provision_result_init() (which
 * sets size: the library fills only the fields that fit in it), and frees
 * what it holds with mcred_provision_result_clear(), also before reusing it.
 * Text that can have any length is a const char * the result owns (never
 * NULL once mcred_provision() returned); arrays hold only values whose
 * length is fixed by definition, which never need to grow.
 */
struct mcred_provision_result {
	size_t size; /**< sizeof(struct mcred_provision_result), by _init */
	enum mcred_provision_status status;
	enum mcred_provision_step step; /**< the step that failed (or DONE) */
	struct mcred_error error;       /**< code MCRED_OK unless failed (frozen struct) */
	/** at most MCRED_DEVICE_ID_MAX characters by definition (nRF Cloud's limit) */
	char device_id[MCRED_DEVICE_ID_MAX + 1];
	char imei[32];           /**< an IMEI is 15 digits by definition */
	const char *model;       /**< AT+CGMM; owned by the result */
	const char *firmware;    /**< AT+CGMR; owned by the result */
	char device_uuid[37];    /**< 8-4-4-4-12 hex digits by definition */
	const char *cert_serial; /**< hex, "" when no certificate; owned by the result */
	/** SHA-256 of the certificate as stored: 64 hex digits by definition */
	char cert_sha256[65];
	/**
	 * The tag's types 0, 1, 2 at the end: three by definition (the CA,
	 * the certificate and the key this call manages); a credential is a
	 * tag, a type and a SHA-256.
	 */
	struct mcred_credential credentials[3];
	size_t n_credentials;
	char *attest_token; /**< malloc'd blob when asked for, else NULL */
	/** how long each step took */
	struct mcred_provision_timings timings;
	/** seconds of %ATTESTTOKEN and its checks (req->attest); -1 when it did not run */
	double attest_seconds;
};

/** What mcred_provision_result_init(res) calls: zeroes and the size. Since 0.2.0. */
MCRED_API void mcred_provision_result_init_size(struct mcred_provision_result *result, size_t size);
/** Zero *res and set its size; do this once before mcred_provision(). */
#define mcred_provision_result_init(res) mcred_provision_result_init_size((res), sizeof(*(res)))

/**
 * Provision one open modem: read IMEI, model, firmware (%KEYGEN needs
 * firmware 1.3.0 or later: MCRED_ERR_UNSUPPORTED below); list the tag and
 * make the device id; generate a key in req->tag with a CSR for
 * "CN=<id>[,<subject_extra>]" and verify it (CSR self-signature, digest,
 * sec_tag, payload id, device UUID, the COSE signature with an identity
 * key), or reuse the key an earlier run made for this device (same listed
 * digest); a key unknown to the artifacts is MCRED_ERR_MISMATCH unless
 * req->force; sign with req->ca; write root_ca_pem (type 0) and the
 * certificate (type 1), each verified by digest, after checking the
 * certificate's key is the on-device key; attest if asked. What already
 * matches is not written again (MCRED_PROVISION_UNCHANGED when nothing
 * was). Reading needs no offline modem: the modem is taken offline just
 * before the first %KEYGEN or write, the tag listed again there
 * (MCRED_ERR_MISMATCH, nothing written, when it changed since the listing
 * that decided), and never when nothing changes. The functional mode found
 * is restored, also on failure. Returns
 * result->error.code (MCRED_ERR_INVALID_ARG, nothing sent, when result
 * was not initialised by mcred_provision_result_init()). Free what result
 * holds with mcred_provision_result_clear(). Since 0.2.0.
 */
MCRED_API enum mcred_err mcred_provision(mcred_modem *modem,
					 const struct mcred_provision_request *req,
					 struct mcred_provision_result *result);
/**
 * Free what result holds (attest_token, the strings) and set those fields
 * to NULL; result keeps its size and can be given to mcred_provision()
 * again. Since 0.2.0.
 */
MCRED_API void mcred_provision_result_clear(struct mcred_provision_result *result);

/**
 * Check a request without a modem (tag, id prefix characters and length,
 * subject extra, days). MCRED_ERR_INVALID_ARG with the reason. Since 0.2.0.
 */
MCRED_API enum mcred_err mcred_provision_check(const struct mcred_provision_request *req,
					       struct mcred_error *err);

#ifdef __cplusplus
}
#endif

#endif /* MODEMCRED_H */
