/**
 * Stack accesses (the kernel's check_stack_access_within_bounds, check_stack_{read,write}_*,
 * check_stack_range_initialized): 8-byte slots in each frame hold spilled registers, unknown
 * bytes (MISC), known zeros (ZERO) or nothing (INVALID). Reads of INVALID bytes are refused
 * unless the loader has CAP_PERFMON; pointers are only spilled whole, and only a loader with
 * CAP_BPF gets scalars spilled and filled with their bounds.
 */
import { markChainPrecision } from './precision.js';
import { isNull, markKnown, markNotInit, markScalarUnknown } from './bounds.js';
import type { Env } from './env.js';
import { markRegRead } from './liveness.js';
import { markRegUnknown } from './reg-access.js';
import { Live, RegState } from './reg.js';
import { RegType, isSpillable } from './reg-type.js';
import { type FuncState, MAX_STACK, REG_SIZE, type StackSlot, Stype } from './state.js';
import { tnumIsConst, tnumString } from './tnum.js';
import { fls64 } from './u64.js';
import { MAX_VAR_OFF } from './limits.js';
import { checkNoDynptrWrite, destroyIfDynptrSlot } from './dynptr.js';

/** The frame a stack pointer points into. */
export const frameOf = (env: Env, reg: RegState): FuncState => env.cur.frames[reg.frameno]!;

/** spi and byte index of the stack byte at (negative) offset `off`. */
const slotOf = (off: number): { spi: number; byte: number } => {
  const slot = -off - 1;
  return { spi: Math.floor(slot / REG_SIZE), byte: slot % REG_SIZE };
};

/** Grows the frame's stack and the subprogram's recorded depth to `size` bytes (grow_stack_state). */
function growStack(env: Env, frame: FuncState, size: number): void {
  const rounded = Math.ceil(size / REG_SIZE) * REG_SIZE;
  if (frame.allocatedStack >= rounded) return;
  frame.growStack(rounded);
  const sub = env.subprogs[frame.subprogno]!;
  if (sub.stackDepth < rounded) sub.stackDepth = rounded;
}

/**
 * Every byte of [off + var, off + var + size) is inside the frame's 512 bytes (reads: inside what
 * was written, unless uninitialized reads are allowed). `off` includes the register's fixed offset.
 */
export function checkStackAccessWithinBounds(env: Env, reg: RegState, regno: number, off: number, size: number, write: boolean): void {
  const frame = frameOf(env, reg);
  const extra = write ? ' write to' : ' read from';
  let minOff: number;
  let maxOff: number;
  if (tnumIsConst(reg.varOff)) {
    minOff = Number(BigInt.asIntN(64, reg.varOff.value)) + off;
    maxOff = minOff + size;
  } else {
    if (reg.smax >= BigInt(MAX_VAR_OFF) || reg.smin <= -BigInt(MAX_VAR_OFF)) {
      env.fail('EACCES', `invalid unbounded variable-offset${extra} stack R${regno}`);
    }
    minOff = Number(reg.smin) + off;
    maxOff = Number(reg.smax) + off + size;
  }
  const minValid = write || env.caps.allowUninitStack ? -MAX_STACK : -frame.allocatedStack;
  if (minOff < minValid || minOff > -1 || maxOff > 0 || size < 0) {
    if (tnumIsConst(reg.varOff)) env.fail('EACCES', `invalid${extra} stack R${regno} off=${off} size=${size}`);
    env.fail('EACCES', `invalid variable-offset${extra} stack R${regno} var_off=${tnumString(reg.varOff)} off=${off} size=${size}`);
  }
  growStack(env, frame, -minOff);
}

/** Marks the slot's byte as one of MISC/ZERO unless it is INVALID or ZERO (mark_stack_slot_misc). */
function markMisc(slot: StackSlot, j: number): void {
  const t = slot.types[j];
  if (t === Stype.ZERO || t === Stype.INVALID) return;
  slot.types[j] = Stype.MISC;
}

