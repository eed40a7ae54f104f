import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  type Btf,
  type BtfType,
  CoreReloKind,
  type Instruction,
  InsnClass,
  ProgType,
  btfSizeOf,
  classOf,
  decode,
  encodeBtf,
  findBtfMember,
  findBtfType,
  fromBase64,
  parseBtf,
  skipModsAndTypedefs,
  slotIndex,
} from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { CORE_POISON_IMM, CoreRelocationError, CoreRelocator, essentialName } from '../src/corerelo/index.js';
import { LoadError, loadCollection } from '../src/loader/index.js';
import { type CoreRelocation, type ObjectSpec, readObject } from '../src/object/index.js';
import { objectBytes } from './objects/fixtures.js';
import { fakeClient } from './support/fake-bus.js';
import { FakeKernel } from './support/fake-kernel.js';

/**
 * CO-RE on real clang-built objects: the examples execsnoop and tcpconnect (BPF_CORE_READ of
 * task_struct, sock_common through anonymous unions, tracepoint records, pt_regs) and the
 * loader's tracing.o (field existence, type size, enum values), relocated against the
 * kernel-sim's vmlinux.btf and against a target whose every struct member moved. Each patched
 * offset is checked against the target's own layout, found by member names with uapi's
 * findBtfMember — not by the relocator's spec matching.
 */

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const VMLINUX_BTF = `${ROOT}packages/kernel-sim/btf/vmlinux.btf`;
const kernelBtf: Btf | undefined = existsSync(VMLINUX_BTF) ? parseBtf(new Uint8Array(readFileSync(VMLINUX_BTF))) : undefined;

const OBJECTS = {
  execsnoop: () => readObject(new Uint8Array(readFileSync(`${ROOT}examples/execsnoop/execsnoop.bpf.o`)), { path: 'execsnoop.bpf.o' }),
  tcpconnect: () => readObject(new Uint8Array(readFileSync(`${ROOT}examples/tcpconnect/tcpconnect.bpf.o`)), { path: 'tcpconnect.bpf.o' }),
  tracing: () => readObject(objectBytes('tracing'), { path: 'tracing.o' }),
} as const;

const SHIFT_BYTES = 24;

/**
 * The object's own types with every struct member moved SHIFT_BYTES further in (and
 * the sizes grown to match), types named in `rename` renamed away: a kernel whose layout
 * differs everywhere from what the object was compiled against.
 */
function shiftedTarget(local: Btf, rename: readonly string[] = []): Btf {
  const types = local.types.map((t): BtfType => {
    const named = t.kind !== 'VOID' && rename.includes(t.name) ? { ...t, name: `${t.name}_renamed` } : t;
    // Union members stay at 0; a union moves with the struct member that holds it.
    if (named.kind !== 'STRUCT') return named;
    return { ...named, size: named.size + SHIFT_BYTES, members: named.members.map((m) => ({ ...m, bitOffset: m.bitOffset + SHIFT_BYTES * 8 })) };
  });
  return parseBtf(encodeBtf({ types }, { strings: null }));
}

/** The byte offset a field relocation names, found in `target` by the names along its path. */
function offsetByNames(local: Btf, relo: CoreRelocation, target: Btf): number {
  const root = local.types[relo.typeId]!;
  let id = findBtfType(target, essentialName(root.name), root.kind)!;
  expect(id, `no ${root.kind} ${root.name} in the target`).toBeDefined();
  let localId = relo.typeId;
  let bits = relo.access[0]! * btfSizeOf(target, id) * 8;
  for (const index of relo.access.slice(1)) {
    const lt = skipModsAndTypedefs(local, localId).type;
    if (lt.kind === 'ARRAY') {
      const tt = skipModsAndTypedefs(target, id).type;
      if (tt.kind !== 'ARRAY') throw new Error(`target [${id}] is not an array`);
      localId = lt.type;
      id = tt.type;
      bits += index * btfSizeOf(target, id) * 8;
      continue;
    }
    if (lt.kind !== 'STRUCT' && lt.kind !== 'UNION') throw new Error(`local [${localId}] is neither array nor struct`);
    const m = lt.members[index]!;
    localId = m.type;
    if (m.name === '') continue; // the target's anonymous members are searched by findBtfMember
    const found = findBtfMember(target, id, m.name)!;
    expect(found, `no member ${m.name} in target [${id}]`).toBeDefined();
    bits += found.bitOffset;
    id = found.member.type;
  }
  return bits / 8;
}

