import {
  BpfError,
  type CallerIdentity,
  type Instruction,
  ProgType,
  InsnDecodeError,
  attachTypeName,
  checkInstruction,
  decode,
  describeOpcode,
  logBufferSize,
  parseAttachType,
  parseProgType,
  progTypeName,
  slotIndex,
} from '@bpfhive/uapi';
import type { InfoRecords } from '../btf/func-line-info.js';
import { attachTypeAllowed, effectiveAttachType } from './attach-type.js';

/**
 * BPF_PROG_LOAD's attributes, with union bpf_attr's names. Enum fields take the uapi number or
 * the name bpftool prints; `insns` is the raw byte form or already-decoded instructions.
 */
export interface ProgLoadAttr {
  readonly prog_type: number | string;
  readonly insns: Uint8Array | readonly Instruction[];
  readonly license: string;
  readonly prog_name?: string;
  readonly log_level?: number;
  /** The log buffer's bytes with its NUL (uapi logBufferSize: default, range and wire maximum). */
  readonly log_size?: number;
  readonly expected_attach_type?: number | string;
  readonly prog_flags?: number;
  /** prog_btf_fd (here a BTF id), func_info, line_info, attach_btf_id, attach_btf_obj_id (core/btf/prog-btf.ts). */
  readonly prog_btf_id?: number;
  readonly func_info?: InfoRecords;
  readonly line_info?: InfoRecords;
  readonly attach_btf_id?: number;
  readonly attach_btf_obj_id?: number;
  /** The loading user (bpf_prog_info.created_by_uid); 0 when the caller does not say. */
  readonly uid?: number;
  /**
   * Who asks, as the NATS server named them (wire/identity.ts): the capability checks of
   * bpf_prog_load apply (privileges.ts). Absent: a caller with every capability (an embedder).
   */
  readonly caller?: CallerIdentity;
}

/** The attributes once checked: numbers resolved, instructions decoded. */
export interface CheckedLoadAttr {
  readonly progType: number;
  readonly expectedAttachType: number;
  readonly insns: readonly Instruction[];
  readonly license: string;
  readonly name: string;
  readonly logLevel: number;
  /** The log buffer size; undefined at log_level 0. */
  readonly logSize?: number;
  readonly flags: number;
  readonly uid: number;
}

/** BPF_COMPLEXITY_LIMIT_INSNS: the most instructions (8-byte slots) a privileged load may have. */
export const MAX_PROG_INSNS = 1_000_000;
/** BPF_OBJ_NAME_LEN. */
export const BPF_OBJ_NAME_LEN = 16;
/** The load flags Linux knows (BPF_F_STRICT_ALIGNMENT … BPF_F_TEST_REG_INVARIANTS); BPF_F_TOKEN_FD has no meaning here. */
export const KNOWN_PROG_FLAGS = 0xff;

const fail = (code: string, reason: string): BpfError => new BpfError(code, `load program: ${reason}`);

/**
 * Checks BPF_PROG_LOAD's attributes the way bpf_prog_load() does before the verifier runs:
 * EINVAL for an unknown prog_type or attach type, a bad flag, log level or name, instructions that
 * do not decode (the message names the instruction); E2BIG for no instructions or more than
 * 1,000,000; EINVAL for an expected_attach_type the program type does not take.
 */
export function checkLoadAttr(attr: ProgLoadAttr): CheckedLoadAttr {
  const progType = parseProgType(attr.prog_type);
  if (progType === undefined || progType === ProgType.UNSPEC) throw fail('EINVAL', `unknown prog_type ${JSON.stringify(attr.prog_type)}`);
  const flags = attr.prog_flags ?? 0;
  if (!Number.isInteger(flags) || flags < 0 || (flags & ~KNOWN_PROG_FLAGS) !== 0) throw fail('EINVAL', `prog_flags 0x${flags.toString(16)} has unknown bits`);
  const requested = attr.expected_attach_type === undefined ? 0 : parseAttachType(attr.expected_attach_type);
  if (requested === undefined) throw fail('EINVAL', `unknown expected_attach_type ${JSON.stringify(attr.expected_attach_type)}`);
  const expectedAttachType = effectiveAttachType(progType, requested);
  if (!attachTypeAllowed(progType, expectedAttachType)) {
    throw fail('EINVAL', `a ${progTypeName(progType)} program cannot have expected_attach_type ${attachTypeName(expectedAttachType) ?? expectedAttachType}`);
  }
  const insns = decodeInsns(attr.insns);
  if (typeof attr.license !== 'string') throw fail('EINVAL', 'license must be a string, e.g. "GPL"');
  const logLevel = attr.log_level ?? 0;
  const logSize = logBufferSize(logLevel, attr.log_size, 'load program');
  return {
    progType,
    expectedAttachType,
    insns,
    license: attr.license.slice(0, 127),
    name: checkName(attr.prog_name ?? ''),
    logLevel,
    ...(logSize !== undefined && { logSize }),
    flags,
    uid: attr.uid ?? 0,
  };
}

function decodeInsns(insns: Uint8Array | readonly Instruction[]): readonly Instruction[] {
  const slots = insns instanceof Uint8Array ? Math.ceil(insns.length / 8) : slotIndex(insns).at(-1)!;
  if (slots === 0) throw fail('E2BIG', 'the program has no instructions');
  if (slots > MAX_PROG_INSNS) throw fail('E2BIG', `${slots} instructions is more than ${MAX_PROG_INSNS}`);
  try {
    if (!(insns instanceof Uint8Array)) return checkDecoded(insns);
    return decode(insns);
  } catch (e) {
    if (e instanceof BpfError) throw new BpfError(e.code, `load program: ${e.message}`, { cause: e });
    throw e;
  }
}

/** Decoded instructions get the checks decode() makes on bytes. */
function checkDecoded(insns: readonly Instruction[]): readonly Instruction[] {
  insns.forEach((i, index) => {
    const reason = checkInstruction(i);
    if (reason !== undefined) throw new InsnDecodeError(index, slotIndex(insns)[index]!, `${describeOpcode(i.opcode)}: ${reason}`);
  });
  return insns;
}

/** bpf_obj_name_cpy: fewer than 16 characters, each a letter, a digit, '_' or '.'. */
function checkName(name: string): string {
  if (name.length >= BPF_OBJ_NAME_LEN || !/^[A-Za-z0-9_.]*$/.test(name)) {
    throw fail('EINVAL', `prog_name ${JSON.stringify(name)}: at most 15 letters, digits, '_' and '.'`);
  }
  return name;
}
