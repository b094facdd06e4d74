/*
 * modemcred: manage the TLS credentials of Nordic nRF91 modems.
 * Everything happens in app.c (and the library); main() only hands over.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "cli.h"

/*
 * Standard input, output and error must be open before anything else is:
 * a program started with one closed (">&-") would get the serial port as
 * that descriptor, and its output would go to the modem as commands. A
 * closed one is taken by /dev/null. Returns 1 when standard output was
 * the closed one: what the command prints would be lost, so nothing is
 * done (the output-lost exit, as for a reader that went away).
 */
static int open_standard_fds(void)
{
	int fd, stdout_closed = 0;

	for (fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		/* the lowest free descriptor: fd itself, those below are open */
		if (open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY) != fd)
			_exit(CLI_EXIT_FAILURE);
		stdout_closed |= fd == 1;
	}
	return stdout_closed;
}

int main(int argc, char **argv)
{
	if (open_standard_fds()) {
		fputs("modemcred: standard output is closed: nothing was done (give >/dev/null to "
		      "discard what it prints)\n",
		      stderr);
		return CLI_EXIT_OUTPUT_LOST;
	}
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
