import {
  BpfCmd,
  BpfError,
  EmptySchema,
  EnableStatsRequestSchema,
  GetNextIdRequestSchema,
  MapCreateRequestSchema,
  MapDeleteBatchRequestSchema,
  MapKeyRequestSchema,
  MapLookupBatchRequestSchema,
  MapNextKeyRequestSchema,
  MapUpdateBatchRequestSchema,
  MapUpdateRequestSchema,
  ObjGetRequestSchema,
  ObjPinRequestSchema,
  ProgLoadRequestSchema,
  ProgTestRunRequestSchema,
  Subjects,
  type WireSchema,
  lookupEnum,
  parseBpfCmd,
  toBase64,
  validateWire,
} from '@bpfhive/uapi';
import { BpfSyscallError } from './errors.js';

/** A bpf(2) command: its number (`2`) or name (`'map_update_elem'`, `'BPF_MAP_UPDATE_ELEM'`). */
export type BpfCommand = number | string;

/**
 * The attributes of a command: union bpf_attr's field names, objects named by id (`map_id`,
 * `prog_id`, `link_id`, `btf_id`) where Linux takes a file descriptor. Byte strings may be given
 * as Uint8Array (alone or in arrays); they travel as base64.
 */
export type BpfAttr = Readonly<Record<string, unknown>>;

/** Where a command goes and what it carries. */
export interface Route {
  /** The command's kernel name without `BPF_`: `MAP_UPDATE_ELEM`. */
  readonly cmd: string;
  readonly subject: string;
  /** The request body: the attributes minus the id the subject names. */
  readonly body: Record<string, unknown>;
  /** The uapi schema the body was checked against, when uapi has one. */
  readonly schema?: WireSchema;
}

type Router = (attr: Record<string, unknown>, cmd: string) => Omit<Route, 'cmd'>;

type IdField = 'map_id' | 'prog_id' | 'link_id' | 'btf_id';

/** Takes the id naming the object out of the attributes; EINVAL when it is missing or not a u32. */
function takeId(attr: Record<string, unknown>, field: IdField, cmd: string): { id: number; rest: Record<string, unknown> } {
  const { [field]: id, ...rest } = attr;
  if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > 0xffffffff) {
    throw new BpfSyscallError('EINVAL', `bpf(${cmd}): ${field} must be a u32 naming the object, got ${JSON.stringify(id)}`);
  }
  return { id, rest };
}

const fixed =
  (subject: string, schema?: WireSchema): Router =>
  (attr) => ({ subject, body: attr, ...(schema && { schema }) });

const onObject =
  (field: IdField, subject: (id: number, cmd: string) => string, wireCmd: string, schema?: WireSchema): Router =>
  (attr, cmd) => {
    const { id, rest } = takeId(attr, field, cmd);
    return { subject: subject(id, wireCmd), body: rest, ...(schema && { schema }) };
  };

const onMap = (wireCmd: string, schema?: WireSchema): Router => onObject('map_id', Subjects.map, wireCmd, schema);

const nextId = (kind: 'map' | 'prog' | 'link' | 'btf'): Router => fixed(Subjects.getNextId(kind), GetNextIdRequestSchema);

const INFO_SUBJECTS: Readonly<Record<IdField, (id: number, cmd: string) => string>> = {
  map_id: Subjects.map,
  prog_id: Subjects.prog,
  link_id: Subjects.link,
  btf_id: Subjects.btf,
};

/** OBJ_GET_INFO_BY_FD: the one id given (map_id, prog_id, link_id or btf_id) picks the object. */
const info: Router = (attr, cmd) => {
  const fields = (Object.keys(INFO_SUBJECTS) as IdField[]).filter((f) => f in attr);
  if (fields.length !== 1) throw new BpfSyscallError('EINVAL', `bpf(${cmd}): give exactly one of map_id, prog_id, link_id, btf_id`);
  const field = fields[0]!;
  return onObject(field, INFO_SUBJECTS[field], 'info', EmptySchema)(attr, cmd);
};

