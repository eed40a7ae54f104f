/**
 * Kernel symbols (`__ksym` externs) against the kernel's BTF, as libbpf's
 * bpf_object__resolve_ksyms_btf_id does it: a kfunc (`extern int bpf_f(...) __ksym;`) resolves
 * to the id of the kernel FUNC of that name, whose prototype must be compatible (same number of
 * arguments, each an integer, pointer or enum where the kernel's is); a typed variable
 * (`extern const struct rq runqueues __ksym;`) to the id of the kernel VAR of that name, whose
 * type must be compatible. The loader then writes the id into the program: `call` src_reg 2
 * (BPF_PSEUDO_KFUNC_CALL) imm = id off = 0, `lddw` src_reg 3 (BPF_PSEUDO_BTF_ID) imm = id.
 * Typeless ksyms (`extern const void x __ksym;`) need /proc/kallsyms, which bpfhive's kernel
 * does not publish: they stay unresolved.
 */
import { type Btf, BpfError, type BtfType, findBtfType, skipModsAndTypedefs } from '@bpfhive/uapi';
import type { ExternSpec, ObjectSpec } from '../object/index.js';
import { LoadError } from './errors.js';

/** What decides compatibility, as libbpf's bpf_core_types_are_compat looks at it (names of structs, kinds of scalars). */
function shape(btf: Btf, id: number): string {
  if (id === 0) return 'void';
  const t: BtfType = skipModsAndTypedefs(btf, id).type;
  switch (t.kind) {
    case 'INT':
    case 'ENUM':
    case 'ENUM64':
      return 'scalar';
    case 'PTR':
      return 'ptr';
    case 'STRUCT':
    case 'UNION':
      return `${t.kind.toLowerCase()} ${t.name}`;
    default:
      return t.kind.toLowerCase();
  }
}

function funcProtoOf(btf: Btf, funcId: number): { ret: number; params: readonly number[] } | undefined {
  const f = btf.types[funcId];
  const proto = f?.kind === 'FUNC' ? btf.types[f.type] : undefined;
  return proto?.kind === 'FUNC_PROTO' ? { ret: proto.returnType, params: proto.params.map((p) => p.type) } : undefined;
}

/**
 * The kernel BTF id `ext` resolves to, or undefined when the kernel has no such symbol (or it is
 * typeless). Throws BpfError (EINVAL) when the kernel has it with an incompatible type.
 */
export function resolveKsym(ext: ExternSpec, objectBtf: Btf | undefined, kernel: Btf): number | undefined {
  const ksym = ext.ksym;
  if (!ksym || (!ksym.func && ksym.typeId === 0)) return undefined;
  if (ksym.func) {
    const id = findBtfType(kernel, ext.name, 'FUNC');
    if (id === undefined) return undefined;
    const theirs = funcProtoOf(kernel, id)!;
    const ours = objectBtf ? funcProtoOf(objectBtf, ext.btfId) : undefined;
    if (ours) {
      const same = ours.params.length === theirs.params.length && shape(objectBtf!, ours.ret) === shape(kernel, theirs.ret) &&
        ours.params.every((p, i) => shape(objectBtf!, p) === shape(kernel, theirs.params[i]!));
      if (!same) throw new BpfError('EINVAL', `extern (func ksym) '${ext.name}': func_proto [${ext.btfId}] incompatible with vmlinux [${id}]`);
    }
    return id;
  }
  const id = findBtfType(kernel, ext.name, 'VAR');
  if (id === undefined) return undefined;
  const kernelVar = kernel.types[id]!;
  if (objectBtf && kernelVar.kind === 'VAR') {
    const ours = shape(objectBtf, ksym.typeId);
    const theirs = shape(kernel, kernelVar.type);
    if (ours !== theirs) {
      throw new BpfError('EINVAL', `extern (var ksym) '${ext.name}': incompatible types, expected [${ksym.typeId}] ${ours}, but kernel has [${kernelVar.type}] ${theirs}`);
    }
  }
  return id;
}

/** True for a ksym libbpf resolves against the kernel's BTF: a kfunc, or a variable with a type. */
export function isTypedKsym(ext: ExternSpec): boolean {
  return ext.ksym !== undefined && (ext.ksym.func || ext.ksym.typeId !== 0);
}

/** libbpf's word for a ksym's kind in its messages: `func ksym`, `var ksym`, `ksym` (typeless). */
function ksymKind(ext: ExternSpec): string {
  if (ext.ksym?.func) return 'func ksym';
  return ext.ksym && ext.ksym.typeId !== 0 ? 'var ksym' : 'ksym';
}

/**
 * A typed ksym with no kernel BTF to resolve it against (ESRCH). libbpf loads vmlinux BTF for any
 * object with one (obj_needs_vmlinux_btf), weak or strong, and fails the whole load when there is
 * none ("failed to find valid kernel BTF").
 */
export class NoKernelBtfError extends BpfError {
  constructor(readonly ext: ExternSpec) {
    super('ESRCH', `extern (${ksymKind(ext)}) '${ext.name}': resolving it needs the kernel's BTF, and there is none (libbpf fails such a load: failed to find valid kernel BTF)`);
  }
}

/** The words libbpf uses for a strong ksym the kernel's BTF (or kallsyms) lacks. */
export function missingKsymMessage(ext: ExternSpec): string {
  if (ext.ksym?.func) return `extern (func ksym) '${ext.name}': not found in kernel or module BTFs`;
  if (ext.ksym && ext.ksym.typeId !== 0) return `extern (var ksym) '${ext.name}': not found in kernel BTF`;
  return `extern (ksym) '${ext.name}': failed to find kernel symbol address (bpfhive's kernel publishes no kallsyms)`;
}

/**
 * What a `__ksym` extern resolves to when loading against `kernel` (undefined: no kernel BTF):
 * its kernel BTF id, or undefined for a weak one nothing resolves. Throws BpfError: ESRCH for a
 * typed one (weak or strong) when there is no kernel BTF, as libbpf fails the load
 * (NoKernelBtfError); EINVAL for an incompatible type (resolveKsym); ESRCH for a strong one the
 * kernel lacks.
 */
export function resolveKsymExtern(ext: ExternSpec, objectBtf: Btf | undefined, kernel: Btf | undefined): number | undefined {
  if (!kernel && isTypedKsym(ext)) throw new NoKernelBtfError(ext);
  const id = kernel ? resolveKsym(ext, objectBtf, kernel) : undefined;
  if (id === undefined && !ext.weak) throw new BpfError('ESRCH', missingKsymMessage(ext));
  return id;
}

/**
 * The resolved `__ksym` externs of `spec` (name → kernel BTF id), as resolveExterns resolves
 * them, without the Kconfig ones: for verifying the object's programs without loading it.
 * Throws LoadError naming the first extern that fails (resolveKsymExtern).
 */
export function resolveObjectKsyms(spec: ObjectSpec, kernel: Btf | undefined): Map<string, number> {
  const ksyms = new Map<string, number>();
  for (const ext of spec.externs) {
    if (ext.kind !== 'ksym') continue;
    try {
      const id = resolveKsymExtern(ext, spec.btf, kernel);
      if (id !== undefined) ksyms.set(ext.name, id);
    } catch (e) {
      throw new LoadError({ kind: 'extern', name: ext.name }, e);
    }
  }
  return ksyms;
}
