# make install / make uninstall as a distribution package uses them: a build
# of its own from the source tree (with dpkg-buildflags-style CPPFLAGS and
# LDFLAGS, nothing inherited from the make that runs the suite) installed
# into a staged DESTDIR, then used from outside the tree the way programs
# that embed libmodemcred use it.

# pkg_make ARGS...: make in the source tree with a clean environment (no
# MAKEFLAGS of a surrounding make, no sanitizer or -Werror of the build
# under test), into a build directory of this test
pkg_make() {
	env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS -u CFLAGS -u CPPFLAGS -u LDFLAGS -u SANITIZE \
		-u WERROR -u CC -u PKG_CONFIG_PATH -u PKG_CONFIG_SYSROOT_DIR \
		make -C "$ROOT" --no-print-directory BUILD="$T_DIR/build" "$@" >>"$T_DIR/make.log" 2>&1 ||
		{ tail -n 30 "$T_DIR/make.log" >&2; fail "make $*"; }
}

# pkg_make_flags ARGS...: pkg_make with the flags of a Debian package build:
# -D_FORTIFY_SOURCE in CPPFLAGS, -z now in LDFLAGS (both visible in the result)
pkg_make_flags() {
	pkg_make CFLAGS="-g -O2" CPPFLAGS="-D_FORTIFY_SOURCE=2" LDFLAGS="-Wl,-z,relro -Wl,-z,now" "$@"
}

# An outside program: the public header, a compile-time version check, the
# library's version and error names, and one real exchange with the modem
# (the device details the library allocates).
write_outside_program() {
	cat >"$1" <<'EOF'
#include <modemcred.h>
#include <stdio.h>
#include <string.h>

#if !defined(MCRED_VERSION_NUM) || MCRED_VERSION_NUM < MCRED_VERSION_ENCODE(0, 2, 0)
#error "modemcred.h older than 0.2.0"
#endif

int main(int argc, char **argv)
{
	if (strcmp(mcred_version(), MCRED_VERSION_STRING) != 0)
		return 10;
	printf("version %s %s\n", mcred_version(), mcred_err_name(MCRED_ERR_TIMEOUT));
	if (argc < 2)
		return 0;
	mcred_modem *m;
	struct mcred_error err;
	if (mcred_modem_open(&m, argv[1], NULL, &err) != MCRED_OK) {
		fprintf(stderr, "%s\n", err.message);
		return 11;
	}
	struct mcred_device_details *details = NULL;
	enum mcred_err rc = mcred_device_details_get(m, &details);
	if (rc == MCRED_OK)
		printf("imei %s\n", details->imei);
	mcred_device_details_free(details);
	mcred_modem_free(m);
	return rc == MCRED_OK ? 0 : 12;
}
EOF
}

test_install_staged_tree_is_usable_and_uninstalls() {
	version=$(header_version)
	case "$version" in [0-9]*.[0-9]*.[0-9]*) ;; *) fail "cannot read the version from the header: '$version'" ;; esac
	soname="libmodemcred.so.${version%%.*}"
	stage="$T_DIR/stage"
	# a Debian-like layout (multiarch LIBDIR) and flags
	pkg_make_flags -j2 PREFIX=/usr LIBDIR=/usr/lib/multiarch-test DESTDIR="$stage" install
	lib="$stage/usr/lib/multiarch-test"

	for f in usr/bin/modemcred "usr/lib/multiarch-test/libmodemcred.so.$version" \
		usr/lib/multiarch-test/libmodemcred.a usr/include/modemcred.h \
		usr/lib/multiarch-test/pkgconfig/libmodemcred.pc usr/share/man/man1/modemcred.1 \
		usr/share/man/man3/libmodemcred.3 usr/share/bash-completion/completions/modemcred; do
		[ -f "$stage/$f" ] || fail "make install did not install /$f"
	done
	cmp -s "$stage/usr/share/bash-completion/completions/modemcred" "$ROOT/cli/modemcred.bash-completion" ||
		fail "the installed bash completion is not cli/modemcred.bash-completion"
	expect_eq "$(readlink "$lib/$soname")" "libmodemcred.so.$version" "$soname link"
	expect_eq "$(readlink "$lib/libmodemcred.so")" "$soname" "libmodemcred.so link"
	[ -x "$stage/usr/bin/modemcred" ] || fail "the installed CLI is not executable"
	cmp -s "$stage/usr/include/modemcred.h" "$ROOT/include/modemcred.h" || fail "installed header differs"
	# the library a package ships exports exactly the committed list
	exported_symbols "$lib/libmodemcred.so.$version" >"$T_DIR/exported"
	diff "$ROOT/tests/fixtures/abi/symbols.txt" "$T_DIR/exported" >"$T_DIR/diff" ||
		fail "the installed library's exports (>) differ from tests/fixtures/abi/symbols.txt (<):
