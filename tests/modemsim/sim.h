/*
 * modemsim: a simulated nRF91 modem served on a pseudo-terminal, running one
 * of the applications people really put in front of the modem (--app):
 *
 *   at_client    the at_client sample: the raw AT host of sdk-nrf lib/at_host
 *   modem_shell  sdk-nrf samples/cellular/modem_shell: a Zephyr shell
 *                ("mosh:~$ ") with its own `at` command and link event lines
 *   shell        a Zephyr shell ("uart:~$ ") with sdk-nrf lib/at_shell and
 *                the Zephyr log backend on the same UART (as in the
 *                nrf_cloud_multi_service sample)
 *   slm          sdk-nrf applications/serial_lte_modem: its own AT host
 *
 * This header is the one place where the parts meet:
 *
 *   main.c     options and lifecycle (signals, startup, shutdown, stats)
 *   app.c      the applications: names, defaults, boot output
 *   pty.c      the pseudo-terminal, the symlink clients open, stale bytes
 *   io.c       the wire: reading, pacing to a baud rate, fragmented output,
 *              periodic URCs (--urc-every), interruptible sleeps
 *   athost.c   at_client's AT host (sdk-nrf lib/at_host): bytes to commands
 *              in its one buffer of --max-cmd bytes, answers cut to it
 *   slm.c      the Serial LTE Modem's AT host (slm_at_host.c) and its #X
 *              commands
 *   shell.c    the Zephyr shell as a terminal: line editing, echo, prompt,
 *              erase and redraw of the typed line for asynchronous prints
 *   shell_at.c the `at` commands of lib/at_shell and of modem_shell
 *   line.c     resetting the line being received
 *   at.c       one command: resets, log, dispatch, raw AT framing
 *   params.c   splitting "=a,b,"c"" parameter lists
 *   device.c   AT, ATE, +CMEE, +CFUN, +CGSN, +CGMR, +CGMM, %XMODEMUUID; what
 *              the firmware string and model imply; the device reset
 *   net.c      the network side: registration, RRC, PDN, signal, and the
 *              URC subscriptions (+CEREG, +CSCON, %CESQ, %XMODEMSLEEP,
 *              %MDMEV, +CGEREP)
 *   async.c    asynchronous output (--async-ms): the emulated clock, the
 *              seeded schedule, and each application's rendering of it
 *              (URCs, modem_shell event lines, Zephyr log lines)
 *   cmng.c     %CMNG (write, list, read, delete)
 *   store.c    the credential store in memory, with SHA-256 digests
 *   persist.c  the store file that plays the role of NVM
 *   keycmd.c   %KEYGEN and %ATTESTTOKEN (crypto lives in keygen.c)
 *
 * Strict by default, as the real device is: no echo, CR terminator (a CRLF
 * sender still works: the LF starts the next command and the modem skips
 * it), answers "<info>\r\nOK\r\n" without a leading CRLF, one 4096-byte
 * buffer for a command and its answer (longer answers go out cut, without a
 * final result; bytes beyond it are dropped, a dropped closing quote leaves
 * the host deaf, also for the next client), modem-owned tags as real modems
 * list them, content checks of mfw 2.x, test firmware (mfw-pti) that
 * refuses +CGSN. Resets at points a test chooses (SIGUSR1,
 * --reset-after-cmd) bring the boot output (--banner) and CFUN 0, CMEE 0.
 *
 * The simulator is deliberately independent of libmodemcred: nothing here
 * includes or links lib/ code, so the library and the simulator cannot share
 * a mistake.
 */
#ifndef MODEMSIM_SIM_H
#define MODEMSIM_SIM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

/* ---- growable byte buffer ------------------------------------------------ */

struct buf {
	char *data;
	size_t len;
	size_t cap;
};

void buf_add(struct buf *b, const void *data, size_t len);
void buf_adds(struct buf *b, const char *s);
void buf_addf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_clear(struct buf *b);
void buf_free(struct buf *b);

/* ---- configuration (command-line options) -------------------------------- */

