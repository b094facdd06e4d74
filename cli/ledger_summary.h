/*
 * `modemcred provision --summary LEDGER`: what a ledger says for planning a
 * line. For each timed step (the records' steps_s) the median and 95th
 * percentile; the results counted; per port the devices provisioned and
 * the devices per hour at its median time per provisioned device.
 */
#ifndef MODEMCRED_CLI_LEDGER_SUMMARY_H
#define MODEMCRED_CLI_LEDGER_SUMMARY_H

#include <stddef.h>
#include <stdio.h>

#include "ledger.h"

/* One statistic over a set of seconds. */
struct seconds_stats {
	size_t n;
	double median, p95; /* nearest-rank 95th percentile; 0 when n is 0 */
};

/* The seconds of one port (or of all: port NULL) for provisioned and renewed records. */
struct port_stats {
	char *port;
	size_t devices;
	struct seconds_stats per_device;
	double per_hour; /* 3600 / median seconds per device; 0 when none */
};

struct ledger_summary {
	size_t records, unreadable; /* lines, and those that are no ledger record */
	size_t provisioned, renewed, unchanged, csr_saved, failed;
	struct seconds_stats steps[LEDGER_STEPS];
	struct port_stats *ports; /* in the order they first appear */
	size_t nports;
	struct port_stats all;
};

/* Median and nearest-rank 95th percentile of v[0..n) (sorted in place). */
struct seconds_stats seconds_stats_of(double *v, size_t n);

/* The summary of a ledger's text; 0, or -1 when out of memory. */
int ledger_summarize(const char *text, size_t len, struct ledger_summary *s);
void ledger_summary_free(struct ledger_summary *s);

/* Print it: a table, or one JSON document. */
void ledger_summary_print(const struct ledger_summary *s, const char *name, int json, FILE *out);

/* The command: read path, print; the exit code (2 when it cannot be read). */
int ledger_summary_command(const char *path, int json);

#endif