/** Every command served over NATS (DESIGN.md §2). */
const ROUTES: ReadonlyMap<number, Router> = new Map<number, Router>([
  [BpfCmd.MAP_CREATE, fixed(Subjects.mapCreate, MapCreateRequestSchema)],
  [BpfCmd.MAP_LOOKUP_ELEM, onMap('lookup_elem', MapKeyRequestSchema)],
  [BpfCmd.MAP_UPDATE_ELEM, onMap('update_elem', MapUpdateRequestSchema)],
  [BpfCmd.MAP_DELETE_ELEM, onMap('delete_elem', MapKeyRequestSchema)],
  [BpfCmd.MAP_GET_NEXT_KEY, onMap('get_next_key', MapNextKeyRequestSchema)],
  [BpfCmd.MAP_LOOKUP_AND_DELETE_ELEM, onMap('lookup_and_delete_elem', MapKeyRequestSchema)],
  [BpfCmd.MAP_LOOKUP_BATCH, onMap('lookup_batch', MapLookupBatchRequestSchema)],
  // Same request as lookup_batch; uapi has no schema of its own for it yet.
  [BpfCmd.MAP_LOOKUP_AND_DELETE_BATCH, onMap('lookup_and_delete_batch', MapLookupBatchRequestSchema)],
  [BpfCmd.MAP_UPDATE_BATCH, onMap('update_batch', MapUpdateBatchRequestSchema)],
  [BpfCmd.MAP_DELETE_BATCH, onMap('delete_batch', MapDeleteBatchRequestSchema)],
  [BpfCmd.MAP_FREEZE, onMap('freeze', EmptySchema)],
  [BpfCmd.OBJ_PIN, fixed(Subjects.objPin, ObjPinRequestSchema)],
  [BpfCmd.OBJ_GET, fixed(Subjects.objGet, ObjGetRequestSchema)],
  [BpfCmd.MAP_GET_NEXT_ID, nextId('map')],
  [BpfCmd.PROG_GET_NEXT_ID, nextId('prog')],
  [BpfCmd.LINK_GET_NEXT_ID, nextId('link')],
  [BpfCmd.BTF_GET_NEXT_ID, nextId('btf')],
  [BpfCmd.OBJ_GET_INFO_BY_FD, info],
  [BpfCmd.PROG_LOAD, fixed(Subjects.progLoad, ProgLoadRequestSchema)],
  [BpfCmd.PROG_TEST_RUN, onObject('prog_id', Subjects.prog, 'test_run', ProgTestRunRequestSchema)],
  // Served by the kernel-sim; uapi has no schemas for these yet, so the service alone checks them.
  [BpfCmd.LINK_CREATE, fixed(Subjects.linkCreate)],
  [BpfCmd.LINK_UPDATE, onObject('link_id', Subjects.link, 'update')],
  [BpfCmd.LINK_DETACH, onObject('link_id', Subjects.link, 'detach')],
  [BpfCmd.BTF_LOAD, fixed(Subjects.btfLoad)],
  [BpfCmd.ENABLE_STATS, fixed(Subjects.enableStats, EnableStatsRequestSchema)],
]);

const BY_ID = new Set<number>([BpfCmd.MAP_GET_FD_BY_ID, BpfCmd.PROG_GET_FD_BY_ID, BpfCmd.LINK_GET_FD_BY_ID, BpfCmd.BTF_GET_FD_BY_ID]);

/**
 * Where `cmd` with `attr` goes, its body checked against the uapi schema: every problem is a
 * client-side EINVAL BpfSyscallError naming the command, raised before anything is sent.
 */
export function routeBpf(command: BpfCommand, attr: BpfAttr = {}): Route {
  const value = parseBpfCmd(command);
  if (value === undefined) throw new BpfSyscallError('EINVAL', `bpf: unknown command ${JSON.stringify(command)}`);
  const cmd = lookupEnum('bpf_cmd', value)!.key;
  const router = ROUTES.get(value);
  if (!router) {
    const hint = BY_ID.has(value) ? 'ids are the handles over NATS: use the id itself' : 'no service serves it over NATS';
    throw new BpfSyscallError('EINVAL', `bpf(${cmd}): ${hint}`);
  }
  const route: Route = { cmd, ...router(encodeBytes(attr), cmd) };
  if (route.schema) {
    try {
      validateWire(route.schema, route.body);
    } catch (e) {
      if (e instanceof BpfError) throw new BpfSyscallError('EINVAL', `bpf(${cmd}): ${e.message}`, { subject: route.subject });
      throw e;
    }
  }
  return route;
}

/** The attributes with every Uint8Array (alone or in an array) as base64. */
function encodeBytes(attr: BpfAttr): Record<string, unknown> {
  const encode = (v: unknown): unknown => (v instanceof Uint8Array ? toBase64(v) : Array.isArray(v) ? v.map(encode) : v);
  return Object.fromEntries(Object.entries(attr).map(([k, v]) => [k, encode(v)]));
}