enum terminator { TERM_CRLF, TERM_CR, TERM_LF, TERM_NUL };

enum app { APP_AT_CLIENT, APP_MODEM_SHELL, APP_SHELL, APP_SLM };

struct sim_options {
	const char *link;
	const char *store_file;
	const char *stats_file;
	const char *log_file;
	const char *identity_key_out;
	const char *fw;
	const char *model;
	const char *imei;
	const char *uuid_text;
	const char *fw_uuid_text;
	const char *reset_after_cmd;  /* reset on the first command holding this text */
	const char *silent_after_cmd; /* mute from the first command holding this text */
	const char *hold_file;        /* --hold-file: a test's gate on one answer */
	enum app app;
	enum terminator terminator;
	int terminator_given;
	size_t max_cmd;
	long baud;
	long urc_every_ms;
	long async_ms; /* --async-ms: mean interval of asynchronous output, 0 = off */
	long latency_ms;
	long keygen_fail;
	const char *keygen_subject; /* --keygen-subject: a faulty modem's CSR subject */
	long keygen_ms;
	size_t capacity;
	unsigned seed;
	int cfun;
	int cmee;
	int echo;
	int fragment;
	int lte_lc;       /* --lte-lc: the application subscribed like lte_lc */
	int uart_log;     /* --uart-log: Zephyr UART log backend on the AT UART */
	struct buf stale; /* --stale: bytes waiting in the line at open */
	int shell;        /* the application is a Zephyr shell (set from app) */
	/* Zephyr shell (shell.c); 0 / NULL: the application's default */
	int shell_plain_prompt;    /* no VT100 colours (CONFIG_SHELL_VT100_COLORS=n) */
	int shell_no_unescape_lf;  /* at_shell without CONFIG_AT_SHELL_UNESCAPE_LF */
	int shell_no_olf;          /* "\n" printed as is (SHELL_FLAG_CRLF_DEFAULT) */
	int shell_wildcard;        /* CONFIG_SHELL_WILDCARD=y: ? and * are patterns */
	int mosh_timestamps;       /* modem_shell: `print timestamps enable` */
	const char *shell_prompt;  /* prompt name: "<name>:~$ " */
	size_t shell_cmd_buff;     /* CONFIG_SHELL_CMD_BUFF_SIZE */
	size_t shell_response_max; /* answer buffer of the `at` command */
	long shell_at_fail;        /* > 0: every at command fails with -N */
	int no_sha;
	int spaces;
	int modern_csr;
	int banner;
};

/* ---- credential store ---------------------------------------------------- */

struct cred {
	uint32_t tag;
	int type;
	char *content; /* exactly as received, may contain CR/LF, NUL-terminated */
	size_t len;
	int modem_owned; /* tags above 2147483647: listed, never written */
};

/*
 * In storage order, as the modem lists them: user entries in the order they
 * were first stored (a replaced entry keeps its place), then the modem's own.
 */
struct store {
	struct cred *items;
	size_t count;
	size_t cap;
};

struct cred *store_find(struct store *s, uint32_t tag, int type);
/* Insert or replace; takes a copy of content. */
void store_put(struct store *s, uint32_t tag, int type, const char *content, size_t len,
	       int modem_owned);
int store_remove(struct store *s, uint32_t tag, int type);
size_t store_user_count(const struct store *s);
void store_add_modem_owned(struct store *s);
void store_free(struct store *s);
/* 64 upper-case hex digits of SHA-256(data) plus NUL into out. */
void sha256_hex(const char *data, size_t len, char out[65]);

/* ---- line assembly ------------------------------------------------------- */

enum line_event {
	LINE_NONE,    /* byte consumed, no command yet */
	LINE_COMMAND, /* a command is complete in line.cmd */
};