/** Saves a register into a slot as a spill of `size` bytes (save_register_state). */
function saveRegister(slot: StackSlot, reg: RegState, size: number): void {
  slot.spilled.assignFrom(reg);
  if (size === REG_SIZE) slot.spilled.live |= Live.WRITTEN;
  let i = REG_SIZE;
  for (; i > REG_SIZE - size; i--) slot.types[i - 1] = Stype.SPILL;
  for (; i; i--) markMisc(slot, i - 1);
}

/** Turns every byte of a slot holding a spill into MISC (scrub_spilled_slot). */
function scrub(slot: StackSlot): void {
  for (let j = 0; j < REG_SIZE; j++) if (slot.types[j] !== Stype.INVALID) slot.types[j] = Stype.MISC;
}

/**
 * A store of `size` bytes at `off` from a stack pointer; the value is register `valueRegno` or,
 * when it is -1, the immediate `imm` of a BPF_ST (or unknown bytes when `imm` is undefined).
 */
export function checkStackWrite(env: Env, reg: RegState, off: number, size: number, valueRegno: number, imm: number | undefined): void {
  const frame = frameOf(env, reg);
  if (!tnumIsConst(reg.varOff)) {
    writeVarOff(env, frame, reg, off, size, valueRegno, imm);
    return;
  }
  const at = off + Number(BigInt.asIntN(64, reg.varOff.value));
  const { spi } = slotOf(at);
  destroyIfDynptrSlot(env, frame, spi);
  const slot = frame.stack[spi]!;
  const value = valueRegno >= 0 ? env.regs[valueRegno]! : null;
  if (!env.caps.allowPtrLeaks && slot.isSpill && !slot.isSpilledScalar && size !== REG_SIZE) {
    env.fail('EACCES', 'attempt to corrupt spilled pointer on stack');
  }
  env.markSlotScratched(spi);
  env.recordStackAccess(frame.frameno, spi);
  const aligned = at % REG_SIZE === 0;
  if (value && aligned && value.type === RegType.SCALAR && env.caps.bpfCapable) {
    const fits = fls64(value.umax) <= size * 8;
    if (fits && !value.id && !tnumIsConst(value.varOff)) value.id = env.nextId();
    saveRegister(slot, value, size);
    if (!fits) slot.spilled.id = 0;
  } else if (!value && aligned && imm !== undefined && env.caps.bpfCapable) {
    const k = new RegState();
    k.type = RegType.SCALAR;
    markScalarUnknown(k);
    markKnown(k, BigInt(imm));
    saveRegister(slot, k, size);
  } else if (value && isSpillable(value.type)) {
    if (size !== REG_SIZE) {
      env.verboseLinfo(env.insnIdx, '; ');
      env.fail('EACCES', 'invalid size of register spill');
    }
    if (frame !== env.frame && value.type === RegType.PTR_TO_STACK) {
      env.fail('EINVAL', 'cannot spill pointers to stack into stack frame of the caller');
    }
    saveRegister(slot, value, size);
  } else {
    markNotInit(slot.spilled);
    if (slot.isSpill) scrub(slot);
    if (size === REG_SIZE) slot.spilled.live |= Live.WRITTEN;
    const zero = (value !== null && isNull(value)) || (value === null && imm === 0);
    // STACK_ZERO relies on the value being exactly 0.
    if (zero && value) markChainPrecision(env, valueRegno);
    const slotIdx = -at - 1;
    for (let i = 0; i < size; i++) slot.types[(slotIdx - i) % REG_SIZE] = zero ? Stype.ZERO : Stype.MISC;
  }
}

