/**
 * eBPF opcodes (RFC 9669 plus the Linux extensions), as typed constants.
 *
 * The 8-bit opcode has two layouts, chosen by its 3-bit class:
 *
 *   arithmetic and jumps (ALU, ALU64, JMP, JMP32)     loads and stores (LD, LDX, ST, STX)
 *   +----------------+--------+-----------+           +-----------+---------+-----------+
 *   | operation (4)  | src (1)| class (3) |           | mode (3)  | size (2)| class (3) |
 *   +----------------+--------+-----------+           +-----------+---------+-----------+
 *     7            4     3      2       0                7       5   4     3   2       0
 *
 * Accessors never throw: a field that makes no sense for an opcode reads as `undefined`
 * through the `*Of` helpers, and the codec (codec.ts) decides what is valid.
 */

/** Instruction classes: the low three bits of every opcode. */
export const InsnClass = {
  LD: 0x00,
  LDX: 0x01,
  ST: 0x02,
  STX: 0x03,
  ALU: 0x04,
  JMP: 0x05,
  JMP32: 0x06,
  ALU64: 0x07,
} as const;
export type InsnClass = (typeof InsnClass)[keyof typeof InsnClass];

/** Arithmetic operations (bits 4-7 of an ALU or ALU64 opcode). */
export const AluOp = {
  ADD: 0x00,
  SUB: 0x10,
  MUL: 0x20,
  DIV: 0x30,
  OR: 0x40,
  AND: 0x50,
  LSH: 0x60,
  RSH: 0x70,
  NEG: 0x80,
  MOD: 0x90,
  XOR: 0xa0,
  MOV: 0xb0,
  ARSH: 0xc0,
  /** Byte swap: ALU with TO_LE/TO_BE, ALU64 with TO_LE is the unconditional bswap. */
  END: 0xd0,
} as const;
export type AluOp = (typeof AluOp)[keyof typeof AluOp];

/** Jump operations (bits 4-7 of a JMP or JMP32 opcode). */
export const JmpOp = {
  JA: 0x00,
  JEQ: 0x10,
  JGT: 0x20,
  JGE: 0x30,
  JSET: 0x40,
  JNE: 0x50,
  JSGT: 0x60,
  JSGE: 0x70,
  CALL: 0x80,
  EXIT: 0x90,
  JLT: 0xa0,
  JLE: 0xb0,
  JSLT: 0xc0,
  JSLE: 0xd0,
  /** Linux: conditional pseudo jump; with src 0 it is `may_goto`. */
  JCOND: 0xe0,
} as const;
export type JmpOp = (typeof JmpOp)[keyof typeof JmpOp];

/** Operand source (bit 3) of arithmetic and jump opcodes. */
export const Source = {
  /** The 32-bit immediate. */
  K: 0x00,
  /** The src register. */
  X: 0x08,
} as const;
export type Source = (typeof Source)[keyof typeof Source];

/** For END: convert to little endian (K) or big endian (X). */
export const Endian = { TO_LE: 0x00, TO_BE: 0x08 } as const;

/** Access size (bits 3-4) of load and store opcodes. */
export const Size = { W: 0x00, H: 0x08, B: 0x10, DW: 0x18 } as const;
export type Size = (typeof Size)[keyof typeof Size];

/** Addressing mode (bits 5-7) of load and store opcodes. */
export const Mode = {
  IMM: 0x00,
  /** Legacy packet access: LD_ABS. */
  ABS: 0x20,
  /** Legacy packet access: LD_IND. */
  IND: 0x40,
  MEM: 0x60,
  /** Sign-extending load (cpu v4). */
  MEMSX: 0x80,
  ATOMIC: 0xc0,
} as const;
export type Mode = (typeof Mode)[keyof typeof Mode];

/** Operation codes carried in the immediate of an ATOMIC instruction. */
export const AtomicOp = {
  ADD: 0x00,
  OR: 0x40,
  AND: 0x50,
  XOR: 0xa0,
  /** Flag: also return the old value in the src register. */
  FETCH: 0x01,
  XCHG: 0xe0 | 0x01,
  CMPXCHG: 0xf0 | 0x01,
  /** Linux: dst = load_acquire(src + off). */
  LOAD_ACQ: 0x100,
  /** Linux: store_release(dst + off, src). */
  STORE_REL: 0x110,
} as const;

