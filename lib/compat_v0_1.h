/*
 * The 0.1.0 layouts of the structs that gained a size field (or, for the
 * port list, changed shape) in 0.2.0, and the functions that take them,
 * exported as name@MODEMCRED_0.1 by compat_v0_1.c. Frozen copies of
 * include/modemcred.h of 0.1.0: never change them.
 */
#ifndef MODEMCRED_COMPAT_V0_1_H
#define MODEMCRED_COMPAT_V0_1_H

#include "modemcred.h"

struct mcred_options_v0_1 {
	unsigned baud;
	enum mcred_flow flow;
	unsigned timeout_ms;
	enum mcred_term terminator;
	size_t max_command_len;
	size_t max_response_len;
	int shell;
	int keep_line_endings;
	int auto_offline;
	enum mcred_transport_kind transport;
	void (*urc_cb)(const char *line, void *user);
	void *urc_user;
	void (*trace_cb)(enum mcred_trace_dir dir, const char *text, size_t len, void *user);
	void *trace_user;
	int (*cancel_cb)(void *user);
	void *cancel_user;
};

struct mcred_transport_v0_1 {
	int (*read)(void *user, uint8_t *buf, size_t len, unsigned timeout_ms);
	int (*write)(void *user, const uint8_t *buf, size_t len, unsigned timeout_ms);
	void (*close)(void *user);
	void *user;
};

struct mcred_keygen_request_v0_1 {
	uint32_t tag;
	enum mcred_keygen_kind kind;
	const char *attributes;
	const char *key_usage;
};

struct mcred_verify_options_v0_1 {
	int64_t expected_tag;
	int expected_payload_id;
	const char *identity_key_pem;
	const uint8_t *identity_key_raw;
	size_t identity_key_raw_len;
};

struct mcred_port_v0_1 {
	char name[128];
	char description[128];
	int usb_vid;
	int usb_pid;
	char serial[64];
	const char *kit;
};

struct mcred_port_list_v0_1 {
	struct mcred_port_v0_1 *ports;
	size_t count;
};

/* Exported (default visibility) only through the .symver aliases. */
#define COMPAT __attribute__((visibility("default")))

COMPAT void mcred_options_init__v0_1(struct mcred_options_v0_1 *opts);
COMPAT enum mcred_err mcred_modem_open__v0_1(mcred_modem **out, const char *port,
					     const struct mcred_options_v0_1 *opts,
					     struct mcred_error *err);
COMPAT enum mcred_err mcred_modem_open_transport__v0_1(mcred_modem **out,
						       const struct mcred_transport_v0_1 *transport,
						       const struct mcred_options_v0_1 *opts,
						       struct mcred_error *err);
COMPAT enum mcred_err mcred_cmng_check_write__v0_1(uint32_t tag, int type, const char *content,
						   size_t len, const char *password,
						   const struct mcred_options_v0_1 *opts,
						   struct mcred_error *err);
COMPAT enum mcred_err mcred_cmng_write_digest__v0_1(int type, const char *content, size_t len,
						    const struct mcred_options_v0_1 *opts,
						    char sha256[65], struct mcred_error *err);
COMPAT enum mcred_err mcred_keygen_check__v0_1(const struct mcred_keygen_request_v0_1 *req,
					       struct mcred_error *err);
COMPAT enum mcred_err mcred_keygen__v0_1(mcred_modem *modem,
					 const struct mcred_keygen_request_v0_1 *req, char **blob);
COMPAT enum mcred_err mcred_ports_list__v0_1(struct mcred_port_list_v0_1 **out,
					     struct mcred_error *err);
COMPAT void mcred_port_list_free__v0_1(struct mcred_port_list_v0_1 *list);
COMPAT void mcred_verify_options_init__v0_1(struct mcred_verify_options_v0_1 *opts);
COMPAT enum mcred_err mcred_verify_keygen__v0_1(const char *blob, size_t len,
						const struct mcred_verify_options_v0_1 *opts,
						mcred_report **out, struct mcred_error *err);
COMPAT enum mcred_err mcred_verify_attest__v0_1(const char *blob, size_t len,
						const struct mcred_verify_options_v0_1 *opts,
						mcred_report **out, struct mcred_error *err);

#endif
