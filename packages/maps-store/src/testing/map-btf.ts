import type { Btf, BtfType } from '@bpfhive/uapi';
import type { MapBtfPort } from '../core/map-btf.js';

/**
 * Test support: BTF for map values with special fields, hand-built as clang emits it, and a
 * MapBtfPort holding it as BTF object TEST_BTF_ID (with a kernel BTF that has task_struct).
 *   VALUE_ID   struct val { int x; struct bpf_spin_lock lock; struct bpf_timer t;
 *                          struct task_struct __kptr *task; int y; int z; }      (40 bytes: 0, 4, 8, 24, 32, 36)
 *   LOCKED_ID  struct locked { int n; struct bpf_spin_lock l; }                  (8 bytes: lock at 4)
 *   TIMED_ID   struct timed { int n; struct bpf_timer t; }                       (24 bytes: timer at 8)
 *   KPTR_ID    struct kp { int n; struct task_struct __kptr *task; }             (16 bytes: kptr at 8)
 *   PLAIN_ID   struct plain { int a, b, c, d; }                                  (16 bytes)
 *   INT_ID     int                                                               (4 bytes: keys)
 */
const member = (name: string, type: number, byte: number) => ({ name, type, bitOffset: byte * 8, bitfieldSize: 0 });
const struct = (name: string, size: number, members: ReturnType<typeof member>[]): BtfType => ({ kind: 'STRUCT', name, size, kflag: false, members });

export const INT_ID = 1;
export const VALUE_ID = 7;
export const LOCKED_ID = 8;
export const TIMED_ID = 9;
export const KPTR_ID = 10;
export const PLAIN_ID = 11;
export const TEST_BTF_ID = 5;

export const TEST_BTF: Btf = {
  types: [
    { kind: 'VOID', name: '' },
    { kind: 'INT', name: 'int', size: 4, encoding: 1, bitsOffset: 0, bits: 32 }, // 1
    struct('bpf_spin_lock', 4, [member('val', 1, 0)]), // 2
    struct('bpf_timer', 16, []), // 3
    struct('task_struct', 0, []), // 4
    { kind: 'TYPE_TAG', name: 'kptr', type: 4 }, // 5
    { kind: 'PTR', name: '', type: 5 }, // 6
    struct('val', 40, [member('x', 1, 0), member('lock', 2, 4), member('t', 3, 8), member('task', 6, 24), member('y', 1, 32), member('z', 1, 36)]), // 7
    struct('locked', 8, [member('n', 1, 0), member('l', 2, 4)]), // 8
    struct('timed', 24, [member('n', 1, 0), member('t', 3, 8)]), // 9
    struct('kp', 16, [member('n', 1, 0), member('task', 6, 8)]), // 10
    struct('plain', 16, [member('a', 1, 0), member('b', 1, 4), member('c', 1, 8), member('d', 1, 12)]), // 11
  ],
};

/** The kernel's BTF as far as kptrs need it: task_struct is type 1. */
export const TEST_VMLINUX: Btf = { types: [{ kind: 'VOID', name: '' }, struct('task_struct', 8, [])] };

/** A kernel holding TEST_BTF as object TEST_BTF_ID (and others given) and TEST_VMLINUX. */
export function testBtfPort(objects: Readonly<Record<number, Btf>> = { [TEST_BTF_ID]: TEST_BTF }): MapBtfPort {
  return { object: (id) => objects[id], vmlinux: () => TEST_VMLINUX };
}
