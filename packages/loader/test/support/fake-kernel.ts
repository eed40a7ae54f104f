/**
 * A fake of the services behind bpf() for loader and CLI tests: it answers the map subjects the
 * maps-store serves and the program subjects the kernel-sim serves, keeps what it was asked in
 * `calls`, and can be told to refuse. No verification, no execution: a program "runs" by
 * returning `runRetval` and its data unchanged. Pins are its own (obj_pin, obj_get, obj_unpin in
 * process), or, behind a real maps-store, the kernel's references of programs it asks for on
 * bpf.v1.internal.prog.<id>.pin|get|unpin; a closed program lives on while pinned either way.
 */
import { createHash } from 'node:crypto';
import {
  BpfError,
  LD_IMM64,
  PseudoLdImm64,
  SUBJECT_PREFIX,
  decode,
  fromBase64,
  parseMapType,
  parseProgType,
  progTypeName,
  toBase64,
} from '@bpfhive/uapi';

export interface FakeMap {
  readonly id: number;
  readonly map_type: number;
  readonly key_size: number;
  readonly value_size: number;
  readonly max_entries: number;
  readonly map_flags: number;
  readonly map_extra: number;
  readonly name: string;
  readonly inner_map_id: number | undefined;
  frozen: boolean;
  /** Elements by key in hex. */
  readonly elements: Map<string, Uint8Array>;
}

export interface FakeProgram {
  readonly id: number;
  /** The prog_load request as it came (insns in base64). */
  readonly request: Record<string, unknown>;
  runCount: number;
}

export type FakeObject = { readonly map_id: number } | { readonly prog_id: number } | { readonly link_id: number };

/** The boot id the fake kernel's pin references carry. */
export const FAKE_BOOT_ID = 'fake-kernel-boot';

export interface Call {
  readonly subject: string;
  readonly body: Record<string, unknown>;
}

export interface FakeKernelOptions {
  /** Put `xlated_prog_insns` (the submitted instructions, base64) in program info replies. */
  readonly xlated?: boolean;
  /** Put `jited_prog_wat` in program info replies. */
  readonly jitedWat?: boolean;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

export class FakeKernel {
  readonly maps = new Map<number, FakeMap>();
  readonly programs = new Map<number, FakeProgram>();
  readonly pins = new Map<string, FakeObject>();
  /** Pin references a maps-store asked for: `<prog id> <path>`. */
  readonly kernelPins = new Set<string>();
  /** Objects whose handle was closed while pinned: `map <id>`, `prog <id>`. */
  readonly #closed = new Set<string>();
  readonly calls: Call[] = [];
  /** prog_load of these program names is refused with EACCES and this verifier log. */
  readonly refuse = new Map<string, string>();
  /** Requests on subjects matching one of these fail with its errno. */
  readonly failures: { readonly match: RegExp; readonly code: string; readonly message: string }[] = [];
  /** What every test_run returns in r0. */
  runRetval = 2;
  #nextMap = 1;
  #nextProg = 1;

  constructor(readonly options: FakeKernelOptions = {}) {}

  /** The calls whose subject ends with `suffix` (`map_create`, `.update_elem`, `prog_load`). */
  callsTo(suffix: string): Call[] {
    return this.calls.filter((c) => c.subject.endsWith(suffix));
  }

