# modemcred: libmodemcred, the modemcred CLI and the simulated modem.
#
#   make            build the library (static and shared), the CLI, the
#                   simulated modem and the examples into build/; needs only
#                   the build dependencies (a C compiler, pkg-config,
#                   libserialport-dev, libcbor-dev, libssl-dev) and never
#                   installs anything
#   make install    install the CLI, the libraries, the header, the
#                   pkg-config file, the man pages and the bash completion
#                   (PREFIX=/usr/local, DESTDIR, BINDIR, LIBDIR, INCLUDEDIR,
#                   MANDIR, PKGCONFIGDIR, BASHCOMPDIR); make uninstall
#   make demo       run the CLI against the bundled simulated modem
#   make check      the fast loop: build, the header rules
#                   (tests/check_headers.sh), unit and integration tests and
#                   the metamorphic stage, on every core, with -Werror; no
#                   sanitizers, valgrind, clang or fuzzing (a few minutes)
#   make metamorphic  the same verdicts with lines a device prints on its own
#                   (URCs, log lines, shell events) put into its output: real
#                   transcripts, and the CLI's workflow against every modemsim
#                   application with its asynchronous output (tests/metamorphic/)
#   make test       the whole suite, CI's command: the house style, make
#                   check, the CLI against a misbehaving modem (make
#                   hostile), a clang build, the tests again under
#                   ASan+UBSan, parallel handles under TSan, valgrind on the
#                   CLI, a short fuzz run; all with -Werror
#   make bench      speed against the wire-time bound at 115200 and 1 Mbaud
#   make fuzz       build the libFuzzer targets (clang)
#   make fuzz-long  run each fuzz target FUZZ_SECONDS (default 300) and grow
#                   the corpora in tests/fuzz/corpus/ with what found coverage
#   make hostile    every CLI command against every scenario of a scripted
#                   misbehaving modem on a pty (tests/hostile/: echoes,
#                   garbage, stalls, disconnects, resets, lying answers); it
#                   checks exit codes, bounds, restored modes, secret leaks
#
# CC, CPPFLAGS, CFLAGS and LDFLAGS are honoured as dpkg-buildflags passes
# them. Warnings are errors in the project's own builds (make test, .ci/run,
# or WERROR=-Werror), not by default, so that a newer compiler's new warning
# does not break a distribution's build.
#
# The test targets (demo, unit, integration, test, fuzz, ...) install the
# Debian packages they need when run as root with apt-get, otherwise print the
# exact command to run (tests/deps.sh); `make` only checks the build
# dependencies.

BUILD   ?= build
SANITIZE ?=
WERROR  ?=
CFLAGS  ?= -O2 -g
PKGS    := libserialport libcbor libcrypto
TEST_PKGS := cmocka

# Installation directories (GNU-style, upper case; DESTDIR stages an install).
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
LIBDIR     ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
DATADIR    ?= $(PREFIX)/share
MANDIR     ?= $(DATADIR)/man
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
BASHCOMPDIR  ?= $(DATADIR)/bash-completion/completions
INSTALL    ?= install
LDCONFIG   ?= ldconfig

