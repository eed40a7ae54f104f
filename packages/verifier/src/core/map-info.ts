/**
 * A map as the verifier sees it: the numbers of BPF_MAP_CREATE plus what BTF would tell the
 * kernel (where a `struct bpf_spin_lock` sits in the value). Maps are named by id, as bpfhive
 * names them where Linux uses file descriptors.
 */
export interface MapSpec {
  readonly map_type: number;
  readonly key_size: number;
  readonly value_size: number;
  readonly max_entries: number;
  readonly map_flags: number;
  /** For ARRAY_OF_MAPS / HASH_OF_MAPS: the inner map's shape. */
  readonly inner?: MapSpec;
  /** Offset of the value's `struct bpf_spin_lock` (from the map's BTF); absent when it has none. */
  readonly spin_lock_off?: number;
  /** Offset of the value's `struct bpf_timer` (from the map's BTF); absent when it has none. */
  readonly timer_off?: number;
  /** Created with BTF for key and value (bpf_timer needs it); implied by spin_lock_off and timer_off. */
  readonly btf?: boolean;
  /** The map's name, for messages. */
  readonly name?: string;
  /** Frozen (BPF_MAP_FREEZE): the program may rely on the contents never changing. */
  readonly frozen?: boolean;
  /** The value's kptr fields (from the map's BTF), kptr.ts. */
  readonly kptrs?: readonly KptrField[];
}

/** A kptr field of a map value: `struct task_struct __kptr *` (ref) or `__kptr_untrusted` (untrusted). */
export interface KptrField {
  readonly off: number;
  readonly kind: 'ref' | 'untrusted';
  /** The kernel STRUCT it points to (kernel-btf.ts). */
  readonly btfId: number;
}

export interface MapInfo {
  /** The map id the program names it by (0 for an inner map template). */
  readonly id: number;
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags: number;
  readonly inner: MapInfo | undefined;
  readonly spinLockOff: number | undefined;
  readonly timerOff: number | undefined;
  readonly hasBtf: boolean;
  readonly name: string;
  readonly frozen: boolean;
  readonly kptrs: readonly KptrField[];
}

export function mapInfoOf(id: number, spec: MapSpec): MapInfo {
  return {
    id,
    type: spec.map_type,
    keySize: spec.key_size,
    valueSize: spec.value_size,
    maxEntries: spec.max_entries,
    flags: spec.map_flags,
    inner: spec.inner ? mapInfoOf(0, spec.inner) : undefined,
    spinLockOff: spec.spin_lock_off,
    timerOff: spec.timer_off,
    hasBtf: spec.btf === true || spec.spin_lock_off !== undefined || spec.timer_off !== undefined,
    name: spec.name ?? '',
    frozen: spec.frozen ?? false,
    kptrs: spec.kptrs ?? [],
  };
}
