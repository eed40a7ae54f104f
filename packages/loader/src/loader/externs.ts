/**
 * Extern resolution (libbpf's bpf_object__resolve_externs), done before anything is created:
 * Kconfig values into the `.kconfig` map's value, and kernel symbols (`__ksym`) against the
 * kernel's BTF (ksyms.ts): kfuncs and typed variables to kernel BTF ids. What stays unresolved
 * (typeless ksyms, which need kallsyms; symbols the kernel lacks) is 0 when weak (libbpf's
 * default: loads read 0, kfunc calls are poisoned), and fails the load with ESRCH when strong.
 * Without the kernel's BTF any typed ksym, weak or strong, fails the load (ESRCH), as libbpf
 * fails when it finds no vmlinux BTF for an object that needs it.
 */
import { BpfError } from '@bpfhive/uapi';
import type { ExternSpec, ObjectSpec } from '../object/index.js';
import { LoadError } from './errors.js';
import { DEFAULT_KERNEL_VERSION, writeKconfigValue } from './kconfig.js';
import { resolveKsymExtern } from './ksyms.js';
import type { LoadOptions } from './types.js';

export interface ResolvedExterns {
  /** The value of the `.kconfig` map, every resolved extern written in; undefined without one. */
  readonly kconfig: Uint8Array | undefined;
  /** Externs that stay unresolved (all weak): their loads read 0, their kfunc calls are poisoned. */
  readonly unresolved: ReadonlySet<string>;
  /** Resolved kernel symbols: extern name → the kernel BTF id of its FUNC or VAR. */
  readonly ksyms: ReadonlyMap<string, number>;
}

/** The values libbpf computes itself rather than reading from the kernel's config. */
function virtualValue(name: string, options: LoadOptions): string | undefined {
  switch (name) {
    case 'LINUX_KERNEL_VERSION':
      return String(options.kernelVersion ?? DEFAULT_KERNEL_VERSION);
    // bpfhive's kernel-sim takes BPF cookies and uses the syscall wrappers of x86-64.
    case 'LINUX_HAS_BPF_COOKIE':
    case 'LINUX_HAS_SYSCALL_WRAPPER':
      return 'y';
    default:
      return undefined;
  }
}

/**
 * Resolves every extern of `spec`; throws LoadError naming the extern: EINVAL or ERANGE for a
 * Kconfig value that does not suit it, EINVAL for an unknown LINUX_ virtual extern, ESRCH for a
 * strong extern nothing resolves.
 */
export function resolveExterns(spec: ObjectSpec, options: LoadOptions): ResolvedExterns {
  const kconfigMap = spec.maps.find((m) => m.origin === 'kconfig');
  const kconfig = kconfigMap?.contents ? new Uint8Array(kconfigMap.contents) : undefined;
  const unresolved = new Set<string>();
  const ksyms = new Map<string, number>();
  for (const ext of spec.externs) {
    try {
      if (ext.kind === 'ksym') {
        const id = resolveKsymExtern(ext, spec.btf, options.kernelBtf);
        if (id !== undefined) ksyms.set(ext.name, id);
        else unresolved.add(ext.name);
        continue;
      }
      const text = ext.kconfig ? kconfigText(ext, options) : undefined;
      if (text === undefined) {
        if (!ext.weak) throw new BpfError('ESRCH', `extern '${ext.name}' (strong): not resolved`);
        unresolved.add(ext.name);
      } else if (ext.kconfig && kconfig) {
        writeKconfigValue({ ...ext, kconfig: ext.kconfig }, text, kconfig);
      }
    } catch (e) {
      throw new LoadError({ kind: 'extern', name: ext.name }, e);
    }
  }
  return { kconfig, unresolved, ksyms };
}

function kconfigText(ext: ExternSpec, options: LoadOptions): string | undefined {
  if (ext.name.startsWith('LINUX_')) {
    const value = virtualValue(ext.name, options);
    if (value === undefined) throw new BpfError('EINVAL', `extern (kcfg) '${ext.name}': unrecognized virtual extern`);
    return value;
  }
  return options.kconfig?.[ext.name];
}
