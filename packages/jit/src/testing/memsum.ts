import { asm } from '@bpfhive/uapi';

/**
 * memsum as clang emits it (bench/programs/memsum.c): the sum of u64 words from r1 for r2 bytes,
 * a one-block counted loop with a pointer, a counter (r3 up to the bound r2), the sum in r4 and its
 * copy in r0. Instruction 5 is the load (the probe load where tests make it one). Shared by the
 * vectorizer, unroller and probe-load tests.
 */
export const MEMSUM = asm`
  r0 = 0
  if r2 < 8 goto out
  r2 >>= 3
  r3 = 0
  r4 = 0
  loop:
  r0 = *(u64 *)(r1 + 0)
  r0 += r4
  r1 += 8
  r3 += 1
  r4 = r0
  if r3 < r2 goto loop
  out:
  exit`;
