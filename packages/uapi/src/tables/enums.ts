/**
 * Lookups over the kernel enums in src/generated/enums.ts: read a value written the way people
 * write it, and name a value for printing.
 *
 * A value may be given as its uapi number (`1`, or `'1'`), bpftool's name (`hash`), the kernel
 * name (`BPF_MAP_TYPE_HASH`) or the kernel name without its prefix (`HASH`); names are matched
 * without regard to case and kernel aliases are accepted (`PROG_RUN` is `PROG_TEST_RUN`).
 * Nothing here throws: what is not a known value reads as `undefined`.
 */
import {
  ABI_ENUMS,
  type AbiEnumEntry,
  type AbiEnumName,
  type AttachType,
  type BpfCmd,
  type LinkType,
  type MapType,
  type ProgType,
} from '../generated/enums.js';

/** A kernel enum value as a caller may spell it. */
export type EnumInput = number | string;

interface EnumIndex {
  readonly byValue: ReadonlyMap<number, AbiEnumEntry>;
  /** Upper-case names: suffix, full kernel name, aliases of both. */
  readonly byName: ReadonlyMap<string, AbiEnumEntry>;
}

const indexes = new Map<AbiEnumName, EnumIndex>();

function indexFor(name: AbiEnumName): EnumIndex {
  const cached = indexes.get(name);
  if (cached) return cached;
  const { prefix, entries } = ABI_ENUMS[name];
  const byValue = new Map<number, AbiEnumEntry>();
  const byName = new Map<string, AbiEnumEntry>();
  for (const entry of entries) {
    byValue.set(entry.value, entry);
    for (const key of [entry.key, ...(entry.aliases ?? [])]) {
      byName.set(key, entry);
      byName.set(prefix + key, entry);
    }
    byName.set(entry.bpftool.toUpperCase(), entry);
  }
  const index = { byValue, byName };
  indexes.set(name, index);
  return index;
}

/** The entry for `input` in the kernel enum `name`, or `undefined` when it names no value. */
export function lookupEnum(name: AbiEnumName, input: EnumInput): AbiEnumEntry | undefined {
  const index = indexFor(name);
  if (typeof input === 'number') return Number.isInteger(input) ? index.byValue.get(input) : undefined;
  if (typeof input !== 'string') return undefined;
  const text = input.trim();
  if (/^\d+$/.test(text)) return index.byValue.get(Number(text));
  return index.byName.get(text.toUpperCase());
}

/** The uapi number `input` stands for in the kernel enum `name`, or `undefined`. */
export function parseEnum(name: AbiEnumName, input: EnumInput): number | undefined {
  return lookupEnum(name, input)?.value;
}

/** bpftool's name for `value` (`hash`), or `undefined` when the enum has no such value. */
export function enumName(name: AbiEnumName, value: number): string | undefined {
  return lookupEnum(name, value)?.bpftool;
}

/** The kernel's name for `value` (`BPF_MAP_TYPE_HASH`), or `undefined`. */
export function enumKernelName(name: AbiEnumName, value: number): string | undefined {
  return lookupEnum(name, value)?.kernel;
}

/** A `bpf(2)` command: `0`, `'map_create'`, `'BPF_MAP_CREATE'`. */
export function parseBpfCmd(input: EnumInput): BpfCmd | undefined {
  return parseEnum('bpf_cmd', input) as BpfCmd | undefined;
}

/** A map type: `1`, `'hash'`, `'BPF_MAP_TYPE_HASH'`. */
export function parseMapType(input: EnumInput): MapType | undefined {
  return parseEnum('bpf_map_type', input) as MapType | undefined;
}

/** A program type: `6`, `'xdp'`, `'BPF_PROG_TYPE_XDP'`. */
export function parseProgType(input: EnumInput): ProgType | undefined {
  return parseEnum('bpf_prog_type', input) as ProgType | undefined;
}

/** An attach type: `0`, `'cgroup_inet_ingress'`, `'BPF_CGROUP_INET_INGRESS'`. */
export function parseAttachType(input: EnumInput): AttachType | undefined {
  return parseEnum('bpf_attach_type', input) as AttachType | undefined;
}

/** A link type: `11`, `'tcx'`, `'BPF_LINK_TYPE_TCX'`. */
export function parseLinkType(input: EnumInput): LinkType | undefined {
  return parseEnum('bpf_link_type', input) as LinkType | undefined;
}

/** Lower-case name of a `bpf(2)` command (`map_create`); bpftool has none of its own. */
export function bpfCmdName(value: number): string | undefined {
  return enumName('bpf_cmd', value);
}

/** bpftool's name for a map type: `percpu_array`. */
export function mapTypeName(value: number): string | undefined {
  return enumName('bpf_map_type', value);
}

/** bpftool's name for a program type: `sched_cls`. */
export function progTypeName(value: number): string | undefined {
  return enumName('bpf_prog_type', value);
}

/** bpftool's name for an attach type: `cgroup_inet_ingress`. */
export function attachTypeName(value: number): string | undefined {
  return enumName('bpf_attach_type', value);
}

/** bpftool's name for a link type: `kprobe_multi`. */
export function linkTypeName(value: number): string | undefined {
  return enumName('bpf_link_type', value);
}
