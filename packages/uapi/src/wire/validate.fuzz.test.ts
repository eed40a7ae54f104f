/**
 * Fuzzing the wire schemas (`scripts/fuzz.mjs wire` runs it long): for every schema, a valid
 * instance (every field filled) is mutated — wrong types, edge numbers, missing and extra
 * fields, invalid base64, long strings, deep nesting, mangled or odd bodies — and goes the way a
 * service takes a request: parseJson, then validateWire. Every outcome is the value or an
 * EINVAL BpfError naming the schema (or saying the body is not JSON), never another exception.
 */
import { describe, expect, it } from 'vitest';
import { type FuzzTarget, type Json, type Prng, exampleOf, formatFindings, fuzz, fuzzRun, mutateJsonBody } from '../../../testkit/src/fuzz/index.js';
import { BpfError } from '../errors.js';
import { WIRE_SCHEMAS } from './schemas/index.js';
import { type WireSchema, parseJson, validateWire } from './validate.js';

const EXAMPLES = WIRE_SCHEMAS.map((schema) => ({ schema: schema as WireSchema, example: exampleOf(schema) }));

interface Input {
  readonly schema: WireSchema;
  readonly body: Uint8Array;
}

const generate = (rand: Prng): Input => {
  const { schema, example } = rand.pick(EXAMPLES);
  return { schema, body: mutateJsonBody(rand, example) };
};

/** The property: accepted, or EINVAL with a message that names the schema and a problem. */
function validateOrRefuse({ schema, body }: Input): string {
  try {
    validateWire(schema, parseJson(body, schema.$id));
    return 'accepted';
  } catch (e) {
    if (!(e instanceof BpfError) || e.code !== 'EINVAL') throw e;
    if (e.message.startsWith(`${schema.$id}: the body is not JSON`)) return 'not-json';
    if (!new RegExp(`^${schema.$id.replace(/\./g, '\\.')}: /\\S* \\S`).test(e.message)) throw new Error(`unclear error: ${e.message}`);
    return 'rejected';
  }
}

const TARGET: FuzzTarget<Input> = {
  name: 'wire',
  generate,
  run: validateOrRefuse,
  show: ({ schema, body }) => `${schema.$id} ${Buffer.from(body).toString('utf8')}`,
};

const RUN = fuzzRun({ seed: 0x3173, cases: 3_000 });

describe('fuzz wire - every wire schema on mutated requests', () => {
  it.each(EXAMPLES.map((e) => [e.schema.$id, e.example] as const))('%s - the fuzzer starts from a valid instance', (_id, example: Json) => {
    const schema = EXAMPLES.find((e) => e.example === example)!.schema;
    expect(() => validateWire(schema, example)).not.toThrow();
  });

  it('accepts or refuses with a clear EINVAL, never throws anything else', async () => {
    const report = await fuzz(TARGET, RUN);
    expect(report.findings, formatFindings(report)).toEqual([]);
    if (!RUN.custom) expect(report.outcomes).toMatchObject({ accepted: expect.any(Number), rejected: expect.any(Number), 'not-json': expect.any(Number) });
  }, RUN.timeoutMs);
});
