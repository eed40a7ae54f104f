/*
 * Native baseline for the eBPF benchmarks: the programs in ../programs compiled with plain
 * `clang -O2` and timed the way bench/run.mjs times the engines: rounds of N calls on the same
 * input, ns per call = round time / N, the median over the rounds.
 *
 *   driver <input-dir> <target-round-ms> <rounds> [program...]   (alu collatz memsum parse parse_batch arraycount_batch hashcount_batch)
 *   driver <input-dir> --serve                                    (run.mjs: rounds on command, see serve())
 *
 * Inputs come from files run.mjs writes (so nothing is a compile-time constant); every call
 * goes through a volatile function pointer and its result into a volatile sink, with a compiler
 * barrier per call, so clang can neither fold, hoist nor merge the calls. Prints one JSON object.
 */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../programs/alu.c"
#include "../programs/collatz.c"
#include "../programs/memsum.c"
#include "../programs/parse.c"
#include "../programs/arraycount.c"
#include "../programs/hashcount.c"

typedef u64 (*entry_fn)(const void *, u64);

static volatile u64 sink;

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double median(double *v, int n) {
  qsort(v, n, sizeof *v, cmp_double);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void *read_file(const char *dir, const char *name, size_t *size) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "rb");
  if (!f) { fprintf(stderr, "driver: cannot open %s\n", path); exit(2); }
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  void *buf = aligned_alloc(64, ((size_t)n + 63) / 64 * 64 + 64);
  if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) { fprintf(stderr, "driver: cannot read %s\n", path); exit(2); }
  fclose(f);
  *size = (size_t)n;
  return buf;
}

static double target_ns;
static int rounds;

/* Runs `fn(arg, len)` in rounds of n calls (n grows until a round takes about target_ns) and
 * prints "name":{ns, min_ns, calls_per_round, result}; ns is the median round's time per call. */
static void bench(const char *name, entry_fn f, const void *arg, u64 len) {
  entry_fn volatile fn = f;
  u64 result = fn(arg, len);
  long n = 1;
  for (;;) { /* calibrate */
    double t0 = now_ns();
    for (long i = 0; i < n; i++) { sink = fn(arg, len); __asm__ volatile("" ::: "memory"); }
    double dt = now_ns() - t0;
    if (dt >= target_ns / 4 || n >= (1L << 30)) { n = (long)(n * (target_ns / (dt > 1 ? dt : 1))) + 1; break; }
    n *= 4;
  }
  double *per = malloc(sizeof(double) * rounds);
  for (int r = 0; r < rounds; r++) {
    double t0 = now_ns();
    for (long i = 0; i < n; i++) { sink = fn(arg, len); __asm__ volatile("" ::: "memory"); }
    per[r] = (now_ns() - t0) / n;
  }
  double med = median(per, rounds); /* sorts per */
  printf("\"%s\":{\"ns\":%.3f,\"min_ns\":%.3f,\"calls_per_round\":%ld,\"result\":\"%llu\"}", name, med, per[0], n, result);
  free(per);
}

/* parse over a batch, as JitProgram.runBatch does: verdict i of ctx[i] into out[i]. */
struct batch {
  const struct parse_ctx *ctx;
  u64 *out;
  u32 count;
};

__attribute__((noinline)) static u64 parse_batch(const void *arg, u64 len) {
  (void)len;
  const struct batch *b = arg;
  for (u32 i = 0; i < b->count; i++) b->out[i] = bench_parse(&b->ctx[i], 0);
  return b->count;
}

/* arraycount over the same packets: per-protocol counters, verdict i into out[i]. */
struct ac_batch {
  const struct arraycount_ctx *ctx;
  u64 *out;
  u32 count;
};

__attribute__((noinline)) static u64 arraycount_batch(const void *arg, u64 len) {
  (void)len;
  const struct ac_batch *b = arg;
  for (u32 i = 0; i < b->count; i++) b->out[i] = bench_arraycount(&b->ctx[i], 0);
  return b->count;
}