# The directories the dynamic linker searches by itself: its built-in system
# directories (ld.so --list-diagnostics, glibc 2.33 or later; /lib and
# /usr/lib otherwise) and those of /etc/ld.so.conf, which reach it through
# ldconfig's cache. Read only when an install needs them (=, not :=).
LOADER_DIRS = $(sort $(patsubst %/,%,/lib /usr/lib $(shell \
	ld.so --list-diagnostics 2>/dev/null | sed -n 's/^path\.system_dirs\[[^]]*\]="\(.*\)"$$/\1/p'; \
	cat /etc/ld.so.conf /etc/ld.so.conf.d/*.conf 2>/dev/null | sed -n 's/^[ \t]*\(\/[^ \t\#]*\).*/\1/p')))
LIBDIR_SEARCHED = $(filter $(patsubst %/,%,$(LIBDIR)),$(LOADER_DIRS))
# A LIBDIR the linker does not search gets a RUNPATH in the installed CLI (as
# libtool does); one it searches gets none, and a live install as root runs
# ldconfig instead. INSTALL_RUNPATH= turns the RUNPATH off.
INSTALL_RUNPATH ?= $(if $(LIBDIR_SEARCHED),,$(LIBDIR))
comma := ,

# The version is defined once, by MCRED_VERSION_* in the public header.
version_part = $(shell sed -n 's/^\#define MCRED_VERSION_$(1) *\([0-9][0-9]*\)$$/\1/p' include/modemcred.h)
VERSION_MAJOR := $(call version_part,MAJOR)
VERSION_MINOR := $(call version_part,MINOR)
VERSION_PATCH := $(call version_part,PATCH)
ifeq ($(VERSION_MAJOR)$(if $(VERSION_MINOR),,x)$(if $(VERSION_PATCH),,x),)
$(error cannot read MCRED_VERSION_MAJOR/MINOR/PATCH from include/modemcred.h)
endif
VERSION   := $(VERSION_MAJOR).$(VERSION_MINOR).$(VERSION_PATCH)
SOVERSION := $(VERSION_MAJOR)

WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wformat=2 $(WERROR)
# The tree's own headers come before anything CPPFLAGS adds, so that an
# installed modemcred.h never shadows the one being built. The library's
# internal headers (-Ilib) are for the library and its unit tests only: the
# CLI, the examples and the integration programs see the public API alone.
LIB_INCLUDE := -Ilib
BASE_CPPFLAGS = -Iinclude $(LIB_INCLUDE) -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L
# Deferred (=, not :=): pkg-config may only exist once tests/deps.sh has run.
ALL_CFLAGS = -std=c11 $(BASE_CPPFLAGS) $(CPPFLAGS) $(WARN) $(CFLAGS) \
	$(SANITIZE) $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LIB_LIBS  = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
TEST_LIBS = $(shell pkg-config --libs $(TEST_PKGS) 2>/dev/null)
LDFLAGS_ALL = $(SANITIZE) $(CFLAGS) $(LDFLAGS)

LIB_SRC  := $(sort $(wildcard lib/*.c))
CLI_MAIN := cli/main.c
CLI_GENDOC := cli/gendoc.c
CLI_SRC  := $(filter-out $(CLI_MAIN) $(CLI_GENDOC),$(sort $(wildcard cli/*.c)))
SIM_SRC  := $(sort $(wildcard tests/modemsim/*.c))
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_SUPPORT_SRC := $(sort $(wildcard tests/unit/support/*.c))
UNIT_SUPPORT_HDR := $(sort $(wildcard tests/unit/support/*.h))
EX_SRC   := $(sort $(wildcard examples/*.c))
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
INTEG_SRC := $(sort $(wildcard tests/integration/*.c))

LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
PIC_OBJ  := $(LIB_SRC:%.c=$(BUILD)/pic/%.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
SIM_OBJ  := $(SIM_SRC:%.c=$(BUILD)/obj/%.o)
UNIT_SUPPORT_OBJ := $(UNIT_SUPPORT_SRC:%.c=$(BUILD)/obj/%.o)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
EX_BIN   := $(EX_SRC:examples/%.c=$(BUILD)/examples/%)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%)
INTEG_BIN := $(INTEG_SRC:tests/integration/%.c=$(BUILD)/tests/integ/%)

STATIC := $(BUILD)/libmodemcred.a
SONAME := libmodemcred.so.$(SOVERSION)
SHARED_NAME := libmodemcred.so.$(VERSION)
SHARED := $(BUILD)/$(SHARED_NAME)
SYMBOL_MAP := lib/libmodemcred.map
# The CLI the tests run links the static library; the one `make install`
# installs (built alongside) links the shared one.
CLI    := $(BUILD)/modemcred
CLI_SHARED := $(BUILD)/shared/modemcred
SIM    := $(BUILD)/modemsim
GENDOC := $(BUILD)/gendoc
PRELOAD := $(BUILD)/tests/libfakeserial.so
SYNCLOG := $(BUILD)/tests/libsynclog.so
BASH_COMPLETION := cli/modemcred.bash-completion
PC_IN  := lib/libmodemcred.pc.in
MAN_PAGES := man/modemcred.1 man/libmodemcred.3
BUILD_DEPS_OK := $(BUILD)/.build-deps-ok
FLAGS := $(BUILD)/.flags

.PHONY: all deps test check unit integration metamorphic asan tsan clang valgrind fuzz fuzz-run \
	demo bench clean examples install uninstall test-programs docs FORCE \
	hostile fuzz-long format format-check headers \
	$(addprefix do-,unit integration metamorphic hostile asan tsan clang valgrind fuzz fuzz-run \
		fuzz-long demo check test headers format format-check)

# What a user or a package needs. modemsim is here (not only in the test
# targets) because `make demo` and anyone trying the CLI without hardware use
# it; it needs nothing beyond the build dependencies.
all: $(STATIC) $(SHARED) $(CLI) $(CLI_SHARED) $(SIM) examples

# Programs only the tests use (test_docs.sh runs gendoc).
test-programs: all $(PRELOAD) $(SYNCLOG) $(INTEG_BIN) $(GENDOC)

# ---- dependencies ---------------------------------------------------------

# Everything every target needs: installed as root, else the command to run.
deps:
	@sh tests/deps.sh test

# Building only checks the build dependencies (never apt-get).
$(BUILD_DEPS_OK): tests/deps.sh
	@sh tests/deps.sh --check build
	@mkdir -p $(@D) && touch $@

# The targets that need more (cmocka, clang, valgrind, openssl, mandoc,
# python3) make sure of it first, then do their work in a sub-make, which
# then finds pkg-config and the libraries.
DEPS_unit := unit
DEPS_tsan := unit
DEPS_integration := test
DEPS_metamorphic := test
DEPS_hostile := test
DEPS_asan := test
DEPS_valgrind := test
DEPS_check := test
DEPS_test := test
DEPS_headers := build
DEPS_clang := fuzz
DEPS_fuzz := fuzz
DEPS_fuzz-run := fuzz
DEPS_fuzz-long := fuzz
DEPS_demo := demo
DEPS_format := format
DEPS_format-check := format

unit integration metamorphic hostile asan tsan clang valgrind fuzz fuzz-run fuzz-long demo \
		check test headers format format-check:
	@sh tests/deps.sh $(DEPS_$@)
	@$(MAKE) --no-print-directory do-$@

# Every compiler and linker flag in one file, rewritten only when one
# changes: objects and programs depend on it, so a build with other CFLAGS,
# CPPFLAGS, WERROR or SANITIZE recompiles instead of mixing old objects in.
$(FLAGS): FORCE | $(BUILD_DEPS_OK)
	@printf '%s\n' '$(subst ','"'"',$(CC) $(ALL_CFLAGS) $(LDFLAGS_ALL) $(LIB_LIBS))' >$@.new
	@if cmp -s $@.new $@; then rm -f $@.new; else mv -f $@.new $@; fi

FORCE:

# ---- compilation ------------------------------------------------------------

$(BUILD)/obj/%.o: %.c include/modemcred.h $(wildcard lib/*.h) $(FLAGS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -fvisibility=hidden -MMD -MP -c $< -o $@

$(BUILD)/pic/%.o: %.c include/modemcred.h $(wildcard lib/*.h) $(FLAGS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -fPIC -fvisibility=hidden -MMD -MP -c $< -o $@

$(STATIC): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $(LIB_OBJ)

# Every symbol gets its version node from $(SYMBOL_MAP), whose "local: *"
# hides whatever it does not list. A function marked MCRED_API (default
# visibility in the objects) but missing from the map would silently vanish
# from the ABI: the link fails instead (how to add a function: the top of the map).
$(SHARED): $(PIC_OBJ) $(SYMBOL_MAP)
	$(CC) -shared -Wl,-soname,$(SONAME) -Wl,--version-script=$(SYMBOL_MAP) $(LDFLAGS_ALL) \
		-o $@ $(PIC_OBJ) $(LIB_LIBS)
	@readelf -sW $(PIC_OBJ) | awk '$$5 == "GLOBAL" && $$6 == "DEFAULT" && $$7 != "UND" { print $$8 }' | \
		sort -u >$@.api
	@nm -D --defined-only $@ | awk '{ print $$3 }' | sed 's/@.*//' | sort -u >$@.exported
	@missing=$$(comm -23 $@.api $@.exported | tr '\n' ' '); rm -f $@.api $@.exported; \
	if [ -n "$$missing" ]; then rm -f $@; \
		echo "error: public symbols missing from $(SYMBOL_MAP): $$missing" >&2; \
		echo "       add them to the node of the current version (see the top of the map)" >&2; \
		exit 1; fi
	ln -sf $(SHARED_NAME) $(BUILD)/$(SONAME)
	ln -sf $(SONAME) $(BUILD)/libmodemcred.so

# (private: the flags file and the library these depend on keep -Ilib)
$(CLI_OBJ) $(BUILD)/obj/cli/main.o $(BUILD)/obj/cli/gendoc.o: private LIB_INCLUDE :=
$(BUILD)/examples/% $(BUILD)/tests/integ/%: private LIB_INCLUDE :=

$(BUILD)/cli.a: $(CLI_OBJ)
	@rm -f $@
	ar rcs $@ $(CLI_OBJ)

$(CLI): $(BUILD)/obj/cli/main.o $(BUILD)/cli.a $(STATIC)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIB_LIBS)

# The installed CLI: linked by path to the shared library, so that it records
# its SONAME; the others only if the CLI itself calls them (--as-needed); with
# INSTALL_RUNPATH as its RUNPATH, relinked when that changes.
$(CLI_SHARED): $(BUILD)/obj/cli/main.o $(BUILD)/cli.a $(SHARED) $(BUILD)/.runpath
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS_ALL) -o $@ $(BUILD)/obj/cli/main.o $(BUILD)/cli.a $(SHARED) \
		$(if $(INSTALL_RUNPATH),-Wl$(comma)--enable-new-dtags -Wl$(comma)-rpath$(comma)$(INSTALL_RUNPATH)) \
		-Wl,--as-needed $(LIB_LIBS)

$(BUILD)/.runpath: FORCE | $(BUILD_DEPS_OK)
	@printf '%s\n' '$(INSTALL_RUNPATH)' >$@.new
	@if cmp -s $@.new $@; then rm -f $@.new; else mv -f $@.new $@; fi

# The files made from the CLI's option table (committed; test_docs.sh checks
# that they are current): bash completion and the options sections of the man page.
$(GENDOC): $(BUILD)/obj/cli/gendoc.o $(BUILD)/cli.a $(STATIC)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIB_LIBS)

docs: $(GENDOC)
	$(GENDOC) bash > $(BUILD)/modemcred.bash.new
	mv $(BUILD)/modemcred.bash.new $(BASH_COMPLETION)
	$(GENDOC) man man/modemcred.1 > $(BUILD)/modemcred.1.new
	mv $(BUILD)/modemcred.1.new man/modemcred.1

$(SIM): $(SIM_OBJ)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(shell pkg-config --libs libcrypto libcbor) -lutil

$(PRELOAD): tests/preload/fakeserial.c $(FLAGS)
	@mkdir -p $(@D)
	$(CC) -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -O2 -g -fPIC -shared \
		$(shell pkg-config --cflags libserialport) -pthread -o $@ $< -ldl

$(SYNCLOG): tests/preload/synclog.c $(FLAGS)
	@mkdir -p $(@D)
	$(CC) -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -O2 -g -fPIC -shared -o $@ $< -ldl

# Unit tests link the shared test helpers of tests/unit/support (the fake
# modem, ...) and -pthread (test_parallel runs handles in threads). A static
# pattern rule, so make keeps the helper objects instead of deleting them as
# intermediate files.
$(UNIT_BIN): $(BUILD)/tests/%: tests/unit/%.c $(UNIT_SUPPORT_OBJ) $(UNIT_SUPPORT_HDR) $(STATIC) $(BUILD)/cli.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Icli -pthread $(LDFLAGS_ALL) -o $@ $< $(UNIT_SUPPORT_OBJ) \
		$(BUILD)/cli.a $(STATIC) $(TEST_LIBS) $(LIB_LIBS)

$(BUILD)/tests/integ/%: tests/integration/%.c $(STATIC)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS_ALL) -o $@ $< $(STATIC) $(LIB_LIBS)

examples: $(EX_BIN)

$(BUILD)/examples/%: examples/%.c $(STATIC)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS_ALL) -o $@ $< $(STATIC) $(LIB_LIBS)

