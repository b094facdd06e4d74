/*
 * modemsim: a simulated nRF91 modem running the at_client sample, served on a
 * pseudo-terminal. This header is the one place where the parts meet:
 *
 *   main.c     options and lifecycle (signals, startup, shutdown, stats)
 *   pty.c      the pseudo-terminal and the symlink clients open
 *   io.c       the wire: reading, pacing to a baud rate, fragmented output,
 *              unsolicited result codes, interruptible sleeps
 *   athost.c   the at_client sample's AT host (nRF Connect SDK lib/at_host):
 *              bytes to commands in its one buffer of --max-cmd bytes, and
 *              its answers cut to that same buffer
 *   line.c     turning received bytes into commands (the AT host's or, with
 *              --shell, the shell's line editing)
 *   shell.c    --shell: a Zephyr shell with nRF Connect SDK's at_shell in front
 *   at.c       one command: resets, echo, log, dispatch, response framing
 *   params.c   splitting "=a,b,"c"" parameter lists
 *   device.c   AT, ATE, +CMEE, +CFUN, +CGSN, +CGMR, +CGMM, %XMODEMUUID; what
 *              the firmware string and model imply; the device reset
 *   cmng.c     %CMNG (write, list, read, delete)
 *   store.c    the credential store in memory, with SHA-256 digests
 *   persist.c  the store file that plays the role of NVM
 *   keycmd.c   %KEYGEN and %ATTESTTOKEN (crypto lives in keygen.c)
 *
 * Strict by default, as the real device is (shared/spec/NOTES.md, "Real
 * firmware, the AT host and the Zephyr shell"): no echo, CR terminator
 * (a CRLF sender still works: the LF starts the next command and the modem
 * skips it), answers "<info>\r\nOK\r\n" without a leading CRLF, one
 * 4096-byte buffer for a command and its answer (longer answers go out cut,
 * without a final result; bytes beyond it are dropped, a dropped closing
 * quote leaves the host deaf, also for the next client), modem-owned tags
 * as real modems list them, content checks of mfw 2.x, test firmware
 * (mfw-pti) that refuses +CGSN. Resets at points a test chooses (SIGUSR1,
 * --reset-after-cmd) bring the boot banner (--banner) and CFUN 0, CMEE 0.
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
	enum terminator terminator;
	size_t max_cmd;
	long baud;
	long urc_every_ms;
	long latency_ms;
	long keygen_fail;
	long keygen_ms;
	size_t capacity;
	unsigned seed;
	int cfun;
	int cmee;
	int echo;
	int fragment;
	/* Zephyr shell mode (shell.c) */
	int shell;
	int shell_plain_prompt;    /* no VT100 colours around the prompt */
	int shell_no_unescape_lf;  /* at_shell without CONFIG_AT_SHELL_UNESCAPE_LF */
	const char *shell_prompt;  /* prompt name: "<name>:~$ " (default "uart") */
	size_t shell_cmd_buff;     /* CONFIG_SHELL_CMD_BUFF_SIZE (default 2048) */
	size_t shell_response_max; /* CONFIG_AT_SHELL_CMD_RESPONSE_MAX_LEN (default 2700) */
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

struct store {
	struct cred *items; /* sorted by tag, then type */
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
	LINE_NONE,     /* byte consumed, no command yet */
	LINE_COMMAND,  /* a command is complete in line.cmd */
	LINE_OVERFLOW, /* a too-long command ended: answer ERROR */
};

struct line {
	struct buf cmd;  /* command text so far (terminator excluded) */
	struct buf raw;  /* bytes as received, for echo */
	size_t overflow; /* shell: > 0 discarding, counts the bytes dropped */
	size_t dropped;  /* AT host: bytes dropped because the buffer was full */
	int in_quotes;
	unsigned char shell_last_nl; /* shell mode: the CR or LF that ended the last line */
};

/* A complete command waiting to be processed. Reception never stops while
 * the modem is busy (like a UART with a large receive buffer), so bytes a
 * client wrote just before closing are not lost to the next client's flush. */
struct command {
	struct buf cmd;          /* text, terminator excluded */
	struct buf raw;          /* bytes as received, for echo */
	size_t overflow;         /* shell: > 0: it was too long (this many bytes) */
	size_t dropped;          /* AT host: bytes that did not fit its buffer */
	struct timespec arrival; /* when its last byte was on the emulated line */
	unsigned session;        /* sessions_ended at reception: whom to answer */
};

struct command_queue {
	struct command *items;
	size_t head, count, cap;
	size_t bytes; /* raw bytes queued, to stop reading at a limit */
};

struct sim; /* forward */
enum line_event line_feed(struct sim *sim, unsigned char c);
void line_reset(struct line *l);

/* ---- athost.c -------------------------------------------------------------- */

/* One received byte through the AT host's receive handler (raw AT mode). */
enum line_event athost_feed(struct sim *sim, unsigned char c);
/* What the modem gets of a command the host passed on: up to the first NUL
 * (the host formats it with "%s"), leading blanks and line breaks (the LF of
 * a CRLF sender in CR mode) and trailing ones skipped. In place. */
void athost_modem_text(struct buf *cmd);
/* The answer as the host writes it out: cut to what its buffer holds, NUL
 * excluded, when longer. Returns the length to send. */
size_t athost_answer_length(const struct sim *sim, size_t len);

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
	int reset_armed;  /* --reset-after-cmd has not fired yet */
	int silent_armed; /* --silent-after-cmd has not fired yet */
	int silent;       /* --silent-after-cmd fired: the device answers nothing */
	int banner_owed;  /* --banner: the boot banner waits for the first client */

	/* wire */
	int master_fd;
	int slave_fd; /* kept open so the master never sees a hangup */
	int watch_fd; /* inotify on the slave: clients opening and closing */
	int clients;  /* client fds open on the slave; -1 = unknown (no inotify) */
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
	unsigned urc_index;
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
/* The next URC line, framed as the device sends it: "<urc>\r\n" in raw AT
 * mode, "\r\n<urc>\r\n" in shell mode. */
void io_add_urc(struct sim *sim, struct buf *b);
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
 * (logged, after the processing time). */
void at_modem_answer(struct sim *sim, const char *cmd, size_t len, struct buf *answer);
/* Log a command as received (--log). */
void at_log_text(const struct sim *sim, const char *cmd, size_t len);

/* ---- shell.c: Zephyr shell mode (--shell) ---------------------------------- */

/* Line editing of the shell, instead of the AT host's (line.c). */
enum line_event shell_line_feed(struct sim *sim, unsigned char c);
/* Echo, split, run "at '<command>'", print the answer and the prompt. */
void shell_handle_command(struct sim *sim, struct command *c);

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
 * lines with reply_line(), which does the framing; at.c adds the final result. */

struct reply {
	struct buf lines; /* framed information lines, ready to send */
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
/* Attestation device type of a model string (nRF9160-SICA -> 3), or -1. */
int device_type_of_model(const char *model);
/* The device restarts: boot banner (--banner), CFUN 0, CMEE 0, echo off,
 * whatever it had received and not yet answered is gone. */
void device_reset(struct sim *sim);
/* The at_client sample's boot banner, when --banner asks for it. */
void device_send_banner(struct sim *sim);

/* ---- persist.c ------------------------------------------------------------ */

/* Load store and identity key from the file (a missing file is fine). */
int persist_load(struct sim *sim);
/* Save after every change; errors are reported on stderr, not fatal. */
void persist_save(struct sim *sim);

#endif
