/**
 * Register and stack states printed as the kernel's log prints them (kernel/bpf/log.c,
 * print_verifier_state): `R1=ctx() R2_w=pkt(r=14) R3=scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff)) R10=fp0 fp-8=mmmmmmmm`.
 */
import { Live, type RegState } from './reg.js';
import { RegType, baseType, isPktPointer, regTypeStr } from './reg-type.js';
import { type FuncState, REG_SIZE, STYPE_CHAR, Stype } from './state.js';
import { dynptrSlotString } from './dynptr.js';
import { tnumIsConst, tnumIsUnknown, tnumString } from './tnum.js';
import { S32_MAX, S32_MIN, S64_MAX, S64_MIN, U32_MAX, U64_MAX, hex } from './u64.js';

/** Signed numbers in decimal when small, else as 64-bit hex (verbose_snum). */
export function snum(v: bigint): string {
  const s = BigInt.asIntN(64, v);
  if ((s >= -32768n && s <= 32767n) || (s >= 0n && s <= 65535n)) return s.toString();
  return hex(s);
}

/** Unsigned numbers in decimal up to 65535, else hex (verbose_unum). */
export function unum(v: bigint): string {
  const u = BigInt.asUintN(64, v);
  return u <= 65535n ? u.toString() : hex(u);
}

function scalarRanges(reg: RegState): string[] {
  const items = [
    { name: 'smin', val: BigInt.asUintN(64, reg.smin), omit: reg.smin === S64_MIN },
    { name: 'smax', val: BigInt.asUintN(64, reg.smax), omit: reg.smax === S64_MAX },
    { name: 'umin', val: reg.umin, omit: reg.umin === 0n },
    { name: 'umax', val: reg.umax, omit: reg.umax === U64_MAX },
    { name: 'smin32', val: BigInt.asUintN(64, BigInt(reg.s32min)), omit: reg.s32min === S32_MIN },
    { name: 'smax32', val: BigInt.asUintN(64, BigInt(reg.s32max)), omit: reg.s32max === S32_MAX },
    { name: 'umin32', val: BigInt(reg.u32min), omit: reg.u32min === 0 },
    { name: 'umax32', val: BigInt(reg.u32max), omit: reg.u32max === U32_MAX },
  ];
  const out: string[] = [];
  items.forEach((m1, i) => {
    if (m1.omit) return;
    const neg1 = m1.name[0] === 's' && BigInt.asIntN(64, m1.val) < 0n;
    let text = `${m1.name}=`;
    for (let j = i + 2; j < items.length; j += 2) {
      const m2 = items[j]!;
      if (m2.omit || m2.val !== m1.val) continue;
      const neg2 = m2.name[0] === 's' && BigInt.asIntN(64, m2.val) < 0n;
      if (neg2 !== neg1) continue;
      m2.omit = true;
      text += `${m2.name}=`;
    }
    out.push(text + (m1.name[0] === 's' ? snum(m1.val) : unum(m1.val)));
  });
  return out;
}

/** The name of kernel BTF type `id` (btf_type_name), printed after `ptr_`. */
export type BtfTypeName = (id: number) => string;

/** One register's state (print_reg_state); `frameno` is the frame it is printed in. */
export function regStateString(reg: RegState, frameno: number, btfName: BtfTypeName = () => ''): string {
  const t = reg.type;
  const constant = tnumIsConst(reg.varOff);
  let s = '';
  if (t === RegType.SCALAR && reg.precise) s += 'P';
  if (t === RegType.SCALAR && constant) return s + snum(reg.varOff.value);
  s += regTypeStr(t);
  if (t === RegType.PTR_TO_STACK) {
    if (reg.frameno !== frameno) s += `[${reg.frameno}]`;
    if (constant) return s + snum(reg.varOff.value + BigInt(reg.off));
  }
  if (baseType(t) === RegType.PTR_TO_BTF_ID) s += btfName(reg.btfId);
  const parts: string[] = [];
  if (reg.id) parts.push(`id=${reg.id}`);
  if (reg.refObjId) parts.push(`ref_obj_id=${reg.refObjId}`);
  const b = baseType(t);
  if ((b === RegType.CONST_PTR_TO_MAP || b === RegType.PTR_TO_MAP_KEY || b === RegType.PTR_TO_MAP_VALUE) && reg.map) {
    if (reg.map.name) parts.push(`map=${reg.map.name}`);
    parts.push(`ks=${reg.map.keySize},vs=${reg.map.valueSize}`);
  }
  if (t !== RegType.SCALAR && reg.off) parts.push(`off=${snum(BigInt(reg.off))}`);
  if (isPktPointer(b)) parts.push(`r=${unum(BigInt(reg.range))}`);
  if (b === RegType.PTR_TO_MEM) parts.push(`sz=${unum(BigInt(reg.memSize))}`);
  if (constant) {
    if (reg.varOff.value) parts.push(`imm=${snum(reg.varOff.value)}`);
  } else {
    parts.push(...scalarRanges(reg));
    if (!tnumIsUnknown(reg.varOff)) parts.push(`var_off=${tnumString(reg.varOff)}`);
  }
  return `${s}(${parts.join(',')})`;
}

function liveness(live: number): string {
  if (!live) return '';
  return `_${live & Live.READ ? 'r' : ''}${live & Live.WRITTEN ? 'w' : ''}`;
}

/** What to print of a frame: everything, or only what was touched since the last print. */
export interface PrintSelection {
  readonly all: boolean;
  readonly regs: number;
  readonly slots: bigint;
}

/** A frame's registers, stack slots and references, as one line ending in `\n`. */
export function frameString(frame: FuncState, sel: PrintSelection, refs: readonly { id: number }[] = [], btfName?: BtfTypeName): string {
  let s = frame.frameno ? ` frame${frame.frameno}:` : '';
  frame.regs.forEach((reg, i) => {
    if (reg.type === RegType.NOT_INIT) return;
    if (!sel.all && !(sel.regs & (1 << i))) return;
    s += ` R${i}${liveness(reg.live)}=${regStateString(reg, frame.frameno, btfName)}`;
  });
  frame.stack.forEach((slot, spi) => {
    if (!sel.all && !(sel.slots & (1n << BigInt(spi)))) return;
    if (slot.types.every((t) => t === Stype.INVALID)) return;
    const name = ` fp${-(spi + 1) * REG_SIZE}${liveness(slot.spilled.live)}=`;
    if (slot.types[REG_SIZE - 1] === Stype.SPILL) s += name + regStateString(slot.spilled, frame.frameno, btfName);
    else if (slot.dynptr?.first && slot.types[0] === Stype.DYNPTR) s += name + dynptrSlotString(slot);
    else if (slot.dynptr && slot.types[0] === Stype.DYNPTR) return;
    else s += name + Array.from(slot.types, (t) => STYPE_CHAR[t]).join('');
  });
  if (refs.length) s += ` refs=${refs.map((r) => r.id).join(',')}`;
  if (frame.inCallback) s += ' cb';
  return `${s}\n`;
}
