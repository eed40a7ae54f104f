import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { findConformanceDir, readAssembledTests } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';

/**
 * The whole conformance suite through the real plugin process, exactly as the bpf_conformance
 * runner drives it: `bpfhive-conformance-plugin "<memory hex>" "--engine interp"`, the program
 * as space-separated hex bytes on standard input, r0 read back in hex from standard output.
 */
const PLUGIN = fileURLToPath(new URL('../bin/bpfhive-conformance-plugin.js', import.meta.url));
const suite = findConformanceDir(fileURLToPath(import.meta.url));

const tests = readAssembledTests(suite);

/** The runner's own hex layout: every byte followed by two spaces. */
const runnerHex = (hex: string): string => (hex.match(/../g) ?? []).map((b) => `${b}  `).join('');

function runPlugin(memoryArg: string, options: string, stdin: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [PLUGIN, memoryArg, options], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(`${stdin}\n`);
  });
}

/** Runs `jobs` with at most `limit` in flight. */
async function pool<T, R>(items: readonly T[], limit: number, job: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await job(items[i]!);
      }
    }),
  );
  return results;
}

describe('bpfhive-conformance-plugin', () => {
  it.each(['interp', 'jit'])('passes all 313 conformance tests on %s as the suite runner drives it', { timeout: 420_000 }, async (engine) => {
    expect(tests).toHaveLength(313);
    const failures = (
      await pool(tests, 4, async (t) => {
        const run = await runPlugin(runnerHex(t.mem), `--engine ${engine}`, runnerHex(t.code));
        if (run.code !== 0) return `${t.file}: exit ${run.code}: ${run.stderr.trim()}`;
        const r0 = BigInt(`0x${run.stdout.trim()}`);
        return r0 === BigInt.asUintN(64, BigInt(t.result)) ? undefined : `${t.file}: r0 ${run.stdout.trim()}, expected ${t.result}`;
      })
    ).filter((f) => f !== undefined);
    expect(failures).toEqual([]);
  });

  it('a program that cannot run exits 1 with the reason on stderr and stdout', async () => {
    const run = await runPlugin('', '--engine interp', '79 10 00 01 00 00 00 00  95 00 00 00 00 00 00 00');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^Error: .*out of bounds: 8-byte load/);
    expect(run.stdout).toMatch(/out of bounds/);
  });

  it('malformed bytecode is rejected by the decoder, naming the instruction', async () => {
    const run = await runPlugin('', '', '95 00 00 00 01 00 00 00');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/decode: instruction 0: .*reserved field imm must be 0/);
  });

  it('an unknown engine is a usage error', async () => {
    const run = await runPlugin('', '--engine nope', '95 00 00 00 00 00 00 00');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/--engine must be one of interp, jit/);
  });
});
