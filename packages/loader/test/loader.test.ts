import { readFileSync } from 'node:fs';
import { type Instruction, MapFlag, MapType, ProgType, decode, fromBase64, parseBtf, slotIndex } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { VerifierError } from '../src/client/index.js';
import { CloseError, LoadError, type LoadOptions, POISON_CALL_KFUNC_BASE, kernelVersionCode, loadCollection } from '../src/loader/index.js';
import { type ObjectSpec, readObject } from '../src/object/index.js';
import { type ObjectName, objectBytes } from './objects/fixtures.js';
import { fakeClient } from './support/fake-bus.js';
import { type Call, FakeKernel } from './support/fake-kernel.js';

/** The kernel-sim's BTF, for the loads that resolve kfuncs. */
const KERNEL_BTF = parseBtf(new Uint8Array(readFileSync(new URL('../../kernel-sim/btf/vmlinux.btf', import.meta.url))));

/**
 * loadCollection over the committed test objects, against a FakeKernel answering in-process
 * through a real BpfClient (so every request also passes the client's schema checks).
 */

const spec = (name: ObjectName): ObjectSpec => readObject(objectBytes(name), { path: `${name}.o` });

async function load(object: ObjectName | ObjectSpec, options: LoadOptions = {}, kernel = new FakeKernel()) {
  // The fake kernel serves no BTF: objects that would need it load as on a kernel without one, unless a test gives kernelBtf.
  const collection = await loadCollection(typeof object === 'string' ? spec(object) : object, fakeClient(kernel), { loadKernelBtf: false, ...options });
  return { kernel, collection };
}

/** The error `run` rejects with. */
async function loadError(run: Promise<unknown>): Promise<LoadError> {
  const e = await run.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(e instanceof LoadError)) throw new Error(`expected a LoadError, got ${String(e)}`);
  return e;
}

/** The instructions of a prog_load request. */
const insnsOf = (call: Call): Instruction[] => decode(fromBase64(String(call.body.insns), 'insns'));
const loadOf = (kernel: FakeKernel, name: string): Call => kernel.callsTo('prog_load').find((c) => c.body.prog_name === name.slice(0, 15))!;
const u32le = (n: number): string => Buffer.from(Uint32Array.of(n).buffer).toString('base64');

