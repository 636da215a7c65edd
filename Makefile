# The two commands of the README. Both install missing Debian packages first.
BUILD ?= build
JOBS  ?= $(shell nproc 2>/dev/null || echo 2)
AS_OF ?= 2026-11-22

.PHONY: demo test test-nojit build deps clean bench

deps:
	./scripts/install-deps.sh

# Configure once; `cmake --build` re-runs the configure step itself when a CMakeLists changes.
$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j$(JOBS)

# Build, then check the bundled near-certified manufacturer against ISO 9001.
# (`conform check` exits 1 when some requirement does not conform: that is the demo's point.)
demo: build
	$(BUILD)/cli/conform check examples/precision-parts.yaml --standard iso9001 --as-of $(AS_OF) || [ $$? -eq 1 ]

test: build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

# The interpreter-only build (-DCONFORM_WITH_JIT=OFF, no LLVM) in build-nojit/: build, the whole
# test suite (the native engine's tests are not registered there) and an ldd check that conform,
# libconform.so and the Python module load no libLLVM (scripts/test-nojit.sh; docs/embedding.md).
# A second full build, so not part of `make test`: about 3 minutes of building with a warm ccache
# and 3 of ctest on 2 cores.
test-nojit: deps
	JOBS=$(JOBS) ./scripts/test-nojit.sh build-nojit

clean:
	rm -rf $(BUILD)

# Conform side by side with the peers of ../shared/bench/peers, its second workload, evidence
# growth, batch and compile figures (bench/run_bench.py; docs/performance.md). Prints, never asserts.
# ROUNDS=3 RECORDS=100000 by default.
bench: build
	/usr/bin/python3 bench/run_bench.py
