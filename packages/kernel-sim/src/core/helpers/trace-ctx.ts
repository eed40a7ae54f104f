import { HelperId } from '@bpfhive/uapi';
import { type HelperDef, type KernelServices, runOf } from './common.js';

/**
 * What a tracing program may ask about the hook that ran it: bpf_get_func_ip (the probed
 * function's address, for kprobes and fentry/fexit; 0 when the run has none) and
 * bpf_get_attach_cookie (the cookie given when the link was made; 0 without one).
 */
export function traceCtxHelpers(_kernel: KernelServices): HelperDef[] {
  return [
    { id: HelperId.get_func_ip, fn: (_args, env) => runOf(env).funcIp },
    { id: HelperId.get_attach_cookie, fn: (_args, env) => runOf(env).cookie },
  ];
}
