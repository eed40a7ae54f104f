#!/usr/bin/env bash
# Rebuilds every example's eBPF object from its C source with clang (clang 14 built the
# committed ones):
#
#   examples/build.sh            # writes examples/<name>/<name>.bpf.o
#   examples/build.sh OUT_DIR    # writes OUT_DIR/<name>.bpf.o instead
#
# The build is deterministic: it runs from the repository root with relative paths, and the
# debug info names the compilation directory ".", so the same clang and libbpf headers give
# the same bytes on any machine. packages/loader/test/examples.test.ts rebuilds into a
# temporary directory and compares; when it reports a mismatch, run this script and commit
# the objects.
set -euo pipefail
cd "$(dirname "$0")/.."

out="${1:-}"
CLANG="${CLANG:-clang}"
CFLAGS=(-O2 -g -target bpf -D__TARGET_ARCH_x86 -I/usr/include/x86_64-linux-gnu -Iexamples/include
	-fdebug-compilation-dir=. -Wall -Werror)

EXAMPLES=(pktcount http-filter ddos-drop l4lb netpolicy kubeproxy execsnoop opensnoop syscount
	tcpconnect sensitive-open)

if [[ -n "$out" ]]; then
	mkdir -p "$out"
fi
for name in "${EXAMPLES[@]}"; do
	obj="${out:-examples/$name}/$name.bpf.o"
	"$CLANG" "${CFLAGS[@]}" -c "examples/$name/$name.bpf.c" -o "$obj"
	echo "built $obj"
done