/** The src field of a 64-bit immediate load (`lddw`): what the immediate names. */
export const PseudoLdImm64 = {
  /** A plain 64-bit constant. */
  IMM64: 0,
  /** imm = map fd (here: map id); loads the map pointer. */
  MAP_FD: 1,
  /** imm = map fd, next imm = offset; loads the address of the map's value. */
  MAP_VALUE: 2,
  /** imm = BTF id of a kernel variable. */
  BTF_ID: 3,
  /** imm = instruction offset of a bpf-to-bpf function; loads its address. */
  FUNC: 4,
  /** imm = index into the map array given with the load. */
  MAP_IDX: 5,
  /** imm = map index, next imm = offset. */
  MAP_IDX_VALUE: 6,
} as const;
export type PseudoLdImm64 = (typeof PseudoLdImm64)[keyof typeof PseudoLdImm64];

/** The src field of a CALL: what the immediate names. */
export const PseudoCall = {
  /** imm = helper id. */
  HELPER: 0,
  /** imm = relative instruction offset of a bpf-to-bpf function. */
  LOCAL: 1,
  /** imm = BTF id of a kernel function; off = index of the BTF in fd_array (0: vmlinux). */
  KFUNC: 2,
} as const;
export type PseudoCall = (typeof PseudoCall)[keyof typeof PseudoCall];

/** `off` of an ALU64 MOV X that makes it an arena address-space cast (Linux). */
export const ADDR_SPACE_CAST = 1;

/** Registers r0..r10; r10 is the read-only frame pointer. */
export const MAX_REG = 10;
export const FRAME_POINTER = 10;

export const classOf = (opcode: number): InsnClass => (opcode & 0x07) as InsnClass;
export const isAluClass = (c: InsnClass): boolean => c === InsnClass.ALU || c === InsnClass.ALU64;
export const isJmpClass = (c: InsnClass): boolean => c === InsnClass.JMP || c === InsnClass.JMP32;
export const isMemClass = (c: InsnClass): boolean => c <= InsnClass.STX;

/** The operation of an arithmetic opcode, or undefined for other classes. */
export function aluOpOf(opcode: number): AluOp | undefined {
  return isAluClass(classOf(opcode)) ? ((opcode & 0xf0) as AluOp) : undefined;
}

/** The operation of a jump opcode, or undefined for other classes. */
export function jmpOpOf(opcode: number): JmpOp | undefined {
  return isJmpClass(classOf(opcode)) ? ((opcode & 0xf0) as JmpOp) : undefined;
}

/** The operand source of an arithmetic or jump opcode, or undefined for loads and stores. */
export function sourceOf(opcode: number): Source | undefined {
  return isMemClass(classOf(opcode)) ? undefined : ((opcode & 0x08) as Source);
}

/** The access size of a load or store opcode, or undefined otherwise. */
export function sizeOf(opcode: number): Size | undefined {
  return isMemClass(classOf(opcode)) ? ((opcode & 0x18) as Size) : undefined;
}

/** The addressing mode of a load or store opcode, or undefined otherwise. */
export function modeOf(opcode: number): Mode | undefined {
  return isMemClass(classOf(opcode)) ? ((opcode & 0xe0) as Mode) : undefined;
}

/** Size in bytes of an access size. */
export function sizeBytes(size: Size): 1 | 2 | 4 | 8 {
  switch (size) {
    case Size.B:
      return 1;
    case Size.H:
      return 2;
    case Size.W:
      return 4;
    case Size.DW:
      return 8;
  }
}

/** The access size for a byte count, or undefined for counts other than 1, 2, 4, 8. */
export function sizeForBytes(bytes: number): Size | undefined {
  return ({ 1: Size.B, 2: Size.H, 4: Size.W, 8: Size.DW } as Record<number, Size>)[bytes];
}

/** The opcode of a 64-bit immediate load (`lddw`), two slots wide. */
export const LD_IMM64 = InsnClass.LD | Mode.IMM | Size.DW;
export const CALL = InsnClass.JMP | JmpOp.CALL | Source.K;
export const CALLX = InsnClass.JMP | JmpOp.CALL | Source.X;
export const EXIT = InsnClass.JMP | JmpOp.EXIT;
export const JA = InsnClass.JMP | JmpOp.JA;
/** `gotol`: JMP32 JA, whose 32-bit offset is in the immediate (cpu v4). */
export const JA32 = InsnClass.JMP32 | JmpOp.JA;
export const MAY_GOTO = InsnClass.JMP | JmpOp.JCOND;
