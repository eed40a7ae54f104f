/**
 * Instructions printed as the kernel's verifier log prints them (kernel/bpf/disasm.c,
 * print_bpf_insn): `(b7) r0 = 0`, `(61) r2 = *(u32 *)(r1 +4)`, `(85) call bpf_map_lookup_elem#1`,
 * `(15) if r1 == 0x0 goto pc+3`. This differs from llvm-objdump's syntax on purpose.
 *
 * Map references of a 64-bit immediate load, which the kernel prints as a kernel address, print as
 * bpftool prints them in dumps: `map[id:5]` and `map[id:5][0]+8`.
 */
import { AluOp, AtomicOp, InsnClass, type Instruction, JmpOp, Mode, PseudoCall, PseudoLdImm64, Size, helperName } from '@bpfhive/uapi';

const ALU_STR: Record<number, string> = {
  [AluOp.ADD]: '+=', [AluOp.SUB]: '-=', [AluOp.MUL]: '*=', [AluOp.DIV]: '/=', [AluOp.OR]: '|=', [AluOp.AND]: '&=',
  [AluOp.LSH]: '<<=', [AluOp.RSH]: '>>=', [AluOp.NEG]: 'neg', [AluOp.MOD]: '%=', [AluOp.XOR]: '^=', [AluOp.MOV]: '=',
  [AluOp.ARSH]: 's>>=', [AluOp.END]: 'endian',
};

/** The kernel's bpf_alu_string: `+=`, `s>>=`… */
export const aluOpString = (op: number): string => ALU_STR[op & 0xf0] ?? '?';

const JMP_STR: Record<number, string> = {
  [JmpOp.JA]: 'jmp', [JmpOp.JEQ]: '==', [JmpOp.JGT]: '>', [JmpOp.JLT]: '<', [JmpOp.JGE]: '>=', [JmpOp.JLE]: '<=',
  [JmpOp.JSET]: '&', [JmpOp.JNE]: '!=', [JmpOp.JSGT]: 's>', [JmpOp.JSLT]: 's<', [JmpOp.JSGE]: 's>=', [JmpOp.JSLE]: 's<=',
  [JmpOp.CALL]: 'call', [JmpOp.EXIT]: 'exit',
};

const SIZE_STR: Record<number, string> = { [Size.W]: 'u32', [Size.H]: 'u16', [Size.B]: 'u8', [Size.DW]: 'u64' };
const SSIZE_STR: Record<number, string> = { [Size.W]: 's32', [Size.H]: 's16', [Size.B]: 's8', [Size.DW]: 's64' };
const ATOMIC_NAME: Record<number, string> = { [AtomicOp.ADD]: 'add', [AtomicOp.AND]: 'and', [AtomicOp.OR]: 'or', [AtomicOp.XOR]: 'xor' };

const code = (i: Instruction): string => `(${i.opcode.toString(16).padStart(2, '0')})`;
const signed = (n: number): string => (n < 0 ? `${n}` : `+${n}`);

function alu(i: Instruction): string {
  const is64 = (i.opcode & 0x07) === InsnClass.ALU64;
  const w = is64 ? 'r' : 'w';
  const op = i.opcode & 0xf0;
  const x = (i.opcode & 0x08) !== 0;
  if (op === AluOp.END) {
    if (is64) return `${code(i)} r${i.dst} = bswap${i.imm} r${i.dst}`;
    return `${code(i)} r${i.dst} = ${x ? 'be' : 'le'}${i.imm} r${i.dst}`;
  }
  if (op === AluOp.NEG) return `${code(i)} ${w}${i.dst} = -${w}${i.dst}`;
  if (op === AluOp.MOV && x && i.off !== 0) {
    if (is64 && i.off === 1) return `${code(i)} r${i.dst} = addr_space_cast(r${i.src}, ${i.imm >>> 16}, ${i.imm & 0xffff})`;
    return `${code(i)} ${w}${i.dst} = (s${i.off})${w}${i.src}`;
  }
  let s = aluOpString(op);
  if ((op === AluOp.DIV || op === AluOp.MOD) && i.off === 1) s = `s${s}`;
  return x ? `${code(i)} ${w}${i.dst} ${s} ${w}${i.src}` : `${code(i)} ${w}${i.dst} ${s} ${i.imm}`;
}

