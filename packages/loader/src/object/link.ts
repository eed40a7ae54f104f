/**
 * Linking an entry program (libbpf's bpf_object__relocate_calls and relocate_data): the
 * `.text` subprograms it calls, directly or through others, are appended after it in the
 * order they are first reached (depth first), call offsets are fixed for their new places,
 * and every map, global data and extern reference becomes a Relocation with the pseudo
 * source the kernel expects. A subprogram used by several programs is copied into each.
 */
import {
  type BtfExt,
  type BtfExtSection,
  CALL,
  type Instruction,
  LD_IMM64,
  PseudoCall,
  PseudoLdImm64,
} from '@bpfhive/uapi';
import { ObjectError } from './errors.js';
import { type ElfFunction, functionAt, indexAtSlot, slotCountOf } from './functions.js';
import type { RelocDesc } from './prog-relocs.js';
import type { CoreRelocation, FuncInfo, LineInfo, ProgramFunction, Relocation } from './types.js';

/** What linking needs to know about the object. */
export interface LinkInput {
  readonly functions: readonly ElfFunction[];
  readonly textIndex: number | undefined;
  readonly relocs: ReadonlyMap<ElfFunction, ReadonlyMap<number, RelocDesc>>;
  readonly btfExt: BtfExt | undefined;
  /** The ELF section index a .BTF.ext section name refers to. */
  readonly sectionIndex: (name: string) => number | undefined;
  /** The name of the `.kconfig` map, when the object has one. */
  readonly kconfigMap: string | undefined;
}

/** The linked form of an entry program. */
export interface LinkedProgram {
  readonly instructions: Instruction[];
  readonly functions: ProgramFunction[];
  readonly relocations: Relocation[];
  readonly funcInfo: FuncInfo[];
  readonly lineInfo: LineInfo[];
  readonly coreRelocations: CoreRelocation[];
}

const isSubprogCall = (i: Instruction): boolean => i.opcode === CALL && i.src === PseudoCall.LOCAL && i.dst === 0 && i.off === 0;

/** Links `main`. Throws ObjectError for a call into nothing or into the middle of a function. */
export function linkProgram(main: ElfFunction, input: LinkInput): LinkedProgram {
  const order: ElfFunction[] = [main];
  const placed = new Map<ElfFunction, number>([[main, 0]]);
  const patches = new Map<ElfFunction, Map<number, number>>();
  let total = slotCountOf(main);

  const relocateCode = (fn: ElfFunction): void => {
    const relocs = input.relocs.get(fn);
    const own = new Map<number, number>();
    patches.set(fn, own);
    fn.insns.forEach((insn, idx) => {
      const relo = relocs?.get(idx);
      const pseudoFunc = insn.opcode === LD_IMM64 && relo?.type === 'subprog_addr';
      if (!isSubprogCall(insn) && !pseudoFunc) return;
      if (relo?.type === 'extern_call') return;
      const slot = fn.slots[idx]!;
      const at = `insn ${idx} (slot ${slot})`;
      if (relo && relo.type !== 'call' && relo.type !== 'subprog_addr') {
        throw new ObjectError(`prog '${fn.name}': unexpected ${relo.type} relocation for the call at ${at}`);
      }
      let target: number;
      if (relo?.type === 'call') target = relo.symOff / 8 + insn.imm + 1;
      else if (relo?.type === 'subprog_addr') target = (relo.symOff + insn.imm) / 8;
      else if (fn.section.index === input.textIndex) target = fn.sectionSlot + slot + insn.imm + 1;
      else throw new ObjectError(`prog '${fn.name}': the call at ${at} has no relocation and does not lie in .text`);
      const sub = input.textIndex === undefined ? undefined : functionAt(input.functions, input.textIndex, target);
      if (!sub) throw new ObjectError(`prog '${fn.name}': ${at} calls .text slot ${target}, where no subprogram is`);
      if (sub.sectionSlot !== target) {
        throw new ObjectError(`prog '${fn.name}': ${at} calls into the middle of '${sub.name}' (.text slot ${target})`);
      }
      if (!placed.has(sub)) {
        placed.set(sub, total);
        order.push(sub);
        total += slotCountOf(sub);
        relocateCode(sub);
      }
      own.set(idx, placed.get(sub)! - (placed.get(fn)! + slot) - 1);
    });
  };
  relocateCode(main);

  const instructions: Instruction[] = [];
  const functions: ProgramFunction[] = [];
  const relocations: Relocation[] = [];
  for (const fn of order) {
    const base = instructions.length;
    const slotBase = placed.get(fn)!;
    functions.push({ name: fn.name, index: base, slot: slotBase, global: fn.global && !fn.hidden, length: fn.insns.length, slots: slotCountOf(fn) });
    const relocs = input.relocs.get(fn);
    const calls = patches.get(fn)!;
    fn.insns.forEach((insn, idx) => {
      const position = { index: base + idx, slot: slotBase + fn.slots[idx]! };
      let out = insn;
      const imm = calls.get(idx);
      if (imm !== undefined) out = { ...out, imm, ...(out.opcode === LD_IMM64 ? { src: PseudoLdImm64.FUNC } : {}) };
      const relo = relocs?.get(idx);
      if (relo) out = applyDataReloc(out, relo, position, relocations, input.kconfigMap, fn.name);
      instructions.push(out);
    });
  }
  const ext = input.btfExt;
  return {
    instructions,
    functions,
    relocations,
    funcInfo: ext ? rebaseInfo(ext.funcInfo, order, placed, input, 'function', (r, insnOff) => ({ insnOff, typeId: r.typeId })) : [],
    lineInfo: ext
      ? rebaseInfo(ext.lineInfo, order, placed, input, 'line', (r, insnOff) => ({
          insnOff,
          fileNameOff: r.fileNameOff,
          lineOff: r.lineOff,
          lineNum: r.lineNum,
          column: r.column,
          fileName: r.fileName,
          line: r.line,
        }))
      : [],
    coreRelocations: ext ? coreRelocations(ext, order, placed, functions, input) : [],
  };
}

