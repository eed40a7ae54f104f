import { describe, expect, it } from 'vitest';
import { ACCEPT, FakeVerifier, kernelHarness, readU64, u64s } from '../../testing/harness.js';
import type { TestRunAttr } from './attr.js';
import { kernelTypeId } from '../../kbtf/kernel-btf.js';

describe('test_run - raw tracepoints', () => {
  it('test_run - ctx_in holds the u64 arguments the program reads', async () => {
    const h = kernelHarness();
    const { program } = await h.load('r0 = *(u64 *)(r1 + 8)\nr2 = *(u64 *)(r1 + 0)\nr0 -= r2\nexit', { prog_type: 'raw_tracepoint' });
    expect(h.kernel.testRun(program.id, { ctx_in: u64s(5n, 47n) }).retval).toBe(42);
  });

  it.each([
    ['data_in', { data_in: new Uint8Array(14) }, 'EINVAL'],
    ['repeat', { repeat: 2 }, 'EINVAL'],
    ['ctx_size_out', { ctx_in: u64s(1n), ctx_size_out: 8 }, 'EINVAL'],
    ['more than 12 arguments', { ctx_in: new Uint8Array(13 * 8) }, 'EINVAL'],
    ['a cpu without BPF_F_TEST_RUN_ON_CPU', { cpu: 1 }, 'EINVAL'],
    ['a CPU the kernel does not have', { flags: 1, cpu: 2 }, 'ENXIO'],
  ] as [string, TestRunAttr, string][])('test_run - %s is %s', async (_title, attr, code) => {
    const h = kernelHarness({ cpus: 2 });
    const { program } = await h.load('r0 = 0\nexit', { prog_type: 'raw_tracepoint' });
    expect(() => h.kernel.testRun(program.id, attr)).toThrow(expect.objectContaining({ code }));
  });

  it('test_run - the verifier\'s max_ctx_offset is the least context a run must give', async () => {
    const h = kernelHarness({ verifier: new FakeVerifier(() => ({ ...ACCEPT, facts: { max_ctx_offset: 16 } })) });
    const { program } = await h.load('r0 = *(u64 *)(r1 + 8)\nexit', { prog_type: 'raw_tracepoint' });
    expect(() => h.kernel.testRun(program.id, { ctx_in: u64s(1n) })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(h.kernel.testRun(program.id, { ctx_in: u64s(1n, 2n) }).retval).toBe(2);
  });
});

describe('test_run - SYSCALL programs', () => {
  it('test_run - the program reads and writes the caller\'s buffer, which comes back as ctx_out', async () => {
    const h = kernelHarness();
    const { program } = await h.load('r2 = *(u64 *)(r1 + 0)\nr2 *= 3\n*(u64 *)(r1 + 8) = r2\nr0 = 1\nexit');
    const result = h.kernel.testRun(program.id, { ctx_in: u64s(14n, 0n) });
    expect(result.retval).toBe(1);
    expect(readU64(result.ctx_out!, 8)).toBe(42n);
  });

  it('test_run - without a buffer the context is NULL', async () => {
    const h = kernelHarness();
    const { program } = await h.load('r0 = r1\nexit');
    expect(h.kernel.testRun(program.id, {})).toEqual({ retval: 0, duration: 0 });
  });

  it.each([
    ['repeat', { repeat: 1 }],
    ['flags', { flags: 1 }],
    ['data_in', { data_in: new Uint8Array(20) }],
    ['a buffer of 64 KiB', { ctx_in: new Uint8Array(65536) }],
  ] as [string, TestRunAttr][])('test_run - %s is EINVAL', async (_title, attr) => {
    const h = kernelHarness();
    const { program } = await h.load('r0 = 0\nexit');
    expect(() => h.kernel.testRun(program.id, attr)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });
});

describe('test_run - program types without a test run', () => {
  it.each([
    ['tracing', 'trace_fentry', 0],
    ['tracing', 'trace_fexit', 0],
    ['tracing', 'modify_return', (2 << 16) | 33],
  ])('test_run - an unattached %s program (%s) reports what Linux reports: %i', async (type, attach, retval) => {
    const h = kernelHarness();
    const { program } = await h.load('r0 = 0\nexit', { prog_type: type, expected_attach_type: attach, attach_btf_id: kernelTypeId('vfs_read', 'FUNC') });
    expect(h.kernel.testRun(program.id, {}).retval).toBe(retval);
  });

  // An iterator (trace_iter) would be EFAULT, but needs a bpf_iter_* FUNC the simulated kernel's BTF does not have to load.
  it.each([
    ['kprobe', undefined, 'ENOTSUPP'],
    ['tracepoint', undefined, 'ENOTSUPP'],
    ['perf_event', undefined, 'ENOTSUPP'],
    ['cgroup_sock_addr', 'cgroup_inet4_connect', 'ENOTSUPP'],
    ['flow_dissector', undefined, 'ENOTSUPP'],
  ])('test_run - a %s program (%s) cannot be test-run: %s', async (type, attach, code) => {
    const h = kernelHarness();
    const { program } = await h.load('r0 = 0\nexit', { prog_type: type, ...(attach && { expected_attach_type: attach }) });
    expect(() => h.kernel.testRun(program.id, {})).toThrow(expect.objectContaining({ code }));
  });

  it('test_run - an unknown program id is ENOENT', () => {
    expect(() => kernelHarness().kernel.testRun(9, {})).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });
});
