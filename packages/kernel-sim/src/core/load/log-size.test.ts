import { BpfError, LOG_SIZE_DEFAULT, LOG_SIZE_MAX, toWireError } from '@bpfhive/uapi';
import { describe, expect, it } from 'vitest';
import { ACCEPT, FakeVerifier, kernelHarness } from '../../testing/harness.js';
import type { VerifyResult } from '../verify/types.js';

/** The BpfError a load fails with. */
async function loadError(load: Promise<unknown>): Promise<BpfError> {
  try {
    await load;
  } catch (e) {
    if (e instanceof BpfError) return e;
    throw e;
  }
  throw new Error('the load succeeded');
}

describe('prog_load - log_size', () => {
  it('prog_load log - the verifier gets the log buffer size: the default, the size asked for, at most what the wire carries', async () => {
    const h = kernelHarness();
    await h.load('r0 = 0\nexit', { log_level: 1 });
    await h.load('r0 = 0\nexit', { log_level: 1, log_size: 4096 });
    await h.load('r0 = 0\nexit', { log_level: 1, log_size: 2 ** 30 - 1 });
    await h.load('r0 = 0\nexit');
    expect(h.verifier.requests.map((r) => r.log_size)).toEqual([LOG_SIZE_DEFAULT, 4096, LOG_SIZE_MAX, undefined]);
  });

  it.each([
    ['a log_size below 128', { log_level: 1, log_size: 100 }],
    ['a log_size without a log_level', { log_size: 4096 }],
    ['unknown log_level bits', { log_level: 0x10 }],
  ])('prog_load log - %s is EINVAL before the verifier runs', async (_, attr) => {
    const h = kernelHarness();
    expect(await loadError(h.load('r0 = 0\nexit', attr))).toMatchObject({ code: 'EINVAL' });
    expect(h.verifier.requests).toEqual([]);
  });

  it('prog_load log - a log that did not fit fails the load with ENOSPC, the log and log_true_size on the wire error', async () => {
    const overflow: VerifyResult = { ...ACCEPT, verdict: 'reject', errno: 'ENOSPC', log: 'the tail of the log\n', log_true_size: 70_000 };
    const h = kernelHarness({ verifier: new FakeVerifier(() => overflow) });
    const error = await loadError(h.load('r0 = 0\nexit', { log_level: 1 }));
    expect(error).toMatchObject({ code: 'ENOSPC', message: expect.stringContaining('the verifier log needs 70000 bytes') });
    expect(toWireError(error)).toMatchObject({ code: 'ENOSPC', log: 'the tail of the log\n', log_true_size: 70_000 });
    expect(() => h.kernel.nextId(0)).toThrow(/no program id/);
  });

  it('prog_load log - an accepted load reports log_true_size with its log', async () => {
    const h = kernelHarness({ verifier: new FakeVerifier(() => ({ ...ACCEPT, log_true_size: ACCEPT.log.length + 1 })) });
    expect(await h.load('r0 = 0\nexit', { log_level: 1 })).toMatchObject({ log: ACCEPT.log, logTrueSize: ACCEPT.log.length + 1 });
  });
});
