import { BpfError, type ParsedBtf } from '@bpfhive/uapi';
import { kernelBtf, kernelBtfBytes } from '../../kbtf/kernel-btf.js';
import { BtfCheckError, failureLog, fullLog } from './check-error.js';
import { checkBtf } from './check.js';
import { type BtfLoadAttr, checkBtfLoadAttr, finishLog } from './load-attr.js';

/** A BTF object the kernel holds: the kernel's own (id 1, "vmlinux") or one a client loaded. */
export interface BtfObject {
  readonly id: number;
  /** "vmlinux" for the kernel's BTF; empty for a loaded one, as Linux leaves it. */
  readonly name: string;
  readonly kernelBtf: boolean;
  /** The blob as loaded. */
  readonly bytes: Uint8Array;
  readonly btf: ParsedBtf;
}

/** struct bpf_btf_info, the blob included (bpftool btf dump id N reads it). */
export interface BtfInfo {
  readonly id: number;
  readonly name: string;
  readonly kernel_btf: boolean;
  readonly btf_size: number;
  readonly btf: Uint8Array;
}

export interface BtfLoadResult {
  readonly object: BtfObject;
  /** The verifier log, when btf_log_level asked for one. */
  readonly log?: string;
  /** btf_log_true_size, with the log. */
  readonly logTrueSize?: number;
}

/** The kernel's BTF, as /sys/kernel/btf/vmlinux gives it. */
export interface KernelBtfSource {
  readonly bytes: Uint8Array;
  readonly btf: ParsedBtf;
}

/** A refused blob: the errno and, as the wire error's `log`, the BTF verifier log. */
export class BtfRejectedError extends BpfError {
  constructor(
    code: string,
    message: string,
    readonly log: string,
  ) {
    super(code, message);
  }
}

/** The id of the kernel's own BTF. */
export const VMLINUX_BTF_ID = 1;

interface Entry {
  readonly object: BtfObject;
  /** The client's handle from btf_load (the fd in Linux), until btf.<id>.close. */
  open: boolean;
  /** Programs (and later maps) that hold the object. */
  holders: number;
}

/**
 * The BTF objects of one kernel: id 1 is the kernel's BTF, loaded ones take ids from 2, never
 * reused. A loaded object lives while its client handle is open or anything holds it (a program
 * through prog_btf_id); then its id stops resolving. The kernel's BTF is never freed.
 */
export class BtfTable {
  readonly #entries = new Map<number, Entry>();
  #nextId = VMLINUX_BTF_ID + 1;

  constructor(kernel: KernelBtfSource = { bytes: kernelBtfBytes(), btf: kernelBtf() }) {
    const object: BtfObject = { id: VMLINUX_BTF_ID, name: 'vmlinux', kernelBtf: true, bytes: kernel.bytes, btf: kernel.btf };
    this.#entries.set(VMLINUX_BTF_ID, { object, open: true, holders: 0 });
  }

  /** The kernel's BTF. */
  get vmlinux(): BtfObject {
    return this.#entries.get(VMLINUX_BTF_ID)!.object;
  }

  /**
   * BPF_BTF_LOAD: checks the blob as the kernel's BTF verifier does and gives it the next id.
   * BtfRejectedError (EINVAL, ENOTSUPP, E2BIG, EEXIST for a loop; ENOSPC when the log asked for
   * does not fit btf_log_size) carries the log; nothing is created then.
   */
  load(attr: BtfLoadAttr): BtfLoadResult {
    const logAttr = checkBtfLoadAttr(attr);
    let checked;
    try {
      checked = checkBtf(attr.btf);
    } catch (e) {
      if (!(e instanceof BtfCheckError)) throw e;
      if (logAttr.level === 0) throw new BtfRejectedError(e.code, e.message, failureLog(e));
      const out = finishLog(fullLog(e), logAttr);
      throw new BtfRejectedError(out.truncated ? 'ENOSPC' : e.code, e.message, out.log);
    }
    let log: { log: string; logTrueSize: number } | undefined;
    if (logAttr.level !== 0) {
      const out = finishLog(checked.log.map((l) => `${l}\n`).join(''), logAttr);
      if (out.truncated) throw new BtfRejectedError('ENOSPC', `load BTF: the log needs ${out.trueSize} bytes, btf_log_size is ${logAttr.size}`, out.log);
      log = { log: out.log, logTrueSize: out.trueSize };
    }
    const object: BtfObject = { id: this.#nextId++, name: '', kernelBtf: false, bytes: attr.btf.slice(), btf: checked.btf };
    this.#entries.set(object.id, { object, open: true, holders: 0 });
    return { object, ...log };
  }

  /** The object with this id; ENOENT when there is none. */
  get(id: number): BtfObject {
    return this.#entry(id).object;
  }

  /** The object with this id, or undefined. */
  find(id: number): BtfObject | undefined {
    return this.#entries.get(id)?.object;
  }

  /** BPF_OBJ_GET_INFO_BY_FD for a BTF object; ENOENT when there is none. */
  info(id: number): BtfInfo {
    const { object } = this.#entry(id);
    return { id: object.id, name: object.name, kernel_btf: object.kernelBtf, btf_size: object.bytes.length, btf: object.bytes };
  }

  /** Takes a reference for something that holds the object (btf_get); ENOENT when there is none. */
  hold(id: number): BtfObject {
    const entry = this.#entry(id);
    entry.holders++;
    return entry.object;
  }

  /** Drops a holder's reference (btf_put); the object goes when nothing holds it and its handle is closed. */
  put(id: number): void {
    const entry = this.#entry(id);
    if (entry.holders === 0) throw new BpfError('EINVAL', `btf ${id}: put without a hold`);
    entry.holders--;
    this.#freeIfUnused(entry);
  }

  /**
   * Closes the client's handle (close(fd)). EPERM for the kernel's BTF, which no client opened;
   * EBADF when the handle is already closed (a program may still hold the object); ENOENT when
   * there is no such object.
   */
  close(id: number): void {
    const entry = this.#entry(id);
    if (entry.object.kernelBtf) throw new BpfError('EPERM', `btf ${id}: the kernel's BTF cannot be closed`);
    if (!entry.open) throw new BpfError('EBADF', `btf ${id}: its handle is already closed (${entry.holders} program(s) still hold it)`);
    entry.open = false;
    this.#freeIfUnused(entry);
  }

  /** BPF_BTF_GET_NEXT_ID: the smallest id above `start`; ENOENT when there is none. */
  nextId(start: number): number {
    let next: number | undefined;
    for (const id of this.#entries.keys()) if (id > start && (next === undefined || id < next)) next = id;
    if (next === undefined) throw new BpfError('ENOENT', `btf_get_next_id: no BTF id above ${start}`);
    return next;
  }

  /** Objects alive, the kernel's included. */
  get size(): number {
    return this.#entries.size;
  }

  #entry(id: number): Entry {
    const entry = this.#entries.get(id);
    if (!entry) throw new BpfError('ENOENT', `btf ${id}: no such BTF object`);
    return entry;
  }

  #freeIfUnused(entry: Entry): void {
    if (!entry.object.kernelBtf && !entry.open && entry.holders === 0) this.#entries.delete(entry.object.id);
  }
}
