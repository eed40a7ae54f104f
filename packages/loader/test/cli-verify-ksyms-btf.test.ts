import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseBtf } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { verifyObject } from '../src/cli/commands/verify-object.js';
import { runCli } from '../src/cli/main.js';
import { memoryIo } from '../src/cli/test-io.js';
import { readObject } from '../src/object/index.js';
import { OBJECTS_DIR, objectBytes } from './objects/fixtures.js';
import { withKptrTag } from './support/kptr-tag.js';

/**
 * `bpfhive verify` does locally what a load through the kernel-sim does: `__ksym` externs
 * resolved against the kernel's BTF (the kernel-sim's vmlinux.btf) as the loader resolves them,
 * with the share of that BTF the kernel-sim sends the verifier (kfuncs, ksyms), and each map's
 * bpf_spin_lock, bpf_timer and kptrs derived from its BTF value type as the kernel-sim derives them.
 */
const VMLINUX_BTF = fileURLToPath(new URL('../../kernel-sim/btf/vmlinux.btf', import.meta.url));
const HAS_CLANG = spawnSync('clang', ['--version']).status === 0;

interface Report {
  name: string;
  verdict: string;
  processed_insns: number;
  error: string | null;
  log: string;
}

async function bpfhive(args: string[]): Promise<{ status: number; out: string; err: string }> {
  const io = memoryIo('');
  const status = await runCli(args, io);
  return { status, out: io.out(), err: io.err() };
}

async function verifyJson(file: string, ...args: string[]): Promise<{ status: number; reports: Report[] }> {
  const { status, out, err } = await bpfhive(['verify', file, '--json', ...args]);
  expect(err).toBe('');
  return { status, reports: JSON.parse(out) as Report[] };
}

/** spin_lock_map.c with `edit` applied, built with clang; the object's path. */
function buildVariant(edit: (source: string) => string): string {
  const dir = mkdtempSync(join(tmpdir(), 'bpfhive-verify-btf-'));
  const src = join(dir, 'variant.c');
  writeFileSync(src, edit(readFileSync(join(OBJECTS_DIR, 'spin_lock_map.c'), 'utf8')));
  execFileSync('clang', ['-O2', '-g', '-I/usr/include/x86_64-linux-gnu', '-target', 'bpf', '-c', src, '-o', join(dir, 'variant.o')]);
  return join(dir, 'variant.o');
}

describe.runIf(existsSync(VMLINUX_BTF))('bpfhive verify - ksym externs against the kernel BTF', () => {
  it('kfunc_task.o: find_task (kfuncs bpf_task_from_pid, bpf_task_acquire, bpf_task_release; the per-CPU ksym bpf_prog_active) is accepted', async () => {
    const { reports } = await verifyJson(join(OBJECTS_DIR, 'kfunc_task.o'), '--log-level', '2');
    const findTask = reports.find((r) => r.name === 'find_task')!;
    expect([findTask.verdict, findTask.error]).toEqual(['accept', null]);
    expect(findTask.processed_insns).toBeGreaterThan(0);
    // The kfunc calls carry the kernel's BTF ids and the verifier knows them by name.
    expect(findTask.log).toMatch(/call bpf_task_from_pid#\d+/);
    expect(findTask.log).toMatch(/call bpf_task_release#\d+/);
  });

  it("kfunc_task.o: stash_task's kptr needs the map BTF's kptr tag, which clang 14 drops; with it, stash_task is accepted", async () => {
    const { reports } = await verifyJson(join(OBJECTS_DIR, 'kfunc_task.o'));
    expect(reports.find((r) => r.name === 'stash_task')).toMatchObject({ verdict: 'reject', error: expect.stringContaining("map 'task_slots' has no valid kptr") });
    const spec = readObject(objectBytes('kfunc_task'), { path: 'kfunc_task.o' });
    const kernelBtf = parseBtf(new Uint8Array(readFileSync(VMLINUX_BTF)));
    const verdicts = verifyObject({ ...spec, btf: withKptrTag(spec.btf!) }, { logLevel: 0, kernelBtf });
    expect(verdicts.map((v) => [v.program.name, v.result.verdict, v.result.error?.message])).toEqual([['find_task', 'accept', undefined], ['stash_task', 'accept', undefined]]);
  });

  it('kfunc_task.o without kernel BTF: the strong ksyms cannot be resolved, nothing is verified', async () => {
    const { status, out, err } = await bpfhive(['verify', join(OBJECTS_DIR, 'kfunc_task.o'), '--btf', 'none']);
    expect(status).toBe(2);
    expect(out).toBe('');
    // The first strong ksym in the object's extern order.
    expect(err).toContain("resolve extern 'bpf_prog_active': extern 'bpf_prog_active' (strong): not resolved (no kernel BTF to resolve kernel symbols against)");
  });

  it('kfunc_unknown.o: a strong kfunc the kernel lacks fails with libbpf words naming the extern', async () => {
    const { status, out, err } = await bpfhive(['verify', join(OBJECTS_DIR, 'kfunc_unknown.o')]);
    expect(status).toBe(2);
    expect(out).toBe('');
    expect(err).toContain("resolve extern 'bpf_no_such_kfunc': extern (func ksym) 'bpf_no_such_kfunc': not found in kernel or module BTFs");
  });
});

describe('bpfhive verify - special fields of BTF map values', () => {
  it('spin_lock_map.o: bpf_spin_lock on a hash map value whose BTF places the lock is accepted', async () => {
    const { status, reports } = await verifyJson(join(OBJECTS_DIR, 'spin_lock_map.o'));
    expect(reports.map((r) => [r.name, r.verdict, r.error])).toEqual([['count', 'accept', null]]);
    expect(status).toBe(0);
  });

  it.runIf(HAS_CLANG)('a lock held at exit is refused with the kernel message', async () => {
    const file = buildVariant((s) => s.replace('\tbpf_spin_unlock(&c->lock);\n', ''));
    const { status, reports } = await verifyJson(file);
    expect(reports[0]).toMatchObject({ name: 'count', verdict: 'reject', error: expect.stringContaining('bpf_spin_lock-ed region') });
    expect(status).toBe(1);
  });

  it.runIf(HAS_CLANG)('a lock in an LRU hash value is refused as map_create would refuse the map (EOPNOTSUPP)', async () => {
    const file = buildVariant((s) => s.replace('BPF_MAP_TYPE_HASH', 'BPF_MAP_TYPE_LRU_HASH'));
    const { status, out, err } = await bpfhive(['verify', file]);
    expect(status).toBe(2);
    expect(out).toBe('');
    expect(err).toContain("map 'counters': this map type cannot hold a bpf_spin_lock");
  });
});
