import { BpfError } from '@bpfhive/uapi';
import { PinRefs } from './pin-refs.js';
import type { LoadedProgram } from './program.js';

interface Entry {
  readonly program: LoadedProgram;
  refs: number;
}

/**
 * The program table: ids from 1, never reused, and a reference count per program. The loader's
 * reference is the client's handle (what the fd is in Linux), dropped once by `closeHandle`;
 * links, program arrays and pins (pin-refs.ts) take more. When the last reference goes, `onFree`
 * runs (the kernel drops the program's maps and instances) and the id stops resolving.
 */
export class ProgramTable {
  readonly #programs = new Map<number, Entry>();
  /** Programs whose loader's handle is still open. */
  readonly #handles = new Set<number>();
  readonly #pins = new PinRefs('program');
  #nextId = 1;

  constructor(private readonly onFree: (program: LoadedProgram) => void) {}

  /** The id the next program gets. */
  reserveId(): number {
    return this.#nextId++;
  }

  /** Adds a program with one reference. */
  add(program: LoadedProgram): void {
    this.#programs.set(program.id, { program, refs: 1 });
    this.#handles.add(program.id);
  }

  /**
   * Drops the loader's handle (close(2) of the fd): ENOENT for no such program, EBADF when the
   * handle is closed already (the program lives on through a pin or another holder).
   */
  closeHandle(id: number): void {
    this.#entry(id);
    if (!this.#handles.delete(id)) throw new BpfError('EBADF', `close: the handle of program ${id} is closed already; it lives on through its pins (${this.#pins.of(id).join(', ') || 'none'}) or links`);
    this.put(id);
  }

  /** A pin of the program at `path` takes a reference; ENOENT for no such program, EEXIST when pinned there already. */
  pin(id: number, path: string): void {
    const entry = this.#entry(id);
    this.#pins.add(id, path);
    entry.refs++;
  }

  /** Drops the reference of the pin at `path`; the last reference frees the program. ENOENT when it is not pinned there. */
  unpin(id: number, path: string): void {
    this.#entry(id);
    this.#pins.remove(id, path);
    this.put(id);
  }

  /** The paths program `id` is pinned at. */
  pinsOf(id: number): string[] {
    return this.#pins.of(id);
  }

  /** The program with this id; ENOENT when there is none. */
  get(id: number): LoadedProgram {
    return this.#entry(id).program;
  }

  /** The program with this id, or undefined. */
  find(id: number): LoadedProgram | undefined {
    return this.#programs.get(id)?.program;
  }

  #entry(id: number): Entry {
    const entry = this.#programs.get(id);
    if (!entry) throw new BpfError('ENOENT', `program ${id}: no such program`);
    return entry;
  }

  /** Takes another reference (bpf_prog_inc). */
  hold(id: number): LoadedProgram {
    const entry = this.#entry(id);
    entry.refs++;
    return entry.program;
  }

  /** Drops a reference (bpf_prog_put); the last one frees the program. ENOENT for an unknown id. */
  put(id: number): void {
    const entry = this.#entry(id);
    if (--entry.refs > 0) return;
    this.#programs.delete(id);
    this.#handles.delete(id);
    this.#pins.forget(id);
    this.onFree(entry.program);
  }

  /** BPF_PROG_GET_NEXT_ID: the smallest id above `start`; ENOENT when there is none. */
  nextId(start: number): number {
    let next: number | undefined;
    for (const id of this.#programs.keys()) if (id > start && (next === undefined || id < next)) next = id;
    if (next === undefined) throw new BpfError('ENOENT', `prog_get_next_id: no program id above ${start}`);
    return next;
  }

  get size(): number {
    return this.#programs.size;
  }
}
