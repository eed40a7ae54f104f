#!/usr/bin/env node
/* global performance, setTimeout, clearTimeout */
/**
 * BPF_PROG_LOAD round trip over NATS: a client's `bpf(PROG_LOAD)` of a valid 100-instruction XDP
 * program until its reply (prog_id), through the whole system as `bpfhive up` runs it — a
 * nats-server (@bpfhive/testkit's startNatsServer, always a fresh one on a random port) and the
 * maps-store, verifier, jit and kernel-sim services, each its own process
 * (`node packages/<svc>/dist/main.js`, default configuration: the kernel-sim calls the verifier
 * and the jit over NATS; 4 simulated CPUs).
 *
 *   node bench/prog-load.mjs [--quick] [--json]     # needs the workspace built (npm run build)
 *
 * Method: WARMUP loads first (V8 and the services warm), then LOADS loads one after another
 * (each program closed right after its reply, the close not timed), then the same number from
 * CLIENTS clients at once (each its own NATS connection, each load-then-close in a loop).
 * Latency = performance.now() around client.bpf('PROG_LOAD'); reported p50, p99 and max in ms;
 * loads per second = loads / wall time of the phase (sequential: load round trips only;
 * concurrent: the whole phase, closes included). Every reply must carry a prog_id and the
 * verifier's processed_insns; every close must succeed, and no program may be left loaded.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BpfClient } from '@bpfhive/loader';
import { startNatsServer } from '@bpfhive/testkit';
import { Subjects, assemble, encode } from '@bpfhive/uapi';

const PACKAGES = join(dirname(fileURLToPath(import.meta.url)), '..', 'packages');
/** In start order, as `bpfhive up` starts them (the kernel-sim calls the others). */
const SERVICES = ['maps-store', 'verifier', 'jit', 'kernel-sim'];
const INSNS = 100;
const READY_MS = 60_000;

/**
 * A valid XDP program of exactly `n` instructions: registers initialised, a mix of 64- and 32-bit
 * ALU, stack stores and loads, and forward branches (so the verifier explores a few paths), then
 * XDP_PASS. Deterministic.
 */
export function loadProgramText(n = INSNS) {
  const lines = ['r6 = r1', 'r0 = 0', 'r1 = 1', 'r2 = 2', 'r3 = 3', 'r4 = 4', 'r5 = 5', 'r7 = 7', 'r8 = 8', 'r9 = 9'];
  const regs = ['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r7', 'r8', 'r9'];
  const ops = ['+=', '^=', '|=', '&=', '-=', '*='];
  for (let k = 0; lines.length < n - 2; k++) {
    const a = regs[k % regs.length];
    const b = regs[(k * 5 + 3) % regs.length];
    const left = n - 2 - lines.length;
    if (k % 11 === 10 && left > 3) lines.push(`if ${a} > ${b} goto +1`);
    else if (k % 7 === 6) lines.push(`*(u64 *)(r10 - ${8 * ((k % 4) + 1)}) = ${a}`);
    else if (k % 7 === 3 && k > 7) lines.push(`${a} = *(u64 *)(r10 - ${8 * ((k % 4) + 1)})`);
    else if (k % 5 === 4) lines.push(`w${a.slice(1)} += w${b.slice(1)}`);
    else lines.push(`${a} ${ops[k % ops.length]} ${k % 3 === 0 ? String((k * 37) % 1000) : b}`);
  }
  lines.push('r0 = 2', 'exit');
  return lines.join('\n');
}

/** Starts `node packages/<name>/dist/main.js`; resolves once it prints that it is serving. */
function startService(name, env) {
  const child = spawn(process.execPath, [join(PACKAGES, name, 'dist', 'main.js')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name}: not serving after ${READY_MS} ms:\n${out}`)), READY_MS);
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('serving')) {
        clearTimeout(timer);
        resolve({ name, stop });
      }
    });
    child.stderr.on('data', (d) => (out += d));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before serving:\n${out}`));
    });
  });
}

/** BPF_PROG_LOAD of `insns`; the reply's prog_id (checked: the verifier processed the program). */
async function load(client, insns) {
  const reply = await client.bpf('PROG_LOAD', { prog_type: 'xdp', insns, license: 'GPL', prog_name: 'bench100' });
  const id = Number(reply.prog_id);
  if (!(id > 0) || !(Number(reply.stats?.processed_insns) > 0)) throw new Error(`prog_load: unexpected reply ${JSON.stringify(reply)}`);
  return id;
}

