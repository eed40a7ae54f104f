import { BpfError, MapFlag, MapType, UpdateFlag } from '@bpfhive/uapi';
import type { Arena } from '../arena.js';
import { hashKey } from './key-hash.js';
import { type BpfMap, type Bytes, asErrno, checkLength, checkUpdateFlags, round8 } from '../map.js';
import { ACCESS_FLAGS, KMALLOC_MAX_SIZE, type MapSpec, PCPU_MIN_UNIT_SIZE, specError } from '../spec.js';
import type { MapTypeSupport } from './types.js';

/*
 * BPF_MAP_TYPE_LRU_HASH and LRU_PERCPU_HASH: kernel/bpf/hashtab.c's LRU maps over
 * kernel/bpf/bpf_lru_list.c's lists, rebuilt step for step so a sequence of operations on a given
 * CPU evicts exactly the keys Linux evicts (the kernel's selftests/bpf/test_lru_map.c scenarios
 * pass unchanged, see lru-hash.test.ts).
 *
 * The LRU (class BpfLru) keeps max_entries nodes. Each node is in one list: the active or inactive
 * list, the free list, or (common LRU only) a CPU's local free or pending list.
 * - A program-side lookup sets the node's "ref" bit; a syscall lookup does not (Linux: the
 *   map_lookup_elem_sys_only path, so a user-space map walk does not disturb eviction).
 * - Every update first takes a free node (bpf_lru_pop_free), even one that then fails with EEXIST
 *   or ENOENT or that replaces an existing key. When there is none, the LRU rotates its lists and
 *   shrinks the inactive list from its tail, evicting elements whose ref bit is clear; if that
 *   frees nothing, it evicts one element regardless of ref bits.
 * - Common LRU (the default): nodes move to a CPU's local free list target_free at a time
 *   (clamp(max_entries / ncpus / 2, 1, 128)), so one update on a full map may evict up to
 *   target_free elements at once; new elements wait on their CPU's pending list until the next
 *   refill moves them to the global lists; a CPU that finds no node steals from the other CPUs'
 *   local lists, round robin.
 * - BPF_F_NO_COMMON_LRU: one LRU per CPU, max_entries rounded up to a multiple of the CPU count
 *   (the rounded value is this map's spec.max_entries), each CPU owning max_entries / ncpus nodes
 *   and shrinking 4 (PERCPU_FREE_TARGET) at a time. An element stays with the CPU that inserted it.
 *
 * "The current CPU": the program side passes it; the syscall side runs as CPU 0 (Linux runs a
 * syscall on whatever CPU the calling task is on; bpfhive's syscall side is not on any simulated
 * CPU, so CPU 0 stands for it). `cpus` at creation is the number of possible CPUs: it sizes the
 * per-CPU lists (and the per-CPU values of LRU_PERCPU_HASH).
 *
 * Storage and RCU: element storage (arena) is separate from LRU nodes. A node that holds a key
 * owns one element: u32 next (element index + 1 in the bucket chain) | u32 hash | u32 node | u32 0
 * | key, padded to 8 | value (per CPU: one each, 8-aligned). When an element leaves the map
 * (delete, eviction, or an update that replaces it with a new element) it is unlinked at once and
 * its storage is reused only after the arena's next grace period (Arena.quiescent), like HASH's;
 * its node goes back to the free lists at once, as in Linux. So eviction always has a node to
 * give, and a program still holding a value pointer reads stale data, never another key's.
 * Storage for new elements comes from reclaimed elements, else from the arena (max_entries
 * elements are allocated up front; more only while freed ones wait for a grace period).
 * Linux instead reuses an LRU element at once (a prealloc map's memory is fixed); bpfhive never
 * fails an update because freed elements are waiting: the only ENOMEM is an arena that cannot grow
 * (Linux's ENOMEM, when bpf_lru_pop_free finds no node, cannot happen without concurrent updates).
 *
 * Updates as Linux: LRU_HASH writes a new element for an existing key (its ref bit set) and
 * unlinks the old one, so a program's pointer to the old value keeps the old value; LRU_PERCPU_HASH
 * writes the existing element in place (BPF_EXIST takes no node first). Iteration (get_next_key)
 * is HASH's: bucket by bucket, each chain from its head (new elements are linked at the head).
 */

/** bpf_lru_list.h: the list a node is on. */
const T_ACTIVE = 0;
const T_INACTIVE = 1;
const T_FREE = 2;
const T_LOCAL_FREE = 3;
const T_LOCAL_PENDING = 4;
const isLocal = (type: number): boolean => type >= T_LOCAL_FREE;

