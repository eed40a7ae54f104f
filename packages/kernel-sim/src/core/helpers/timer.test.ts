import { HelperId as H } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { kernelHarness } from '../../testing/harness.js';
import { timerTable } from './timer.js';

/** A helper's negative errno as the u32 test_run's retval reports. */
const err = (errno: number): number => -errno >>> 0;

describe('helpers - bpf_timer', () => {
  // The timer is the array value's first 16 bytes; r6 points at it; `steps` are calls whose codes
  // are or-ed into r7 and `result` picks what the program returns.
  const program = (map: number, steps: string) => `
      *(u32 *)(r10 - 4) = 0
      r2 = r10
      r2 += -4
      ld_pseudo r1, 1, ${map}
      call ${H.map_lookup_elem}
      if r0 == 0 goto out
      r6 = r0
      ${steps}
      out:
      exit
      cb:
      r0 = 0
      exit`;
  const init = (map: number, clock: number) => `
      r1 = r6
      ld_pseudo r2, 1, ${map}
      r3 = ${clock}
      call ${H.timer_init}`;
  const setCallback = `
      r1 = r6
      ld_pseudo r2, 4, cb
      call ${H.timer_set_callback}`;
  const start = (nsecs: number, flags: number) => `
      r1 = r6
      r2 = ${nsecs}
      r3 = ${flags}
      call ${H.timer_start}`;
  const cancel = `
      r1 = r6
      call ${H.timer_cancel}`;
  const check = (expected: number) => `
      if r0 != ${expected} goto out`;

  it('helpers - init, set_callback, start arm the timer at now + nsecs; cancel disarms it and answers 1, then 0', async () => {
    const h = kernelHarness();
    const map = h.map({ map_type: 'array', key_size: 4, value_size: 16, max_entries: 1 });
    const { program: p } = await h.load(program(map, `${init(map, 1)}${check(0)}${setCallback}${check(0)}${start(1000, 0)}${check(0)}
      r0 = 7`));
    expect(h.kernel.testRun(p.id, {}).retval).toBe(7);
    const timers = [...timerTable(h.kernel.arena).values()];
    expect(timers).toHaveLength(1);
    expect(timers[0]!.clock).toBe(1);
    expect(timers[0]!.expiresNs).toBe(h.clock.monotonic + 1000n);
    // What firing needs: the program whose callback it is, the CPU that started it, the element (key 0).
    expect(timers[0]!.program).toBe(p);
    expect(timers[0]!.cpu).toBe(0);
    expect([...timers[0]!.key]).toEqual([0, 0, 0, 0]);
    expect(timers[0]!.value).toBe([...timerTable(h.kernel.arena).keys()][0]);
    const { program: c } = await h.load(program(map, `${cancel}${check(1)}${cancel}`));
    expect(h.kernel.testRun(c.id, {}).retval).toBe(0);
    expect(timers[0]!.expiresNs).toBeNull();
  });

  it('helpers - a second init is EBUSY; a bad clock EINVAL; start before a callback or with bad flags EINVAL; cancel before init EINVAL', async () => {
    const h = kernelHarness();
    const map = h.map({ map_type: 'array', key_size: 4, value_size: 16, max_entries: 1 });
    const run = async (steps: string) => h.kernel.testRun((await h.load(program(map, steps))).program.id, {}).retval;
    expect(await run(cancel)).toBe(err(22));
    expect(await run(init(map, 3))).toBe(err(22));
    expect(await run(`${init(map, 1)}${check(0)}${start(10, 0)}`)).toBe(err(22));
    expect(await run(init(map, 1))).toBe(err(16));
    expect(await run(`${setCallback}${check(0)}${start(10, 4)}`)).toBe(err(22));
    expect(await run(`${start(2_000_000_000, 1)}`)).toBe(0);
    expect([...timerTable(h.kernel.arena).values()][0]!.expiresNs).toBe(2_000_000_000n);
  });

  it('helpers - cancel drops the callback and its program (drop_prog_refcnt): start is EINVAL until set_callback again', async () => {
    const h = kernelHarness();
    const map = h.map({ map_type: 'array', key_size: 4, value_size: 16, max_entries: 1 });
    const run = async (steps: string) => h.kernel.testRun((await h.load(program(map, steps))).program.id, {}).retval;
    expect(await run(`${init(map, 1)}${check(0)}${setCallback}${check(0)}${start(1000, 0)}`)).toBe(0);
    const [timer] = [...timerTable(h.kernel.arena).values()];
    expect(await run(`${cancel}${check(1)}${start(1000, 0)}`)).toBe(err(22));
    expect(timer!.program).toBeNull();
    expect(timer!.callback).toBeNull();
    expect(await run(`${setCallback}${check(0)}${start(1000, 0)}`)).toBe(0);
    expect(timer!.expiresNs).toBe(h.clock.monotonic + 1000n);
  });

  it('helpers - set_callback holds the program: closing its handle leaves it loaded; another program setting the callback drops it', async () => {
    const h = kernelHarness();
    const map = h.map({ map_type: 'array', key_size: 4, value_size: 16, max_entries: 1 });
    const { program: first } = await h.load(program(map, `${init(map, 1)}${check(0)}${setCallback}`));
    expect(h.kernel.testRun(first.id, {}).retval).toBe(0);
    h.kernel.closeHandle(first.id);
    await Promise.resolve();
    expect(h.kernel.program(first.id)).toBe(first);
    // The same program again takes no second reference; another one swaps the reference.
    const { program: second } = await h.load(program(map, setCallback));
    expect(h.kernel.testRun(second.id, {}).retval).toBe(0);
    await Promise.resolve();
    expect(() => h.kernel.program(first.id)).toThrow(/no such program/);
    expect([...timerTable(h.kernel.arena).values()][0]!.program).toBe(second);
  });
});
