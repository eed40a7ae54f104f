import { HelperId as H } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { timerTable } from '../helpers/timer.js';
import { kernelHarness, readU32, readU64, u32s, u64s } from '../../testing/harness.js';
import { Simulation } from './simulation.js';

const MS = 1_000_000;
const EDEADLK = 35;

/**
 * An ARRAY map of 2 values of 32 bytes: a struct bpf_timer at 0, a callback counter (u64) at 16,
 * what the callback's bpf_timer_cancel of its own timer returned (u32) at 24, the callback's key
 * (u32) at 28 (a HASH map with the same values and u64 keys also works). `arm` inits the timer of element 1 on CLOCK_MONOTONIC with a callback and starts
 * it in 1 ms (element 1: key 1); the callback checks that (map, key) look up its value, counts, and re-arms for 1 ms.
 * `cancel` cancels it and returns what bpf_timer_cancel did.
 */
function programs(map: number, keySize: 4 | 8 = 4) {
  const lookup = `
      r1 = 1
      *(u${keySize * 8} *)(r10 - ${keySize}) = r1
      r2 = r10
      r2 += -${keySize}
      ld_pseudo r1, 1, ${map}
      call ${H.map_lookup_elem}
      if r0 == 0 goto out
      r6 = r0`;
  const arm = `${lookup}
      r1 = r6
      ld_pseudo r2, 1, ${map}
      r3 = 1
      call ${H.timer_init}
      if r0 != 0 goto out
      r1 = r6
      ld_pseudo r2, 4, cb
      call ${H.timer_set_callback}
      if r0 != 0 goto out
      r1 = r6
      r2 = ${MS}
      r3 = 0
      call ${H.timer_start}
      out:
      exit
      cb:
      r6 = r3
      r7 = *(u32 *)(r2 + 0)
      *(u32 *)(r6 + 28) = r7
      call ${H.map_lookup_elem}
      if r0 != r6 goto done
      r1 = *(u64 *)(r6 + 16)
      r1 += 1
      *(u64 *)(r6 + 16) = r1
      r1 = r6
      call ${H.timer_cancel}
      *(u32 *)(r6 + 24) = r0
      r1 = r6
      r2 = ${MS}
      r3 = 0
      call ${H.timer_start}
      done:
      r0 = 0
      exit`;
  const cancel = `${lookup}
      r1 = r6
      call ${H.timer_cancel}
      out:
      exit`;
  return { arm, cancel };
}

async function setup(type: 'array' | 'hash' = 'array') {
  const h = kernelHarness();
  const sim = new Simulation(h.kernel);
  const keySize = type === 'array' ? 4 : 8;
  const map = h.map({ map_type: type, key_size: keySize, value_size: 32, max_entries: 2 });
  const key = keySize === 4 ? u32s(1) : u64s(1n);
  const { arm, cancel } = programs(map, keySize);
  const run = async (text: string): Promise<number> => h.kernel.testRun((await h.load(text)).program.id, {}).retval;
  const value = (): Uint8Array => h.directory.get(map).lookup(key);
  return { h, sim, map, key, run, value, arm, cancel };
}

