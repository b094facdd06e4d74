/*
 * Structs that can grow (see "Structs you fill" in modemcred.h): the size
 * field the _init macros set is checked by the library; a struct of an older,
 * smaller version gets the defaults for the fields it lacks; size 0 and sizes
 * below the first version are refused with a message saying what to do; a
 * newer, larger struct is taken when what this library does not know is
 * zero.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "struct_size.h"
#include "support/structs.h"

/* A struct in two versions: version 2 added c, whose default is 7. */
struct sample_v1 {
	size_t size;
	int a;
	const char *b;
};
struct sample_v2 {
	size_t size;
	int a;
	const char *b;
	int c;
};

static void sample_defaults(struct sample_v2 *s)
{
	mcred_struct_init(s, sizeof(*s));
	s->c = 7;
}

static enum mcred_err take_sample(struct sample_v2 *out, const void *given, struct mcred_error *err)
{
	sample_defaults(out);
	return mcred_struct_take(out, sizeof(*out), given, sizeof(struct sample_v1),
				 "struct sample", "sample_init", err);
}

static void older_size_gets_defaults(void **state)
{
	struct sample_v1 old;
	struct sample_v2 got;
	struct mcred_error err;

	(void)state;
	mcred_struct_init(&old, sizeof(old));
	assert_int_equal(old.size, sizeof(old));
	old.a = 42;
	old.b = "kept";
	assert_int_equal(take_sample(&got, &old, &err), MCRED_OK);
	assert_int_equal(got.size, sizeof(got));
	assert_int_equal(got.a, 42);
	assert_string_equal(got.b, "kept");
	assert_int_equal(got.c, 7); /* not in the caller's struct: the default */

	/* the same with a current struct whose size says "version 1" */
	struct sample_v2 cut;
	mcred_struct_init(&cut, sizeof(cut));
	cut.a = 1;
	cut.c = 99; /* beyond the given size: never read */
	cut.size = offsetof(struct sample_v2, c);
	assert_int_equal(take_sample(&got, &cut, &err), MCRED_OK);
	assert_int_equal(got.a, 1);
	assert_int_equal(got.c, 7);

	/* the whole current struct: every field is read */
	cut.size = sizeof(cut);
	assert_int_equal(take_sample(&got, &cut, &err), MCRED_OK);
	assert_int_equal(got.c, 99);
}

static void size_zero_and_too_small_are_refused(void **state)
{
	struct sample_v2 s, got;
	struct mcred_error err;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.a = 1;
	assert_int_equal(take_sample(&got, &s, &err), MCRED_ERR_INVALID_ARG);
	assert_non_null(strstr(err.message, "struct sample has size 0"));
	assert_non_null(strstr(err.message, "sample_init()"));

	s.size = offsetof(struct sample_v1, b);
	assert_int_equal(take_sample(&got, &s, &err), MCRED_ERR_INVALID_ARG);
	assert_non_null(strstr(err.message, "less than the"));
	assert_non_null(strstr(err.message, "sample_init()"));
	/* a struct never initialised: a garbage size is refused without reading past it */
	s.size = (size_t)0xdeadbeefcafe;
	assert_int_equal(take_sample(&got, &s, &err), MCRED_ERR_INVALID_ARG);
	assert_non_null(strstr(err.message, "which no version of it has"));
}

static void newer_size_needs_unknown_fields_zero(void **state)
{
	/* a struct of a newer header: 16 more bytes this library does not know */
	struct {
		struct mcred_options o;
		unsigned char newer[16];
	} big;
	struct mcred_options got;
	struct mcred_error err;

	(void)state;
	mcred_struct_init(&big, sizeof(big));
	big.o.timeout_ms = 1234;
	assert_int_equal(mcred_options_take(&got, &big.o, &err), MCRED_OK);
	assert_int_equal(got.size, sizeof(got));
	assert_int_equal(got.timeout_ms, 1234);

	big.newer[3] = 1;
	assert_int_equal(mcred_options_take(&got, &big.o, &err), MCRED_ERR_INVALID_ARG);
	assert_non_null(strstr(err.message, "newer header"));
}

static void init_macros_set_the_callers_size(void **state)
{
	struct mcred_options o;
	struct mcred_verify_options v;
	struct mcred_keygen_request k;
	struct mcred_provision_request p;
	struct mcred_transport t;

	(void)state;
	memset(&o, 0xa5, sizeof(o));
	mcred_options_init(&o);
	assert_int_equal(o.size, sizeof(o));
	assert_int_equal(o.baud, 0);
	mcred_verify_options_init(&v);
	assert_int_equal(v.size, sizeof(v));
	assert_int_equal(v.expected_tag, -1);
	mcred_keygen_request_init(&k);
	assert_int_equal(k.size, sizeof(k));
	assert_int_equal(k.kind, MCRED_KEYGEN_CSR);
	mcred_provision_request_init(&p);
	assert_int_equal(p.size, sizeof(p));
	assert_int_equal(p.days, 3650);
	mcred_transport_init(&t);
	assert_int_equal(t.size, sizeof(t));
	assert_null(t.read);
}