$(cat "$T_DIR/diff")"

	# the flags a package build passes reach the compiler and the linker
	nm -D "$lib/libmodemcred.so.$version" | grep -q '__[a-z]*_chk' ||
		fail "CPPFLAGS=-D_FORTIFY_SOURCE=2 was not used: no fortified calls in the library"
	readelf -d "$lib/libmodemcred.so.$version" | grep -q 'BIND_NOW\|FLAGS.*NOW' ||
		fail "LDFLAGS=-Wl,-z,now was not used for the library"
	readelf -d "$stage/usr/bin/modemcred" | grep -q 'BIND_NOW\|FLAGS.*NOW' ||
		fail "LDFLAGS=-Wl,-z,now was not used for the CLI"

	# pkg-config, as an outside build uses it against the staged tree
	PKG_CONFIG_PATH="$lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$stage"
	export PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR
	expect_eq "$(pkg-config --modversion libmodemcred)" "$version" "pkg-config --modversion"
	grep -q '^libdir=${prefix}/lib/multiarch-test$' "$lib/pkgconfig/libmodemcred.pc" ||
		fail "libdir in the .pc: $(grep libdir= "$lib/pkgconfig/libmodemcred.pc")"
	req=$(pkg-config --print-requires-private libmodemcred | tr '\n' ' ')
	for p in libserialport libcbor libcrypto; do
		case " $req" in *" $p "*) ;; *) fail "Requires.private lacks $p: $req" ;; esac
	done

	start_sim
	mkdir "$T_DIR/outside" && cd "$T_DIR/outside"
	write_outside_program prog.c
	# exactly the documented command line, from outside the source tree
	# shellcheck disable=SC2046
	cc prog.c $(pkg-config --cflags --libs libmodemcred) -o prog >"$T_DIR/cc.log" 2>&1 ||
		fail "cc prog.c \$(pkg-config --cflags --libs libmodemcred): $(cat "$T_DIR/cc.log")"
	LD_LIBRARY_PATH="$lib" ldd ./prog | grep -q "$soname => $lib/$soname" ||
		fail "prog does not load the staged $soname: $(LD_LIBRARY_PATH="$lib" ldd ./prog)"
	RC=0; LD_LIBRARY_PATH="$lib" timeout -k 3 30 ./prog "$LINK" >"$OUT" 2>"$ERR" || RC=$?
	expect_ok "the outside program"
	out_has "version $version MCRED_ERR_TIMEOUT" "outside program"
	out_has "imei 351358811234567" "outside program"
	# the static library with the private requirements
	# shellcheck disable=SC2046
	cc prog.c $(pkg-config --cflags libmodemcred) -o prog-static \
		$(pkg-config --static --libs libmodemcred |
			sed 's/-lmodemcred/-Wl,-Bstatic -lmodemcred -Wl,-Bdynamic/') >"$T_DIR/cc.log" 2>&1 ||
		fail "static link with pkg-config --static: $(cat "$T_DIR/cc.log")"
	! ldd ./prog-static | grep -q libmodemcred || fail "prog-static loads the shared library"
	RC=0; timeout -k 3 30 ./prog-static >"$OUT" 2>"$ERR" || RC=$?
	expect_ok "the statically linked outside program"
	cd "$T_DIR"

	# the installed CLI runs on the shared library
	cli="$stage/usr/bin/modemcred"
	LD_LIBRARY_PATH="$lib" ldd "$cli" | grep -q "$soname => $lib/$soname" ||
		fail "the installed CLI does not load $soname: $(LD_LIBRARY_PATH="$lib" ldd "$cli")"
	RC=0; LD_LIBRARY_PATH="$lib" timeout -k 3 30 "$cli" -p "$LINK" info >"$OUT" 2>"$ERR" || RC=$?
	expect_ok "the installed CLI"
	out_has 351358811234567 "info by the installed CLI"
	RC=0; LD_LIBRARY_PATH="$lib" "$cli" --version >"$OUT" 2>"$ERR" || RC=$?
	out_has "libmodemcred $version" "modemcred --version"

	# man finds both pages where they were installed
	if command -v man >/dev/null 2>&1; then
		expect_eq "$(MANPATH="$stage/usr/share/man" man -w modemcred)" \
			"$stage/usr/share/man/man1/modemcred.1" "man -w modemcred"
		expect_eq "$(MANPATH="$stage/usr/share/man" man -w libmodemcred)" \
			"$stage/usr/share/man/man3/libmodemcred.3" "man -w libmodemcred"
	fi

	# uninstall removes every file and link install made, and the directories
	# it made (the whole stage here)
	pkg_make_flags PREFIX=/usr LIBDIR=/usr/lib/multiarch-test DESTDIR="$stage" uninstall
	left=$(find "$stage" ! -type d 2>/dev/null || true)
	[ -z "$left" ] || fail "left behind by make uninstall: $left"
	[ ! -e "$stage" ] || fail "directories make install made, left by make uninstall: $(find "$stage")"

	# a LIBDIR the dynamic linker searches by itself: no RUNPATH
	stage="$T_DIR/stage-system"
	pkg_make_flags PREFIX=/usr LIBDIR=/usr/lib DESTDIR="$stage" install
	! readelf -d "$stage/usr/bin/modemcred" | grep -q 'RUNPATH\|RPATH' ||
		fail "a CLI for LIBDIR=/usr/lib got a RUNPATH: $(readelf -d "$stage/usr/bin/modemcred" | grep PATH)"
	pkg_make_flags PREFIX=/usr LIBDIR=/usr/lib DESTDIR="$stage" uninstall
	[ ! -e "$stage" ] || fail "left by make uninstall: $(find "$stage")"

	# the defaults: everything under /usr/local (same flags: no rebuild)
	stage="$T_DIR/stage-default"
	pkg_make_flags DESTDIR="$stage" install
	for f in bin/modemcred "lib/libmodemcred.so.$version" lib/libmodemcred.a include/modemcred.h \
		lib/pkgconfig/libmodemcred.pc share/man/man1/modemcred.1 share/man/man3/libmodemcred.3 \
		share/bash-completion/completions/modemcred; do
		[ -f "$stage/usr/local/$f" ] || fail "make install did not install /usr/local/$f"
	done
	grep -q '^prefix=/usr/local$' "$stage/usr/local/lib/pkgconfig/libmodemcred.pc" ||
		fail "prefix in the .pc: $(grep prefix= "$stage/usr/local/lib/pkgconfig/libmodemcred.pc")"
	# and every directory variable on its own
	pkg_make_flags BINDIR=/b LIBDIR=/l INCLUDEDIR=/i MANDIR=/m DESTDIR="$stage" install
	for f in b/modemcred l/libmodemcred.a l/libmodemcred.so i/modemcred.h l/pkgconfig/libmodemcred.pc \
		m/man1/modemcred.1 m/man3/libmodemcred.3; do
		[ -e "$stage/$f" ] || fail "make install with directory variables did not install /$f"
	done
	grep -q '^libdir=/l$' "$stage/l/pkgconfig/libmodemcred.pc" || fail "libdir=/l in the .pc"
	pkg_make_flags BINDIR=/b LIBDIR=/l INCLUDEDIR=/i MANDIR=/m DESTDIR="$stage" uninstall
	pkg_make_flags DESTDIR="$stage" uninstall
	left=$(find "$stage" ! -type d 2>/dev/null || true)
	[ -z "$left" ] || fail "left behind by make uninstall: $left"
	[ ! -e "$stage" ] || fail "directories make install made, left by make uninstall: $(find "$stage")"
	# a prefix of the user's own, installed for real (no DESTDIR): the CLI
	# starts without LD_LIBRARY_PATH (its RUNPATH names LIBDIR), and uninstall
	# removes what install made, never a directory that was there before
	prefix="$T_DIR/prefix"
	mkdir -p "$prefix/share/man"
	pkg_make_flags PREFIX="$prefix" install
	expect_eq "$(readelf -d "$prefix/bin/modemcred" | sed -n 's/.*(RUNPATH).*\[\(.*\)\]$/\1/p')" \
		"$prefix/lib" "RUNPATH of the CLI installed in $prefix"
	RC=0; env -u LD_LIBRARY_PATH timeout -k 3 30 "$prefix/bin/modemcred" --version >"$OUT" 2>"$ERR" || RC=$?
	expect_ok "the CLI installed in $prefix"
	out_has "libmodemcred $version" "modemcred --version from $prefix"
	env -u LD_LIBRARY_PATH ldd "$prefix/bin/modemcred" | grep -q "$soname => $prefix/lib/$soname" ||
		fail "the CLI in $prefix does not load $prefix/lib/$soname: $(env -u LD_LIBRARY_PATH ldd "$prefix/bin/modemcred")"
	RC=0; env -u LD_LIBRARY_PATH timeout -k 3 30 "$prefix/bin/modemcred" -p "$LINK" info >"$OUT" 2>"$ERR" || RC=$?
	expect_ok "info by the CLI installed in $prefix"
	pkg_make_flags PREFIX="$prefix" uninstall
	expect_eq "$(cd "$T_DIR" && find prefix | sort | tr '\n' ' ')" "prefix prefix/share prefix/share/man " \
		"what make uninstall left of $prefix"

	# none of these installs rebuilt anything: the flags were the same
	[ "$(grep -c '^cc .*-c lib/error.c' "$T_DIR/make.log")" -eq 2 ] ||
		fail "the library was compiled $(grep -c '^cc .*-c lib/error.c' "$T_DIR/make.log") times, expected 2 (static, PIC)"
}