describe('hooks - bpf_timer firing', () => {
  it('a timer that re-arms itself for 1 ms fires 10 times in 10 ms of virtual time; cancel stops it', async () => {
    const { h, sim, run, value, arm, cancel } = await setup();
    expect(await run(arm)).toBe(0);
    expect(readU64(value(), 16)).toBe(0n);
    sim.advance(10 * MS);
    expect(readU64(value(), 16)).toBe(10n);
    // The callback got key 1, and (map, key) looked up the value it got.
    expect(readU32(value(), 28)).toBe(1);
    // bpf_timer_cancel of its own timer from its callback.
    expect(readU32(value(), 24)).toBe(-EDEADLK >>> 0);
    sim.advance(MS / 2);
    expect(readU64(value(), 16)).toBe(10n);
    sim.advance(MS / 2);
    expect(readU64(value(), 16)).toBe(11n);
    expect(sim.hooks.timers.errors).toBe(0);
    expect(await run(cancel)).toBe(1);
    sim.advance(10 * MS);
    expect(readU64(value(), 16)).toBe(11n);
    expect(await run(cancel)).toBe(0);
    expect(h.clock.monotonic).toBe(5_000_000_000n);
  });

  it('timers also fire as the kernel clock passes, when the hooks next catch up', async () => {
    const { h, sim, run, value, arm } = await setup();
    expect(await run(arm)).toBe(0);
    h.clock.advance(BigInt(3 * MS));
    expect(readU64(value(), 16)).toBe(0n);
    sim.advance(0);
    // Late by 2 ms: it fires once, and re-arms 1 ms after the time it ran.
    expect(readU64(value(), 16)).toBe(1n);
    expect(sim.hooks.timers.fired).toBe(1);
    sim.advance(MS);
    expect(readU64(value(), 16)).toBe(2n);
  });

  it('an update of the element from user space frees its timer (it stops; init works again), as Linux does', async () => {
    const { h, sim, map, run, value, arm } = await setup();
    expect(await run(arm)).toBe(0);
    sim.advance(2 * MS);
    expect(readU64(value(), 16)).toBe(2n);
    h.directory.get(map).update(u32s(1), new Uint8Array(32), 0);
    sim.advance(5 * MS);
    expect(readU64(value(), 16)).toBe(0n);
    expect(await run(arm)).toBe(0);
    sim.advance(3 * MS);
    expect(readU64(value(), 16)).toBe(3n);
  });

  it('a timer in a HASH value gets its element\'s key; deleting the element frees the timer', async () => {
    const { h, sim, map, key, run, value, arm } = await setup('hash');
    h.directory.get(map).update(key, new Uint8Array(32), 0);
    expect(await run(arm)).toBe(0);
    sim.advance(3 * MS);
    expect(readU64(value(), 16)).toBe(3n);
    expect(readU32(value(), 28)).toBe(1);
    expect(sim.hooks.timers.fired).toBe(3);
    h.directory.get(map).delete(key);
    sim.advance(5 * MS);
    expect(sim.hooks.timers.fired).toBe(3);
    expect(sim.hooks.timers.errors).toBe(0);
    expect(timerTable(h.kernel.arena).size).toBe(0);
  });

  it('a timer holds its program (bpf_timer_set_callback takes a reference): closing its handle leaves it firing; cancel drops the reference and frees it', async () => {
    const { h, sim, run, value, arm, cancel } = await setup();
    const { program } = await h.load(arm);
    expect(h.kernel.testRun(program.id, {}).retval).toBe(0);
    h.kernel.closeHandle(program.id);
    await Promise.resolve();
    expect(h.kernel.program(program.id)).toBe(program);
    sim.advance(5 * MS);
    expect(readU64(value(), 16)).toBe(5n);
    expect(sim.hooks.timers.errors).toBe(0);
    // bpf_timer_cancel from another program: 1 (armed), the callback and the reference go.
    expect(await run(cancel)).toBe(1);
    await Promise.resolve();
    expect(() => h.kernel.program(program.id)).toThrow(/no such program/);
    sim.advance(5 * MS);
    expect(readU64(value(), 16)).toBe(5n);
    // It is still initialized: a new init is EBUSY.
    expect(await run(arm)).toBe(-16 >>> 0);
  });

  it('a timer freed with its element drops its program: the program goes once its handle is closed', async () => {
    const { h, sim, map, value, arm } = await setup();
    const { program } = await h.load(arm);
    expect(h.kernel.testRun(program.id, {}).retval).toBe(0);
    h.kernel.closeHandle(program.id);
    sim.advance(2 * MS);
    expect(readU64(value(), 16)).toBe(2n);
    h.directory.get(map).update(u32s(1), new Uint8Array(32), 0);
    sim.advance(MS);
    await Promise.resolve();
    expect(() => h.kernel.program(program.id)).toThrow(/no such program/);
    expect(timerTable(h.kernel.arena).size).toBe(0);
  });

  it("a callback's bpf_ktime_get_ns reads its expiry: the kernel clock includes the virtual time that passed", async () => {
    const { h, sim, map } = await setup();
    // Arms element 1's timer for 3 ms; the callback stores bpf_ktime_get_ns at value + 16.
    const { program } = await h.load(`
      r1 = 1
      *(u32 *)(r10 - 4) = r1
      r2 = r10
      r2 += -4
      ld_pseudo r1, 1, ${map}
      call ${H.map_lookup_elem}
      if r0 == 0 goto out
      r6 = r0
      r1 = r6
      ld_pseudo r2, 1, ${map}
      r3 = 1
      call ${H.timer_init}
      r1 = r6
      ld_pseudo r2, 4, cb
      call ${H.timer_set_callback}
      r1 = r6
      r2 = ${3 * MS}
      r3 = 0
      call ${H.timer_start}
      out:
      r0 = 0
      exit
      cb:
      r6 = r3
      call ${H.ktime_get_ns}
      *(u64 *)(r6 + 16) = r0
      r0 = 0
      exit`);
    const start = h.kernel.clock.monotonicNs();
    expect(start).toBe(5_000_000_000n);
    expect(h.kernel.testRun(program.id, {}).retval).toBe(0);
    sim.advance(10 * MS);
    expect(readU64(h.directory.get(map).lookup(u32s(1)), 16)).toBe(start + BigInt(3 * MS));
    // After the catch-up every program reads the world's time: 10 ms on, the host clock unmoved.
    expect(h.kernel.clock.monotonicNs()).toBe(start + BigInt(10 * MS));
    expect(h.clock.monotonic).toBe(5_000_000_000n);
  });
});
