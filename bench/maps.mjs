// Map engine speed from inside the process (@bpfhive/maps-store): ns per lookup and update on
// 1M-entry hash maps (4-byte keys, and 16-byte keys for the general path) and on a 1M-entry array,
// through the program-side API a helper call uses (key and value addresses in the arena), the
// number-key fast path (HashMap.lookupU32) and the syscall-side API (byte arrays in and out).
// Keys in a random order; each row its own loop (no call site shared between rows); ns = median
// round (wall time), best = fastest round, cpu = median round in this process's CPU time
// (process.cpuUsage: without the time other processes held the CPU, with V8's background threads;
// other processes' cache traffic still counts), the figures least disturbed on a busy machine.
//
//   node bench/maps.mjs [--quick] [--json]               # after building; `npm run bench` runs it too
//   node bench/maps.mjs --against /tmp/maps-old-dist      # the same rows on another build of
//       maps-store (its dist directory; its imports must resolve, e.g. a node_modules link beside
//       it), rounds alternating with this build's: ratio = median of per-round ratios (this / other)
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import * as mapsStore from '@bpfhive/maps-store';

const ENTRIES = 1 << 20;
const HASH = 1;
const ARRAY = 2;

/** The maps, their keys and the rows' loops, built on one maps-store module (`M`). */
function setup(M, n) {
  const arena = new M.Arena({ initialPages: 2048, maximumPages: 16384 });
  const hash = M.createMap({ map_type: HASH, key_size: 4, value_size: 8, max_entries: ENTRIES, map_flags: 0 }, arena);
  const hash16 = M.createMap({ map_type: HASH, key_size: 16, value_size: 8, max_entries: ENTRIES, map_flags: 0 }, arena);
  const array = M.createMap({ map_type: ARRAY, key_size: 4, value_size: 8, max_entries: ENTRIES, map_flags: 0 }, arena);

  // Keys 0..ENTRIES-1 inserted, then looked up in a random order held in the arena (as a program holds its key on the stack).
  const order = new Uint32Array(n);
  let x = 2463534242;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    order[i] = (x >>> 0) % ENTRIES;
  }
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
  const keys = arena.alloc(n * 4);
  const keys16 = arena.alloc(n * 16);
  const value = arena.alloc(8);
  const view = arena.view; // after the allocations: the memory may have grown
  for (let i = 0; i < n; i++) {
    view.setUint32(keys + i * 4, order[i], true);
    view.setUint32(keys16 + i * 16, order[i], true);
    view.setUint32(keys16 + i * 16 + 12, order[i] ^ 0x5a5a5a5a, true);
  }
  const env = { hash, hash16, array, keys, keys16, value, order, key, kv, val, n };
  return ROWS.map((row) => ({ ...row, loop: row.needs && typeof hash[row.needs] !== 'function' ? null : compileLoop(row.body, env) }));
}

/**
 * The rows: each a loop body run for i = 0 … n-1, folding results into `s`. Compiled per build
 * (compileLoop), so two builds never share a call site (and V8's feedback for it).
 */
const ROWS = [
  { map: 'hash (1M, 4-byte key)', op: 'lookup (program side)', target_ns: 40, body: 's ^= hash.lookupAddress(keys + i * 4, 0);' },
  { map: 'hash (1M, 4-byte key)', op: 'lookupU32 (number key)', needs: 'lookupU32', body: 's ^= hash.lookupU32(order[i]);' },
  { map: 'hash (1M, 4-byte key)', op: 'update existing (program side)', body: 's ^= hash.updateAt(keys + i * 4, value, 0, 0);' },
  { map: 'hash (1M, 4-byte key)', op: 'lookup (syscall side, copies)', body: 'kv.setUint32(0, order[i], true); s ^= hash.lookup(key)[0];' },
  { map: 'hash (1M, 4-byte key)', op: 'update existing (syscall side)', body: 'kv.setUint32(0, order[i], true); val[0] = i; hash.update(key, val, 0);' },
  { map: 'hash (1M, 16-byte key)', op: 'lookup (program side)', body: 's ^= hash16.lookupAddress(keys16 + i * 16, 0);' },
  { map: 'hash (1M, 16-byte key)', op: 'update existing (program side)', body: 's ^= hash16.updateAt(keys16 + i * 16, value, 0, 0);' },
  { map: 'array (1M)', op: 'lookup (program side)', target_ns: 10, body: 's ^= array.lookupAddress(keys + i * 4, 0);' },
  { map: 'array (1M)', op: 'update (program side)', body: 's ^= array.updateAt(keys + i * 4, value, 0, 0);' },
];

