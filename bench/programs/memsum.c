/* memsum: the sum of a buffer (64 KiB in the benchmark) read as little-endian u64 words. */
#include "bench.h"

BENCH_ENTRY(memsum)(const u64 *words, u64 len) {
  u64 sum = 0, n = len / 8;
  for (u64 i = 0; i < n; i++) sum += words[i];
  return sum;
}
