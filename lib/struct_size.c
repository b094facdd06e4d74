/*
 * Caller-filled structs that can grow: each starts with size_t size, set by
 * its _init macro to the program's own sizeof. The library reads what fits
 * in that size into a copy of its own, whose other fields keep the defaults.
 */
#include <string.h>

#include "error.h"
#include "struct_size.h"

/* Size of a struct's first version: up to the end of its last member then. */
#define FIRST_VERSION_SIZE(type, last) (offsetof(type, last) + sizeof(((type *)0)->last))

void mcred_struct_init(void *p, size_t size)
{
	if (!p || size < sizeof(size_t))
		return;
	memset(p, 0, size);
	memcpy(p, &size, sizeof(size));
}

/* 1 when the n bytes at p are all zero. */
static int all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

enum mcred_err mcred_struct_take(void *dst, size_t dst_size, const void *given, size_t min_size,
				 const char *what, const char *init, struct mcred_error *err)
{
	size_t size;

	memcpy(&size, given, sizeof(size));
	if (size == 0)
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "%s has size 0: initialise it with %s() before setting "
				       "its fields",
				       what, init);
	if (size < min_size)
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "%s has size %zu, less than the %zu bytes of its first "
				       "version: initialise it with %s(), never set size by hand",
				       what, size, min_size, init);
	/* a size far beyond any version's is garbage: never read that far */
	if (size > dst_size + MCRED_STRUCT_GROWTH_MAX)
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "%s has size %zu, which no version of it has: initialise "
				       "it with %s() before setting its fields",
				       what, size, init);
	if (size > dst_size && !all_zero((const unsigned char *)given + dst_size, size - dst_size))
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "%s sets fields this libmodemcred %s does not know (the "
				       "program was built against a newer header): install a "
				       "libmodemcred at least as new as the program's",
				       what, mcred_version());
	memcpy((char *)dst + sizeof(size_t), (const char *)given + sizeof(size_t),
	       (size < dst_size ? size : dst_size) - sizeof(size_t));
	memcpy(dst, &dst_size, sizeof(dst_size));
	return MCRED_OK;
}

void mcred_options_init_size(struct mcred_options *opts, size_t size)
{
	mcred_struct_init(opts, size);
}

enum mcred_err mcred_options_take(struct mcred_options *o, const struct mcred_options *given,
				  struct mcred_error *err)
{
	enum mcred_err rc;

	mcred_options_init(o);
	if (!given)
		return MCRED_OK;
	rc = mcred_struct_take(o, sizeof(*o), given,
			       FIRST_VERSION_SIZE(struct mcred_options, cancel_user),
			       "struct mcred_options", "mcred_options_init", err);
	if (rc != MCRED_OK)
		return rc;
	/* every function that takes options checks them as opening a handle does */
	if ((unsigned)o->terminator > MCRED_TERM_NUL)
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG, "unknown command terminator %d",
				       (int)o->terminator);
	if ((unsigned)o->flow > MCRED_FLOW_RTSCTS)
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG, "unknown flow control %d",
				       (int)o->flow);
	if ((unsigned)o->transport > MCRED_TRANSPORT_TERMIOS)
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG, "unknown transport %d",
				       (int)o->transport);
	return MCRED_OK;
}

void mcred_transport_init_size(struct mcred_transport *transport, size_t size)
{
	mcred_struct_init(transport, size);
}

enum mcred_err mcred_transport_take(struct mcred_transport *t, const struct mcred_transport *given,
				    struct mcred_error *err)
{
	mcred_transport_init(t);
	return mcred_struct_take(t, sizeof(*t), given,
				 FIRST_VERSION_SIZE(struct mcred_transport, user),
				 "struct mcred_transport", "mcred_transport_init", err);
}

void mcred_keygen_request_init_size(struct mcred_keygen_request *req, size_t size)
{
	mcred_struct_init(req, size);
}

enum mcred_err mcred_keygen_request_take(struct mcred_keygen_request *r,
					 const struct mcred_keygen_request *given,
					 struct mcred_error *err)
{
	mcred_keygen_request_init(r);
	return mcred_struct_take(r, sizeof(*r), given,
				 FIRST_VERSION_SIZE(struct mcred_keygen_request, key_usage),
				 "struct mcred_keygen_request", "mcred_keygen_request_init", err);
}

void mcred_verify_options_init_size(struct mcred_verify_options *opts, size_t size)
{
	mcred_struct_init(opts, size);
	if (opts && size >= FIRST_VERSION_SIZE(struct mcred_verify_options, expected_tag))
		opts->expected_tag = -1;
}

enum mcred_err mcred_verify_options_take(struct mcred_verify_options *o,
					 const struct mcred_verify_options *given,
					 struct mcred_error *err)
{
	mcred_verify_options_init(o);
	if (!given)
		return MCRED_OK;
	return mcred_struct_take(o, sizeof(*o), given,
				 FIRST_VERSION_SIZE(struct mcred_verify_options,
						    identity_key_raw_len),
				 "struct mcred_verify_options", "mcred_verify_options_init", err);
}

enum mcred_err mcred_provision_request_take(struct mcred_provision_request *r,
					    const struct mcred_provision_request *given,
					    struct mcred_error *err)
{
	mcred_provision_request_init(r);
	return mcred_struct_take(r, sizeof(*r), given,
				 FIRST_VERSION_SIZE(struct mcred_provision_request, user),
				 "struct mcred_provision_request", "mcred_provision_request_init",
				 err);
}
