/*
 * A factory CA key in a PKCS#11 token (an HSM, a smart card, SoftHSM2):
 * every signature is made by the token, the key never enters this process.
 *
 * Why OpenSSL's ENGINE API, deprecated since OpenSSL 3.0: its replacement,
 * a provider for PKCS#11 (pkcs11-provider), is not packaged in Debian 12,
 * the system this project is built for. Debian 12 ships OpenSSL 3.0 with
 * libp11's engine (package libengine-pkcs11-openssl, engine id "pkcs11"),
 * whose default module is p11-kit's proxy, which loads every module
 * registered with p11-kit (SoftHSM2, OpenSC, most HSM vendors'). The engine
 * is thus the interface Debian 12 supports; OpenSSL 3.0 keeps it working
 * until it removes it (4.0). The deprecation is confined to this file:
 * OPENSSL_SUPPRESS_DEPRECATED below keeps OpenSSL's headers from marking
 * the ENGINE functions deprecated here only; every other file still builds
 * with deprecation warnings as errors. Moving to a provider changes this
 * file alone (ca.c only sees an EVP_PKEY and take/release around signing).
 *
 * Threads: libp11 0.4.12 (Debian 12) makes signatures through a pool of
 * PKCS#11 sessions, but its README says many of its functions are not
 * thread-safe, and its pool had races and deadlocks under concurrent
 * operations that were fixed only in 0.4.20 ("Fixed session-pool races and
 * deadlocks during concurrent key generation and cryptographic
 * operations", libp11 NEWS; and until 0.4.13's "Return on other errors at
 * pkcs11_get_session" a failed C_OpenSession made a thread wait for a free
 * session forever). Many tokens sign one request at a time anyway. So the
 * engine is set up and the key loaded on one thread (mcred_ca_open()), and
 * every signature takes the token's lock (mcred_ca_token_take()): one
 * signature at a time, one session in use. Only the signature is
 * serialised, never a modem's work: mcred_provision() signs while the
 * modem stores the root CA. The time spent waiting for the lock is
 * measured and reported (the ledger's token_wait_s).
 *
 * The engine instance is this CA's own (loaded with LIST_ADD 0, never put
 * in OpenSSL's global engine list), so that its PIN cache and module path
 * are not shared with anything else in the process. libp11 prints its
 * errors on stderr unless told to be quiet, which it is: the library never
 * prints; what failed is read from OpenSSL's error queue instead.
 */
#define OPENSSL_SUPPRESS_DEPRECATED

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/engine.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ui.h>

#include "ca_pkcs11.h"
#include "error.h"
#include "util.h"

struct mcred_ca_token {
	ENGINE *engine;
	pthread_mutex_t lock; /* one signature at a time (see the top of this file) */
};

/* ---- the PIN ------------------------------------------------------------- */

/*
 * OpenSSL's UI reader, called by libp11 when the token needs a PIN: the
 * secret of the struct ca_secret given as callback data. Nothing is ever
 * printed or read from a terminal here: the caller's password_cb decides.
 */
static int read_pin(UI *ui, UI_STRING *uis)
{
	struct ca_secret *secret = UI_get0_user_data(ui);

	switch (UI_get_string_type(uis)) {
	case UIT_PROMPT:
	case UIT_VERIFY:
		if (!secret || mcred_ca_secret_get(secret, 1) != 0)
			return 0;
		return UI_set_result_ex(ui, uis, secret->buf, (int)secret->len) >= 0;
	default: return 1;
	}
}

/* ---- loading the engine ----------------------------------------------------- */

/* The directory OpenSSL loads engines from: $OPENSSL_ENGINES, else its build's. */
static const char *engines_dir(void)
{
	const char *dir = getenv("OPENSSL_ENGINES");

	return dir && *dir ? dir : OpenSSL_version(OPENSSL_ENGINES_DIR);
}

/*
 * OpenSSL_version(OPENSSL_ENGINES_DIR) is 'ENGINESDIR: "/path"': the path
 * alone into out.
 */
static void engines_path(char *out, size_t len)
{
	const char *dir = engines_dir(), *q = strchr(dir, '"');

	if (q && strncmp(dir, "ENGINESDIR:", 11) == 0) {
		const char *end = strchr(q + 1, '"');

		snprintf(out, len, "%.*s", end ? (int)(end - q - 1) : (int)strlen(q + 1), q + 1);
	} else {
		snprintf(out, len, "%s", dir);
	}
}

