/**
 * A request family: one kind of request to one subject (or one command on an object), with a
 * valid body built from what the fuzzer knows, the schema its successful reply must match, and
 * what a success teaches the fuzzer. The harness mutates bodies, ids and commands.
 */
import type { WireSchema } from '@bpfhive/uapi';
import type { Json } from '../json.js';
import type { Prng } from '../prng.js';
import type { ServiceName } from './processes.js';
import type { FuzzState } from './state.js';

export interface RequestFamily {
  /** e.g. `map.update_elem`, `prog_load`. */
  readonly name: string;
  /** The service that serves it. */
  readonly service: ServiceName;
  /** How often it is picked, relative to the others. */
  readonly weight: number;
  /** For a command on an object: the ids it may name now (none: it waits). Absent: a fixed subject. */
  readonly ids?: (state: FuzzState) => readonly number[];
  /** The subject for an id token (ignored by fixed subjects). */
  subject(id: string): string;
  /** A valid body; `id` is the object named, undefined for fixed subjects or made-up ids. */
  body(rand: Prng, state: FuzzState, id: number | undefined): Json;
  /** Base64 fields worth mutating as bytes (instructions, BTF blobs, keys). */
  readonly byteFields?: readonly string[];
  /** The schema a successful reply must match. */
  readonly reply?: WireSchema;
  /** Learns from a successful reply to `request` (undefined when its body was not JSON). */
  onReply?(reply: Json, request: Json | undefined, state: FuzzState, id: number | undefined): void;
}

/** Id tokens no object has: zero, beyond u32, not numbers, leading zeros. */
export const ODD_IDS: readonly string[] = ['0', '4294967295', '4294967296', '99999999999999999999', '-1', 'x', '1e3', '007', '0x1', '١'];

/** A field of a JSON object, or undefined. */
export function field(value: Json | undefined, name: string): Json | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value[name] : undefined;
}

/** A field that is a non-negative integer, or undefined. */
export function idField(value: Json | undefined, name: string): number | undefined {
  const v = field(value, name);
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined;
}