function writeVarOff(env: Env, frame: FuncState, ptr: RegState, off: number, size: number, valueRegno: number, imm: number | undefined): void {
  const minOff = Number(ptr.smin) + off;
  const maxOff = Number(ptr.smax) + off + size;
  const value = valueRegno >= 0 ? env.regs[valueRegno]! : null;
  const zero = (value !== null && isNull(value)) || (value === null && imm === 0);
  for (let i = minOff; i < maxOff; i++) destroyIfDynptrSlot(env, frame, slotOf(i).spi);
  for (let i = minOff; i < maxOff; i++) {
    const { spi, byte } = slotOf(i);
    const slot = frame.stack[spi]!;
    env.markSlotScratched(spi);
    const t = slot.types[byte]!;
    if (!env.caps.allowPtrLeaks && t !== Stype.MISC && t !== Stype.ZERO) {
      env.fail('EINVAL', `spilled ptr in range of var-offset stack write; insn ${env.insnIdx}, ptr off: ${i}`);
    }
    if (zero && t === Stype.SPILL && slot.isSpilledScalar && tnumIsConst(slot.spilled.varOff) && slot.spilled.varOff.value === 0n) continue;
    markNotInit(slot.spilled);
    let next: number = Stype.MISC;
    if (zero && t === Stype.ZERO) next = Stype.ZERO;
    if (t === Stype.INVALID && !env.caps.allowUninitStack) {
      env.fail('EINVAL', `uninit stack in range of var-offset write prohibited for !root; insn ${env.insnIdx}, off: ${i}`);
    }
    slot.types[byte] = next;
  }
  if (zero && value) markChainPrecision(env, valueRegno);
}

/** Width in bits a scalar's value needs (get_reg_width). */
const regWidth = (r: RegState): number => fls64(r.umax);

/**
 * A load of `size` bytes at `off` into register `dstRegno` (or, with -1, a check that the bytes
 * may be used as a number, for atomics).
 */
export function checkStackRead(env: Env, reg: RegState, regno: number, off: number, size: number, dstRegno: number): void {
  const frame = frameOf(env, reg);
  if (!tnumIsConst(reg.varOff)) {
    if (dstRegno < 0) {
      env.fail('EACCES', `variable offset stack pointer cannot be passed into helper function; var_off=${tnumString(reg.varOff)} off=${off} size=${size}`);
    }
    const minOff = Number(reg.smin) + off;
    const maxOff = Number(reg.smax) + off;
    checkStackRangeInitialized(env, reg, regno, off, size, false, false, null);
    readIntoReg(env, frame, minOff, maxOff + size, dstRegno);
    return;
  }
  const at = off + Number(BigInt.asIntN(64, reg.varOff.value));
  const { spi } = slotOf(at);
  const slotIdx = -at - 1;
  const slot = frame.stack[spi]!;
  const stype = slot.types;
  const spilled = slot.spilled;
  env.markSlotScratched(spi);
  env.recordStackAccess(frame.frameno, spi);
  if (slot.isSpill) {
    let spillSize = 1;
    for (let i = REG_SIZE - 1; i > 0 && stype[i - 1] === Stype.SPILL; i--) spillSize++;
    if (size !== REG_SIZE || spillSize !== REG_SIZE) {
      if (spilled.type !== RegType.SCALAR) {
        env.verboseLinfo(env.insnIdx, '; ');
        env.fail('EACCES', 'invalid size of register fill');
      }
      markRegRead(env, spilled);
      if (dstRegno < 0) return;
      const dst = env.regs[dstRegno]!;
      // A narrow fill of the low bytes of a narrow spill gives the spilled value back.
      if (size <= spillSize && at % REG_SIZE === 0) {
        dst.assignFrom(spilled);
        if (regWidth(spilled) > size * 8) dst.id = 0;
        return;
      }
      let spillCnt = 0;
      let zeroCnt = 0;
      for (let i = 0; i < size; i++) {
        const t = stype[(slotIdx - i) % REG_SIZE];
        if (t === Stype.SPILL) {
          spillCnt++;
          continue;
        }
        if (t === Stype.MISC) continue;
        if (t === Stype.ZERO) {
          zeroCnt++;
          continue;
        }
        if (t === Stype.INVALID && env.caps.allowUninitStack) continue;
        env.fail('EACCES', `invalid read from stack off ${at}+${i} size ${size}`);
      }
      if ((spillCnt === size && tnumIsConst(spilled.varOff) && spilled.varOff.value === 0n) || zeroCnt === size) {
        markRegUnknown(env, dst);
        markKnown(dst, 0n);
      } else {
        markRegUnknown(env, dst);
      }
      return;
    }
    if (dstRegno >= 0) {
      env.regs[dstRegno]!.assignFrom(spilled);
    } else if (!env.caps.allowPtrLeaks && spilled.type !== RegType.SCALAR) {
      env.fail('EACCES', `leaking pointer from stack off ${at}`);
    }
    markRegRead(env, spilled);
    return;
  }
  for (let i = 0; i < size; i++) {
    const t = stype[(slotIdx - i) % REG_SIZE];
    if (t === Stype.MISC || t === Stype.ZERO) continue;
    if (t === Stype.INVALID && env.caps.allowUninitStack) continue;
    env.fail('EACCES', `invalid read from stack off ${at}+${i} size ${size}`);
  }
  markRegRead(env, spilled);
  if (dstRegno >= 0) readIntoReg(env, frame, at, at + size, dstRegno);
}

