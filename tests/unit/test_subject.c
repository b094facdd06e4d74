/*
 * The CSR subject against the one %KEYGEN was asked for (lib/subject.c):
 * every attribute, one RDN each, in the order asked, values byte for byte,
 * nothing else; without attributes the modem's CN=<device UUID>. The
 * subjects are built here with OpenSSL, as a modem's CSR carries them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "modemcred.h"
#include "subject.h"

#define UUID "50503041-3633-43b0-80c3-011a3496dac0"

/*
 * A subject from "NAME=VALUE" items (OpenSSL's names), each its own RDN; an
 * item that starts with '+' joins the RDN before it (a multi-valued RDN).
 */
static X509_NAME *name_of(const char *const *items)
{
	X509_NAME *name = X509_NAME_new();

	assert_non_null(name);
	for (; *items; items++) {
		const char *item = *items;
		int join = item[0] == '+';
		const char *eq = strchr(item + join, '=');
		char field[64];

		assert_non_null(eq);
		snprintf(field, sizeof(field), "%.*s", (int)(eq - item - join), item + join);
		assert_int_equal(X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
							    (const unsigned char *)eq + 1, -1, -1,
							    join ? -1 : 0),
				 1);
	}
	return name;
}

/* mcred_subject_matches() of the items against attributes; why gets what differs. */
static int matches(const char *attributes, const char *const *items, char *why, size_t size)
{
	X509_NAME *name = name_of(items);
	int rc;

	why[0] = '\0';
	rc = mcred_subject_matches(name, attributes, UUID, why, size);
	X509_NAME_free(name);
	return rc;
}

static void assert_match(const char *attributes, const char *const *items)
{
	char why[160];

	assert_int_equal(matches(attributes, items, why, sizeof(why)), 1);
}

/* A mismatch whose reason says expected. */
static void assert_mismatch(const char *attributes, const char *const *items, const char *expected)
{
	char why[160];

	assert_int_equal(matches(attributes, items, why, sizeof(why)), 0);
	if (!strstr(why, expected))
		fail_msg("why is \"%s\", expected it to say \"%s\"", why, expected);
}

#define ITEMS(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define NO_ITEMS ((const char *const[]){ NULL })

static void names_map_to_nids(void **state)
{
	(void)state;
	assert_int_equal(mcred_attribute_nid("CN", 2), NID_commonName);
	assert_int_equal(mcred_attribute_nid("commonName", 10), NID_commonName);
	assert_int_equal(mcred_attribute_nid("L", 1), NID_localityName);
	assert_int_equal(mcred_attribute_nid("locality", 8), NID_localityName);
	assert_int_equal(mcred_attribute_nid("ST", 2), NID_stateOrProvinceName);
	assert_int_equal(mcred_attribute_nid("O", 1), NID_organizationName);
	assert_int_equal(mcred_attribute_nid("OU", 2), NID_organizationalUnitName);
	assert_int_equal(mcred_attribute_nid("C", 1), NID_countryName);
	assert_int_equal(mcred_attribute_nid("DC", 2), NID_domainComponent);
	assert_int_equal(mcred_attribute_nid("SN", 2), NID_surname);
	assert_int_equal(mcred_attribute_nid("surName", 7), NID_surname);
	assert_int_equal(mcred_attribute_nid("surname", 7), NID_surname);
	assert_int_equal(mcred_attribute_nid("GN", 2), NID_givenName);
	assert_int_equal(mcred_attribute_nid("R", 1), NID_pkcs9_emailAddress);
	assert_int_equal(mcred_attribute_nid("emailAddress", 12), NID_pkcs9_emailAddress);
	assert_int_equal(mcred_attribute_nid("serialNumber", 12), NID_serialNumber);
	assert_int_equal(mcred_attribute_nid("postalAddress", 13), NID_postalAddress);
	assert_int_equal(mcred_attribute_nid("postalCode", 10), NID_postalCode);
	assert_int_equal(mcred_attribute_nid("dnQualifier", 11), NID_dnQualifier);
	assert_int_equal(mcred_attribute_nid("title", 5), NID_title);
	assert_int_equal(mcred_attribute_nid("initials", 8), NID_initials);
	assert_int_equal(mcred_attribute_nid("pseudonym", 9), NID_pseudonym);
	assert_int_equal(mcred_attribute_nid("generationQualifier", 19), NID_generationQualifier);
	/* the first len bytes only; names are case-sensitive; others are none */
	assert_int_equal(mcred_attribute_nid("CN", 1), NID_countryName);
	assert_int_equal(mcred_attribute_nid("cn", 2), NID_undef);
	assert_int_equal(mcred_attribute_nid("emailaddress", 12), NID_undef);
	assert_int_equal(mcred_attribute_nid("UID", 3), NID_undef);
	assert_int_equal(mcred_attribute_nid("", 0), NID_undef);
}

