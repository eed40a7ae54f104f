import {
  CALL,
  type Instruction,
  LD_IMM64,
  PseudoCall,
  PseudoLdImm64,
  encode,
  formatInstruction,
  helperName,
  slotIndex,
} from '@bpfhive/uapi';
import { hexBytes } from './hex.js';
import type { JsonWriter } from './json-writer.js';

/**
 * `prog dump xlated`, laid out as bpftool's dump_xlated_plain and dump_xlated_json lay it out:
 * `% 4d: (op) text` per instruction (numbered by slot), with `opcodes` the instruction's bytes
 * on the line below. The text is the LLVM syntax of `bpfhive disasm`, except where the kernel's
 * printer says more: map references (`r1 = map[id:4]`, `r1 = map[id:4][0]+8`) and helper calls
 * by name (`call bpf_map_lookup_elem#1`).
 */
export function xlatedText(insn: Instruction): string {
  if (insn.opcode === LD_IMM64 && insn.src === PseudoLdImm64.MAP_FD) return `r${insn.dst} = map[id:${insn.imm >>> 0}]`;
  if (insn.opcode === LD_IMM64 && insn.src === PseudoLdImm64.MAP_VALUE) return `r${insn.dst} = map[id:${insn.imm >>> 0}][0]+${(insn.imm2 ?? 0) >>> 0}`;
  if (insn.opcode === CALL && insn.src === 0) {
    const name = helperName(insn.imm);
    if (name) return `call ${name}#${insn.imm}`;
  }
  if (insn.opcode === CALL && insn.src === PseudoCall.LOCAL) return `call pc${insn.imm >= 0 ? '+' : ''}${insn.imm}`;
  return formatInstruction(insn, { pseudo: 'explicit' });
}

const opcodeHex = (insn: Instruction): string => `(${insn.opcode.toString(16).padStart(2, '0')})`;

/** The plain listing, one line per instruction (two with `opcodes`), each ending in a newline. */
export function xlatedPlain(insns: readonly Instruction[], opcodes: boolean): string {
  const slots = slotIndex(insns);
  return insns
    .map((insn, i) => {
      const line = `${String(slots[i]).padStart(4)}: ${opcodeHex(insn)} ${xlatedText(insn)}\n`;
      return opcodes ? `${line}       ${hexBytes(encode([insn]))}\n` : line;
    })
    .join('');
}

/** The JSON listing: `[{"disasm":"(b7) r0 = 1"},…]`, with `opcodes` each field of the instruction in hex. */
export function writeXlatedJson(json: JsonWriter, insns: readonly Instruction[], opcodes: boolean): void {
  json.startArray();
  for (const insn of insns) {
    json.startObject().field('disasm', `${opcodeHex(insn)} ${xlatedText(insn)}`);
    if (opcodes) {
      const bytes = encode([insn]);
      const hexArray = (from: number, to: number): void => {
        json.startArray();
        for (const b of bytes.subarray(from, to)) json.raw(`"0x${b.toString(16).padStart(2, '0')}"`);
        json.endArray();
      };
      json.name('opcodes').startObject();
      json.field('code', `0x${insn.opcode.toString(16).padStart(2, '0')}`);
      json.field('src_reg', `0x${insn.src.toString(16)}`).field('dst_reg', `0x${insn.dst.toString(16)}`);
      json.name('off');
      hexArray(2, 4);
      json.name('imm');
      hexArray(4, bytes.length);
      json.endObject();
    }
    json.endObject();
  }
  json.endArray();
}
