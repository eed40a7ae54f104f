#!/usr/bin/env bash
# Rebuilds the verifier's C test objects with clang (14 made the committed ones), deterministically
# (debug info names the compilation directory "."). loader/test/verify-features.test.ts rebuilds
# into a temporary directory and compares; on a mismatch, run this script and commit.
#
#   bash build.sh [OUT_DIR]    # default: this directory
set -euo pipefail
cd "$(dirname "$0")"
out="${1:-.}"
mkdir -p "$out"
CLANG="${CLANG:-clang}"
for src in global_dynptr_timer tp_btf_walk; do
	"$CLANG" -O2 -g -I/usr/include/x86_64-linux-gnu -fdebug-compilation-dir=. -Wall -Werror -target bpf -c "$src.c" -o "$out/$src.o"
done
