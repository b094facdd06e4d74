/*
 * modemcred: manage the TLS credentials of Nordic nRF91 modems.
 * Everything happens in app.c (and the library); main() only hands over.
 */
#include "cli.h"

int main(int argc, char **argv)
{
	return cli_app_main(argc, argv);
}
