/*
 * The names of version 0.1.0 that did not follow mcred_<noun>_<verb> (see
 * "Names" at the top of modemcred.h). Each stays a real exported function,
 * so that programs built against 0.1.0 keep linking and running, and only
 * calls its new name. Nothing in the tree calls them but their unit test
 * (tests/unit/test_deprecated.c).
 *
 * Those that take a struct which gained a size field in 0.2.0 exist twice:
 * the ones here (version MODEMCRED_0.2, the new layout) and those of
 * compat_v0_1.c (MODEMCRED_0.1, the layout of 0.1.0).
 */
#include "abi.h" /* first: this file defines functions of two layouts */

#include <stdlib.h>

#include "modemcred.h"

MCRED_DEFAULT_VERSION(mcred_verify_keygen);
MCRED_DEFAULT_VERSION(mcred_verify_attest);
MCRED_DEFAULT_VERSION(mcred_keygen);
MCRED_DEFAULT_VERSION(mcred_ports_list);

enum mcred_err mcred_verify_keygen(const char *blob, size_t len,
				   const struct mcred_verify_options *opts, mcred_report **out,
				   struct mcred_error *err)
{
	return mcred_keygen_verify(blob, len, opts, out, err);
}

enum mcred_err mcred_verify_attest(const char *blob, size_t len,
				   const struct mcred_verify_options *opts, mcred_report **out,
				   struct mcred_error *err)
{
	return mcred_attest_verify(blob, len, opts, out, err);
}

enum mcred_err mcred_keygen(mcred_modem *modem, const struct mcred_keygen_request *req, char **blob)
{
	return mcred_keygen_run(modem, req, blob);
}

enum mcred_err mcred_attest_token(mcred_modem *modem, const char *challenge, char **blob)
{
	return mcred_attest_run(modem, challenge, blob);
}

enum mcred_err mcred_ports_list(struct mcred_port_list **out, struct mcred_error *err)
{
	return mcred_port_list_get(out, err);
}

enum mcred_err mcred_ports_find_kit(char *name, size_t name_len, struct mcred_error *err)
{
	return mcred_port_find_kit(name, name_len, err);
}

enum mcred_check mcred_report_csr_signature(const mcred_report *r)
{
	return mcred_report_csr_signature_check(r);
}

enum mcred_check mcred_report_cose_signature(const mcred_report *r)
{
	return mcred_report_cose_signature_check(r);
}

/* Copy content with every CRLF turned into LF; returns the new length. */
static size_t crlf_to_lf(const char *in, size_t len, char *out)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		if (in[i] == '\r' && i + 1 < len && in[i + 1] == '\n')
			continue;
		out[n++] = in[i];
	}
	return n;
}

/*
 * Not a plain alias: a write's digest also drops a PSK's trailing line break,
 * which this never did; mcred_cmng_write_digest() is the one that is right.
 * Kept as it was for programs that call it.
 */
enum mcred_err mcred_content_digest(const char *content, size_t len, int normalise, char sha256[65])
{
	char *copy;
	size_t n;
	enum mcred_err rc;

	/* without normalisation it is the plain digest; bad arguments fail there too */
	if (!normalise || !sha256 || (!content && len))
		return mcred_cmng_read_digest(content, len, sha256);
	copy = malloc(len + 1);
	if (!copy)
		return MCRED_ERR_NOMEM;
	n = crlf_to_lf(content ? content : "", len, copy);
	rc = mcred_cmng_read_digest(copy, n, sha256);
	/* the content may be a private key or PSK */
	mcred_secret_free(copy, len + 1);
	return rc;
}