# ---- install ------------------------------------------------------------------

# libmodemcred.pc: absolute directories (a staged tree is used with
# PKG_CONFIG_SYSROOT_DIR), written as ${prefix}/... where they lie under it.
pc_dir = $(patsubst $(PREFIX)/%,$${prefix}/%,$(1))
INSTALLED_FILES = $(BINDIR)/modemcred $(LIBDIR)/$(SHARED_NAME) $(LIBDIR)/$(SONAME) \
	$(LIBDIR)/libmodemcred.so $(LIBDIR)/libmodemcred.a $(INCLUDEDIR)/modemcred.h \
	$(PKGCONFIGDIR)/libmodemcred.pc $(MANDIR)/man1/modemcred.1 $(MANDIR)/man3/libmodemcred.3 \
	$(BASHCOMPDIR)/modemcred
INSTALL_DIRS = $(addprefix $(DESTDIR),$(BINDIR) $(LIBDIR) $(INCLUDEDIR) $(PKGCONFIGDIR) \
	$(MANDIR)/man1 $(MANDIR)/man3 $(BASHCOMPDIR))
# The directories an install from this build directory created (with DESTDIR),
# so that uninstall removes those it leaves empty, and only those.
CREATED_DIRS := $(BUILD)/installed-dirs

install: $(CLI_SHARED) $(SHARED) $(STATIC) $(PC_IN) $(MAN_PAGES) $(BASH_COMPLETION)
	@for d in $(INSTALL_DIRS); do \
		while [ ! -d "$$d" ]; do echo "$$d"; d=$$(dirname "$$d"); done; \
	done | cat - $(wildcard $(CREATED_DIRS)) | sort -u >$(CREATED_DIRS).new
	@mv -f $(CREATED_DIRS).new $(CREATED_DIRS)
	$(INSTALL) -d $(INSTALL_DIRS)
	$(INSTALL) -m 0755 $(CLI_SHARED) $(DESTDIR)$(BINDIR)/modemcred
	$(INSTALL) -m 0755 $(SHARED) $(DESTDIR)$(LIBDIR)/$(SHARED_NAME)
	ln -sf $(SHARED_NAME) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libmodemcred.so
	$(INSTALL) -m 0644 $(STATIC) $(DESTDIR)$(LIBDIR)/libmodemcred.a
	$(INSTALL) -m 0644 include/modemcred.h $(DESTDIR)$(INCLUDEDIR)/modemcred.h
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(call pc_dir,$(LIBDIR))|' \
		-e 's|@INCLUDEDIR@|$(call pc_dir,$(INCLUDEDIR))|' -e 's|@VERSION@|$(VERSION)|' \
		$(PC_IN) >$(DESTDIR)$(PKGCONFIGDIR)/libmodemcred.pc
	chmod 0644 $(DESTDIR)$(PKGCONFIGDIR)/libmodemcred.pc
	$(INSTALL) -m 0644 man/modemcred.1 $(DESTDIR)$(MANDIR)/man1/modemcred.1
	$(INSTALL) -m 0644 man/libmodemcred.3 $(DESTDIR)$(MANDIR)/man3/libmodemcred.3
	$(INSTALL) -m 0644 $(BASH_COMPLETION) $(DESTDIR)$(BASHCOMPDIR)/modemcred
	@$(ldconfig_if_live)

