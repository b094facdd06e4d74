/* The pure parts of port discovery (ports.c), testable without hardware. */
#ifndef MODEMCRED_PORTS_H
#define MODEMCRED_PORTS_H

#include <stddef.h>

#include "modemcred.h"

/*
 * Kit name for a USB vendor and serial number ("nRF9160 DK"), or NULL: not
 * Nordic's or SEGGER's, or a Nordic kit known to have no modem (nRF5340 DK...).
 */
const char *mcred_kit_name(int usb_vid, const char *serial);
/* Natural order of port names: ttyACM2 before ttyACM10. */
int mcred_port_name_compare(const char *a, const char *b);
/* The modem port of the only kit in list (see mcred_ports_find_kit). */
enum mcred_err mcred_port_pick_kit(const struct mcred_port_list *list, char *name, size_t name_len,
				   struct mcred_error *err);
/* The modem port of the kit in list with exactly this USB serial number. */
enum mcred_err mcred_port_pick_kit_by_serial(const struct mcred_port_list *list, const char *serial,
					     char *name, size_t name_len, struct mcred_error *err);

#endif
