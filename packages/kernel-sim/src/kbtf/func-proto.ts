/**
 * Kernel function and raw tracepoint prototypes, from the kernel's BTF: what fentry/fexit
 * programs (`fentry/tcp_v4_connect`) and tp_btf programs (`tp_btf/sched_switch`) receive as their
 * u64 arguments, and of which types. Functions are the FUNCs of btf/vmlinux.c (the world's
 * kallsyms); tracepoints are resolved as the kernel resolves them, through the typedef
 * `btf_trace_<name>`, whose first argument (the probe's `void *__data`) programs do not see.
 */
import { type Btf, BtfError, btfSizeOf, btfTypeOfKind, findBtfType, skipModifiers, skipModsAndTypedefs } from '@bpfhive/uapi';
import { cTypeName } from './c-type.js';
import { kernelBtf } from './kernel-btf.js';

/** A type as a prototype uses it. */
export interface TypeRef {
  readonly id: number;
  /** In C: `struct sock *`, `int`, `void`. */
  readonly type: string;
  /** Bytes of a value; 0 for void. */
  readonly size: number;
}

export interface FuncParam extends TypeRef {
  /** Empty where BTF names none (tracepoint arguments). */
  readonly name: string;
}

export interface FuncProto {
  readonly name: string;
  /** The FUNC's id (for a tracepoint, the btf_trace_<name> typedef's). */
  readonly id: number;
  readonly ret: TypeRef;
  readonly params: readonly FuncParam[];
}

/** The prototype of kernel function `name` (`funcProto('tcp_v4_connect')`); BtfError if the kernel has no such FUNC. */
export function funcProto(name: string, btf: Btf = kernelBtf()): FuncProto {
  const id = findBtfType(btf, name, 'FUNC');
  if (id === undefined) throw new BtfError(`kernel BTF: no function '${name}'`);
  return protoOf(btf, name, id, btfTypeOfKind(btf, id, 'FUNC').type, 0);
}

/** The arguments raw tracepoint `name` passes (`tracepointProto('sched_switch')`); BtfError if unknown. */
export function tracepointProto(name: string, btf: Btf = kernelBtf()): FuncProto {
  const id = findBtfType(btf, `btf_trace_${name}`, 'TYPEDEF');
  if (id === undefined) throw new BtfError(`kernel BTF: no raw tracepoint '${name}' (no typedef btf_trace_${name})`);
  const ptr = skipModsAndTypedefs(btf, id).type;
  const proto = ptr.kind === 'PTR' ? skipModifiers(btf, ptr.type) : undefined;
  if (proto?.type.kind !== 'FUNC_PROTO') throw new BtfError(`kernel BTF: btf_trace_${name} is not a pointer to a function`);
  return protoOf(btf, name, id, proto.id, 1);
}

function protoOf(btf: Btf, name: string, id: number, protoId: number, skip: number): FuncProto {
  const proto = btfTypeOfKind(btf, protoId, 'FUNC_PROTO');
  return {
    name,
    id,
    ret: typeRef(btf, proto.returnType),
    params: proto.params.slice(skip).map((p) => ({ name: p.name, ...typeRef(btf, p.type) })),
  };
}

function typeRef(btf: Btf, id: number): TypeRef {
  return { id, type: cTypeName(btf, id), size: id === 0 ? 0 : btfSizeOf(btf, id) };
}
