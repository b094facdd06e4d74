/*
 * The provisioning station: one thread and one modem handle per port, each
 * running mcred_provision(); live progress (a line per port on a terminal,
 * JSON events otherwise), artifacts, ledger, onboarding CSV, a summary.
 */
#ifndef MODEMCRED_CLI_STATION_H
#define MODEMCRED_CLI_STATION_H

#include <stddef.h>

#include "ledger.h"
#include "modemcred.h"

struct station_config {
	struct mcred_options opts;            /* connection settings of every port */
	struct mcred_provision_request req;   /* the callbacks are the station's */
	const char *out_dir;                  /* artifacts */
	const char *cert_dir;                 /* certificates issued elsewhere, or NULL */
	const char *ledger;                   /* or NULL */
	struct csv_options csv;               /* csv.path NULL: no onboarding CSV */
	struct attest_csv_options attest_csv; /* path NULL: no claim CSV */
	int json;                             /* JSON events instead of live lines */
	int quiet;
	int verbose; /* -v: every port's AT trace on stderr, each line after its port's name */
	const char *const *ports;
	size_t nports;
};

/*
 * The modem port (a kit's first, in the list's order) of every Nordic kit in
 * list (all), or of the kits whose USB serial number is in serials. Writes
 * at most max names (pointing into list) to out and returns their count;
 * *missing is set to a serial number no kit has, else NULL.
 */
long station_kit_ports(const struct mcred_port_list *list, int all, const char *const *serials,
		       size_t nserials, const char **out, size_t max, const char **missing);

/*
 * Two of the n ports that name one device: the same name, or two names of
 * one device (a symlink such as /dev/serial/by-id/..., a second device
 * node), compared by device number. Two runs on one modem would fight.
 * Returns 1 with *first < *second naming them, 0 when all differ, -1 when
 * out of memory. Each port is looked at once (stat), whatever n.
 */
int station_duplicate_port(const char *const *ports, size_t n, size_t *first, size_t *second);

/*
 * Provision every port in parallel; returns the exit code: 0 when every
 * modem ended provisioned, renewed or unchanged, 8 when some stopped after
 * the CSR, else the highest code of the documented table (130 after Ctrl-C;
 * 1 when a full disk stopped the station: every mode is restored).
 */
int station_run(const struct station_config *cfg);

#endif
