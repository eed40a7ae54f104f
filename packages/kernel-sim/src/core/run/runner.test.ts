import { HelperId as H } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { kernelHarness, readU64, u32s } from '../../testing/harness.js';

/** A harness with a PROG_ARRAY of 4 slots (maps-store's engine: user space writes program ids). */
function harness() {
  const h = kernelHarness();
  const progs = h.map({ map_type: 'prog_array', key_size: 4, value_size: 4, max_entries: 4 });
  return { h, progs, setSlot: (index: number, id: number) => h.directory.update(progs, u32s(index), u32s(id), 0) };
}

const tailCall = (progs: number, index: number) => `
  ld_pseudo r2, 1, ${progs}
  r3 = ${index}
  call ${H.tail_call}
  r0 = 1000
  exit`;

describe('run - tail calls', () => {
  it('run - a tail call jumps to the program in the slot and does not come back', async () => {
    const { h, progs, setSlot } = harness();
    const target = await h.load('r0 = 42\nexit');
    const caller = await h.load(tailCall(progs, 2));
    setSlot(2, target.program.id);
    expect(h.kernel.testRun(caller.program.id, {}).retval).toBe(42);
  });

  it.each([
    ['an empty slot', 1],
    ['an index past the end', 9],
  ])('run - a tail call to %s falls through', async (_title, index) => {
    const { h, progs, setSlot } = harness();
    const target = await h.load('r0 = 42\nexit');
    setSlot(2, target.program.id);
    expect(h.kernel.testRun((await h.load(tailCall(progs, index))).program.id, {}).retval).toBe(1000);
  });

  it('run - a tail call to a program of another type, or one that was closed, falls through', async () => {
    const { h, progs, setSlot } = harness();
    const other = await h.load('r0 = 42\nexit', { prog_type: 'xdp' });
    const caller = await h.load(tailCall(progs, 0));
    setSlot(0, other.program.id);
    expect(h.kernel.testRun(caller.program.id, {}).retval).toBe(1000);
    const same = await h.load('r0 = 43\nexit');
    setSlot(0, same.program.id);
    expect(h.kernel.testRun(caller.program.id, {}).retval).toBe(43);
    h.kernel.close(same.program.id);
    expect(h.kernel.testRun(caller.program.id, {}).retval).toBe(1000);
  });

  it('run - at most 33 tail calls per run: a program that tail-calls itself runs 34 times', async () => {
    const { h, progs, setSlot } = harness();
    const counter = h.map({ map_type: 'array', key_size: 4, value_size: 8, max_entries: 1 });
    const self = await h.load(`
      r6 = r1
      *(u32 *)(r10 - 4) = 0
      ld_pseudo r1, 1, ${counter}
      r2 = r10
      r2 += -4
      call ${H.map_lookup_elem}
      if r0 == 0 goto out
      r1 = *(u64 *)(r0 + 0)
      r1 += 1
      *(u64 *)(r0 + 0) = r1
      r1 = r6
      ld_pseudo r2, 1, ${progs}
      r3 = 0
      call ${H.tail_call}
      out:
      r0 = 7
      exit`);
    setSlot(0, self.program.id);
    expect(h.kernel.testRun(self.program.id, {}).retval).toBe(7);
    expect(readU64(h.directory.lookup(counter, u32s(0)))).toBe(34n);
    // The count starts again with every run.
    h.kernel.testRun(self.program.id, {});
    expect(readU64(h.directory.lookup(counter, u32s(0)))).toBe(68n);
  });
});

describe('run - instances and CPUs', () => {
  it('run - a program is instantiated on a CPU the first time it runs there, and dropped when freed', async () => {
    const h = kernelHarness({ cpus: 2 });
    const { program } = await h.load('r0 = 1\nexit', { prog_type: 'raw_tracepoint' });
    const [cpu0, cpu1] = h.kernel.cpus;
    expect([cpu0!.instances.size, cpu1!.instances.size]).toEqual([0, 0]);
    h.kernel.testRun(program.id, { flags: 1, cpu: 1 });
    expect([cpu0!.instances.size, cpu1!.instances.size]).toEqual([0, 1]);
    h.kernel.close(program.id);
    expect(cpu1!.instances.size).toBe(0);
  });

  it('run - a run that faults stops with EFAULT and leaves the CPU idle', async () => {
    const h = kernelHarness();
    const bad = await h.load('r1 = -8 ll\nr0 = *(u64 *)(r1 + 0)\nexit');
    expect(() => h.kernel.testRun(bad.program.id, {})).toThrow(expect.objectContaining({ code: 'EFAULT' }));
    expect(h.kernel.cpus[0]!.busy).toBe(false);
  });
});
