# The two commands of the README, and the build around them.
#   make        build build/aiswatch
#   make demo   install what is missing, build, simulate a sample and decode it
#   make check  install what is missing, build, run every test (plain, then ASan+UBSan)
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: all deps build demo check test sanitize fuzz fuzz-run bench clean

all: build

deps:
	@scripts/install-deps.sh

build:
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

demo: deps build
	@scripts/demo.sh $(BUILD)

test: build
	@cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

sanitize:
	@cmake -S . -B $(BUILD)-asan -DCMAKE_BUILD_TYPE=Debug -DAW_SANITIZE=ON -DCMAKE_C_COMPILER=clang >/dev/null
	@cmake --build $(BUILD)-asan -j$(JOBS)
	@cd $(BUILD)-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -j$(JOBS)

fuzz:
	@cmake -S . -B $(BUILD)-fuzz -DCMAKE_BUILD_TYPE=Debug -DAW_FUZZ=ON -DCMAKE_C_COMPILER=clang >/dev/null
	@cmake --build $(BUILD)-fuzz -j$(JOBS)

# Replays the regression corpus; `make fuzz-run FUZZ_SECONDS=600` explores.
fuzz-run: fuzz
	@scripts/fuzz.sh $(BUILD)-fuzz $(or $(FUZZ_SECONDS),60)

# The sanitizer run goes last so that CTest's summary closes the output.
check: deps
	@$(MAKE) --no-print-directory test
	@$(MAKE) --no-print-directory fuzz
	@scripts/fuzz.sh $(BUILD)-fuzz 0
	@$(MAKE) --no-print-directory sanitize

bench: build
	@bench/decode.sh

clean:
	rm -rf $(BUILD) $(BUILD)-asan $(BUILD)-fuzz
