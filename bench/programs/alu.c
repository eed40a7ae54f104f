/* alu: a serial chain of 64-bit add/mul/xor/shift/rotate, iterations and seeds read from memory. */
#include "bench.h"

struct alu_input {
  u64 a, b, iterations;
};

BENCH_ENTRY(alu)(const struct alu_input *in, u64 len) {
  (void)len;
  u64 a = in->a, b = in->b, n = in->iterations;
  for (u64 i = 0; i < n; i++) {
    a = a * 6364136223846793005ULL + b;
    b ^= a >> 29;
    b += (a << 7) ^ i;
    a ^= (b >> 17) | (b << 47);
    b -= a * 0x9E3779B97F4A7C15ULL;
  }
  return a ^ b;
}
