/*
 * keygen_csr: let the modem generate a private key in a security tag, fetch
 * the CSR and check that it is intact and bound to this modem and tag.
 *
 *   keygen_csr PORT TAG [IDENTITY_PUBKEY.pem] > device.csr
 *
 * The private key never leaves the modem. Checks: the CSR's self-signature,
 * the COSE digest of the CSR, the security tag and payload id in the COSE
 * payload and, given the device identity public key, the COSE signature.
 * Build: make examples   (build/examples/keygen_csr)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modemcred.h"

static char *read_text(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = calloc(1, 16384);
	if (buf)
		(void)fread(buf, 1, 16383, f);
	fclose(f);
	return buf;
}

static void print_check(const char *what, enum mcred_check check)
{
	fprintf(stderr, "  %-16s %s\n", what, mcred_check_name(check));
}

static int check_and_print(const char *blob, const struct mcred_keygen_request *req,
			   const char *identity_pem)
{
	struct mcred_verify_options vopts;
	mcred_verify_options_init(&vopts);
	vopts.expected_tag = req->tag;
	vopts.expected_payload_id = mcred_keygen_kind_payload_id(req->kind);
	vopts.check_subject = 1; /* the CSR must name exactly what was asked */
	vopts.expected_attributes = req->attributes;
	vopts.identity_key_pem = identity_pem;

	mcred_report *report;
	struct mcred_error err;
	if (mcred_keygen_verify(blob, strlen(blob), &vopts, &report, &err) != MCRED_OK) {
		fprintf(stderr, "cannot decode the answer: %s\n", err.message);
		return 5;
	}
	fprintf(stderr, "device %s, subject %s\n", mcred_report_device_uuid(report),
		mcred_report_subject(report) ? mcred_report_subject(report) : "-");
	print_check("CSR signature", mcred_report_csr_signature_check(report));
	print_check("subject", mcred_report_subject_check(report));
	print_check("digest", mcred_report_digest_check(report));
	print_check("security tag", mcred_report_sec_tag_check(report));
	print_check("payload id", mcred_report_payload_id_check(report));
	print_check("COSE signature", mcred_report_cose_signature_check(report));

	int ok = mcred_report_ok(report);
	if (ok)
		fputs(mcred_report_csr_pem(report), stdout);
	else
		fprintf(stderr, "REJECTED: %s\n", mcred_report_problem(report));
	mcred_report_free(report);
	return ok ? 0 : 5;
}

int main(int argc, char **argv)
{
	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: %s PORT TAG [IDENTITY_PUBKEY.pem] > device.csr\n", argv[0]);
		return 2;
	}
	char *identity_pem = argc == 4 ? read_text(argv[3]) : NULL;
	if (argc == 4 && !identity_pem) {
		perror(argv[3]);
		return 2;
	}

	struct mcred_keygen_request req;
	mcred_keygen_request_init(&req); /* always first: it sets req.size */
	req.tag = (uint32_t)strtoul(argv[2], NULL, 10);
	req.kind = MCRED_KEYGEN_CSR;
	req.attributes = "CN=example-device,O=Example Factory";
	req.key_usage = NULL; /* modem default */
	struct mcred_error err;
	if (mcred_keygen_check(&req, &err) != MCRED_OK) {
		fprintf(stderr, "%s\n", err.message);
		free(identity_pem);
		return 2;
	}

	struct mcred_options opts;
	mcred_options_init(&opts);
	opts.auto_offline = 1;

	mcred_modem *modem;
	if (mcred_modem_open(&modem, argv[1], &opts, &err) != MCRED_OK) {
		fprintf(stderr, "open: %s\n", err.message);
		free(identity_pem);
		return 3;
	}
	char *blob = NULL;
	int status;
	if (mcred_keygen_run(modem, &req, &blob) != MCRED_OK) {
		fprintf(stderr, "keygen: %s\n", mcred_modem_error(modem)->message);
		status = 4;
	} else {
		status = check_and_print(blob, &req, identity_pem);
	}
	free(blob);
	mcred_modem_free(modem);
	free(identity_pem);
	return status;
}
