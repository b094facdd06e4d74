/*
 * Kit recognition and the choice of "the" kit, without hardware: the pure
 * functions behind mcred_port_list_get() and mcred_port_find_kit().
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "modemcred.h"
#include "ports.h"
#include "support/structs.h"

static void test_kit_names(void **state)
{
	(void)state;
	assert_string_equal(mcred_kit_name(0x1366, "000960012345"), "nRF9160 DK");
	assert_string_equal(mcred_kit_name(0x1366, "001050912345"), "nRF9161 DK");
	assert_string_equal(mcred_kit_name(0x1366, "001051212345"), "nRF9151 DK");
	assert_string_equal(mcred_kit_name(0x1915, "001055012345"), "Thingy:91 X");
	assert_string_equal(mcred_kit_name(0x1915, "001055112345"), "Thingy:91 X");
	assert_string_equal(mcred_kit_name(0x1366, "001051312345"), "Thingy:91 X");
	assert_string_equal(mcred_kit_name(0x1915, "ABCDEF"), "Nordic device");
	assert_string_equal(mcred_kit_name(0x1366, ""), "Nordic device");
	assert_string_equal(mcred_kit_name(0x1366, "001052012345"), "nRF9151 DK");
	assert_string_equal(mcred_kit_name(0x1366, "001051012345"), "nRF9131 EK");
	assert_string_equal(mcred_kit_name(0x1915, "THINGY91X_1A2B3C4D5E"), "Thingy:91 X");
	assert_string_equal(mcred_kit_name(0x1915, "THINGY91_1A2B3C4D5E"), "Thingy:91");
	assert_string_equal(mcred_kit_name(0x1915, "PCA20035_1A2B3C4D5E"), "Thingy:91");
	/* kits without a modem: nRF5340 DK (two prefixes), nRF7002, nRF54H20, nRF54L15 DK */
	assert_null(mcred_kit_name(0x1366, "000960112345"));
	assert_null(mcred_kit_name(0x1366, "001050012345"));
	assert_null(mcred_kit_name(0x1366, "001050712345"));
	assert_null(mcred_kit_name(0x1366, "001051112345"));
	assert_null(mcred_kit_name(0x1366, "001057712345"));
	assert_null(mcred_kit_name(0x0403, "000960012345")); /* FTDI, not Nordic */
	assert_null(mcred_kit_name(-1, ""));
}

static void test_natural_order(void **state)
{
	(void)state;
	assert_true(mcred_port_name_compare("/dev/ttyACM2", "/dev/ttyACM10") < 0);
	assert_true(mcred_port_name_compare("/dev/ttyACM10", "/dev/ttyACM2") > 0);
	assert_int_equal(mcred_port_name_compare("/dev/ttyACM0", "/dev/ttyACM0"), 0);
	assert_true(mcred_port_name_compare("/dev/ttyACM9", "/dev/ttyUSB0") < 0);
	assert_true(mcred_port_name_compare("COM3", "COM12") < 0);
}

static struct mcred_port port(const char *name, int vid, const char *serial)
{
	struct mcred_port p;

	memset(&p, 0, sizeof(p));
	p.size = sizeof(p);
	p.name = name;
	p.description = "";
	p.usb_vid = vid;
	p.usb_pid = vid < 0 ? -1 : 0x1055;
	p.serial = serial;
	p.kit = mcred_kit_name(vid, serial);
	return p;
}

static void test_one_kit_first_port(void **state)
{
	struct mcred_port ports[] = {
		port("/dev/ttyS0", -1, ""),
		port("/dev/ttyACM10", 0x1366, "001050912345"),
		port("/dev/ttyACM2", 0x1366, "001050912345"),
		port("/dev/ttyUSB0", 0x0403, "FT1234"),
	};
	struct mcred_port *ptrs[4];
	struct mcred_port_list list = port_list_of(ports, 4, ptrs);
	struct mcred_error err;
	char name[128];

	(void)state;
	assert_int_equal(mcred_port_pick_kit(&list, name, sizeof(name), &err), MCRED_OK);
	assert_string_equal(name, "/dev/ttyACM2");
}

