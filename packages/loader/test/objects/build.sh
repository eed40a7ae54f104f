#!/usr/bin/env bash
# Rebuilds the test objects from their C sources with clang (14 made the committed ones).
#
#   bash build.sh [OUT_DIR]    # default: this directory
#
# The build is deterministic: debug info names the compilation directory ".", so the same
# clang and libbpf headers give the same bytes anywhere. object.build.test.ts rebuilds into a
# temporary directory and compares; when it reports a mismatch, run this script and commit.
set -euo pipefail
cd "$(dirname "$0")"
out="${1:-.}"
mkdir -p "$out"

CLANG="${CLANG:-clang}"
CFLAGS=(-O2 -g -I/usr/include/x86_64-linux-gnu -fdebug-compilation-dir=. -Wall -Werror)

for src in xdp_parser tc_classifier socket_filter tracing cgroup_sock map_in_map fentry_core kfunc_task kfunc_unknown kfunc_weak spin_lock_map probes; do
	"$CLANG" "${CFLAGS[@]}" -target bpf -c "$src.c" -o "$out/$src.o"
done
# The same parser for a big-endian target, for the ELF, BTF and instruction readers.
"$CLANG" "${CFLAGS[@]}" -target bpfeb -c xdp_parser.c -o "$out/xdp_parser.bpfeb.o"
