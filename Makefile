# The two commands of the README. Both install missing Debian packages first.
BUILD ?= build
JOBS  ?= $(shell nproc 2>/dev/null || echo 2)
AS_OF ?= 2026-11-22

.PHONY: demo test test-nojit build deps clean bench fuzz sanitize

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

# Fuzzing (docs/testing.md): the tests/fuzz targets built with clang-19 + libFuzzer, ASan and
# UBSan (build-fuzz/, no JIT), then each run for FUZZ_SECONDS over a copy of its seed corpus.
# Installs clang-19 and its libFuzzer runtime first if they are missing (fuzzing is optional:
# the normal build never needs clang). Findings are left in build-fuzz/findings/<target>/.
FUZZ_BUILD   ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= clause evidence registry testfile cache batch
fuzz:
	./scripts/install-deps.sh
	./scripts/install-deps.sh --fuzz
	cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang-19 \
	  -DCMAKE_CXX_COMPILER=clang++-19 -DCONFORM_FUZZ=ON -DCONFORM_WITH_JIT=OFF \
	  -DCONFORM_BUILD_BENCH=OFF -DCONFORM_BUILD_PYTHON=OFF
	cmake --build $(FUZZ_BUILD) -j$(JOBS) --target $(addprefix fuzz_,$(FUZZ_TARGETS))
	set -e; for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(FUZZ_BUILD)/corpus/$$t $(FUZZ_BUILD)/findings/$$t; \
	  cp -n tests/fuzz/corpus/$$t/* $(FUZZ_BUILD)/corpus/$$t/ 2>/dev/null || true; \
	  echo "fuzz: $$t for $(FUZZ_SECONDS) s"; \
	  $(FUZZ_BUILD)/tests/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=4096 -max_len=262144 \
	    -timeout=30 -artifact_prefix=$(FUZZ_BUILD)/findings/$$t/ -print_final_stats=1 $(FUZZ_BUILD)/corpus/$$t; \
	done

# The test suite under ASan + UBSan (build-asan/, the catalogue found from the build tree as in
# every out-of-tree build), then ThreadSanitizer over multi-threaded batch evaluation
# (build-tsan/, interpreter): 4,000 small organizations on ISO 9001 and H&S, then
# examples/precision-parts.yaml as 200 NDJSON lines (whole ISO 9001 evaluations with messages).
# Both with gcc: no extra packages. The sanitizer build does not compile the catalogue into an
# installed cache layer (CONFORM_PREBUILT_CACHE=OFF: minutes of LLVM under
# ASan for nothing the sanitizers look at; its tests use their own cache folders).
SAN_BUILD  ?= build-asan
TSAN_BUILD ?= build-tsan
sanitize: deps
	cmake -S . -B $(SAN_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCONFORM_BUILD_BENCH=OFF -DCONFORM_BUILD_PYTHON=OFF \
	  -DCONFORM_PREBUILT_CACHE=OFF \
	  "-DCMAKE_CXX_FLAGS=-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
	  "-DCMAKE_C_FLAGS=-fsanitize=address,undefined -fno-omit-frame-pointer" \
	  "-DCMAKE_EXE_LINKER_FLAGS=-fsanitize=address,undefined" "-DCMAKE_SHARED_LINKER_FLAGS=-fsanitize=address,undefined"
	cmake --build $(SAN_BUILD) -j$(JOBS)
	cd $(SAN_BUILD) && ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --output-on-failure -j$(JOBS) -E '^(embed\.|python\.)'
	cmake -S . -B $(TSAN_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCONFORM_BUILD_BENCH=OFF -DCONFORM_BUILD_PYTHON=OFF \
	  -DCONFORM_WITH_JIT=OFF "-DCMAKE_CXX_FLAGS=-fsanitize=thread" "-DCMAKE_EXE_LINKER_FLAGS=-fsanitize=thread"
	cmake --build $(TSAN_BUILD) -j$(JOBS) --target conform
	/usr/bin/python3 -c "import sys; [print('{\"name\":\"Org %d\",\"employees\":%d}' % (i, i % 40)) for i in range(4000)]" \
	  > $(TSAN_BUILD)/tsan-batch.ndjson
	TSAN_OPTIONS=halt_on_error=1 $(TSAN_BUILD)/cli/conform check --batch $(TSAN_BUILD)/tsan-batch.ndjson \
	  -s iso9001 -s hs --threads 4 --as-of $(AS_OF) --no-cache > /dev/null || [ $$? -eq 1 ]
	/usr/bin/python3 -c "import json, yaml; l = json.dumps(yaml.safe_load(open('examples/precision-parts.yaml')), default=str); print('\n'.join([l] * 200))" \
	  > $(TSAN_BUILD)/tsan-iso9001.ndjson
	TSAN_OPTIONS=halt_on_error=1 $(TSAN_BUILD)/cli/conform check --batch $(TSAN_BUILD)/tsan-iso9001.ndjson \
	  -s iso9001 --threads 4 --as-of $(AS_OF) --no-cache > /dev/null || [ $$? -eq 1 ]