/* An nRF5340 DK (no modem, its main port is its second) beside one nRF9160 DK. */
static void test_modemless_kit_beside_is_not_picked(void **state)
{
	struct mcred_port ports[] = {
		port("/dev/ttyACM0", 0x1366, "001050012345"),
		port("/dev/ttyACM1", 0x1366, "001050012345"),
		port("/dev/ttyACM2", 0x1366, "000960011111"),
		port("/dev/ttyACM3", 0x1366, "000960011111"),
	};
	struct mcred_port *ptrs[4];
	struct mcred_port_list list = port_list_of(ports, 4, ptrs);
	struct mcred_error err;
	char name[128];

	(void)state;
	assert_int_equal(mcred_port_pick_kit(&list, name, sizeof(name), &err), MCRED_OK);
	assert_string_equal(name, "/dev/ttyACM2");
	assert_int_equal(mcred_port_pick_kit_by_serial(&list, "001050012345", name, sizeof(name),
						       &err),
			 MCRED_ERR_NOT_FOUND);
	assert_non_null(strstr(err.message, "nRF5340 DK, a Nordic kit without an nRF91 modem"));
}

static void test_no_kit(void **state)
{
	struct mcred_port ports[] = { port("/dev/ttyS0", -1, "") };
	struct mcred_port *ptrs[1];
	struct mcred_port_list list = port_list_of(ports, 1, ptrs);
	struct mcred_error err;
	char name[128];

	(void)state;
	assert_int_equal(mcred_port_pick_kit(&list, name, sizeof(name), &err), MCRED_ERR_NOT_FOUND);
	assert_int_equal(err.code, MCRED_ERR_NOT_FOUND);
	list.count = 0;
	assert_int_equal(mcred_port_pick_kit(&list, name, sizeof(name), &err), MCRED_ERR_NOT_FOUND);
}

static void test_several_kits_listed(void **state)
{
	struct mcred_port ports[] = {
		port("/dev/ttyACM0", 0x1366, "000960011111"),
		port("/dev/ttyACM1", 0x1366, "000960011111"),
		port("/dev/ttyACM2", 0x1915, "001055022222"),
	};
	struct mcred_port *ptrs[3];
	struct mcred_port_list list = port_list_of(ports, 3, ptrs);
	struct mcred_error err;
	char name[128];

	(void)state;
	assert_int_equal(mcred_port_pick_kit(&list, name, sizeof(name), &err),
			 MCRED_ERR_INVALID_ARG);
	assert_non_null(strstr(err.message, "2 Nordic kits"));
	assert_non_null(strstr(err.message, "nRF9160 DK /dev/ttyACM0"));
	assert_non_null(strstr(err.message, "Thingy:91 X /dev/ttyACM2"));
	assert_null(strstr(err.message, "ttyACM1"));
}

/* Two kits attached: --serial-number picks one by its exact USB serial. */
static struct mcred_port two_kits[] = {
	{ sizeof(struct mcred_port), "/dev/ttyACM1", "", 0x1366, 0x1055, "000960011111",
	  "nRF9160 DK" },
	{ sizeof(struct mcred_port), "/dev/ttyACM0", "", 0x1366, 0x1055, "000960011111",
	  "nRF9160 DK" },
	{ sizeof(struct mcred_port), "/dev/ttyACM2", "", 0x1915, 0x1055, "001055022222",
	  "Thingy:91 X" },
	{ sizeof(struct mcred_port), "/dev/ttyUSB0", "", 0x0403, 0x6001, "FT1234", NULL },
};

