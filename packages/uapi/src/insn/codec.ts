import { InsnDecodeError } from '../errors.js';
import { describeOpcode } from './describe.js';
import { type Instruction, insn, isWide, slotIndex } from './instruction.js';
import { LD_IMM64 } from './opcode.js';
import { checkInstruction } from './validate.js';

/** Bytes in one instruction slot. */
export const SLOT_SIZE = 8;

export type Endianness = 'little' | 'big';

export interface CodecOptions {
  /** Byte order of the stream; eBPF objects for big-endian targets (bpfeb) use 'big'. Default 'little'. */
  readonly endian?: Endianness;
}

/*
 * One slot, little-endian (bpfel):       big-endian (bpfeb) swaps the register nibbles and
 *   byte 0     opcode                    stores off and imm big-endian:
 *   byte 1     src << 4 | dst              byte 1  dst << 4 | src
 *   bytes 2-3  off (signed 16)
 *   bytes 4-7  imm (signed 32)
 */

function writeSlot(view: DataView, at: number, i: Instruction, imm: number, le: boolean): void {
  view.setUint8(at, i.opcode);
  view.setUint8(at + 1, le ? ((i.src & 0xf) << 4) | (i.dst & 0xf) : ((i.dst & 0xf) << 4) | (i.src & 0xf));
  view.setInt16(at + 2, i.off, le);
  view.setInt32(at + 4, imm, le);
}

/** Encodes instructions into their byte form. A `lddw` writes two slots. Does not validate. */
export function encode(insns: readonly Instruction[], options: CodecOptions = {}): Uint8Array {
  const le = (options.endian ?? 'little') === 'little';
  const slots = slotIndex(insns);
  const out = new Uint8Array(slots[insns.length]! * SLOT_SIZE);
  const view = new DataView(out.buffer);
  insns.forEach((i, n) => {
    const at = slots[n]! * SLOT_SIZE;
    writeSlot(view, at, i, i.imm, le);
    if (isWide(i)) writeSlot(view, at + SLOT_SIZE, { opcode: 0, dst: 0, src: 0, off: 0, imm: 0 }, i.imm2 ?? 0, le);
  });
  return out;
}

function readSlot(view: DataView, at: number, le: boolean): Instruction {
  const regs = view.getUint8(at + 1);
  return insn(
    view.getUint8(at),
    le ? regs & 0xf : regs >> 4,
    le ? regs >> 4 : regs & 0xf,
    view.getInt16(at + 2, le),
    view.getInt32(at + 4, le),
  );
}

/**
 * Decodes and validates a byte stream of instructions.
 *
 * Rejects with InsnDecodeError (EINVAL), naming the instruction: a length that is not a
 * multiple of 8, an empty stream, an unknown opcode, a register above r10, a reserved field
 * that is not zero, a `lddw` whose second slot is missing or is not all zero but its imm.
 */
export function decode(bytes: Uint8Array, options: CodecOptions = {}): Instruction[] {
  const le = (options.endian ?? 'little') === 'little';
  if (bytes.length === 0) throw new InsnDecodeError(0, 0, 'the program has no instructions');
  if (bytes.length % SLOT_SIZE !== 0) {
    const whole = Math.floor(bytes.length / SLOT_SIZE);
    throw new InsnDecodeError(whole, whole, `truncated: ${bytes.length} bytes is not a multiple of ${SLOT_SIZE}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const slots = bytes.length / SLOT_SIZE;
  const out: Instruction[] = [];
  for (let slot = 0; slot < slots; slot++) {
    const index = out.length;
    let i = readSlot(view, slot * SLOT_SIZE, le);
    const reason = checkInstruction(i);
    if (reason !== undefined) throw new InsnDecodeError(index, slot, `${describeOpcode(i.opcode)}: ${reason}`);
    if (i.opcode === LD_IMM64) {
      if (slot + 1 >= slots) throw new InsnDecodeError(index, slot, 'truncated: lddw needs a second slot');
      const next = readSlot(view, (slot + 1) * SLOT_SIZE, le);
      if (next.opcode !== 0 || next.dst !== 0 || next.src !== 0 || next.off !== 0) {
        throw new InsnDecodeError(index, slot, 'the second slot of lddw must be zero except its imm');
      }
      i = { ...i, imm2: next.imm };
      slot++;
    }
    out.push(i);
  }
  return out;
}

/** Parses hex text (any whitespace, optional 0x prefixes per byte group) into bytes. */
export function hexToBytes(text: string): Uint8Array {
  const clean = text.replace(/0x/gi, '').replace(/[\s,]/g, '');
  if (clean.length % 2 !== 0 || /[^0-9a-f]/i.test(clean)) {
    throw new RangeError('hex: expected an even number of hex digits');
  }
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** Lower-case hex of bytes, no separators. */
export function bytesToHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