/*
 * Keep the engine's module in memory once loaded: libp11 0.4.12 keeps its
 * RSA and EC methods in static variables that nothing frees (its
 * pkcs11_CTX_free() says so in a TODO), so unloading the module when an
 * engine instance goes would orphan them. (OpenSSL keeps the engines of
 * its own list loaded too.) A failure here only means the engine's own
 * loading below will fail and say so.
 */
static void keep_module_loaded(const char *dir)
{
	char path[1100];
	void *handle;

	snprintf(path, sizeof(path), "%s/pkcs11.so", dir);
	handle = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
	if (handle)
		dlclose(handle); /* the module stays: RTLD_NODELETE */
}

/* A private instance of the pkcs11 engine (not added to OpenSSL's list), or NULL. */
static ENGINE *load_engine(void)
{
	char dir[1024];
	ENGINE *e;

	if (!OPENSSL_init_crypto(OPENSSL_INIT_ENGINE_DYNAMIC, NULL))
		return NULL;
	engines_path(dir, sizeof(dir));
	keep_module_loaded(dir);
	e = ENGINE_by_id("dynamic");
	if (e && ENGINE_ctrl_cmd_string(e, "ID", "pkcs11", 0) &&
	    ENGINE_ctrl_cmd_string(e, "DIR_LOAD", "2", 0) &&
	    ENGINE_ctrl_cmd_string(e, "DIR_ADD", dir, 0) &&
	    ENGINE_ctrl_cmd_string(e, "LIST_ADD", "0", 0) &&
	    ENGINE_ctrl_cmd_string(e, "LOAD", NULL, 0))
		return e;
	ENGINE_free(e);
	return NULL;
}

/* OpenSSL's first error reason into why ("" when none); the queue is cleared. */
static void first_error(char *why, size_t len)
{
	unsigned long code = ERR_peek_error();
	const char *reason = code ? ERR_reason_error_string(code) : NULL;

	snprintf(why, len, "%s", reason ? reason : "");
	mcred_openssl_forget();
}

/* 1 when text holds word, whatever the case. */
static int contains_nocase(const char *text, const char *word)
{
	size_t n = strlen(word);

	for (; *text; text++)
		if (strncasecmp(text, word, n) == 0)
			return 1;
	return 0;
}

/* Did the token refuse the PIN? libp11 puts the PKCS#11 return value's name in the queue. */
static int pin_refused(void)
{
	unsigned long code;
	const char *file, *data;
	int line, flags;

	while ((code = ERR_peek_error_all(&file, &line, NULL, &data, &flags)) != 0) {
		const char *reason = ERR_reason_error_string(code);

		if (reason &&
		    (contains_nocase(reason, "PIN incorrect") ||
		     contains_nocase(reason, "PIN invalid") || contains_nocase(reason, "PIN len")))
			return 1;
		ERR_get_error();
	}
	return 0;
}

/* Why loading the key failed, as the caller can act on it. */
static enum mcred_err load_failed(const struct mcred_ca_key *key, const struct ca_secret *secret,
				  struct mcred_error *err)
{
	char why[200];

	if (secret->asked && !secret->given) {
		mcred_openssl_forget();
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "the token holding the CA key needs a PIN, and none was "
				       "given");
	}
	if (secret->given && pin_refused()) {
		mcred_openssl_forget();
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "the token refused the PIN (wrong PIN): nothing was "
				       "signed");
	}
	first_error(why, sizeof(why));
	return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
			       "no private key for the PKCS#11 URI %.200s through %s%s%s%s: check "
			       "the token and object names (`p11tool --list-all` or `pkcs11-tool "
			       "--list-objects --login` list them)",
			       key->uri,
			       key->pkcs11_module ? key->pkcs11_module : "p11-kit's proxy module",
			       why[0] ? " (OpenSSL: " : "", why, why[0] ? ")" : "");
}

/*
 * A module given by path must load and be a PKCS#11 module. Looked at here
 * because libp11 prints its own line on stderr when it cannot load one
 * (QUIET or not), and the engine's failure then reads like a wrong URI.
 */
static enum mcred_err check_module(const char *path, struct mcred_error *err)
{
	void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	int is_pkcs11;

