// Machine instructions per HASH lookup from JavaScript, counted rather than timed (for a loaded
// machine, where wall time says little): run under callgrind twice with a different number of
// rounds; (instructions of the longer run - the shorter's) / (extra lookups) is the cost of one.
//
//   for r in 0 128; do valgrind --tool=callgrind --smc-check=all --callgrind-out-file=/dev/null \
//     node bench/hash-lookup-instructions.mjs packages/maps-store/dist $r addr 2>&1 | grep 'I *refs'; done
//   # per lookup = difference / (128 * 65536); `addr` lookupAddress, `u32` lookupU32
//
// A 64K-entry map (the count does not depend on the table's size; its cache misses do), keys in a
// random order held in the arena, 8 warm-up rounds (WARM=n to change) so V8 and the wasm probe
// have tiered up. The first argument is a maps-store dist directory (another build's, to compare).
import { pathToFileURL } from 'node:url';

const [dir = 'packages/maps-store/dist', roundsArg = '0', which = 'addr'] = process.argv.slice(2);
const M = await import(pathToFileURL(`${dir}/index.js`).href);
const ENTRIES = 1 << 16;
const arena = new M.Arena({ initialPages: 256 });
const hash = M.createMap({ map_type: 1, key_size: 4, value_size: 8, max_entries: ENTRIES, map_flags: 0 }, arena);
const key = new Uint8Array(4);
const kv = new DataView(key.buffer);
const val = new Uint8Array(8);
for (let k = 0; k < ENTRIES; k++) {
  kv.setUint32(0, k, true);
  hash.update(key, val, 0);
}
const n = ENTRIES;
const keys = arena.alloc(n * 4);
const order = new Uint32Array(n);
let x = 2463534242;
for (let i = 0; i < n; i++) {
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  order[i] = (x >>> 0) % ENTRIES;
  arena.view.setUint32(keys + i * 4, order[i], true);
}
const rounds = {
  addr: () => {
    let s = 0;
    for (let i = 0; i < n; i++) s ^= hash.lookupAddress(keys + i * 4, 0);
    return s;
  },
  u32: () => {
    let s = 0;
    for (let i = 0; i < n; i++) s ^= hash.lookupU32(order[i]);
    return s;
  },
};
const round = rounds[which];
if (!round) throw new Error(`unknown lookup "${which}": addr or u32`);
let s = 0;
for (let r = 0; r < Number(process.env.WARM ?? 8); r++) s ^= round();
for (let r = 0; r < Number(roundsArg); r++) s ^= round();
console.log(`${which}: ${roundsArg} rounds of ${n} lookups after warm-up, checksum ${s >>> 0}`);
