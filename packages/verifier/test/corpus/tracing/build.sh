#!/usr/bin/env bash
# Rebuilds kernel.btf, the tracing corpus's kernel BTF, from kernel.c (clang 14 built the
# committed one; debug info names the compilation directory ".", so the build is deterministic):
#
#   bash build.sh
set -euo pipefail
cd "$(dirname "$0")"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"${CLANG:-clang}" -O2 -g -target bpf -fdebug-compilation-dir=. -Wall -Werror -c kernel.c -o "$tmp/kernel.o"
"${LLVM_OBJCOPY:-llvm-objcopy}" --dump-section .BTF=kernel.btf "$tmp/kernel.o" /dev/null