describe('loadCollection - xdp_parser.o', () => {
  it('creates every map with its spec, BTF-defined and global data', async () => {
    const { kernel, collection } = await load('xdp_parser');
    expect(kernel.callsTo('map_create').map((c) => c.body)).toEqual([
      { map_type: MapType.PERCPU_ARRAY, key_size: 4, value_size: 8, max_entries: 8, map_flags: 0, map_name: 'verdicts' },
      { map_type: MapType.LRU_HASH, key_size: 16, value_size: 16, max_entries: 4096, map_flags: 0, map_name: 'flows' },
      { map_type: MapType.ARRAY, key_size: 4, value_size: 8, max_entries: 1, map_flags: MapFlag.RDONLY_PROG | MapFlag.MMAPABLE, map_name: 'xdp_pars.rodata' },
      { map_type: MapType.ARRAY, key_size: 4, value_size: 16, max_entries: 1, map_flags: MapFlag.MMAPABLE, map_name: 'xdp_pars.bss' },
      { map_type: MapType.ARRAY, key_size: 4, value_size: 16, max_entries: 1, map_flags: MapFlag.MMAPABLE, map_name: 'xdp_pars.data' },
    ]);
    expect([...collection.maps.keys()]).toEqual(['verdicts', 'flows', 'xdp_pars.rodata', 'xdp_pars.bss', 'xdp_pars.data']);
    expect([...collection.maps.values()].every((m) => !m.reused && m.pins.length === 0)).toBe(true);
  });

  it('onProgress hears of each map created and each program loaded, in order, counted against the totals', async () => {
    const events: string[] = [];
    const { collection } = await load('xdp_parser', { onProgress: (e) => events.push(`${e.kind} ${e.done}/${e.total} ${e.name}`) });
    const maps = [...collection.maps.keys()].map((name, i, all) => `map ${i + 1}/${all.length} ${name}`);
    const programs = [...collection.programs.keys()].map((name, i, all) => `program ${i + 1}/${all.length} ${name}`);
    expect(programs.length).toBeGreaterThan(1);
    expect(events).toEqual([...maps, ...programs]);
  });

  it('writes each global data section as element 0 and freezes .rodata only', async () => {
    const object = spec('xdp_parser');
    const { kernel, collection } = await load(object);
    for (const name of ['xdp_pars.rodata', 'xdp_pars.bss', 'xdp_pars.data']) {
      const map = kernel.maps.get(collection.maps.get(name)!.id)!;
      expect(map.elements.get('00000000')).toEqual(object.maps.find((m) => m.name === name)!.contents);
      expect(map.frozen).toBe(name === 'xdp_pars.rodata');
    }
    const rodata = collection.maps.get('xdp_pars.rodata')!.id;
    const updateThenFreeze = kernel.calls.filter((c) => c.subject.startsWith(`bpf.v1.map.${rodata}.`)).map((c) => c.subject.split('.').pop());
    expect(updateThenFreeze).toEqual(['update_elem', 'freeze']);
  });

  it('loads every program with its type, attach type, flags, license and name', async () => {
    const { kernel, collection } = await load('xdp_parser');
    const loads = kernel.callsTo('prog_load').map(({ body }) => ({ ...body, insns: undefined }));
    expect(loads).toEqual([
      { prog_type: ProgType.XDP, expected_attach_type: 37, license: 'Dual BSD/GPL', prog_name: 'xdp_parse', insns: undefined },
      { prog_type: ProgType.XDP, expected_attach_type: 37, prog_flags: 32, license: 'Dual BSD/GPL', prog_name: 'xdp_frags_pass', insns: undefined },
    ]);
    expect([...collection.programs.values()].map((p) => [p.spec.name, p.id])).toEqual([
      ['xdp_parse', 1],
      ['xdp_frags_pass', 2],
    ]);
  });

  it('puts map ids in imm of map loads, and map id + offset in imm / imm2 of value loads', async () => {
    const object = spec('xdp_parser');
    const { kernel, collection } = await load(object);
    const program = object.programs[0]!;
    const sent = insnsOf(loadOf(kernel, program.name));
    expect(sent).toHaveLength(program.instructions.length);
    for (const relo of program.relocations) {
      const insn = sent[relo.index]!;
      const id = collection.maps.get('map' in relo ? relo.map : '')!.id;
      if (relo.kind === 'map') expect({ src: insn.src, imm: insn.imm, imm2: insn.imm2 ?? 0 }).toEqual({ src: 1, imm: id, imm2: 0 });
      else if (relo.kind === 'map_value') expect({ src: insn.src, imm: insn.imm, imm2: insn.imm2 }).toEqual({ src: 2, imm: id, imm2: relo.offset });
      expect(slotIndex(sent)[relo.index]).toBe(relo.slot);
    }
    // Everything else goes out as compiled.
    const relocated = new Set(program.relocations.map((r) => r.index));
    sent.forEach((insn, i) => relocated.has(i) || expect(insn).toEqual(program.instructions[i]));
  });

  it('refuses a big-endian object before creating anything', async () => {
    const kernel = new FakeKernel();
    const e = await loadError(load('xdp_parser.bpfeb', {}, kernel));
    expect(e.message).toBe(
      "load object: object 'xdp_parser': loading non-native endianness is unsupported (the object is big-endian, clang -target bpfeb; bpfhive's kernel is little-endian: build with -target bpf)",
    );
    expect(e.code).toBe('EINVAL');
    expect(kernel.calls).toEqual([]);
  });
});

describe('loadCollection - options', () => {
  it('cuts program names to 15 characters, as BPF_OBJ_NAME_LEN holds them', async () => {
    const { kernel } = await load('tc_classifier');
    expect(kernel.callsTo('prog_load').map((c) => c.body.prog_name)).toEqual(['classify', 'tcx_ingress', 'tcx_egress', 'legacy_classifi']);
  });

  it('sends kern_version from the version section and log_level on request, keeping the log', async () => {
    const { kernel, collection } = await load('socket_filter', { logLevel: 1 });
    expect(kernel.callsTo('prog_load')[0]!.body).toMatchObject({ prog_type: ProgType.SOCKET_FILTER, kern_version: 331520, log_level: 1, license: 'GPL' });
    expect(collection.programs.get('count_protocols')!.log).toBe('processed 26 insns\n');
    expect(collection.programs.get('count_protocols')!.verifiedInsns).toBe(26);
  });

  it('a program type given for all replaces what the sections say', async () => {
    const { kernel } = await load('tc_classifier', { programType: { type: ProgType.SCHED_ACT, expectedAttachType: 0 } });
    expect(kernel.callsTo('prog_load').map((c) => [c.body.prog_type, c.body.expected_attach_type])).toEqual(Array(4).fill([ProgType.SCHED_ACT, undefined]));
  });

  it('reuses a map given by id: not created, not filled, and its id goes into the programs', async () => {
    const kernel = new FakeKernel();
    const existing = kernel.handle('bpf.v1.map_create', { map_type: 'percpu_array', key_size: 4, value_size: 8, max_entries: 8, map_name: 'old_verdicts' }).map_id as number;
    const { collection } = await load('xdp_parser', { reuseMaps: new Map([['verdicts', existing]]) }, kernel);
    expect(collection.maps.get('verdicts')).toMatchObject({ id: existing, reused: true });
    expect(kernel.callsTo('map_create').map((c) => c.body.map_name)).not.toContain('verdicts');
    const frags = insnsOf(loadOf(kernel, 'xdp_frags_pass'));
    expect(frags[7]!.imm).toBe(existing);
  });

  it('a reuseMaps entry naming no map of the object is EINVAL', async () => {
    const e = await loadError(load('xdp_parser', { reuseMaps: new Map([['nope', 1]]) }));
    expect(e.message).toBe("load object: unable to find map 'nope' to reuse");
  });
});

