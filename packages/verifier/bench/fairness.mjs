#!/usr/bin/env node
/**
 * Fairness of the verifier service (issue 9): how long a tiny program and a $SRV.PING wait for
 * their answer while a program of about 1,000,000 processed instructions (heavy-program.mjs) is
 * being verified, with verification on the service's own thread (VERIFIER_WORKERS=0, as before
 * the worker pool) and on worker threads. Starts a NATS server (testkit) and dist/main.js; needs
 * `npm run build` in packages/verifier and packages/testkit first.
 *
 *   node bench/fairness.mjs [rounds] [--workers N] [--json]
 *
 * Prints, per mode, the median over the rounds of: the tiny program's answer while idle, the
 * tiny program's and PING's answer sent right after the heavy one, and the heavy one's answer.
 */
import { spawn } from 'node:child_process';
import { URL, fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { connect } from '@nats-io/transport-node';
import { startNatsServer } from '@bpfhive/testkit';
import { Subjects, assemble, encode, toBase64 } from '@bpfhive/uapi';
import { HEAVY_MAP, heavyProgramSource } from './heavy-program.mjs';

const args = process.argv.slice(2);
const json = args.includes('--json');
const rounds = Number(args.find((a) => /^\d+$/.test(a)) ?? 3);
const workersAt = args.indexOf('--workers');
const workers = workersAt >= 0 ? args[workersAt + 1] : '2';
const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

const wire = (text) => toBase64(encode(assemble(text)));
const HEAVY = JSON.stringify({ prog_type: 'xdp', insns: wire(heavyProgramSource()), license: 'GPL', maps: [HEAVY_MAP] });
const WARM = JSON.stringify({ prog_type: 'xdp', insns: wire(heavyProgramSource(200)), license: 'GPL', maps: [HEAVY_MAP] });
const TINY = JSON.stringify({ prog_type: 'xdp', insns: wire('r0 = 2\nexit'), license: 'GPL', maps: [] });

function startService(natsUrl, verifierWorkers) {
  const child = spawn(process.execPath, [MAIN], { env: { ...process.env, NATS_URL: natsUrl, VERIFIER_WORKERS: verifierWorkers }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => d.toString().includes('serving') && resolve(child));
    child.once('exit', (code) => reject(new Error(`verifier exited with ${code}`)));
  });
}

/** Milliseconds from now until `promise` settles. */
async function timed(promise) {
  const start = performance.now();
  await promise;
  return performance.now() - start;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const nats = await startNatsServer();
const nc = await connect({ servers: nats.url, noAsyncTraces: true });
const request = (body) => nc.request(Subjects.internalVerify, body, { timeout: 120_000 });
const results = [];
try {
  for (const [mode, verifierWorkers] of [['main thread (VERIFIER_WORKERS=0)', '0'], [`worker pool (VERIFIER_WORKERS=${workers})`, workers]]) {
    const child = await startService(nats.url, verifierWorkers);
    // Warm-up: every worker has verified a loop once (V8 optimised it), as in a long-running service.
    await Promise.all(Array.from({ length: 8 }, () => request(WARM)));
    const samples = { tiny_idle_ms: [], tiny_during_heavy_ms: [], ping_during_heavy_ms: [], heavy_ms: [] };
    for (let r = 0; r < rounds; r++) {
      samples.tiny_idle_ms.push(await timed(request(TINY)));
      const heavy = timed(request(HEAVY));
      await nc.flush();
      const [tiny, ping] = await Promise.all([timed(request(TINY)), timed(nc.request('$SRV.PING.verifier', '', { timeout: 120_000 }))]);
      samples.tiny_during_heavy_ms.push(tiny);
      samples.ping_during_heavy_ms.push(ping);
      samples.heavy_ms.push(await heavy);
    }
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    results.push({ mode, rounds, ...Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, Math.round(median(v) * 10) / 10])) });
  }
} finally {
  await nc.close();
  await nats.stop();
}

if (json) console.log(JSON.stringify(results));
else {
  console.log(`verifier fairness: medians of ${rounds} rounds, a ~1,000,000-instruction program being verified`);
  for (const r of results) {
    console.log(`  ${r.mode}: tiny idle ${r.tiny_idle_ms} ms; during the heavy one: tiny ${r.tiny_during_heavy_ms} ms, PING ${r.ping_during_heavy_ms} ms; heavy ${r.heavy_ms} ms`);
  }
  const [before, after] = results;
  console.log(`  tiny program during a heavy one: ${Math.round(before.tiny_during_heavy_ms / after.tiny_during_heavy_ms)}x sooner with the pool`);
}