function atomic(i: Instruction): string {
  const size = SIZE_STR[i.opcode & 0x18];
  const addr = `(${size} *)(r${i.dst} ${signed(i.off)})`;
  const is64 = (i.opcode & 0x18) === Size.DW;
  const w = is64 ? '64' : '';
  const op = i.imm;
  if (op === AtomicOp.LOAD_ACQ) return `${code(i)} r${i.src} = load_acquire(${addr})`;
  if (op === AtomicOp.STORE_REL) return `${code(i)} store_release(${addr}, r${i.src})`;
  if (op === AtomicOp.XCHG) return `${code(i)} r${i.src} = atomic${w}_xchg(${addr}, r${i.src})`;
  if (op === AtomicOp.CMPXCHG) return `${code(i)} r0 = atomic${w}_cmpxchg(${addr}, r0, r${i.src})`;
  if (op & AtomicOp.FETCH) return `${code(i)} r${i.src} = atomic${w}_fetch_${ATOMIC_NAME[op & ~AtomicOp.FETCH] ?? '?'}(${addr}, r${i.src})`;
  return `${code(i)} lock *${addr} ${aluOpString(op)} r${i.src}`;
}

function ldImm64(i: Instruction): string {
  const lo = BigInt(i.imm >>> 0);
  const hi = BigInt((i.imm2 ?? 0) >>> 0);
  switch (i.src) {
    case PseudoLdImm64.MAP_FD:
      return `${code(i)} r${i.dst} = map[id:${i.imm}]`;
    case PseudoLdImm64.MAP_VALUE:
      return `${code(i)} r${i.dst} = map[id:${i.imm}][0]+${i.imm2 ?? 0}`;
    case PseudoLdImm64.MAP_IDX:
      return `${code(i)} r${i.dst} = map[idx:${i.imm}]`;
    case PseudoLdImm64.MAP_IDX_VALUE:
      return `${code(i)} r${i.dst} = map[idx:${i.imm}][0]+${i.imm2 ?? 0}`;
    default:
      return `${code(i)} r${i.dst} = 0x${((hi << 32n) | lo).toString(16)}`;
  }
}

function jmp(i: Instruction, kfuncName?: KfuncName): string {
  const is32 = (i.opcode & 0x07) === InsnClass.JMP32;
  const op = i.opcode & 0xf0;
  const x = (i.opcode & 0x08) !== 0;
  if (op === JmpOp.CALL) {
    if (x) return `${code(i)} callx r${i.dst}`;
    if (i.src === PseudoCall.LOCAL) return `${code(i)} call pc${signed(i.imm)}`;
    if (i.src === PseudoCall.KFUNC) {
      const name = kfuncName?.(i.imm);
      return name ? `${code(i)} call ${name}#${i.imm}` : `${code(i)} call kernel-function`;
    }
    return `${code(i)} call ${helperName(i.imm) ?? 'unknown'}#${i.imm}`;
  }
  if (op === JmpOp.JA) return is32 ? `${code(i)} gotol pc${signed(i.imm)}` : `${code(i)} goto pc${signed(i.off)}`;
  if (op === JmpOp.EXIT) return `${code(i)} exit`;
  if (op === JmpOp.JCOND) return `${code(i)} may_goto pc${signed(i.off)}`;
  const w = is32 ? 'w' : 'r';
  const rhs = x ? `${w}${i.src}` : `0x${(i.imm >>> 0).toString(16)}`;
  return `${code(i)} if ${w}${i.dst} ${JMP_STR[op] ?? '?'} ${rhs} goto pc${signed(i.off)}`;
}

/** The name of the kernel function a kfunc call's imm names (the kernel's disasm_kfunc_name), if known. */
export type KfuncName = (btfId: number) => string | undefined;

/** One instruction in the kernel's verifier-log syntax, without index or newline. */
export function printInsn(i: Instruction, kfuncName?: KfuncName): string {
  switch (i.opcode & 0x07) {
    case InsnClass.ALU:
    case InsnClass.ALU64:
      return alu(i);
    case InsnClass.STX: {
      const mode = i.opcode & 0xe0;
      if (mode === Mode.ATOMIC) return atomic(i);
      if (mode === Mode.MEM) return `${code(i)} *(${SIZE_STR[i.opcode & 0x18]} *)(r${i.dst} ${signed(i.off)}) = r${i.src}`;
      return `BUG_${i.opcode.toString(16).padStart(2, '0')}`;
    }
    case InsnClass.ST:
      return `${code(i)} *(${SIZE_STR[i.opcode & 0x18]} *)(r${i.dst} ${signed(i.off)}) = ${i.imm}`;
    case InsnClass.LDX: {
      const sx = (i.opcode & 0xe0) === Mode.MEMSX;
      const size = (sx ? SSIZE_STR : SIZE_STR)[i.opcode & 0x18];
      return `${code(i)} r${i.dst} = *(${size} *)(r${i.src} ${signed(i.off)})`;
    }
    case InsnClass.LD: {
      const mode = i.opcode & 0xe0;
      const size = SIZE_STR[i.opcode & 0x18];
      if (mode === Mode.ABS) return `${code(i)} r0 = *(${size} *)skb[${i.imm}]`;
      if (mode === Mode.IND) return `${code(i)} r0 = *(${size} *)skb[r${i.src} + ${i.imm}]`;
      return ldImm64(i);
    }
    default:
      return jmp(i, kfuncName);
  }
}
