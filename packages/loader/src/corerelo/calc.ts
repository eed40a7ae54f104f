/**
 * The values a relocation puts in its instruction (libbpf's bpf_core_calc_relo): the value the
 * compiler wrote (from the local spec, checked against the instruction unless ambiguous) and
 * the value for the target, or a request to poison the instruction when the target has no
 * such field or enumerator.
 */
import { type Btf, BtfIntEncoding, CoreReloKind, isFieldReloKind, isTypeReloKind } from '@bpfhive/uapi';
import { CoreFailure } from './errors.js';
import { type CoreSpec, resolved, sizeOf, typeAt } from './spec.js';

/** What a relocation resolved to (libbpf's struct bpf_core_relo_res). */
export interface CoreReloValue {
  /** The value the compiler wrote, from the object's own types. */
  readonly origVal: bigint;
  /** The value for the target. */
  readonly newVal: bigint;
  /** No target: replace the instruction with the poison call. */
  readonly poison: boolean;
  /** Whether the instruction must hold origVal (false for bitfields and type ids). */
  readonly validate: boolean;
  /** A load or store whose size would have to change in a way that reads a wrong value. */
  readonly failMemszAdjust: boolean;
  /** Bytes a load or store of the field moves, locally and in the target (0 when not a plain field offset). */
  readonly origSz: number;
  readonly newSz: number;
}

interface FieldValue {
  readonly val: bigint;
  /** Memory access size and the field's type, for FIELD_BYTE_OFFSET of a plain field or element. */
  readonly size: number;
  readonly typeId: number;
  readonly validate: boolean;
}

const POISON = Symbol('poison');

/**
 * The values of relocation `kind` for the local spec and the target spec (undefined when no
 * candidate matched). Throws CoreFailure for a relocation that cannot be computed (a bitfield
 * wider than a u64 load, an array element asked for anything but its offset or size).
 */
export function calcCoreRelo(kind: number, local: CoreSpec, target: CoreSpec | undefined, insn: number): CoreReloValue {
  const base = { poison: false, validate: true, failMemszAdjust: false, origSz: 0, newSz: 0 };
  if (kind === CoreReloKind.TYPE_ID_LOCAL) return { ...base, origVal: BigInt(local.rootTypeId), newVal: BigInt(local.rootTypeId), validate: false };
  if (isFieldReloKind(kind)) {
    const orig = fieldValue(kind, local, insn);
    if (orig === POISON) throw new CoreFailure('EINVAL', 'the local spec has no field');
    const next = fieldValue(kind, target, insn);
    if (next === POISON) return { ...base, origVal: orig.val, newVal: 0n, poison: true, validate: orig.validate };
    const res = { ...base, origVal: orig.val, newVal: next.val, validate: orig.validate, origSz: orig.size, newSz: next.size };
    if (orig.size === next.size) return res;
    return { ...res, failMemszAdjust: !sizeChangeKeepsValue(local.btf, orig.typeId, target!.btf, next.typeId) };
  }
  if (isTypeReloKind(kind)) {
    return { ...base, origVal: typeValue(kind, local), newVal: target ? typeValue(kind, target) : 0n, validate: kind !== CoreReloKind.TYPE_ID_TARGET };
  }
  const origVal = enumValue(kind, local);
  if (kind === CoreReloKind.ENUMVAL_VALUE && !target) return { ...base, origVal, newVal: 0n, poison: true };
  return { ...base, origVal, newVal: target ? enumValue(kind, target) : 0n };
}

/**
 * A load or store may change size only where zero extension keeps the value: a pointer read
 * as a pointer of another width, or an unsigned integer read as a wider or narrower one.
 */
function sizeChangeKeepsValue(local: Btf, localTypeId: number, target: Btf, targetTypeId: number): boolean {
  const l = typeAt(local, localTypeId);
  const t = typeAt(target, targetTypeId);
  if (l.kind === 'PTR' && t.kind === 'PTR') return true;
  return l.kind === 'INT' && t.kind === 'INT' && l.encoding !== BtfIntEncoding.SIGNED && t.encoding !== BtfIntEncoding.SIGNED;
}

