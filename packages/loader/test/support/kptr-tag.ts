import { type Btf, type BtfType, findBtfType } from '@bpfhive/uapi';

/**
 * kfunc_task.o's BTF with task_slot.task typed `struct task_struct __kptr *`
 * (PTR -> TYPE_TAG "kptr" -> STRUCT task_struct), as clang 15+ emits it: clang 14, which built
 * the checked-in object, drops `btf_type_tag` attributes.
 */
export function withKptrTag(btf: Btf): Btf {
  const slotId = findBtfType(btf, 'task_slot', 'STRUCT')!;
  const slot = btf.types[slotId]!;
  if (slot.kind !== 'STRUCT') throw new Error('task_slot is not a struct');
  const member = slot.members.find((m) => m.name === 'task')!;
  const ptr = btf.types[member.type]!;
  if (ptr.kind !== 'PTR') throw new Error('task_slot.task is not a pointer');
  const types: BtfType[] = [...btf.types];
  const tag = types.push({ kind: 'TYPE_TAG', name: 'kptr', type: ptr.type }) - 1;
  const tagged = types.push({ kind: 'PTR', name: '', type: tag }) - 1;
  types[slotId] = { ...slot, members: slot.members.map((m) => (m === member ? { ...m, type: tagged } : m)) };
  return { ...btf, types };
}
