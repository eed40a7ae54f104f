import { BpfError } from '@bpfhive/uapi';

/**
 * The pins of kernel objects of one kind (programs or links), by id: each pin is a reference the
 * kernel holds for a path of the pin namespace (bpf_obj_pin takes one, unlink drops it). The
 * namespace itself is the maps-store's; here is only which object is pinned where, so that its
 * creator's close does not free it and the last unpin does.
 */
export class PinRefs {
  readonly #paths = new Map<number, Set<string>>();

  constructor(private readonly kind: string) {}

  /** Records the pin of object `id` at `path`; EEXIST when it is pinned there already. */
  add(id: number, path: string): void {
    const paths = this.#paths.get(id) ?? new Set<string>();
    if (paths.has(path)) throw new BpfError('EEXIST', `obj_pin: ${this.kind} ${id} is pinned at ${path} already`);
    paths.add(path);
    this.#paths.set(id, paths);
  }

  /** Forgets the pin of object `id` at `path`; ENOENT when there is none. */
  remove(id: number, path: string): void {
    const paths = this.#paths.get(id);
    if (!paths?.delete(path)) throw new BpfError('ENOENT', `unpin: ${this.kind} ${id} is not pinned at ${path}`);
    if (paths.size === 0) this.#paths.delete(id);
  }

  /** The paths object `id` is pinned at. */
  of(id: number): string[] {
    return [...(this.#paths.get(id) ?? [])];
  }

  /** The object is gone: its pins with it. */
  forget(id: number): void {
    this.#paths.delete(id);
  }
}
