/*
 * Internal pieces of provisioning (lib/provision.c, lib/ca.c) that are pure
 * and unit-tested on their own: the firmware rule and the device id rule.
 */
#ifndef MODEMCRED_PROVISION_H
#define MODEMCRED_PROVISION_H

#include <stddef.h>

#include "modemcred.h"

/*
 * Whether firmware (an AT+CGMR answer such as "mfw_nrf9160_1.3.5") can run
 * %KEYGEN: nRF9160 firmware from 1.3.0 on; every nRF91x1 and later firmware.
 * Returns 1 when it can; else 0 and why (a sentence) in why.
 */
int mcred_fw_keygen_capable(const char *firmware, char *why, size_t why_len);

/*
 * The device id for kind: prefix (may be NULL) and the UUID, the IMEI or
 * "nrf-<IMEI>". uuid/imei may be "" when the kind does not need them.
 * MCRED_ERR_INVALID_ARG when the input is missing or the id would exceed
 * MCRED_DEVICE_ID_MAX characters or hold a character a CN, a file name or
 * the onboarding CSV cannot take.
 */
enum mcred_err mcred_device_id_make(enum mcred_device_id_kind kind, const char *prefix,
				    const char *imei, const char *uuid,
				    char out[MCRED_DEVICE_ID_MAX + 1], struct mcred_error *err);

/* 1 when text is a valid id prefix (the characters a device id may hold). */
int mcred_device_id_chars_ok(const char *text);

#endif