describe('loadCollection - map-in-map and program arrays', () => {
  it('creates the inner template first, the outer with inner_map_id, then fills the slots with ids', async () => {
    const { kernel, collection } = await load('map_in_map');
    const creates = kernel.callsTo('map_create').map((c) => c.body.map_name);
    expect(creates).toEqual(['inner_a', 'inner_b', 'outer_array.inn', 'outer_array', 'jump_table', 'seen_ips', 'outer_hash.inne', 'outer_hash', 'pinned_sessions', 'small_ring']);
    const template = kernel.callsTo('map_create')[2]!;
    expect(template.body).toMatchObject({ map_type: MapType.ARRAY, key_size: 4, value_size: 8, max_entries: 4 });
    const outer = kernel.maps.get(collection.maps.get('outer_array')!.id)!;
    expect(outer.inner_map_id).toBe(3);
    const id = (name: string): number => collection.maps.get(name)!.id;
    expect([...outer.elements]).toEqual([
      ['00000000', fromBase64(u32le(id('inner_a')), 'v')],
      ['02000000', fromBase64(u32le(id('inner_b')), 'v')],
    ]);
    const jumps = kernel.maps.get(id('jump_table'))!;
    const prog = (name: string): number => collection.programs.get(name)!.id;
    expect([...jumps.elements]).toEqual([
      ['00000000', fromBase64(u32le(prog('tail_a')), 'v')],
      ['01000000', fromBase64(u32le(prog('tail_b')), 'v')],
    ]);
    expect(kernel.callsTo('map_create').find((c) => c.body.map_name === 'seen_ips')!.body.map_extra).toBe(3);
  });

  it('a program array slot naming a program that is not loaded fails with EBADF and releases everything', async () => {
    const object = spec('map_in_map');
    const kernel = new FakeKernel();
    const e = await loadError(load({ ...object, programs: object.programs.map((p) => (p.name === 'tail_b' ? { ...p, autoload: false } : p)) }, {}, kernel));
    expect(e.message).toBe("load map 'jump_table': failed to initialize slot [1] to prog 'tail_b': it is not loaded");
    expect(e.code).toBe('EBADF');
    expect(kernel.callsTo('prog_load').map((c) => c.body.prog_name)).toEqual(['tail_a', 'dispatch']);
    expect({ maps: kernel.maps.size, programs: kernel.programs.size, pins: kernel.pins.size }).toEqual({ maps: 0, programs: 0, pins: 0 });
    expect(e.unreleased).toEqual([]);
  });
});

