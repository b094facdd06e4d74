# modemcred: libmodemcred, the modemcred CLI and the simulated modem.
#
#   make            build everything into build/
#   make demo       run the CLI against the bundled simulated modem
#   make test       unit + integration tests, the CLI against a misbehaving
#                   modem (make hostile), a clang build, the tests again
#                   under ASan+UBSan, parallel handles under TSan, valgrind
#                   on the CLI, a short fuzz run
#   make bench      speed against the wire-time bound at 115200 baud
#   make fuzz       build the libFuzzer targets (clang)
#   make fuzz-long  run each fuzz target FUZZ_SECONDS (default 300) and grow
#                   the corpora in tests/fuzz/corpus/ with what found coverage
#   make hostile    every CLI command against every scenario of a scripted
#                   misbehaving modem on a pty (tests/hostile/: echoes,
#                   garbage, stalls, disconnects, resets, lying answers); it
#                   checks exit codes, bounds, restored modes, secret leaks
#
# Missing Debian packages are installed when running as root with apt-get,
# otherwise the exact command to run is printed (see `make deps`).

CC      ?= cc
BUILD   ?= build
SANITIZE ?=
PKGS    := libserialport libcbor libcrypto
TEST_PKGS := cmocka

SOVERSION := 0
VERSION   := 0.1.0

WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2
CFLAGS  ?= -O2 -g
# Deferred (=, not :=): pkg-config may only exist once tests/deps.sh has run.
ALL_CFLAGS = -std=c11 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L $(WARN) $(CFLAGS) \
	$(SANITIZE) -Iinclude -Ilib $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LIB_LIBS  = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
TEST_LIBS = $(shell pkg-config --libs $(TEST_PKGS) 2>/dev/null)
LDFLAGS_ALL := $(SANITIZE) $(LDFLAGS)

LIB_SRC  := $(sort $(wildcard lib/*.c))
CLI_MAIN := cli/main.c
CLI_SRC  := $(filter-out $(CLI_MAIN),$(sort $(wildcard cli/*.c)))
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
SHARED := $(BUILD)/libmodemcred.so.$(SOVERSION)
CLI    := $(BUILD)/modemcred
SIM    := $(BUILD)/modemsim
PRELOAD := $(BUILD)/tests/libfakeserial.so
DEPS_OK := $(BUILD)/.deps-ok

.PHONY: all deps test check unit integration asan tsan clang valgrind fuzz fuzz-run fuzz-long hostile demo bench clean examples

all: $(STATIC) $(SHARED) $(CLI) $(SIM) $(PRELOAD) examples $(INTEG_BIN)

# ---- dependencies ---------------------------------------------------------

deps: $(DEPS_OK)

$(DEPS_OK): tests/deps.sh
	@sh tests/deps.sh
	@mkdir -p $(@D) && touch $@

# ---- compilation ------------------------------------------------------------

$(BUILD)/obj/%.o: %.c include/modemcred.h lib/internal.h | $(DEPS_OK)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -fvisibility=hidden -MMD -MP -c $< -o $@

$(BUILD)/pic/%.o: %.c include/modemcred.h lib/internal.h | $(DEPS_OK)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -fPIC -fvisibility=hidden -MMD -MP -c $< -o $@

$(STATIC): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(SHARED): $(PIC_OBJ)
	$(CC) -shared -Wl,-soname,libmodemcred.so.$(SOVERSION) $(LDFLAGS_ALL) -o $@ $^ $(LIB_LIBS)
	ln -sf libmodemcred.so.$(SOVERSION) $(BUILD)/libmodemcred.so

$(BUILD)/cli.a: $(CLI_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(CLI): $(BUILD)/obj/cli/main.o $(BUILD)/cli.a $(STATIC)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIB_LIBS)

$(SIM): $(SIM_OBJ)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(shell pkg-config --libs libcrypto libcbor) -lutil

$(PRELOAD): tests/preload/fakeserial.c | $(DEPS_OK)
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

# ---- tests ------------------------------------------------------------------

test: check

# Each stage appends "passed failed" to RESULTS; the last line is the total.
RESULTS = $(CURDIR)/$(BUILD)/test-results.txt

check:
	@mkdir -p $(BUILD) && rm -f $(RESULTS)
	MCRED_RESULTS=$(RESULTS) $(MAKE) unit integration
	MCRED_RESULTS=$(RESULTS) $(MAKE) hostile
	$(MAKE) clang
	MCRED_RESULTS=$(RESULTS) $(MAKE) asan
	MCRED_RESULTS=$(RESULTS) $(MAKE) tsan
	MCRED_RESULTS=$(RESULTS) $(MAKE) valgrind
	MCRED_RESULTS=$(RESULTS) $(MAKE) fuzz-run
	@awk '{ p += $$1; f += $$2 } END { printf "make test: %d passed, %d failed\n", p, f }' $(RESULTS)

unit: $(UNIT_BIN)
	@sh tests/run-unit.sh $(UNIT_BIN)

integration: all
	@sh tests/integration/run.sh $(BUILD)

# Python 3 from Debian (python3-cryptography), as the integration tests use.
hostile: all
	@/usr/bin/python3 tests/hostile/run.py $(BUILD)

ASAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

# The same warning-free build with clang (the tests run in the gcc builds).
clang:
	$(MAKE) BUILD=build-clang CC=clang all

asan:
	$(MAKE) BUILD=build-asan SANITIZE="$(ASAN_FLAGS)" CFLAGS="-O1 -g" unit integration

# Handles used from several threads at once, under ThreadSanitizer.
tsan:
	$(MAKE) BUILD=build-tsan SANITIZE="-fsanitize=thread" CFLAGS="-O1 -g" \
		build-tsan/tests/test_parallel
	@sh tests/run-unit.sh build-tsan/tests/test_parallel

valgrind: all
	@sh tests/valgrind.sh $(BUILD)

FUZZ_CC ?= clang
FUZZ_FLAGS = -std=c11 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -g -O1 \
	-fsanitize=fuzzer,address,undefined -Iinclude -Ilib -Icli \
	$(shell pkg-config --cflags $(PKGS) 2>/dev/null)

fuzz: $(FUZZ_BIN)

$(BUILD)/fuzz/%: tests/fuzz/%.c $(wildcard tests/fuzz/*.h) $(LIB_SRC) $(CLI_SRC) | $(DEPS_OK)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $< $(LIB_SRC) $(CLI_SRC) $(LIB_LIBS)

fuzz-run: fuzz
	@sh tests/fuzz/run.sh $(BUILD) 20

# Longer runs that keep what they found: commit tests/fuzz/corpus/ afterwards.
FUZZ_SECONDS ?= 300
fuzz-long: fuzz
	@sh tests/fuzz/run.sh $(BUILD) $(FUZZ_SECONDS) --grow

# ---- demo and benchmark ----------------------------------------------------

demo: all
	@sh tests/demo.sh $(BUILD)

bench: all
	@sh tests/bench.sh $(BUILD)

clean:
	rm -rf build build-asan build-clang build-tsan

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
