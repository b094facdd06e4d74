/*
 * Port discovery: list serial ports through libserialport and recognise
 * Nordic kits by USB vendor and serial-number prefix (README.md, "Real
 * devices: what the code relies on", Kits and ports).
 * The recognition and the choice of "the" kit are pure functions
 * (mcred_kit_name, mcred_port_pick_kit, mcred_port_pick_kit_by_serial) so
 * they can be tested without hardware.
 */
#define _GNU_SOURCE /* strverscmp */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libserialport.h>

#include "error.h"
#include "ports.h"

#define USB_VID_SEGGER 0x1366
#define USB_VID_NORDIC 0x1915

struct kit_prefix {
	const char *serial_prefix;
	const char *kit;
};

/* Kits with an nRF91 modem (nrfcloud-utils' usb_patterns); "THINGY91" after "THINGY91X". */
static const struct kit_prefix kit_prefixes[] = {
	{ "0009600", "nRF9160 DK" },  { "0010509", "nRF9161 DK" },  { "0010512", "nRF9151 DK" },
	{ "0010520", "nRF9151 DK" },  { "0010510", "nRF9131 EK" },  { "0010550", "Thingy:91 X" },
	{ "0010551", "Thingy:91 X" }, { "0010513", "Thingy:91 X" }, { "THINGY91X", "Thingy:91 X" },
	{ "THINGY91", "Thingy:91" },  { "PCA20035", "Thingy:91" },
};

/*
 * Nordic kits without a cellular modem, on the same USB vendors (nrfcloud-utils'
 * usb_patterns): nRF5340 DK, nRF7002 DK, nRF54H20 DK, nRF54L15 DK. On a desk
 * they sit beside the nRF91 kits; no AT command is for them.
 */
static const struct kit_prefix modemless_kits[] = {
	{ "0009601", "nRF5340 DK" },  { "0010500", "nRF5340 DK" },  { "0010507", "nRF7002 DK" },
	{ "0010511", "nRF54H20 DK" }, { "0010577", "nRF54L15 DK" },
};

static int has_prefix(const char *serial, const char *prefix)
{
	return serial && strncmp(serial, prefix, strlen(prefix)) == 0;
}

/* The name of a Nordic kit known to have no modem, or NULL. */
static const char *modemless_kit(int usb_vid, const char *serial)
{
	if (usb_vid != USB_VID_SEGGER && usb_vid != USB_VID_NORDIC)
		return NULL;
	for (size_t i = 0; i < sizeof(modemless_kits) / sizeof(modemless_kits[0]); i++)
		if (has_prefix(serial, modemless_kits[i].serial_prefix))
			return modemless_kits[i].kit;
	return NULL;
}

const char *mcred_kit_name(int usb_vid, const char *serial)
{
	if (usb_vid != USB_VID_SEGGER && usb_vid != USB_VID_NORDIC)
		return NULL;
	if (modemless_kit(usb_vid, serial))
		return NULL;
	for (size_t i = 0; i < sizeof(kit_prefixes) / sizeof(kit_prefixes[0]); i++)
		if (has_prefix(serial, kit_prefixes[i].serial_prefix))
			return kit_prefixes[i].kit;
	return "Nordic device";
}

/*
 * Natural order, so ttyACM2 comes before ttyACM10: strverscmp() does exactly
 * that (glibc and musl have it).
 */
int mcred_port_name_compare(const char *a, const char *b)
{
	return strverscmp(a, b);
}

/* Ports of one kit share a USB serial; a kit port without one stands alone. */
static int same_kit(const struct mcred_port *a, const struct mcred_port *b)
{
	if (a == b)
		return 1;
	return a->serial[0] && strcmp(a->serial, b->serial) == 0;
}

/* Index of the first kit port of the kit port i belongs to. */
static size_t kit_representative(const struct mcred_port_list *list, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (list->ports[j]->kit && same_kit(list->ports[j], list->ports[i]))
			return j;
	return i;
}