  /** Answers one request, or throws the BpfError its errno reply carries. */
  handle(subject: string, body: Record<string, unknown>): Record<string, unknown> {
    this.calls.push({ subject, body });
    const failure = this.failures.find((f) => f.match.test(subject));
    if (failure) throw new BpfError(failure.code, failure.message);
    const rest = subject.slice(SUBJECT_PREFIX.length + 1).split('.');
    const [head, idText, cmd] = rest;
    if (head === 'map' && cmd) return this.#mapCommand(this.#map(Number(idText)), cmd, body);
    if (head === 'prog' && cmd) return this.#progCommand(this.#program(Number(idText)), cmd, body);
    if (head === 'internal' && idText === 'prog') return this.#kernelPin(this.#program(Number(cmd)), rest[3] ?? '', body);
    switch (head) {
      case 'map_create':
        return { map_id: this.#create(body) };
      case 'prog_load':
        return this.#load(body);
      case 'obj_pin':
        return this.#pin(body);
      case 'obj_unpin': {
        const object = this.pins.get(String(body.pathname));
        if (!object) throw new BpfError('ENOENT', `unpin: ${String(body.pathname)}: no such pin`);
        this.pins.delete(String(body.pathname));
        this.#freeIfUnused(object);
        return {};
      }
      case 'obj_get': {
        const object = this.pins.get(String(body.pathname));
        if (!object) throw new BpfError('ENOENT', `obj_get: ${String(body.pathname)}: no such pin`);
        return { ...object };
      }
      case 'map_get_next_id':
        return { next_id: nextId([...this.maps.keys()], Number(body.start_id)) };
      case 'prog_get_next_id':
        return { next_id: nextId([...this.programs.keys()], Number(body.start_id)) };
      default:
        throw new BpfError('ENOSYS', `fake kernel: nothing serves ${subject}`);
    }
  }

  #map(id: number): FakeMap {
    const map = this.maps.get(id);
    if (!map) throw new BpfError('ENOENT', `map ${id}: no such map`);
    return map;
  }

  #program(id: number): FakeProgram {
    const program = this.programs.get(id);
    if (!program) throw new BpfError('ENOENT', `program ${id}: no such program`);
    return program;
  }

