#!/usr/bin/env node
/* global performance, WebAssembly */
/**
 * eBPF benchmark: the programs in bench/programs/*.c, each compiled once for BPF (run on the
 * reference interpreter and on the WebAssembly JIT) and once natively (bench/native/driver.c),
 * all timed in ONE run with the same method, and reported as ratios to native.
 *
 *   npm run bench                   # builds the workspace, then this; prints a table
 *   npm run -s bench -- --json      # the same as one JSON document on stdout (-s: no npm banner)
 *   node bench/run.mjs --quick      # fewer, shorter rounds (a smoke run; numbers are noisier)
 *
 * Method (native and JS alike): calibrate N so that one round of N calls takes about
 * ROUND_MS; time ROUNDS rounds, native, native-scalar and JIT rounds alternating; ns per call =
 * round time / N, reported as the median round; a ratio is the median of per-round ratios.
 * Every engine must return what native returns on the same input, or the run aborts.
 * Progress goes to stderr; stdout carries only the table or the JSON.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { AddressSpace, Interpreter, JitProgram, KERNEL_DATA_SIZE, KernelDataBlock, compile, inlineMapsLookupHelper, kernelDataHelpers } from '@bpfhive/jit';
import { decode } from '@bpfhive/uapi';
import { checkHashLookups } from './hash-lookup-check.mjs';
import { hashcountPackets, setupHashcount, writeHashcountInput } from './hashcount.mjs';
import { helperCallBench } from './helper-call.mjs';
import { formatMapsBench, runMapsBench } from './maps.mjs';
import { formatProgLoadBench, runProgLoadBench } from './prog-load.mjs';
import { formatVerifierBench, runVerifierBench } from './verifier.mjs';
import { formatXdpBench, runXdpBench } from './xdp.mjs';
import { prng, syntheticProgram } from './synthetic-program.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const BUILD = join(HERE, '.build');
const INPUTS = join(BUILD, 'inputs');

const argv = process.argv.slice(2);
const JSON_OUT = argv.includes('--json');
const QUICK = argv.includes('--quick');
for (const a of argv) if (!['--json', '--quick'].includes(a)) fail(`unknown option ${a} (use --json, --quick)`);

/** Native / JIT rounds: many short ones, so that most rounds run undisturbed on a busy machine. */
const ROUNDS = QUICK ? 7 : 121;
const ROUND_MS = QUICK ? 3 : 4;
/** The interpreter is timed on its own: fewer, longer rounds (its ratios are in the thousands). */
const INTERP_ROUNDS = QUICK ? 3 : 11;
const INTERP_ROUND_MS = 20;
/** Warm-up before timing the JIT, so V8 has tiered the module up (Liftoff -> TurboFan). */
const JIT_WARMUP_MS = QUICK ? 50 : 300;
const INTERP_WARMUP_MS = QUICK ? 20 : 100;
const BATCH = 256;
const PACKET_SLOT = 128;

/** Runnable programs, in report order. */
const PROGRAMS = ['alu', 'collatz', 'memsum', 'parse'];
/** Programs run over the batch of packets only (JitProgram.runBatch against the driver's loop). */
const BATCH_PROGRAMS = ['arraycount', 'hashcount'];
/** eBPF-only programs: the JIT against itself (ktime: a helper inlined or called). */
const EBPF_ONLY = ['ktime'];
/**
 * Maps the programs name, by ELF symbol: where they live in the engines' memory, as inline map
 * descriptors (a map reference becomes the map's pointer, a plain constant, as the kernel rewrites it).
 */
const MAPS = {
  arraycount_counts: { kind: 'array', pointer: 0x5000, valuesBase: 0x6000, stride: 16, maxEntries: 256 },
  // A maps-store HASH map: its descriptor (and real pointer) come from the engine at run time (hashcount.mjs).
  hashcount_counts: { kind: 'hash', pointer: 0x5040 },
};
/** Calls of bpf_ktime_get_ns per run of ktime. */
const KTIME_CALLS = 1024;
const PENDING = {};
/** The issue's targets: JIT/native median ratio. */
const TARGETS = { alu: 1.25, collatz: 1.25, memsum: 1.25, parse_batch: 1.3 };
const COMPILE_TARGET_MS = 5;
const SYNTHETIC_INSNS = 4096;

/**
 * Layout of the engines' memory (wasm memory offsets; the interpreter maps the same image at INPUT):
 * stack 0x2000..0x4000 below FP, map pointers from 0x5000 (never dereferenced), arraycount's
 * values 0x6000..0x7000, the CPU's kernel data block at KERNEL_DATA, the input at INPUT.
 */
const FP = 0x4000; // 16 frames x 512 bytes of stack below it: 0x2000..0x4000
const KERNEL_DATA = 0x7000;
const INPUT = 0x10000;

const log = (...a) => {
  if (!JSON_OUT) console.error(...a);
};

function fail(message) {
  console.error(`bench: ${message}`);
  process.exit(1);
}

// ---------------------------------------------------------------------------------------------
// Build: BPF objects -> extracted sections, and the native driver. Rebuilt when inputs change.

function sha(...parts) {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex');
}

function sh(cmd, args) {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    fail(`${cmd} ${args.join(' ')} failed:\n${e.stderr || e.message}`);
  }
}