/* Every public function that takes one of the structs refuses size 0, sending nothing. */
static void public_functions_refuse_size_zero(void **state)
{
	struct mcred_options o;
	struct mcred_verify_options v;
	struct mcred_keygen_request k;
	struct mcred_provision_request p;
	struct mcred_transport t;
	struct mcred_error err;
	mcred_report *rep = (mcred_report *)1;
	mcred_modem *m = (mcred_modem *)1;
	char sha[65];

	(void)state;
	memset(&o, 0, sizeof(o));
	assert_int_equal(mcred_cmng_check_write(1, 0, "x", 1, NULL, &o, &err),
			 MCRED_ERR_INVALID_ARG);
	assert_string_equal(err.message, "struct mcred_options has size 0: initialise it with "
					 "mcred_options_init() before setting its fields");
	assert_int_equal(mcred_cmng_write_digest(0, "x", 1, &o, sha, &err), MCRED_ERR_INVALID_ARG);
	assert_non_null(strstr(err.message, "mcred_options_init()"));
	assert_int_equal(mcred_modem_open(&m, "/dev/null", &o, &err), MCRED_ERR_INVALID_ARG);
	assert_null(m);
	assert_non_null(strstr(err.message, "mcred_options_init()"));

	memset(&t, 0, sizeof(t));
	t.read = (int (*)(void *, uint8_t *, size_t, unsigned))1;
	assert_int_equal(mcred_modem_open_transport(&m, &t, NULL, &err), MCRED_ERR_INVALID_ARG);
	assert_non_null(strstr(err.message, "mcred_transport_init()"));

	memset(&k, 0, sizeof(k));
	k.tag = 5;
	assert_int_equal(mcred_keygen_check(&k, &err), MCRED_ERR_INVALID_ARG);
	assert_non_null(strstr(err.message, "struct mcred_keygen_request has size 0"));

	memset(&v, 0, sizeof(v));
	assert_int_equal(mcred_keygen_verify("a.b", 3, &v, &rep, &err), MCRED_ERR_INVALID_ARG);
	assert_null(rep);
	assert_non_null(strstr(err.message, "mcred_verify_options_init()"));
	assert_int_equal(mcred_identity_key_parse("x", 1, &v, &err), MCRED_ERR_INVALID_ARG);
	assert_non_null(strstr(err.message, "mcred_verify_options_init()"));

	memset(&p, 0, sizeof(p));
	p.tag = 5;
	assert_int_equal(mcred_provision_check(&p, &err), MCRED_ERR_INVALID_ARG);
	assert_non_null(strstr(err.message, "mcred_provision_request_init()"));
}

/* The result the caller allocates: its size is checked, its strings are never NULL. */
static void provision_result_needs_init(void **state)
{
	struct mcred_provision_request req;
	struct mcred_provision_result res;

	(void)state;
	mcred_provision_request_init(&req);
	req.tag = 5;
	memset(&res, 0, sizeof(res));
	assert_int_equal(mcred_provision(NULL, &req, &res), MCRED_ERR_INVALID_ARG);
	assert_int_equal(res.error.code, MCRED_ERR_INVALID_ARG);
	assert_non_null(strstr(res.error.message, "mcred_provision_result_init()"));
	assert_string_equal(res.model, "");
	assert_string_equal(res.firmware, "");
	assert_string_equal(res.cert_serial, "");
	mcred_provision_result_clear(&res);
	assert_null(res.model);

	/* a struct never initialised holds garbage: a size far too large is no size */
	memset(&res, 0x5A, sizeof(res));
	assert_int_equal(mcred_provision(NULL, &req, &res), MCRED_ERR_INVALID_ARG);
	assert_non_null(strstr(res.error.message, "mcred_provision_result_init()"));
	mcred_provision_result_clear(&res);

	/* initialised: the size passes, the missing modem is the error */
	mcred_provision_result_init(&res);
	assert_int_equal(mcred_provision(NULL, &req, &res), MCRED_ERR_INVALID_ARG);
	assert_int_equal(res.size, sizeof(res));
	assert_string_equal(res.error.message, "no modem given");
	assert_string_equal(res.cert_serial, "");
	mcred_provision_result_clear(&res);
	assert_int_equal(res.size, sizeof(res));
}

/* Ports: the list holds pointers to growable records, each with its size. */
static void port_list_records_carry_their_size(void **state)
{
	struct mcred_port_list *list = NULL;
	struct mcred_error err;

	(void)state;
	assert_int_equal(mcred_port_list_get(&list, &err), MCRED_OK);
	for (size_t i = 0; i < list->count; i++) {
		assert_int_equal(list->ports[i]->size, sizeof(struct mcred_port));
		assert_non_null(list->ports[i]->name);
		assert_non_null(list->ports[i]->description);
		assert_non_null(list->ports[i]->serial);
	}
	mcred_port_list_free(list);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(older_size_gets_defaults),
		cmocka_unit_test(size_zero_and_too_small_are_refused),
		cmocka_unit_test(newer_size_needs_unknown_fields_zero),
		cmocka_unit_test(init_macros_set_the_callers_size),
		cmocka_unit_test(public_functions_refuse_size_zero),
		cmocka_unit_test(provision_result_needs_init),
		cmocka_unit_test(port_list_records_carry_their_size),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
