/**
 * The `bpf.v1.internal.verify` exchange in terms of the core: a wire request (base64
 * instructions, maps by id, capability names) becomes a VerifierProgram, the VerifyResult becomes
 * the wire reply. A request that is not well-formed (bytes that are not whole slots, an unknown
 * map type, a log_level or log_size bpf_vlog_init refuses) throws a BpfError (EINVAL); a program
 * the verifier rejects is a normal reply. The log is bounded by log_size, with uapi's default
 * and maximum for the wire (wire/log-size.ts), so a reply always fits a NATS payload.
 */
import {
  BpfError, type BtfType, type Capability, type Instruction, LD_IMM64, type VerifyReply, type VerifyRequest, errnoNumber, fromBase64, insn,
  logBufferSize, parseMapType,
} from '@bpfhive/uapi';
import type { AttachFunc } from './btf-ctx.js';
import type { KernelBtfInfo } from './kernel-btf.js';
import type { MapSpec } from './map-info.js';
import type { VerifyResult } from './types.js';
import { rejectUnreadable, verify } from './verify.js';

const ALL_CAPS: readonly Capability[] = ['CAP_BPF', 'CAP_PERFMON', 'CAP_NET_ADMIN', 'CAP_SYS_ADMIN'];

/** Reads 8-byte slots without judging them (the verifier does, with the kernel's messages). */
function readSlots(bytes: Uint8Array): Instruction[] | { slot: number; message: string } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const slot = (i: number): Instruction => {
    const regs = view.getUint8(i * 8 + 1);
    return insn(view.getUint8(i * 8), regs & 0xf, regs >> 4, view.getInt16(i * 8 + 2, true), view.getInt32(i * 8 + 4, true));
  };
  const n = bytes.length / 8;
  const out: Instruction[] = [];
  for (let i = 0; i < n; i++) {
    const first = slot(i);
    if (first.opcode !== LD_IMM64) {
      out.push(first);
      continue;
    }
    if (i + 1 >= n) return { slot: i, message: 'invalid bpf_ld_imm64 insn' };
    const second = slot(i + 1);
    if (second.opcode !== 0 || second.dst !== 0 || second.src !== 0 || second.off !== 0) return { slot: i, message: 'invalid bpf_ld_imm64 insn' };
    out.push({ ...first, imm2: second.imm });
    i++;
  }
  return out;
}

type WireMap = VerifyRequest['maps'][number];

function mapSpecOf(m: Omit<WireMap, 'map_id' | 'inner_map'> & { inner_map?: WireMap['inner_map'] }): MapSpec {
  const type = parseMapType(m.map_type);
  if (type === undefined) throw new BpfError('EINVAL', `verify: unknown map type ${String(m.map_type)}`);
  return {
    map_type: type,
    key_size: m.key_size,
    value_size: m.value_size,
    max_entries: m.max_entries,
    map_flags: m.map_flags,
    ...(m.inner_map ? { inner: mapSpecOf(m.inner_map) } : {}),
    ...(m.spin_lock_off !== undefined ? { spin_lock_off: m.spin_lock_off } : {}),
    ...(m.timer_off !== undefined ? { timer_off: m.timer_off } : {}),
    ...(m.btf !== undefined ? { btf: m.btf } : {}),
    ...(m.name !== undefined ? { name: m.name } : {}),
    ...(m.frozen !== undefined ? { frozen: m.frozen } : {}),
    ...('kptrs' in m && m.kptrs ? { kptrs: m.kptrs.map((k) => ({ off: k.off, kind: k.kind, btfId: k.btf_id })) } : {}),
  };
}

/** The request's attach prototype (btf-ctx.ts) in the core's terms. */
export function attachFuncOf(f: NonNullable<VerifyRequest['attach_func']>): AttachFunc {
  return {
    name: f.name, nrArgs: f.nr_args, retSize: f.ret_size,
    ...(f.args ? { args: f.args } : {}), ...(f.ret_type !== undefined ? { retType: f.ret_type } : {}),
    ...(f.arg_names ? { argNames: f.arg_names } : {}),
  };
}

/** A kernel BTF type of the request as uapi's model has it (only what walking a struct reads). */
function kernelTypeOf(t: NonNullable<NonNullable<VerifyRequest['kernel_btf']>['types']>[number]): BtfType {
  const name = t.name ?? '';
  const size = t.size ?? 0;
  switch (t.kind) {
    case 'INT':
      return { kind: 'INT', name, size, encoding: 0, bitsOffset: 0, bits: size * 8 };
    case 'ENUM':
    case 'ENUM64':
      return t.kind === 'ENUM' ? { kind: 'ENUM', name, size, signed: false, values: [] } : { kind: 'ENUM64', name, size, signed: false, values: [] };
    case 'FLOAT':
      return { kind: 'FLOAT', name, size };
    case 'STRUCT':
    case 'UNION':
      return {
        kind: t.kind, name, size, kflag: (t.members ?? []).some((m) => m.bitfield_size),
        members: (t.members ?? []).map((m) => ({ name: m.name, type: m.type, bitOffset: m.bit_offset, bitfieldSize: m.bitfield_size ?? 0 })),
      };
    case 'PTR':
    case 'TYPEDEF':
    case 'VOLATILE':
    case 'CONST':
    case 'RESTRICT':
    case 'TYPE_TAG':
      return { kind: t.kind, name, type: t.type ?? 0 };
    case 'ARRAY':
      return { kind: 'ARRAY', name, type: t.type ?? 0, indexType: 0, nelems: t.nelems ?? 0 };
    case 'FWD':
      return { kind: 'FWD', name, union: false };
    default:
      return { kind: 'FUNC_PROTO', name, returnType: 0, params: [] };
  }
}