# Files first, then each install directory and its parents, deepest first,
# as long as this build's install created them and they are empty.
uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED_FILES))
	@touch $(CREATED_DIRS)
	@for d in $(INSTALL_DIRS); do \
		while grep -qxF -e "$$d" $(CREATED_DIRS) && rmdir "$$d" 2>/dev/null; do \
			echo "rmdir $$d"; grep -vxF -e "$$d" $(CREATED_DIRS) >$(CREATED_DIRS).new; \
			mv -f $(CREATED_DIRS).new $(CREATED_DIRS); d=$$(dirname "$$d"); \
		done; \
	done
	@$(ldconfig_if_live)

# A live install (no DESTDIR) into a directory the dynamic linker searches
# refreshes its cache, without which the CLI would not find the new library
# in /usr/local/lib: ldconfig as root, or a note saying so.
ldconfig_if_live = if [ -z "$(DESTDIR)" ] && [ -n "$(LIBDIR_SEARCHED)" ]; then \
	if [ "$$(id -u)" = 0 ] && command -v $(LDCONFIG) >/dev/null 2>&1; then $(LDCONFIG); \
	else echo "note: run $(LDCONFIG) as root for the dynamic linker to see $(LIBDIR)"; fi; fi

# ---- tests ------------------------------------------------------------------