/* The naturally first port name of the kit that port i belongs to. */
static const char *first_port_of_kit(const struct mcred_port_list *list, size_t i)
{
	const char *best = list->ports[i]->name;

	for (size_t j = 0; j < list->count; j++) {
		const struct mcred_port *p = list->ports[j];

		if (p->kit && same_kit(p, list->ports[i]) &&
		    mcred_port_name_compare(p->name, best) < 0)
			best = p->name;
	}
	return best;
}

/*
 * "nRF9160 DK /dev/ttyACM0 (000960011111), ..." for each kit of list into
 * found, for messages; returns the number of kits and the first one's index.
 */
static size_t describe_kits(const struct mcred_port_list *list, char *found, size_t len,
			    size_t *first)
{
	size_t kits = 0;

	found[0] = '\0';
	for (size_t i = 0; list && i < list->count; i++) {
		size_t used = strlen(found);

		if (!list->ports[i]->kit || kit_representative(list, i) != i)
			continue;
		if (kits++ == 0)
			*first = i;
		snprintf(found + used, len - used, "%s%s %s (%s)", kits > 1 ? ", " : "",
			 list->ports[i]->kit, first_port_of_kit(list, i),
			 list->ports[i]->serial[0] ? list->ports[i]->serial : "no serial");
	}
	return kits;
}

/* The modem port (the first one) of the kit port i belongs to, into name. */
static enum mcred_err copy_kit_port(const struct mcred_port_list *list, size_t i, char *name,
				    size_t name_len, struct mcred_error *err)
{
	const char *port = first_port_of_kit(list, i);

	if (strlen(port) >= name_len)
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG, "port name too long");
	strcpy(name, port);
	mcred_error_clear(err);
	return MCRED_OK;
}

enum mcred_err mcred_port_pick_kit(const struct mcred_port_list *list, char *name, size_t name_len,
				   struct mcred_error *err)
{
	char found[400];
	size_t kits, chosen = 0;

	if (!name || name_len == 0)
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG, "no buffer for the port name");
	name[0] = '\0';
	kits = describe_kits(list, found, sizeof(found), &chosen);
	if (kits == 0)
		return mcred_error_set(err, MCRED_ERR_NOT_FOUND,
				       "no Nordic kit found (is it connected and powered?)");
	if (kits > 1)
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG,
				       "%zu Nordic kits found, name the port of one: %s", kits,
				       found);
	return copy_kit_port(list, chosen, name, name_len, err);
}

enum mcred_err mcred_port_pick_kit_by_serial(const struct mcred_port_list *list, const char *serial,
					     char *name, size_t name_len, struct mcred_error *err)
{
	char found[400];
	size_t first = 0;

	if (!name || name_len == 0)
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG, "no buffer for the port name");
	name[0] = '\0';
	if (!serial || !serial[0])
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG, "no USB serial number given");
	/* Exact match only: a prefix is the kit model (see kit_prefixes), not a kit. */
	for (size_t i = 0; list && i < list->count; i++)
		if (list->ports[i]->kit && strcmp(list->ports[i]->serial, serial) == 0)
			return copy_kit_port(list, i, name, name_len, err);
	for (size_t i = 0; list && i < list->count; i++) {
		const struct mcred_port *p = list->ports[i];
		const char *kit = modemless_kit(p->usb_vid, p->serial);

		if (kit && strcmp(p->serial, serial) == 0)
			return mcred_error_set(err, MCRED_ERR_NOT_FOUND,
					       "the device with USB serial number %.64s (%s) is an "
					       "%s, a Nordic kit without an nRF91 modem",
					       serial, p->name, kit);
	}
	if (describe_kits(list, found, sizeof(found), &first) == 0)
		return mcred_error_set(err, MCRED_ERR_NOT_FOUND,
				       "no Nordic kit with USB serial number %.64s: no Nordic kit "
				       "found at all (is it connected and powered?)",
				       serial);
	return mcred_error_set(err, MCRED_ERR_NOT_FOUND,
			       "no Nordic kit with USB serial number %.64s; attached: %s", serial,
			       found);
}

