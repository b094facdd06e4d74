/*
 * The ABI's two mechanisms (see "Structs you fill" in modemcred.h and
 * "ABI stability" in libmodemcred.3):
 *
 * - mcred_struct_take() copies a caller-filled struct that starts with
 *   size_t size into the library's own full-size copy, so that a program
 *   built against an older (smaller) or newer header is read correctly.
 *
 * - The public functions that 0.1.0 exported with a struct layout without
 *   size keep that symbol (version MODEMCRED_0.1, lib/compat_v0_1.c), and
 *   their current definition gets the default version MODEMCRED_0.2.
 *   Files that define such a function include this header before any
 *   other, so that the definition is compiled as name__v0_2; calls from
 *   anywhere bind to the default version.
 */
#ifndef MODEMCRED_ABI_H
#define MODEMCRED_ABI_H

#include <stddef.h>

/* Give name__v0_2 the exported name "name" with the default version MODEMCRED_0.2. */
#define MCRED_DEFAULT_VERSION(name) __asm__(".symver " #name "__v0_2, " #name "@@MODEMCRED_0.2")
/* Give name__v0_1 the exported name "name" with the old version MODEMCRED_0.1 only. */
#define MCRED_OLD_VERSION(name) __asm__(".symver " #name "__v0_1, " #name "@MODEMCRED_0.1")

#define mcred_modem_open mcred_modem_open__v0_2
#define mcred_modem_open_transport mcred_modem_open_transport__v0_2
#define mcred_cmng_check_write mcred_cmng_check_write__v0_2
#define mcred_cmng_write_digest mcred_cmng_write_digest__v0_2
#define mcred_keygen_check mcred_keygen_check__v0_2
#define mcred_keygen mcred_keygen__v0_2
#define mcred_verify_keygen mcred_verify_keygen__v0_2
#define mcred_verify_attest mcred_verify_attest__v0_2
#define mcred_ports_list mcred_ports_list__v0_2
#define mcred_port_list_free mcred_port_list_free__v0_2

#include "modemcred.h"

struct mcred_error;

/*
 * Copy the caller's struct at given (first member size_t size) into dst,
 * which is dst_size bytes and already holds the defaults: only the fields
 * that fit in the caller's size are taken, dst->size becomes dst_size. min_size
 * is the size of the struct's first version; what names it in messages
 * ("struct mcred_options", and how to initialise it). MCRED_ERR_INVALID_ARG
 * for size 0 or below min_size, or a larger size with non-zero bytes past
 * dst_size (fields of a newer header this library does not know).
 */
enum mcred_err mcred_struct_take(void *dst, size_t dst_size, const void *given, size_t min_size,
				 const char *what, const char *init, struct mcred_error *err);

/* Zero size bytes at p and store size in its leading size_t (the _init_size functions). */
void mcred_struct_init(void *p, size_t size);

/*
 * The public caller-filled structs taken into full copies with their
 * defaults (NULL given: the defaults). The first versions, 0.2.0, end
 * at the last member they have today.
 */
enum mcred_err mcred_options_take(struct mcred_options *o, const struct mcred_options *given,
				  struct mcred_error *err);
enum mcred_err mcred_transport_take(struct mcred_transport *t, const struct mcred_transport *given,
				    struct mcred_error *err);
enum mcred_err mcred_keygen_request_take(struct mcred_keygen_request *r,
					 const struct mcred_keygen_request *given,
					 struct mcred_error *err);
enum mcred_err mcred_verify_options_take(struct mcred_verify_options *o,
					 const struct mcred_verify_options *given,
					 struct mcred_error *err);
enum mcred_err mcred_provision_request_take(struct mcred_provision_request *r,
					    const struct mcred_provision_request *given,
					    struct mcred_error *err);

#endif
