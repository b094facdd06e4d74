/*
 * modemcred: manage the TLS credentials of Nordic nRF91 modems.
 * Everything happens in app.c (and the library); main() only hands over.
 */
#include <stdlib.h>

#include <openssl/crypto.h>

#include "cli.h"

int main(int argc, char **argv)
{
	/*
	 * OpenSSL reads openssl.cnf when first used, about 1.5 ms of every run;
	 * modemcred only hashes and checks signatures with the default
	 * provider and needs nothing from it. The program decides this, not
	 * the library: OpenSSL reads its configuration once per process, so a
	 * library skipping it would take a host program's TLS settings away.
	 * A file named by OPENSSL_CONF is still read.
	 */
	if (!getenv("OPENSSL_CONF"))
		OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, NULL);
	return cli_app_main(argc, argv);
}