struct line {
	struct buf cmd;  /* command text so far (terminator excluded) */
	struct buf raw;  /* bytes as received, for echo */
	size_t overflow; /* shell: characters dropped beyond its line buffer */
	size_t dropped;  /* AT hosts: bytes dropped because the buffer was full */
	int in_quotes;
	int cancelled;               /* shell: the line ended with Ctrl-C */
	unsigned char prev;          /* slm: the last byte stored (prev_character) */
	unsigned char shell_last_nl; /* shell mode: the CR or LF that ended the last line */
};

/* A complete command waiting to be processed. Reception never stops while
 * the modem is busy (like a UART with a large receive buffer), so bytes a
 * client wrote just before closing are not lost to the next client's flush. */
struct command {
	struct buf cmd;          /* text, terminator excluded */
	struct buf raw;          /* bytes as received, for echo */
	size_t overflow;         /* shell: characters dropped beyond its buffer */
	size_t dropped;          /* AT hosts: bytes that did not fit its buffer */
	int cancelled;           /* shell: Ctrl-C, not Enter */
	struct timespec arrival; /* when its last byte was on the emulated line */
	unsigned session;        /* sessions_ended at reception: whom to answer */
};

struct command_queue {
	struct command *items;
	size_t head, count, cap;
	size_t bytes; /* raw bytes queued, to stop reading at a limit */
};

struct sim;   /* forward */
struct reply; /* forward */
void line_reset(struct line *l);

/* ---- app.c ----------------------------------------------------------------- */

/* "at_client" etc. to an app; -1 for an unknown name. */
int app_parse(const char *name, enum app *out);
const char *app_name(enum app app);
/* Fill what the options left to the application (prompt, buffers,
 * terminator, boot output). 0, or -1 with a message for a combination the
 * application cannot have. */
int app_apply_defaults(struct sim_options *o);
/* One received byte through the application's line handling. */
enum line_event app_feed(struct sim *sim, unsigned char c);
/* What the application prints when it starts (--banner; slm always). */
void app_boot_output(struct sim *sim, struct buf *out);
/* The application forwards the modem's URCs raw (at_client, slm). */
int app_forwards_urcs(const struct sim *sim);

/* ---- athost.c -------------------------------------------------------------- */

/* One received byte through the AT host's receive handler (at_client). */
enum line_event athost_feed(struct sim *sim, unsigned char c);
/* What the modem gets of a command the host passed on: up to the first NUL
 * (the host formats it with "%s"), leading blanks and line breaks (the LF of
 * a CRLF sender in CR mode) and trailing ones skipped. In place. */
void athost_modem_text(struct buf *cmd);
/* The answer as the host writes it out: cut to what its buffer holds, NUL
 * excluded, when longer. Returns the length to send. */
size_t athost_answer_length(const struct sim *sim, size_t len);

/* ---- slm.c ----------------------------------------------------------------- */

enum line_event slm_feed(struct sim *sim, unsigned char c);
void slm_handle_command(struct sim *sim, struct command *c);

/* ---- net.c: the modem's network side and its URCs ---------------------------- */

struct net {
	int lte;     /* 0 not registered, 1 searching, 2 registered */
	int rrc;     /* RRC connected */
	int pdn;     /* the default PDN is active */
	int cell;    /* index of the serving cell */
	int reg_due; /* a registration is on its way (async.c completes it) */
	int cereg_n; /* +CEREG=<n> */
	int cscon_n; /* +CSCON=<n> */
	int cesq;    /* %CESQ=1 */
	int xmodemsleep;
	int mdmev;  /* %MDMEV=1 */
	int cgerep; /* +CGEREP=1 */
};

/* Subscriptions after boot: what the application subscribes (lte_lc). */
void net_boot(struct sim *sim);
int net_command(struct sim *sim, struct reply *r, const char *name, const char *rest,
		size_t rest_len);
/* The functional mode changed by AT+CFUN: the modem detaches or searches. */
void net_cfun_changed(struct sim *sim, int old_mode, int new_mode);
/* A registration on its way completes. */
void net_register(struct sim *sim);
/* One spontaneous change of an online modem (RRC, signal, cell, sleep). */
void net_step(struct sim *sim);
/* LTE is on (CFUN 1 or 21). */
int net_lte_on(const struct sim *sim);

