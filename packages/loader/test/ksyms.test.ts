import { readFileSync } from 'node:fs';
import { type Btf, CALL, LD_IMM64, MapType, ProgType, PseudoCall, PseudoLdImm64, btfSizeOf, findBtfType, parseBtf } from '@bpfhive/uapi';
import { ProgFlag, verify } from '@bpfhive/verifier';
import { describe, expect, it } from 'vitest';
import { LoadError, POISON_CALL_KFUNC_BASE, UnresolvedKfuncError, loadCollection } from '../src/loader/index.js';
import { resolveExterns } from '../src/loader/externs.js';
import { relocateProgram } from '../src/loader/relocate.js';
import { type ObjectSpec, readObject } from '../src/object/index.js';
import { type ObjectName, objectBytes } from './objects/fixtures.js';
import { fakeClient } from './support/fake-bus.js';
import { FakeKernel } from './support/fake-kernel.js';

/**
 * `__ksym` externs resolved against the kernel's BTF as libbpf resolves them: kfuncs to the
 * kernel FUNC's id (`call` src_reg 2, off 0), typed variables to the kernel VAR's id (`lddw`
 * src_reg 3). The kernel BTF is the kernel-sim's own vmlinux.btf, read from its package.
 */
const kernelBtf: Btf = parseBtf(new Uint8Array(readFileSync(new URL('../../kernel-sim/btf/vmlinux.btf', import.meta.url))));
const spec = (name: ObjectName): ObjectSpec => readObject(objectBytes(name), { path: `${name}.o` });
const kfunc = (name: string): number => findBtfType(kernelBtf, name, 'FUNC')!;
const program = (s: ObjectSpec, name: string) => s.programs.find((p) => p.name === name)!;

