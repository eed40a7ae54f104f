import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { slotIndex } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/main.js';
import { memoryIo } from '../src/cli/test-io.js';
import { readObject } from '../src/object/index.js';
import { OBJECTS_DIR } from './objects/fixtures.js';

/**
 * `bpfhive verify`: the verifier library run on real objects — the eleven examples and the
 * loader's test objects — with placeholder map ids and CO-RE against the kernel-sim's BTF, and
 * on raw bytecode. Every example and test object verifies, except what tracing.o asks of a
 * kernel that does not have it; those refusals are checked word for word.
 */

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const VMLINUX_BTF = `${ROOT}packages/kernel-sim/btf/vmlinux.btf`;
const EXAMPLES = readdirSync(`${ROOT}examples`, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(`${ROOT}examples/${d.name}/${d.name}.bpf.o`))
  .map((d) => d.name);
const REPORT_FIELDS = ['section', 'name', 'prog_type', 'insn_cnt', 'verdict', 'processed_insns', 'error', 'log'];

interface Report {
  section: string;
  name: string;
  prog_type: string;
  insn_cnt: number;
  verdict: string;
  processed_insns: number;
  error: string | null;
  log: string;
}

async function bpfhive(args: string[], stdin = ''): Promise<{ status: number; out: string; err: string }> {
  const io = memoryIo(stdin);
  const status = await runCli(args, io);
  return { status, out: io.out(), err: io.err() };
}

/** `bpfhive verify ARGS --json`, its reports parsed. */
async function verifyJson(...args: string[]): Promise<{ status: number; reports: Report[]; err: string }> {
  const { status, out, err } = await bpfhive(['verify', ...args, '--json']);
  return { status, reports: JSON.parse(out) as Report[], err };
}

describe('bpfhive verify - the examples', () => {
  it.each(EXAMPLES)('%s: every program is accepted', async (name) => {
    const file = `${ROOT}examples/${name}/${name}.bpf.o`;
    const { status, reports } = await verifyJson(file);
    const spec = readObject(new Uint8Array(readFileSync(file)), { path: file });
    expect(reports.map((r) => [r.name, r.verdict, r.error])).toEqual(spec.programs.map((p) => [p.name, 'accept', null]));
    expect(status).toBe(0);
    for (const [i, r] of reports.entries()) {
      expect(Object.keys(r)).toEqual(REPORT_FIELDS);
      const program = spec.programs[i]!;
      expect(r).toMatchObject({ section: program.sectionName, insn_cnt: slotIndex(program.instructions)[program.instructions.length], log: '' });
      expect(r.processed_insns).toBeGreaterThan(0);
    }
  }, 30_000);

  it('prints one line per program, and the log when asked for one', async () => {
    const file = `${ROOT}examples/tcpconnect/tcpconnect.bpf.o`;
    const { status, out } = await bpfhive(['verify', file]);
    expect(status).toBe(0);
    expect(out).toMatch(/^tcp_v4_connect_entry {2}section kprobe\/tcp_v4_connect {2}kprobe {2}insns \d+ {2}accept {2}processed \d+\ntcp_v4_connect_exit {2}section kretprobe\/tcp_v4_connect {2}kprobe {2}insns \d+ {2}accept {2}processed \d+\n$/);
    const { reports } = await verifyJson(file, '--log-level', '4');
    expect(reports[0]!.log).toMatch(/processed \d+ insns/);
    expect((await bpfhive(['verify', file, '--log-level', '1'])).out).toContain('-- BEGIN PROG LOAD LOG --\n');
  });
});