/* A copy of s (NULL: "") placed at *at (moved on), for a single-block allocation. */
static const char *place(char **at, const char *s)
{
	char *copy = *at;
	size_t n = strlen(s ? s : "") + 1;

	memcpy(copy, s ? s : "", n);
	*at += n;
	return copy;
}

/* The port and its strings in one block (freed by one free()); NULL without memory. */
static struct mcred_port *describe_port(struct sp_port *p)
{
	const char *name = sp_get_port_name(p), *description = sp_get_port_description(p);
	const char *serial = NULL;
	int vid = -1, pid = -1;
	struct mcred_port *out;
	char *strings;

	if (sp_get_port_transport(p) == SP_TRANSPORT_USB) {
		if (sp_get_port_usb_vid_pid(p, &vid, &pid) != SP_OK)
			vid = pid = -1;
		serial = sp_get_port_usb_serial(p);
	}
	out = malloc(sizeof(*out) + strlen(name ? name : "") +
		     strlen(description ? description : "") + strlen(serial ? serial : "") + 3);
	if (!out)
		return NULL;
	strings = (char *)(out + 1);
	out->size = sizeof(*out);
	out->name = place(&strings, name);
	out->description = place(&strings, description);
	out->serial = place(&strings, serial);
	out->usb_vid = vid;
	out->usb_pid = pid;
	out->kit = mcred_kit_name(vid, out->serial);
	return out;
}

static int compare_ports(const void *a, const void *b)
{
	return mcred_port_name_compare((*(struct mcred_port *const *)a)->name,
				       (*(struct mcred_port *const *)b)->name);
}

enum mcred_err mcred_port_list_get(struct mcred_port_list **out, struct mcred_error *err)
{
	struct sp_port **sp_list = NULL;
	struct mcred_port_list *list;
	size_t n = 0;

	if (!out)
		return mcred_error_set(err, MCRED_ERR_INVALID_ARG, "no output given");
	*out = NULL;
	if (sp_list_ports(&sp_list) != SP_OK)
		return mcred_error_set(err, MCRED_ERR_PORT, "cannot list serial ports");
	while (sp_list[n])
		n++;
	list = calloc(1, sizeof(*list));
	if (list && n)
		list->ports = calloc(n, sizeof(*list->ports));
	if (!list || (n && !list->ports)) {
		free(list);
		sp_free_port_list(sp_list);
		return mcred_error_set(err, MCRED_ERR_NOMEM, "out of memory");
	}
	for (list->count = 0; list->count < n; list->count++) {
		list->ports[list->count] = describe_port(sp_list[list->count]);
		if (!list->ports[list->count]) {
			sp_free_port_list(sp_list);
			mcred_port_list_free(list);
			return mcred_error_set(err, MCRED_ERR_NOMEM, "out of memory");
		}
	}
	sp_free_port_list(sp_list);
	if (n > 1)
		qsort(list->ports, n, sizeof(*list->ports), compare_ports);
	mcred_error_clear(err);
	*out = list;
	return MCRED_OK;
}

void mcred_port_list_free(struct mcred_port_list *list)
{
	if (!list)
		return;
	for (size_t i = 0; i < list->count; i++)
		free(list->ports[i]);
	free(list->ports);
	free(list);
}

enum mcred_err mcred_port_find_kit(char *name, size_t name_len, struct mcred_error *err)
{
	struct mcred_port_list *list = NULL;
	enum mcred_err rc = mcred_port_list_get(&list, err);

	if (rc != MCRED_OK)
		return rc;
	rc = mcred_port_pick_kit(list, name, name_len, err);
	mcred_port_list_free(list);
	return rc;
}

enum mcred_err mcred_port_find_kit_by_serial(const char *serial, char *name, size_t name_len,
					     struct mcred_error *err)
{
	struct mcred_port_list *list = NULL;
	enum mcred_err rc = mcred_port_list_get(&list, err);

	if (rc != MCRED_OK)
		return rc;
	rc = mcred_port_pick_kit_by_serial(list, serial, name, name_len, err);
	mcred_port_list_free(list);
	return rc;
}
