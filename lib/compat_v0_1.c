/*
 * The functions of 0.1.0 whose structs gained a leading size_t size in
 * 0.2.0 (struct mcred_options, mcred_transport, mcred_keygen_request,
 * mcred_verify_options) or whose list changed (struct mcred_port_list),
 * for programs built against 0.1.0: each is
 * exported under its 0.1.0 name with version MODEMCRED_0.1, which those
 * programs ask for, takes the 0.1.0 layout, copies it into the current
 * one and calls the current function (version MODEMCRED_0.2, the one new
 * programs link to). Nothing built against 0.2.0 or later reaches these.
 */
#include "abi.h" /* first: defines the current names as name__v0_2 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

#include "compat_v0_1.h"

/* The current layout of old options; NULL stays NULL (the defaults). */
static const struct mcred_options *options_from_v0_1(struct mcred_options *o,
						     const struct mcred_options_v0_1 *old)
{
	if (!old)
		return NULL;
	mcred_options_init(o);
	o->baud = old->baud;
	o->flow = old->flow;
	o->timeout_ms = old->timeout_ms;
	o->terminator = old->terminator;
	o->max_command_len = old->max_command_len;
	o->max_response_len = old->max_response_len;
	o->shell = old->shell;
	o->keep_line_endings = old->keep_line_endings;
	o->auto_offline = old->auto_offline;
	o->transport = old->transport;
	o->urc_cb = old->urc_cb;
	o->urc_user = old->urc_user;
	o->trace_cb = old->trace_cb;
	o->trace_user = old->trace_user;
	o->cancel_cb = old->cancel_cb;
	o->cancel_user = old->cancel_user;
	return o;
}

static const struct mcred_keygen_request *
keygen_request_from_v0_1(struct mcred_keygen_request *r,
			 const struct mcred_keygen_request_v0_1 *old)
{
	if (!old)
		return NULL;
	mcred_keygen_request_init(r);
	r->tag = old->tag;
	r->kind = old->kind;
	r->attributes = old->attributes;
	r->key_usage = old->key_usage;
	return r;
}

static const struct mcred_verify_options *
verify_options_from_v0_1(struct mcred_verify_options *o,
			 const struct mcred_verify_options_v0_1 *old)
{
	if (!old)
		return NULL;
	mcred_verify_options_init(o);
	o->expected_tag = old->expected_tag;
	o->expected_payload_id = old->expected_payload_id;
	o->identity_key_pem = old->identity_key_pem;
	o->identity_key_raw = old->identity_key_raw;
	o->identity_key_raw_len = old->identity_key_raw_len;
	return o;
}

MCRED_OLD_VERSION(mcred_options_init);
MCRED_OLD_VERSION(mcred_modem_open);
MCRED_OLD_VERSION(mcred_modem_open_transport);
MCRED_OLD_VERSION(mcred_cmng_check_write);
MCRED_OLD_VERSION(mcred_cmng_write_digest);
MCRED_OLD_VERSION(mcred_keygen_check);
MCRED_OLD_VERSION(mcred_keygen);
MCRED_OLD_VERSION(mcred_ports_list);
MCRED_OLD_VERSION(mcred_port_list_free);
MCRED_OLD_VERSION(mcred_verify_options_init);
MCRED_OLD_VERSION(mcred_verify_keygen);
MCRED_OLD_VERSION(mcred_verify_attest);

void mcred_options_init__v0_1(struct mcred_options_v0_1 *opts)
{
	if (opts)
		memset(opts, 0, sizeof(*opts));
}

enum mcred_err mcred_modem_open__v0_1(mcred_modem **out, const char *port,
				      const struct mcred_options_v0_1 *opts,
				      struct mcred_error *err)
{
	struct mcred_options o;

	return mcred_modem_open(out, port, options_from_v0_1(&o, opts), err);
}

enum mcred_err mcred_modem_open_transport__v0_1(mcred_modem **out,
						const struct mcred_transport_v0_1 *transport,
						const struct mcred_options_v0_1 *opts,
						struct mcred_error *err)
{
	struct mcred_options o;
	struct mcred_transport t;

