/*
 * Caller-filled structs that can grow (see "Structs you fill" in
 * modemcred.h and "ABI stability" in libmodemcred.3): each starts with
 * size_t size, which its _init macro sets to the program's own sizeof.
 * mcred_struct_take() copies such a struct into the library's own
 * full-size copy, so that a program built against an older (smaller) or
 * newer header is read correctly; the _take functions below do it for each
 * public struct, with its defaults.
 */
#ifndef MODEMCRED_STRUCT_SIZE_H
#define MODEMCRED_STRUCT_SIZE_H

#include <stddef.h>

#include "modemcred.h"

/*
 * Copy the caller's struct at given (first member size_t size) into dst,
 * which is dst_size bytes and already holds the defaults: only the fields
 * that fit in the caller's size are taken, dst->size becomes dst_size. min_size
 * is the size of the struct's first version; what names it in messages
 * ("struct mcred_options", and how to initialise it). MCRED_ERR_INVALID_ARG
 * for size 0 or below min_size, or a larger size with non-zero bytes past
 * dst_size (fields of a newer header this library does not know).
 */
/* How much a struct may grow beyond this library's: a larger size is garbage (no _init). */
#define MCRED_STRUCT_GROWTH_MAX 4096u

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
