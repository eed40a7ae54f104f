import { AluOp, AtomicOp, CALLX, EXIT, InsnClass, type Instruction, JA, JA32, JmpOp, LD_IMM64, Mode, PseudoCall, Size, Source, classOf } from '@bpfhive/uapi';

/**
 * Names the family of an instruction, for coverage counts: `alu64.add.k`, `alu32.sdiv.x`,
 * `alu64.movsx16`, `alu32.be32`, `alu64.bswap64`, `jmp32.jsgt.x`, `jmp.ja`, `jmp32.gotol`,
 * `call.local`, `call.helper`, `callx`, `exit`, `lddw`, `lddw.func`, `ldx.h`, `ldxs.b`, `st.w`,
 * `stx.dw`, `atomic.w.fetch_add`, `atomic.dw.cmpxchg`, `atomic.b.load_acq`…
 */
export function instructionFamily(insn: Instruction): string {
  const cls = classOf(insn.opcode);
  const op = insn.opcode & 0xf0;
  const byX = (insn.opcode & 0x08) === Source.X;
  const size = SIZE_NAMES[insn.opcode & 0x18]!;
  switch (cls) {
    case InsnClass.ALU:
    case InsnClass.ALU64: {
      const c = cls === InsnClass.ALU64 ? 'alu64' : 'alu32';
      if (op === AluOp.END) return cls === InsnClass.ALU64 ? `${c}.bswap${insn.imm}` : `${c}.${byX ? 'be' : 'le'}${insn.imm}`;
      if (op === AluOp.NEG) return `${c}.neg`;
      if (op === AluOp.MOV && byX && insn.off !== 0) return `${c}.movsx${insn.off}`;
      let name = ALU_NAMES[op] ?? `op${op.toString(16)}`;
      if ((op === AluOp.DIV || op === AluOp.MOD) && insn.off === 1) name = `s${name}`;
      return `${c}.${name}.${byX ? 'x' : 'k'}`;
    }
    case InsnClass.JMP:
    case InsnClass.JMP32: {
      if (insn.opcode === JA) return 'jmp.ja';
      if (insn.opcode === JA32) return 'jmp32.gotol';
      if (insn.opcode === EXIT) return 'exit';
      if (insn.opcode === CALLX) return 'callx';
      if (op === JmpOp.CALL) return insn.src === PseudoCall.LOCAL ? 'call.local' : insn.src === PseudoCall.HELPER ? 'call.helper' : 'call.kfunc';
      const c = cls === InsnClass.JMP32 ? 'jmp32' : 'jmp';
      return `${c}.${JMP_NAMES[op] ?? `op${op.toString(16)}`}.${byX ? 'x' : 'k'}`;
    }
    case InsnClass.LD:
      if (insn.opcode === LD_IMM64) return insn.src === 0 ? 'lddw' : `lddw.src${insn.src}`;
      return `ld.mode${(insn.opcode & 0xe0).toString(16)}.${size}`;
    case InsnClass.LDX:
      return `${(insn.opcode & 0xe0) === Mode.MEMSX ? 'ldxs' : 'ldx'}.${size}`;
    case InsnClass.ST:
      return `st.${size}`;
    case InsnClass.STX:
      if ((insn.opcode & 0xe0) !== Mode.ATOMIC) return `stx.${size}`;
      return `atomic.${size}.${atomicName(insn.imm)}`;
  }
}

function atomicName(imm: number): string {
  if (imm === AtomicOp.XCHG) return 'xchg';
  if (imm === AtomicOp.CMPXCHG) return 'cmpxchg';
  if (imm === AtomicOp.LOAD_ACQ) return 'load_acq';
  if (imm === AtomicOp.STORE_REL) return 'store_rel';
  const base = ATOMIC_NAMES[imm & ~AtomicOp.FETCH] ?? `op${imm.toString(16)}`;
  return (imm & AtomicOp.FETCH) !== 0 ? `fetch_${base}` : base;
}

const SIZE_NAMES: Record<number, string> = { [Size.B]: 'b', [Size.H]: 'h', [Size.W]: 'w', [Size.DW]: 'dw' };
const ALU_NAMES: Record<number, string> = {
  [AluOp.ADD]: 'add',
  [AluOp.SUB]: 'sub',
  [AluOp.MUL]: 'mul',
  [AluOp.DIV]: 'div',
  [AluOp.OR]: 'or',
  [AluOp.AND]: 'and',
  [AluOp.LSH]: 'lsh',
  [AluOp.RSH]: 'rsh',
  [AluOp.MOD]: 'mod',
  [AluOp.XOR]: 'xor',
  [AluOp.MOV]: 'mov',
  [AluOp.ARSH]: 'arsh',
};
const JMP_NAMES: Record<number, string> = {
  [JmpOp.JEQ]: 'jeq',
  [JmpOp.JGT]: 'jgt',
  [JmpOp.JGE]: 'jge',
  [JmpOp.JSET]: 'jset',
  [JmpOp.JNE]: 'jne',
  [JmpOp.JSGT]: 'jsgt',
  [JmpOp.JSGE]: 'jsge',
  [JmpOp.JLT]: 'jlt',
  [JmpOp.JLE]: 'jle',
  [JmpOp.JSLT]: 'jslt',
  [JmpOp.JSLE]: 'jsle',
};
const ATOMIC_NAMES: Record<number, string> = { [AtomicOp.ADD]: 'add', [AtomicOp.OR]: 'or', [AtomicOp.AND]: 'and', [AtomicOp.XOR]: 'xor' };

/** Adds the families of `insns` into `counts`. */
export function countFamilies(insns: readonly Instruction[], counts: Map<string, number> = new Map()): Map<string, number> {
  for (const insn of insns) {
    const family = instructionFamily(insn);
    counts.set(family, (counts.get(family) ?? 0) + 1);
  }
  return counts;
}