/** Runs `build` unless `out` exists and was built from the same inputs (a .sha stamp beside it). */
function cached(out, key, build) {
  const stamp = `${out}.sha`;
  if (existsSync(out) && existsSync(stamp) && readFileSync(stamp, 'utf8') === key) return false;
  build();
  writeFileSync(stamp, key);
  return true;
}

const BPF_FLAGS = ['-O2', '-target', 'bpf', '-mcpu=v3', '-Wall', '-Wextra'];
const NATIVE_FLAGS = ['-O2', '-Wall', '-Wextra'];
/** A second native build without auto-vectorization: eBPF has no SIMD, so this isolates that effect. */
const NATIVE_SCALAR_FLAGS = [...NATIVE_FLAGS, '-fno-vectorize', '-fno-slp-vectorize'];

function build() {
  mkdirSync(BUILD, { recursive: true });
  const header = readFileSync(join(HERE, 'programs', 'bench.h'));
  const clangVersion = sh('clang', ['--version']).split('\n')[0];
  const built = [];
  const objects = {};
  for (const name of [...PROGRAMS, ...BATCH_PROGRAMS, ...EBPF_ONLY, ...Object.keys(PENDING)]) {
    const src = join(HERE, 'programs', `${name}.c`);
    const obj = join(BUILD, `${name}.bpf.o`);
    const bin = join(BUILD, `${name}.bpf.bin`);
    const key = sha(clangVersion, BPF_FLAGS.join(' '), header, readFileSync(src));
    if (cached(obj, key, () => sh('clang', [...BPF_FLAGS, '-c', src, '-o', obj]))) built.push(`${name}.bpf.o`);
    const relocs = sh('llvm-objdump', ['-r', obj]);
    const relocations = relocationsOf(relocs, `bench/${name}`);
    objects[name] = { relocated: relocations.length > 0, relocations };
    if (name in PENDING) continue;
    const unknown = relocations.filter((r) => !(r.symbol in MAPS));
    if (unknown.length > 0) fail(`${name}.bpf.o has relocations in bench/${name} to ${unknown.map((r) => r.symbol).join(', ')}: only the maps in MAPS are resolved (no ELF loader yet):\n${relocs}`);
    cached(bin, sha(key, 'objcopy'), () => sh('llvm-objcopy', ['-O', 'binary', `--only-section=bench/${name}`, obj, bin]));
  }
  const driverSrc = join(HERE, 'native', 'driver.c');
  const driverKey = [readFileSync(driverSrc), header, ...[...PROGRAMS, ...BATCH_PROGRAMS].map((p) => readFileSync(join(HERE, 'programs', `${p}.c`)))];
  for (const [exe, flags] of [
    ['driver', NATIVE_FLAGS],
    ['driver-scalar', NATIVE_SCALAR_FLAGS],
  ]) {
    const out = join(BUILD, exe);
    if (cached(out, sha(clangVersion, flags.join(' '), ...driverKey), () => sh('clang', [...flags, '-o', out, driverSrc]))) built.push(exe);
  }
  log(built.length ? `built ${built.join(', ')} (${clangVersion})` : `build up to date (${clangVersion})`);
  return { clangVersion, objects };
}

