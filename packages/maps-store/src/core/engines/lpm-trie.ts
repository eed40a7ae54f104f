import { BpfError, MapFlag } from '@bpfhive/uapi';
import type { Arena } from '../arena.js';
import { type BpfMap, type Bytes, asErrno, checkLength, checkUpdateFlags, round8 } from '../map.js';
import { ACCESS_FLAGS, KMALLOC_MAX_SIZE, type MapSpec, specError } from '../spec.js';
import type { MapTypeSupport } from './types.js';

/** Limits of kernel/bpf/lpm_trie.c: data is 1..256 bytes, so key_size is 5..260. */
export const LPM_DATA_SIZE_MIN = 1;
export const LPM_DATA_SIZE_MAX = 256;
/** sizeof(struct bpf_lpm_trie_key_u8) without its data: the u32 prefixlen. */
export const LPM_KEY_HEADER = 4;
/** sizeof(struct lpm_trie_node) on 64-bit: two child pointers, prefixlen, flags. */
const LPM_TRIE_NODE_SIZE = 24;
/** LPM_VAL_SIZE_MAX: one node (header, data, value) must fit one kmalloc. */
export const LPM_VAL_SIZE_MAX = KMALLOC_MAX_SIZE - LPM_DATA_SIZE_MAX - LPM_TRIE_NODE_SIZE;

/** LPM_TREE_NODE_FLAG_IM: a node the trie made to fork two subtrees, with no value of its own. */
const FLAG_IM = 1;

/** Node layout in the arena: u32 child[0] | u32 child[1] (addresses, 0 = none) | u32 prefixlen | u32 flags | data, padded to 8 | value. */
const CHILD0 = 0;
const PREFIXLEN = 8;
const FLAGS = 12;
const DATA = 16;

/**
 * BPF_MAP_TYPE_LPM_TRIE, as kernel/bpf/lpm_trie.c: an unbalanced binary trie of
 * (prefixlen, data) nodes. Keys are `struct bpf_lpm_trie_key_u8`: a u32 prefixlen in host order
 * (little-endian here) followed by key_size - 4 data bytes in network order (data[0] is the most
 * significant byte). Creation needs BPF_F_NO_PREALLOC.
 *
 * - lookup: longest-prefix match; the key's prefixlen is how many of its bits may be matched
 *   (prefixlen 32 on an IPv4 trie for a plain address lookup); a prefixlen past data_size * 8
 *   finds nothing.
 * - update: inserts or replaces exactly (prefixlen, data); BPF_NOEXIST / BPF_EXIST are honoured
 *   (Linux 6.13+; older kernels ignored them) and a new prefix past max_entries is ENOSPC.
 *   A prefixlen past data_size * 8 is EINVAL.
 * - delete: removes exactly that prefix (ENOENT if it is absent or only an intermediate node).
 * - get_next_key: the kernel's post-order walk (leftmost leaf first, children before parents,
 *   so more specific prefixes come before less specific ones); a key that is not in the trie
 *   (or a prefixlen past the maximum) restarts from the first key.
 *
 * Every node is its own arena block. As in Linux, an update of an existing prefix builds a new
 * node and unlinks the old one, so the value address a program got from an earlier lookup keeps
 * the old value; removed nodes go back through Arena.free, reused only after a grace period.
 * Data bits past a node's prefixlen are kept as given and come back from get_next_key, as in Linux.
 */
export class LpmTrieMap implements BpfMap {
  readonly cpus = 1;
  readonly syscallValueSize: number;
  readonly #dataSize: number;
  readonly #maxPrefixlen: number;
  readonly #valueOffset: number;
  readonly #nodeSize: number;
  /** An arena word holding the root node's address, so the root is a slot like any child. */
  readonly #rootSlot: number;
  #entries = 0;

  constructor(
    readonly spec: MapSpec,
    readonly arena: Arena,
  ) {
    this.syscallValueSize = spec.value_size;
    this.#dataSize = spec.key_size - LPM_KEY_HEADER;
    this.#maxPrefixlen = this.#dataSize * 8;
    this.#valueOffset = DATA + round8(this.#dataSize);
    this.#nodeSize = this.#valueOffset + spec.value_size;
    this.#rootSlot = arena.alloc(8);
  }