# Each stage appends "passed failed" to RESULTS; the last line is the total.
RESULTS = $(CURDIR)/$(BUILD)/test-results.txt
CHECK_RESULTS = $(CURDIR)/$(BUILD)/check-results.txt
# The project's own builds treat warnings as errors.
STRICT := WERROR=-Werror
NPROC := $(shell getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)

# The whole suite (CI's command): stops at the first stage that fails.
do-test:
	@mkdir -p $(BUILD) && rm -f $(RESULTS)
	MCRED_RESULTS=$(RESULTS) $(MAKE) format-check
	MCRED_RESULTS=$(RESULTS) $(MAKE) $(STRICT) check
	MCRED_RESULTS=$(RESULTS) $(MAKE) $(STRICT) hostile
	$(MAKE) $(STRICT) clang
	MCRED_RESULTS=$(RESULTS) $(MAKE) $(STRICT) asan
	MCRED_RESULTS=$(RESULTS) $(MAKE) $(STRICT) tsan
	MCRED_RESULTS=$(RESULTS) $(MAKE) $(STRICT) valgrind
	MCRED_RESULTS=$(RESULTS) $(MAKE) $(STRICT) fuzz-run
	@awk '{ p += $$1; f += $$2 } END { printf "make test: %d passed, %d failed\n", p, f }' $(RESULTS)

