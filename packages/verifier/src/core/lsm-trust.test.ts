import { describe, expect, it } from 'vitest';
import { lsmHookTrusted } from './lsm-trust.js';

describe('lsm trust - the hooks whose arguments are not trusted (bpf_lsm_is_trusted)', () => {
  it.each([
    ['bpf_lsm_task_free', false],
    ['bpf_lsm_file_free_security', false],
    ['bpf_lsm_sk_alloc_security', false],
    ['bpf_lsm_bdev_free_security', false],
    ['bpf_lsm_file_open', true],
    ['bpf_lsm_task_alloc', true],
  ])('lsm trust - %s trusted: %s', (hook, trusted) => {
    expect(lsmHookTrusted(hook)).toBe(trusted);
  });
});