/** bpf_lru_list.c's tuning: the common LRU refills at most 128 nodes; a per-CPU LRU shrinks 4. */
export const LOCAL_FREE_TARGET = 128;
export const LOCAL_NR_SCANS = LOCAL_FREE_TARGET;
export const PERCPU_FREE_TARGET = 4;
export const PERCPU_NR_SCANS = PERCPU_FREE_TARGET;
/** sizeof(struct htab_elem) on 64-bit: a key plus value must fit one kmalloc with it. */
export const HTAB_ELEM_SIZE = 48;

/** struct bpf_lru_list: active, inactive and free list heads, their counts, the rotation cursor. */
interface LruList {
  readonly heads: readonly [number, number, number];
  readonly counts: [number, number];
  nextInactiveRotation: number;
}

/** struct bpf_lru_locallist: a CPU's pending list, its free list (a stack), where stealing starts. */
interface LocalList {
  readonly pending: number;
  readonly free: number[];
  nextSteal: number;
}

/**
 * kernel/bpf/bpf_lru_list.c: the nodes and their lists. Lists are doubly linked over node ids;
 * list heads are extra ids after the nodes. `deleteFromHash` is htab_lru_map_delete_node: it
 * unlinks a node's element from the map and says whether it found it.
 */
export class BpfLru {
  readonly percpu: boolean;
  readonly targetFree: number;
  readonly nrScans: number;
  readonly ref: Uint8Array;
  readonly #type: Uint8Array;
  readonly #cpu: Uint32Array;
  readonly #prev: Int32Array;
  readonly #next: Int32Array;
  readonly #lists: LruList[] = [];
  readonly #locals: LocalList[] = [];
  /** A scratch list head: the kernel's on-stack tmp_free. */
  readonly #tmp: number;
  readonly #ncpus: number;

  constructor(
    nodes: number,
    ncpus: number,
    percpu: boolean,
    readonly deleteFromHash: (node: number) => boolean,
  ) {
    this.percpu = percpu;
    this.#ncpus = ncpus;
    const heads = percpu ? 3 * ncpus : 3 + ncpus;
    const ids = nodes + heads + 1;
    this.ref = new Uint8Array(nodes);
    this.#type = new Uint8Array(nodes);
    this.#cpu = new Uint32Array(nodes);
    this.#prev = new Int32Array(ids);
    this.#next = new Int32Array(ids);
    for (let id = nodes; id < ids; id++) this.#init(id);
    let head = nodes;
    const newList = (): LruList => {
      const list: LruList = { heads: [head, head + 1, head + 2], counts: [0, 0], nextInactiveRotation: head + 1 };
      head += 3;
      return list;
    };
    if (percpu) {
      for (let cpu = 0; cpu < ncpus; cpu++) this.#lists.push(newList());
      this.nrScans = PERCPU_NR_SCANS;
      this.targetFree = PERCPU_FREE_TARGET;
      // bpf_percpu_lru_populate: each CPU gets nodes / ncpus nodes, in order.
      const perCpu = Math.floor(nodes / ncpus);
      for (let node = 0; node < nodes; node++) {
        const cpu = Math.min(Math.floor(node / perCpu), ncpus - 1);
        this.#cpu[node] = cpu;
        this.#type[node] = T_FREE;
        this.#add(node, this.#lists[cpu]!.heads[T_FREE]);
      }
    } else {
      this.#lists.push(newList());
      for (let cpu = 0; cpu < ncpus; cpu++) this.#locals.push({ pending: head++, free: [], nextSteal: cpu });
      this.nrScans = LOCAL_NR_SCANS;
      // bpf_common_lru_populate.
      const free = this.#lists[0]!.heads[T_FREE];
      for (let node = 0; node < nodes; node++) {
        this.#type[node] = T_FREE;
        this.#add(node, free);
      }
      this.targetFree = Math.min(Math.max(Math.floor(Math.floor(nodes / ncpus) / 2), 1), LOCAL_FREE_TARGET);
    }
    this.#tmp = head;
  }

  // --- list_head --------------------------------------------------------------------------

