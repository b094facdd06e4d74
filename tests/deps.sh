#!/bin/sh
# Make sure the Debian packages a make target needs are present.
#
#   sh tests/deps.sh [--check] GROUP...
#
# Groups (each includes `build`):
#   build   compiler, make, pkg-config and the three -dev libraries: all that
#           `make`, `make install` and a distribution package need
#   demo    + openssl (the demo makes its certificates with it)
#   unit    + cmocka
#   test    everything `make test` uses: cmocka, openssl, clang and its
#           fuzzer runtime, clang-format, valgrind, mandoc (man page lint), python3 with
#           cbor2 and cryptography (the independent COSE check), and for a
#           factory CA key in a PKCS#11 token: SoftHSM2, OpenSSL's pkcs11
#           engine and p11-kit's proxy module
#   fuzz    + clang and its fuzzer runtime
#   format  + clang-format (make format, make format-check)
#   pkcs11  + SoftHSM2, the pkcs11 engine, p11-kit's proxy (make bench)
#
# As root with apt-get, missing packages are installed; otherwise (or with
# --check) the exact command to run is printed and the script fails. The
# `build` group is only ever checked by `make`: building never runs apt-get.
set -u

install=1
if [ "${1:-}" = --check ]; then install=0; shift; fi
[ "$#" -gt 0 ] || set -- build

need=""
add() { case " $need " in *" $1 "*) ;; *) need="$need $1" ;; esac; }
check_pkgconfig() { pkg-config --exists "$1" 2>/dev/null || add "$2"; }
check_command() { command -v "$1" >/dev/null 2>&1 || add "$2"; }

check_build() {
	check_command pkg-config pkg-config
	check_command "${CC:-cc}" gcc
	check_command make make
	check_pkgconfig libserialport libserialport-dev
	check_pkgconfig libcbor libcbor-dev
	check_pkgconfig libcrypto libssl-dev
}
check_clang() {
	check_command clang clang
	# clang's sanitizer runtimes for the fuzz targets
	[ -n "$(ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a 2>/dev/null)" ] ||
		[ "$(uname -m)" != x86_64 ] || add libclang-rt-dev
}

# A CA key in a token (tests/integration/test_provision_hsm.sh, make bench):
# SoftHSM2 makes the token, the pkcs11 engine (libp11) signs through
# p11-kit's proxy module, which loads the modules registered with p11-kit.
check_pkcs11() {
	check_command softhsm2-util softhsm2
	_engines=$(openssl version -e 2>/dev/null | sed -n 's/^ENGINESDIR: "\(.*\)"$/\1/p')
	[ -n "$_engines" ] && [ -e "$_engines/pkcs11.so" ] || add libengine-pkcs11-openssl
	[ -n "$(ls /usr/lib/*/p11-kit-proxy.so /usr/lib/p11-kit-proxy.so 2>/dev/null)" ] ||
		add p11-kit-modules
}

check_build
for group in "$@"; do
	case "$group" in
	build) ;;
	demo) check_command openssl openssl ;;
	unit) check_pkgconfig cmocka libcmocka-dev ;;
	fuzz) check_clang ;;
	format) check_command "${CLANG_FORMAT:-clang-format}" clang-format ;;
	pkcs11) check_command openssl openssl; check_pkcs11 ;;
	test)
		check_pkgconfig cmocka libcmocka-dev
		check_command openssl openssl
		check_clang
		check_command "${CLANG_FORMAT:-clang-format}" clang-format
		check_command valgrind valgrind
		check_command mandoc mandoc
		# tests/check_headers.sh reads prototypes with gcc's -aux-info
		check_command gcc gcc
		# independent COSE check in the test suite (Debian's python, not a venv)
		/usr/bin/python3 -c 'import cbor2, cryptography' 2>/dev/null ||
			{ add python3; add python3-cbor2; add python3-cryptography; }
		check_pkcs11
		;;
	*) echo "deps: unknown group $group (build, demo, unit, test, fuzz, format, pkcs11)" >&2; exit 2 ;;
	esac
done

[ -z "$need" ] && exit 0

if [ "$install" = 1 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "deps: installing$need"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends $need >/dev/null ||
		{ echo "deps: apt-get install$need failed" >&2; exit 1; }
	exit 0
fi
echo "deps: missing packages. Run:" >&2
echo "    sudo apt-get install$need" >&2
[ "$install" = 1 ] || echo "    (or, as root, sh tests/deps.sh $*)" >&2
exit 1