/** The instruction at `slot` (a poisoned lddw becomes two instructions, so indexes after it move; slots do not). */
function atSlot(insns: readonly Instruction[], slot: number): Instruction {
  const at = slotIndex(insns).indexOf(slot);
  if (at < 0) throw new Error(`no instruction starts at slot ${slot}`);
  return insns[at]!;
}

/** The value an instruction carries for a relocation: the offset of a load or store, else the immediate. */
const valueOf = (insn: Instruction): number => (classOf(insn.opcode) === InsnClass.LDX || classOf(insn.opcode) === InsnClass.STX || classOf(insn.opcode) === InsnClass.ST ? insn.off : insn.imm);

interface Checked {
  readonly changed: number;
  readonly checked: number;
  readonly poisoned: string[];
}

/** Relocates every program of `spec` against `target` and checks every field offset against the names in the target. */
function relocateAll(spec: ObjectSpec, target: Btf): Checked {
  const relocator = new CoreRelocator(spec.btf!, target);
  let changed = 0;
  let checked = 0;
  const poisoned: string[] = [];
  for (const program of spec.programs) {
    const result = relocator.relocate(program, program.instructions);
    program.coreRelocations.forEach((relo, n) => {
      const outcome = result.outcomes[n]!;
      if (outcome.poisoned) {
        poisoned.push(`${program.name}: ${outcome.local}`);
        expect(atSlot(result.insns, relo.slot)).toMatchObject({ imm: CORE_POISON_IMM });
        return;
      }
      if (relo.kind !== CoreReloKind.FIELD_BYTE_OFFSET) return;
      const insn = atSlot(result.insns, relo.slot);
      expect(valueOf(insn), `${program.name} relo #${n} ${outcome.local}`).toBe(offsetByNames(spec.btf!, relo, target));
      checked++;
      if (valueOf(insn) !== valueOf(program.instructions[relo.index]!)) changed++;
    });
  }
  return { changed, checked, poisoned };
}

describe.each(Object.entries(OBJECTS))('CO-RE on %s.o', (_name, open) => {
  it('against a target whose members all moved: every offset follows, none is poisoned', () => {
    const spec = open();
    const { changed, checked, poisoned } = relocateAll(spec, shiftedTarget(spec.btf!));
    expect(checked).toBeGreaterThan(0);
    expect(changed).toBe(checked);
    expect(poisoned).toEqual([]);
  });

  it.runIf(kernelBtf)("against the kernel-sim's vmlinux.btf: every offset is the kernel's", () => {
    const spec = open();
    const { checked, poisoned } = relocateAll(spec, kernelBtf!);
    expect(checked).toBeGreaterThan(0);
    // tracing.o asks for what the kernel does not have (nor does Linux): common.h's enum task_state, and the
    // uapi names of <linux/ptrace.h>'s pt_regs (rdi, rsi) where the kernel's pt_regs says di, si.
    const missing = ['kill_entry: [22] struct pt_regs.rdi (0:14 @ offset 112)', 'kill_entry: [22] struct pt_regs.rsi (0:13 @ offset 104)', 'sample_cpu: [59] enum task_state::TASK_INTERRUPTIBLE = 1'];
    expect(poisoned.sort()).toEqual(_name === 'tracing' ? missing : []);
  });
});

describe.runIf(kernelBtf)('CO-RE on tracing.o against the kernel: the other kinds', () => {
  it('field existence, type size and the offsets behind them take the kernel values', () => {
    const spec = OBJECTS.tracing();
    const relocator = new CoreRelocator(spec.btf!, kernelBtf!);
    const at = (program: string, kind: number) => {
      const p = spec.programs.find((x) => x.name === program)!;
      const result = relocator.relocate(p, p.instructions);
      const n = p.coreRelocations.findIndex((r) => r.kind === kind);
      return { outcome: result.outcomes[n]!, insn: atSlot(result.insns, p.coreRelocations[n]!.slot) };
    };
    expect(at('sched_switch', CoreReloKind.FIELD_EXISTS).insn.imm).toBe(1);
    const taskStruct = findBtfType(kernelBtf!, 'task_struct', 'STRUCT')!;
    expect(at('fexit_unlink', CoreReloKind.TYPE_SIZE)).toMatchObject({ outcome: { origVal: 56n, newVal: BigInt(btfSizeOf(kernelBtf!, taskStruct)) } });
    expect(at('fexit_unlink', CoreReloKind.TYPE_SIZE).insn.imm).toBe(btfSizeOf(kernelBtf!, taskStruct));
  });
});