/* hashcount over its own batch (hashcount_batch.bin: varied IPv4 sources): verdict i into out[i]. */
struct hc_batch {
  const struct hashcount_ctx *ctx;
  u64 *out;
  u32 count;
};

__attribute__((noinline)) static u64 hashcount_batch(const void *arg, u64 len) {
  (void)len;
  const struct hc_batch *b = arg;
  for (u32 i = 0; i < b->count; i++) b->out[i] = bench_hashcount(&b->ctx[i], 0);
  return b->count;
}

struct prog {
  const char *name;
  entry_fn fn;
  const void *arg;
  u64 len;
};

static struct prog progs[7];
static int nprogs;
static struct batch batch;
static struct ac_batch acbatch;
static struct hc_batch hcbatch;

static void load(const char *dir) {
  size_t size;
  void *alu = read_file(dir, "alu.bin", &size);
  progs[nprogs++] = (struct prog){ "alu", (entry_fn)bench_alu, alu, size };
  void *collatz = read_file(dir, "collatz.bin", &size);
  progs[nprogs++] = (struct prog){ "collatz", (entry_fn)bench_collatz, collatz, size };
  void *memsum = read_file(dir, "memsum.bin", &size);
  progs[nprogs++] = (struct prog){ "memsum", (entry_fn)bench_memsum, memsum, size };
  /* parse.bin: the one packet `parse` is timed on. */
  u8 *packet = read_file(dir, "parse.bin", &size);
  static struct parse_ctx one;
  one = (struct parse_ctx){ packet, packet + size };
  progs[nprogs++] = (struct prog){ "parse", (entry_fn)bench_parse, &one, 0 };
  /* parse_batch.bin: u32 count, u32 slot, u32 len[count], then count slots of `slot` bytes. */
  u32 *hdr = read_file(dir, "parse_batch.bin", &size);
  u32 count = hdr[0], slot = hdr[1];
  const u8 *packets = (const u8 *)(hdr + 2 + count);
  struct parse_ctx *ctx = malloc(sizeof *ctx * count);
  for (u32 i = 0; i < count; i++) ctx[i] = (struct parse_ctx){ packets + (size_t)i * slot, packets + (size_t)i * slot + hdr[2 + i] };
  batch = (struct batch){ ctx, calloc(count, sizeof(u64)), count };
  progs[nprogs++] = (struct prog){ "parse_batch", parse_batch, &batch, 0 }; /* one call = the whole batch */
  struct arraycount_ctx *acctx = malloc(sizeof *acctx * count);
  for (u32 i = 0; i < count; i++) acctx[i] = (struct arraycount_ctx){ ctx[i].data, ctx[i].data_end };
  acbatch = (struct ac_batch){ acctx, calloc(count, sizeof(u64)), count };
  progs[nprogs++] = (struct prog){ "arraycount_batch", arraycount_batch, &acbatch, 0 };
  /* hashcount_batch.bin: the same format as parse_batch.bin. */
  u32 *hchdr = read_file(dir, "hashcount_batch.bin", &size);
  u32 hccount = hchdr[0], hcslot = hchdr[1];
  const u8 *hcpackets = (const u8 *)(hchdr + 2 + hccount);
  struct hashcount_ctx *hcctx = malloc(sizeof *hcctx * hccount);
  for (u32 i = 0; i < hccount; i++) hcctx[i] = (struct hashcount_ctx){ hcpackets + (size_t)i * hcslot, hcpackets + (size_t)i * hcslot + hchdr[2 + i] };
  hcbatch = (struct hc_batch){ hcctx, calloc(hccount, sizeof(u64)), hccount };
  progs[nprogs++] = (struct prog){ "hashcount_batch", hashcount_batch, &hcbatch, 0 };
}

static struct prog *find(const char *name) {
  for (int i = 0; i < nprogs; i++)
    if (!strcmp(progs[i].name, name)) return &progs[i];
  return NULL;
}