# The fast loop: the build on every core, then its three stages, each run
# even when one before failed, and their total (added to make test's when
# run as its stage).
do-check:
	@mkdir -p $(BUILD) && rm -f $(CHECK_RESULTS)
	@$(MAKE) --no-print-directory $(STRICT) -j$(NPROC) test-programs $(UNIT_BIN)
	@rc=0; \
	MCRED_RESULTS=$(CHECK_RESULTS) sh tests/check_headers.sh || rc=1; \
	MCRED_RESULTS=$(CHECK_RESULTS) sh tests/run-unit.sh $(UNIT_BIN) || rc=1; \
	MCRED_RESULTS=$(CHECK_RESULTS) sh tests/integration/run.sh $(BUILD) || rc=1; \
	MCRED_RESULTS=$(CHECK_RESULTS) TEST_FILES='tests/metamorphic/test_*.sh' SUITE=metamorphic \
		sh tests/integration/run.sh $(BUILD) || rc=1; \
	[ -z "$$MCRED_RESULTS" ] || cat $(CHECK_RESULTS) >>"$$MCRED_RESULTS"; \
	awk '{ p += $$1; f += $$2 } END { printf "make check: %d passed, %d failed\n", p, f }' \
		$(CHECK_RESULTS); \
	exit $$rc

