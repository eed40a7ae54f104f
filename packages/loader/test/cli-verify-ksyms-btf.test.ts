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

  it('kfunc_task.o with --btf none: a typed ksym needs the kernel BTF, so nothing is verified (exit 2), as libbpf fails the load', async () => {
    const { status, out, err } = await bpfhive(['verify', join(OBJECTS_DIR, 'kfunc_task.o'), '--btf', 'none']);
    expect(status).toBe(2);
    expect(out).toBe('');
    // The first typed ksym in the object's extern order, and how to give the BTF.
    expect(err).toBe(
      "Error: resolve extern 'bpf_prog_active': extern (var ksym) 'bpf_prog_active': resolving it needs the kernel's BTF, and there is none " +
        "(libbpf fails such a load: failed to find valid kernel BTF); verify without --btf none (the kernel-sim's BTF) or with --btf FILE\n",
    );
  });

  it('kfunc_weak.o with --btf none: weak kfuncs need the kernel BTF too (libbpf loads vmlinux BTF for any typed ksym)', async () => {
    const { status, out, err } = await bpfhive(['verify', join(OBJECTS_DIR, 'kfunc_weak.o'), '--btf', 'none', '--json']);
    expect(status).toBe(2);
    expect(err).toBe('');
    // With --json the error is JSON too, as bpftool prints it.
    expect(JSON.parse(out)).toEqual({
      error:
        "resolve extern 'bpf_maybe_kfunc': extern (func ksym) 'bpf_maybe_kfunc': resolving it needs the kernel's BTF, and there is none " +
        "(libbpf fails such a load: failed to find valid kernel BTF); verify without --btf none (the kernel-sim's BTF) or with --btf FILE",
    });
  });

  it("kfunc_weak.o: a weak kfunc the kernel lacks is poisoned; its unguarded call is refused naming it, its guarded call and the weak kfuncs the kernel has are accepted", async () => {
    const { status, reports } = await verifyJson(join(OBJECTS_DIR, 'kfunc_weak.o'), '--log-level', '1');
    expect(reports.map((r) => [r.name, r.verdict, r.error])).toEqual([
      ['call_unguarded', 'reject', "kfunc 'bpf_maybe_kfunc' is referenced but wasn't resolved (insn 1)"],
      ['call_guarded', 'accept', null],
      ['call_present', 'accept', null],
    ]);
    expect(status).toBe(1);
    // The log as libbpf rewrites the verifier's "invalid func unknown#2002000000" (fixup_log_missing_kfunc_call).
    const unguarded = reports[0]!;
    expect(unguarded.log).toContain("1: <invalid kfunc call>\nkfunc 'bpf_maybe_kfunc' is referenced but wasn't resolved\n");
    expect(unguarded.log).not.toContain('(85) call unknown#2002000000');
    // The guard loads the unresolved kfunc's address as 0 and the verifier prunes the call.
    expect(reports[1]!.log).toMatch(/r2 = 0x0\b/);
    expect(reports[1]!.log).not.toContain('call unknown#');
  });

  it('kfunc_weak.o: plain output names the kfunc and the source line of the call', async () => {
    const { status, out, err } = await bpfhive(['verify', join(OBJECTS_DIR, 'kfunc_weak.o')]);
    expect(status).toBe(1);
    expect(err).toBe('');
    expect(out).toBe(
      [
        'call_unguarded  section syscall  syscall  insns 4  reject  processed 2',
        "\tkfunc 'bpf_maybe_kfunc' is referenced but wasn't resolved (insn 1)",
        '\t./kfunc_weak.c:24: return bpf_maybe_kfunc(*ctx) + 1;',
        'call_guarded  section syscall  syscall  insns 8  accept  processed 4',
        'call_present  section syscall  syscall  insns 10  accept  processed 10',
        '',
      ].join('\n'),
    );
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
