/*
 * hashcount: packets and bytes per IPv4 source address in a hash map, one packet per run (issue 6's
 * "parse-and-count with a HASH map"). The eBPF build looks its counter up with bpf_map_lookup_elem
 * in a BPF_MAP_TYPE_HASH (the JIT does the lookup in wasm over the maps-store's table) and adds a
 * new source with bpf_map_update_elem; the native build open-codes the same table: the maps-store's
 * layout (slots of {u32 link, u32 key}, linear probing, elements {key padded to 8 | value}) and its
 * key hash (murmur3's mixing and finaliser over the key's words, seed ^ key size, seed 0).
 * Verdict: XDP_PASS (2), or XDP_ABORTED (0) when a new source does not fit.
 * Context: as arraycount's (u32 data / data_end addresses in eBPF, pointers natively).
 */
#include "bench.h"

#define HASHCOUNT_MAX 1024 /* max_entries */
#define HASHCOUNT_OTHER 0  /* not IPv4, or too short: counted under source 0.0.0.0 */

struct hashcount_value {
  u64 packets, bytes;
};

#ifdef __bpf__
struct hashcount_ctx {
  u32 data, data_end;
};
#define HC_DATA(c) ((const u8 *)(unsigned long)(c)->data)
#define HC_END(c) ((const u8 *)(unsigned long)(c)->data_end)

static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;
static long (*bpf_map_update_elem)(void *map, const void *key, const void *value, u64 flags) = (void *)2;

struct {
  int (*type)[1]; /* BPF_MAP_TYPE_HASH */
  int (*max_entries)[HASHCOUNT_MAX];
  u32 *key;
  struct hashcount_value *value;
} hashcount_counts __attribute__((section(".maps"), used));

#define HASHCOUNT_LOOKUP(key) ((struct hashcount_value *)bpf_map_lookup_elem(&hashcount_counts, &(key)))
#define HASHCOUNT_INSERT(key, value) bpf_map_update_elem(&hashcount_counts, &(key), &(value), 1 /* BPF_NOEXIST */)
#else
struct hashcount_ctx {
  const u8 *data, *data_end;
};
#define HC_DATA(c) ((c)->data)
#define HC_END(c) ((c)->data_end)

/* The maps-store's HASH table for 4-byte keys: capacity = 2 * max_entries (a power of two). */
#define HC_CAPACITY (2 * HASHCOUNT_MAX)
struct hc_slot {
  u32 link; /* 0 empty, else element index + 2 (an element's address in the engine) */
  u32 key;
};
struct hc_element {
  u32 key, pad;
  struct hashcount_value value;
};
static struct hc_slot hc_slots[HC_CAPACITY];
static struct hc_element hc_elements[HASHCOUNT_MAX];
static u32 hc_count;

INLINE u32 hc_hash(u32 key) {
  u32 h = 0 ^ 4; /* seed ^ key size */
  u32 m = (h ^ (key * 0xcc9e2d51u)) * 0x1b873593u;
  h = (m << 13) | (m >> 19);
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  return h ^ (h >> 16);
}

INLINE struct hashcount_value *hashcount_lookup(const u32 *key) {
  for (u32 i = hc_hash(*key) & (HC_CAPACITY - 1);; i = (i + 1) & (HC_CAPACITY - 1)) {
    u32 link = hc_slots[i].link;
    if (link == 0) return 0;
    if (link > 1 && hc_slots[i].key == *key) return &hc_elements[link - 2].value;
  }
}

INLINE long hashcount_insert(const u32 *key, const struct hashcount_value *value) {
  if (hc_count == HASHCOUNT_MAX) return -7; /* -E2BIG */
  u32 i = hc_hash(*key) & (HC_CAPACITY - 1);
  while (hc_slots[i].link != 0) {
    if (hc_slots[i].key == *key) return -17; /* -EEXIST */
    i = (i + 1) & (HC_CAPACITY - 1);
  }
  hc_elements[hc_count] = (struct hc_element){ *key, 0, *value };
  hc_slots[i].key = *key;
  hc_slots[i].link = 2 + hc_count++;
  return 0;
}
#define HASHCOUNT_LOOKUP(key) hashcount_lookup(&(key))
#define HASHCOUNT_INSERT(key, value) hashcount_insert(&(key), &(value))
#endif

BENCH_ENTRY(hashcount)(const struct hashcount_ctx *ctx, u64 len) {
  (void)len;
  const u8 *data = HC_DATA(ctx), *end = HC_END(ctx);
  u32 key = HASHCOUNT_OTHER;
  if (data + 34 <= end && data[12] == 0x08 && data[13] == 0x00) key = *(const u32 *)(data + 26); /* IPv4: its source */
  struct hashcount_value *counter = HASHCOUNT_LOOKUP(key);
  if (counter) {
    __sync_fetch_and_add(&counter->packets, 1);
    __sync_fetch_and_add(&counter->bytes, (u64)(end - data));
    return 2;
  }
  struct hashcount_value first = { 1, (u64)(end - data) };
  return HASHCOUNT_INSERT(key, first) == 0 ? 2 : 0;
}