/* ---- async.c: asynchronous output -------------------------------------------- */

enum async_kind { ASYNC_NOTIFICATION, ASYNC_LOG, ASYNC_REGISTER };

struct async_item {
	double due; /* emulated ms */
	enum async_kind kind;
	int level; /* ASYNC_LOG: 1 err, 2 wrn, 3 inf */
	char *text;
};

struct async {
	unsigned rng;             /* seeded by --seed, for --async-ms only */
	double now;               /* emulated ms: line time and processing time */
	double next_tick;         /* next spontaneous output (--async-ms) */
	double boot;              /* emulated ms at the last (re)boot, for log timestamps */
	struct async_item *items; /* pending, in the order they are due */
	size_t count, cap;
	int events_enabled; /* `at events_enable` in a shell */
	int cloud_step;     /* where the shell application's connection loop is */
	/* what modem_shell printed last (lte_lc reports changes only) */
	int mosh_stat, mosh_act, mosh_cell;
};

/* Where output is being composed when something asynchronous may come. */
enum async_ctx {
	CTX_RAW,       /* a raw AT host's line, at a line boundary */
	CTX_SHELL_CMD, /* a shell running a command: prints go out as they are */
	CTX_SHELL_IDLE /* a shell at its prompt or while a line is typed */
};

void async_init(struct sim *sim);
void async_free(struct sim *sim);
/* The device restarts: nothing pending survives, log time starts again. */
void async_reboot(struct sim *sim);
/* Emulated time passes: bytes on the line, or processing. */
void async_advance(struct sim *sim, double ms);
void async_advance_bytes(struct sim *sim, size_t n);
/* The modem sends a notification (subscription already checked). */
void async_notify(struct sim *sim, const char *text);
/* The application logs (shell log backend, or --uart-log). */
void async_log(struct sim *sim, int level, const char *text);
/* Queue a registration completing a while from now. */
void async_schedule_register(struct sim *sim);
/* Everything due now, rendered for ctx, into out. typed: the line typed at
 * the shell so far (CTX_SHELL_IDLE), for its erase and redraw. Returns the
 * number of bytes added. */
size_t async_emit(struct sim *sim, struct buf *out, enum async_ctx ctx, const char *typed,
		  size_t typed_len);
/* --urc-every: one spontaneous change now, due at once. */
void async_urc_every_step(struct sim *sim);
/* Something can be emitted now. */
int async_pending(const struct sim *sim);

/* ---- the whole simulator -------------------------------------------------- */

struct simkg_identity;

struct sim {
	struct sim_options opt;
	uint8_t uuid[16];
	uint8_t fw_uuid[16];
	int device_type; /* attestation device type of --model */

	/* modem state */
	int cfun;
	int cmee;
	int echo;
	struct store store;
	struct simkg_identity *identity;
	struct net net;
	struct async async;
	int reset_armed;  /* --reset-after-cmd has not fired yet */
	int silent_armed; /* --silent-after-cmd has not fired yet */
	int silent;       /* --silent-after-cmd fired: the device answers nothing */
	int banner_owed;  /* the boot output waits for the first client */

	/* wire */
	int master_fd;
	int slave_fd; /* kept open so the master never sees a hangup */
	int watch_fd; /* inotify on the slave: clients opening and closing */
	/* the last wait found no client event pending, and nothing was written since */
	int events_checked;
	int clients; /* client fds open on the slave; -1 = unknown (no inotify) */
	/*
	 * counts "last client closed": answers owed to a client that is gone are
	 * dropped, not sent to the next
	 */
	unsigned sessions_ended;
	unsigned answer_session; /* sessions_ended when the current command arrived */
	struct line line;
	struct command_queue queue;
	double byte_time;        /* seconds per byte on the emulated line, 0 = no pacing */
	struct timespec tx_free; /* when the emulated output line is idle again */
	struct timespec rx_free; /* when the last received byte has "arrived" */
	struct timespec last_rx; /* when bytes were last read */
	struct timespec next_urc;
	int line_open; /* the last byte sent did not end a line (a cut answer) */
	unsigned long long answers;
	unsigned rng;

