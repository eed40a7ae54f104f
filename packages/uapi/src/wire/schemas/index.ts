import { ErrorReplySchema } from './common.js';
import { JitReplySchema, JitRequestSchema } from './jit.js';
import * as lease from './lease.js';
import * as maps from './maps.js';
import * as prog from './prog.js';

export { ErrorReplySchema } from './common.js';
export { JitReplySchema, JitRequestSchema, type JitReply, type JitRequest } from './jit.js';
export * from './lease.js';
export * from './maps.js';
export * from './prog.js';

/** Every wire schema, exported as packages/uapi/schema/<$id>.json for clients in other languages. */
export const WIRE_SCHEMAS = [
  ErrorReplySchema,
  JitRequestSchema,
  JitReplySchema,
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
  maps.ObjPinRequestSchema,
  maps.ObjGetRequestSchema,
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
] as const;
