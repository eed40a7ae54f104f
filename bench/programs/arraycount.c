/*
 * arraycount: packets and bytes per IP protocol in an array of counters, one packet per run (the
 * kernel's samples/bpf xdp1 with an ARRAY map). The eBPF build looks its counter up with
 * bpf_map_lookup_elem in a BPF_MAP_TYPE_ARRAY, which the JIT inlines into address arithmetic;
 * the native build indexes a static array the same way, bounds check included. Verdict:
 * XDP_DROP (1) for UDP, XDP_PASS (2) otherwise, XDP_ABORTED (0) if the lookup fails.
 * Context: as parse's (u32 data / data_end addresses in eBPF, pointers natively).
 */
#include "bench.h"

#define ARRAYCOUNT_SLOTS 256
#define ARRAYCOUNT_OTHER 255 /* not IPv4, or too short: counted here */

struct arraycount_value {
  u64 packets, bytes;
};

#ifdef __bpf__
struct arraycount_ctx {
  u32 data, data_end;
};
#define AC_DATA(c) ((const u8 *)(unsigned long)(c)->data)
#define AC_END(c) ((const u8 *)(unsigned long)(c)->data_end)

static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;

struct {
  int (*type)[2]; /* BPF_MAP_TYPE_ARRAY */
  int (*max_entries)[ARRAYCOUNT_SLOTS];
  u32 *key;
  struct arraycount_value *value;
} arraycount_counts __attribute__((section(".maps"), used));

#define ARRAYCOUNT_LOOKUP(key) ((struct arraycount_value *)bpf_map_lookup_elem(&arraycount_counts, &(key)))
#else
struct arraycount_ctx {
  const u8 *data, *data_end;
};
#define AC_DATA(c) ((c)->data)
#define AC_END(c) ((c)->data_end)

static struct arraycount_value arraycount_counts[ARRAYCOUNT_SLOTS];

/* What an array lookup is: NULL past the end, else the element. */
INLINE struct arraycount_value *arraycount_lookup(const u32 *key) {
  return *key < ARRAYCOUNT_SLOTS ? &arraycount_counts[*key] : 0;
}
#define ARRAYCOUNT_LOOKUP(key) arraycount_lookup(&(key))
#endif

BENCH_ENTRY(arraycount)(const struct arraycount_ctx *ctx, u64 len) {
  (void)len;
  const u8 *data = AC_DATA(ctx), *end = AC_END(ctx);
  u32 key = ARRAYCOUNT_OTHER;
  if (data + 34 <= end && data[12] == 0x08 && data[13] == 0x00) key = data[23]; /* IPv4: its protocol */
  struct arraycount_value *counter = ARRAYCOUNT_LOOKUP(key);
  if (!counter) return 0;
  counter->packets += 1;
  counter->bytes += (u64)(end - data);
  return key == 17 ? 1 : 2;
}