# lib/x.h declares what lib/x.c defines, and the layers of lib/handle.h.
do-headers:
	@sh tests/check_headers.sh

do-unit: $(UNIT_BIN)
	@sh tests/run-unit.sh $(UNIT_BIN)

do-integration: test-programs
	@sh tests/integration/run.sh $(BUILD)

# The integration runner on tests/metamorphic/ (see test_metamorphic.sh there);
# make check (and so make test) runs it after the integration tests.
do-metamorphic: test-programs
	@TEST_FILES='tests/metamorphic/test_*.sh' SUITE=metamorphic sh tests/integration/run.sh $(BUILD)

# Python 3 from Debian (python3-cryptography), as the integration tests use.
do-hostile: all
	@/usr/bin/python3 tests/hostile/run.py $(BUILD)

ASAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

# The same warning-free build with clang (the tests run in the gcc builds).
do-clang:
	$(MAKE) BUILD=build-clang CC=clang all test-programs

do-asan:
	$(MAKE) BUILD=build-asan SANITIZE="$(ASAN_FLAGS)" CFLAGS="-O1 -g" unit integration

# Handles used from several threads at once, under ThreadSanitizer.
do-tsan:
	$(MAKE) BUILD=build-tsan SANITIZE="-fsanitize=thread" CFLAGS="-O1 -g" \
		build-tsan/tests/test_parallel
	@sh tests/run-unit.sh build-tsan/tests/test_parallel

do-valgrind: test-programs
	@sh tests/valgrind.sh $(BUILD)

FUZZ_CC ?= clang
FUZZ_FLAGS = -std=c11 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -g -O1 \
	-fsanitize=fuzzer,address,undefined -Iinclude -Ilib -Icli \
	$(shell pkg-config --cflags $(PKGS) 2>/dev/null)

do-fuzz: $(FUZZ_BIN)

$(BUILD)/fuzz/%: tests/fuzz/%.c $(wildcard tests/fuzz/*.h) $(LIB_SRC) $(CLI_SRC) | $(BUILD_DEPS_OK)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $< $(LIB_SRC) $(CLI_SRC) $(LIB_LIBS)

do-fuzz-run: do-fuzz
	@sh tests/fuzz/run.sh $(BUILD) 20

# Longer runs that keep what they found: commit tests/fuzz/corpus/ afterwards.
FUZZ_SECONDS ?= 300
do-fuzz-long: do-fuzz
	@sh tests/fuzz/run.sh $(BUILD) $(FUZZ_SECONDS) --grow

# The house style: `make format` applies .clang-format to every C file,
# `make format-check` (a stage of make test) fails on any that differs.
do-format:
	@sh tests/format.sh

do-format-check:
	@sh tests/format.sh --check

# ---- demo and benchmark ----------------------------------------------------

do-demo: all
	@sh tests/demo.sh $(BUILD)

bench: all
	@sh tests/bench.sh $(BUILD)
	@sh tests/bench_provision.sh $(BUILD)

clean:
	rm -rf build build-asan build-clang build-tsan

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
