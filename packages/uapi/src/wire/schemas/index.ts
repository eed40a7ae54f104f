import { ErrorReplySchema } from './common.js';
import { JitReplySchema, JitRequestSchema } from './jit.js';

export { ErrorReplySchema } from './common.js';
export { JitReplySchema, JitRequestSchema, type JitReply, type JitRequest } from './jit.js';

/** Every wire schema, exported as packages/uapi/schema/<$id>.json for clients in other languages. */
export const WIRE_SCHEMAS = [ErrorReplySchema, JitRequestSchema, JitReplySchema] as const;