  /**
   * BpfMap.dispose (trie_free): every node still in the trie, intermediate ones too, and the root
   * slot go back to the arena; a program holding a value pointer reads memory reused only after a
   * grace period.
   */
  dispose(): void {
    const pending = [this.#word(this.#rootSlot)];
    for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
      if (node === 0) continue;
      pending.push(this.#child(node, 0), this.#child(node, 1));
      this.#freeNode(node);
    }
    this.#publish(this.#rootSlot, 0);
    this.#entries = 0;
    this.arena.free(this.#rootSlot, 8);
  }

  /** Prefixes in the trie (intermediate nodes not counted): the kernel's n_entries. */
  get count(): number {
    return this.#entries;
  }

  // --- node access -------------------------------------------------------------------------

  #word(address: number): number {
    return this.arena.u32[address >> 2]!;
  }

  #child(node: number, bit: number): number {
    return this.arena.u32[(node + CHILD0 + 4 * bit) >> 2]!;
  }

  /** rcu_assign_pointer: a reader sees the old or the new node, each complete. */
  #publish(slot: number, node: number): void {
    Atomics.store(this.arena.u32, slot >> 2, node);
  }

  #childSlot(node: number, bit: number): number {
    return node + CHILD0 + 4 * bit;
  }

  #prefixlen(node: number): number {
    return this.#word(node + PREFIXLEN);
  }

  #isIntermediate(node: number): boolean {
    return (this.#word(node + FLAGS) & FLAG_IM) !== 0;
  }

  /** The key's prefixlen (host order, little-endian). */
  #keyPrefixlen(key: Bytes): number {
    const b = key.buf;
    const at = key.at;
    return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
  }

  /** Bit `index` (0 = most significant of data[0]) of the data at `buf[at..]`. */
  #bit(buf: Uint8Array, at: number, index: number): number {
    return (buf[at + (index >> 3)]! >> (7 - (index & 7))) & 1;
  }

  /** How many leading bits of the node's data and the key's data agree, at most min(both prefixlens). */
  #longestPrefixMatch(node: number, key: Bytes): number {
    const limit = Math.min(this.#prefixlen(node), this.#keyPrefixlen(key));
    const bytes = this.arena.bytes;
    const nodeData = node + DATA;
    const keyData = key.at + LPM_KEY_HEADER;
    let matched = 0;
    for (let i = 0; i < this.#dataSize && matched < limit; i++) {
      const diff = bytes[nodeData + i]! ^ key.buf[keyData + i]!;
      if (diff !== 0) return Math.min(limit, matched + Math.clz32(diff) - 24);
      matched += 8;
    }
    return Math.min(limit, matched);
  }

  // --- operations --------------------------------------------------------------------------

  /** trie_lookup_elem: the node of the longest matching prefix, or 0. */
  #lookup(key: Bytes): number {
    const keyPrefixlen = this.#keyPrefixlen(key);
    if (keyPrefixlen > this.#maxPrefixlen) return 0;
    let found = 0;
    let node = this.#word(this.#rootSlot);
    while (node !== 0) {
      const matchlen = this.#longestPrefixMatch(node, key);
      if (matchlen === this.#maxPrefixlen) {
        found = node;
        break;
      }
      const nodePrefixlen = this.#prefixlen(node);
      if (matchlen < nodePrefixlen) break;
      if (!this.#isIntermediate(node)) found = node;
      node = this.#child(node, this.#bit(key.buf, key.at + LPM_KEY_HEADER, nodePrefixlen));
    }
    return found;
  }

  /** trie_check_add_elem: a new prefix counts against max_entries. */
  #addEntry(flags: number): void {
    if (flags === 2) throw new BpfError('ENOENT', 'update: the prefix does not exist and BPF_EXIST was given');
    if (this.#entries === this.spec.max_entries) throw new BpfError('ENOSPC', `update: the trie is full (max_entries ${this.spec.max_entries})`);
    this.#entries++;
  }

  /** A new node with the key's prefixlen and data (all data_size bytes, as given) and no children. */
  #newNode(key: Bytes, prefixlen: number, flags: number): number {
    const node = this.arena.alloc(this.#nodeSize);
    const u32 = this.arena.u32;
    u32[(node + PREFIXLEN) >> 2] = prefixlen;
    u32[(node + FLAGS) >> 2] = flags;
    const data = key.at + LPM_KEY_HEADER;
    this.arena.bytes.set(key.buf.subarray(data, data + this.#dataSize), node + DATA);
    return node;
  }

  #freeNode(node: number): void {
    this.arena.free(node, this.#nodeSize);
  }

  /** trie_update_elem. `value` holds value_size bytes. */
  #update(key: Bytes, value: Bytes, flags: number): void {
    checkUpdateFlags(flags);
    const keyPrefixlen = this.#keyPrefixlen(key);
    if (keyPrefixlen > this.#maxPrefixlen) {
      throw new BpfError('EINVAL', `update: prefixlen ${keyPrefixlen} is longer than the key's ${this.#maxPrefixlen} data bits`);
    }
    const newNode = this.#newNode(key, keyPrefixlen, 0);
    this.arena.bytes.set(value.buf.subarray(value.at, value.at + this.spec.value_size), newNode + this.#valueOffset);
    try {
      this.#insert(newNode, key, keyPrefixlen, flags);
    } catch (e) {
      this.#freeNode(newNode);
      throw e;
    }
  }

  #insert(newNode: number, key: Bytes, keyPrefixlen: number, flags: number): void {
    const u32 = this.arena.u32;
    const keyData = key.at + LPM_KEY_HEADER;
    let slot = this.#rootSlot;
    let node = 0;
    let matchlen = 0;
    while ((node = this.#word(slot)) !== 0) {
      matchlen = this.#longestPrefixMatch(node, key);
      const nodePrefixlen = this.#prefixlen(node);
      if (nodePrefixlen !== matchlen || nodePrefixlen === keyPrefixlen) break;
      slot = this.#childSlot(node, this.#bit(key.buf, keyData, nodePrefixlen));
    }

    // An empty slot: the new node goes there.
    if (node === 0) {
      this.#addEntry(flags);
      this.#publish(slot, newNode);
      return;
    }

    // The same prefix: the new node replaces it and takes over its children.
    if (this.#prefixlen(node) === matchlen) {
      if (!this.#isIntermediate(node)) {
        if (flags === 1) throw new BpfError('EEXIST', 'update: the prefix exists and BPF_NOEXIST was given');
      } else {
        this.#addEntry(flags);
      }
      u32[(newNode + CHILD0) >> 2] = this.#child(node, 0);
      u32[(newNode + CHILD0 + 4) >> 2] = this.#child(node, 1);
      this.#publish(slot, newNode);
      this.#freeNode(node);
      return;
    }

    this.#addEntry(flags);

    // The new prefix covers the node: it becomes the node's parent.
    if (matchlen === keyPrefixlen) {
      const bit = this.#bit(this.arena.bytes, node + DATA, matchlen);
      u32[(newNode + CHILD0 + 4 * bit) >> 2] = node;
      this.#publish(slot, newNode);
      return;
    }

    // They part after matchlen bits: an intermediate node forks them.
    let im: number;
    try {
      im = this.arena.alloc(this.#nodeSize);
    } catch (e) {
      this.#entries--;
      throw e;
    }
    const bytes = this.arena.bytes;
    const words = this.arena.u32;
    words[(im + PREFIXLEN) >> 2] = matchlen;
    words[(im + FLAGS) >> 2] = FLAG_IM;
    bytes.copyWithin(im + DATA, node + DATA, node + DATA + this.#dataSize);
    const newGoesRight = this.#bit(key.buf, keyData, matchlen) === 1;
    words[(im + CHILD0) >> 2] = newGoesRight ? node : newNode;
    words[(im + CHILD0 + 4) >> 2] = newGoesRight ? newNode : node;
    this.#publish(slot, im);
  }

  /** trie_delete_elem. */
  #delete(key: Bytes): void {
    const keyPrefixlen = this.#keyPrefixlen(key);
    if (keyPrefixlen > this.#maxPrefixlen) {
      throw new BpfError('EINVAL', `delete: prefixlen ${keyPrefixlen} is longer than the key's ${this.#maxPrefixlen} data bits`);
    }
    const keyData = key.at + LPM_KEY_HEADER;
    let trim = this.#rootSlot;
    let trim2 = trim;
    let parent = 0;
    let node = 0;
    let matchlen = 0;
    while ((node = this.#word(trim)) !== 0) {
      matchlen = this.#longestPrefixMatch(node, key);
      const nodePrefixlen = this.#prefixlen(node);
      if (nodePrefixlen !== matchlen || nodePrefixlen === keyPrefixlen) break;
      parent = node;
      trim2 = trim;
      trim = this.#childSlot(node, this.#bit(key.buf, keyData, nodePrefixlen));
    }
    if (node === 0 || this.#prefixlen(node) !== keyPrefixlen || this.#prefixlen(node) !== matchlen || this.#isIntermediate(node)) {
      throw new BpfError('ENOENT', 'delete: no such prefix');
    }
    this.#entries--;

    const left = this.#child(node, 0);
    const right = this.#child(node, 1);
    // Two children: the node stays, as an intermediate one.
    if (left !== 0 && right !== 0) {
      Atomics.or(this.arena.u32, (node + FLAGS) >> 2, FLAG_IM);
      return;
    }
    // A leaf under an intermediate parent: the parent goes too, its other child moves up.
    if (parent !== 0 && this.#isIntermediate(parent) && left === 0 && right === 0) {
      const sibling = this.#child(parent, 0) === node ? this.#child(parent, 1) : this.#child(parent, 0);
      this.#publish(trim2, sibling);
      this.#freeNode(parent);
      this.#freeNode(node);
      return;
    }
    // Zero or one child: the child (or nothing) takes the node's place.
    this.#publish(trim, left !== 0 ? left : right);
    this.#freeNode(node);
  }

  /** trie_get_next_key: the node after `key` in post-order, or the leftmost one. */
  #nextNode(key: Bytes | undefined): number {
    const root = this.#word(this.#rootSlot);
    if (root === 0) throw new BpfError('ENOENT', 'get_next_key: the trie is empty');
    let searchRoot = root;
    if (key !== undefined && this.#keyPrefixlen(key) <= this.#maxPrefixlen) {
      const keyPrefixlen = this.#keyPrefixlen(key);
      const stack: number[] = [];
      let node = root;
      let matchlen = 0;
      while (node !== 0) {
        stack.push(node);
        matchlen = this.#longestPrefixMatch(node, key);
        const nodePrefixlen = this.#prefixlen(node);
        if (nodePrefixlen !== matchlen || nodePrefixlen === keyPrefixlen) break;
        node = this.#child(node, this.#bit(key.buf, key.at + LPM_KEY_HEADER, nodePrefixlen));
      }
      if (node !== 0 && this.#prefixlen(node) === matchlen && !this.#isIntermediate(node)) {
        // Found: the next node in post-order is the leftmost of the right sibling subtree,
        // or else the first non-intermediate ancestor.
        let top = stack.length - 1;
        node = stack[top]!;
        let next = 0;
        while (top > 0) {
          const parent = stack[top - 1]!;
          if (this.#child(parent, 0) === node) {
            const right = this.#child(parent, 1);
            if (right !== 0) {
              searchRoot = right;
              break;
            }
          }
          if (!this.#isIntermediate(parent)) {
            next = parent;
            break;
          }
          node = parent;
          top--;
        }
        if (next !== 0) return next;
        if (top === 0) throw new BpfError('ENOENT', 'get_next_key: no more keys');
      }
    }
    // The leftmost non-intermediate node under searchRoot (intermediate nodes always have two children).
    let next = 0;
    for (let node = searchRoot; node !== 0; ) {
      if (this.#isIntermediate(node)) {
        node = this.#child(node, 0);
      } else {
        next = node;
        node = this.#child(node, 0);
        if (node === 0) node = this.#child(next, 1);
      }
    }
    return next;
  }

  #valueAddress(node: number): number {
    return node + this.#valueOffset;
  }

  lookup(key: Uint8Array): Uint8Array {
    checkLength('key', key, this.spec.key_size);
    const node = this.#lookup({ buf: key, at: 0 });
    if (node === 0) throw new BpfError('ENOENT', 'lookup: no prefix matches the key');
    const at = this.#valueAddress(node);
    return this.arena.bytes.slice(at, at + this.spec.value_size);
  }

  update(key: Uint8Array, value: Uint8Array, flags: number): void {
    checkLength('key', key, this.spec.key_size);
    checkLength('value', value, this.spec.value_size);
    this.#update({ buf: key, at: 0 }, { buf: value, at: 0 }, flags);
  }

  delete(key: Uint8Array): void {
    checkLength('key', key, this.spec.key_size);
    this.#delete({ buf: key, at: 0 });
  }

  getNextKey(key: Uint8Array | undefined): Uint8Array {
    if (key !== undefined) checkLength('key', key, this.spec.key_size);
    const node = this.#nextNode(key === undefined ? undefined : { buf: key, at: 0 });
    const out = new Uint8Array(this.spec.key_size);
    new DataView(out.buffer).setUint32(0, this.#prefixlen(node), true);
    out.set(this.arena.bytes.subarray(node + DATA, node + DATA + this.#dataSize), LPM_KEY_HEADER);
    return out;
  }

  lookupAddress(keyAddress: number): number {
    const node = this.#lookup({ buf: this.arena.bytes, at: keyAddress });
    return node === 0 ? 0 : this.#valueAddress(node);
  }

  updateAt(keyAddress: number, valueAddress: number, flags: number): number {
    // The key and value are copied first: a new node may grow the memory (and `bytes` with it).
    const key = this.arena.bytes.slice(keyAddress, keyAddress + this.spec.key_size);
    const value = this.arena.bytes.slice(valueAddress, valueAddress + this.spec.value_size);
    return asErrno(() => this.#update({ buf: key, at: 0 }, { buf: value, at: 0 }, flags));
  }

  deleteAt(keyAddress: number): number {
    return asErrno(() => this.#delete({ buf: this.arena.bytes, at: keyAddress }));
  }
}


/** The MAP_TYPES entry for BPF_MAP_TYPE_LPM_TRIE: trie_alloc's checks, every one EINVAL. */
export const lpmTrieSupport: MapTypeSupport = {
  allowedFlags: MapFlag.NO_PREALLOC | MapFlag.NUMA_NODE | ACCESS_FLAGS,
  check(spec) {
    if (spec.max_entries === 0) throw specError('EINVAL', spec, 'max_entries must be at least 1');
    if ((spec.map_flags & MapFlag.NO_PREALLOC) === 0) throw specError('EINVAL', spec, 'an LPM trie needs BPF_F_NO_PREALLOC in map_flags');
    const min = LPM_KEY_HEADER + LPM_DATA_SIZE_MIN;
    const max = LPM_KEY_HEADER + LPM_DATA_SIZE_MAX;
    if (spec.key_size < min || spec.key_size > max) {
      throw specError('EINVAL', spec, `key_size must be ${min}..${max} (a u32 prefixlen and 1..${LPM_DATA_SIZE_MAX} data bytes), got ${spec.key_size}`);
    }
    if (spec.value_size < 1 || spec.value_size > LPM_VAL_SIZE_MAX) {
      throw specError('EINVAL', spec, `value_size must be 1..${LPM_VAL_SIZE_MAX}, got ${spec.value_size}`);
    }
  },
  create: (spec, arena) => new LpmTrieMap(spec, arena),
};
