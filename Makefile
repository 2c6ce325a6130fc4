# SPDX-License-Identifier: MIT
# Thin wrapper over CMake/CTest (house style §6.8). Every target first makes
# sure the Debian packages it needs are installed (scripts/deps.sh).
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=
SHARED ?= ../shared

.PHONY: all deps check kvm-check vfio-check demo asan tsan fuzz format \
	format-check install abi abi-baseline clean

all: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS) >/dev/null
	cmake --build $(BUILD) -j$(JOBS)

deps:
	@sh scripts/deps.sh

check: all
	ctest --test-dir $(BUILD) --output-on-failure -j$(JOBS)

# The KVM back end under a real kvm-hv: Debian's ppc64el kernel booted in
# QEMU TCG with nested HV (tests/rigs/kvm/README.md). HCS=FILE replays one
# script there instead of the suites.
kvm-check: deps
	JOBS=$(JOBS) sh tests/rigs/kvm/kvm-check.sh $(BUILD)/kvm-check $(HCS)

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

# PREFIX defaults to the configured one (/usr/local); ppcvirt.pc is written
# for the prefix actually installed to.
install: all
	cmake --install $(BUILD) $(if $(PREFIX),--prefix $(PREFIX))

# The library as users get it: headers, exported symbols, install +
# consumers, abidiff against tests/abi/ (docs/abi.md).
abi: all
	ctest --test-dir $(BUILD) --output-on-failure -L abi -j$(JOBS)

# Record this build's ABI as the new baseline: deliberately, at a release
# or with a bumped soname (docs/abi.md).
abi-baseline: all
	cmake --build $(BUILD) --target abi-baseline

clean:
	rm -rf build build-asan build-tsan build-fuzz build-werror build-install-root