/** Sets the pseudo source and offsets a map, data or extern reference needs, and records it. */
function applyDataReloc(
  insn: Instruction,
  relo: RelocDesc,
  at: { index: number; slot: number },
  out: Relocation[],
  kconfigMap: string | undefined,
  fnName: string,
): Instruction {
  switch (relo.type) {
    case 'map':
      out.push({ ...at, kind: 'map', map: relo.map });
      return { ...insn, src: PseudoLdImm64.MAP_FD, imm: 0 };
    case 'data': {
      const offset = (insn.imm + relo.symOff) | 0;
      out.push({ ...at, kind: 'map_value', map: relo.map, offset });
      return { ...insn, src: PseudoLdImm64.MAP_VALUE, imm: 0, imm2: offset };
    }
    case 'extern_ld': {
      const { ext } = relo;
      if (ext.kconfig) {
        if (kconfigMap === undefined) throw new ObjectError(`prog '${fnName}': extern '${ext.name}' needs the .kconfig map`);
        out.push({ ...at, kind: 'map_value', map: kconfigMap, offset: ext.kconfig.offset, extern: ext.name });
        return { ...insn, src: PseudoLdImm64.MAP_VALUE, imm: 0, imm2: ext.kconfig.offset };
      }
      out.push({ ...at, kind: 'ksym', extern: ext.name });
      return insn;
    }
    case 'extern_call':
      out.push({ ...at, kind: 'kfunc', extern: relo.ext.name });
      return { ...insn, src: PseudoCall.KFUNC, imm: 0, off: 0 };
    case 'call':
    case 'subprog_addr':
      return insn;
  }
}

/**
 * func_info or line_info for the linked program (libbpf's adjust_prog_btf_ext_info): each
 * function's records, offsets turned from section bytes into slots of the linked program.
 * Without records for the program itself there are none at all; a subprogram without any
 * when the program has some is an error.
 */
function rebaseInfo<R extends { readonly insnOff: number }, T>(
  sections: readonly BtfExtSection<R>[],
  order: readonly ElfFunction[],
  placed: ReadonlyMap<ElfFunction, number>,
  input: LinkInput,
  what: string,
  make: (record: R, insnOff: number) => T,
): T[] {
  const out: T[] = [];
  for (const fn of order) {
    const records = recordsOf(sections, fn, input);
    if (records.length === 0) {
      if (fn === order[0]) return [];
      throw new ObjectError(`prog '${order[0]!.name}': missing .BTF.ext ${what} info for subprogram '${fn.name}'`);
    }
    for (const r of records) out.push(make(r, r.insnOff / 8 - fn.sectionSlot + placed.get(fn)!));
  }
  return out;
}

/** The records of `fn`'s section that fall inside `fn`. */
function recordsOf<R extends { readonly insnOff: number }>(sections: readonly BtfExtSection<R>[], fn: ElfFunction, input: LinkInput): R[] {
  const out: R[] = [];
  const end = fn.sectionSlot + slotCountOf(fn);
  for (const sec of sections) {
    if (input.sectionIndex(sec.section) !== fn.section.index) continue;
    for (const r of sec.records) {
      const slot = r.insnOff / 8;
      if (slot >= fn.sectionSlot && slot < end) out.push(r);
    }
  }
  return out;
}

function coreRelocations(
  ext: BtfExt,
  order: readonly ElfFunction[],
  placed: ReadonlyMap<ElfFunction, number>,
  functions: readonly ProgramFunction[],
  input: LinkInput,
): CoreRelocation[] {
  const out: CoreRelocation[] = [];
  order.forEach((fn, n) => {
    for (const r of recordsOf(ext.coreRelos, fn, input)) {
      if (r.insnOff % 8 !== 0) throw new ObjectError(`prog '${fn.name}': CO-RE relocation at byte ${r.insnOff} is not on an instruction`);
      const local = r.insnOff / 8 - fn.sectionSlot;
      const idx = indexAtSlot(fn, local);
      if (idx === undefined) throw new ObjectError(`prog '${fn.name}': CO-RE relocation at byte ${r.insnOff} points into a lddw`);
      out.push({
        index: functions[n]!.index + idx,
        slot: placed.get(fn)! + local,
        typeId: r.typeId,
        accessStr: r.accessStr,
        access: r.access,
        kind: r.kind,
      });
    }
  });
  return out;
}
