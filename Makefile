# The two commands of the README. Everything else is CMake + CTest.
BUILD      ?= build
FUZZ_BUILD ?= build-fuzz
JOBS       ?= 2
FUZZ_SECONDS ?= 10

.PHONY: all bootstrap build check demo fuzz cortex-m4 clean format

all: build

bootstrap:
	@./scripts/bootstrap

build: bootstrap
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Debug >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

check: build
	ctest --test-dir $(BUILD) --output-on-failure -j$(JOBS) --timeout 300
	@$(MAKE) --no-print-directory fuzz
	@if [ -x scripts/cortex-m4 ]; then ./scripts/cortex-m4; fi

# libFuzzer targets, built with clang; a short run of each on its corpus.
fuzz: bootstrap
	@CC=clang cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=Debug -DLARAFW_FUZZ=ON >/dev/null
	@cmake --build $(FUZZ_BUILD) -j$(JOBS) --target fuzz-all
	@./scripts/run-fuzzers $(FUZZ_BUILD) $(FUZZ_SECONDS)

demo: build
	@./scripts/demo $(BUILD)

clean:
	rm -rf $(BUILD) $(FUZZ_BUILD)

format:
	@git ls-files '*.c' '*.h' | xargs clang-format -i
