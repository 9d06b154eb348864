# trustmesh developer entry points. `make run` and `make test` are the README's
# quick start; both install missing Debian packages first (scripts/deps.sh).
BUILD   ?= build
ASAN    ?= build-asan
FUZZB   ?= build-fuzz
JOBS    ?= $(shell nproc)
CMAKE_FLAGS ?=
DATA    ?= data
TESTNET ?= testnet

.PHONY: all deps configure build check test test-asan run bench fmt fmt-check fuzz clean testnet testnet-stop sim

all: build

deps:
	@bash scripts/deps.sh

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS)

configure: deps $(BUILD)/build.ninja

build: configure
	cmake --build $(BUILD) -j $(JOBS)

# The whole suite, then again under ASan+UBSan (what CI runs).
test: check test-asan

# The suite once, optimised build only: the quick loop while developing.
check: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

# Same suite under AddressSanitizer + UndefinedBehaviorSanitizer.
test-asan: deps
	cmake -S . -B $(ASAN) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DTM_SANITIZE=ON -DTM_BENCH=OFF
	cmake --build $(ASAN) -j $(JOBS)
	ctest --test-dir $(ASAN) --output-on-failure -j $(JOBS)

# Create a development chain in ./data if there is none and run the node in
# the foreground (HTTP API on 127.0.0.1:8080; PORT=... for another port).
run: build
	@bash scripts/run.sh $(BUILD) $(DATA)

# The deterministic consensus simulator: SEEDS seeds in each of its slices
# (4 and 7 validators, Byzantine, crashes, partitions); SEED=S starts at S.
SEEDS ?= 1000
SEED  ?= 1
sim: configure
	cmake --build $(BUILD) -j $(JOBS) --target test_sim_sim_test
	TM_SIM_SEEDS=$(SEEDS) TM_SIM_SEED_START=$(SEED) ./$(BUILD)/test_sim_sim_test --gtest_filter='Sim.*Validators*'

# A local network: 4 validators and 1 full node in separate processes
# (data in ./testnet; VALIDATORS=, FULL_NODES=, BASE_PORT= to change).
testnet: build
	@bash scripts/testnet.sh start $(BUILD) $(TESTNET)

testnet-stop:
	@bash scripts/testnet.sh stop $(BUILD) $(TESTNET)

bench: build
	@bash scripts/bench.sh $(BUILD)

fuzz: deps
	CC=clang CXX=clang++ cmake -S . -B $(FUZZB) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTM_FUZZ=ON -DTM_BENCH=OFF
	cmake --build $(FUZZB) -j $(JOBS) --target cbor_fuzz tx_fuzz proof_fuzz x509_fuzz
	@bash scripts/fuzz.sh $(FUZZB) $${FUZZ_SECONDS:-60}

fmt:
	@find src tests bench fuzz -name '*.h' -o -name '*.cc' | xargs clang-format -i

fmt-check:
	@find src tests bench fuzz -name '*.h' -o -name '*.cc' | xargs clang-format --dry-run --Werror

clean:
	rm -rf $(BUILD) $(ASAN) $(FUZZB)