	if (!transport)
		return mcred_modem_open_transport(out, NULL, options_from_v0_1(&o, opts), err);
	mcred_transport_init(&t);
	t.read = transport->read;
	t.write = transport->write;
	t.close = transport->close;
	t.user = transport->user;
	return mcred_modem_open_transport(out, &t, options_from_v0_1(&o, opts), err);
}

enum mcred_err mcred_cmng_check_write__v0_1(uint32_t tag, int type, const char *content, size_t len,
					    const char *password,
					    const struct mcred_options_v0_1 *opts,
					    struct mcred_error *err)
{
	struct mcred_options o;

	return mcred_cmng_check_write(tag, type, content, len, password,
				      options_from_v0_1(&o, opts), err);
}

enum mcred_err mcred_cmng_write_digest__v0_1(int type, const char *content, size_t len,
					     const struct mcred_options_v0_1 *opts, char sha256[65],
					     struct mcred_error *err)
{
	struct mcred_options o;

	return mcred_cmng_write_digest(type, content, len, options_from_v0_1(&o, opts), sha256,
				       err);
}

enum mcred_err mcred_keygen_check__v0_1(const struct mcred_keygen_request_v0_1 *req,
					struct mcred_error *err)
{
	struct mcred_keygen_request r;

	return mcred_keygen_check(keygen_request_from_v0_1(&r, req), err);
}

enum mcred_err mcred_keygen__v0_1(mcred_modem *modem, const struct mcred_keygen_request_v0_1 *req,
				  char **blob)
{
	struct mcred_keygen_request r;

	return mcred_keygen_run(modem, keygen_request_from_v0_1(&r, req), blob);
}

/* The 0.1.0 list: an array of structs, strings cut to their arrays as 0.1.0 did. */
enum mcred_err mcred_ports_list__v0_1(struct mcred_port_list_v0_1 **out, struct mcred_error *err)
{
	struct mcred_port_list *list = NULL;
	struct mcred_port_list_v0_1 *old;
	enum mcred_err rc;

	if (!out)
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG, "no output given");
	*out = NULL;
	rc = mcred_port_list_get(&list, err);
	if (rc != MCRED_OK)
		return rc;
	old = calloc(1, sizeof(*old));
	if (old && list->count)
		old->ports = calloc(list->count, sizeof(*old->ports));
	if (!old || (list->count && !old->ports)) {
		free(old);
		mcred_port_list_free(list);
		return mcred_error_set(err, MCRED_ERR_NOMEM, "out of memory");
	}
	for (size_t i = 0; i < list->count; i++) {
		const struct mcred_port *p = list->ports[i];
		struct mcred_port_v0_1 *o = &old->ports[i];

		snprintf(o->name, sizeof(o->name), "%s", p->name);
		snprintf(o->description, sizeof(o->description), "%s", p->description);
		snprintf(o->serial, sizeof(o->serial), "%s", p->serial);
		o->usb_vid = p->usb_vid;
		o->usb_pid = p->usb_pid;
		o->kit = p->kit; /* static strings */
	}
	old->count = list->count;
	mcred_port_list_free(list);
	*out = old;
	return MCRED_OK;
}

void mcred_port_list_free__v0_1(struct mcred_port_list_v0_1 *list)
{
	if (!list)
		return;
	free(list->ports);
	free(list);
}

void mcred_verify_options_init__v0_1(struct mcred_verify_options_v0_1 *opts)
{
	if (!opts)
		return;
	memset(opts, 0, sizeof(*opts));
	opts->expected_tag = -1;
}

enum mcred_err mcred_verify_keygen__v0_1(const char *blob, size_t len,
					 const struct mcred_verify_options_v0_1 *opts,
					 mcred_report **out, struct mcred_error *err)
{
	struct mcred_verify_options o;

	return mcred_keygen_verify(blob, len, verify_options_from_v0_1(&o, opts), out, err);
}

enum mcred_err mcred_verify_attest__v0_1(const char *blob, size_t len,
					 const struct mcred_verify_options_v0_1 *opts,
					 mcred_report **out, struct mcred_error *err)
{
	struct mcred_verify_options o;

	return mcred_attest_verify(blob, len, verify_options_from_v0_1(&o, opts), out, err);
}
