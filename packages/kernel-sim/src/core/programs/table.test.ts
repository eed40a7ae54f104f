import { describe, expect, it } from 'vitest';
import type { LoadedProgram } from './program.js';
import { ProgramTable } from './table.js';

/** A table whose frees are recorded; programs are bare ids (the table reads nothing else). */
function setup() {
  const freed: number[] = [];
  const table = new ProgramTable((p) => freed.push(p.id));
  const add = (): number => {
    const id = table.reserveId();
    table.add({ id } as LoadedProgram);
    return id;
  };
  return { table, freed, add };
}

const codeOf = (run: () => unknown): string | undefined => {
  try {
    run();
    return undefined;
  } catch (e) {
    return (e as { code?: string }).code;
  }
};

describe('program table - handles and pins', () => {
  it('program table - a pin keeps a program whose handle closed; the last unpin frees it', () => {
    const { table, freed, add } = setup();
    const id = add();
    table.pin(id, '/sys/fs/bpf/a');
    table.pin(id, '/sys/fs/bpf/b');
    table.closeHandle(id);
    table.unpin(id, '/sys/fs/bpf/a');
    expect(freed).toEqual([]);
    expect(table.pinsOf(id)).toEqual(['/sys/fs/bpf/b']);
    table.unpin(id, '/sys/fs/bpf/b');
    expect(freed).toEqual([id]);
    expect(codeOf(() => table.get(id))).toBe('ENOENT');
    expect(table.pinsOf(id)).toEqual([]);
  });

  it('program table - closing the handle twice is EBADF, not a pin lost; a program never pinned is freed by its close', () => {
    const { table, freed, add } = setup();
    const pinned = add();
    table.pin(pinned, '/sys/fs/bpf/p');
    table.closeHandle(pinned);
    expect(codeOf(() => table.closeHandle(pinned))).toBe('EBADF');
    expect(table.get(pinned).id).toBe(pinned);
    const plain = add();
    table.closeHandle(plain);
    expect(freed).toEqual([plain]);
    expect(codeOf(() => table.closeHandle(plain))).toBe('ENOENT');
  });

  it('program table - pinning a missing program is ENOENT, a path twice EEXIST, unpinning a path it is not pinned at ENOENT', () => {
    const { table, add } = setup();
    const id = add();
    expect(codeOf(() => table.pin(99, '/sys/fs/bpf/x'))).toBe('ENOENT');
    table.pin(id, '/sys/fs/bpf/x');
    expect(codeOf(() => table.pin(id, '/sys/fs/bpf/x'))).toBe('EEXIST');
    expect(codeOf(() => table.unpin(id, '/sys/fs/bpf/y'))).toBe('ENOENT');
  });
});