/** The relocation records of `section` in llvm-objdump -r output: [{ offset (bytes), symbol }]. */
function relocationsOf(text, section) {
  const out = [];
  const lines = text.split('\n');
  let at = lines.findIndex((l) => l.trim() === `RELOCATION RECORDS FOR [${section}]:`);
  if (at < 0) return out;
  for (at += 2; at < lines.length && lines[at].trim() !== ''; at++) {
    const [offset, type, symbol] = lines[at].trim().split(/\s+/);
    if (type !== 'R_BPF_64_64') fail(`${section}: relocation ${type} to ${symbol}: only lddw of a map (R_BPF_64_64) is resolved`);
    out.push({ offset: parseInt(offset, 16), symbol });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Inputs: generated here (deterministically), read by the native driver from files.

function u64s(values) {
  const b = new Uint8Array(values.length * 8);
  const v = new DataView(b.buffer);
  values.forEach((x, i) => v.setBigUint64(i * 8, BigInt.asUintN(64, x), true));
  return b;
}

/** Ethernet + IPv4 (+ options) + TCP/UDP with a correct header checksum unless told otherwise. */
function packet({ etherType = 0x0800, proto = 6, ihl = 5, ttl = 64, frag = 0x4000, sport = 40000, dport = 80, flags = 0x10, doff = 5, payload = 0, badChecksum = false, truncate }) {
  const l4Len = proto === 6 ? doff * 4 : 8;
  const len = 14 + ihl * 4 + l4Len + payload;
  const p = new Uint8Array(len);
  const v = new DataView(p.buffer);
  p.set([0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2]);
  v.setUint16(12, etherType);
  const ip = 14;
  p[ip] = 0x40 | ihl;
  v.setUint16(ip + 2, len - 14);
  v.setUint16(ip + 4, 0x1234);
  v.setUint16(ip + 6, frag);
  p[ip + 8] = ttl;
  p[ip + 9] = proto;
  v.setUint32(ip + 12, 0x0a000001);
  v.setUint32(ip + 16, 0x0a000002);
  for (let i = 20; i < ihl * 4; i++) p[ip + i] = 1; // NOP options
  let sum = 0;
  for (let i = 0; i < ihl * 4; i += 2) sum += v.getUint16(ip + i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
  v.setUint16(ip + 10, (~sum & 0xffff) ^ (badChecksum ? 0x0101 : 0));
  const l4 = ip + ihl * 4;
  v.setUint16(l4, sport);
  v.setUint16(l4 + 2, dport);
  if (proto === 6) {
    v.setUint32(l4 + 4, 1000);
    p[l4 + 12] = doff << 4;
    p[l4 + 13] = flags;
    v.setUint16(l4 + 14, 65535);
  }
  return truncate === undefined ? p : p.slice(0, truncate);
}

/** The single packet `parse` is timed on: valid TCP that goes down the longest path (XDP_PASS at the end). */
const SINGLE_PACKET = packet({ dport: 8080, flags: 0x10, ihl: 5, payload: 10 });

function batchPackets() {
  const rnd = prng(7);
  const r = (n) => Number(rnd() % BigInt(n));
  const out = [];
  for (let i = 0; i < BATCH; i++) {
    const kind = r(100);
    const base = { dport: [80, 443, 22, 7, 8080, 53, 25, 5000][r(8)], flags: [0x10, 0x02, 0x12, 0x18, 0x03, 0x06][r(6)], ihl: r(4) === 0 ? 5 + r(3) : 5, payload: r(20) };
    let spec;
    if (kind < 70) spec = base; // plain TCP
    else if (kind < 78) spec = { ...base, proto: 17 }; // UDP
    else if (kind < 84) spec = { ...base, etherType: 0x86dd }; // IPv6: passed
    else if (kind < 89) spec = { ...base, badChecksum: true };
    else if (kind < 93) spec = { ...base, frag: 0x2000 | r(100) };
    else if (kind < 96) spec = { ...base, ttl: 1 };
    else spec = { ...base, truncate: 10 + r(40) };
    const p = packet(spec);
    if (p.length > PACKET_SLOT) fail('batch packet larger than its slot');
    out.push(p);
  }
  return out;
}

function writeInputs() {
  mkdirSync(INPUTS, { recursive: true });
  const rnd = prng(42);
  const inputs = {
    alu: u64s([rnd(), rnd(), 4096n]),
    collatz: u64s([1_000_000n, 400n]),
    memsum: u64s(Array.from({ length: 65536 / 8 }, rnd)),
    parse: SINGLE_PACKET,
  };
  for (const [name, bytes] of Object.entries(inputs)) writeFileSync(join(INPUTS, `${name}.bin`), bytes);
  const packets = batchPackets();
  const head = new Uint32Array([BATCH, PACKET_SLOT, ...packets.map((p) => p.length)]);
  const body = new Uint8Array(BATCH * PACKET_SLOT);
  packets.forEach((p, i) => body.set(p, i * PACKET_SLOT));
  writeFileSync(join(INPUTS, 'parse_batch.bin'), Buffer.concat([new Uint8Array(head.buffer), body]));
  return { inputs, packets };
}

// ---------------------------------------------------------------------------------------------
// Timing, the driver's method in JS.

const nowNs = () => process.hrtime.bigint();
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Calls per round so that one round of `fn` takes about `ms` (the driver's calibration). */
function calibrate(fn, ms = ROUND_MS) {
  const target = ms * 1e6;
  for (let n = 1; ; n *= 4) {
    const t0 = nowNs();
    for (let i = 0; i < n; i++) fn();
    const dt = Number(nowNs() - t0);
    if (dt >= target / 4 || n >= 2 ** 30) return Math.max(1, Math.round((n * target) / Math.max(dt, 1)));
  }
}

/** ns per call over one round of n calls. */
function round(fn, n) {
  const t0 = nowNs();
  for (let i = 0; i < n; i++) fn();
  return Number(nowNs() - t0) / n;
}

function warmUp(fn, ms) {
  const until = performance.now() + ms;
  do fn();
  while (performance.now() < until);
}

/** ns per call of `fn` alone: the median of INTERP_ROUNDS calibrated rounds (used for the interpreter). */
function timeIt(fn, { warmupMs = 0, perCall = 1 } = {}) {
  warmUp(fn, warmupMs);
  const n = calibrate(fn, INTERP_ROUND_MS);
  const per = Array.from({ length: INTERP_ROUNDS }, () => round(fn, n) / perCall);
  return { ns: median(per), min_ns: Math.min(...per), calls_per_round: n };
}

/** The native driver in --serve mode: rounds on command, so they can alternate with the JIT's. */
function startDriver(exe) {
  const child = spawn(join(BUILD, exe), [INPUTS, '--serve'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const waiting = [];
  lines.on('line', (line) => waiting.shift()?.resolve(line));
  child.on('exit', (code) => {
    for (const w of waiting.splice(0)) w.reject(new Error(`${exe} exited (${code})`));
  });
  const ask = (command) =>
    new Promise((resolve, reject) => {
      waiting.push({ resolve, reject });
      child.stdin.write(`${command}\n`);
    });
  return {
    calibrate: async (name) => Number(await ask(`calibrate ${name} ${ROUND_MS}`)),
    round: async (name, n) => Number(await ask(`round ${name} ${n}`)),
    result: async (name) => JSON.parse(await ask(`result ${name}`)),
    close: () => child.stdin.end(),
  };
}

// ---------------------------------------------------------------------------------------------
// Engines. setup*() builds both engines for one benchmark and checks their results against
// native; the returned closures are what gets timed.

/**
 * The program's instructions, each map reference (a lddw the object relocates) rewritten into the
 * map's pointer as a plain constant: what the kernel hands its JIT.
 */
function loadProgram(name, relocations = []) {
  const insns = decode(new Uint8Array(readFileSync(join(BUILD, `${name}.bpf.bin`))));
  const bySlot = new Map();
  let slot = 0;
  insns.forEach((insn, i) => {
    bySlot.set(slot, i);
    slot += insn.opcode === 0x18 ? 2 : 1;
  });
  for (const { offset, symbol } of relocations) {
    const i = bySlot.get(offset / 8);
    if (i === undefined || insns[i].opcode !== 0x18) fail(`${name}: relocation at ${offset} is not on a lddw`);
    insns[i] = { ...insns[i], src: 0, imm: MAPS[symbol].pointer, imm2: 0 };
  }
  return insns;
}

function jitFor(insns, bytesNeeded, { options = {}, instance = {}, memory } = {}) {
  const pages = Math.ceil(bytesNeeded / 65536) + 1;
  const shape = { initial: pages, maximum: pages, shared: true };
  const compiled = compile(insns, { ...options, memory: shape });
  memory ??= new WebAssembly.Memory(shape);
  return { compiled, memory, jit: new JitProgram(compiled, { memory, ...instance }) };
}

/** Memory image at INPUT for each program: what r1 points at. */
function image(name, inputs) {
  if (name !== 'parse') return inputs[name];
  // ctx { u32 data, u32 data_end } then the packet at INPUT + 64
  const img = new Uint8Array(64 + SINGLE_PACKET.length);
  const v = new DataView(img.buffer);
  v.setUint32(0, INPUT + 64, true);
  v.setUint32(4, INPUT + 64 + SINGLE_PACKET.length, true);
  img.set(SINGLE_PACKET, 64);
  return img;
}

function check(what, got, want) {
  if (BigInt(got) !== BigInt(want)) fail(`RESULT MISMATCH: ${what} returned ${got} but native returned ${want}; not timing a wrong answer`);
}

function setupProgram(name, inputs, native) {
  const insns = loadProgram(name);
  const img = image(name, inputs);
  const args = [BigInt(INPUT), BigInt(img.length)];
  const want = native[name].result;

  // Interpreter: the same image at the same address.
  const interp = new Interpreter(insns, { maxSteps: 100_000_000 });
  const space = new AddressSpace([{ name: 'input', base: BigInt(INPUT), bytes: img.slice(), writable: true }]);
  const runInterp = () => interp.execute({ memory: space, args }).r0;
  check(`${name} on the interpreter`, runInterp(), want);

  const { compiled, memory, jit } = jitFor(insns, INPUT + img.length);
  new Uint8Array(memory.buffer).set(img, INPUT);
  const runJit = () => jit.run(args, BigInt(FP));
  check(`${name} on the JIT`, runJit(), want);
  // memsum: the JIT vectorizes its loop (wasm SIMD); the same JIT with `vectorize: false`, timed
  // in the same rounds, shows what that is worth (JSON: jit_scalar_ns, jit_scalar_native_ratio).
  const extras = [];
  if (compiled.stats.vectorizedLoops > 0) {
    const scalar = jitFor(insns, INPUT + img.length, { options: { vectorize: false }, memory });
    const runScalar = () => scalar.jit.run(args, BigInt(FP));
    check(`${name} on the JIT without vectorization`, runScalar(), want);
    extras.push({ ns: 'jit_scalar_ns', ratio: 'jit_scalar_native_ratio', run: runScalar });
  }

  return {
    name,
    perCall: 1,
    runInterp,
    runJit,
    ...(extras.length > 0 && { extras }),
    verify: () => check(`${name} on the JIT after timing`, runJit(), want),
    info: { instructions: insns.length, result: want, vectorized_loops: compiled.stats.vectorizedLoops, compile: compileTimes(insns, compiled) },
  };
}

/**
 * The batch at INPUT: BATCH contexts { u32 data, data_end } (8 bytes each), then the packets in
 * slots of PACKET_SLOT bytes, then BATCH u64 results. Offsets relative to INPUT.
 */
function batchImage(packets) {
  const ctxs = 0;
  const pkts = BATCH * 8;
  const out = pkts + BATCH * PACKET_SLOT;
  const size = out + BATCH * 8;
  const img = new Uint8Array(size);
  const v = new DataView(img.buffer);
  packets.forEach((p, i) => {
    const at = INPUT + pkts + i * PACKET_SLOT;
    v.setUint32(ctxs + i * 8, at, true);
    v.setUint32(ctxs + i * 8 + 4, at + p.length, true);
    img.set(p, pkts + i * PACKET_SLOT);
  });
  const ctxArgs = packets.map((_, i) => [BigInt(INPUT + ctxs + i * 8), 0n]);
  return { img, ctxs, out, size, ctxArgs };
}

/** parse over BATCH packets: JitProgram.runBatch inside wasm, vs the driver's loop over the same packets. */
function setupParseBatch(packets, native) {
  const insns = loadProgram('parse');
  const { img, ctxs, out, size, ctxArgs } = batchImage(packets);
  const want = native.parse_batch_verdicts;
  if (want?.length !== BATCH) fail(`native driver ran ${want?.length} packets, expected ${BATCH}`);

  const interp = new Interpreter(insns);
  const space = new AddressSpace([{ name: 'input', base: BigInt(INPUT), bytes: img.slice(), writable: true }]);
  const interpVerdicts = new Array(BATCH);
  const runInterp = () => {
    for (let i = 0; i < BATCH; i++) interpVerdicts[i] = interp.execute({ memory: space, args: ctxArgs[i] }).r0;
  };
  runInterp();
  interpVerdicts.forEach((r, i) => check(`parse of batch packet ${i} on the interpreter`, r, want[i]));

  const { memory, jit } = jitFor(insns, INPUT + size);
  new Uint8Array(memory.buffer).set(img, INPUT);
  const runJit = () => jit.runBatch(INPUT + ctxs, 8, BATCH, INPUT + out, BigInt(FP));
  const verify = () => {
    const results = new BigUint64Array(memory.buffer, INPUT + out, BATCH);
    results.forEach((r, i) => check(`parse of batch packet ${i} on the JIT (runBatch)`, r, want[i]));
    results.fill(0xdeadn);
  };
  runJit();
  verify();
  // The same packets through JitProgram.run(), one call from JS each: what crossing into wasm costs.
  const singles = new BigUint64Array(BATCH);
  const runJitSingles = () => {
    for (let i = 0; i < BATCH; i++) singles[i] = jit.run(ctxArgs[i], BigInt(FP));
  };
  runJitSingles();
  singles.forEach((r, i) => check(`parse of batch packet ${i} on the JIT (run)`, r, want[i]));

  return {
    name: 'parse_batch',
    perCall: BATCH,
    runInterp,
    runJit,
    extras: [{ ns: 'jit_run_per_packet_ns', ratio: 'jit_run_native_ratio', run: runJitSingles }],
    verify,
    info: { batch: BATCH, verdicts: summarize(want) },
  };
}

/**
 * arraycount over BATCH packets: runBatch with its ARRAY lookups inlined (address arithmetic),
 * vs the driver's loop; and, in the same rounds, the JIT calling bpf_map_lookup_elem as a
 * JavaScript helper. All engines must give native's verdicts, and the counters one batch leaves
 * must be the same on the interpreter, the inlined JIT and the JIT calling the helper.
 */
function setupArraycount(packets, native, objects) {
  const insns = loadProgram('arraycount', objects.arraycount.relocations);
  const map = MAPS.arraycount_counts;
  const valuesBytes = map.stride * map.maxEntries;
  const { img, ctxs, out, size, ctxArgs } = batchImage(packets);
  const want = native.verdicts;
  if (want?.length !== BATCH) fail(`native driver ran ${want?.length} arraycount packets, expected ${BATCH}`);
  const helpers = inlineMapsLookupHelper([map]);

  const interp = new Interpreter(insns, { helpers });
  const values = new Uint8Array(valuesBytes);
  const space = new AddressSpace([
    { name: 'input', base: BigInt(INPUT), bytes: img.slice(), writable: true },
    { name: 'arraycount_counts values', base: BigInt(map.valuesBase), bytes: values, writable: true },
  ]);
  const interpVerdicts = new Array(BATCH);
  const runInterp = () => {
    for (let i = 0; i < BATCH; i++) interpVerdicts[i] = interp.execute({ memory: space, args: ctxArgs[i] }).r0;
  };
  runInterp();
  interpVerdicts.forEach((r, i) => check(`arraycount of batch packet ${i} on the interpreter`, r, want[i]));
  const counters = Buffer.from(values).toString('hex');

  const batchOn = (options, label) => {
    const { compiled, memory, jit } = jitFor(insns, INPUT + size, { options, instance: { helpers } });
    new Uint8Array(memory.buffer).set(img, INPUT);
    const run = () => jit.runBatch(INPUT + ctxs, 8, BATCH, INPUT + out, BigInt(FP));
    const verify = () => {
      const results = new BigUint64Array(memory.buffer, INPUT + out, BATCH);
      results.forEach((r, i) => check(`arraycount of batch packet ${i} on the JIT (${label})`, r, want[i]));
      results.fill(0xdeadn);
    };
    run();
    verify();
    const left = Buffer.from(new Uint8Array(memory.buffer, map.valuesBase, valuesBytes)).toString('hex');
    if (left !== counters) fail(`RESULT MISMATCH: arraycount's counters after one batch on the JIT (${label}) differ from the interpreter's`);
    return { compiled, run, verify };
  };
  const inlined = batchOn({ maps: [map] }, 'lookups inlined');
  if (inlined.compiled.stats.inlinedCalls !== 1) fail(`arraycount: the JIT inlined ${inlined.compiled.stats.inlinedCalls} lookups, expected 1`);
  const called = batchOn({}, 'lookups called');

  return {
    name: 'arraycount_batch',
    perCall: BATCH,
    runInterp,
    runJit: inlined.run,
    extras: [{ ns: 'jit_helper_per_packet_ns', ratio: 'jit_helper_native_ratio', run: called.run }],
    verify: () => {
      inlined.verify();
      called.verify();
    },
    info: { batch: BATCH, instructions: insns.length, verdicts: summarize(want), inlined_calls: inlined.compiled.stats.inlinedCalls },
  };
}

/**
 * bpf_ktime_get_ns inlined (a load from the CPU's kernel data block) against the same call through
 * a JavaScript helper (reading the same block): ktime makes KTIME_CALLS calls per run; both JITs,
 * and the interpreter, must return the same sum. Timed in alternating rounds.
 */
function benchKtime() {
  const insns = loadProgram('ktime');
  const input = u64s([BigInt(KTIME_CALLS)]);
  const args = [BigInt(INPUT), BigInt(input.length)];
  const setup = (options, instance) => {
    const { memory, jit } = jitFor(insns, INPUT + input.length, { options, instance });
    new Uint8Array(memory.buffer).set(input, INPUT);
    new KernelDataBlock(memory, KERNEL_DATA).set({ ktimeNs: 1_700_000_000_123_456_789n });
    return () => jit.run(args, BigInt(FP));
  };
  const helpers = kernelDataHelpers(BigInt(KERNEL_DATA));
  const inlined = setup({ inlineKernelData: true }, { kernelData: KERNEL_DATA });
  const called = setup({}, { helpers });
  const block = new Uint8Array(KERNEL_DATA_SIZE);
  new DataView(block.buffer).setBigUint64(0, 1_700_000_000_123_456_789n, true);
  const space = new AddressSpace([
    { name: 'input', base: BigInt(INPUT), bytes: input.slice(), writable: true },
    { name: 'kernel data', base: BigInt(KERNEL_DATA), bytes: block, writable: true },
  ]);
  const want = new Interpreter(insns, { helpers }).execute({ memory: space, args }).r0;
  check('ktime on the JIT (inlined)', inlined(), want);
  check('ktime on the JIT (helper)', called(), want);

  warmUp(inlined, JIT_WARMUP_MS);
  warmUp(called, JIT_WARMUP_MS);
  const n = { inlined: calibrate(inlined), called: calibrate(called) };
  const t = { inlined: [], called: [] };
  for (let r = 0; r < ROUNDS; r++) {
    t.inlined.push(round(inlined, n.inlined) / KTIME_CALLS);
    t.called.push(round(called, n.called) / KTIME_CALLS);
  }
  check('ktime on the JIT (inlined) after timing', inlined(), want);
  return {
    calls_per_run: KTIME_CALLS,
    inlined_ns_per_call: median(t.inlined),
    helper_ns_per_call: median(t.called),
    helper_inlined_ratio: median(t.called.map((c, i) => c / t.inlined[i])),
  };
}

function summarize(verdicts) {
  const names = ['XDP_ABORTED', 'XDP_DROP', 'XDP_PASS', 'XDP_TX'];
  const counts = {};
  for (const v of verdicts) counts[names[v] ?? v] = (counts[names[v] ?? v] ?? 0) + 1;
  return counts;
}

// ---------------------------------------------------------------------------------------------
// Compile times.

/**
 * compile() wall time: `first_ms` is the program's first compile (for the synthetic program, the
 * first compile in this process: the compiler itself still cold in V8); `median_ms` is the median
 * of COMPILE_REPEATS compiles after COMPILE_WARMUP more (the compiler warm, as in a long-running
 * kernel). `v8_module_ms` is `new WebAssembly.Module(bytes)`: V8 validates eagerly but compiles
 * functions lazily on first call, so it is small and not the whole cost of getting to a first run.
 */
const COMPILE_WARMUP = QUICK ? 3 : 15;
const COMPILE_REPEATS = QUICK ? 5 : 21;

function compileTimes(insns, compiled) {
  for (let i = 0; i < COMPILE_WARMUP; i++) compile(insns, { memory: compiled.memory });
  const ms = [];
  for (let i = 0; i < COMPILE_REPEATS; i++) ms.push(compile(insns, { memory: compiled.memory }).stats.compileMs);
  const v8 = [];
  for (let i = 0; i < COMPILE_REPEATS; i++) {
    const t0 = performance.now();
    new WebAssembly.Module(compiled.bytes);
    v8.push(performance.now() - t0);
  }
  return {
    instructions: insns.length,
    first_ms: compiled.stats.compileMs,
    median_ms: median(ms),
    min_ms: Math.min(...ms),
    v8_module_ms: median(v8),
    module_bytes: compiled.stats.moduleBytes,
    structured: compiled.stats.structured,
  };
}

function benchSyntheticCompile() {
  const insns = syntheticProgram(SYNTHETIC_INSNS);
  const { compiled, jit } = jitFor(insns, INPUT); // the process's first compile: cold
  const viaJit = jit.run([0n], BigInt(FP));
  const viaInterp = new Interpreter(insns).execute({ memory: new AddressSpace(), args: [0n] }).r0;
  if (viaJit !== viaInterp) fail(`synthetic program: JIT returned ${viaJit}, interpreter ${viaInterp}`);
  const times = compileTimes(insns, compiled);
  return { ...times, target_ms: COMPILE_TARGET_MS, meets_target: times.median_ms < COMPILE_TARGET_MS, cold_meets_target: times.first_ms < COMPILE_TARGET_MS };
}

// ---------------------------------------------------------------------------------------------

/**
 * For each benchmark, ROUNDS rounds of about ROUND_MS each alternate in time between native,
 * native-scalar and the JIT (and, for the batch, JitProgram.run per packet): a benchmark's ratio
 * is the median of the ratios of rounds taken back to back, so bursts of load on a noisy machine
 * hit both sides of a ratio alike. The interpreter (ratios in the thousands) is timed on its own.
 */
async function main() {
  const started = performance.now();
  const { clangVersion, objects } = build();
  const { inputs, packets } = writeInputs();
  const hashcountInput = hashcountPackets();
  writeHashcountInput(INPUTS, hashcountInput);
  const names = [...PROGRAMS, 'parse_batch', 'arraycount_batch', 'hashcount_batch'];

  // The synthetic compile first: the process's first compile is the cold-compiler number.
  log(`JIT compile of a synthetic ${SYNTHETIC_INSNS}-instruction program …`);
  const synthetic = benchSyntheticCompile();
  log('hash lookups: the JIT\'s in wasm against the maps-store engine\'s …');
  const hashCheck = checkHashLookups({ quick: QUICK });

  const native = startDriver('driver');
  const scalar = startDriver('driver-scalar');
  const rows = [];
  try {
    log('checking every engine against native …');
    const reference = {};
    for (const name of names) {
      const r = await native.result(name);
      const s = await scalar.result(name);
      if (r.result !== s.result || String(r.parse_batch_verdicts) !== String(s.parse_batch_verdicts) || String(r.verdicts) !== String(s.verdicts)) {
        fail(`RESULT MISMATCH: ${name}: the native and native-scalar builds disagree (${r.result} vs ${s.result})`);
      }
      reference[name] = r;
    }
    const benches = [
      ...PROGRAMS.map((name) => setupProgram(name, inputs, reference)),
      setupParseBatch(packets, { parse_batch_verdicts: reference.parse_batch.parse_batch_verdicts }),
      setupArraycount(packets, reference.arraycount_batch, objects),
      setupHashcount({
        insns: loadProgram('hashcount', objects.hashcount.relocations),
        pointer: MAPS.hashcount_counts.pointer,
        packets: hashcountInput,
        verdicts: reference.hashcount_batch.verdicts,
        check,
        summarize,
      }),
    ];

    for (const b of benches) {
      log(`${b.name}: ${ROUNDS} rounds native / native-scalar / JIT, then the interpreter …`);
      const per = b.perCall;
      warmUp(b.runJit, JIT_WARMUP_MS);
      const extras = b.extras ?? [];
      const n = { native: await native.calibrate(b.name), scalar: await scalar.calibrate(b.name), jit: calibrate(b.runJit), extras: [] };
      for (const e of extras) {
        warmUp(e.run, 50);
        n.extras.push(calibrate(e.run));
      }
      const t = { native: [], scalar: [], jit: [], extras: extras.map(() => []) };
      for (let r = 0; r < ROUNDS; r++) {
        t.native.push((await native.round(b.name, n.native)) / per);
        t.scalar.push((await scalar.round(b.name, n.scalar)) / per);
        t.jit.push(round(b.runJit, n.jit) / per);
        extras.forEach((e, k) => t.extras[k].push(round(e.run, n.extras[k]) / per));
      }
      b.verify();
      const interp = timeIt(b.runInterp, { warmupMs: INTERP_WARMUP_MS, perCall: per });

      const ratios = (xs, ys) => xs.map((x, i) => x / ys[i]);
      const row = {
        program: b.name,
        ...b.info,
        native_ns: median(t.native),
        native_scalar_ns: median(t.scalar),
        interp_ns: interp.ns,
        jit_ns: median(t.jit),
        jit_native_ratio: median(ratios(t.jit, t.native)),
        // The fastest rounds of each side: the least disturbed by other load.
        jit_native_ratio_of_min: Math.min(...t.jit) / Math.min(...t.native),
        interp_native_ratio: interp.ns / median(t.native),
        jit_native_scalar_ratio: median(ratios(t.jit, t.scalar)),
        calls_per_round: n,
      };
      extras.forEach((e, k) => {
        row[e.ns] = median(t.extras[k]);
        row[e.ratio] = median(ratios(t.extras[k], t.native));
      });
      if (b.name in TARGETS) {
        row.target_ratio = TARGETS[b.name];
        row.meets_target = row.jit_native_ratio <= TARGETS[b.name];
      }
      rows.push(row);
    }
  } finally {
    native.close();
    scalar.close();
  }

  log(`ktime: bpf_ktime_get_ns inlined against called, ${ROUNDS} alternating rounds …`);
  const ktime = benchKtime();
  log('helper calls: the cost of a call from wasm into JavaScript, step by step …');
  const helperCalls = helperCallBench({ quick: QUICK });

  const pending = Object.entries(PENDING).map(([program, reason]) => ({
    program,
    status: 'pending',
    reason,
    bpf_object_relocations: objects[program]?.relocated ?? null,
    jit_native_ratio: null,
  }));

  const report = {
    when: new Date().toISOString(),
    node: process.version,
    clang: clangVersion,
    cpus: os.cpus().length,
    method: {
      rounds: ROUNDS,
      round_ms: ROUND_MS,
      interp_rounds: INTERP_ROUNDS,
      interp_round_ms: INTERP_ROUND_MS,
      statistic: 'ns: median round (ns per call = round time / calls); ratio: median over rounds of the ratio of rounds run back to back',
      quick: QUICK,
      memory_shared: true,
      bpf_flags: BPF_FLAGS.join(' '),
      native_flags: NATIVE_FLAGS.join(' '),
      native_scalar_flags: NATIVE_SCALAR_FLAGS.join(' '),
    },
    programs: [...rows, ...pending],
    inlining: { ktime, helper_calls: helperCalls, hash_lookup_check: hashCheck },
    compile: { synthetic, programs: Object.fromEntries(rows.filter((r) => r.compile).map((r) => [r.program, r.compile])) },
    maps: runMapsBench({ quick: QUICK }),
    verifier: runVerifierBench(),
    kernel_sim_xdp: await runXdpBench({ quick: QUICK }),
    prog_load: await runProgLoadBench({ quick: QUICK, log }),
    seconds: (performance.now() - started) / 1000,
  };

  if (JSON_OUT) {
    console.log(JSON.stringify(report, null, 2));
    return;
  }
  printTable(report);
}

function printTable(report) {
  const f = (x, d = 1) => (x === undefined || x === null ? '-' : x >= 1e6 ? `${(x / 1e6).toFixed(2)}ms` : x >= 1e4 ? `${(x / 1e3).toFixed(1)}µs` : `${x.toFixed(d)}`);
  const ratio = (x) => (x === undefined || x === null ? '-' : `${x.toFixed(2)}×`);
  const head = ['program', 'native ns', 'native-scalar ns', 'interp ns', 'JIT ns', 'JIT/native', 'target', 'interp/native', 'JIT/scalar'];
  const body = report.programs.map((r) =>
    r.status === 'pending'
      ? [r.program, 'pending', '', '', '', '-', '', '', '']
      : [
          r.program.endsWith('_batch') ? `${r.program.replace(/_batch$/, '')} ×${r.batch} (per pkt)` : r.program,
          f(r.native_ns),
          f(r.native_scalar_ns),
          f(r.interp_ns),
          f(r.jit_ns),
          ratio(r.jit_native_ratio),
          r.target_ratio ? `≤${r.target_ratio} ${r.meets_target ? 'ok' : 'MISS'}` : '',
          ratio(r.interp_native_ratio),
          ratio(r.jit_native_scalar_ratio),
        ],
  );
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => String(b[i]).length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const b of body) console.log(line(b));
  for (const r of report.programs) if (r.status === 'pending') console.log(`  ${r.program}: pending — ${r.reason}`);
  for (const r of report.programs.filter((p) => p.jit_scalar_ns !== undefined)) {
    console.log(`  ${r.program}: the JIT runs its loop vectorized (wasm SIMD); without (vectorize: false) ${f(r.jit_scalar_ns)} ns (${ratio(r.jit_scalar_native_ratio)} native)`);
  }
  const batch = report.programs.find((r) => r.program === 'parse_batch');
  if (batch) console.log(`  the batch's packets one JitProgram.run() each: ${f(batch.jit_run_per_packet_ns)} ns per packet (${ratio(batch.jit_run_native_ratio)} native); verdicts ${JSON.stringify(batch.verdicts)}`);
  const counts = report.programs.find((r) => r.program === 'arraycount_batch');
  if (counts) console.log(`  arraycount with its lookup called as a JavaScript helper instead of inlined: ${f(counts.jit_helper_per_packet_ns)} ns per packet (${ratio(counts.jit_helper_native_ratio)} native); verdicts ${JSON.stringify(counts.verdicts)}`);
  const hashes = report.programs.find((r) => r.program === 'hashcount_batch');
  if (hashes) console.log(`  hashcount (maps-store HASH map, lookup in wasm) with its lookup called as a JavaScript helper instead: ${f(hashes.jit_helper_per_packet_ns)} ns per packet (${ratio(hashes.jit_helper_native_ratio)} native); verdicts ${JSON.stringify(hashes.verdicts)}; wasm and engine lookups agreed ${report.inlining.hash_lookup_check.reduce((n, c) => n + c.lookups, 0)} times`);
  const k = report.inlining.ktime;
  console.log(`  bpf_ktime_get_ns per call (a loop of ${k.calls_per_run}): inlined ${f(k.inlined_ns_per_call, 2)} ns, JavaScript helper ${f(k.helper_ns_per_call, 2)} ns: the helper costs ${ratio(k.helper_inlined_ratio)} the inlined load`);
  console.log('\nHelper calls from wasm into JavaScript, ns per call (bench/helper-call.mjs):');
  for (const r of report.inlining.helper_calls) console.log(`  ${r.name.padEnd(64)} ${f(r.ns).padStart(7)}`);

  console.log('\nJIT compile: compile() wall time, first = first compile (cold), warm = median after warm-up; V8 = new WebAssembly.Module (lazy)');
  const s = report.compile.synthetic;
  const crow = (name, c) =>
    `  ${name.padEnd(22)} ${String(c.instructions).padStart(5)} insns  warm ${c.median_ms.toFixed(3)} ms  first ${c.first_ms.toFixed(2)} ms  V8 ${c.v8_module_ms.toFixed(3)} ms  ${c.module_bytes} B${c.structured ? '' : '  (dispatch loop)'}`;
  // The target is the compile time the jit service gives: it warms the compiler up before it serves
  // (jit/src/core/warm-up.ts), so `first` (a cold process) is reported, not held to it.
  console.log(`${crow('synthetic', s)}  target <${s.target_ms} ms (warm, as the jit service compiles): ${s.meets_target ? 'ok' : 'MISS'}; first in a cold process ${s.cold_meets_target ? 'also under it' : 'over it'}`);
  for (const [name, c] of Object.entries(report.compile.programs)) console.log(crow(name, c));
  console.log(formatMapsBench(report.maps));
  console.log(formatVerifierBench(report.verifier));
  console.log(formatXdpBench(report.kernel_sim_xdp));
  console.log(formatProgLoadBench(report.prog_load));
  console.log(`\n${report.node}, ${report.clang}, ${report.cpus} CPUs; ${report.method.rounds} interleaved rounds of ~${report.method.round_ms} ms; ratio = median of per-round ratios; ${report.seconds.toFixed(1)} s`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e) => fail(e?.stack ?? String(e)));
}
