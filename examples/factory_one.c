/*
 * factory_one: provision one modem with mcred_provision(), as gateway
 * software would: a key made on the modem, a certificate from the factory
 * CA, the root CA and the certificate written and verified.
 *
 *   factory_one PORT CA.pem CA.key|pkcs11:URI ROOT.pem [SECRET_FILE]
 *
 * The CA key is a PEM file (encrypted or not) or an RFC 7512 PKCS#11 URI of
 * a key in an HSM ('pkcs11:token=factory;object=line-ca'), which then
 * makes the signature. SECRET_FILE's first line is the token's PIN or the
 * PEM key's passphrase, read only if the key needs it.
 *
 * Prints each step and the result; saves <device id>_crt.pem in the current
 * directory. (modemcred provision does the same for many modems at once,
 * with resumable artifacts, a ledger and the onboarding CSV.)
 * Build: make examples   (build/examples/factory_one)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modemcred.h"

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n + 1)) != NULL) {
		*len = fread(buf, 1, (size_t)n, f);
		buf[*len] = '\0';
	}
	fclose(f);
	return buf;
}

/* The CA key's PIN or passphrase: the first line of the file given, when asked for. */
static int read_secret(char *buf, size_t size, int is_pin, void *user)
{
	const char *path = user;
	FILE *f = path ? fopen(path, "r") : NULL;
	size_t n;

	(void)is_pin;
	if (!f)
		return -1;
	n = fgets(buf, (int)size, f) ? strcspn(buf, "\r\n") : 0;
	fclose(f);
	return n > 0 ? (int)n : -1;
}

static void on_step(enum mcred_provision_step step, void *user)
{
	(void)user;
	printf("  %s\n", mcred_provision_step_name(step));
}

/* Keep the certificate; a real station also keeps the CSR and the key digest. */
static int on_save(const struct mcred_provision_artifacts *a, void *user)
{
	char path[128];
	FILE *f;

	(void)user;
	if (!a->cert_pem)
		return 0;
	snprintf(path, sizeof(path), "%s_crt.pem", a->device_id);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fputs(a->cert_pem, f);
	return fclose(f) == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct mcred_provision_request req;
	struct mcred_provision_result res;
	struct mcred_error err = { MCRED_OK, -1, "" };
	struct mcred_ca_key key;
	char *ca_pem, *key_pem = NULL, *root_pem;
	size_t ca_len = 0, key_len = 0, root_len = 0;
	mcred_ca *ca = NULL;
	mcred_modem *m = NULL;
	int code = 1;

	if (argc != 5 && argc != 6) {
		fprintf(stderr, "usage: %s PORT CA.pem CA.key|pkcs11:URI ROOT.pem [SECRET_FILE]\n",
			argv[0]);
		return 2;
	}
	mcred_ca_key_init(&key);
	if (strncmp(argv[3], "pkcs11:", 7) == 0)
		key.uri = argv[3]; /* the token signs; the key never comes here */
	else if ((key_pem = read_file(argv[3], &key_len)) != NULL) {
		key.pem = key_pem;
		key.pem_len = key_len;
	}
	key.password_cb = read_secret;
	key.user = argc == 6 ? argv[5] : NULL;
	ca_pem = read_file(argv[2], &ca_len);
	root_pem = read_file(argv[4], &root_len);
	/* Check the CA before touching the modem. */
	if (!ca_pem || (!key.uri && !key_pem) || !root_pem)
		fprintf(stderr, "cannot read the CA, key or root file\n");
	else if (mcred_ca_open(&ca, ca_pem, ca_len, &key, &err) != MCRED_OK)
		fprintf(stderr, "CA: %s\n", err.message);
	if (!ca) {
		free(ca_pem);
		if (key_pem)
			mcred_secret_free(key_pem, key_len);
		free(root_pem);
		return 2;
	}
	if (key_pem)
		mcred_secret_free(key_pem, key_len); /* the key lives in ca now */
	key_pem = NULL;
	if (mcred_modem_open(&m, argv[1], NULL, &err) != MCRED_OK) {
		fprintf(stderr, "%s\n", err.message);
		mcred_ca_free(ca);
		free(ca_pem);
		free(root_pem);
		return 3;
	}
	mcred_provision_request_init(&req);
	req.tag = 16842753;
	req.ca = ca;
	req.root_ca_pem = root_pem;
	req.progress_cb = on_step;
	req.save_cb = on_save;
	mcred_provision_result_init(&res);
	if (mcred_provision(m, &req, &res) == MCRED_OK) {
		printf("%s: %s, certificate serial %s\n", res.device_id,
		       mcred_provision_status_name(res.status), res.cert_serial);
		code = 0;
	} else {
		fprintf(stderr, "failed at %s: %s\n", mcred_provision_step_name(res.step),
			res.error.message);
	}
	mcred_provision_result_clear(&res);
	mcred_modem_free(m);
	mcred_ca_free(ca);
	free(ca_pem);
	free(key_pem);
	free(root_pem);
	return code;
}
