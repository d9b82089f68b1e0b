# The two commands of the README (`make demo`, `make check`). Everything else is CMake + CTest.
BUILD      ?= build
FUZZ_BUILD ?= build-fuzz
JOBS       ?= 2
FUZZ_SECONDS ?= 10

# The build matrix of `make check` (docs/testing.md): four configurations, warnings as errors
# in all of them, each in its own build directory.
#   $(BUILD)            gcc   Debug + ASan/UBSan   every test
#   $(CLANG_REL_BUILD)  clang Release (-O2)        unit + smoke + security tests
#   $(GCC_REL_BUILD)    gcc   Release with Debian's build flags (dpkg-buildflags: -O2,
#                             _FORTIFY_SOURCE, stack protector, relro)   unit + smoke tests
#   $(CLANG_DBG_BUILD)  clang Debug + ASan/UBSan   unit + smoke tests
CLANG_REL_BUILD ?= build-clang-rel
GCC_REL_BUILD   ?= build-gcc-rel
CLANG_DBG_BUILD ?= build-clang-dbg
# What the two lighter configurations run: the unit tests, the fuzz corpora, the packaging
# checks and a few end-to-end tests through the real programs (sim, FOAT, the CLI).
SMOKE_TESTS ?= ^(unit-|pkg-cli|fuzz-corpus-|packaging-)|^e2e-sim-basic$$|^e2e-sim-foat$$|^e2e-cli-test_cli_update$$
CTEST_FLAGS = --output-on-failure -j$(JOBS) --timeout 300

# `make install PREFIX=/opt/larafw` (DESTDIR=… for staging): a Release build, then install.
PREFIX      ?= /usr/local
INSTALL_BUILD ?= build-install

# Debian's build flags with all hardening, as debian/rules gets them. CMake does not read
# CPPFLAGS (-D_FORTIFY_SOURCE=2): like debhelper, pass it within CFLAGS.
DPKG_FLAGS = DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --get
DEB_BUILD_FLAGS = CFLAGS="$$($(DPKG_FLAGS) CFLAGS 2>/dev/null || echo -O2) $$($(DPKG_FLAGS) CPPFLAGS 2>/dev/null)" \
                  LDFLAGS="$$($(DPKG_FLAGS) LDFLAGS 2>/dev/null)"

.PHONY: all bootstrap build check check-matrix check-clang-rel check-clang-rel-full check-gcc-rel check-clang-dbg \
        demo fuzz cortex-m4 install deb deb-check clean format

all: build

bootstrap:
	@./scripts/bootstrap

build: bootstrap
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Debug >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

check: build
	@./scripts/check-format
	ctest --test-dir $(BUILD) $(CTEST_FLAGS)
	@$(MAKE) --no-print-directory check-matrix
	@$(MAKE) --no-print-directory fuzz
	@if [ -x scripts/cortex-m4 ]; then ./scripts/cortex-m4; fi

check-matrix: check-clang-rel check-gcc-rel check-clang-dbg

check-clang-rel: bootstrap
	@echo "== clang Release (-O2): unit, smoke and security tests in $(CLANG_REL_BUILD)"
	@CC=clang cmake -S . -B $(CLANG_REL_BUILD) -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build $(CLANG_REL_BUILD) -j$(JOBS)
	ctest --test-dir $(CLANG_REL_BUILD) $(CTEST_FLAGS) -R '$(SMOKE_TESTS)|^security-'

# The whole suite over the clang Release build (not part of `make check`: time budget).
check-clang-rel-full: bootstrap
	@CC=clang cmake -S . -B $(CLANG_REL_BUILD) -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build $(CLANG_REL_BUILD) -j$(JOBS)
	ctest --test-dir $(CLANG_REL_BUILD) $(CTEST_FLAGS)

check-gcc-rel: bootstrap
	@echo "== gcc Release, Debian build flags: unit + smoke tests in $(GCC_REL_BUILD)"
	@$(DEB_BUILD_FLAGS) CC=gcc cmake -S . -B $(GCC_REL_BUILD) -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build $(GCC_REL_BUILD) -j$(JOBS)
	ctest --test-dir $(GCC_REL_BUILD) $(CTEST_FLAGS) -R '$(SMOKE_TESTS)'

check-clang-dbg: bootstrap
	@echo "== clang Debug + ASan/UBSan: unit + smoke tests in $(CLANG_DBG_BUILD)"
	@CC=clang cmake -S . -B $(CLANG_DBG_BUILD) -DCMAKE_BUILD_TYPE=Debug >/dev/null
	@cmake --build $(CLANG_DBG_BUILD) -j$(JOBS)
	ctest --test-dir $(CLANG_DBG_BUILD) $(CTEST_FLAGS) -R '$(SMOKE_TESTS)'

# libFuzzer targets, built with clang; a short run of each on its corpus.
fuzz: bootstrap
	@CC=clang cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=Debug -DLARAFW_FUZZ=ON >/dev/null
	@cmake --build $(FUZZ_BUILD) -j$(JOBS) --target fuzz-all
	@./scripts/run-fuzzers $(FUZZ_BUILD) $(FUZZ_SECONDS)

demo: build
	@./scripts/demo $(BUILD)

install: bootstrap
	@cmake -S . -B $(INSTALL_BUILD) -DCMAKE_BUILD_TYPE=Release \
	       -DCMAKE_INSTALL_PREFIX=$(PREFIX) -DLARAFW_ROOMS="src/core;src/posix;src/cli;src/pkg;src/lwm2m;tools;sim;server" >/dev/null
	@cmake --build $(INSTALL_BUILD) -j$(JOBS)
	cmake --install $(INSTALL_BUILD)

# Debian packages (debian/): built in a copy of the tree, the .debs land in deb/.
deb: bootstrap
	@./scripts/deb-check --build-only

# Builds the packages, checks them with lintian, unpacks and runs them (docs/testing.md).
deb-check: bootstrap
	@./scripts/deb-check

clean:
	rm -rf $(BUILD) $(FUZZ_BUILD) $(CLANG_REL_BUILD) $(GCC_REL_BUILD) $(CLANG_DBG_BUILD) \
	       $(INSTALL_BUILD) deb

format:
	@git ls-files '*.c' '*.h' | xargs clang-format -i
