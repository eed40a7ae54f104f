import { BpfError } from '@bpfhive/uapi';

/** The kinds of object a path may name. */
export type PinKind = 'map' | 'prog' | 'link';

/**
 * What a pin names. Maps live here; programs and links live in the kernel-sim, whose pin
 * reference belongs to one boot of it (`bootId`): a kernel that restarted lost them.
 */
export type PinTarget = { readonly kind: 'map'; readonly id: number } | { readonly kind: 'prog' | 'link'; readonly id: number; readonly bootId: string };

/** A pin as it is listed: its path and what it names. */
export interface Pin {
  readonly path: string;
  readonly target: PinTarget;
}

/** A path taken while the kernel is asked for its reference: not visible, but not free either. */
const PENDING = Symbol('pending');

/**
 * The bpffs-like namespace of pins: absolute paths under /sys/fs/bpf, each naming exactly one
 * map, program or link. A taken path is EEXIST (also while a pin of it is in flight), a missing
 * one ENOENT, a malformed one EINVAL. Directories are implicit, as `mkdir -p` under bpffs: a path
 * and a path below it may both be pins. Pure bookkeeping: who holds what is the callers' business.
 */
export class PinNamespace {
  readonly #entries = new Map<string, PinTarget | typeof PENDING>();

  /** Pins `target` at `path` at once. */
  add(path: string, target: PinTarget): void {
    this.reserve(path);
    this.#entries.set(path, target);
  }

  /** Takes `path` for a pin that completes later (`commit`) or not (`cancel`). EEXIST when taken. */
  reserve(path: string): void {
    checkPinPath(path);
    if (this.#entries.has(path)) throw new BpfError('EEXIST', `obj_pin: ${path} already exists`);
    this.#entries.set(path, PENDING);
  }

  commit(path: string, target: PinTarget): void {
    if (this.#entries.get(path) !== PENDING) throw new BpfError('EINVAL', `obj_pin: ${path} was not reserved`);
    this.#entries.set(path, target);
  }

  cancel(path: string): void {
    if (this.#entries.get(path) === PENDING) this.#entries.delete(path);
  }

  /** What `path` names; ENOENT when nothing (or a pin still in flight). */
  get(path: string): PinTarget {
    checkPinPath(path);
    const target = this.#entries.get(path);
    if (target === undefined || target === PENDING) throw new BpfError('ENOENT', `obj_get: ${path}: no such pin`);
    return target;
  }

  /** What `path` names, or undefined (also for a malformed path). */
  find(path: string): PinTarget | undefined {
    const target = this.#entries.get(path);
    return target === PENDING ? undefined : target;
  }

  /** Removes the pin at `path` (unlink); what it named. ENOENT when there is none. */
  remove(path: string): PinTarget {
    const target = this.get(path);
    this.#entries.delete(path);
    return target;
  }

  /** The paths naming object `id` of `kind`, in the order they were pinned. */
  pathsOf(kind: PinKind, id: number): string[] {
    return this.list().filter((p) => p.target.kind === kind && p.target.id === id).map((p) => p.path);
  }

  /** Every pin, in the order they were made. */
  list(): Pin[] {
    const out: Pin[] = [];
    for (const [path, target] of this.#entries) if (target !== PENDING) out.push({ path, target });
    return out;
  }
}

/** Pins live under /sys/fs/bpf, as on Linux; no empty, relative or dot components. EINVAL otherwise. */
export function checkPinPath(path: string): void {
  if (!/^\/sys\/fs\/bpf(\/[\w.-]+)+$/.test(path) || path.split('/').some((c) => c === '.' || c === '..')) {
    throw new BpfError('EINVAL', `pin path ${JSON.stringify(path)}: use an absolute path under /sys/fs/bpf, e.g. /sys/fs/bpf/my_map`);
  }
}