describe('ksyms - resolution against the kernel BTF', () => {
  it('ksyms - kfunc_task.o: every kfunc resolves to its kernel FUNC and bpf_prog_active to its per-CPU VAR', () => {
    const { ksyms, unresolved } = resolveExterns(spec('kfunc_task'), { kernelBtf });
    expect(Object.fromEntries(ksyms)).toEqual({
      bpf_prog_active: findBtfType(kernelBtf, 'bpf_prog_active', 'VAR'),
      bpf_task_acquire: kfunc('bpf_task_acquire'),
      bpf_task_from_pid: kfunc('bpf_task_from_pid'),
      bpf_task_release: kfunc('bpf_task_release'),
    });
    expect(unresolved.size).toBe(0);
  });

  it('ksyms - the relocated program calls kfuncs by BTF id (src_reg 2, off 0) and loads the ksym by BTF id (src_reg 3)', () => {
    const object = spec('kfunc_task');
    const { ksyms } = resolveExterns(object, { kernelBtf });
    const insns = relocateProgram(program(object, 'find_task'), new Map(), object.externs, ksyms);
    const kfuncCalls = insns.filter((i) => i.opcode === CALL && i.src === PseudoCall.KFUNC).map((i) => [i.imm, i.off]);
    expect(kfuncCalls).toEqual(['bpf_task_from_pid', 'bpf_task_acquire', 'bpf_task_release', 'bpf_task_release', 'bpf_task_release'].map((n) => [kfunc(n), 0]));
    const ksym = insns.filter((i) => i.opcode === LD_IMM64 && i.src === PseudoLdImm64.BTF_ID);
    expect(ksym).toMatchObject([{ imm: findBtfType(kernelBtf, 'bpf_prog_active', 'VAR'), imm2: 0 }]);
  });

  it('ksyms - a strong kfunc the kernel lacks fails the load before anything is created, naming it (kfunc_unknown.o)', async () => {
    const kernel = new FakeKernel();
    const e = (await loadCollection(spec('kfunc_unknown'), fakeClient(kernel), { kernelBtf }).catch((x: unknown) => x)) as LoadError;
    expect(e).toBeInstanceOf(LoadError);
    expect([e.code, e.message]).toEqual(['ESRCH', "resolve extern 'bpf_no_such_kfunc': extern (func ksym) 'bpf_no_such_kfunc': not found in kernel or module BTFs"]);
    expect(kernel.calls).toEqual([]);
  });

  it('ksyms - a weak kfunc the kernel lacks stays unresolved and its call is poisoned as libbpf poisons it', () => {
    const object = spec('kfunc_unknown');
    const weakOnly = { ...object, externs: object.externs.filter((e) => e.weak) };
    const { ksyms, unresolved } = resolveExterns(weakOnly, { kernelBtf });
    expect([...unresolved]).toEqual(['bpf_maybe_kfunc']);
    const insns = relocateProgram(program(object, 'call_unknown'), new Map([['counts', 9]]), object.externs, ksyms);
    const index = object.externs.findIndex((e) => e.name === 'bpf_maybe_kfunc');
    expect(insns.filter((i) => i.opcode === CALL && i.imm === POISON_CALL_KFUNC_BASE + index)).toHaveLength(1);
  });

  it("ksyms - the kernel's refusal of a reachable poisoned call names the kfunc, and the log reads as libbpf rewrites it (kfunc_weak.o)", async () => {
    const object = spec('kfunc_weak');
    const only = { ...object, programs: object.programs.filter((p) => p.name === 'call_unguarded') };
    const index = object.externs.findIndex((e) => e.name === 'bpf_maybe_kfunc');
    const poison = POISON_CALL_KFUNC_BASE + index;
    const kernel = new FakeKernel();
    kernel.refuse.set('call_unguarded', `0: (61) r1 = *(u32 *)(r1 +0)\n1: (85) call unknown#${poison}\ninvalid func unknown#${poison}\nprocessed 2 insns\n`);
    const e = (await loadCollection(only, fakeClient(kernel), { kernelBtf }).catch((x: unknown) => x)) as LoadError;
    expect(e).toBeInstanceOf(LoadError);
    expect([e.code, e.message]).toEqual(['EACCES', "load program 'call_unguarded': kfunc 'bpf_maybe_kfunc' is referenced but wasn't resolved (insn 1)"]);
    expect(e.cause).toBeInstanceOf(UnresolvedKfuncError);
    expect(e.log).toBe("0: (61) r1 = *(u32 *)(r1 +0)\n1: <invalid kfunc call>\nkfunc 'bpf_maybe_kfunc' is referenced but wasn't resolved\nprocessed 2 insns\n");
  });

  it('ksyms - a refusal for another reason is left as the kernel worded it', async () => {
    const object = spec('kfunc_weak');
    const only = { ...object, programs: object.programs.filter((p) => p.name === 'call_unguarded') };
    const kernel = new FakeKernel();
    kernel.refuse.set('call_unguarded', '0: (61) r1 = *(u32 *)(r1 +0)\nR1 invalid mem access\n');
    const e = (await loadCollection(only, fakeClient(kernel), { kernelBtf }).catch((x: unknown) => x)) as LoadError;
    expect(e.cause).not.toBeInstanceOf(UnresolvedKfuncError);
    expect(e.log).toBe('0: (61) r1 = *(u32 *)(r1 +0)\nR1 invalid mem access\n');
  });

  it('ksyms - a kfunc declared with another prototype than the kernel has is EINVAL', () => {
    const object = spec('kfunc_task');
    const fromPid = object.externs.find((e) => e.name === 'bpf_task_from_pid')!;
    // bpf_task_release declared as bpf_task_from_pid is (an int where the kernel takes a pointer).
    const wrong = { ...object, externs: [{ ...fromPid, name: 'bpf_task_release' }] };
    expect(() => resolveExterns(wrong, { kernelBtf })).toThrow(/extern \(func ksym\) 'bpf_task_release': func_proto \[\d+\] incompatible with vmlinux \[\d+\]/);
  });

  it('ksyms - a typed ksym of another type than the kernel variable is EINVAL', () => {
    const object = spec('kfunc_task');
    const active = object.externs.find((e) => e.name === 'bpf_prog_active')!;
    const taskStruct = findBtfType(object.btf!, 'task_struct', 'STRUCT')!;
    const wrong = { ...object, externs: [{ ...active, ksym: { typeId: taskStruct, func: false } }] };
    expect(() => resolveExterns(wrong, { kernelBtf })).toThrow("extern (var ksym) 'bpf_prog_active': incompatible types, expected");
  });

  it('ksyms - without the kernel BTF a typed ksym is ESRCH and says why', () => {
    expect(() => resolveExterns(spec('kfunc_task'), {})).toThrow(/resolving it needs the kernel's BTF, and there is none/);
  });

  it('ksyms - without the kernel BTF a weak kfunc fails too, as libbpf needs vmlinux BTF for any typed ksym', () => {
    expect(() => resolveExterns(spec('kfunc_weak'), {})).toThrow(
      "resolve extern 'bpf_maybe_kfunc': extern (func ksym) 'bpf_maybe_kfunc': resolving it needs the kernel's BTF, and there is none",
    );
  });

  it('ksyms - a weak kfunc the kernel lacks stays unresolved, the weak ones it has resolve', () => {
    const { ksyms, unresolved } = resolveExterns(spec('kfunc_weak'), { kernelBtf });
    expect([...unresolved]).toEqual(['bpf_maybe_kfunc']);
    expect([...ksyms.keys()].sort()).toEqual(['bpf_task_from_pid', 'bpf_task_release']);
  });
});

describe('kptrs - kfunc_task.o stash_task with the map value kptr its BTF declares', () => {
  const object = spec('kfunc_task');
  const { ksyms } = resolveExterns(object, { kernelBtf });
  const taskStruct = findBtfType(kernelBtf, 'task_struct', 'STRUCT')!;
  const kernelBtfInfo = {
    funcs: [...ksyms].filter(([n]) => n.startsWith('bpf_task')).map(([name, btfId]) => ({ btfId, name })),
    structs: [{ btfId: taskStruct, name: 'task_struct', size: btfSizeOf(kernelBtf, taskStruct) }],
  };
  const stash = relocateProgram(program(object, 'stash_task'), new Map([['task_slots', 1]]), object.externs, ksyms);
  const run = (kptrs: { off: number; kind: 'ref' | 'untrusted'; btfId: number }[]) => verify({
    insns: stash, progType: ProgType.SYSCALL, progFlags: ProgFlag.SLEEPABLE, license: 'GPL', privileges: ['CAP_SYS_ADMIN'],
    maps: new Map([[1, { map_type: MapType.ARRAY, key_size: 4, value_size: 16, max_entries: 1, map_flags: 0, name: 'task_slots', kptrs }]]),
    kernelBtf: kernelBtfInfo,
  });

  // The kernel finds kptr fields by the "kptr" type tag on the pointee (btf_find_kptr). The clang
  // 14 that builds the committed objects emits no TYPE_TAG into .BTF, so the field is given here
  // by the layout: `struct task_struct __kptr *task` is the first member of struct task_slot.
  it('kptrs - struct task_slot starts with a pointer to task_struct (the kptr field at offset 0)', () => {
    const slot = object.btf!.types[findBtfType(object.btf!, 'task_slot', 'STRUCT')!]!;
    const first = slot.kind === 'STRUCT' ? slot.members[0]! : undefined;
    const ptr = first && object.btf!.types[first.type];
    expect([first?.name, first?.bitOffset, ptr?.kind, ptr?.kind === 'PTR' && object.btf!.types[ptr.type]!.name]).toEqual(['task', 0, 'PTR', 'task_struct']);
  });

  it('kptrs - the verifier accepts bpf_kptr_xchg into that field, and refuses it into a map without a kptr', () => {
    const accepted = run([{ off: 0, kind: 'ref', btfId: taskStruct }]);
    expect(accepted.verdict, accepted.log).toBe('accept');
    const refused = run([]);
    expect([refused.verdict, refused.error?.message]).toEqual(['reject', "map 'task_slots' has no valid kptr"]);
  });
});
