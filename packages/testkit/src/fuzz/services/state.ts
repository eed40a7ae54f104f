/**
 * What the wire fuzzer knows of the services it talks to: the objects its requests created
 * (so that the next requests can name them), and every id a successful reply handed out (so
 * that after the run an object nobody was told about — a half-made one — stands out).
 */

/** The fields of a map that requests must get right: key and value sizes, entries, per-CPU. */
export interface MapShape {
  readonly key_size: number;
  readonly value_size: number;
  readonly max_entries: number;
  /** A value per CPU (per-CPU maps). */
  readonly percpu: boolean;
  /** Keys are u32 indexes below max_entries (the array types). */
  readonly indexed: boolean;
}

/** The kinds of object with ids and a `<kind>_get_next_id` subject. */
export const OBJECT_KINDS = ['map', 'prog', 'btf', 'link'] as const;
export type ObjectKind = (typeof OBJECT_KINDS)[number];

/** The holder name the fuzzer leases maps under. */
export const FUZZ_HOLDER = 'wire-fuzz-holder';

export class FuzzState {
  /** Maps the data commands may target. */
  readonly maps = new Map<number, MapShape>();
  /**
   * Maps only the lease subjects target: a lease to the fuzzer's made-up holder silences the
   * maps-store on the map's data commands (the holder is meant to answer them), so no data
   * command goes there.
   */
  readonly leaseMaps: number[] = [];
  /** The epoch of the fuzzer's lease on each lease map. */
  readonly leaseEpochs = new Map<number, number>();
  readonly progs = new Set<number>();
  readonly btfs = new Set<number>();
  readonly links = new Set<number>();
  readonly pins: string[] = [];
  /** Every id a successful reply handed out, or that existed before the run. */
  readonly known: Record<ObjectKind, Set<number>> = { map: new Set(), prog: new Set(), btf: new Set(), link: new Set() };
  private pinCount = 0;

  /** A fresh pin path. */
  nextPin(): string {
    return `/sys/fs/bpf/wire-fuzz/${++this.pinCount}`;
  }

  /** Records an object a reply handed out. */
  created(kind: ObjectKind, id: number): void {
    this.known[kind].add(id);
  }
}