/** The request's kernel BTF (kernel-btf.ts) in the core's terms. */
export function kernelBtfOf(k: NonNullable<VerifyRequest['kernel_btf']>): KernelBtfInfo {
  return {
    funcs: (k.funcs ?? []).map((f) => ({ btfId: f.btf_id, name: f.name })),
    structs: (k.structs ?? []).map((s) => ({ btfId: s.btf_id, name: s.name, size: s.size })),
    vars: (k.vars ?? []).map((v) => ({
      btfId: v.btf_id, name: v.name, size: v.size, percpu: v.percpu, ...(v.struct_id !== undefined ? { structId: v.struct_id } : {}),
    })),
    ...(k.types ? { types: new Map(k.types.map((t) => [t.id, kernelTypeOf(t)])) } : {}),
  };
}

/** Verifies a wire request; throws BpfError (EINVAL) only for a malformed request. */
export function verifyRequest(req: VerifyRequest): VerifyReply {
  const bytes = fromBase64(req.insns, 'insns');
  if (bytes.length % 8 !== 0) throw new BpfError('EINVAL', `verify: insns: ${bytes.length} bytes is not a whole number of 8-byte slots`);
  const maps = new Map<number, MapSpec>();
  for (const m of req.maps) {
    if (maps.has(m.map_id)) throw new BpfError('EINVAL', `verify: map ${m.map_id} is listed twice`);
    maps.set(m.map_id, mapSpecOf(m));
  }
  const slots = readSlots(bytes);
  const logLevel = req.log_level ?? 0;
  const logSize = logBufferSize(logLevel, req.log_size, 'verify');
  if (!Array.isArray(slots)) return toWire(rejectUnreadable(logLevel, 'EINVAL', slots.message, slots.slot, logSize));
  const result = verify({
    insns: slots,
    progType: req.prog_type,
    ...(req.expected_attach_type !== undefined ? { expectedAttachType: req.expected_attach_type } : {}),
    license: req.license,
    logLevel,
    ...(logSize !== undefined ? { logSize } : {}),
    ...(req.prog_flags !== undefined ? { progFlags: req.prog_flags } : {}),
    privileges: (req.privileges ?? ALL_CAPS) as Capability[],
    maps,
    ...(req.func_info ? { funcInfo: req.func_info } : {}),
    ...(req.kernel_btf ? { kernelBtf: kernelBtfOf(req.kernel_btf) } : {}),
    ...(req.attach_func ? { attachFunc: attachFuncOf(req.attach_func) } : {}),
    ...(req.line_info
      ? {
          lineInfo: req.line_info.map((l) => ({
            insn_off: l.insn_off,
            ...(l.file_name !== undefined ? { file: l.file_name } : {}),
            ...(l.line !== undefined ? { line: l.line } : {}),
            ...(l.line_num !== undefined ? { line_num: l.line_num } : {}),
            ...(l.line_col !== undefined ? { line_col: l.line_col } : {}),
          })),
        }
      : {}),
  });
  return toWire(result);
}

/** The wire form of a result (snake_case facts, errno as number and name). */
export function toWire(r: VerifyResult): VerifyReply {
  const f = r.facts;
  return {
    verdict: r.verdict,
    ...(r.errno ? { errno: errnoNumber(r.errno) ?? 22, code: r.errno } : {}),
    ...(r.error ? { error: { insn: r.error.insn, message: r.error.message, ...(r.error.line ? { line: r.error.line } : {}) } } : {}),
    log: r.log,
    ...(r.logTrueSize !== undefined ? { log_true_size: r.logTrueSize } : {}),
    stats: { ...r.stats },
    facts: {
      stack_depth: [...f.stackDepth],
      subprog_starts: [...f.subprogStarts],
      helpers_used: [...f.helpersUsed],
      map_ids_used: [...f.mapIdsUsed],
      uses_tail_call: f.usesTailCall,
      ...(f.maxPacketOffset !== undefined ? { max_packet_offset: f.maxPacketOffset } : {}),
      ...(f.constArrayLookups ? { const_array_lookups: [...f.constArrayLookups] } : {}),
      ...(f.probeMemLoads ? { probe_mem_loads: [...f.probeMemLoads] } : {}),
      ...(f.deadInsns ? { dead_insns: [...f.deadInsns] } : {}),
    },
  };
}
