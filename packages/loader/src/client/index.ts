/**
 * bpf(2) over NATS: BpfClient (the system call and typed helpers), MapHandle with codecs, and the
 * errors every call fails with.
 */
export { BpfClient, type BpfClientOptions, type BatchPage, type IdKind, type ObjectRef } from './bpf-client.js';
export { ClientSession, type SessionOptions } from './session.js';
export { routeBpf, type BpfAttr, type BpfCommand, type Route } from './route.js';
export { BpfSyscallError, BpfTimeoutError, BpfUnavailableError, VerifierError } from './errors.js';
export { summarizeVerifierLog } from './verifier-log.js';
export { MapHandle, pinnedMapId } from './map-handle.js';
export { RingBufReader, type RingRecord, type RingSampleCallback } from './ring-buf-reader.js';
export { PerfBufReader, type PerfBufOptions, type PerfRecord, type PerfSlot } from './perf-buf-reader.js';
export { type Codec, u32, u64, bytes } from './codecs.js';
export { DEFAULT_NATS_URL, natsUrlFromEnv } from './env.js';
