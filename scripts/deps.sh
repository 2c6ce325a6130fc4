#!/bin/sh
# SPDX-License-Identifier: MIT
# Installs the Debian 12 packages ppcvirt needs, only when something is
# missing, so `make` and `make check` work on a fresh machine (as root).
set -e
need=""
have_cmd() { command -v "$1" >/dev/null 2>&1; }
have_pc() { pkg-config --exists "$1" 2>/dev/null; }
have_cmd cmake || need="$need cmake"
have_cmd cc || need="$need gcc"
have_cmd make || need="$need make"
have_cmd pkg-config || need="$need pkg-config"
have_cmd xz || need="$need xz-utils"
if ! have_cmd pkg-config || ! have_pc liburcu-bp; then need="$need liburcu-dev"; fi
if ! have_cmd pkg-config || ! have_pc liblzma; then need="$need liblzma-dev"; fi
# The CLI's JSON output (never linked into the library).
if ! have_cmd pkg-config || ! have_pc json-c; then need="$need libjson-c-dev"; fi
# State stream checksums (header-only use of xxhash in the library).
[ -e /usr/include/xxhash.h ] || need="$need libxxhash-dev"
# Manual pages (ppcvirt.1, ppcvirt.3) for make install.
have_cmd scdoc || need="$need scdoc"
if [ "${PPCVIRT_DEPS_FULL:-0}" = 1 ]; then
	# CI extras: clang (sanitizers, libFuzzer) and clang-format; gnuplot
	# for `bench dma --plot`, which its test skips when it is missing.
	have_cmd clang || need="$need clang"
	have_cmd clang-format || need="$need clang-format"
	have_cmd cppcheck || need="$need cppcheck"
	have_cmd gnuplot || need="$need gnuplot-nox"
	# abidiff/abidw: the ABI check against tests/abi/ (skipped without).
	have_cmd abidiff || need="$need abigail-tools"
	[ -n "$(ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a 2>/dev/null)" ] ||
		need="$need libclang-rt-dev"
fi
[ -z "$need" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "deps.sh: missing Debian packages:$need (run as root to install)" >&2
	exit 1
fi
echo "deps.sh: installing$need"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq $need >/dev/null