/* After parse_batch has run: the batch's size and every verdict. */
static void print_verdicts(void) {
  printf("\"parse_batch_size\":%u,\"parse_batch_verdicts\":[", batch.count);
  for (u32 i = 0; i < batch.count; i++) printf("%s%llu", i ? "," : "", batch.out[i]);
  printf("]");
}

/* After a per-packet batch (arraycount_batch, hashcount_batch) has run: every verdict. */
static void print_batch_verdicts(const u64 *out, u32 count) {
  printf("\"verdicts\":[");
  for (u32 i = 0; i < count; i++) printf("%s%llu", i ? "," : "", out[i]);
  printf("]");
}

/*
 * --serve: run.mjs drives the rounds, so that native and JIT rounds alternate in time and a
 * noisy machine slows both sides of a ratio alike. One command per line, one answer per line:
 *   calibrate NAME MS   -> calls per round of about MS milliseconds
 *   round NAME N        -> ns per call over N calls
 *   result NAME         -> {"result":"…"} (parse_batch adds the verdicts)
 */
static int serve(void) {
  char line[256], name[64];
  long n;
  double ms;
  while (fgets(line, sizeof line, stdin)) {
    struct prog *p;
    if (sscanf(line, "calibrate %63s %lf", name, &ms) == 2 && (p = find(name))) {
      entry_fn volatile fn = p->fn;
      double target = ms * 1e6;
      for (n = 1;; n *= 4) {
        double t0 = now_ns();
        for (long i = 0; i < n; i++) { sink = fn(p->arg, p->len); __asm__ volatile("" ::: "memory"); }
        double dt = now_ns() - t0;
        if (dt >= target / 4 || n >= (1L << 30)) { n = (long)(n * (target / (dt > 1 ? dt : 1))) + 1; break; }
      }
      printf("%ld\n", n);
    } else if (sscanf(line, "round %63s %ld", name, &n) == 2 && (p = find(name)) && n > 0) {
      entry_fn volatile fn = p->fn;
      double t0 = now_ns();
      for (long i = 0; i < n; i++) { sink = fn(p->arg, p->len); __asm__ volatile("" ::: "memory"); }
      printf("%.3f\n", (now_ns() - t0) / n);
    } else if (sscanf(line, "result %63s", name) == 1 && (p = find(name))) {
      printf("{\"result\":\"%llu\"", p->fn(p->arg, p->len));
      if (p->fn == parse_batch) printf(","), print_verdicts();
      if (p->fn == arraycount_batch) printf(","), print_batch_verdicts(acbatch.out, acbatch.count);
      if (p->fn == hashcount_batch) printf(","), print_batch_verdicts(hcbatch.out, hcbatch.count);
      printf("}\n");
    } else {
      printf("{\"error\":\"bad command\"}\n");
    }
    fflush(stdout);
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 3 && !strcmp(argv[2], "--serve")) {
    load(argv[1]);
    return serve();
  }
  if (argc < 4) {
    fprintf(stderr, "usage: driver <input-dir> <target-round-ms> <rounds> [program...]\n       driver <input-dir> --serve\n");
    return 2;
  }
  target_ns = atof(argv[2]) * 1e6;
  rounds = atoi(argv[3]);
  if (target_ns <= 0 || rounds < 1) { fprintf(stderr, "driver: bad round time or count\n"); return 2; }
  load(argv[1]);
  printf("{");
  const char *sep = "";
  for (int i = 0; i < nprogs; i++) {
    int want = argc == 4;
    for (int a = 4; a < argc; a++) want |= !strcmp(argv[a], progs[i].name);
    if (!want) continue;
    printf("%s", sep), sep = ",";
    bench(progs[i].name, progs[i].fn, progs[i].arg, progs[i].len);
    if (progs[i].fn == parse_batch) printf(","), print_verdicts();
    if (progs[i].fn == arraycount_batch) printf(","), print_batch_verdicts(acbatch.out, acbatch.count);
    if (progs[i].fn == hashcount_batch) printf(","), print_batch_verdicts(hcbatch.out, hcbatch.count);
  }
  printf("}\n");
  return 0;
}