  #create(body: Record<string, unknown>): number {
    const mapType = parseMapType(body.map_type as number | string);
    if (mapType === undefined) throw new BpfError('EINVAL', `unknown map_type ${String(body.map_type)}`);
    const id = this.#nextMap++;
    this.maps.set(id, {
      id,
      map_type: mapType,
      key_size: Number(body.key_size),
      value_size: Number(body.value_size),
      max_entries: Number(body.max_entries),
      map_flags: Number(body.map_flags ?? 0),
      map_extra: Number(body.map_extra ?? 0),
      name: String(body.map_name ?? ''),
      inner_map_id: body.inner_map_id === undefined ? undefined : Number(body.inner_map_id),
      frozen: false,
      elements: new Map(),
    });
    return id;
  }

  #mapCommand(map: FakeMap, cmd: string, body: Record<string, unknown>): Record<string, unknown> {
    const key = (): string => hex(fromBase64(String(body.key ?? ''), 'key'));
    switch (cmd) {
      case 'update_elem':
        if (map.frozen) throw new BpfError('EPERM', `map ${map.id} is frozen`);
        map.elements.set(key(), fromBase64(String(body.value), 'value'));
        return {};
      case 'lookup_elem': {
        const value = map.elements.get(key());
        if (!value) throw new BpfError('ENOENT', 'no such element');
        return { value: toBase64(value) };
      }
      case 'freeze':
        if (map.frozen) throw new BpfError('EBUSY', 'already frozen');
        map.frozen = true;
        return {};
      case 'info':
        return {
          map_id: map.id,
          map_type: map.map_type,
          type_name: '',
          key_size: map.key_size,
          value_size: map.value_size,
          max_entries: map.max_entries,
          map_flags: map.map_flags,
          map_extra: map.map_extra,
          name: map.name,
          frozen: map.frozen,
        };
      case 'close':
        this.#close({ map_id: map.id });
        return {};
      default:
        throw new BpfError('EINVAL', `unknown map command '${cmd}'`);
    }
  }

  #load(body: Record<string, unknown>): Record<string, unknown> {
    const name = String(body.prog_name ?? '');
    const log = this.refuse.get(name);
    if (log !== undefined) throw Object.assign(new BpfError('EACCES', 'load program: permission denied'), { log });
    const id = this.#nextProg++;
    this.programs.set(id, { id, request: body, runCount: 0 });
    const insns = decode(fromBase64(String(body.insns), 'insns')).length;
    return { prog_id: id, verified_insns: insns, stats: { processed_insns: insns, total_states: 0, peak_states: 0 }, ...(typeof body.log_level === 'number' && body.log_level > 0 && { log: `processed ${insns} insns\n` }) };
  }

  #progCommand(program: FakeProgram, cmd: string, body: Record<string, unknown>): Record<string, unknown> {
    switch (cmd) {
      case 'info':
        return this.#info(program);
      case 'test_run': {
        const repeat = Math.max(Number(body.repeat ?? 1), 1);
        program.runCount += repeat;
        return {
          retval: this.runRetval,
          duration: 7,
          ...(typeof body.data_in === 'string' && { data_out: body.data_in, data_size_out: fromBase64(body.data_in, 'data_in').length }),
          ...(typeof body.ctx_in === 'string' && { ctx_out: body.ctx_in, ctx_size_out: fromBase64(body.ctx_in, 'ctx_in').length }),
        };
      }
      case 'close':
        this.#close({ prog_id: program.id });
        return {};
      default:
        throw new BpfError('EINVAL', `unknown program command '${cmd}'`);
    }
  }

  #info(program: FakeProgram): Record<string, unknown> {
    const { request } = program;
    const bytes = fromBase64(String(request.insns), 'insns');
    const insns = decode(bytes);
    const type = parseProgType(request.prog_type as number | string) ?? 0;
    const mapIds = [
      ...new Set(insns.filter((i) => i.opcode === LD_IMM64 && (i.src === PseudoLdImm64.MAP_FD || i.src === PseudoLdImm64.MAP_VALUE)).map((i) => i.imm)),
    ];
    return {
      id: program.id,
      type,
      type_name: progTypeName(type) ?? String(type),
      expected_attach_type: Number(request.expected_attach_type ?? 0),
      name: String(request.prog_name ?? ''),
      tag: createHash('sha1').update(bytes).digest('hex').slice(0, 16),
      xlated_prog_len: bytes.length,
      jited_prog_len: 96,
      load_time: 1_000_000_000,
      created_by_uid: 0,
      map_ids: mapIds,
      gpl_compatible: String(request.license).includes('GPL'),
      btf_id: 0,
      verified_insns: insns.length,
      run_time_ns: program.runCount * 7,
      run_cnt: program.runCount,
      recursion_misses: 0,
      ...(this.options.xlated && { xlated_prog_insns: request.insns }),
      ...(this.options.jitedWat && { jited_prog_wat: '(module\n  (func $prog (result i64)\n    i64.const 2))\n' }),
    };
  }

  /** bpf.v1.internal.prog.<id>.<pin|get|unpin>, as the kernel-sim answers a maps-store. */
  #kernelPin(program: FakeProgram, cmd: string, body: Record<string, unknown>): Record<string, unknown> {
    const key = `${program.id} ${String(body.pathname)}`;
    if (cmd === 'pin') {
      this.kernelPins.add(key);
      return { boot_id: FAKE_BOOT_ID };
    }
    if (body.boot_id !== FAKE_BOOT_ID || !this.kernelPins.has(key)) throw new BpfError('ENOENT', `program ${program.id} is not pinned at ${String(body.pathname)}`);
    if (cmd === 'unpin') {
      this.kernelPins.delete(key);
      this.#freeIfUnused({ prog_id: program.id });
    }
    return {};
  }

  #close(object: FakeObject): void {
    this.#closed.add(objectKey(object));
    this.#freeIfUnused(object);
  }

  /** Forgets a closed object with no pin left. */
  #freeIfUnused(object: FakeObject): void {
    const key = objectKey(object);
    const pinned = [...this.pins.values()].some((o) => objectKey(o) === key) || ('prog_id' in object && [...this.kernelPins].some((k) => k.startsWith(`${object.prog_id} `)));
    if (pinned || !this.#closed.delete(key)) return;
    if ('map_id' in object) this.maps.delete(object.map_id);
    if ('prog_id' in object) this.programs.delete(object.prog_id);
  }

  #pin(body: Record<string, unknown>): Record<string, unknown> {
    const path = String(body.pathname);
    if (this.pins.has(path)) throw new BpfError('EEXIST', `obj_pin: ${path} already exists`);
    const object: FakeObject = typeof body.prog_id === 'number' ? { prog_id: body.prog_id } : { map_id: Number(body.map_id) };
    this.pins.set(path, object);
    return {};
  }
}

function nextId(ids: readonly number[], start: number): number {
  const above = ids.filter((id) => id > start);
  if (above.length === 0) throw new BpfError('ENOENT', `no id above ${start}`);
  return Math.min(...above);
}

const objectKey = (object: FakeObject): string => ('map_id' in object ? `map ${object.map_id}` : 'prog_id' in object ? `prog ${object.prog_id}` : `link ${object.link_id}`);