/* The spec's worked example: O, L, C asked, O, L, C in the CSR. */
static void same_attributes_same_order(void **state)
{
	(void)state;
	assert_match("O=Nordic Semiconductor,L=Trondheim,C=no",
		     ITEMS("O=Nordic Semiconductor", "L=Trondheim", "C=no"));
	assert_match("CN=device-1", ITEMS("CN=device-1"));
	/* long names, R for emailAddress, every attribute %KEYGEN takes */
	assert_match("commonName=a,R=b@example.com,surname=c,GN=d,serialNumber=7,"
		     "postalAddress=e,postalCode=0150,dnQualifier=f,title=g,initials=h,"
		     "pseudonym=i,generationQualifier=III,DC=example,locality=j,ST=k,OU=l",
		     ITEMS("CN=a", "emailAddress=b@example.com", "SN=c", "GN=d", "serialNumber=7",
			   "postalAddress=e", "postalCode=0150", "dnQualifier=f", "title=g",
			   "initials=h", "pseudonym=i", "generationQualifier=III", "DC=example",
			   "L=j", "ST=k", "OU=l"));
	/* the same attribute twice, in order */
	assert_match("OU=a,OU=b", ITEMS("OU=a", "OU=b"));
}

/* X.509 names are ordered, and the modem keeps the order it is given. */
static void another_order(void **state)
{
	(void)state;
	assert_mismatch("O=Nordic Semiconductor,L=Trondheim,C=no",
			ITEMS("C=no", "L=Trondheim", "O=Nordic Semiconductor"), "another order");
	assert_mismatch("CN=a,O=b", ITEMS("O=b", "CN=a"), "another order");
	assert_mismatch("OU=a,OU=b", ITEMS("OU=b", "OU=a"), "another order");
}

static void missing_attribute(void **state)
{
	(void)state;
	assert_mismatch("CN=a,O=b,OU=c", ITEMS("CN=a", "O=b"), "it lacks OU=c");
	assert_mismatch("CN=a,O=b", ITEMS("CN=a"), "it lacks O=b");
	assert_mismatch("OU=a,OU=b", ITEMS("OU=a"), "it lacks OU=b");
	assert_mismatch("CN=a", NO_ITEMS, "it lacks CN=a");
	/* asked by its long name: named as asked */
	assert_mismatch("CN=a,emailAddress=x@y", ITEMS("CN=a"), "it lacks emailAddress=x@y");
	assert_mismatch("CN=a,R=x@y", ITEMS("CN=a"), "it lacks R=x@y");
}

static void extra_attribute(void **state)
{
	(void)state;
	assert_mismatch("CN=a", ITEMS("CN=a", "O=b"), "it adds O=b");
	assert_mismatch("CN=a", ITEMS("O=b", "CN=a"), "it adds O=b");
	assert_mismatch("OU=a", ITEMS("OU=a", "OU=a"), "it adds OU=a");
	/* an attribute %KEYGEN cannot even make is named by its OID */
	assert_mismatch("CN=a", ITEMS("CN=a", "1.2.3.4=x"), "it adds 1.2.3.4=x");
	assert_mismatch("CN=a", ITEMS("CN=a", "UID=u"), "it adds UID=u");
}

/* Values compare byte for byte: no case folding, no trimming. */
static void different_value(void **state)
{
	(void)state;
	assert_mismatch("CN=a,O=Acme", ITEMS("CN=a", "O=ACME"), "its O is 'ACME', not 'Acme'");
	assert_mismatch("CN=a,O=Acme", ITEMS("CN=a", "O=Acme "), "its O is 'Acme ', not 'Acme'");
	assert_mismatch("C=no", ITEMS("C=NO"), "its C is 'NO', not 'no'");
	assert_mismatch("R=a@b", ITEMS("emailAddress=A@b"), "its R is 'A@b', not 'a@b'");
	assert_mismatch("OU=a,OU=b", ITEMS("OU=a", "OU=a"), "its OU is 'a', not 'b'");
	/* the device UUID is case-insensitive only where the modem chose it */
	assert_mismatch("CN=" UUID, ITEMS("CN=50503041-3633-43B0-80C3-011A3496DAC0"), "its CN");
}

/*
 * The attribute list has no escapes (a ',' always separates items, so
 * check_attributes() refuses a value with one), but '+', '=', '\' and
 * spaces are plain bytes of a value, compared as they are: the subject
 * line's RFC 4514 escapes are for display only.
 */
