import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BpfError } from '../errors.js';
import { fromBase64, toBase64 } from './base64.js';
import { toWireError } from './error.js';
import { type JitRequest, JitRequestSchema, WIRE_SCHEMAS } from './schemas/index.js';
import { parseJson, validateWire } from './validate.js';

describe('wire - validation', () => {
  it('accepts a well-formed jit request and types it', () => {
    const req = validateWire<JitRequest>(JitRequestSchema, { insns: 'lQAAAAAAAAA=', memory: { initial: 2, shared: false } });
    expect(req.memory?.initial).toBe(2);
  });

  it.each([
    [{}, "/ must have required property 'insns'"],
    [{ insns: 'not base64!' }, '/insns must match pattern'],
    [{ insns: '', memory: { initial: 0 } }, '/memory/initial must be >= 1'],
    [{ insns: '', colour: 'red' }, "/ must NOT have additional properties ('colour')"],
    [{ insns: 5 }, '/insns must be string'],
  ])('rejects %j with EINVAL naming the field', (value, message) => {
    expect(() => validateWire(JitRequestSchema, value)).toThrow(BpfError);
    expect(() => validateWire(JitRequestSchema, value)).toThrow(`bpf.v1.internal.jit.request: ${message}`);
  });

  it.each(WIRE_SCHEMAS.map((s) => [s.$id, s] as const))('schema %s compiles in strict mode', (_id, schema) => {
    // A value no schema accepts: the point is that compiling (on first use) does not throw.
    expect(() => validateWire(schema, Symbol('nothing'))).toThrow(BpfError);
  });

  it('rejects a body that is not JSON', () => {
    expect(() => parseJson('{oops', 'jit request')).toThrow(/jit request: the body is not JSON/);
  });
});

describe('wire - errors and bytes', () => {
  it('a BpfError keeps its errno; anything else is an internal EFAULT', () => {
    expect(toWireError(new BpfError('EACCES', 'no'))).toEqual({ errno: 13, code: 'EACCES', message: 'no' });
    expect(toWireError(new TypeError('boom'))).toEqual({ errno: 14, code: 'EFAULT', message: 'internal error: boom' });
  });

  it('base64 round-trips and rejects junk', () => {
    const bytes = new Uint8Array([0, 1, 254, 255]);
    expect(fromBase64(toBase64(bytes), 'insns')).toEqual(bytes);
    expect(() => fromBase64('a$b=', 'insns')).toThrow('insns: not base64');
  });
});

/**
 * The schemas as JSON files for clients in other languages (packages/uapi/schema/). Regenerate
 * after changing a schema: UPDATE_SCHEMAS=1 npx vitest run src/wire
 */
describe('wire - exported schema files are current', () => {
  const dir = fileURLToPath(new URL('../../schema', import.meta.url));
  it.each(WIRE_SCHEMAS.map((s) => [s.$id, s] as const))('%s', (id, schema) => {
    const file = join(dir, `${id}.json`);
    const text = `${JSON.stringify({ $schema: 'http://json-schema.org/draft-07/schema#', ...schema }, null, 2)}\n`;
    if (process.env.UPDATE_SCHEMAS === '1') writeFileSync(file, text);
    expect(existsSync(file), `${file} is missing: run UPDATE_SCHEMAS=1 npx vitest run src/wire`).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe(text);
  });
});
