import { HelperId as H } from '@bpfhive/uapi';

/**
 * Assembly, for test programs: `map`[the u32 key at fp-4] += 1 — an atomic add when the key is
 * there, else an update to 1 (BPF_ANY) — then on to label `next`, which the caller places right
 * after. Uses r0-r4 and the u64 at fp-16; defines the label `insert`.
 */
export function incrementKey(map: number, next: string): string {
  return `
  ld_pseudo r1, 1, ${map}
  r2 = r10
  r2 += -4
  call ${H.map_lookup_elem}
  if r0 == 0 goto insert
  r1 = 1
  lock *(u64 *)(r0 + 0) += r1
  goto ${next}
  insert:
  r1 = 1
  *(u64 *)(r10 - 16) = r1
  ld_pseudo r1, 1, ${map}
  r2 = r10
  r2 += -4
  r3 = r10
  r3 += -16
  r4 = 0
  call ${H.map_update_elem}`;
}
