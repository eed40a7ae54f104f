import { BpfError, type CallerIdentity } from '@bpfhive/uapi';
import type { MapDirectory } from './directory.js';
import type { PinKind, PinTarget } from './pin-namespace.js';
import type { PinnedMapSaver } from './pinned-saver.js';

/**
 * What the pin commands need of the kernel that holds programs and links (the internal pin
 * subjects of packages/uapi/src/wire/schemas/pin.ts). `C` is the client's request, passed
 * through so the kernel applies its own privilege checks to the client; undefined when the
 * maps-store asks for itself.
 */
export interface KernelPinPort<C> {
  /** Takes a pin reference on the object; resolves to the kernel's boot id. Rejects with the kernel's errno (ENOENT, EPERM). */
  hold(kind: 'prog' | 'link', id: number, path: string, caller: C): Promise<string>;
  /** True while that boot of the kernel still holds the pin (the caller may now use the object); false when the kernel, the boot or the pin is gone. */
  check(kind: 'prog' | 'link', id: number, path: string, bootId: string, caller: C | undefined): Promise<boolean>;
  /** Drops the pin reference; resolves too when it is gone already. */
  release(kind: 'prog' | 'link', id: number, path: string, bootId: string): Promise<void>;
}

/** What a pin names, as obj_pin takes it. */
export interface PinRef {
  readonly kind: PinKind;
  readonly id: number;
}

const NAMES: Readonly<Record<PinKind, string>> = { map: 'map', prog: 'program', link: 'link' };

/**
 * BPF_OBJ_PIN, BPF_OBJ_GET and unlink of a pin over the one namespace of the directory
 * (pin-namespace.ts). A map pin is the maps-store's own; a program or link pin is also a
 * reference the kernel holds, so the object outlives its creator's handle: the path is reserved,
 * the kernel takes its reference, and only then the pin appears (and is stored, before the
 * reply, when a saver keeps pins durable). Dropping the last reference (unpin) frees the object
 * in the kernel unless something else holds it.
 *
 * A program or link pin whose kernel boot is gone (the kernel-sim restarted or stopped) names
 * nothing: obj_get reports ENOENT and removes it, and a new pin may take its path.
 */
export class PinCommands<C> {
  constructor(
    private readonly directory: MapDirectory,
    private readonly kernel: KernelPinPort<C>,
    private readonly saver?: PinnedMapSaver,
  ) {}

  /** BPF_OBJ_PIN by `caller`; `who` (when known) becomes the pin's maker (directory.pinOwners), stored with it. */
  async pin(path: string, ref: PinRef, caller: C, who?: CallerIdentity): Promise<void> {
    const { kind, id } = ref;
    const owners = this.directory.pinOwners;
    if (kind === 'map') {
      this.directory.pin(path, id);
      if (who) owners.record(path, who);
      await this.saver?.persist(id);
      return;
    }
    await this.#dropIfDead(path);
    const pins = this.directory.pins;
    pins.reserve(path);
    let bootId: string;
    try {
      bootId = await this.kernel.hold(kind, id, path, caller);
    } catch (e) {
      pins.cancel(path);
      throw e;
    }
    // The same id in an earlier boot was another object, gone with that boot.
    for (const stale of pins.list().filter((p) => p.target.kind === kind && p.target.id === id && p.target.bootId !== bootId)) {
      pins.remove(stale.path);
      owners.forget(stale.path);
    }
    pins.commit(path, { kind, id, bootId });
    if (who) owners.record(path, who);
    try {
      await this.saver?.persistObject(kind, id);
    } catch (e) {
      pins.remove(path);
      owners.forget(path);
      await this.kernel.release(kind, id, path, bootId).catch(() => undefined);
      throw e;
    }
  }

  /** What `path` names, once the kernel confirmed a program or link is still there (and lets the caller use it). */
  async get(path: string, caller: C): Promise<PinTarget> {
    const target = this.directory.pins.get(path);
    if (target.kind === 'map') return target;
    if (await this.kernel.check(target.kind, target.id, path, target.bootId, caller)) return target;
    await this.#forget(path, target);
    throw new BpfError('ENOENT', `obj_get: ${path}: ${NAMES[target.kind]} ${target.id} is gone with the kernel that held it`);
  }

  /** unlink(2) of a pin: what it named. A program's or link's kernel drops its reference (a dead kernel's is gone already). */
  async unpin(path: string): Promise<PinTarget> {
    const target = this.directory.pins.get(path);
    if (target.kind === 'map') {
      this.directory.unpin(path);
      await this.saver?.persist(target.id);
      return target;
    }
    await this.kernel.release(target.kind, target.id, path, target.bootId);
    await this.#forget(path, target);
    return target;
  }

  /** Removes the pin at `path` if it names a program or link its kernel no longer holds. */
  async #dropIfDead(path: string): Promise<void> {
    const target = this.directory.pins.find(path);
    if (!target || target.kind === 'map') return;
    if (!(await this.kernel.check(target.kind, target.id, path, target.bootId, undefined))) await this.#forget(path, target);
  }

  async #forget(path: string, target: Extract<PinTarget, { kind: 'prog' | 'link' }>): Promise<void> {
    if (this.directory.pins.find(path) === target) {
      this.directory.pins.remove(path);
      this.directory.pinOwners.forget(path);
    }
    await this.saver?.persistObject(target.kind, target.id);
  }
}
