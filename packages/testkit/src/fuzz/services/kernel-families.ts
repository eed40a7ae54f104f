/**
 * The kernel-sim's subjects (prog_load, the program, BTF and link commands, their
 * get_next_id, session_open) and the stateless services behind prog_load: the verifier
 * (`internal.verify`) and the jit (`internal.jit`).
 */
import {
  BtfInfoReplySchema,
  BtfLoadReplySchema,
  EmptySchema,
  GetNextIdReplySchema,
  JitReplySchema,
  LinkCreateReplySchema,
  LinkInfoReplySchema,
  ProgInfoReplySchema,
  ProgLoadReplySchema,
  ProgTestRunReplySchema,
  SUBJECT_PREFIX,
  Subjects,
  VerifyReplySchema,
  type WireSchema,
  toBase64,
} from '@bpfhive/uapi';
import type { Json } from '../json.js';
import type { Prng } from '../prng.js';
import { type RequestFamily, idField } from './family.js';
import { PLAIN_PROGRAMS, SMALL_BTF, mapLookupProgram } from './programs.js';
import type { FuzzState, ObjectKind } from './state.js';

const PROG_TYPES: readonly Json[] = ['socket_filter', 'xdp', 'sched_cls', 'kprobe', 'tracepoint', 6];

/** A map a lookup program can name: a 4-byte key, one value for all CPUs. */
const lookupMap = (rand: Prng, state: FuzzState): number | undefined => {
  const ids = [...state.maps].filter(([, s]) => s.key_size === 4 && !s.percpu && s.value_size > 0).map(([id]) => id);
  return ids.length > 0 ? rand.pick(ids) : undefined;
};

/** A command on `bpf.v1.<kind>.<id>.<command>`. */
function objectCommand(
  kind: 'prog' | 'btf' | 'link',
  command: string,
  weight: number,
  ids: (state: FuzzState) => readonly number[],
  reply: WireSchema,
  body: (rand: Prng, state: FuzzState) => Json = () => ({}),
  onReply?: RequestFamily['onReply'],
): RequestFamily {
  return {
    name: `${kind}.${command}`,
    service: 'kernel-sim',
    weight,
    ids,
    // Subjects.prog/btf/link with an id token that may be no number at all.
    subject: (id) => `${SUBJECT_PREFIX}.${kind}.${id}.${command}`,
    body,
    reply,
    ...(onReply && { onReply }),
  };
}

function getNextId(kind: ObjectKind): RequestFamily {
  return {
    name: `${kind}_get_next_id`,
    service: kind === 'map' ? 'maps-store' : 'kernel-sim',
    weight: 0.3,
    subject: () => Subjects.getNextId(kind),
    body: (rand, state) => ({ start_id: rand.chance(0.5) ? 0 : rand.pick([...state.known[kind], 0]) }),
    reply: GetNextIdReplySchema,
  };
}

/** Records the id a create reply hands out in `field`, under `kind`, in `live` too. */
const learnId =
  (kind: ObjectKind, name: string, live: (state: FuzzState) => Set<number>): RequestFamily['onReply'] =>
  (reply, _request, state) => {
    const id = idField(reply, name);
    if (id === undefined) return;
    state.created(kind, id);
    live(state).add(id);
  };

const forget =
  (live: (state: FuzzState) => Set<number>): RequestFamily['onReply'] =>
  (_reply, _request, state, id) => {
    if (id !== undefined) live(state).delete(id);
  };

const progs = (s: FuzzState): Set<number> => s.progs;
const btfs = (s: FuzzState): Set<number> => s.btfs;
const links = (s: FuzzState): Set<number> => s.links;
const someProg = (rand: Prng, state: FuzzState): number => (state.progs.size > 0 ? rand.pick([...state.progs]) : 1);