/** A register loaded from bytes [minOff, maxOff): zero when they all are known zero (mark_reg_stack_read). */
function readIntoReg(env: Env, frame: FuncState, minOff: number, maxOff: number, dstRegno: number): void {
  let zeros = 0;
  for (let i = minOff; i < maxOff; i++) {
    const { spi, byte } = slotOf(i);
    env.markSlotScratched(spi);
    if (frame.stack[spi]!.types[byte] !== Stype.ZERO) break;
    zeros++;
  }
  const dst = env.regs[dstRegno]!;
  markRegUnknown(env, dst);
  if (zeros === maxOff - minOff) {
    markKnown(dst, 0n);
  }
}

/** What a helper call learns about stack memory it will write (meta.raw_mode). */
export interface RawModeAccess {
  regno: number;
  size: number;
}

/**
 * A helper's access to `size` bytes of stack at `off` (plus the variable offset): they must be
 * initialized unless the helper writes them first (`rawMode`: then the caller records the
 * access and marks the bytes written after the call). `write` clobbers spilled values.
 */
export function checkStackRangeInitialized(
  env: Env,
  reg: RegState,
  regno: number,
  off: number,
  size: number,
  zeroOk: boolean,
  write: boolean,
  raw: { rawMode: boolean; out: RawModeAccess | null } | null,
): void {
  if (size === 0 && !zeroOk) env.fail('EACCES', 'invalid zero-sized read');
  checkStackAccessWithinBounds(env, reg, regno, off, size, write);
  const frame = frameOf(env, reg);
  let minOff: number;
  let maxOff: number;
  let rawMode = raw?.rawMode ?? false;
  if (tnumIsConst(reg.varOff)) {
    minOff = maxOff = Number(BigInt.asIntN(64, reg.varOff.value)) + off;
  } else {
    if (!env.caps.bypassSpecV1) {
      env.fail('EACCES', `R${regno} variable offset stack access prohibited for !root, var_off=${tnumString(reg.varOff)}`);
    }
    // Only initialized stack may be written through a variable offset (it may not all be written).
    rawMode = false;
    minOff = Number(reg.smin) + off;
    maxOff = Number(reg.smax) + off;
  }
  if (rawMode && raw) {
    checkNoDynptrWrite(env, frame, minOff, maxOff + size);
    raw.out = { regno, size };
    return;
  }
  for (let i = minOff; i < maxOff + size; i++) {
    const { spi, byte } = slotOf(i);
    const slot = frame.stack[spi]!;
    const t = slot.types[byte];
    let ok = false;
    if (t === Stype.MISC) ok = true;
    else if (t === Stype.ZERO || (t === Stype.INVALID && env.caps.allowUninitStack)) {
      if (write) slot.types[byte] = Stype.MISC;
      ok = true;
    } else if (slot.isSpill && (slot.spilled.type === RegType.SCALAR || env.caps.allowPtrLeaks)) {
      if (write) {
        markScalarUnknown(slot.spilled);
        scrub(slot);
      }
      ok = true;
    }
    if (!ok) {
      if (tnumIsConst(reg.varOff)) env.fail('EACCES', `invalid read from stack R${regno} off ${minOff}+${i - minOff} size ${size}`);
      env.fail('EACCES', `invalid read from stack R${regno} var_off ${tnumString(reg.varOff)}+${i - minOff} size ${size}`);
    }
    markRegRead(env, slot.spilled);
  }
}