static void special_characters(void **state)
{
	struct mcred_keygen_request req;
	struct mcred_error err;

	(void)state;
	assert_match("CN=a+b,O=x=y,OU=back\\slash,L= lead and trail ,ST=#hash;semi<>",
		     ITEMS("CN=a+b", "O=x=y", "OU=back\\slash", "L= lead and trail ",
			   "ST=#hash;semi<>"));
	assert_mismatch("CN=a+b", ITEMS("CN=a\\+b"), "its CN is 'a\\+b', not 'a+b'");
	/* a '+' in a value is not a multi-valued RDN */
	assert_mismatch("CN=a+O=b", ITEMS("CN=a", "+O=b"), "its CN is 'a', not 'a+O=b'");
	/* a CSR value with a comma cannot be what was asked */
	assert_mismatch("CN=a", ITEMS("CN=a,b"), "its CN is 'a,b', not 'a'");
	mcred_keygen_request_init(&req);
	req.tag = 1;
	req.attributes = "CN=a,b";
	assert_int_equal(mcred_keygen_check(&req, &err), MCRED_ERR_INVALID_ARG);
	req.attributes = "CN=a+b,O=x=y,OU=back\\slash";
	assert_int_equal(mcred_keygen_check(&req, &err), MCRED_OK);
}

/* One RDN per attribute, as the modem makes them. */
static void multi_valued_rdn(void **state)
{
	(void)state;
	assert_mismatch("CN=a,O=b", ITEMS("CN=a", "+O=b"), "CN and O share one RDN");
	assert_mismatch("CN=a,O=b,OU=c", ITEMS("CN=a", "O=b", "+OU=c"), "O and OU share one RDN");
}

/* No attributes: the modem's CN=<device UUID>, its hex in either case, alone. */
static void default_subject(void **state)
{
	(void)state;
	assert_match(NULL, ITEMS("CN=" UUID));
	assert_match(NULL, ITEMS("CN=50503041-3633-43B0-80C3-011A3496DAC0"));
	assert_mismatch(NULL, ITEMS("CN=" UUID, "O=b"), "it adds O=b");
	assert_mismatch(NULL, ITEMS("O=b", "CN=" UUID), "it adds O=b");
	assert_mismatch(NULL, ITEMS("CN=50503041-3633-43b0-80c3-011a3496dac1"),
			"its CN is '50503041-3633-43b0-80c3-011a3496dac1', not '" UUID "'");
	assert_mismatch(NULL, ITEMS("CN=" UUID "x"), "its CN");
	assert_mismatch(NULL, ITEMS("O=" UUID), "it lacks CN=" UUID);
	assert_mismatch(NULL, NO_ITEMS, "it lacks CN=" UUID);
}

/* Values in other string types compare by their UTF-8 form. */
static void string_types(void **state)
{
	static const unsigned char bmp_acme[] = { 0, 'A', 0, 'c', 0, 'm', 0, 'e' };
	static const unsigned char utf8[] = "Tr\xc3\xb8ndelag";
	X509_NAME *name = X509_NAME_new();
	char why[160];

	(void)state;
	assert_int_equal(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
						    (const unsigned char *)"a", -1, -1, 0),
			 1);
	assert_int_equal(X509_NAME_add_entry_by_txt(name, "O", V_ASN1_BMPSTRING, bmp_acme,
						    sizeof(bmp_acme), -1, 0),
			 1);
	assert_int_equal(mcred_subject_matches(name, "CN=a,O=Acme", UUID, why, sizeof(why)), 1);
	assert_int_equal(X509_NAME_add_entry_by_txt(name, "ST", MBSTRING_UTF8, utf8, -1, -1, 0), 1);
	assert_int_equal(mcred_subject_matches(name, "CN=a,O=Acme,ST=Trondelag", UUID, why,
					       sizeof(why)),
			 0);
	/* a byte that is not printable ASCII is shown as '?' */
	assert_string_equal(why, "its ST is 'Tr??ndelag', not 'Trondelag'");
	X509_NAME_free(name);
}

/* what differs is said in the room given, printable, cut with "..." */
static void why_is_bounded(void **state)
{
	char value[121], attributes[140], got[140], why[160], small[24]; /* L: 128 at most */
	const char *items[2] = { got, NULL };

	(void)state;
	memset(value, 'v', sizeof(value) - 1);
	value[sizeof(value) - 1] = '\0';
	snprintf(attributes, sizeof(attributes), "L=%s", value);
	snprintf(got, sizeof(got), "L=%sw", value);
	assert_int_equal(matches(attributes, items, why, sizeof(why)), 0);
	assert_true(strlen(why) < sizeof(why));
	assert_non_null(strstr(why, "...', not 'vvv"));
	assert_int_equal(matches(attributes, items, small, sizeof(small)), 0);
	assert_int_equal(strlen(small), sizeof(small) - 1);
	for (size_t i = 0; why[i]; i++)
		assert_true(why[i] >= 0x20 && why[i] < 0x7f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names_map_to_nids),  cmocka_unit_test(same_attributes_same_order),
		cmocka_unit_test(another_order),      cmocka_unit_test(missing_attribute),
		cmocka_unit_test(extra_attribute),    cmocka_unit_test(different_value),
		cmocka_unit_test(special_characters), cmocka_unit_test(multi_valued_rdn),
		cmocka_unit_test(default_subject),    cmocka_unit_test(string_types),
		cmocka_unit_test(why_is_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
