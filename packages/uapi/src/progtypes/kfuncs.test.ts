import { describe, expect, it } from 'vitest';
import { ProgType } from '../generated/enums.js';
import { KF, KFUNCS, kfuncAllowed, kfuncByName } from './kfuncs.js';

describe('kfuncs - the table', () => {
  it("kfuncs - KF_* bits are include/linux/btf.h's", () => {
    expect(KF).toEqual({ ACQUIRE: 1, RELEASE: 2, RET_NULL: 4, TRUSTED_ARGS: 16, SLEEPABLE: 32, DESTRUCTIVE: 64, RCU: 128 });
  });

  it('kfuncs - names are unique; an acquire kfunc returns a pointer, a release kfunc takes one first', () => {
    expect(new Set(KFUNCS.map((k) => k.name)).size).toBe(KFUNCS.length);
    for (const k of KFUNCS) {
      if (k.flags & KF.ACQUIRE) expect(k.ret.kind, k.name).toBe('btf_ptr');
      if (k.flags & KF.RELEASE) expect(k.params[0]?.kind, k.name).toBe('btf_ptr');
    }
  });

  it('kfuncs - the task kfuncs are for the generic set (tc, xdp, tracing, syscall…), the RCU ones for every program type', () => {
    const fromPid = kfuncByName('bpf_task_from_pid')!;
    expect(fromPid.flags).toBe(KF.ACQUIRE | KF.RET_NULL);
    expect([ProgType.SCHED_CLS, ProgType.XDP, ProgType.TRACING, ProgType.SYSCALL].map((t) => kfuncAllowed(fromPid, t))).toEqual([true, true, true, true]);
    expect(kfuncAllowed(fromPid, ProgType.SOCKET_FILTER)).toBe(false);
    expect(kfuncAllowed(kfuncByName('bpf_rcu_read_lock')!, ProgType.SOCKET_FILTER)).toBe(true);
    expect(kfuncByName('bpf_no_such_kfunc')).toBeUndefined();
  });
});