export const KERNEL_FAMILIES: readonly RequestFamily[] = [
  {
    name: 'prog_load',
    service: 'kernel-sim',
    weight: 3,
    subject: () => Subjects.progLoad,
    body: (rand, state) => {
      const map = rand.chance(0.4) ? lookupMap(rand, state) : undefined;
      const insns = map === undefined ? rand.pick(PLAIN_PROGRAMS) : mapLookupProgram(map);
      return { prog_type: map === undefined ? rand.pick(PROG_TYPES) : 'xdp', insns: toBase64(insns), license: 'GPL', prog_name: 'wire_fuzz', log_level: rand.pick([0, 0, 1]) };
    },
    byteFields: ['insns'],
    reply: ProgLoadReplySchema,
    onReply: learnId('prog', 'prog_id', progs),
  },
  objectCommand('prog', 'test_run', 2, (s) => [...s.progs], ProgTestRunReplySchema, (rand) => ({ data_in: toBase64(rand.bytes(rand.int(14, 128))), repeat: rand.pick([0, 1, 2]) })),
  objectCommand('prog', 'info', 1, (s) => [...s.progs], ProgInfoReplySchema),
  objectCommand('prog', 'close', 0.3, (s) => [...s.progs], EmptySchema, undefined, forget(progs)),
  getNextId('prog'),
  {
    name: 'btf_load',
    service: 'kernel-sim',
    weight: 1,
    subject: () => Subjects.btfLoad,
    body: (rand) => ({ btf: toBase64(SMALL_BTF), btf_log_level: rand.pick([0, 0, 1]) }),
    byteFields: ['btf'],
    reply: BtfLoadReplySchema,
    onReply: learnId('btf', 'btf_id', btfs),
  },
  objectCommand('btf', 'info', 0.5, (s) => [1, ...s.btfs], BtfInfoReplySchema),
  objectCommand('btf', 'close', 0.3, (s) => [...s.btfs], EmptySchema, undefined, forget(btfs)),
  getNextId('btf'),
  {
    name: 'link_create',
    service: 'kernel-sim',
    weight: 1,
    subject: () => Subjects.linkCreate,
    body: (rand, state) => ({ prog_id: someProg(rand, state), attach_type: rand.pick(['xdp', 'cgroup_inet_ingress', 37]), target_ifindex: 1, target_fd: 1 }),
    reply: LinkCreateReplySchema,
    onReply: learnId('link', 'link_id', links),
  },
  objectCommand('link', 'info', 0.5, (s) => [...s.links], LinkInfoReplySchema),
  objectCommand('link', 'update', 0.3, (s) => [...s.links], EmptySchema, (rand, state) => ({ new_prog_id: someProg(rand, state) })),
  objectCommand('link', 'detach', 0.3, (s) => [...s.links], EmptySchema),
  objectCommand('link', 'close', 0.3, (s) => [...s.links], EmptySchema, undefined, forget(links)),
  getNextId('link'),
  {
    name: 'session_open',
    service: 'kernel-sim',
    weight: 0.2,
    subject: () => Subjects.sessionOpen,
    body: () => ({}),
  },
  {
    name: 'internal.verify',
    service: 'verifier',
    weight: 1,
    subject: () => Subjects.internalVerify,
    body: (rand) => {
      const lookup = rand.chance(0.4);
      return {
        prog_type: lookup ? 'xdp' : rand.pick(PROG_TYPES),
        insns: toBase64(lookup ? mapLookupProgram(1) : rand.pick(PLAIN_PROGRAMS)),
        license: 'GPL',
        log_level: rand.pick([0, 1, 2, 4]),
        maps: lookup ? [{ map_id: 1, map_type: 'hash', key_size: 4, value_size: 8, max_entries: 16, map_flags: 0 }] : [],
      };
    },
    byteFields: ['insns'],
    reply: VerifyReplySchema,
  },
  {
    name: 'internal.jit',
    service: 'jit',
    weight: 1,
    subject: () => Subjects.internalJit,
    body: (rand) => ({ insns: toBase64(rand.pick(PLAIN_PROGRAMS)), prog_name: 'wire_fuzz', memory: { initial: 1, maximum: 16, shared: rand.chance(0.5) } }),
    byteFields: ['insns'],
    reply: JitReplySchema,
  },
];