describe('bpfhive verify - the test objects', () => {
  it('xdp_parser.bpfeb.o: a big-endian object is refused as libbpf refuses to load one; nothing is verified (exit 2)', async () => {
    const { status, out, err } = await bpfhive(['verify', join(OBJECTS_DIR, 'xdp_parser.bpfeb.o')]);
    expect(status).toBe(2);
    expect(out).toBe('');
    expect(err).toBe(
      "Error: object 'xdp_parser': loading non-native endianness is unsupported (the object is big-endian, clang -target bpfeb; bpfhive's kernel is little-endian: build with -target bpf)\n",
    );
  });

  it.each(['xdp_parser', 'tc_classifier', 'socket_filter', 'cgroup_sock', 'map_in_map', 'probes'])('%s.o: every program is accepted', async (name) => {
    const { status, reports } = await verifyJson(join(OBJECTS_DIR, `${name}.o`));
    expect(reports.filter((r) => r.verdict !== 'accept')).toEqual([]);
    expect(status).toBe(0);
  });

  // What tracing.o asks of a kernel that does not have it, as Linux would refuse it too:
  // check_file_open returns its `ret` argument, which may lie outside [-4095, 0], the range Linux
  // (6.10 on) demands of an LSM program. (sched_switch_btf's weak kfunc bpf_rcu_read_lock resolves
  // against the kernel-sim's BTF, so its unguarded call is accepted.)
  const WITHOUT_KERNEL = [
    ['check_file_open', 'At program exit the register R0 has unknown scalar value should have been in [-4095, 0] (insn 80)'],
  ];

  it('tracing.o without kernel BTF: its typed ksyms cannot be resolved, so nothing is verified, as libbpf fails the load', async () => {
    const { status, out, err } = await bpfhive(['verify', join(OBJECTS_DIR, 'tracing.o'), '--btf', 'none']);
    expect(status).toBe(2);
    expect(out).toBe('');
    expect(err).toContain("resolve extern 'bpf_prog_active': extern (var ksym) 'bpf_prog_active': resolving it needs the kernel's BTF, and there is none");
  });

  it.runIf(existsSync(VMLINUX_BTF))("tracing.o against the kernel-sim's BTF: refusals at poisoned relocations name the relocation", async () => {
    const { status, reports, err } = await verifyJson(join(OBJECTS_DIR, 'tracing.o'), '--btf', VMLINUX_BTF);
    expect(status).toBe(1);
    expect(err).toBe('');
    const refused = Object.fromEntries(reports.filter((r) => r.verdict === 'reject').map((r) => [r.name, r.error]));
    expect(refused).toEqual({
      ...Object.fromEntries(WITHOUT_KERNEL),
      // <linux/ptrace.h>'s pt_regs says rdi, rsi; the kernel's says di, si.
      kill_entry:
        "prog 'kill_entry': relo #0: insn #5: kind <byte_off> (0), spec is [22] struct pt_regs.rdi (0:14 @ offset 112): failed to find target candidate: no match in [2] struct pt_regs; the verifier reached the poisoned instruction",
      // common.h's enum task_state is no kernel type.
      sample_cpu:
        "prog 'sample_cpu': relo #2: insn #64: kind <enumval_value> (11), spec is [59] enum task_state::TASK_INTERRUPTIBLE = 1: failed to find target candidate: the target BTF has no enum named 'task_state'; the verifier reached the poisoned instruction",
    });
    const plain = await bpfhive(['verify', join(OBJECTS_DIR, 'tracing.o'), '--btf', VMLINUX_BTF]);
    expect(plain.err).toContain("libbpf: prog 'sample_cpu': relo #2: insn #64: kind <enumval_value> (11)");
    // The kernel-sim's BTF has no do_unlinkat: verified without attach_func, as said (a load fails).
    expect(plain.err).toContain(
      "libbpf: prog 'fentry_unlink': failed to find kernel BTF type ID of 'do_unlinkat' (no FUNC 'do_unlinkat' in the kernel's BTF): verified without its attach function's arguments; loading it fails\n",
    );
    expect(plain.out).toMatch(/^sched_switch_btf {2}section tp_btf\/sched_switch {2}tracing {2}insns 16 {2}accept {2}processed \d+$/m);
  });
});

describe('bpfhive verify --raw', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bpfhive-verify-'));
  const hex = join(dir, 'ret2.hex');
  writeFileSync(hex, 'b7 00 00 00 02 00 00 00\n95 00 00 00 00 00 00 00\n');

  it('verifies hex or raw bytecode as the type given', async () => {
    const { status, reports } = await verifyJson('--raw', hex, '--prog-type', 'xdp');
    expect(status).toBe(0);
    expect(reports).toEqual([{ section: '', name: 'ret2.hex', prog_type: 'xdp', insn_cnt: 2, verdict: 'accept', processed_insns: 2, error: null, log: '' }]);
    const raw = join(dir, 'exit.bin');
    writeFileSync(raw, Buffer.from('9500000000000000', 'hex'));
    const refused = await verifyJson('--raw', raw, '--prog-type', 'kprobe/');
    expect(refused.status).toBe(1);
    expect(refused.reports[0]).toMatchObject({ prog_type: 'kprobe', verdict: 'reject', error: 'R0 !read_ok (insn 0)' });
  });

  it('an unknown type or bytecode that does not decode verifies nothing (exit 2)', async () => {
    expect(await bpfhive(['verify', '--raw', hex, '--prog-type', 'toaster'])).toEqual({ status: 2, out: '', err: "Error: unknown program type 'toaster'\n" });
    const odd = join(dir, 'odd.bin');
    writeFileSync(odd, Buffer.from('950000', 'hex'));
    expect((await bpfhive(['verify', '--raw', odd, '--prog-type', 'xdp'])).status).toBe(2);
  });
});

describe('bpfhive verify - objects that cannot be read', () => {
  it('exits 2 with the reason, as JSON too', async () => {
    expect(await bpfhive(['verify', '/no/such.o'])).toEqual({ status: 2, out: '', err: 'Error: cannot open /no/such.o: no such file\n' });
    const notElf = join(mkdtempSync(join(tmpdir(), 'bpfhive-verify-')), 'x.o');
    writeFileSync(notElf, 'not an object at all, really not\n');
    const { status, out } = await bpfhive(['verify', notElf, '-j']);
    expect(status).toBe(2);
    expect(JSON.parse(out)).toEqual({ error: expect.stringMatching(/^failed to open object file .*x\.o: /) });
    expect((await bpfhive(['verify'])).status).toBe(2);
  });
});