  #init(head: number): void {
    this.#prev[head] = head;
    this.#next[head] = head;
  }

  /** list_add: right after `head`. */
  #add(id: number, head: number): void {
    const first = this.#next[head]!;
    this.#next[id] = first;
    this.#prev[id] = head;
    this.#prev[first] = id;
    this.#next[head] = id;
  }

  #del(id: number): void {
    const prev = this.#prev[id]!;
    const next = this.#next[id]!;
    this.#next[prev] = next;
    this.#prev[next] = prev;
  }

  #moveTo(id: number, head: number): void {
    this.#del(id);
    this.#add(id, head);
  }

  #empty(head: number): boolean {
    return this.#next[head] === head;
  }

  // --- nodes -------------------------------------------------------------------------------

  /** The node's CPU: its LRU for a per-CPU LRU, the local list it was taken on for the common one. */
  cpuOf(node: number): number {
    return this.#cpu[node]!;
  }

  #countInc(list: LruList, type: number): void {
    if (type === T_ACTIVE || type === T_INACTIVE) list.counts[type]++;
  }

  #countDec(list: LruList, type: number): void {
    if (type === T_ACTIVE || type === T_INACTIVE) list.counts[type]--;
  }

  /** __bpf_lru_node_move_to_free. */
  #moveToFree(list: LruList, node: number, freeHead: number, type: number): void {
    if (isLocal(this.#type[node]!)) return;
    if (node === list.nextInactiveRotation) list.nextInactiveRotation = this.#prev[node]!;
    this.#countDec(list, this.#type[node]!);
    this.#type[node] = type;
    this.#moveTo(node, freeHead);
  }

  /** __bpf_lru_node_move_in: from a local list into the LRU list. */
  #moveIn(list: LruList, node: number, type: number): void {
    if (!isLocal(this.#type[node]!) || isLocal(type)) return;
    this.#countInc(list, type);
    this.#type[node] = type;
    this.ref[node] = 0;
    this.#moveTo(node, list.heads[type as 0 | 1 | 2]);
  }

  /** __bpf_lru_node_move: between or within the active, inactive and free lists. */
  #move(list: LruList, node: number, type: number): void {
    const from = this.#type[node]!;
    if (isLocal(from) || isLocal(type)) return;
    if (from !== type) {
      this.#countDec(list, from);
      this.#countInc(list, type);
      this.#type[node] = type;
    }
    this.ref[node] = 0;
    if (node === list.nextInactiveRotation) list.nextInactiveRotation = this.#prev[node]!;
    this.#moveTo(node, list.heads[type as 0 | 1 | 2]);
  }

  /** __bpf_lru_list_rotate_active: from the tail, referenced nodes back to the head, the rest to inactive. */
  #rotateActive(list: LruList): void {
    const active = list.heads[T_ACTIVE];
    const first = this.#next[active]!;
    let i = 0;
    for (let node = this.#prev[active]!; node !== active; ) {
      const prev = this.#prev[node]!;
      this.#move(list, node, this.ref[node] ? T_ACTIVE : T_INACTIVE);
      if (++i === this.nrScans || node === first) break;
      node = prev;
    }
  }

  /** __bpf_lru_list_rotate_inactive: from the rotation cursor, referenced nodes to active. */
  #rotateInactive(list: LruList): void {
    const inactive = list.heads[T_INACTIVE];
    if (this.#empty(inactive)) return;
    let last = this.#next[list.nextInactiveRotation]!;
    if (last === inactive) last = this.#next[last]!;
    let cur = list.nextInactiveRotation;
    let next = inactive;
    let i = 0;
    while (i < this.nrScans) {
      if (cur === inactive) {
        cur = this.#prev[cur]!;
        continue;
      }
      next = this.#prev[cur]!;
      if (this.ref[cur]) this.#move(list, cur, T_ACTIVE);
      if (cur === last) break;
      cur = next;
      i++;
    }
    list.nextInactiveRotation = next;
  }

  /** __bpf_lru_list_shrink_inactive: from the tail, evict unreferenced nodes (up to `target`). */
  #shrinkInactive(list: LruList, target: number, freeHead: number, type: number): number {
    const inactive = list.heads[T_INACTIVE];
    let shrunk = 0;
    let i = 0;
    for (let node = this.#prev[inactive]!; node !== inactive; ) {
      const prev = this.#prev[node]!;
      if (this.ref[node]) {
        this.#move(list, node, T_ACTIVE);
      } else if (this.deleteFromHash(node)) {
        this.#moveToFree(list, node, freeHead, type);
        if (++shrunk === target) break;
      }
      if (++i === this.nrScans) break;
      node = prev;
    }
    return shrunk;
  }

  #rotate(list: LruList): void {
    if (list.counts[T_INACTIVE] < list.counts[T_ACTIVE]) this.#rotateActive(list);
    this.#rotateInactive(list);
  }

  /** __bpf_lru_list_shrink: shrink the inactive list, else evict one node ignoring ref bits. */
  #shrink(list: LruList, target: number, freeHead: number, type: number): number {
    const shrunk = this.#shrinkInactive(list, target, freeHead, type);
    if (shrunk !== 0) return shrunk;
    const inactive = list.heads[T_INACTIVE];
    const force = this.#empty(inactive) ? list.heads[T_ACTIVE] : inactive;
    for (let node = this.#prev[force]!; node !== force; ) {
      const prev = this.#prev[node]!;
      if (this.deleteFromHash(node)) {
        this.#moveToFree(list, node, freeHead, type);
        return 1;
      }
      node = prev;
    }
    return 0;
  }

  /** __local_list_flush: a CPU's pending nodes into the global lists (referenced ones to active). */
  #flush(list: LruList, local: LocalList): void {
    for (let node = this.#prev[local.pending]!; node !== local.pending; ) {
      const prev = this.#prev[node]!;
      this.#moveIn(list, node, this.ref[node] ? T_ACTIVE : T_INACTIVE);
      node = prev;
    }
  }

  /** bpf_lru_list_pop_free_to_local: refill a CPU's local free list with up to target_free nodes. */
  #popFreeToLocal(local: LocalList): void {
    const list = this.#lists[0]!;
    this.#flush(list, local);
    this.#rotate(list);
    const free = list.heads[T_FREE];
    let nfree = 0;
    for (let node = this.#next[free]!; node !== free; ) {
      const next = this.#next[node]!;
      this.#moveToFree(list, node, this.#tmp, T_LOCAL_FREE);
      if (++nfree === this.targetFree) break;
      node = next;
    }
    if (nfree < this.targetFree) this.#shrink(list, this.targetFree - nfree, this.#tmp, T_LOCAL_FREE);
    for (let node = this.#next[this.#tmp]!; node !== this.#tmp; ) {
      const next = this.#next[node]!;
      this.#del(node);
      local.free.push(node);
      node = next;
    }
    this.#init(this.#tmp);
  }

  #addPending(local: LocalList, cpu: number, node: number): void {
    this.#cpu[node] = cpu;
    this.#type[node] = T_LOCAL_PENDING;
    this.ref[node] = 0;
    this.#add(node, local.pending);
  }

  /** __local_list_pop_pending: evict the oldest pending node, unreferenced ones first. */
  #popPending(local: LocalList): number {
    for (const force of [false, true]) {
      for (let node = this.#prev[local.pending]!; node !== local.pending; node = this.#prev[node]!) {
        if ((!this.ref[node] || force) && this.deleteFromHash(node)) {
          this.#del(node);
          return node;
        }
      }
    }
    return -1;
  }

  #percpuPopFree(cpu: number): number {
    const list = this.#lists[cpu]!;
    this.#rotate(list);
    const free = list.heads[T_FREE];
    if (this.#empty(free)) this.#shrink(list, PERCPU_FREE_TARGET, free, T_FREE);
    if (this.#empty(free)) return -1;
    const node = this.#next[free]!;
    this.ref[node] = 0;
    this.#move(list, node, T_INACTIVE);
    return node;
  }

  #commonPopFree(cpu: number): number {
    const local = this.#locals[cpu]!;
    let node = local.free.pop() ?? -1;
    if (node < 0) {
      this.#popFreeToLocal(local);
      node = local.free.pop() ?? -1;
    }
    if (node >= 0) {
      this.#addPending(local, cpu, node);
      return node;
    }
    // Nothing here or in the global lists: steal from the CPUs' local lists, round robin.
    const first = local.nextSteal;
    let steal = first;
    do {
      const victim = this.#locals[steal]!;
      node = victim.free.pop() ?? -1;
      if (node < 0) node = this.#popPending(victim);
      steal = (steal + 1) % this.#ncpus;
    } while (node < 0 && steal !== first);
    local.nextSteal = steal;
    if (node < 0) return -1;
    this.#addPending(local, cpu, node);
    return node;
  }

  /** bpf_lru_pop_free: a free node for a new element on `cpu` (evicting if need be), or -1. */
  popFree(cpu: number): number {
    return this.percpu ? this.#percpuPopFree(cpu) : this.#commonPopFree(cpu);
  }

  /** bpf_lru_push_free: a node whose element has left the map. */
  pushFree(node: number): void {
    const type = this.#type[node]!;
    if (this.percpu) {
      this.#move(this.#lists[this.#cpu[node]!]!, node, T_FREE);
      return;
    }
    if (type === T_FREE || type === T_LOCAL_FREE) return;
    if (type === T_LOCAL_PENDING) {
      this.#type[node] = T_LOCAL_FREE;
      this.ref[node] = 0;
      this.#del(node);
      this.#locals[this.#cpu[node]!]!.free.push(node);
      return;
    }
    this.#move(this.#lists[0]!, node, T_FREE);
  }
}

