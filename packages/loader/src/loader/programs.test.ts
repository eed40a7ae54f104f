import { LOG_SIZE_DEFAULT, LOG_SIZE_MAX } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { type BpfClient, BpfSyscallError, BpfTimeoutError, BpfUnavailableError, VerifierError } from '../client/index.js';
import { type ProgLoadAttr, grownLogSize, loadProgram } from './programs.js';

/** A client whose PROG_LOAD fails with ENOSPC until log_size reaches `fits`; records each log_size. */
function client(fits: number, trueSize: number) {
  const sizes: (number | undefined)[] = [];
  const fake = {
    bpf: async (_cmd: string, attr: ProgLoadAttr) => {
      sizes.push(attr.log_size);
      if ((attr.log_size ?? LOG_SIZE_DEFAULT) < fits) throw new VerifierError('ENOSPC', 'the verifier log needs more', 'tail of the log\n', { logTrueSize: trueSize });
      return { prog_id: 7, log: 'whole log\n', verified_insns: 3 };
    },
  };
  return { client: fake as unknown as BpfClient, sizes };
}

const attr: ProgLoadAttr = { prog_type: 6, insns: new Uint8Array(16), license: 'GPL', log_level: 1 };

describe('loader - the verifier log buffer', () => {
  it('log size - grows to at least twice the last size and the true size, at most LOG_SIZE_MAX', () => {
    expect(grownLogSize(4096, 5000)).toBe(8192);
    expect(grownLogSize(4096, 50_000)).toBe(50_000);
    expect(grownLogSize(LOG_SIZE_DEFAULT, 10 ** 9)).toBe(LOG_SIZE_MAX);
    expect(grownLogSize(LOG_SIZE_MAX, 10 ** 9)).toBeUndefined();
  });

  it('log size - a load whose log does not fit is retried with the log_size the kernel reported, as libbpf does', async () => {
    const { client: c, sizes } = client(90_000, 90_000);
    expect(await loadProgram(c, attr)).toEqual({ id: 7, log: 'whole log\n', verifiedInsns: 3 });
    expect(sizes).toEqual([undefined, 131_072]);
  });

  it('log size - past LOG_SIZE_MAX the ENOSPC stands with the part of the log that fitted', async () => {
    const { client: c, sizes } = client(10 ** 9, 10 ** 9);
    await expect(loadProgram(c, { ...attr, log_size: 1024 })).rejects.toMatchObject({ code: 'ENOSPC', log: 'tail of the log\n' });
    expect(sizes).toEqual([1024, LOG_SIZE_MAX]);
  });

  it('log size - without a log_level an ENOSPC is not retried', async () => {
    const { client: c, sizes } = client(10 ** 9, 10 ** 9);
    await expect(loadProgram(c, { ...attr, log_level: 0 })).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(sizes).toHaveLength(1);
  });

  it('log on failure - a load without a log that the kernel refuses is loaded again at log_level 1, as libbpf does', async () => {
    const levels: (number | undefined)[] = [];
    const fake = {
      bpf: async (_cmd: string, a: ProgLoadAttr) => {
        levels.push(a.log_level);
        if (!a.log_level) throw new BpfSyscallError('EACCES', 'load program: permission denied');
        throw new VerifierError('EACCES', 'load program: permission denied', '0: (95) exit\nR0 !read_ok\n');
      },
    } as unknown as BpfClient;
    await expect(loadProgram(fake, { ...attr, log_level: 0 })).rejects.toMatchObject({ code: 'EACCES', log: '0: (95) exit\nR0 !read_ok\n' });
    expect(levels).toEqual([0, 1]);
  });

  it.each([
    ['a timeout', new BpfTimeoutError('bpf.v1.prog_load', 100)],
    ['no service', new BpfUnavailableError('bpf.v1.prog_load', 3, 100)],
  ])('log on failure - %s is not a refusal and is not retried', async (_what, error) => {
    let calls = 0;
    const fake = {
      bpf: async () => {
        calls++;
        throw error;
      },
    } as unknown as BpfClient;
    await expect(loadProgram(fake, { ...attr, log_level: 0 })).rejects.toBe(error);
    expect(calls).toBe(1);
  });
});
