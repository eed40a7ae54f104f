/* collatz: total Collatz steps for every start value in [first, first + count): a branchy loop. */
#include "bench.h"

struct collatz_input {
  u64 first, count;
};

BENCH_ENTRY(collatz)(const struct collatz_input *in, u64 len) {
  (void)len;
  u64 total = 0, first = in->first, count = in->count;
  for (u64 s = first; s < first + count; s++) {
    u64 n = s;
    while (n != 1) {
      if (n & 1)
        n = 3 * n + 1;
      else
        n >>= 1;
      total++;
    }
  }
  return total;
}
