import { Ajv, type ValidateFunction } from 'ajv';
import { BpfError } from '../errors.js';

/**
 * Validation of wire messages against their JSON Schemas. A message that does not match is an
 * EINVAL BpfError naming the subject's schema and every problem, e.g.
 * `bpf.v1.internal.jit.request: /memory/initial must be >= 1`.
 */
let ajv: Ajv | undefined; // created on first use: the CLI's short runs never pay for it
const compiled = new Map<string, ValidateFunction>();

export interface WireSchema {
  readonly $id: string;
}

export function validateWire<T>(schema: WireSchema, value: unknown): T {
  let check = compiled.get(schema.$id);
  if (!check) {
    ajv ??= new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
    check = ajv.compile(schema);
    compiled.set(schema.$id, check);
  }
  if (check(value)) return value as T;
  const problems = (check.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}${e.keyword === 'additionalProperties' ? ` ('${String(e.params.additionalProperty)}')` : ''}`);
  throw new BpfError('EINVAL', `${schema.$id}: ${problems.join('; ')}`);
}

/** Parses a JSON request body, rejecting non-JSON with EINVAL. */
export function parseJson(body: Uint8Array | string, what: string): unknown {
  const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new BpfError('EINVAL', `${what}: the body is not JSON (${(e as Error).message})`);
  }
}
