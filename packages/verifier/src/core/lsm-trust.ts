/**
 * The LSM hooks whose arguments an lsm program may not trust (kernel/bpf/bpf_lsm.c
 * untrusted_lsm_hooks, read by bpf_lsm_is_trusted): hooks run while the object is being set up or
 * torn down, so its pointers read as plain PTR_TO_BTF_ID (`ptr_<struct>`), not PTR_TRUSTED, and
 * kfuncs that need a trusted or RCU argument refuse them. The names are the kernel's.
 */
const UNTRUSTED_LSM_HOOKS: ReadonlySet<string> = new Set([
  'bpf_lsm_bpf_map_free',
  'bpf_lsm_bpf_prog_free',
  'bpf_lsm_file_alloc_security',
  'bpf_lsm_file_free_security',
  // CONFIG_SECURITY_NETWORK
  'bpf_lsm_sk_alloc_security',
  'bpf_lsm_sk_free_security',
  'bpf_lsm_task_free',
  'bpf_lsm_bdev_alloc_security',
  'bpf_lsm_bdev_free_security',
]);

/** bpf_lsm_is_trusted: whether the arguments of lsm hook `hook` (its bpf_lsm_* FUNC name) are trusted. */
export function lsmHookTrusted(hook: string): boolean {
  return !UNTRUSTED_LSM_HOOKS.has(hook);
}
