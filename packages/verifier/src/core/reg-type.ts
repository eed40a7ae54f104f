/**
 * Register types (the kernel's `enum bpf_reg_type`): a base type in the low byte and modifier
 * flags above it, printed the way the kernel's reg_type_str() prints them.
 */
export const RegType = {
  NOT_INIT: 0,
  SCALAR: 1,
  PTR_TO_CTX: 2,
  CONST_PTR_TO_MAP: 3,
  PTR_TO_MAP_VALUE: 4,
  PTR_TO_MAP_KEY: 5,
  PTR_TO_STACK: 6,
  PTR_TO_PACKET_META: 7,
  PTR_TO_PACKET: 8,
  PTR_TO_PACKET_END: 9,
  PTR_TO_FLOW_KEYS: 10,
  PTR_TO_SOCKET: 11,
  PTR_TO_SOCK_COMMON: 12,
  PTR_TO_TCP_SOCK: 13,
  PTR_TO_XDP_SOCK: 14,
  PTR_TO_BTF_ID: 15,
  PTR_TO_MEM: 16,
  PTR_TO_FUNC: 17,
} as const;
export type RegBase = (typeof RegType)[keyof typeof RegType];

/** Modifier flags (the kernel's bpf_type_flag bits the verifier tracks here). */
export const RegFlag = {
  MAYBE_NULL: 0x100,
  RDONLY: 0x200,
  RINGBUF: 0x400,
  /** PTR_TO_BTF_ID the program may only read through (probe reads): an untrusted kptr, a walked pointer. */
  PTR_UNTRUSTED: 0x800,
  /** PTR_TO_BTF_ID known valid for the whole program (a trusted context argument). */
  PTR_TRUSTED: 0x1000,
  /** PTR_TO_BTF_ID valid while the RCU read lock is held (a referenced kptr loaded in an RCU section). */
  MEM_RCU: 0x2000,
  /** PTR_TO_BTF_ID of a per-CPU kernel variable: only bpf_this_cpu_ptr / bpf_per_cpu_ptr make it memory. */
  MEM_PERCPU: 0x4000,
} as const;

export const baseType = (t: number): number => t & 0xff;
export const typeMayBeNull = (t: number): boolean => (t & RegFlag.MAYBE_NULL) !== 0;

const NAMES: Record<number, string> = {
  [RegType.NOT_INIT]: '?',
  [RegType.SCALAR]: 'scalar',
  [RegType.PTR_TO_CTX]: 'ctx',
  [RegType.CONST_PTR_TO_MAP]: 'map_ptr',
  [RegType.PTR_TO_MAP_VALUE]: 'map_value',
  [RegType.PTR_TO_MAP_KEY]: 'map_key',
  [RegType.PTR_TO_STACK]: 'fp',
  [RegType.PTR_TO_PACKET_META]: 'pkt_meta',
  [RegType.PTR_TO_PACKET]: 'pkt',
  [RegType.PTR_TO_PACKET_END]: 'pkt_end',
  [RegType.PTR_TO_FLOW_KEYS]: 'flow_keys',
  [RegType.PTR_TO_SOCKET]: 'sock',
  [RegType.PTR_TO_SOCK_COMMON]: 'sock_common',
  [RegType.PTR_TO_TCP_SOCK]: 'tcp_sock',
  [RegType.PTR_TO_XDP_SOCK]: 'xdp_sock',
  [RegType.PTR_TO_BTF_ID]: 'ptr_',
  [RegType.PTR_TO_MEM]: 'mem',
  [RegType.PTR_TO_FUNC]: 'func',
};

/** `map_value_or_null`, `rdonly_mem`, `ringbuf_mem_or_null`, `ptr_or_null_`… */
export function regTypeStr(t: number): string {
  const base = baseType(t);
  let prefix = `${t & RegFlag.RDONLY ? 'rdonly_' : ''}${t & RegFlag.RINGBUF ? 'ringbuf_' : ''}`;
  // The kernel keeps only the last of these prefixes (strncpy over the same buffer).
  if (t & RegFlag.MEM_PERCPU) prefix = 'percpu_';
  if (t & RegFlag.MEM_RCU) prefix = 'rcu_';
  if (t & RegFlag.PTR_UNTRUSTED) prefix = 'untrusted_';
  if (t & RegFlag.PTR_TRUSTED) prefix = 'trusted_';
  let postfix = '';
  if (t & RegFlag.MAYBE_NULL) postfix = base === RegType.PTR_TO_BTF_ID ? 'or_null_' : '_or_null';
  return `${prefix}${NAMES[base] ?? `type${base}`}${postfix}`;
}

export const isPktPointer = (t: number): boolean => t === RegType.PTR_TO_PACKET || t === RegType.PTR_TO_PACKET_META;
export const isPktPointerAny = (t: number): boolean => isPktPointer(t) || t === RegType.PTR_TO_PACKET_END;
export const isSockPointer = (t: number): boolean => {
  const b = baseType(t);
  return b === RegType.PTR_TO_SOCKET || b === RegType.PTR_TO_SOCK_COMMON || b === RegType.PTR_TO_TCP_SOCK || b === RegType.PTR_TO_XDP_SOCK;
};

/** Types a register may hold when spilled to the stack as a whole (is_spillable_regtype). */
export const isSpillable = (t: number): boolean => t !== RegType.NOT_INIT && t !== RegType.SCALAR;
