/**
 * Tracepoint record layouts as data — the content of `/sys/kernel/tracing/events/<cat>/<name>/format`:
 * field name, C type, offset, size and signedness, so the kernel-sim can describe the records in
 * its BTF, `bpfhive` can print them, and the world can encode records field by field.
 *
 * Every record starts with the 8-byte common header (common_type, common_flags,
 * common_preempt_count, common_pid). A `__data_loc` field holds `(length << 16) | offset` of a
 * string stored after the fixed fields.
 */

export interface TraceField {
  readonly name: string;
  /** The C type as the format file prints it (`const char *`, `char[16]`, `__data_loc char[]`). */
  readonly type: string;
  readonly offset: number;
  readonly size: number;
  readonly signed: boolean;
}

export interface TraceLayout {
  /** `syscalls`, `raw_syscalls`, `sched`. */
  readonly category: string;
  readonly name: string;
  /** The event id (`common_type`, the `ID:` line of the format file). */
  readonly id: number;
  /** Size of the fixed part (the common header and every field). */
  readonly size: number;
  /** The common fields first, then the event's own. */
  readonly fields: readonly TraceField[];
}

export const COMMON_FIELDS: readonly TraceField[] = [
  { name: 'common_type', type: 'unsigned short', offset: 0, size: 2, signed: false },
  { name: 'common_flags', type: 'unsigned char', offset: 2, size: 1, signed: false },
  { name: 'common_preempt_count', type: 'unsigned char', offset: 3, size: 1, signed: false },
  { name: 'common_pid', type: 'int', offset: 4, size: 4, signed: true },
];

/** A layout from the event's own fields (offsets as Linux lays them out). */
export function traceLayout(category: string, name: string, id: number, fields: readonly TraceField[]): TraceLayout {
  const all = [...COMMON_FIELDS, ...fields];
  const size = Math.max(...all.map((f) => f.offset + f.size));
  return { category, name, id, size, fields: all };
}

export function fieldOf(layout: TraceLayout, name: string): TraceField {
  const f = layout.fields.find((x) => x.name === name);
  if (!f) throw new Error(`trace record ${layout.category}:${layout.name} has no field "${name}"`);
  return f;
}

/** The text of the tracefs `format` file. */
export function formatTraceFormat(layout: TraceLayout): string {
  const line = (f: TraceField): string => {
    // `char[16]` is declared `char name[16]`; everything else (pointers, `__data_loc char[]`) `type name`.
    const arr = /^(.*)\[(\d+)\]$/.exec(f.type);
    const decl = arr ? `${arr[1]} ${f.name}[${arr[2]}]` : `${f.type} ${f.name}`;
    return `\tfield:${decl};\toffset:${f.offset};\tsize:${f.size};\tsigned:${f.signed ? 1 : 0};`;
  };
  const common = layout.fields.slice(0, COMMON_FIELDS.length).map(line);
  const own = layout.fields.slice(COMMON_FIELDS.length).map(line);
  return `name: ${layout.name}\nID: ${layout.id}\nformat:\n${common.join('\n')}\n\n${own.join('\n')}\n`;
}

export type FieldValue = number | bigint | string | Uint8Array;

/** The common header's per-event values. */
export interface CommonValues {
  readonly pid: number;
  readonly flags?: number;
  readonly preemptCount?: number;
}

const encoder = new TextEncoder();

/**
 * Encodes a record: numbers and bigints are stored little-endian in the field's size (negative
 * values as two's complement), strings in `char[N]` fields are NUL-padded and cut to N-1 bytes,
 * strings in `__data_loc` fields are appended after the fixed part with their NUL. Fields not
 * given are zero; a name the layout lacks throws.
 */
export function encodeRecord(layout: TraceLayout, common: CommonValues, values: Readonly<Record<string, FieldValue>>): Uint8Array {
  const dynamic: [TraceField, Uint8Array][] = [];
  for (const [name, value] of Object.entries(values)) {
    const f = fieldOf(layout, name);
    if (f.type.startsWith('__data_loc')) dynamic.push([f, typeof value === 'string' ? encoder.encode(`${value}\0`) : (value as Uint8Array)]);
  }
  const total = layout.size + dynamic.reduce((n, [, b]) => n + b.length, 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  const put = (f: TraceField, v: number | bigint): void => {
    const big = BigInt.asUintN(f.size * 8, BigInt(v));
    for (let i = 0; i < f.size; i++) out[f.offset + i] = Number((big >> BigInt(8 * i)) & 0xffn);
  };
  put(COMMON_FIELDS[0]!, layout.id);
  out[2] = common.flags ?? 0;
  out[3] = common.preemptCount ?? 0;
  view.setInt32(4, common.pid, true);
  let tail = layout.size;
  for (const [name, value] of Object.entries(values)) {
    const f = fieldOf(layout, name);
    if (f.type.startsWith('__data_loc')) {
      const bytes = dynamic.find(([d]) => d === f)![1];
      out.set(bytes, tail);
      view.setUint32(f.offset, ((bytes.length << 16) | tail) >>> 0, true);
      tail += bytes.length;
    } else if (typeof value === 'string' || value instanceof Uint8Array) {
      const bytes = typeof value === 'string' ? encoder.encode(value) : value;
      out.set(bytes.subarray(0, f.size - (typeof value === 'string' ? 1 : 0)), f.offset);
    } else {
      put(f, value);
    }
  }
  return out;
}

/** Reads field `name` of a record: integers as bigint (sign-extended when signed), char arrays and data_loc strings as text. */
export function decodeField(layout: TraceLayout, record: Uint8Array, name: string): bigint | string {
  const f = fieldOf(layout, name);
  const view = new DataView(record.buffer, record.byteOffset, record.byteLength);
  const cstr = (from: number, to: number): string => {
    const end = record.subarray(from, to).indexOf(0);
    return new TextDecoder().decode(record.subarray(from, end < 0 ? to : from + end));
  };
  if (f.type.startsWith('__data_loc')) {
    const loc = view.getUint32(f.offset, true);
    return cstr(loc & 0xffff, (loc & 0xffff) + (loc >>> 16));
  }
  if (f.type.startsWith('char[')) return cstr(f.offset, f.offset + f.size);
  let v = 0n;
  for (let i = f.size - 1; i >= 0; i--) v = (v << 8n) | BigInt(record[f.offset + i]!);
  return f.signed ? BigInt.asIntN(f.size * 8, v) : v;
}