/** libbpf's bpf_core_calc_field_relo for one spec; POISON when the spec is missing. */
function fieldValue(kind: number, spec: CoreSpec | undefined, insn: number): FieldValue | typeof POISON {
  const none = { size: 0, typeId: 0, validate: true };
  if (kind === CoreReloKind.FIELD_EXISTS) return { ...none, val: spec ? 1n : 0n };
  if (!spec) return POISON;
  const acc = spec.spec[spec.spec.length - 1]!;
  if (acc.name === undefined) {
    const size = sizeOf(spec.btf, acc.typeId);
    if (kind === CoreReloKind.FIELD_BYTE_OFFSET) return { val: BigInt(spec.bitOffset / 8), size, typeId: acc.typeId, validate: true };
    if (kind === CoreReloKind.FIELD_BYTE_SIZE) return { ...none, val: BigInt(size) };
    throw new CoreFailure('EINVAL', `relo ${kind} at insn #${insn} can't be applied to array access`);
  }
  const holder = typeAt(spec.btf, acc.typeId);
  if (holder.kind !== 'STRUCT' && holder.kind !== 'UNION') throw new CoreFailure('EINVAL', `accessor type [${acc.typeId}] is not a struct or union`);
  const member = holder.members[acc.idx]!;
  const field = resolved(spec.btf, member.type);
  const bitOff = spec.bitOffset;
  let bitSz = member.bitfieldSize;
  const bitfield = bitSz > 0;
  let byteSz: number;
  let byteOff: number;
  if (bitfield) {
    if (!('size' in field.type)) throw new CoreFailure('EINVAL', `bitfield of [${field.id}] ${field.type.kind.toLowerCase()} has no size`);
    byteSz = field.type.size;
    byteOff = Math.floor(bitOff / 8 / byteSz) * byteSz;
    // The smallest load, aligned to its size, that holds the whole bitfield.
    while (bitOff + bitSz - byteOff * 8 > byteSz * 8) {
      if (byteSz >= 8) throw new CoreFailure('E2BIG', `relo ${kind} at insn #${insn} can't be satisfied for bitfield`);
      byteSz *= 2;
      byteOff = Math.floor(bitOff / 8 / byteSz) * byteSz;
    }
  } else {
    byteSz = sizeOf(spec.btf, field.id);
    byteOff = Math.floor(bitOff / 8);
    bitSz = byteSz * 8;
  }
  const validate = !bitfield;
  switch (kind) {
    case CoreReloKind.FIELD_BYTE_OFFSET:
      return bitfield ? { ...none, val: BigInt(byteOff), validate } : { val: BigInt(byteOff), size: byteSz, typeId: field.id, validate };
    case CoreReloKind.FIELD_BYTE_SIZE:
      return { ...none, val: BigInt(byteSz), validate };
    case CoreReloKind.FIELD_SIGNED: {
      const t = field.type;
      const signed = ((t.kind === 'ENUM' || t.kind === 'ENUM64') && t.signed) || (t.kind === 'INT' && (t.encoding & BtfIntEncoding.SIGNED) !== 0);
      return { ...none, val: signed ? 1n : 0n, validate: true };
    }
    case CoreReloKind.FIELD_LSHIFT_U64:
      // The simulated kernel is little-endian, as libbpf computes it on a little-endian host.
      return { ...none, val: BigInt(64 - (bitOff + bitSz - byteOff * 8)), validate };
    case CoreReloKind.FIELD_RSHIFT_U64:
      return { ...none, val: BigInt(64 - bitSz), validate: true };
    default:
      throw new CoreFailure('EOPNOTSUPP', `unrecognized field relocation kind ${kind}`);
  }
}

/** libbpf's bpf_core_calc_type_relo for a matched spec: the target id, 1 for existence, the size. */
function typeValue(kind: number, spec: CoreSpec): bigint {
  switch (kind) {
    case CoreReloKind.TYPE_ID_TARGET:
      return BigInt(spec.rootTypeId);
    case CoreReloKind.TYPE_EXISTS:
    case CoreReloKind.TYPE_MATCHES:
      return 1n;
    case CoreReloKind.TYPE_SIZE:
      return BigInt(sizeOf(spec.btf, spec.rootTypeId));
    default:
      throw new CoreFailure('EOPNOTSUPP', `unrecognized type relocation kind ${kind}`);
  }
}

/**
 * libbpf's bpf_core_calc_enumval_relo for a matched spec: 1 for existence, else the value as
 * a u64 — a 32-bit enumerator sign-extended, as libbpf widens `btf_enum.val`.
 */
function enumValue(kind: number, spec: CoreSpec): bigint {
  if (kind === CoreReloKind.ENUMVAL_EXISTS) return 1n;
  if (kind !== CoreReloKind.ENUMVAL_VALUE) throw new CoreFailure('EOPNOTSUPP', `unrecognized relocation kind ${kind}`);
  const acc = spec.spec[0]!;
  const e = typeAt(spec.btf, acc.typeId);
  if (e.kind === 'ENUM') return BigInt.asUintN(64, BigInt(e.values[acc.idx]!.value | 0));
  if (e.kind === 'ENUM64') return BigInt.asUintN(64, e.values[acc.idx]!.value);
  throw new CoreFailure('EINVAL', `[${acc.typeId}] is not an enum`);
}
