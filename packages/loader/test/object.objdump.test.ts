/**
 * The instructions readObject gives equal what `llvm-objdump -d --mattr=+alu32` shows for
 * the same bytes: each function of each program (the program and every appended subprogram)
 * is compared slot by slot with the disassembly of its ELF section, bytes and text, except
 * at instructions the loader rewrites (relocated loads and calls, bpf-to-bpf calls).
 *
 * Needs llvm-objdump on PATH (CI installs LLVM); fails, does not skip, without it.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { CALL, type Instruction, LD_IMM64, PseudoCall, PseudoLdImm64, encode, formatInstruction, slotIndex } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { SymbolType, readElf } from '../src/elf/index.js';
import { type ProgramSpec, readObject } from '../src/index.js';
import { OBJECTS_DIR, OBJECT_NAMES, type ObjectName, objectBytes } from './objects/fixtures.js';

interface DumpLine {
  readonly bytes: string;
  readonly text: string;
}

/** llvm-objdump's lines by section and slot. */
function objdump(name: ObjectName): Map<string, Map<number, DumpLine>> {
  const out = execFileSync('llvm-objdump', ['-d', '--mattr=+alu32', join(OBJECTS_DIR, `${name}.o`)], { encoding: 'utf8' });
  const sections = new Map<string, Map<number, DumpLine>>();
  let current: Map<number, DumpLine> | undefined;
  for (const line of out.split('\n')) {
    const section = /^Disassembly of section (.+):$/.exec(line);
    if (section) {
      current = new Map();
      sections.set(section[1]!, current);
      continue;
    }
    const insn = /^\s*(\d+):\t([0-9a-f ]+)\t(.*)$/.exec(line);
    if (insn && current) current.set(Number(insn[1]), { bytes: insn[2]!.trim(), text: insn[3]!.replace(/ <[^>]+>$/, '') });
  }
  return sections;
}

/** Indexes the loader rewrites, where objdump shows the bytes as compiled. */
function rewritten(p: ProgramSpec): Set<number> {
  const out = new Set(p.relocations.map((r) => r.index));
  p.instructions.forEach((insn: Instruction, i) => {
    if ((insn.opcode === CALL && insn.src === PseudoCall.LOCAL) || (insn.opcode === LD_IMM64 && insn.src === PseudoLdImm64.FUNC)) out.add(i);
  });
  return out;
}

describe('object instructions - as llvm-objdump -d shows them', () => {
  it.each(OBJECT_NAMES)('%s', (name) => {
    const bytes = objectBytes(name);
    const elf = readElf(bytes);
    const spec = readObject(bytes, { path: `${name}.o` });
    const dump = objdump(name);
    let compared = 0;
    for (const p of spec.programs) {
      const skip = rewritten(p);
      const linkedSlots = slotIndex(p.instructions);
      for (const f of p.functions) {
        const sym = elf.symbols.find((s) => s.name === f.name && s.type === SymbolType.FUNC)!;
        const section = elf.sections[sym.shndx]!.name;
        for (let index = f.index; index < f.index + f.length; index++) {
          if (skip.has(index)) continue;
          const insn = p.instructions[index]!;
          const at = sym.value / 8 + linkedSlots[index]! - f.slot;
          const line = dump.get(section)?.get(at);
          expect(line, `${p.name}: ${section} slot ${at}`).toBeDefined();
          const ours = Array.from(encode([insn], { endian: spec.endian }), (b) => b.toString(16).padStart(2, '0')).join(' ');
          expect({ at: `${section}+${at}`, bytes: ours, text: formatInstruction(insn) }).toEqual({
            at: `${section}+${at}`,
            bytes: line!.bytes,
            text: line!.text,
          });
          compared++;
        }
      }
    }
    // Every object has some instructions left as the compiler wrote them (kfunc_weak.o, the smallest, has 14).
    expect(compared).toBeGreaterThan(10);
  });
});