describe('loadCollection - pinning by name', () => {
  it('creates a map pinned by name and pins it at <pin root>/<name> once everything loaded', async () => {
    const { kernel, collection } = await load('map_in_map', { pinRoot: '/sys/fs/bpf/test/' });
    const id = collection.maps.get('pinned_sessions')!.id;
    expect(kernel.pins.get('/sys/fs/bpf/test/pinned_sessions')).toEqual({ map_id: id });
    expect(collection.maps.get('pinned_sessions')).toMatchObject({ reused: false, pins: ['/sys/fs/bpf/test/pinned_sessions'] });
    const order = kernel.calls.map((c) => c.subject);
    expect(order.lastIndexOf('bpf.v1.prog_load')).toBeLessThan(order.indexOf('bpf.v1.obj_pin'));
  });

  it('reuses a compatible pinned map: no create, and a failure later never closes it', async () => {
    const kernel = new FakeKernel();
    const pinned = kernel.handle('bpf.v1.map_create', { map_type: 'hash', key_size: 8, value_size: 16, max_entries: 1000, map_flags: 1, map_name: 'pinned_sessions' }).map_id as number;
    kernel.pins.set('/sys/fs/bpf/pinned_sessions', { map_id: pinned });
    kernel.refuse.set('dispatch', '0: (85) call bpf_tail_call#12\nR1 type=scalar expected=ctx\n');
    kernel.calls.length = 0;
    const e = await loadError(load('map_in_map', {}, kernel));
    expect(kernel.callsTo('map_create').map((c) => c.body.map_name)).not.toContain('pinned_sessions');
    expect([...kernel.maps.keys()]).toEqual([pinned]);
    expect(kernel.pins.size).toBe(1);
    expect(e.message).toMatch(/^load program 'dispatch': /);
  });

  it('an incompatible pinned map is EINVAL naming the map, and what was created is released', async () => {
    const kernel = new FakeKernel();
    const pinned = kernel.handle('bpf.v1.map_create', { map_type: 'hash', key_size: 8, value_size: 16, max_entries: 10, map_flags: 1, map_name: 'pinned_sessions' }).map_id as number;
    kernel.pins.set('/sys/fs/bpf/pinned_sessions', { map_id: pinned });
    const e = await loadError(load('map_in_map', {}, kernel));
    expect(e.message).toBe(`load map 'pinned_sessions': pinned map is incompatible: /sys/fs/bpf/pinned_sessions (map ${pinned}) has max_entries 10, expected 1000`);
    expect(e.code).toBe('EINVAL');
    expect([...kernel.maps.keys()]).toEqual([pinned]);
    expect(kernel.callsTo('prog_load')).toEqual([]);
  });
});

describe('loadCollection - failures leave nothing behind', () => {
  it('a verifier refusal names the program, keeps the log and closes every program and map made so far', async () => {
    const kernel = new FakeKernel();
    const log = '0: (b7) r0 = 0\n1: (95) exit\nR0 !read_ok\nprocessed 2 insns (limit 1000000)\n';
    kernel.refuse.set('xdp_frags_pass', log);
    const e = await loadError(load('xdp_parser', {}, kernel));
    expect(e.message).toBe("load program 'xdp_frags_pass': load program: permission denied: 1: (95) exit: R0 !read_ok (2 line(s) omitted)");
    expect(e).toMatchObject({ code: 'EACCES', errno: 13, log, target: { kind: 'program', name: 'xdp_frags_pass' } });
    expect(e.cause).toBeInstanceOf(VerifierError);
    expect({ maps: kernel.maps.size, programs: kernel.programs.size }).toEqual({ maps: 0, programs: 0 });
    const closes = kernel.callsTo('.close').map((c) => c.subject);
    expect(closes).toEqual(['bpf.v1.prog.1.close', 'bpf.v1.map.5.close', 'bpf.v1.map.4.close', 'bpf.v1.map.3.close', 'bpf.v1.map.2.close', 'bpf.v1.map.1.close']);
  });

  it('a map the service refuses names the map; closes that fail are listed on the error', async () => {
    const kernel = new FakeKernel();
    kernel.failures.push({ match: /map_create$/, code: 'ENOMEM', message: 'out of memory' });
    const first = await loadError(load('xdp_parser', {}, kernel));
    expect(first).toMatchObject({ code: 'ENOMEM', message: "load map 'verdicts': out of memory", unreleased: [] });

    const second = new FakeKernel();
    second.refuse.set('xdp_parse', 'nope\n');
    second.failures.push({ match: /^bpf\.v1\.map\.\d+\.close$/, code: 'EINVAL', message: 'unknown map command' });
    const e = await loadError(load('xdp_parser', {}, second));
    expect(e.unreleased.map((u) => [u.kind, u.name, u.reason])).toEqual(
      ['xdp_pars.data', 'xdp_pars.bss', 'xdp_pars.rodata', 'flows', 'verdicts'].map((name) => ['map', name, 'EINVAL: unknown map command']),
    );
  });

  it('a strong kernel symbol fails before anything is created', async () => {
    const kernel = new FakeKernel();
    const e = await loadError(load('tracing', { kconfig: { CONFIG_BPF_SYSCALL: 'y' } }, kernel));
    expect(e.message).toBe(
      "resolve extern 'bpf_prog_active': extern (var ksym) 'bpf_prog_active': resolving it needs the kernel's BTF, and there is none (libbpf fails such a load: failed to find valid kernel BTF)",
    );
    expect(e.code).toBe('ESRCH');
    expect(kernel.calls).toEqual([]);
  });

  it('a strong Kconfig value nobody gives is ESRCH', async () => {
    const e = await loadError(load('tracing'));
    expect(e).toMatchObject({ code: 'ESRCH', target: { kind: 'extern', name: 'CONFIG_BPF_SYSCALL' } });
  });
});