	/* statistics */
	unsigned long long rx_bytes;
	unsigned long long tx_bytes;
	unsigned long long commands;
};

/* Set by the SIGTERM/SIGINT handler; every wait checks it. */
extern volatile int sim_stop;
/* Set by the SIGUSR1 handler: reset the device (device_reset) at once. */
extern volatile int sim_reset_requested;

/* ---- pty.c ---------------------------------------------------------------- */

int pty_open(struct sim *sim);
void pty_close(struct sim *sim);
/* Read pending open/close events of clients (non-blocking). Returns 1 when a
 * new session began (the first client opened), after discarding what was
 * left over from the previous one. */
int pty_client_events(struct sim *sim);

/* ---- io.c ----------------------------------------------------------------- */

void io_init(struct sim *sim);
void io_free(struct sim *sim);
/* Serve clients until sim_stop; returns 0, or -1 on a fatal error. */
int io_serve(struct sim *sim);
/* Send bytes as the modem's UART would (pacing, fragments, statistics).
 * Sends nothing once the client of the current command (answer_session) has
 * closed the port. */
void io_send(struct sim *sim, const char *data, size_t len);
/* Forget every received byte not yet answered: the half-received command
 * and the queued ones (a device reset). */
void io_drop_input(struct sim *sim);
void ts_now(struct timespec *t);
void ts_add(struct timespec *t, double seconds);
int ts_before(const struct timespec *a, const struct timespec *b);
/* Sleep until deadline, still receiving input; returns early (nonzero) when
 * sim_stop or sim_reset_requested is set. */
int sleep_until(struct sim *sim, const struct timespec *deadline);
int sleep_seconds(struct sim *sim, double seconds);

/* ---- at.c ----------------------------------------------------------------- */

/* Final result of one command: RES_OK, RES_ERROR, or a CME code (> 0). */
#define RES_OK 0
#define RES_ERROR (-1)

