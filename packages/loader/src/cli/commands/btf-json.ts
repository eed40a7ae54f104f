import { type Btf, BtfIntEncoding, type BtfType } from '@bpfhive/uapi';
import type { JsonWriter } from '../format/json-writer.js';

/**
 * `bpftool btf dump … -j`: `{"types":[…]}`, one object per type with bpftool's field names,
 * in bpftool's order — `id`, `kind`, `name` (`(anon)` for none), then the kind's own fields,
 * members, values, params and vars as arrays of objects:
 *
 *   {"id":1,"kind":"INT","name":"int","size":4,"bits_offset":0,"nr_bits":32,"encoding":"SIGNED"}
 *   {"id":2,"kind":"STRUCT","name":"flow","size":8,"vlen":1,"members":[{"name":"x","type_id":1,"bits_offset":0}]}
 */
export function writeBtfJson(json: JsonWriter, btf: Btf, ids?: readonly number[]): void {
  json.startObject().name('types').startArray();
  for (const id of ids ?? Array.from({ length: btf.types.length - 1 }, (_, i) => i + 1)) writeType(json, id, btf.types[id]);
  json.endArray().endObject();
}

const anon = (name: string): string => (name === '' ? '(anon)' : name);
const LINKAGE = ['static', 'global', 'extern'];
const linkage = (n: number): string => LINKAGE[n] ?? '(unknown)';

function intEncoding(encoding: number): string {
  switch (encoding) {
    case 0:
      return '(none)';
    case BtfIntEncoding.SIGNED:
      return 'SIGNED';
    case BtfIntEncoding.CHAR:
      return 'CHAR';
    case BtfIntEncoding.BOOL:
      return 'BOOL';
    default:
      return 'UNKN';
  }
}

function writeType(json: JsonWriter, id: number, t: BtfType | undefined): void {
  json.startObject().field('id', id);
  if (t === undefined || t.kind === 'VOID') {
    json.field('kind', 'UNKNOWN').field('name', '(anon)').endObject();
    return;
  }
  json.field('kind', t.kind).field('name', anon(t.name));
  switch (t.kind) {
    case 'INT':
      json.field('size', t.size).field('bits_offset', t.bitsOffset).field('nr_bits', t.bits).field('encoding', intEncoding(t.encoding));
      break;
    case 'PTR':
    case 'CONST':
    case 'VOLATILE':
    case 'RESTRICT':
    case 'TYPEDEF':
    case 'TYPE_TAG':
      json.field('type_id', t.type);
      break;
    case 'ARRAY':
      json.field('type_id', t.type).field('index_type_id', t.indexType).field('nr_elems', t.nelems);
      break;
    case 'STRUCT':
    case 'UNION':
      json.field('size', t.size).field('vlen', t.members.length).name('members').startArray();
      for (const m of t.members) {
        json.startObject().field('name', anon(m.name)).field('type_id', m.type).field('bits_offset', m.bitOffset);
        if (m.bitfieldSize) json.field('bitfield_size', m.bitfieldSize);
        json.endObject();
      }
      json.endArray();
      break;
    case 'ENUM':
    case 'ENUM64':
      json.field('encoding', t.signed ? 'SIGNED' : 'UNSIGNED').field('size', t.size).field('vlen', t.values.length).name('values').startArray();
      for (const v of t.values) json.startObject().field('name', anon(v.name)).field('val', v.value).endObject();
      json.endArray();
      break;
    case 'FWD':
      json.field('fwd_kind', t.union ? 'union' : 'struct');
      break;
    case 'FUNC':
      json.field('type_id', t.type).field('linkage', linkage(t.linkage));
      break;
    case 'FUNC_PROTO':
      json.field('ret_type_id', t.returnType).field('vlen', t.params.length).name('params').startArray();
      for (const p of t.params) json.startObject().field('name', anon(p.name)).field('type_id', p.type).endObject();
      json.endArray();
      break;
    case 'VAR':
      json.field('type_id', t.type).field('linkage', linkage(t.linkage));
      break;
    case 'DATASEC':
      json.field('size', t.size).field('vlen', t.vars.length).name('vars').startArray();
      for (const v of t.vars) json.startObject().field('type_id', v.type).field('offset', v.offset).field('size', v.size).endObject();
      json.endArray();
      break;
    case 'FLOAT':
      json.field('size', t.size);
      break;
    case 'DECL_TAG':
      json.field('type_id', t.type).field('component_idx', t.componentIdx);
      break;
  }
  json.endObject();
}
