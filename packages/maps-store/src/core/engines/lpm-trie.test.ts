import { BpfError, MapFlag, MapType, UpdateFlag, errnoNumber } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { Arena } from '../arena.js';
import { type MapSpec, checkCommonSpec } from '../spec.js';
import { LPM_VAL_SIZE_MAX, type LpmTrieMap, lpmTrieSupport } from './lpm-trie.js';

const spec = (key_size: number, value_size: number, max_entries: number, map_flags: number = MapFlag.NO_PREALLOC): MapSpec => ({
  map_type: MapType.LPM_TRIE,
  key_size,
  value_size,
  max_entries,
  map_flags,
});

/** What createMap does once the type is registered: the common checks, the type's, then create. */
function make(s: MapSpec, arena = new Arena({ initialPages: 4 })): LpmTrieMap {
  checkCommonSpec(s, lpmTrieSupport.allowedFlags);
  lpmTrieSupport.check(s);
  return lpmTrieSupport.create(s, arena, 1) as LpmTrieMap;
}

/** `struct bpf_lpm_trie_key_u8`: prefixlen (little-endian u32), then the data bytes. */
const key = (prefixlen: number, data: ArrayLike<number>): Uint8Array => {
  const out = new Uint8Array(4 + data.length);
  new DataView(out.buffer).setUint32(0, prefixlen, true);
  out.set(data, 4);
  return out;
};
const ipv4 = (address: string): number[] => address.split('.').map(Number);
/** An IPv6 address in network order (`::` expanded). */
const ipv6 = (address: string): number[] => {
  const [head, tail] = address.split('::') as [string, string | undefined];
  const groups = (part: string | undefined): number[] => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
  const h = groups(head);
  const t = groups(tail);
  const all = [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
  return all.flatMap((g) => [g >> 8, g & 0xff]);
};
const v4 = (cidr: string): Uint8Array => {
  const [address, len] = cidr.split('/') as [string, string];
  return key(Number(len), ipv4(address));
};
const v6 = (cidr: string): Uint8Array => {
  const [address, len] = cidr.split('/') as [string, string];
  return key(Number(len), ipv6(address));
};
const u32 = (n: number): Uint8Array => new Uint8Array(new Uint32Array([n]).buffer);
const u64 = (n: number | bigint): Uint8Array => new Uint8Array(new BigUint64Array([BigInt(n)]).buffer);
const readU32 = (b: Uint8Array): number => new DataView(b.buffer, b.byteOffset).getUint32(0, true);
const readU64 = (b: Uint8Array): bigint => new DataView(b.buffer, b.byteOffset).getBigUint64(0, true);
/** A key as "a.b.c.d/len" (IPv4 tries). */
const cidr4 = (k: Uint8Array): string => `${[...k.subarray(4)].join('.')}/${readU32(k)}`;

const errnoOf = (run: () => unknown): number => {
  try {
    run();
    return 0;
  } catch (e) {
    if (e instanceof BpfError) return -errnoNumber(e.code)!;
    throw e;
  }
};

/** Every key, by get_next_key from the start. */
const walk = (m: LpmTrieMap): Uint8Array[] => {
  const out: Uint8Array[] = [];
  let k: Uint8Array | undefined;
  for (;;) {
    try {
      k = m.getNextKey(k);
    } catch (e) {
      expect(e).toMatchObject({ code: 'ENOENT' });
      return out;
    }
    out.push(k);
  }
};

const ENOENT = -2;
const EEXIST = -17;
const EINVAL = -22;
const ENOSPC = -28;

describe('map lpm_trie - create', () => {
  it.each([
    ['without BPF_F_NO_PREALLOC', spec(8, 8, 16, 0), /needs BPF_F_NO_PREALLOC/],
    ['no entries', spec(8, 8, 0), /max_entries must be at least 1/],
    ['a key with no data bytes (key_size 4)', spec(4, 8, 16), /key_size must be 5..260/],
    ['a key with 257 data bytes (key_size 261)', spec(261, 8, 16), /key_size must be 5..260/],
    ['a zero value size', spec(8, 0, 16), /value_size must be 1../],
    ['a value larger than LPM_VAL_SIZE_MAX', spec(8, LPM_VAL_SIZE_MAX + 1, 16), /value_size must be 1../],
    ['BPF_F_NO_COMMON_LRU', spec(8, 8, 16, MapFlag.NO_PREALLOC | MapFlag.NO_COMMON_LRU), /map_flags 0x3 has bits/],
    ['BPF_F_ZERO_SEED', spec(8, 8, 16, MapFlag.NO_PREALLOC | MapFlag.ZERO_SEED), /map_flags 0x41 has bits/],
    ['BPF_F_MMAPABLE', spec(8, 8, 16, MapFlag.NO_PREALLOC | MapFlag.MMAPABLE), /has bits/],
    ['BPF_F_RDONLY_PROG with BPF_F_WRONLY_PROG', spec(8, 8, 16, MapFlag.NO_PREALLOC | MapFlag.RDONLY_PROG | MapFlag.WRONLY_PROG), /exclude each other/],
  ])('map lpm_trie - create %s fails with EINVAL', (_title, s, message) => {
    expect(() => make(s)).toThrow(message);
    expect(() => make(s)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });

  it.each([
    ['the smallest key (1 data byte)', spec(5, 1, 1)],
    ['the largest key (256 data bytes)', spec(260, 8, 1)],
    ['an IPv6 key', spec(20, 8, 1)],
    ['the largest value', spec(8, LPM_VAL_SIZE_MAX, 1)],
    ['BPF_F_NUMA_NODE and access flags', spec(8, 8, 1, MapFlag.NO_PREALLOC | MapFlag.NUMA_NODE | MapFlag.RDONLY)],
  ])('map lpm_trie - create with %s succeeds', (_title, s) => {
    expect(make(s).spec).toEqual(s);
  });
});

describe('map lpm_trie - longest-prefix match', () => {
  const v4trie = (): LpmTrieMap => {
    const m = make(spec(8, 8, 100));
    m.update(v4('10.0.0.0/8'), u64(8), UpdateFlag.ANY);
    m.update(v4('10.1.0.0/16'), u64(16), UpdateFlag.ANY);
    m.update(v4('10.1.2.0/24'), u64(24), UpdateFlag.ANY);
    return m;
  };

  it.each([
    ['10.1.2.3/32', 24],
    ['10.1.3.3/32', 16],
    ['10.2.0.1/32', 8],
    ['10.1.2.3/24', 24],
    ['10.1.2.3/23', 16],
    ['10.1.2.3/16', 16],
    ['10.1.2.3/15', 8],
    ['10.1.2.3/8', 8],
    ['10.255.255.255/32', 8],
  ])('map lpm_trie - 10.0.0.0/8, 10.1.0.0/16, 10.1.2.0/24: lookup %s matches the /%i', (lookup, value) => {
    expect(readU64(v4trie().lookup(v4(lookup)))).toBe(BigInt(value));
  });

  it.each([['11.0.0.1/32'], ['9.255.255.255/32'], ['10.1.2.3/7'], ['10.1.2.3/0'], ['10.1.2.3/33']])(
    'map lpm_trie - lookup %s matches nothing: ENOENT',
    (lookup) => {
      expect(() => v4trie().lookup(v4(lookup))).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    },
  );

  it('map lpm_trie - a /0 default route matches every address, and a /0 lookup', () => {
    const m = v4trie();
    m.update(v4('0.0.0.0/0'), u64(0), UpdateFlag.NOEXIST);
    expect(readU64(m.lookup(v4('11.0.0.1/32')))).toBe(0n);
    expect(readU64(m.lookup(v4('10.1.2.3/0')))).toBe(0n);
    expect(readU64(m.lookup(v4('10.1.2.3/32')))).toBe(24n);
  });

  it('map lpm_trie - an empty trie matches nothing', () => {
    expect(() => make(spec(8, 8, 4)).lookup(v4('1.2.3.4/32'))).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });

  it('map lpm_trie - the selftest addresses (test_lpm_ipaddr): IPv4 and IPv6', () => {
    const m4 = make(spec(8, 8, 100));
    const m6 = make(spec(20, 8, 100));
    m4.update(v4('192.168.0.0/16'), u64(1), UpdateFlag.ANY);
    m4.update(v4('192.168.0.0/24'), u64(2), UpdateFlag.ANY);
    m4.update(v4('192.168.128.0/24'), u64(3), UpdateFlag.ANY);
    m4.update(v4('192.168.1.0/24'), u64(5), UpdateFlag.ANY);
    m4.update(v4('192.168.0.0/23'), u64(4), UpdateFlag.ANY);
    m6.update(v6('2a00:1450:4001:814::200e/64'), u64(0xdeadbeef), UpdateFlag.ANY);
    expect(readU64(m4.lookup(v4('192.168.128.23/32')))).toBe(3n);
    expect(readU64(m4.lookup(v4('192.168.0.1/32')))).toBe(2n);
    expect(readU64(m4.lookup(v4('192.168.1.1/32')))).toBe(5n);
    expect(readU64(m4.lookup(v4('192.168.0.0/23')))).toBe(4n);
    expect(readU64(m4.lookup(v4('192.168.2.1/32')))).toBe(1n);
    expect(readU64(m6.lookup(v6('2a00:1450:4001:814::/128')))).toBe(0xdeadbeefn);
    expect(readU64(m6.lookup(v6('2a00:1450:4001:814::1/128')))).toBe(0xdeadbeefn);
    expect(errnoOf(() => m4.lookup(v4('10.0.0.1/32')))).toBe(ENOENT);
    expect(errnoOf(() => m4.lookup(v4('11.11.11.11/32')))).toBe(ENOENT);
    expect(errnoOf(() => m6.lookup(v6('2a00:ffff::/128')))).toBe(ENOENT);
  });

  it('map lpm_trie - IPv6: nested prefixes /32 /48 /64 /128 and a sibling', () => {
    const m = make(spec(20, 4, 16));
    for (const [p, v] of [
      ['2001:db8::/32', 32],
      ['2001:db8:1::/48', 48],
      ['2001:db8:1:2::/64', 64],
      ['2001:db8:1:2::1/128', 128],
      ['2001:db8:8000::/33', 33],
    ] as const) {
      m.update(v6(p), u32(v), UpdateFlag.NOEXIST);
    }
    expect(readU32(m.lookup(v6('2001:db8:1:2::1/128')))).toBe(128);
    expect(readU32(m.lookup(v6('2001:db8:1:2::2/128')))).toBe(64);
    expect(readU32(m.lookup(v6('2001:db8:1:3::/128')))).toBe(48);
    expect(readU32(m.lookup(v6('2001:db8:2::/128')))).toBe(32);
    expect(readU32(m.lookup(v6('2001:db8:8001::/128')))).toBe(33);
    expect(readU32(m.lookup(v6('2001:db8:1:2::1/100')))).toBe(64);
    expect(errnoOf(() => m.lookup(v6('2001:db9::/128')))).toBe(ENOENT);
  });

  // test_lpm_map: random prefixes against a linear reference (tlpm), for 1..16 data bytes.
  it.each(Array.from({ length: 16 }, (_, i) => [i + 1]))(
    'map lpm_trie - %i data bytes: random prefixes match a linear reference, before and after deleting half',
    (size) => {
      let seed = 0xf00ba1 + size;
      const rand = (): number => {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        return seed >>> 8;
      };
      const bitsMatch = (a: ArrayLike<number>, b: ArrayLike<number>, n: number): boolean => {
        for (let i = 0; i < n; i++) if (((a[i >> 3]! ^ b[i >> 3]!) >> (7 - (i & 7))) & 1) return false;
        return true;
      };
      const m = make(spec(4 + size, size + 1, 4096), new Arena({ initialPages: 16 }));
      // The reference: prefixes by "prefixlen/data bits", value = data with prefixlen appended.
      const reference = new Map<string, { len: number; data: number[] }>();
      const id = (len: number, data: ArrayLike<number>): string => `${len}/${Array.from({ length: len }, (_, i) => (data[i >> 3]! >> (7 - (i & 7))) & 1).join('')}`;
      for (let n = 0; n < 256; n++) {
        const data = Array.from({ length: size }, () => rand() & 0xff);
        const len = rand() % (8 * size + 1);
        m.update(key(len, data), new Uint8Array([...data, len]), UpdateFlag.ANY);
        reference.set(id(len, data), { len, data });
      }
      const check = (): void => {
        for (let n = 0; n < 2000; n++) {
          const data = Array.from({ length: size }, () => rand() & 0xff);
          let best: { len: number; data: number[] } | undefined;
          for (const p of reference.values()) if (bitsMatch(p.data, data, p.len) && (!best || p.len > best.len)) best = p;
          const got = errnoOf(() => m.lookup(key(8 * size, data)));
          if (!best) {
            expect(got).toBe(ENOENT);
            continue;
          }
          const value = m.lookup(key(8 * size, data));
          expect(value[size]).toBe(best.len);
          expect(bitsMatch(value, best.data, best.len)).toBe(true);
        }
      };
      check();
      expect(m.count).toBe(reference.size);
      const entries = [...reference.entries()];
      for (const [name, p] of entries.slice(0, Math.floor(entries.length / 2))) {
        m.delete(key(p.len, p.data));
        reference.delete(name);
      }
      expect(m.count).toBe(reference.size);
      check();
    },
  );
});

describe('map lpm_trie - update and delete', () => {
  it('map lpm_trie - update flags (lpm_trie_map_basic_ops: test_lpm_trie_update_flags)', () => {
    const m = make(spec(8, 4, 3));
    const zero = [0, 0, 0, 0];
    expect(errnoOf(() => m.update(key(32, zero), u32(0), UpdateFlag.F_LOCK))).toBe(EINVAL);
    expect(errnoOf(() => m.update(key(32, zero), u32(0), UpdateFlag.NOEXIST | UpdateFlag.EXIST))).toBe(EINVAL);
    expect(errnoOf(() => m.update(key(32, zero), u32(2), UpdateFlag.EXIST))).toBe(ENOENT);
    expect(errnoOf(() => m.update(key(16, zero), u32(1), UpdateFlag.NOEXIST))).toBe(0);
    expect(readU32(m.lookup(key(16, zero)))).toBe(1);
    expect(errnoOf(() => m.update(key(16, zero), u32(1), UpdateFlag.NOEXIST))).toBe(EEXIST);
    expect(errnoOf(() => m.update(key(16, zero), u32(4), UpdateFlag.EXIST))).toBe(0);
    expect(readU32(m.lookup(key(16, zero)))).toBe(4);
    expect(errnoOf(() => m.update(key(16, zero), u32(1), UpdateFlag.ANY))).toBe(0);
    expect(readU32(m.lookup(key(16, zero)))).toBe(1);
    // A prefix of the first node that does not exist yet.
    expect(errnoOf(() => m.update(key(8, zero), u32(2), UpdateFlag.EXIST))).toBe(ENOENT);
    expect(errnoOf(() => m.update(key(8, zero), u32(2), UpdateFlag.NOEXIST))).toBe(0);
    expect(readU32(m.lookup(key(8, zero)))).toBe(2);
    // A sibling of the first node: 0.128.0.0/9.
    const sibling = key(9, [0, 0x80, 0, 0]);
    expect(errnoOf(() => m.update(sibling, u32(5), UpdateFlag.NOEXIST))).toBe(0);
    expect(readU32(m.lookup(sibling))).toBe(5);
    expect(errnoOf(() => m.update(sibling, u32(3), UpdateFlag.ANY))).toBe(0);
    expect(readU32(m.lookup(sibling))).toBe(3);
    // Deleting /8, which has two children, leaves it as an intermediate node: not an element.
    expect(errnoOf(() => m.delete(key(8, zero)))).toBe(0);
    expect(errnoOf(() => m.update(key(8, zero), u32(2), UpdateFlag.EXIST))).toBe(ENOENT);
    expect(errnoOf(() => m.delete(key(8, zero)))).toBe(ENOENT);
    expect(m.count).toBe(2);
  });

  it('map lpm_trie - a full trie refuses a new prefix with ENOSPC but replaces existing ones (test_lpm_trie_update_full_map)', () => {
    const m = make(spec(8, 4, 3));
    const zero = [0, 0, 0, 0];
    const sibling = key(9, [0, 0x80, 0, 0]);
    expect(errnoOf(() => m.update(key(16, zero), u32(0), UpdateFlag.NOEXIST))).toBe(0);
    expect(errnoOf(() => m.update(key(8, zero), u32(1), UpdateFlag.NOEXIST))).toBe(0);
    expect(errnoOf(() => m.update(sibling, u32(2), UpdateFlag.NOEXIST))).toBe(0);
    expect(errnoOf(() => m.update(key(32, zero), u32(3), UpdateFlag.ANY))).toBe(ENOSPC);
    // EXIST on a missing prefix is ENOENT before the map is found full.
    expect(errnoOf(() => m.update(key(32, zero), u32(3), UpdateFlag.EXIST))).toBe(ENOENT);
    expect(errnoOf(() => m.update(key(16, zero), u32(4), UpdateFlag.EXIST))).toBe(0);
    expect(readU32(m.lookup(key(16, zero)))).toBe(4);
    expect(errnoOf(() => m.update(sibling, u32(5), UpdateFlag.ANY))).toBe(0);
    expect(readU32(m.lookup(sibling))).toBe(5);
    // Re-adding a deleted prefix that stayed as an intermediate node counts as a new entry.
    expect(errnoOf(() => m.delete(key(8, zero)))).toBe(0);
    expect(errnoOf(() => m.update(key(12, zero), u32(6), UpdateFlag.NOEXIST))).toBe(0);
    expect(errnoOf(() => m.update(key(8, zero), u32(7), UpdateFlag.NOEXIST))).toBe(ENOSPC);
  });

  it('map lpm_trie - delete removes exactly the prefix (test_lpm_delete)', () => {
    const m = make(spec(8, 8, 100));
    m.update(v4('192.168.0.0/16'), u64(1), UpdateFlag.ANY);
    m.update(v4('192.168.0.0/24'), u64(2), UpdateFlag.ANY);
    m.update(v4('192.168.128.0/24'), u64(3), UpdateFlag.ANY);
    m.update(v4('192.168.1.0/24'), u64(4), UpdateFlag.ANY);
    expect(errnoOf(() => m.lookup(v4('10.0.0.1/32')))).toBe(ENOENT);
    expect(errnoOf(() => m.delete(v4('192.255.0.0/30')))).toBe(ENOENT);
    expect(errnoOf(() => m.delete(v4('192.255.0.0/16')))).toBe(ENOENT);
    // The intermediate node 192.168.0.0/23 is not an element.
    expect(errnoOf(() => m.delete(v4('192.168.0.0/23')))).toBe(ENOENT);
    expect(readU64(m.lookup(v4('192.168.0.1/32')))).toBe(2n);
    expect(errnoOf(() => m.delete(v4('192.168.0.0/24')))).toBe(0);
    expect(readU64(m.lookup(v4('192.168.0.1/32')))).toBe(1n);
    expect(errnoOf(() => m.delete(v4('192.168.1.0/24')))).toBe(0);
    expect(readU64(m.lookup(v4('192.168.1.1/32')))).toBe(1n);
    expect(errnoOf(() => m.delete(v4('192.168.0.0/16')))).toBe(0);
    expect(readU64(m.lookup(v4('192.168.128.1/32')))).toBe(3n);
    expect(errnoOf(() => m.delete(v4('192.168.128.0/24')))).toBe(0);
    expect(errnoOf(() => m.lookup(v4('192.168.128.1/32')))).toBe(ENOENT);
    expect(m.count).toBe(0);
    expect(walk(m)).toEqual([]);
  });

  it.each([
    ['update with prefixlen 33 on an IPv4 trie fails with EINVAL', (m: LpmTrieMap) => m.update(v4('1.2.3.4/33'), u64(1), UpdateFlag.ANY), EINVAL],
    ['delete with prefixlen 33 fails with EINVAL', (m: LpmTrieMap) => m.delete(v4('1.2.3.4/33')), EINVAL],
    ['delete of a missing prefix fails with ENOENT', (m: LpmTrieMap) => m.delete(v4('1.2.3.0/24')), ENOENT],
    ['delete of a longer prefix under an existing one fails with ENOENT', (m: LpmTrieMap) => m.delete(v4('10.1.0.0/16')), ENOENT],
    ['delete of a shorter prefix over an existing one fails with ENOENT', (m: LpmTrieMap) => m.delete(v4('10.0.0.0/7')), ENOENT],
    ['a key of the wrong size fails with EINVAL', (m: LpmTrieMap) => m.lookup(new Uint8Array(7)), EINVAL],
    ['a value of the wrong size fails with EINVAL', (m: LpmTrieMap) => m.update(v4('1.0.0.0/8'), new Uint8Array(4), UpdateFlag.ANY), EINVAL],
    ['an unknown update flag fails with EINVAL', (m: LpmTrieMap) => m.update(v4('1.0.0.0/8'), u64(1), 8), EINVAL],
    ['get_next_key with a key of the wrong size fails with EINVAL', (m: LpmTrieMap) => m.getNextKey(new Uint8Array(9)), EINVAL],
  ])('map lpm_trie - %s', (_title, run, errno) => {
    const m = make(spec(8, 8, 16));
    m.update(v4('10.0.0.0/8'), u64(8), UpdateFlag.ANY);
    expect(errnoOf(() => run(m))).toBe(errno);
    expect(m.count).toBe(1);
  });

  it('map lpm_trie - data bits past the prefixlen are kept as given (get_next_key returns them, as Linux)', () => {
    const m = make(spec(8, 8, 16));
    m.update(v4('10.1.2.3/8'), u64(1), UpdateFlag.ANY);
    expect(readU64(m.lookup(v4('10.200.0.0/32')))).toBe(1n);
    expect(walk(m).map(cidr4)).toEqual(['10.1.2.3/8']);
    // The same prefix with other trailing bits is the same element: it replaces it.
    expect(errnoOf(() => m.update(v4('10.9.9.9/8'), u64(2), UpdateFlag.NOEXIST))).toBe(EEXIST);
    m.update(v4('10.9.9.9/8'), u64(2), UpdateFlag.EXIST);
    expect(walk(m).map(cidr4)).toEqual(['10.9.9.9/8']);
    m.delete(v4('10.0.0.0/8'));
    expect(m.count).toBe(0);
  });
});

describe('map lpm_trie - get_next_key', () => {
  it("map lpm_trie - the kernel's example trie comes out in post-order: /24s left to right, then the /16", () => {
    const m = make(spec(8, 8, 100));
    for (const p of ['192.168.0.0/16', '192.168.0.0/24', '192.168.128.0/24', '192.168.1.0/24']) m.update(v4(p), u64(1), UpdateFlag.ANY);
    expect(walk(m).map(cidr4)).toEqual(['192.168.0.0/24', '192.168.1.0/24', '192.168.128.0/24', '192.168.0.0/16']);
  });

  it('map lpm_trie - get_next_key step by step (test_lpm_get_next_key)', () => {
    const m = make(spec(8, 4, 100));
    const next = (k: string | undefined): string => cidr4(m.getNextKey(k === undefined ? undefined : v4(k)));
    const last = (k: string): number => errnoOf(() => m.getNextKey(v4(k)));
    expect(errnoOf(() => m.getNextKey(undefined))).toBe(ENOENT);

    m.update(v4('192.168.0.0/16'), u32(0), UpdateFlag.ANY);
    expect(next(undefined)).toBe('192.168.0.0/16');
    expect(last('192.168.0.0/16')).toBe(ENOENT);
    // A key that is not in the trie starts over.
    expect(next('192.168.0.0/8')).toBe('192.168.0.0/16');

    m.update(v4('192.168.128.0/24'), u32(0), UpdateFlag.ANY);
    expect(next(undefined)).toBe('192.168.128.0/24');
    expect(next('192.168.128.0/24')).toBe('192.168.0.0/16');
    expect(last('192.168.0.0/16')).toBe(ENOENT);

    m.update(v4('192.168.0.0/24'), u32(0), UpdateFlag.ANY);
    expect(next(undefined)).toBe('192.168.0.0/24');
    expect(next('192.168.0.0/24')).toBe('192.168.128.0/24');
    expect(next('192.168.128.0/24')).toBe('192.168.0.0/16');
    expect(last('192.168.0.0/16')).toBe(ENOENT);

    m.update(v4('192.168.1.0/24'), u32(0), UpdateFlag.ANY);
    expect(next(undefined)).toBe('192.168.0.0/24');
    expect(next('192.168.0.0/24')).toBe('192.168.1.0/24');
    expect(next('192.168.1.0/24')).toBe('192.168.128.0/24');
    expect(next('192.168.128.0/24')).toBe('192.168.0.0/16');
    expect(last('192.168.0.0/16')).toBe(ENOENT);

    m.update(v4('192.168.1.128/28'), u32(0), UpdateFlag.ANY);
    expect(next(undefined)).toBe('192.168.0.0/24');
    expect(next('192.168.0.0/24')).toBe('192.168.1.128/28');
    expect(next('192.168.1.128/28')).toBe('192.168.1.0/24');
    expect(next('192.168.1.0/24')).toBe('192.168.128.0/24');
    expect(next('192.168.128.0/24')).toBe('192.168.0.0/16');
    expect(last('192.168.0.0/16')).toBe(ENOENT);

    // Not in the trie (192.168.0.0/23 is only an intermediate node; /22 is absent): the first key.
    expect(next('192.168.1.0/22')).toBe('192.168.0.0/24');
    expect(next('192.168.0.0/23')).toBe('192.168.0.0/24');
    // A prefixlen past the maximum: the first key.
    expect(next('192.168.1.0/33')).toBe('192.168.0.0/24');
  });

  /** Post-order of the prefix tree: a longer prefix before one that covers it, else bit 0 before bit 1. */
  const postOrder = (a: { len: number; data: number[] }, b: { len: number; data: number[] }): number => {
    const n = Math.min(a.len, b.len);
    for (let i = 0; i < n; i++) {
      const x = (a.data[i >> 3]! >> (7 - (i & 7))) & 1;
      const y = (b.data[i >> 3]! >> (7 - (i & 7))) & 1;
      if (x !== y) return x - y;
    }
    return b.len - a.len;
  };

  it.each([
    ['IPv4', 4, 200],
    ['IPv6', 16, 400],
    ['1-byte', 1, 120],
  ])('map lpm_trie - %s: get_next_key visits every prefix exactly once, in post-order, through inserts and deletes', (_t, size, count) => {
    let seed = 12345 + size;
    const rand = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed >>> 8;
    };
    const m = make(spec(4 + size, 4, 4096), new Arena({ initialPages: 16 }));
    const prefixes = new Map<string, { len: number; data: number[] }>();
    for (let n = 0; n < count; n++) {
      // Prefixes cluster (a few shared leading bytes) so the trie has depth and intermediate nodes.
      const len = rand() % (8 * size + 1);
      const data = Array.from({ length: size }, (_, i) => (i === 0 ? rand() % 4 : rand() & 0xff));
      for (let bit = len; bit < 8 * size; bit++) data[bit >> 3]! &= ~(0x80 >> (bit & 7));
      prefixes.set(`${len}:${data.join('.')}`, { len, data });
      m.update(key(len, data), u32(n), UpdateFlag.ANY);
    }
    const check = (): void => {
      const want = [...prefixes.values()].sort(postOrder).map((p) => key(p.len, p.data));
      const got = walk(m);
      expect(got).toEqual(want);
      expect(m.count).toBe(prefixes.size);
    };
    check();
    const names = [...prefixes.keys()];
    for (let i = 0; i < names.length; i += 3) {
      const p = prefixes.get(names[i]!)!;
      m.delete(key(p.len, p.data));
      prefixes.delete(names[i]!);
    }
    check();
  });
});

describe('map lpm_trie - program side and memory', () => {
  it('map lpm_trie - a program gets the value address of the longest match, NULL for none', () => {
    const arena = new Arena({ initialPages: 4 });
    const m = make(spec(8, 8, 16), arena);
    m.update(v4('10.0.0.0/8'), u64(8), UpdateFlag.ANY);
    const k = arena.alloc(8);
    arena.bytes.set(v4('10.1.2.3/32'), k);
    const value = m.lookupAddress(k);
    expect(arena.view.getBigUint64(value, true)).toBe(8n);
    arena.view.setBigUint64(value, 9n, true);
    expect(readU64(m.lookup(v4('10.0.0.0/8')))).toBe(9n);
    arena.bytes.set(v4('11.1.2.3/32'), k);
    expect(m.lookupAddress(k)).toBe(0);
    arena.bytes.set(v4('10.1.2.3/33'), k);
    expect(m.lookupAddress(k)).toBe(0);
  });

  it('map lpm_trie - program update and delete return 0 or a negative errno (ENOSPC included)', () => {
    const arena = new Arena({ initialPages: 4 });
    const m = make(spec(8, 4, 1), arena);
    const k = arena.alloc(8);
    const v = arena.alloc(8);
    arena.bytes.set(v4('10.0.0.0/8'), k);
    arena.view.setUint32(v, 77, true);
    expect(m.updateAt(k, v, UpdateFlag.NOEXIST)).toBe(0);
    expect(m.updateAt(k, v, UpdateFlag.NOEXIST)).toBe(EEXIST);
    expect(m.updateAt(k, v, 3)).toBe(EINVAL);
    expect(readU32(m.lookup(v4('10.0.0.0/8')))).toBe(77);
    arena.bytes.set(v4('11.0.0.0/8'), k);
    expect(m.updateAt(k, v, UpdateFlag.ANY)).toBe(ENOSPC);
    expect(m.updateAt(k, v, UpdateFlag.EXIST)).toBe(ENOENT);
    expect(m.deleteAt(k)).toBe(ENOENT);
    arena.bytes.set(v4('11.0.0.0/40'), k);
    expect(m.deleteAt(k)).toBe(EINVAL);
    expect(m.updateAt(k, v, UpdateFlag.ANY)).toBe(EINVAL);
    arena.bytes.set(v4('10.0.0.0/8'), k);
    expect(m.deleteAt(k)).toBe(0);
    expect(m.count).toBe(0);
  });

  it('map lpm_trie - replacing a prefix gives a new value address; a held pointer keeps the old value (as Linux)', () => {
    const arena = new Arena({ initialPages: 4 });
    const m = make(spec(8, 8, 16), arena);
    m.update(v4('10.0.0.0/8'), u64(1), UpdateFlag.ANY);
    const k = arena.alloc(8);
    arena.bytes.set(v4('10.0.0.1/32'), k);
    const before = m.lookupAddress(k);
    m.update(v4('10.0.0.0/8'), u64(2), UpdateFlag.ANY);
    const after = m.lookupAddress(k);
    expect(after).not.toBe(before);
    expect(arena.view.getBigUint64(before, true)).toBe(1n);
    expect(arena.view.getBigUint64(after, true)).toBe(2n);
  });

  it('map lpm_trie - a deleted node is reused only after a grace period', () => {
    const arena = new Arena({ initialPages: 4 });
    const m = make(spec(8, 8, 16), arena);
    m.update(v4('10.0.0.0/8'), u64(1), UpdateFlag.ANY);
    const k = arena.alloc(8);
    arena.bytes.set(v4('10.0.0.1/32'), k);
    const held = m.lookupAddress(k);
    m.delete(v4('10.0.0.0/8'));
    m.update(v4('10.0.0.0/8'), u64(2), UpdateFlag.ANY);
    const second = m.lookupAddress(k);
    expect(second).not.toBe(held);
    expect(arena.view.getBigUint64(held, true)).toBe(1n);
    m.delete(v4('10.0.0.0/8'));
    arena.quiescent();
    m.update(v4('10.0.0.0/8'), u64(3), UpdateFlag.ANY);
    expect([held, second]).toContain(m.lookupAddress(k));
  });

  it('map lpm_trie - memory is given back: insert and delete 1000 prefixes, then nothing is left allocated but the root', () => {
    const arena = new Arena({ initialPages: 4 });
    const base = arena.allocated;
    const m = make(spec(8, 8, 2000), arena);
    const afterCreate = arena.allocated;
    expect(afterCreate - base).toBe(8);
    for (let i = 0; i < 1000; i++) m.update(key(8 + (i % 25), [i & 0xff, (i * 7) & 0xff, i >> 8, 0]), u64(i), UpdateFlag.ANY);
    for (const k of walk(m)) m.delete(k);
    expect(m.count).toBe(0);
    expect(arena.allocated).toBe(afterCreate);
  });
});
