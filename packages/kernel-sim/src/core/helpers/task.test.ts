import { HelperId as H } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { kernelHarness, readU32, readU64 } from '../../testing/harness.js';

const task = { pid: 4242, tgid: 4200, uid: 1001, gid: 1002, comm: 'a-very-long-command', cgroupId: 77n };

describe('helpers - current task', () => {
  it('helpers - get_current_pid_tgid, _uid_gid and _cgroup_id report the task running the program', async () => {
    const h = kernelHarness({ syscallTask: task });
    const { ctx } = await h.syscall(`
      r6 = r1
      call ${H.get_current_pid_tgid}
      *(u64 *)(r6 + 0) = r0
      call ${H.get_current_uid_gid}
      *(u64 *)(r6 + 8) = r0
      call ${H.get_current_cgroup_id}
      *(u64 *)(r6 + 16) = r0
      r0 = 0
      exit`);
    expect([readU64(ctx, 0), readU64(ctx, 8), readU64(ctx, 16)]).toEqual([(4200n << 32n) | 4242n, (1002n << 32n) | 1001n, 77n]);
  });

  it('helpers - get_current_comm copies at most 15 characters and pads with NULs', async () => {
    const h = kernelHarness({ syscallTask: task });
    const ctx = new Uint8Array(24).fill(0xaa);
    const { retval, ctx: out } = await h.syscall(`r2 = 20\ncall ${H.get_current_comm}\nexit`, ctx);
    expect(retval).toBe(0);
    expect(Buffer.from(out.subarray(0, 20)).toString('latin1')).toBe('a-very-long-com\0\0\0\0\0');
    expect(out[20]).toBe(0xaa);
    const short = await h.syscall(`r2 = 4\ncall ${H.get_current_comm}\nexit`, new Uint8Array(8).fill(0xaa));
    expect(Array.from(short.ctx)).toEqual([0x61, 0x2d, 0x76, 0, 0xaa, 0xaa, 0xaa, 0xaa]);
  });

  it('helpers - get_current_task points at a task_struct a program can read', async () => {
    const h = kernelHarness({ syscallTask: task });
    const { ctx } = await h.syscall(`
      r6 = r1
      call ${H.get_current_task}
      r1 = *(u32 *)(r0 + 0)
      *(u32 *)(r6 + 0) = r1
      r1 = *(u32 *)(r0 + 4)
      *(u32 *)(r6 + 4) = r1
      r1 = *(u64 *)(r0 + 24)
      *(u64 *)(r6 + 8) = r1
      call ${H.get_current_task_btf}
      *(u64 *)(r6 + 16) = r0
      call ${H.get_current_task}
      *(u64 *)(r6 + 24) = r0
      r0 = 0
      exit`);
    expect([readU32(ctx, 0), readU32(ctx, 4)]).toEqual([4242, 4200]);
    expect(Buffer.from(ctx.subarray(8, 16)).toString('latin1')).toBe('a-very-l');
    expect(readU64(ctx, 16)).toBe(readU64(ctx, 24));
  });
});
