import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { EXIT, QueueGroups, Subjects, decode, fromBase64 } from '@bpfhive/uapi';

/**
 * Integration-test support: a stand-in for the verifier service (until packages/verifier serves
 * bpf.v1.internal.verify) and a way to run another package's service as its own OS process.
 */

export interface VerifyCall {
  readonly prog_type: number;
  readonly license: string;
  readonly maps: unknown[];
}

/**
 * Answers bpf.v1.internal.verify in the verifier's queue group: accepts every program except one
 * that is a lone `exit` (r0 never set), which it rejects with EACCES and a log, as Linux's
 * verifier does. Records the requests it saw.
 */
export function fakeVerifierService(nc: NatsConnection): { calls: VerifyCall[]; subscription: Subscription } {
  const calls: VerifyCall[] = [];
  const subscription = nc.subscribe(Subjects.internalVerify, {
    queue: QueueGroups.verifier,
    callback: (err, msg) => {
      if (err) return;
      const request = msg.json<{ prog_type: number; license: string; insns: string; maps: unknown[] }>();
      calls.push({ prog_type: request.prog_type, license: request.license, maps: request.maps });
      const insns = decode(fromBase64(request.insns, 'insns'));
      const stats = { processed_insns: insns.length, total_states: 0, peak_states: 0 };
      const lone = insns.length === 1 && insns[0]!.opcode === EXIT;
      msg.respond(
        JSON.stringify(
          lone
            ? { verdict: 'reject', errno: 13, error: { insn: 0, message: 'R0 !read_ok' }, log: '0: (95) exit\nR0 !read_ok\nprocessed 1 insns\n', stats }
            : { verdict: 'accept', log: `processed ${insns.length} insns\n`, stats, facts: {} },
        ),
      );
    },
  });
  return { calls, subscription };
}

/**
 * Runs `node <file>` with `env` until it prints `ready` (a service announcing it serves); resolves
 * with the process, rejects with what it printed if it exits or takes longer than 20 s.
 */
export function startProcess(file: string, env: NodeJS.ProcessEnv, ready: RegExp): Promise<ChildProcess> {
  const child = spawn(process.execPath, [file], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${file} did not start: ${out}`)), 20_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (ready.test(out)) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${file} exited with ${code}: ${out}`));
    });
  });
}

/** dist/main.js of a sibling package (built before the tests run). */
export const serviceMain = (pkg: 'jit' | 'kernel-sim'): string => fileURLToPath(new URL(`../../../${pkg}/dist/main.js`, import.meta.url));
