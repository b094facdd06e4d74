/*
 * A scripted fake nRF91 modem behind a callback transport, for unit tests.
 *
 * It parses what the library writes, splits it into commands at CRLF outside
 * quotes and answers like the modem: AT+CMEE, AT+CFUN, AT+CGSN/CGMM/CGMR,
 * AT%XMODEMUUID and a %CMNG credential store (write, list with digests, read,
 * delete). Everything it needs lives in its struct fake_modem, so separate
 * fakes can serve separate handles in parallel threads.
 *
 * The struct is public so tests can set the scenario knobs and inspect the
 * state; the I/O buffers at the end belong to fake_modem.c.
 */
#ifndef MCRED_TESTS_FAKE_MODEM_H
#define MCRED_TESTS_FAKE_MODEM_H

#include <stddef.h>
#include <stdint.h>

#include "modemcred.h"

#define FAKE_MODEM_MAX_CREDS 16
#define FAKE_MODEM_MAX_LOG 64 /* commands beyond this many are answered, not logged */

/* One credential in the fake's %CMNG store. */
struct fake_modem_cred {
	uint32_t tag;
	int type;
	char *content; /* as stored: what came between the quotes of the write */
};

struct fake_modem {
	/* Modem state, as AT+CMEE? and AT+CFUN? report it. */
	int cmee;
	int cfun;

	/* Scenario knobs: zero is a well-behaved modem. */
	int no_sha;            /* firmware without digests */
	int corrupt_sha;       /* lists a wrong digest */
	int write_cme;         /* non-zero: refuse writes with this code */
	int cancel_on_write;   /* raise cancel once a write arrives */
	int cancel_on_offline; /* raise cancel once AT+CFUN=4 arrives */
	/*
	 * Non-NULL content: stored (tag, type) when AT+CFUN=4 arrives, before
	 * its OK, as when the device's application changed the tag meanwhile.
	 */
	struct {
		uint32_t tag;
		int type;
		const char *content;
	} store_on_offline;
	int cancel;            /* what fake_modem_cancel() returns */
	int cgsn_prefixed;     /* answers +CGSN: "<imei>" */
	int no_uuid;           /* firmware without %XMODEMUUID */
	int refuse_online;     /* AT+CFUN=1 fails (restore failure) */
	int silent_cmee_query; /* AT+CMEE? gets no answer at all */
	int silent_cfun_query; /* AT+CFUN? gets no answer at all */
	/*
	 * Canned answers: a command starting with prefix gets answer, byte for
	 * byte, instead of the normal one (first match wins; NULL prefix ends).
	 */
	struct {
		const char *prefix;
		const char *answer;
	} canned[4];
	int silent_online; /* AT+CFUN=1 gets no answer at all */
	int echo;          /* 1: echo each command (ATE1); 2: echo the previous one */
	int echo_noise;    /* a 0xFF noise byte before each echo */
	/*
	 * echo without its quotes, a CRLF where each quote was and CRLF for every
	 * LF: content lines stand alone
	 */
	int echo_split;
	const char *reset_on;   /* restart once on the first command starting so */
	int reset_after_answer; /* 1: answer that command first; 0: its answer is lost */
	/*
	 * Each read returns one line at most: what follows comes in a read of
	 * its own, as bytes the modem wrote a moment later do on a real port.
	 */
	int line_per_read;
	int restarts; /* restarts done */
	/*
	 * Non-zero: what the library writes goes through a model of the AT
	 * host of the at_client sample (nRF Connect SDK lib/at_host,
	 * uart_rx_handler) with this CONFIG_AT_HOST_CMD_MAX_LEN and CR+LF
	 * termination: at most size - 1 bytes are stored and further ones
	 * dropped (a dropped closing quote leaves it deaf inside quotes),
	 * backspace and DEL remove the last byte without undoing a quote, a
	 * terminator counts only outside quotes.
	 */
	size_t at_host_size;
	int at_host_quoted;     /* the model's quote state */
	size_t at_host_dropped; /* bytes it dropped */
	/*
	 * The answer to the first command starting so comes late: only when the
	 * next command arrives, before that one's answer (a modem slower than
	 * the library's timeout, answering in order).
	 */
	const char *late_on;
	char *late_answer; /* private: the answer held back */
	int late_done;

	/* What happened. */
	size_t bytes_written; /* everything the library wrote */
	struct fake_modem_cred creds[FAKE_MODEM_MAX_CREDS];
	size_t ncreds;
	char *log[FAKE_MODEM_MAX_LOG]; /* commands received, without CRLF */
	size_t nlog;
	char *prev_cmd; /* for echo 2 */

	/* Private to fake_modem.c: input not yet split, output not yet read. */
	char in[16384];
	size_t in_len;
	char *out;
	size_t out_len, out_pos;
};

/* A fake as found after boot: online (CFUN 1), CMEE off, an empty store.
 * NULL when out of memory. */
struct fake_modem *fake_modem_new(void);

/* Free the fake, its store and its log. NULL is allowed. */
void fake_modem_free(struct fake_modem *f);

/* A transport talking to f, for mcred_modem_open_transport(). It has no
 * close callback: the caller frees the fake after the handle. */
struct mcred_transport fake_modem_transport(struct fake_modem *f);

/* For mcred_options.cancel_cb with cancel_user = the fake: returns f->cancel. */
int fake_modem_cancel(void *user);

/* Put a credential in the store directly (replacing one with the same tag
 * and type), as if it had been written earlier. */
void fake_modem_store(struct fake_modem *f, uint32_t tag, int type, const char *content,
		      size_t len);

/* The stored credential with this tag and type, or NULL. */
struct fake_modem_cred *fake_modem_find(struct fake_modem *f, uint32_t tag, int type);

/* Restart now, unasked: the boot banner waits to be read, CFUN and CMEE are 0. */
void fake_modem_restart(struct fake_modem *f);

/* How many times exactly this command was received (logged ones only). */
size_t fake_modem_count_sent(const struct fake_modem *f, const char *cmd);

#endif
