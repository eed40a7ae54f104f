/**
 * @bpfhive/verifier — the eBPF verifier: `verify(program)` proves a program safe the way Linux's
 * verifier does (or says why not, with the kernel's log); `verifyRequest` answers the wire's
 * `bpf.v1.internal.verify`, which the `verifier` NATS micro service (dist/main.js) serves.
 */
export { verify } from './core/verify.js';
export { verifyRequest, toWire, kernelBtfOf, attachFuncOf } from './core/verify-request.js';
export type {
  VerifierProgram, VerifyResult, VerifyStats, VerifyFacts, VerifyError, Errno, LineInfo, FuncInfo, MapSpec, Capability,
  BtfArgType, FuncProto,
} from './core/types.js';
export { ProgFlag } from './core/types.js';
export type { KernelBtfInfo, KernelFunc, KernelStruct, KernelVar } from './core/kernel-btf.js';
export type { AttachFunc } from './core/btf-ctx.js';
export type { KptrField } from './core/map-info.js';
