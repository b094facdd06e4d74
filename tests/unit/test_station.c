/* The station's choice of ports for --all-kits and --serial-number. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "station.h"

static struct mcred_port ports[] = {
	{ sizeof(struct mcred_port), "/dev/ttyACM0", "", 0x1366, 0x1055, "000960012345",
	  "nRF9160 DK" },
	{ sizeof(struct mcred_port), "/dev/ttyACM1", "", 0x1366, 0x1055, "000960012345",
	  "nRF9160 DK" },
	{ sizeof(struct mcred_port), "/dev/ttyACM2", "", 0x1366, 0x1061, "001050912345",
	  "nRF9161 DK" },
	{ sizeof(struct mcred_port), "/dev/ttyACM3", "", 0x1366, 0x1061, "001050912345",
	  "nRF9161 DK" },
	{ sizeof(struct mcred_port), "/dev/ttyUSB0", "", 0x0403, 0x6001, "FT12345", NULL },
};

static struct mcred_port *port_ptrs[] = { &ports[0], &ports[1], &ports[2], &ports[3], &ports[4] };
static const struct mcred_port_list list = { port_ptrs, sizeof(port_ptrs) / sizeof(port_ptrs[0]) };

static void test_all_kits_take_each_kits_first_port(void **state)
{
	const char *out[8], *missing = (const char *)1;

	(void)state;
	assert_int_equal(station_kit_ports(&list, 1, NULL, 0, out, 8, &missing), 2);
	assert_string_equal(out[0], "/dev/ttyACM0");
	assert_string_equal(out[1], "/dev/ttyACM2");
	assert_null(missing);
	/* no more than asked for */
	assert_int_equal(station_kit_ports(&list, 1, NULL, 0, out, 1, &missing), 1);
}

static void test_serial_numbers(void **state)
{
	const char *serials[] = { "001050912345", "000960099999" }, *out[8], *missing = NULL;

	(void)state;
	assert_int_equal(station_kit_ports(&list, 0, serials, 1, out, 8, &missing), 1);
	assert_string_equal(out[0], "/dev/ttyACM2");
	assert_null(missing);
	assert_int_equal(station_kit_ports(&list, 0, serials, 2, out, 8, &missing), 1);
	assert_string_equal(missing, "000960099999");
	/* a serial of something that is not a Nordic kit is not a kit */
	serials[0] = "FT12345";
	assert_int_equal(station_kit_ports(&list, 0, serials, 1, out, 8, &missing), 0);
	assert_string_equal(missing, "FT12345");
}

/* Kit ports without a USB serial number are not one kit: each is provisioned. */
static void test_kit_ports_without_serial_numbers_stand_alone(void **state)
{
	static struct mcred_port bare[] = {
		{ sizeof(struct mcred_port), "/dev/ttyACM0", "", 0x1915, 0x520f, "",
		  "Nordic device" },
		{ sizeof(struct mcred_port), "/dev/ttyACM1", "", 0x1915, 0x520f, "",
		  "Nordic device" },
	};
	struct mcred_port *ptrs[] = { &bare[0], &bare[1] };
	const struct mcred_port_list bare_list = { ptrs, 2 };
	const char *out[8], *missing = NULL;

	(void)state;
	assert_int_equal(station_kit_ports(&bare_list, 1, NULL, 0, out, 8, &missing), 2);
	assert_string_equal(out[0], "/dev/ttyACM0");
	assert_string_equal(out[1], "/dev/ttyACM1");
	assert_null(missing);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_kits_take_each_kits_first_port),
		cmocka_unit_test(test_kit_ports_without_serial_numbers_stand_alone),
		cmocka_unit_test(test_serial_numbers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
