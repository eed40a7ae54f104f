/*
 * ktime: `count` calls of bpf_ktime_get_ns folded into a sum, for the cost of one call inlined by
 * the JIT (a load from the CPU's kernel data block) against one through a JavaScript helper.
 * eBPF only: there is no native counterpart to compare with (a real clock read is another thing).
 */
#include "bench.h"

#ifdef __bpf__
static u64 (*bpf_ktime_get_ns)(void) = (void *)5;

struct ktime_input {
  u64 count;
};

BENCH_ENTRY(ktime)(const struct ktime_input *in, u64 len) {
  (void)len;
  u64 sum = 0, n = in->count;
  for (u64 i = 0; i < n; i++) sum += bpf_ktime_get_ns() ^ i;
  return sum;
}
#endif
