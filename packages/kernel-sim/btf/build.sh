#!/usr/bin/env bash
# Rebuilds the simulated kernel's BTF from vmlinux.c (clang 14 built the committed vmlinux.btf):
#
#   bash build.sh              # writes vmlinux.btf beside this script
#   bash build.sh OUT_FILE     # writes OUT_FILE instead
#
# clang compiles vmlinux.c for BPF with debug info, llvm-objcopy takes the .BTF section out, and
# strip-keep.mjs drops the helper types that only keep the others alive (needs @bpfhive/uapi
# built: `npx turbo run build --filter=@bpfhive/uapi`). The build is deterministic: the same
# clang gives the same bytes anywhere. src/kbtf/vmlinux-build.test.ts rebuilds into a temporary
# file and compares; when it reports a mismatch, run this script and commit vmlinux.btf.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$(realpath -m "${1:-$here/vmlinux.btf}")"
CLANG="${CLANG:-clang}"
OBJCOPY="${LLVM_OBJCOPY:-llvm-objcopy}"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cd "$here"
"$CLANG" -O2 -g -target bpf -fdebug-compilation-dir=. -Wall -Werror -c vmlinux.c -o "$tmp/vmlinux.o"
"$OBJCOPY" --dump-section .BTF="$tmp/vmlinux.raw.btf" "$tmp/vmlinux.o" /dev/null
node strip-keep.mjs "$tmp/vmlinux.raw.btf" "$out"
