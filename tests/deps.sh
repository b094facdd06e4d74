#!/bin/sh
# Make sure the Debian packages the build and the tests need are present.
# As root with apt-get, install what is missing; otherwise print the exact
# command to run and fail.
set -u

need=""
check_pkgconfig() { pkg-config --exists "$1" 2>/dev/null || need="$need $2"; }
check_command() { command -v "$1" >/dev/null 2>&1 || need="$need $2"; }

check_command pkg-config pkg-config
check_command cc gcc
check_command make make
check_pkgconfig libserialport libserialport-dev
check_pkgconfig libcbor libcbor-dev
check_pkgconfig libcrypto libssl-dev
check_pkgconfig cmocka libcmocka-dev
check_command openssl openssl
check_command clang clang
check_command valgrind valgrind
# clang's sanitizer runtimes for the fuzz targets
[ -n "$(ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a 2>/dev/null)" ] ||
	[ "$(uname -m)" != x86_64 ] || need="$need libclang-rt-dev"
# independent COSE check in the test suite (Debian's python, not a venv)
/usr/bin/python3 -c 'import cbor2, cryptography' 2>/dev/null || need="$need python3 python3-cbor2 python3-cryptography"

[ -z "$need" ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "deps: installing$need"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends $need >/dev/null ||
		{ echo "deps: apt-get install$need failed" >&2; exit 1; }
	exit 0
fi
echo "deps: missing packages. Run:" >&2
echo "    sudo apt-get install$need" >&2
exit 1