/** Closes program `id` (the close(fd) of its only reference); throws on an error reply. */
async function close(client, id) {
  const reply = await client.nc.request(Subjects.prog(id, 'close'), '{}', { timeout: 30_000 });
  const code = reply.headers?.get('Nats-Service-Error-Code');
  if (code) throw new Error(`prog ${id} close: ${code} ${reply.headers.get('Nats-Service-Error')}`);
}

function stats(ms, wallMs) {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (p) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
  return { loads: ms.length, p50_ms: at(0.5), p99_ms: at(0.99), max_ms: sorted.at(-1), mean_ms: ms.reduce((a, b) => a + b, 0) / ms.length, loads_per_s: (ms.length * 1000) / wallMs };
}

/** One client: `count` load-then-close cycles; the load latencies. */
async function cycles(client, insns, count) {
  const ms = [];
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    const id = await load(client, insns);
    ms.push(performance.now() - t);
    await close(client, id);
  }
  return ms;
}

/** Starts the system, measures, stops everything it started. */
export async function runProgLoadBench({ quick = false, log = () => {} } = {}) {
  const method = { warmup: quick ? 10 : 50, loads: quick ? 40 : 400, clients: 4 };
  const insns = encode(assemble(loadProgramText(INSNS)));
  if (insns.length !== INSNS * 8) throw new Error(`the program has ${insns.length / 8} instructions, wanted ${INSNS}`);
  const { NATS_URL: _ignored, ...baseEnv } = process.env;
  const nats = await startNatsServer({ env: baseEnv, containers: false });
  const data = mkdtempSync(join(tmpdir(), 'bpfhive-bench-prog-load-'));
  const env = { ...baseEnv, NATS_URL: nats.url, MAPS_STORE_DATA: join(data, 'maps') };
  const services = [];
  const clients = [];
  try {
    log(`prog_load: starting nats-server and ${SERVICES.join(', ')} …`);
    for (const name of SERVICES) services.push(await startService(name, env));
    for (let i = 0; i < method.clients; i++) clients.push(await BpfClient.connect({ servers: nats.url, timeoutMs: 30_000, name: `bench-prog-load-${i}` }));
    const [first] = clients;
    log(`prog_load: ${method.warmup} warm-up loads, ${method.loads} sequential, ${method.loads} from ${method.clients} clients at once …`);
    await cycles(first, insns, method.warmup);

    const sequential = [];
    let loadWall = 0;
    for (let i = 0; i < method.loads; i++) {
      const t = performance.now();
      const id = await load(first, insns);
      const ms = performance.now() - t;
      sequential.push(ms);
      loadWall += ms;
      await close(first, id);
    }

    const t0 = performance.now();
    const per = Math.ceil(method.loads / method.clients);
    const concurrent = (await Promise.all(clients.map((c) => cycles(c, insns, per)))).flat();
    const concurrentWall = performance.now() - t0;

    const left = await first.nextId('prog');
    if (left !== undefined) throw new Error(`prog_load bench: program ${left} is still loaded after every close`);
    return {
      instructions: INSNS,
      prog_type: 'xdp',
      services: 'one process each (maps-store, verifier, jit, kernel-sim), nats-server on loopback',
      method,
      sequential: stats(sequential, loadWall),
      concurrent: { clients: method.clients, ...stats(concurrent, concurrentWall) },
    };
  } finally {
    await Promise.all(clients.map((c) => c.close().catch(() => {})));
    for (const s of services.reverse()) await s.stop();
    await nats.stop();
    rmSync(data, { recursive: true, force: true });
  }
}

/** The table lines for bench/run.mjs. */
export function formatProgLoadBench(r) {
  const row = (name, s) =>
    `  ${name.padEnd(22)} p50 ${s.p50_ms.toFixed(2).padStart(6)} ms  p99 ${s.p99_ms.toFixed(2).padStart(6)} ms  max ${s.max_ms.toFixed(2).padStart(6)} ms  ${s.loads_per_s.toFixed(0).padStart(5)} loads/s  (${s.loads} loads)`;
  return [
    `\nprog_load round trip over NATS, a ${r.instructions}-instruction ${r.prog_type} program (client → kernel-sim → verifier, jit → reply; ${r.services}):`,
    row('one client', r.sequential),
    row(`${r.concurrent.clients} clients at once`, r.concurrent),
  ].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const argv = process.argv.slice(2);
  const json = argv.includes('--json');
  const report = await runProgLoadBench({ quick: argv.includes('--quick'), log: (...a) => json || console.error(...a) });
  console.log(json ? JSON.stringify(report, null, 2) : formatProgLoadBench(report));
}
