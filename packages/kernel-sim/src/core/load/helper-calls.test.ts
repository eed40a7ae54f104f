import { type BpfError, HelperId, assemble } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { checkHelperCalls, helperCalls } from './helper-calls.js';

/** The error checkHelperCalls throws for `program`, or undefined when it accepts it. */
function refusal(program: string, gplCompatible: boolean, implemented: (id: number) => boolean = () => true): BpfError | undefined {
  try {
    checkHelperCalls(assemble(program), gplCompatible, implemented);
    return undefined;
  } catch (e) {
    return e as BpfError;
  }
}

describe('helper calls (the kernel-sim checks of the helpers a program calls)', () => {
  it('helper calls - each helper once, at the instruction index of its first call', () => {
    const insns = assemble(`r1 = 0 ll\ncall ${HelperId.ktime_get_ns}\ncall ${HelperId.get_prandom_u32}\ncall ${HelperId.ktime_get_ns}\nexit`);
    expect([...helperCalls(insns)]).toEqual([[HelperId.ktime_get_ns, 1], [HelperId.get_prandom_u32, 2]]);
  });

  it('helper calls - a GPL-only helper from a non-GPL program is EINVAL naming the slot of the call, a lddw before it counting two', () => {
    const error = refusal(`r1 = r10\nr1 += -8\nr2 = 8\nr3 = 0 ll\ncall ${HelperId.probe_read_kernel}\nr0 = 0\nexit`, false);
    expect([error?.code, error?.message]).toEqual(['EINVAL', 'load program: instruction 5: cannot call GPL-restricted function from non-GPL compatible program (bpf_probe_read_kernel)']);
    expect(refusal(`r3 = 0 ll\ncall ${HelperId.probe_read_kernel}\nexit`, true)).toBeUndefined();
  });

  it('helper calls - a helper the kernel does not implement, or no helper at all, is EINVAL at the slot of the call', () => {
    const unimplemented = refusal(`r1 = 1 ll\nr2 = 2 ll\ncall ${HelperId.override_return}\nexit`, true, (id) => id !== HelperId.override_return);
    expect(unimplemented?.message).toBe('load program: instruction 4: bpf_override_return is not implemented by bpfhive yet');
    expect(refusal('r1 = 1 ll\ncall 9999\nexit', true, (id) => id !== 9999)?.message).toBe('load program: instruction 2: invalid func unknown#9999');
  });

  it('helper calls - a kfunc the kernel does not implement is EINVAL at the slot of the call, naming its BTF id', () => {
    const error = refusal('r1 = 1 ll\ncall kfunc#1234\nr0 = 0\nexit', true);
    expect([error?.code, error?.message]).toEqual(['EINVAL', 'load program: instruction 2: kernel function BTF id 1234 is not implemented by bpfhive']);
  });
});