describe('loadCollection with kernelBtf', () => {
  // tracing.o as it loads once kernel symbols resolve (loader.test.ts), its Kconfig given.
  const object = OBJECTS.tracing();
  // The shifted target below has no kernel functions, so the BTF-attached programs (fentry, fexit, tp_btf, lsm) would
  // find no attach_btf_id in it, as libbpf would not: they are left out.
  const spec: ObjectSpec = {
    ...object,
    externs: object.externs.filter((e) => e.kind === 'kconfig'),
    programs: object.programs.filter((p) => p.type !== ProgType.TRACING && p.type !== ProgType.LSM),
  };
  const kconfig = { CONFIG_BPF_SYSCALL: 'y' };
  // A kernel like the shifted one, without enum task_state: sample_cpu's enum value finds no target.
  const target = shiftedTarget(spec.btf!, ['task_state']);
  const insnsSent = (kernel: FakeKernel, name: string): Instruction[] =>
    decode(fromBase64(String(kernel.callsTo('prog_load').find((c) => c.body.prog_name === name.slice(0, 15))!.body.insns), 'insns'));

  it('sends every program relocated, and reports the poisoned instruction as a warning', async () => {
    const kernel = new FakeKernel();
    const warnings: string[] = [];
    const collection = await loadCollection(spec, fakeClient(kernel), { kconfig, kernelBtf: target, onWarning: (w) => warnings.push(w) });
    const program = spec.programs.find((p) => p.name === 'sched_switch')!;
    const sent = insnsSent(kernel, 'sched_switch');
    for (const relo of program.coreRelocations.filter((r) => r.kind === CoreReloKind.FIELD_BYTE_OFFSET)) {
      expect(valueOf(sent[relo.index]!)).toBe(offsetByNames(spec.btf!, relo, target));
      expect(valueOf(sent[relo.index]!)).not.toBe(valueOf(program.instructions[relo.index]!));
    }
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^prog 'sample_cpu': relo #\d+: insn #64: kind <enumval_value> \(11\), spec is \[59\] enum task_state::TASK_INTERRUPTIBLE = 1: failed to find target candidate: the target BTF has no enum named 'task_state'; substituting insn #64 w\/ invalid insn$/,
    );
    expect(insnsSent(kernel, 'sample_cpu').filter((i) => i.imm === CORE_POISON_IMM)).toHaveLength(2);
    await collection.close();
  });

  it('a refusal at the poisoned instruction fails the load with the relocation, keeping the log', async () => {
    const kernel = new FakeKernel();
    const log = '64: (85) call unknown#195896080\ninvalid func unknown#195896080\n';
    kernel.refuse.set('sample_cpu', log);
    const error = await loadCollection(spec, fakeClient(kernel), { kconfig, kernelBtf: target }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(LoadError);
    const e = error as LoadError;
    expect(e.message).toMatch(
      /^load program 'sample_cpu': prog 'sample_cpu': relo #\d+: insn #64: kind <enumval_value> \(11\), spec is \[59\] enum task_state::TASK_INTERRUPTIBLE = 1: failed to find target candidate: .*; the verifier reached the poisoned instruction$/,
    );
    expect(e.cause).toBeInstanceOf(CoreRelocationError);
    expect(e.code).toBe('EACCES');
    expect(e.log).toBe(log);
  });

  it('without kernelBtf (and told not to fetch it) the instructions keep the offsets the compiler wrote', async () => {
    const kernel = new FakeKernel();
    await loadCollection(spec, fakeClient(kernel), { kconfig, loadKernelBtf: false });
    const program = spec.programs.find((p) => p.name === 'sched_switch')!;
    expect(insnsSent(kernel, 'sched_switch')).toEqual(program.instructions.map((i) => expect.objectContaining({ opcode: i.opcode, off: i.off })));
  });
});
