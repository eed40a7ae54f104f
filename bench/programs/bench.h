/*
 * Shared by every benchmark program. Each program is written once and compiled twice:
 *   clang -O2 -target bpf -mcpu=v3 -c prog.c     (__bpf__ defined)  -> run on the interpreter and the JIT
 *   clang -O2 (native, #included by native/driver.c)                 -> the baseline
 * Entry: u64 bench_<name>(void *mem_or_ctx, u64 len). No globals (so the BPF object has no
 * relocations); helpers are always_inline so the entry's section holds the whole program.
 */
#ifndef BENCH_H
#define BENCH_H

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;

#ifdef __bpf__
#define BENCH_ENTRY(name) __attribute__((section("bench/" #name), used)) u64 bench_##name
#else
#define BENCH_ENTRY(name) __attribute__((noinline)) u64 bench_##name
#endif

#define INLINE static inline __attribute__((always_inline))

#endif