static void test_kit_by_serial(void **state)
{
	struct mcred_port *ptrs[4];
	struct mcred_port_list list = port_list_of(two_kits, 4, ptrs);
	struct mcred_error err;
	char name[128];

	(void)state;
	assert_int_equal(mcred_port_pick_kit_by_serial(&list, "000960011111", name, sizeof(name),
						       &err),
			 MCRED_OK);
	assert_string_equal(name, "/dev/ttyACM0"); /* the kit's first port, not the first listed */
	assert_int_equal(mcred_port_pick_kit_by_serial(&list, "001055022222", name, sizeof(name),
						       &err),
			 MCRED_OK);
	assert_string_equal(name, "/dev/ttyACM2");
}

static void test_kit_by_serial_exact_only(void **state)
{
	struct mcred_port *ptrs[4];
	struct mcred_port_list list = port_list_of(two_kits, 4, ptrs);
	struct mcred_error err;
	char name[128] = "x";

	(void)state;
	/* a prefix, a longer string, another case: no kit */
	assert_int_equal(mcred_port_pick_kit_by_serial(&list, "0009600", name, sizeof(name), &err),
			 MCRED_ERR_NOT_FOUND);
	assert_string_equal(name, "");
	assert_int_equal(mcred_port_pick_kit_by_serial(&list, "0009600111112", name, sizeof(name),
						       &err),
			 MCRED_ERR_NOT_FOUND);
	/* a serial that is not a Nordic kit's */
	assert_int_equal(mcred_port_pick_kit_by_serial(&list, "FT1234", name, sizeof(name), &err),
			 MCRED_ERR_NOT_FOUND);
	/* the message names the serial asked for and lists the kits with theirs */
	assert_int_equal(err.code, MCRED_ERR_NOT_FOUND);
	assert_non_null(strstr(err.message, "FT1234"));
	assert_non_null(strstr(err.message, "nRF9160 DK /dev/ttyACM0 (000960011111)"));
	assert_non_null(strstr(err.message, "Thingy:91 X /dev/ttyACM2 (001055022222)"));
	assert_int_equal(mcred_port_pick_kit_by_serial(&list, "", name, sizeof(name), &err),
			 MCRED_ERR_INVALID_ARG);
}

static void test_kit_by_serial_no_kit(void **state)
{
	struct mcred_port *ptrs[1];
	struct mcred_port_list list = port_list_of(&two_kits[3], 1, ptrs);
	struct mcred_error err;
	char name[128];

	(void)state;
	assert_int_equal(mcred_port_pick_kit_by_serial(&list, "000960011111", name, sizeof(name),
						       &err),
			 MCRED_ERR_NOT_FOUND);
	assert_non_null(strstr(err.message, "000960011111"));
	assert_non_null(strstr(err.message, "no Nordic kit found"));
	list.count = 0;
	assert_int_equal(mcred_port_pick_kit_by_serial(&list, "000960011111", name, sizeof(name),
						       &err),
			 MCRED_ERR_NOT_FOUND);
}

static void test_list_ports_runs(void **state)
{
	struct mcred_port_list *list = NULL;
	struct mcred_error err;

	(void)state;
	/* Whatever this machine has: the call works and every entry is sane. */
	assert_int_equal(mcred_port_list_get(&list, &err), MCRED_OK);
	assert_non_null(list);
	for (size_t i = 0; i < list->count; i++) {
		assert_true(list->ports[i]->name[0] != '\0');
		if (list->ports[i]->usb_vid < 0)
			assert_null(list->ports[i]->kit);
	}
	mcred_port_list_free(list);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kit_names),
		cmocka_unit_test(test_modemless_kit_beside_is_not_picked),
		cmocka_unit_test(test_natural_order),
		cmocka_unit_test(test_one_kit_first_port),
		cmocka_unit_test(test_no_kit),
		cmocka_unit_test(test_several_kits_listed),
		cmocka_unit_test(test_kit_by_serial),
		cmocka_unit_test(test_kit_by_serial_exact_only),
		cmocka_unit_test(test_kit_by_serial_no_kit),
		cmocka_unit_test(test_list_ports_runs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