describe('loadCollection - .kconfig', () => {
  /** tracing.o without its kernel symbol: what it loads like once ksyms resolve. */
  const withoutKsym = (): ObjectSpec => {
    const object = spec('tracing');
    return { ...object, externs: object.externs.filter((e) => e.kind === 'kconfig') };
  };

  it('writes the values of the externs into the .kconfig map, then freezes it', async () => {
    const { kernel, collection } = await load(withoutKsym(), { kconfig: { CONFIG_BPF_SYSCALL: 'y', CONFIG_HZ: '250' }, kernelVersion: kernelVersionCode(6, 1, 2) });
    const map = kernel.maps.get(collection.maps.get('tracing.kconfig')!.id)!;
    const value = map.elements.get('00000000')!;
    const view = new DataView(value.buffer, value.byteOffset);
    expect({
      hz: view.getInt32(0, true),
      conntrack: view.getUint32(4, true),
      version: view.getUint32(8, true),
      syscall: value[12],
      wrapper: value[13],
      frozen: map.frozen,
    }).toEqual({ hz: 250, conntrack: 0, version: 0x060102, syscall: 1, wrapper: 1, frozen: true });
    const lsm = insnsOf(loadOf(kernel, 'check_file_open'));
    expect(lsm[17]).toMatchObject({ src: 2, imm: map.id, imm2: 8 });
  });

  it('a value that does not suit the extern names it', async () => {
    const e = await loadError(load(withoutKsym(), { kconfig: { CONFIG_BPF_SYSCALL: 'm' } }));
    expect(e.message).toBe("resolve extern 'CONFIG_BPF_SYSCALL': extern (kcfg) 'CONFIG_BPF_SYSCALL': value 'm' implies tristate or char type");
  });

  it('a weak kfunc call that nothing resolves is poisoned as libbpf poisons it', async () => {
    const object = withoutKsym();
    const [first] = object.programs;
    const poisoned = { ...first!, relocations: [...first!.relocations, { index: 0, slot: 0, kind: 'kfunc' as const, extern: 'bpf_weak_kfunc' }] };
    const externs = [...object.externs, { name: 'bpf_weak_kfunc', kind: 'ksym' as const, weak: true, btfId: 0, ksym: { typeId: 0, func: true } }];
    // Resolving a kfunc needs the kernel's BTF; this one has no bpf_weak_kfunc.
    const { kernel } = await load({ ...object, externs, programs: [poisoned] }, { kconfig: { CONFIG_BPF_SYSCALL: 'n' }, kernelBtf: KERNEL_BTF });
    expect(insnsOf(kernel.callsTo('prog_load')[0]!)[0]).toEqual({ opcode: 0x85, dst: 0, src: 0, off: 0, imm: POISON_CALL_KFUNC_BASE + externs.length - 1 });
  });
});

describe('Collection', () => {
  it('close() closes the handle of every program and map it created (templates too); pinned ones live on through their pins', async () => {
    const { kernel, collection } = await load('map_in_map');
    await collection.pinMap('inner_a', '/sys/fs/bpf/inner_a');
    await collection.pinMap('inner_a', '/sys/fs/bpf/inner_a');
    expect(collection.maps.get('inner_a')!.pins).toEqual(['/sys/fs/bpf/inner_a']);
    await collection.close();
    expect(kernel.programs.size).toBe(0);
    expect([...kernel.maps.values()].map((m) => m.name).sort()).toEqual(['inner_a', 'pinned_sessions']);
    await collection.close();
    expect(kernel.callsTo('.close')).toHaveLength(3 + 10);
  });

  it('pinProgram pins a program, which close() then keeps', async () => {
    const { kernel, collection } = await load('map_in_map');
    await collection.pinProgram('dispatch', '/sys/fs/bpf/dispatch');
    await collection.close();
    expect([...kernel.programs.keys()]).toEqual([collection.programs.get('dispatch')!.id]);
  });

  it('close() reports what it could not close', async () => {
    const { kernel, collection } = await load('socket_filter');
    kernel.failures.push({ match: /^bpf\.v1\.map\.1\.close$/, code: 'EBUSY', message: 'busy' });
    await expect(collection.close()).rejects.toThrow(CloseError);
    expect([...kernel.maps.keys()]).toEqual([1]);
  });
});
