import type { Arena } from '@bpfhive/maps-store';
import { BpfError } from '@bpfhive/uapi';
import { ArenaBlock } from '../memory/regions.js';
import type { CtxLayout } from '@bpfhive/uapi';
import { type FieldPlace, member } from './layout.js';

/** A field's value: a number or bigint (little-endian, the field's width), or its raw bytes. */
export type FieldValue = number | bigint | Uint8Array;

/** Writes `value` into `field` of the context at `bytes` (little-endian). EINVAL for bytes of the wrong length. */
export function writeField(bytes: Uint8Array, field: FieldPlace, value: FieldValue): void {
  if (value instanceof Uint8Array) {
    if (value.length > field.size) throw new BpfError('EINVAL', `context field ${field.name} holds ${field.size} bytes, got ${value.length}`);
    bytes.set(value, field.offset);
    return;
  }
  let v = BigInt.asUintN(field.size * 8, BigInt(value));
  for (let i = 0; i < field.size; i++) {
    bytes[field.offset + i] = Number(v & 0xffn);
    v >>= 8n;
  }
}

/** Reads `field` of the context at `bytes` as an unsigned number (fields up to 8 bytes). */
export function readField(bytes: Uint8Array, field: FieldPlace): bigint {
  let v = 0n;
  for (let i = Math.min(field.size, 8) - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[field.offset + i]!);
  return v;
}

/**
 * A zeroed context of `layout` in the arena (at least `size` bytes) with `values` written by
 * field name (undefined values are skipped). The caller frees the block once the run is over.
 */
export function buildContext(arena: Arena, layout: CtxLayout, values: Readonly<Record<string, FieldValue | undefined>>, size = layout.size): ArenaBlock {
  const block = ArenaBlock.alloc(arena, size);
  const bytes = block.bytes;
  for (const [name, value] of Object.entries(values)) if (value !== undefined) writeField(bytes, member(layout, name), value);
  return block;
}
