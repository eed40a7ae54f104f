import { describe, expect, it } from 'vitest';
import { SchemaExampleError, exampleOf } from './schema-example.js';

describe('fuzz schema-example - exampleOf', () => {
  it('fills every property with the smallest value its schema accepts', () => {
    const schema = {
      type: 'object',
      required: ['a'],
      properties: {
        a: { type: 'integer', minimum: 60, maximum: 100 },
        b: { type: ['string', 'integer'], pattern: '^[A-Za-z0-9+/]*={0,2}$' },
        c: { type: 'array', minItems: 2, items: { type: 'string', enum: ['x', 'y'] } },
        d: { anyOf: [{ type: 'number', exclusiveMinimum: 0 }, { type: 'string' }] },
        e: { type: 'boolean' },
        f: { type: 'string', minLength: 3 },
      },
    } as const;
    expect(exampleOf(schema)).toEqual({ a: 60, b: 'AAAA', c: ['x', 'x'], d: 1, e: true, f: 'xxx' });
  });

  it('names the place it cannot fill', () => {
    expect(() => exampleOf({ type: 'object', properties: { id: { type: 'string', pattern: '^Q{5}$' } } })).toThrow(SchemaExampleError);
    expect(() => exampleOf({ type: 'object', properties: { id: { type: 'string', pattern: '^Q{5}$' } } })).toThrow('/id');
  });
});
