import { describe, expect, it } from 'vitest';
import { rawTpArgNullness } from './raw-tp-null-args.js';

describe('raw tp null args - the tracepoint arguments that may be NULL or an error (raw_tp_null_args)', () => {
  it.each([
    ['sched_pi_setprio pi_task may be NULL', 'sched_pi_setprio', 1, true, false],
    ['sched_pi_setprio tsk is not marked', 'sched_pi_setprio', 0, false, false],
    ['cachefiles_lookup obj may be NULL', 'cachefiles_lookup', 0, true, false],
    ['cachefiles_lookup de may encode an error', 'cachefiles_lookup', 2, false, true],
    ['tcp_send_reset sk and skb may both be NULL (0x11), arg 1', 'tcp_send_reset', 1, true, false],
    ['nfsd_file_acquire arg 3 may be NULL (0x1001)', 'nfsd_file_acquire', 3, true, false],
    ['host1x_cdma_push_gather arg 4 may be NULL (0x10000)', 'host1x_cdma_push_gather', 4, true, false],
    ['bpf_testmod_test_read is listed with no marks', 'bpf_testmod_test_read', 0, false, false],
    ['a tracepoint the table does not list', 'sched_switch', 1, false, false],
  ])('raw tp null args - %s', (_title, tp, arg, maybeNull, maybeErr) => {
    expect(rawTpArgNullness(tp, arg)).toEqual({ maybeNull, maybeErr });
  });
});
