/*
 * hashcount: count packets per source address in a BPF hash map (PENDING: there is no map
 * engine yet, so run.mjs reports this program as pending and does not run it). Written once,
 * as the other programs: the eBPF build uses a real BPF_MAP_TYPE_HASH and the helpers; the
 * native build will use a small open-addressing table with the same semantics once the
 * benchmark can run both.
 *
 * Not compiled by run.mjs yet: a map definition brings a map relocation (the lddw of the map
 * fd), which needs the ELF loader.
 */
#include "bench.h"

struct hashcount_input {
  u32 count;   /* number of keys that follow */
  u32 keys[];  /* e.g. source addresses */
};

#ifdef __bpf__
#define BPF_MAP_TYPE_HASH 1
#define BPF_ANY 0
static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;
static long (*bpf_map_update_elem)(void *map, const void *key, const void *value, u64 flags) = (void *)2;

struct {
  int (*type)[BPF_MAP_TYPE_HASH];
  int (*max_entries)[4096];
  u32 *key;
  u64 *value;
} counts __attribute__((section(".maps"), used));

INLINE void count(u32 key) {
  u64 *v = bpf_map_lookup_elem(&counts, &key);
  if (v) {
    __sync_fetch_and_add(v, 1);
  } else {
    u64 one = 1;
    bpf_map_update_elem(&counts, &key, &one, BPF_ANY);
  }
}
#else
#define HC_SLOTS 8192 /* power of two, at least twice max_entries */
static struct { u32 key; u32 used; u64 value; } table[HC_SLOTS];

INLINE void count(u32 key) {
  u32 h = (key * 2654435761u) & (HC_SLOTS - 1);
  while (table[h].used && table[h].key != key) h = (h + 1) & (HC_SLOTS - 1);
  if (!table[h].used) { table[h].used = 1; table[h].key = key; }
  table[h].value++;
}
#endif

BENCH_ENTRY(hashcount)(const struct hashcount_input *in, u64 len) {
  (void)len;
  u32 n = in->count;
  if (n > 4096) n = 4096;
  for (u32 i = 0; i < n; i++) count(in->keys[i]);
  return n;
}
