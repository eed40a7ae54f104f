/**
 * Frame size distributions for generated traffic. Sizes are Ethernet frame lengths without FCS
 * (what XDP sees), so the classic "simple IMIX" of 40/576/1500-byte IP packets in the ratio 7:4:1
 * becomes 60 (padded from 54), 590 and 1514 bytes.
 */
import { BpfError } from '@bpfhive/uapi';
import type { Random } from '../../random.js';

export type SizeSpec =
  | { readonly kind: 'fixed'; readonly bytes: number }
  | { readonly kind: 'uniform'; readonly min: number; readonly max: number }
  | { readonly kind: 'imix' }
  | { readonly kind: 'weighted'; readonly sizes: readonly (readonly [bytes: number, weight: number])[] };

export const IMIX: readonly (readonly [number, number])[] = [
  [60, 7],
  [590, 4],
  [1514, 1],
];

/** Checks a spec: sizes between 60 and 65535 (min ≤ max), weights non-negative and not all zero. */
export function checkSizes(spec: SizeSpec): void {
  const ok = (n: number): boolean => Number.isInteger(n) && n >= 60 && n <= 65535;
  const bad = (what: string): never => {
    throw new BpfError('EINVAL', `traffic sizes: ${what}`);
  };
  if (spec.kind === 'fixed' && !ok(spec.bytes)) bad(`fixed size ${spec.bytes} outside 60..65535`);
  if (spec.kind === 'uniform' && (!ok(spec.min) || !ok(spec.max) || spec.min > spec.max)) bad(`uniform ${spec.min}..${spec.max} is not a range inside 60..65535`);
  if (spec.kind === 'weighted') {
    if (spec.sizes.length === 0 || spec.sizes.some(([b, w]) => !ok(b) || !(w >= 0)) || spec.sizes.every(([, w]) => w === 0)) {
      bad('weighted sizes need sizes in 60..65535 with non-negative weights, not all zero');
    }
  }
}

/** Draws one frame size. */
export function sampleSize(spec: SizeSpec, rng: Random): number {
  switch (spec.kind) {
    case 'fixed':
      return spec.bytes;
    case 'uniform':
      return rng.int(spec.min, spec.max);
    case 'imix':
      return IMIX[rng.weighted(IMIX.map(([, w]) => w))]![0];
    case 'weighted':
      return spec.sizes[rng.weighted(spec.sizes.map(([, w]) => w))]![0];
  }
}
