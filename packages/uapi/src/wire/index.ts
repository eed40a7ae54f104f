export { Subjects, ServiceNames, QueueGroups, SUBJECT_PREFIX } from './subjects.js';
export { type WireError, RemoteBpfError, toWireError } from './error.js';
export { toBase64, fromBase64 } from './base64.js';
export { validateWire, parseJson, type WireSchema } from './validate.js';
export { respond, serve, type ReplyableMessage } from './respond.js';
export * from './schemas/index.js';
export * from './identity.js';
export * from './nats-options.js';
