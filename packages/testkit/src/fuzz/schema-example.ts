/**
 * A valid instance of a JSON Schema, to start mutating from: every property (optional ones too,
 * so mutations reach every field), the smallest number in range, the first enum value or anyOf
 * branch, arrays of their minimum length (at least one item). Covers the subset the wire schemas
 * use: type (one or a list), properties, required, additionalProperties, items, enum, const,
 * anyOf/oneOf, minimum/maximum/exclusiveMinimum, minLength/maxLength, minItems/maxItems, pattern.
 */
import type { Json } from './json.js';

/** The part of a JSON Schema the generator reads. */
export interface SchemaNode {
  readonly type?: string | readonly string[];
  readonly properties?: Readonly<Record<string, SchemaNode>>;
  readonly items?: SchemaNode;
  readonly enum?: readonly Json[];
  readonly const?: Json;
  readonly anyOf?: readonly SchemaNode[];
  readonly oneOf?: readonly SchemaNode[];
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minItems?: number;
  readonly pattern?: string;
}

/** A schema the generator cannot satisfy (a pattern none of its candidates matches). */
export class SchemaExampleError extends Error {}

/** Strings tried, in order, against a `pattern`: base64, errno names, hex, ids, a 128-bit hex id (a session). */
const PATTERN_CANDIDATES = ['AAAA', 'x', 'EINVAL', '0x1', '0000000000000000', '1:1', '1', '', '0'.repeat(32)];

/** A value that `schema` accepts. Throws SchemaExampleError naming the JSON pointer it could not fill. */
export function exampleOf(schema: SchemaNode, at = ''): Json {
  if (schema.const !== undefined) return schema.const;
  if (schema.enum !== undefined && schema.enum.length > 0) return schema.enum[0]!;
  const branch = schema.anyOf?.[0] ?? schema.oneOf?.[0];
  if (branch) return exampleOf(branch, at);
  const type = Array.isArray(schema.type) ? schema.type[0] : (schema.type ?? (schema.properties ? 'object' : 'null'));
  switch (type) {
    case 'object': {
      const out: { [key: string]: Json } = {};
      for (const [key, sub] of Object.entries(schema.properties ?? {})) out[key] = exampleOf(sub, `${at}/${key}`);
      return out;
    }
    case 'array':
      return Array.from({ length: Math.max(1, schema.minItems ?? 0) }, (_, i) => exampleOf(schema.items ?? {}, `${at}/${i}`));
    case 'integer':
    case 'number': {
      const low = schema.exclusiveMinimum !== undefined ? Math.floor(schema.exclusiveMinimum) + 1 : (schema.minimum ?? 0);
      return schema.maximum !== undefined && low > schema.maximum ? schema.maximum : Math.max(low, Math.min(1, schema.maximum ?? 1));
    }
    case 'string':
      return stringExample(schema, at);
    case 'boolean':
      return true;
    default:
      return null;
  }
}

function stringExample(schema: SchemaNode, at: string): string {
  const fits = (s: string): boolean => s.length >= (schema.minLength ?? 0) && s.length <= (schema.maxLength ?? Infinity);
  if (schema.pattern === undefined) return 'x'.repeat(Math.max(1, schema.minLength ?? 0));
  const pattern = new RegExp(schema.pattern, 'u');
  const found = PATTERN_CANDIDATES.find((s) => pattern.test(s) && fits(s));
  if (found === undefined) throw new SchemaExampleError(`exampleOf: no example for ${at || '/'} (pattern ${schema.pattern})`);
  return found;
}
