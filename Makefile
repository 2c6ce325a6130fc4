# SPDX-License-Identifier: MIT
# Thin wrapper over CMake/CTest (house style §6.8). Every target first makes
# sure the Debian packages it needs are installed (scripts/deps.sh).
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=
SHARED ?= ../shared

.PHONY: all deps check demo asan tsan fuzz format format-check install clean \
	vfio-check

all: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS) >/dev/null
	cmake --build $(BUILD) -j$(JOBS)

deps:
	@sh scripts/deps.sh

check: all
	ctest --test-dir $(BUILD) --output-on-failure -j$(JOBS)

# The VFIO back ends against a real IOMMU and a real device's DMA, in a
# QEMU guest (tests/rigs/vfio/run.sh): type1v2 on Debian 12's kernel,
# iommufd on a kernel built once and cached (docs/passthrough.md).
vfio-check: all
	JOBS=$(JOBS) bash tests/rigs/vfio/run.sh --build $(BUILD) --iommu type1,iommufd

# The main job: benchmarks and trace replays, end to end.
demo: all
	sh scripts/demo.sh $(BUILD)/ppcvirt $(SHARED)

asan: deps
	PPCVIRT_DEPS_FULL=1 sh scripts/deps.sh
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=clang \
		-DPPCVIRT_SANITIZE=address,undefined >/dev/null
	cmake --build build-asan -j$(JOBS)
	ctest --test-dir build-asan --output-on-failure -j$(JOBS)

tsan: deps
	PPCVIRT_DEPS_FULL=1 sh scripts/deps.sh
	cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang \
		-DPPCVIRT_SANITIZE=thread >/dev/null
	cmake --build build-tsan -j$(JOBS)
	ctest --test-dir build-tsan --output-on-failure -L concurrency -j$(JOBS)

# libFuzzer targets (clang); FUZZ_SECONDS per target.
FUZZ_SECONDS ?= 30
fuzz: deps
	PPCVIRT_DEPS_FULL=1 sh scripts/deps.sh
	cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang \
		-DPPCVIRT_FUZZ=ON -DPPCVIRT_SANITIZE=address,undefined >/dev/null
	cmake --build build-fuzz -j$(JOBS)
	sh scripts/fuzz.sh build-fuzz $(FUZZ_SECONDS)

format:
	git ls-files '*.c' '*.h' | xargs clang-format -i

format-check:
	git ls-files '*.c' '*.h' | xargs clang-format --dry-run --Werror

install: all
	cmake --install $(BUILD) $(if $(PREFIX),--prefix $(PREFIX))

clean:
	rm -rf build build-asan build-tsan build-fuzz build-werror
