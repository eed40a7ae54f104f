import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/main.js';
import { memoryIo } from '../src/cli/test-io.js';

/**
 * `bpfhive verify` of BTF-attached tracing programs sends the verifier what the kernel-sim sends
 * (uapi's verifierKernelRequest): the attach function found as the loader finds attach_btf_id
 * (`tp_btf/sched_switch` → typedef btf_trace_sched_switch, `fentry/vfs_read` → FUNC vfs_read),
 * and the kernel types its arguments reach, so plain loads through `next->pid` are typed as the
 * services type them (packages/loader/test/tp-btf-walk-nats.test.ts loads the same object).
 */
const OBJECT = fileURLToPath(new URL('../../verifier/test/objects/tp_btf_walk.o', import.meta.url));

interface Report {
  name: string;
  section: string;
  verdict: string;
  processed_insns: number;
  error: string | null;
  log: string;
}

async function verifyJson(...args: string[]): Promise<{ status: number; err: string; reports: Report[] }> {
  const io = memoryIo('');
  const status = await runCli(['verify', OBJECT, '--json', ...args], io);
  return { status, err: io.err(), reports: JSON.parse(io.out()) as Report[] };
}

describe('bpfhive verify - BTF tracing programs', () => {
  it('verify tracing - tp_btf_walk.o: tp_btf/sched_switch reading next->pid and fentry/vfs_read walking file are both accepted', async () => {
    const { status, err, reports } = await verifyJson();
    expect({ status, err }).toEqual({ status: 0, err: '' });
    expect(reports.map((r) => [r.name, r.section, r.verdict, r.processed_insns, r.error])).toEqual([
      ['on_switch', 'tp_btf/sched_switch', 'accept', 37, null],
      ['on_read', 'fentry/vfs_read', 'accept', 21, null],
    ]);
  });

  it('verify tracing - the arguments are typed by the attach function: the tracepoint without its __data, the FUNC as it is', async () => {
    const { reports } = await verifyJson('--log-level', '2');
    const [onSwitch, onRead] = reports.map((r) => r.log);
    // btf_id: the struct's id in the kernel-sim's vmlinux.btf.
    expect(onSwitch).toMatch(/\n0: \(79\) r6 = \*\(u64 \*\)\(r1 \+16\)\nfunc 'sched_switch' arg2 has btf_id \d+ type STRUCT 'task_struct'\n1: R1=ctx\(\) R6_w=trusted_ptr_task_struct\(\)\n/);
    expect(onSwitch).toMatch(/\n1: \(79\) r7 = \*\(u64 \*\)\(r1 \+8\)\nfunc 'sched_switch' arg1 has btf_id \d+ type STRUCT 'task_struct'\n/);
    expect(onRead).toMatch(/\n0: \(79\) r6 = \*\(u64 \*\)\(r1 \+0\)\nfunc 'vfs_read' arg0 has btf_id \d+ type STRUCT 'file'\n1: R1=ctx\(\) R6_w=ptr_file\(\)\n/);
  });
});
