import * as btf from './btf.js';
import { ErrorReplySchema } from './common.js';
import { JitReplySchema, JitRequestSchema } from './jit.js';
import * as lease from './lease.js';
import * as link from './link.js';
import * as maps from './maps.js';
import * as perf from './perf.js';
import * as pin from './pin.js';
import * as prog from './prog.js';
import * as session from './session.js';
import * as sim from './sim.js';
import { VerifyReplySchema, VerifyRequestSchema } from './verify.js';

export * from './btf.js';
export { ErrorReplySchema } from './common.js';
export { JitReplySchema, JitRequestSchema, type JitReply, type JitRequest } from './jit.js';
export * from './lease.js';
export * from './link.js';
export * from './maps.js';
export * from './perf.js';
export * from './pin.js';
export * from './prog.js';
export * from './session.js';
export * from './sim.js';
export { VerifyReplySchema, VerifyRequestSchema, type VerifyReply, type VerifyRequest } from './verify.js';

/** Every wire schema, exported as packages/uapi/schema/<$id>.json for clients in other languages. */
export const WIRE_SCHEMAS = [
  ErrorReplySchema,
  JitRequestSchema,
  JitReplySchema,
  VerifyRequestSchema,
  VerifyReplySchema,
  maps.MapCreateRequestSchema,
  maps.MapIdReplySchema,
  maps.MapKeyRequestSchema,
  maps.MapValueReplySchema,
  maps.MapUpdateRequestSchema,
  maps.MapNextKeyRequestSchema,
  maps.MapNextKeyReplySchema,
  maps.MapLookupBatchRequestSchema,
  maps.MapLookupBatchReplySchema,
  maps.MapUpdateBatchRequestSchema,
  maps.MapDeleteBatchRequestSchema,
  maps.CountReplySchema,
  maps.EmptySchema,
  maps.MapInfoReplySchema,
  maps.GetNextIdRequestSchema,
  maps.GetNextIdReplySchema,
  pin.ObjPinRequestSchema,
  pin.ObjGetRequestSchema,
  pin.ObjGetReplySchema,
  pin.ObjUnpinRequestSchema,
  pin.ObjListRequestSchema,
  pin.ObjListReplySchema,
  pin.PinHoldRequestSchema,
  pin.PinHoldReplySchema,
  pin.PinRefRequestSchema,
  lease.LeaseRequestSchema,
  lease.LeaseReplySchema,
  lease.LeaseReturnRequestSchema,
  lease.LeaseRenewRequestSchema,
  lease.LeaseRenewReplySchema,
  prog.ProgLoadRequestSchema,
  prog.ProgLoadReplySchema,
  prog.ProgTestRunRequestSchema,
  prog.ProgTestRunReplySchema,
  prog.ProgInfoReplySchema,
  session.SessionOpenRequestSchema,
  session.SessionOpenReplySchema,
  session.SessionTtlReplySchema,
  session.SessionCheckReplySchema,
  btf.BtfLoadRequestSchema,
  btf.BtfLoadReplySchema,
  btf.BtfInfoReplySchema,
  link.LinkCreateRequestSchema,
  link.LinkCreateReplySchema,
  link.LinkUpdateRequestSchema,
  link.LinkInfoReplySchema,
  sim.SimDevCreateRequestSchema,
  sim.SimDevRefSchema,
  sim.SimDevInfoReplySchema,
  sim.SimDevListReplySchema,
  sim.SimDevDeleteReplySchema,
  sim.SimInjectRequestSchema,
  sim.SimInjectReplySchema,
  sim.SimTrafficStartRequestSchema,
  sim.SimPcapReplayRequestSchema,
  sim.SimSourceStatusSchema,
  sim.SimTrafficStopRequestSchema,
  sim.SimTrafficStatusReplySchema,
  sim.SimProcSpawnRequestSchema,
  sim.SimTaskInfoSchema,
  sim.SimProcListReplySchema,
  sim.SimSyscallRequestSchema,
  sim.SimSyscallReplySchema,
  sim.SimTimeAdvanceRequestSchema,
  sim.SimTimeAdvanceReplySchema,
  sim.SimScenarioRunRequestSchema,
  sim.SimScenarioRunReplySchema,
  sim.SimCountersReplySchema,
  sim.FlowLogRecordSchema,
  sim.RingbufRecordSchema,
  perf.PerfRecordSchema,
  perf.PerfEventOpenRequestSchema,
  perf.PerfEventOpenReplySchema,
  perf.EnableStatsRequestSchema,
  perf.EnableStatsReplySchema,
  sim.XskFrameSchema,
] as const;