/* Process one received command: echo, log, dispatch, answer. */
void at_handle_command(struct sim *sim, struct command *c);
/* One line in the --log file (nothing without --log). */
void at_log(const struct sim *sim, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The modem's answer to cmd as nrf_modem_at_cmd() gives it: "<info>\r\nOK\r\n"
 * (logged, after the processing time). Returns its final result (RES_OK,
 * RES_ERROR, a CME code), or RES_NONE with nothing in answer when the device
 * reset or went silent instead of answering. */
int at_modem_answer(struct sim *sim, const char *cmd, size_t len, struct buf *answer);
/* Log a command as received (--log). */
void at_log_text(const struct sim *sim, const char *cmd, size_t len);

/* ---- shell.c: the Zephyr shell ---------------------------------------------- */

/* Line editing of the shell (Zephyr subsys/shell/shell.c state_collect). */
enum line_event shell_line_feed(struct sim *sim, unsigned char c);
/* Echo, execute, print the output and the prompt, with whatever
 * asynchronous output comes meanwhile. */
void shell_handle_command(struct sim *sim, struct command *c);
/* The prompt as printed (coloured unless --shell-plain-prompt). */
void shell_add_prompt(const struct sim *sim, struct buf *out);
/* Its visible width. */
size_t shell_prompt_width(const struct sim *sim);
/* Text printed through the shell: every "\n" goes out as "\r\n"
 * (SHELL_FLAG_OLF_CRLF of the UART shell backend; not with --shell-no-olf);
 * colour 0 for normal, else the VT100 colour number (1 red, 2 green, 3
 * yellow). */
void shell_print_text(const struct sim *sim, struct buf *out, int colour, const char *text,
		      size_t len);
/* modem_shell's timestamp before a mosh_print(), with --mosh-timestamps. */
void shell_mosh_timestamp(const struct sim *sim, struct buf *out);
/* Erase the prompt and the typed line (z_shell_cmd_line_erase) and, after
 * the caller printed, draw them again (z_shell_print_prompt_and_cmd). */
void shell_erase_line(const struct sim *sim, struct buf *out, size_t typed_len);
void shell_redraw_line(const struct sim *sim, struct buf *out, const char *typed, size_t typed_len);

/* ---- shell_at.c ------------------------------------------------------------ */

/* Run the `at` command with its arguments (argv[0] is "at"); what it prints
 * goes to out (already converted for the terminal). 0 when it never returns:
 * the device went silent or reset. */
int shell_at_command(struct sim *sim, int argc, struct buf *argv, struct buf *out);

/* The separator between response parameters: "," or ", " (--spaces). */
const char *at_sep(const struct sim *sim);

/* ---- params.c ------------------------------------------------------------- */

enum param_kind { P_EMPTY, P_INT, P_STRING, P_OTHER };

struct param {
	enum param_kind kind;
	uint64_t num;     /* P_INT; saturates at UINT64_MAX on overflow */
	const char *text; /* P_STRING: inside the quotes; P_OTHER: trimmed text */
	size_t len;
};

#define MAX_PARAMS 8

/* Split "a, b,"c"" into params; returns the count, or -1 on a syntax error
 * (unterminated quote, text around a quoted string, too many parameters). */
int params_split(const char *s, size_t len, struct param *out, int max);

/* ---- command handlers ------------------------------------------------------
 * Each returns RES_OK, RES_ERROR or a CME code (> 0) and adds its information
 * lines with reply_line(), "<text>\r\n" as the modem gives them; at.c adds the
 * final result. */

struct reply {
	struct buf lines; /* information lines, "<text>\r\n" each */
};
void reply_line(struct sim *sim, struct reply *r, const char *text, size_t len);
void reply_linef(struct sim *sim, struct reply *r, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* name: the command name after "AT" ("+CFUN"), rest: what follows it ("=1",
 * "?", ""). Return -2 when the command is not known here. */
#define RES_UNKNOWN (-2)
/* run_command(): the device reset or went silent instead of answering. */
#define RES_NONE (-3)
int device_command(struct sim *sim, struct reply *r, const char *name, const char *rest,
		   size_t rest_len);
int cmng_command(struct sim *sim, struct reply *r, const char *rest, size_t rest_len);
int keygen_command(struct sim *sim, struct reply *r, const char *rest, size_t rest_len);
int attest_command(struct sim *sim, struct reply *r, const char *rest, size_t rest_len);
/* The public key (PEM, malloc'd) of a private key PEM; NULL on failure. */
char *keycmd_public_pem(const char *private_pem);
/* Firmware version ≥ 1.3.0 (needed for %KEYGEN and %ATTESTTOKEN). */
int device_fw_at_least_1_3(const struct sim *sim);
/* The modem is online: writes, deletes and %KEYGEN answer 518. */
int device_is_active(const struct sim *sim);
/* mfw 2.x (or an NTN build): type 0 and 1 content must be a certificate. */
int device_fw_checks_certificates(const struct sim *sim);
/* mfw 2.0.2 exactly: also refuses CRLF line endings in type 0 and 1. */
int device_fw_refuses_crlf_pem(const struct sim *sim);
/* Test firmware (mfw-pti_...): no IMEI. */
int device_fw_is_test(const struct sim *sim);
/* Attestation device type of a model string (nRF9160-SICA -> 3), or -1. */
int device_type_of_model(const char *model);
/* The device restarts: boot output (--banner), CFUN 0, CMEE 0, echo off,
 * whatever it had received and not yet answered is gone. */
void device_reset(struct sim *sim);
/* The application's boot output, when --banner (or the slm) asks for it. */
void device_send_banner(struct sim *sim);

/* ---- persist.c ------------------------------------------------------------ */

/* Load store and identity key from the file (a missing file is fine). */
int persist_load(struct sim *sim);
/* Save after every change; errors are reported on stderr, not fatal. */
void persist_save(struct sim *sim);

#endif
