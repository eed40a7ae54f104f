import { HelperId as H } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { kernelHarness, readU32, u32s } from '../../testing/harness.js';
import { buildArgsContext } from '../contexts/tracing.js';

describe('helpers - bpf_spin_lock', () => {
  it('helpers - lock, update, unlock: the value changes and the lock word is free again', async () => {
    const h = kernelHarness();
    const map = h.map({ map_type: 'array', key_size: 4, value_size: 8, max_entries: 1 });
    const { program } = await h.load(`
      *(u32 *)(r10 - 4) = 0
      ld_pseudo r1, 1, ${map}
      r2 = r10
      r2 += -4
      call ${H.map_lookup_elem}
      if r0 == 0 goto out
      r6 = r0
      r1 = r6
      call ${H.spin_lock}
      r1 = *(u32 *)(r6 + 4)
      r1 += 1
      *(u32 *)(r6 + 4) = r1
      r1 = r6
      call ${H.spin_unlock}
      out:
      r0 = 0
      exit`);
    for (let i = 0; i < 3; i++) h.kernel.testRun(program.id, {});
    const value = h.directory.lookup(map, u32s(0));
    expect([readU32(value, 0), readU32(value, 4)]).toEqual([0, 3]);
  });

  it('helpers - taking a lock the run already holds stops the run (it would spin forever)', async () => {
    const h = kernelHarness();
    const map = h.map({ map_type: 'array', key_size: 4, value_size: 8, max_entries: 1 });
    const { program } = await h.load(`
      *(u32 *)(r10 - 4) = 0
      ld_pseudo r1, 1, ${map}
      r2 = r10
      r2 += -4
      call ${H.map_lookup_elem}
      r6 = r0
      r1 = r6
      call ${H.spin_lock}
      r1 = r6
      call ${H.spin_lock}
      r0 = 0
      exit`);
    expect(() => h.kernel.testRun(program.id, {})).toThrow(/already held by this program/);
  });
});

describe('helpers - bpf_get_func_ip and bpf_get_attach_cookie', () => {
  it('helpers - report what the hook set for the run, and 0 when it set nothing', async () => {
    const h = kernelHarness();
    const { program } = await h.load(`call ${H.get_func_ip}\nr6 = r0\ncall ${H.get_attach_cookie}\nr0 += r6\nexit`, { prog_type: 'raw_tracepoint' });
    const ctx = buildArgsContext(h.kernel.arena, []);
    const cpu = h.kernel.cpus[0]!;
    expect(h.kernel.run(program, cpu, ctx.address, { funcIp: 0xffffffff81000000n, cookie: 5n }).r0).toBe(0xffffffff81000005n);
    expect(h.kernel.run(program, cpu, ctx.address).r0).toBe(0n);
  });
});

describe('helpers - bpf_strncmp', () => {
  it.each([
    ['equal strings', 'abc', 'abc', 8, 0],
    ['a smaller first difference', 'abc', 'abd', 8, 0xffffffff],
    ['a larger first difference', 'abd', 'abc', 8, 1],
    ['differences past s1_sz', 'abcX', 'abcY', 3, 0],
    ['a shorter s1', 'ab', 'abc', 8, 0xffffffff],
  ])('helpers - %s', async (_title, s1, s2, size, retval) => {
    const ctx = new Uint8Array(32);
    ctx.set(Buffer.from(`${s1}\0`), 0);
    ctx.set(Buffer.from(`${s2}\0`), 16);
    expect((await kernelHarness().syscall(`r2 = ${size}\nr3 = r1\nr3 += 16\ncall ${H.strncmp}\nexit`, ctx)).retval).toBe(retval);
  });
});