/** Element header words: next link, hash, owning node. */
const NEXT = 0;
const HASH = 1;
const NODE = 2;
const HEADER = 16;

export class LruHashMap implements BpfMap {
  readonly spec: MapSpec;
  readonly cpus: number;
  readonly syscallValueSize: number;
  readonly lru: BpfLru;
  readonly #ncpus: number;
  readonly #percpuValues: boolean;
  readonly #buckets: number;
  readonly #mask: number;
  readonly #bucketsAt: number;
  readonly #elementSize: number;
  readonly #keySize: number;
  readonly #keyPadded: number;
  readonly #slot: number;
  readonly #seed: number;
  /** Element index → address: max_entries in one block, then one block per extra element. */
  readonly #elementAt: number[] = [];
  /** Node → its element index, -1 while the node is free. */
  readonly #nodeElement: Int32Array;
  /** Elements ready for a new key, and those unlinked since the last grace period. */
  readonly #spare: number[] = [];
  #retired: number[] = [];
  #count = 0;
  /** Stops the grace-period listener (dispose). */
  readonly #unlisten: () => void;

  constructor(
    spec: MapSpec,
    readonly arena: Arena,
    cpus: number,
  ) {
    const ncpus = Math.max(1, cpus);
    const percpuLru = (spec.map_flags & MapFlag.NO_COMMON_LRU) !== 0;
    this.spec = percpuLru ? { ...spec, max_entries: percpuMaxEntries(spec.max_entries, ncpus) } : spec;
    const max = this.spec.max_entries;
    this.#ncpus = ncpus;
    this.#percpuValues = spec.map_type === MapType.LRU_PERCPU_HASH;
    this.cpus = this.#percpuValues ? ncpus : 1;
    this.#keySize = spec.key_size;
    this.#keyPadded = round8(spec.key_size);
    this.#slot = round8(spec.value_size);
    this.syscallValueSize = this.#percpuValues ? this.#slot * ncpus : spec.value_size;
    this.#elementSize = HEADER + this.#keyPadded + this.#slot * this.cpus;
    let buckets = 1;
    while (buckets < max) buckets *= 2;
    this.#buckets = buckets;
    this.#mask = buckets - 1;
    this.#seed = (spec.map_flags & MapFlag.ZERO_SEED) !== 0 ? 0 : (Math.random() * 0x100000000) >>> 0;
    this.#bucketsAt = arena.alloc(buckets * 4);
    const block = arena.alloc(this.#elementSize * max);
    for (let i = 0; i < max; i++) this.#elementAt.push(block + i * this.#elementSize);
    for (let i = max - 1; i >= 0; i--) this.#spare.push(i);
    this.#nodeElement = new Int32Array(max).fill(-1);
    this.lru = new BpfLru(max, ncpus, percpuLru, (node) => this.#deleteNode(node));
    this.#unlisten = arena.onQuiescent(() => this.#reclaim());
  }

  /**
   * BpfMap.dispose: stops listening to the arena's grace periods, then gives back the buckets, the
   * block of max_entries elements and every element allocated beyond it (while freed ones waited
   * for a grace period). Elements in the map, retired or spare alike, are inside those blocks;
   * the arena reuses them only after its next grace period, so a program still holding a value
   * pointer reads stale data, never another map's.
   */
  dispose(): void {
    this.#unlisten();
    const max = this.spec.max_entries;
    for (let e = max; e < this.#elementAt.length; e++) this.arena.free(this.#elementAt[e]!, this.#elementSize);
    if (max > 0) this.arena.free(this.#elementAt[0]!, this.#elementSize * max);
    this.arena.free(this.#bucketsAt, this.#buckets * 4);
    this.#elementAt.length = 0;
    this.#spare.length = 0;
    this.#retired = [];
    this.#nodeElement.fill(-1);
    this.#count = 0;
  }

  /** Elements in the map. */
  get count(): number {
    return this.#count;
  }

  #reclaim(): void {
    for (const e of this.#retired) this.#spare.push(e);
    this.#retired = [];
  }

  #hash(key: Bytes): number {
    return hashKey(this.#seed, this.#keySize, key.buf, key.at);
  }


  #bucketWord(hash: number): number {
    return (this.#bucketsAt >> 2) + (hash & this.#mask);
  }

  #keyEquals(element: number, key: Bytes): boolean {
    const bytes = this.arena.bytes;
    const at = this.#elementAt[element]! + HEADER;
    for (let i = 0; i < this.#keySize; i++) if (bytes[at + i] !== key.buf[key.at + i]) return false;
    return true;
  }

  /** The element holding `key`, or -1. */
  #find(key: Bytes, hash: number): number {
    const u32 = this.arena.u32;
    let link = u32[this.#bucketWord(hash)]!;
    while (link !== 0) {
      const e = link - 1;
      const word = this.#elementAt[e]! >> 2;
      if (u32[word + HASH] === hash && this.#keyEquals(e, key)) return e;
      link = u32[word + NEXT]!;
    }
    return -1;
  }

  /** Unlinks element `e` from its bucket chain; false when it is not linked. */
  #unlink(e: number): boolean {
    const u32 = this.arena.u32;
    const word = this.#elementAt[e]! >> 2;
    let slot = this.#bucketWord(u32[word + HASH]!);
    for (let link = u32[slot]!; link !== 0; link = u32[slot]!) {
      if (link - 1 === e) {
        Atomics.store(u32, slot, u32[word + NEXT]!);
        this.#count--;
        return true;
      }
      slot = (this.#elementAt[link - 1]! >> 2) + NEXT;
    }
    return false;
  }

  /** The node's element has left the map: its storage waits for a grace period. */
  #retire(node: number): void {
    const e = this.#nodeElement[node]!;
    if (e < 0) return;
    this.#retired.push(e);
    this.#nodeElement[node] = -1;
  }

  /** htab_lru_map_delete_node: the LRU evicts `node`. */
  #deleteNode(node: number): boolean {
    const e = this.#nodeElement[node]!;
    if (e < 0 || !this.#unlink(e)) return false;
    this.#retire(node);
    return true;
  }

  /** An element leaves the map: unlinked, storage retired, node back to the free lists. */
  #remove(e: number): void {
    this.#unlink(e);
    const node = this.arena.u32[(this.#elementAt[e]! >> 2) + NODE]!;
    this.#retire(node);
    this.lru.pushFree(node);
  }

  /** A node taken for an update that did not link it: its element was never seen, so it is reusable at once. */
  #giveBack(node: number): void {
    const e = this.#nodeElement[node]!;
    if (e >= 0) {
      this.#spare.push(e);
      this.#nodeElement[node] = -1;
    }
    this.lru.pushFree(node);
  }

  /** prealloc_lru_pop: a free node (evicting if need be) with a zeroed element holding `key`. */
  #take(key: Bytes, hash: number, cpu: number): number {
    const node = this.lru.popFree(cpu);
    if (node < 0) throw new BpfError('ENOMEM', 'update: the LRU has no free element');
    let e = this.#spare.pop();
    if (e === undefined) {
      try {
        this.#elementAt.push(this.arena.alloc(this.#elementSize));
      } catch (err) {
        this.lru.pushFree(node);
        throw err;
      }
      e = this.#elementAt.length - 1;
    }
    const at = this.#elementAt[e]!;
    const bytes = this.arena.bytes;
    bytes.fill(0, at, at + this.#elementSize);
    bytes.set(key.buf.subarray(key.at, key.at + this.#keySize), at + HEADER);
    const u32 = this.arena.u32;
    u32[(at >> 2) + HASH] = hash;
    u32[(at >> 2) + NODE] = node;
    this.#nodeElement[node] = e;
    return node;
  }

  /** Links element `e` at the head of its bucket's chain. */
  #link(e: number, hash: number): void {
    const u32 = this.arena.u32;
    const bucket = this.#bucketWord(hash);
    u32[(this.#elementAt[e]! >> 2) + NEXT] = u32[bucket]!;
    Atomics.store(u32, bucket, e + 1);
    this.#count++;
  }

  #nodeOf(e: number): number {
    return this.arena.u32[(this.#elementAt[e]! >> 2) + NODE]!;
  }

  #valueAddress(e: number, cpu: number): number {
    return this.#elementAt[e]! + HEADER + this.#keyPadded + cpu * this.#slot;
  }

  /** Writes `value`: one value for `cpu` (program side) or, when cpu is undefined, every CPU's (syscall side). */
  #writeValue(e: number, value: Bytes, cpu: number | undefined): void {
    const size = cpu === undefined ? this.syscallValueSize : this.spec.value_size;
    this.arena.bytes.set(value.buf.subarray(value.at, value.at + size), this.#valueAddress(e, cpu ?? 0));
  }

  #checkFlags(exists: boolean, flags: number): void {
    const mode = flags & 3;
    if (exists && mode === UpdateFlag.NOEXIST) throw new BpfError('EEXIST', 'update: the key exists and BPF_NOEXIST was given');
    if (!exists && mode === UpdateFlag.EXIST) throw new BpfError('ENOENT', 'update: the key does not exist and BPF_EXIST was given');
  }

  /**
   * htab_lru_map_update_elem / __htab_lru_percpu_map_update_elem. `runCpu` is the CPU the update
   * runs on; `valueCpu` the CPU whose value a program writes (undefined: the syscall's values).
   */
  #update(key: Bytes, value: Bytes, flags: number, runCpu: number, valueCpu: number | undefined): void {
    checkUpdateFlags(flags);
    const hash = this.#hash(key);
    if (!this.#percpuValues) {
      const node = this.#take(key, hash, runCpu);
      const e = this.#nodeElement[node]!;
      this.#writeValue(e, value, undefined);
      const old = this.#find(key, hash);
      try {
        this.#checkFlags(old >= 0, flags);
      } catch (err) {
        this.#giveBack(node);
        throw err;
      }
      this.#link(e, hash);
      if (old >= 0) {
        this.lru.ref[node] = 1;
        this.#remove(old);
      }
      return;
    }
    const node = (flags & 3) !== UpdateFlag.EXIST ? this.#take(key, hash, runCpu) : -1;
    const old = this.#find(key, hash);
    try {
      this.#checkFlags(old >= 0, flags);
    } catch (err) {
      if (node >= 0) this.#giveBack(node);
      throw err;
    }
    if (old >= 0) {
      this.lru.ref[this.#nodeOf(old)] = 1;
      this.#writeValue(old, value, valueCpu);
      if (node >= 0) this.#giveBack(node);
      return;
    }
    const e = this.#nodeElement[node]!;
    this.#writeValue(e, value, valueCpu);
    this.#link(e, hash);
  }

  #delete(key: Bytes): void {
    const e = this.#find(key, this.#hash(key));
    if (e < 0) throw new BpfError('ENOENT', 'delete: no such key');
    this.#remove(e);
  }

  #checkCpu(cpu: number): void {
    if (!(cpu >= 0 && cpu < this.#ncpus)) throw new RangeError(`cpu ${cpu} is not one of the map's ${this.#ncpus} CPUs`);
  }

  /** Syscall lookup: does not mark the element (Linux's map_lookup_elem_sys_only). */
  lookup(key: Uint8Array): Uint8Array {
    checkLength('key', key, this.#keySize);
    const e = this.#find({ buf: key, at: 0 }, this.#hash({ buf: key, at: 0 }));
    if (e < 0) throw new BpfError('ENOENT', 'lookup: no such key');
    const at = this.#valueAddress(e, 0);
    return this.arena.bytes.slice(at, at + this.syscallValueSize);
  }

  /** Syscall update: runs as CPU 0. */
  update(key: Uint8Array, value: Uint8Array, flags: number): void {
    checkLength('key', key, this.#keySize);
    checkLength('value', value, this.syscallValueSize);
    this.#update({ buf: key, at: 0 }, { buf: value, at: 0 }, flags, 0, undefined);
  }

  delete(key: Uint8Array): void {
    checkLength('key', key, this.#keySize);
    this.#delete({ buf: key, at: 0 });
  }

  getNextKey(key: Uint8Array | undefined): Uint8Array {
    const u32 = this.arena.u32;
    let bucket = 0;
    if (key !== undefined) {
      checkLength('key', key, this.#keySize);
      const k = { buf: key, at: 0 };
      const hash = this.#hash(k);
      const e = this.#find(k, hash);
      if (e >= 0) {
        const next = u32[(this.#elementAt[e]! >> 2) + NEXT]!;
        if (next !== 0) return this.#keyOf(next - 1);
        bucket = (hash & this.#mask) + 1;
      }
    }
    for (; bucket < this.#buckets; bucket++) {
      const head = u32[(this.#bucketsAt >> 2) + bucket]!;
      if (head !== 0) return this.#keyOf(head - 1);
    }
    throw new BpfError('ENOENT', 'get_next_key: no more keys');
  }

  #keyOf(e: number): Uint8Array {
    const at = this.#elementAt[e]! + HEADER;
    return this.arena.bytes.slice(at, at + this.#keySize);
  }

  /** Program lookup: sets the element's ref bit; a per-CPU map gives `cpu`'s value. */
  lookupAddress(keyAddress: number, cpu: number): number {
    this.#checkCpu(cpu);
    const key = { buf: this.arena.bytes, at: keyAddress };
    const e = this.#find(key, this.#hash(key));
    if (e < 0) return 0;
    this.lru.ref[this.#nodeOf(e)] = 1;
    return this.#valueAddress(e, this.#percpuValues ? cpu : 0);
  }

  updateAt(keyAddress: number, valueAddress: number, flags: number, cpu: number): number {
    this.#checkCpu(cpu);
    // Copied first: a new element may grow the memory (and `bytes` with it).
    const key = this.arena.bytes.slice(keyAddress, keyAddress + this.#keySize);
    const value = this.arena.bytes.slice(valueAddress, valueAddress + this.spec.value_size);
    return asErrno(() => this.#update({ buf: key, at: 0 }, { buf: value, at: 0 }, flags, cpu, this.#percpuValues ? cpu : undefined));
  }

  deleteAt(keyAddress: number): number {
    return asErrno(() => this.#delete({ buf: this.arena.bytes, at: keyAddress }));
  }
}

/** htab_map_alloc: a per-CPU LRU's max_entries, rounded up to a multiple of the CPU count (down if that overflows a u32). */
export function percpuMaxEntries(maxEntries: number, ncpus: number): number {
  const up = Math.ceil(maxEntries / ncpus) * ncpus;
  return up > 0xffffffff ? Math.floor(maxEntries / ncpus) * ncpus : up;
}

/**
 * The MAP_TYPES entry for BPF_MAP_TYPE_LRU_HASH or LRU_PERCPU_HASH: htab_map_alloc_check's and
 * htab_map_alloc's rules (Linux 5.11+: keys larger than the stack are allowed; key + value must
 * fit one kmalloc with the element header).
 */
export function lruHashSupport(mapType: typeof MapType.LRU_HASH | typeof MapType.LRU_PERCPU_HASH): MapTypeSupport {
  const percpu = mapType === MapType.LRU_PERCPU_HASH;
  return {
    allowedFlags: MapFlag.NO_PREALLOC | MapFlag.NO_COMMON_LRU | MapFlag.NUMA_NODE | ACCESS_FLAGS | MapFlag.ZERO_SEED,
    check(spec) {
      const flags = spec.map_flags;
      if ((flags & MapFlag.NO_PREALLOC) !== 0) {
        throw specError('ENOTSUPP', spec, 'LRU maps are always preallocated: BPF_F_NO_PREALLOC is not supported');
      }
      if ((flags & MapFlag.NUMA_NODE) !== 0 && (percpu || (flags & MapFlag.NO_COMMON_LRU) !== 0)) {
        throw specError('EINVAL', spec, 'BPF_F_NUMA_NODE cannot be used with per-CPU values or BPF_F_NO_COMMON_LRU');
      }
      if (spec.max_entries === 0) throw specError('EINVAL', spec, 'max_entries must be at least 1');
      if (spec.key_size === 0) throw specError('EINVAL', spec, 'key_size must be at least 1');
      if (spec.value_size === 0) throw specError('EINVAL', spec, 'value_size must be at least 1');
      if (spec.key_size + spec.value_size >= KMALLOC_MAX_SIZE - HTAB_ELEM_SIZE) {
        throw specError('E2BIG', spec, `key_size + value_size (${spec.key_size + spec.value_size}) must be less than ${KMALLOC_MAX_SIZE - HTAB_ELEM_SIZE}`);
      }
      if (percpu && round8(spec.value_size) > PCPU_MIN_UNIT_SIZE) {
        throw specError('E2BIG', spec, `value_size ${spec.value_size} is larger than the per-CPU limit ${PCPU_MIN_UNIT_SIZE}`);
      }
      if (spec.max_entries > 2 ** 31) throw specError('E2BIG', spec, `max_entries ${spec.max_entries} is larger than 2^31`);
    },
    create(spec, arena, cpus) {
      if ((spec.map_flags & MapFlag.NO_COMMON_LRU) !== 0) {
        const rounded = percpuMaxEntries(spec.max_entries, Math.max(1, cpus));
        if (rounded > 2 ** 31) throw specError('E2BIG', spec, `max_entries rounded to a multiple of the CPU count (${rounded}) is larger than 2^31`);
      }
      return new LruHashMap(spec, arena, cpus);
    },
  };
}
