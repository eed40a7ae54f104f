// Map engine speed from inside the process (@bpfhive/maps-store): ns per lookup and update on
// 1M-entry hash maps (4-byte keys, and 16-byte keys for the general path) and on a 1M-entry array,
// through the program-side API a helper call uses (key and value addresses in the arena) and
// through the syscall-side API (byte arrays in and out). Median of rounds; keys in a random order.
// Run from the repository root after building: node bench/maps.mjs [--quick]
import { Arena, createMap } from '@bpfhive/maps-store';

const ENTRIES = 1 << 20;
const HASH = 1;
const ARRAY = 2;

/** Median ns per operation of `op(i)` over `rounds` rounds of `n` operations. */
function time(n, rounds, op) {
  const samples = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) op(i);
    samples.push(Number(process.hrtime.bigint() - t0) / n);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

export function runMapsBench({ quick = false } = {}) {
  const rounds = quick ? 3 : 9;
  const n = quick ? 100_000 : 1_000_000;
  const arena = new Arena({ initialPages: 2048, maximumPages: 16384 });
  const hash = createMap({ map_type: HASH, key_size: 4, value_size: 8, max_entries: ENTRIES, map_flags: 0 }, arena);
  const hash16 = createMap({ map_type: HASH, key_size: 16, value_size: 8, max_entries: ENTRIES, map_flags: 0 }, arena);
  const array = createMap({ map_type: ARRAY, key_size: 4, value_size: 8, max_entries: ENTRIES, map_flags: 0 }, arena);

  // Keys 0..ENTRIES-1 inserted, then looked up in a random order held in the arena (as a program holds its key on the stack).
  const order = new Uint32Array(n);
  let x = 2463534242;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    order[i] = (x >>> 0) % ENTRIES;
  }
  const keys = arena.alloc(n * 4);
  const value = arena.alloc(8);
  const view = arena.view;
  for (let i = 0; i < n; i++) view.setUint32(keys + i * 4, order[i], true);
  const key = new Uint8Array(4);
  const kv = new DataView(key.buffer);
  const val = new Uint8Array(8);
  for (let k = 0; k < ENTRIES; k++) {
    kv.setUint32(0, k, true);
    hash.update(key, val, 0);
  }
  // 16-byte keys (a flow 5-tuple's size): the key number in the first and last word.
  const key16 = new Uint8Array(16);
  const kv16 = new DataView(key16.buffer);
  for (let k = 0; k < ENTRIES; k++) {
    kv16.setUint32(0, k, true);
    kv16.setUint32(12, k ^ 0x5a5a5a5a, true);
    hash16.update(key16, val, 0);
  }
  const keys16 = arena.alloc(n * 16);
  const view16 = arena.view; // the memory may have grown
  for (let i = 0; i < n; i++) {
    view16.setUint32(keys16 + i * 16, order[i], true);
    view16.setUint32(keys16 + i * 16 + 12, order[i] ^ 0x5a5a5a5a, true);
  }

  let sink = 0;
  const rows = [
    { map: 'hash (1M, 4-byte key)', op: 'lookup (program side)', target_ns: 40, ns: time(n, rounds, (i) => (sink ^= hash.lookupAddress(keys + i * 4, 0))) },
    { map: 'hash (1M, 4-byte key)', op: 'update existing (program side)', ns: time(n, rounds, (i) => (sink ^= hash.updateAt(keys + i * 4, value, 0, 0))) },
    {
      map: 'hash (1M, 4-byte key)',
      op: 'lookup (syscall side, copies)',
      ns: time(n, rounds, (i) => {
        kv.setUint32(0, order[i], true);
        sink ^= hash.lookup(key)[0];
      }),
    },
    { map: 'hash (1M, 16-byte key)', op: 'lookup (program side)', ns: time(n, rounds, (i) => (sink ^= hash16.lookupAddress(keys16 + i * 16, 0))) },
    { map: 'array (1M)', op: 'lookup (program side)', target_ns: 10, ns: time(n, rounds, (i) => (sink ^= array.lookupAddress(keys + i * 4, 0))) },
    { map: 'array (1M)', op: 'update (program side)', ns: time(n, rounds, (i) => (sink ^= array.updateAt(keys + i * 4, value, 0, 0))) },
  ];
  for (const r of rows) if (r.target_ns !== undefined) r.meets_target = r.ns <= r.target_ns;
  return { rows, sink };
}

export function printMaps(maps) {
  console.log('\nMap engines (in process): ns per operation, median of rounds, random keys');
  for (const r of maps.rows) {
    const target = r.target_ns === undefined ? '' : `  target ≤${r.target_ns} ns: ${r.meets_target ? 'ok' : 'MISS'}`;
    console.log(`  ${r.map.padEnd(24)} ${r.op.padEnd(32)} ${r.ns.toFixed(1).padStart(7)} ns${target}`);
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) {
  printMaps(runMapsBench({ quick: process.argv.includes('--quick') }));
}