/** A new function running `body` n times over `env`'s names, returning s. */
function compileLoop(body, env) {
  const names = Object.keys(env);
  return new Function(...names, `return () => { let s = 0; for (let i = 0; i < n; i++) { ${body} } return s; };`)(...names.map((k) => env[k]));
}

/** This process's CPU time in ns (user + system). */
const cpuNs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) * 1000;
};

/** Every loop's result is folded in here (XOR; the report's checksum), so no work can be dropped as unused. */
let sink = 0;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Times every row: `rounds` rounds of `n` operations after one warm-up round. With `against` (a
 * maps-store module), the same rows built on it run in the rounds between this build's.
 */
export function runMapsBench({ quick = false, against } = {}) {
  const rounds = quick ? 3 : 9;
  const n = quick ? 100_000 : 1_000_000;
  const rows = setup(mapsStore, n);
  const others = against ? setup(against, n) : null;
  /** One round of `loop`: [wall ns, CPU ns] per operation. */
  const round = (loop) => {
    const c0 = cpuNs();
    const t0 = process.hrtime.bigint();
    sink ^= loop();
    const wall = Number(process.hrtime.bigint() - t0) / n;
    return [wall, (cpuNs() - c0) / n];
  };
  const out = rows.map((row, r) => {
    const other = others?.[r].loop ?? null;
    const result = { map: row.map, op: row.op, ...(row.target_ns !== undefined && { target_ns: row.target_ns }) };
    if (!row.loop) return { ...result, ns: null };
    round(row.loop);
    if (other) round(other);
    const mine = [];
    const theirs = [];
    for (let k = 0; k < rounds; k++) {
      mine.push(round(row.loop));
      if (other) theirs.push(round(other));
    }
    const ns = mine.map(([wall]) => wall);
    const cpu = median(mine.map(([, c]) => c));
    Object.assign(result, { ns: median(ns), best_ns: Math.min(...ns), cpu_ns: cpu });
    if (row.target_ns !== undefined) Object.assign(result, { meets_target: result.ns <= row.target_ns, cpu_meets_target: cpu <= row.target_ns });
    if (other) {
      const otherNs = theirs.map(([wall]) => wall);
      Object.assign(result, {
        against_ns: median(otherNs),
        ratio: median(ns.map((t, k) => t / otherNs[k])),
        against_cpu_ns: median(theirs.map(([, c]) => c)),
        cpu_ratio: median(mine.map(([, c], k) => c / theirs[k][1])),
      });
    }
    return result;
  });
  return { rows: out, method: { rounds, ops_per_round: n, against: Boolean(against) }, load_average: os.loadavg()[0], checksum: sink >>> 0 };
}

export function formatMapsBench(maps) {
  const f = (x) => (x === null || x === undefined ? '-' : x.toFixed(1));
  const lines = [
    `\nMap engines (in process): ns per operation, median of ${maps.method.rounds} rounds of ${maps.method.ops_per_round} random keys; best round and CPU time beside it; load average ${maps.load_average.toFixed(1)}`,
  ];
  const verdict = (ok) => (ok ? 'ok' : 'MISS');
  for (const r of maps.rows) {
    let target = '';
    if (r.target_ns !== undefined) target = `  target ≤${r.target_ns} ns: ${verdict(r.meets_target)} (CPU time: ${verdict(r.cpu_meets_target)})`;
    let against = '';
    if (r.ratio !== undefined) against = `  other build ${f(r.against_ns)} ns (CPU ${f(r.against_cpu_ns)}), ratio ${r.ratio.toFixed(2)} (CPU ${r.cpu_ratio.toFixed(2)})`;
    const ns = r.ns === null ? 'n/a (no such API in this build)' : `${f(r.ns).padStart(7)} ns (best ${f(r.best_ns)}, CPU ${f(r.cpu_ns)})`;
    lines.push(`  ${r.map.padEnd(24)} ${r.op.padEnd(32)} ${ns}${target}${against}`);
  }
  return lines.join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const argv = process.argv.slice(2);
  const at = argv.indexOf('--against');
  const against = at >= 0 ? await import(pathToFileURL(`${argv[at + 1]}/index.js`).href) : undefined;
  const report = runMapsBench({ quick: argv.includes('--quick'), against });
  console.log(argv.includes('--json') ? JSON.stringify(report, null, 2) : formatMapsBench(report));
}