	if (!handle)
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "the PKCS#11 module %.200s cannot be loaded: %.300s", path,
				       dlerror());
	is_pkcs11 = dlsym(handle, "C_GetFunctionList") != NULL;
	dlclose(handle);
	if (!is_pkcs11)
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "%.200s is no PKCS#11 module (it has no C_GetFunctionList)",
				       path);
	return MCRED_OK;
}

/* A URI attribute "pin-value" (RFC 7512 §2.3) would put the PIN where anyone sees it. */
static int uri_holds_pin(const char *uri)
{
	return contains_nocase(uri, "pin-value");
}

enum mcred_err mcred_ca_token_open(const struct mcred_ca_key *key, struct ca_secret *secret,
				   struct mcred_ca_token **out, EVP_PKEY **pkey,
				   struct mcred_error *err)
{
	struct mcred_ca_token *t;
	UI_METHOD *ui;
	enum mcred_err rc;

	*out = NULL;
	*pkey = NULL;
	if (strncasecmp(key->uri, "pkcs11:", 7) != 0)
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "the CA key URI must be a PKCS#11 URI (pkcs11:...)");
	if (uri_holds_pin(key->uri))
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "the PKCS#11 URI holds a PIN (pin-value): a URI is seen on "
				       "command lines and in logs; remove it and give the PIN "
				       "separately");
	/* the PIN comes from password_cb alone: one place, asked once, wiped */
	if (contains_nocase(key->uri, "pin-source"))
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "the PKCS#11 URI names a pin-source, which is not read "
				       "here: remove it and give the PIN separately (the CLI's "
				       "--ca-key-password-file FILE)");
	if (key->pkcs11_module && (rc = check_module(key->pkcs11_module, err)) != MCRED_OK)
		return rc;
	t = calloc(1, sizeof(*t));
	if (!t)
		return mcred_error_set(err, MCRED_ERR_NOMEM, "out of memory");
	pthread_mutex_init(&t->lock, NULL);
	t->engine = load_engine();
	if (!t->engine) {
		mcred_ca_token_close(t);
		mcred_openssl_forget();
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "OpenSSL's pkcs11 engine cannot be loaded from %s: install "
				       "it (Debian: apt-get install libengine-pkcs11-openssl)",
				       engines_dir());
	}
	/* before ENGINE_init: libp11 reads them when it initialises */
	ENGINE_ctrl_cmd_string(t->engine, "QUIET", NULL, 0);
	if ((key->pkcs11_module &&
	     !ENGINE_ctrl_cmd_string(t->engine, "MODULE_PATH", key->pkcs11_module, 0)) ||
	    !ENGINE_init(t->engine)) {
		char why[200];

		first_error(why, sizeof(why));
		ENGINE_free(t->engine);
		t->engine = NULL;
		mcred_ca_token_close(t);
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "OpenSSL's pkcs11 engine did not start%s%s%s",
				       why[0] ? " (OpenSSL: " : "", why, why[0] ? ")" : "");
	}
	ui = UI_create_method("modemcred PKCS#11 PIN");
	if (ui)
		UI_method_set_reader(ui, read_pin);
	mcred_openssl_forget();
	*pkey = ui ? ENGINE_load_private_key(t->engine, key->uri, ui, secret) : NULL;
	UI_destroy_method(ui);
	if (!*pkey) {
		rc = load_failed(key, secret, err);
		mcred_ca_token_close(t);
		return rc;
	}
	*out = t;
	return MCRED_OK;
}

void mcred_ca_token_close(struct mcred_ca_token *t)
{
	if (!t)
		return;
	if (t->engine) {
		ENGINE_finish(t->engine); /* the functional reference of ENGINE_init */
		ENGINE_free(t->engine);
	}
	pthread_mutex_destroy(&t->lock);
	free(t);
}

/* ---- signing --------------------------------------------------------------------- */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double mcred_ca_token_take(struct mcred_ca_token *t)
{
	double t0;

	if (pthread_mutex_trylock(&t->lock) == 0)
		return 0.0;
	t0 = now_s();
	pthread_mutex_lock(&t->lock);
	return now_s() - t0;
}

void mcred_ca_token_release(struct mcred_ca_token *t)
{
	pthread_mutex_unlock(&t->lock);
}
