# sipbeat: the two commands of the README.
#   make demo   installs what it needs, builds, runs `sipbeat demo`
#   make check  installs what it needs, builds, runs every test (plain, ASan+UBSan, valgrind, interop)
BUILD ?= build
ASAN_BUILD ?= build-asan
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: all build demo check check-unit check-asan check-valgrind check-interop deps deps-check bench fuzz format clean

all: build

deps:
	@scripts/install-deps.sh build

deps-check:
	@scripts/install-deps.sh check

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j$(JOBS)

demo: deps
	@$(MAKE) --no-print-directory build
	./$(BUILD)/sipbeat demo

check: deps-check
	@$(MAKE) --no-print-directory build
	scripts/check.sh $(BUILD) $(ASAN_BUILD)

bench: build
	scripts/bench.sh $(BUILD)

SECONDS ?= 60
fuzz: deps-check
	scripts/fuzz.sh $(SECONDS)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-fuzz
