/**
 * The wire fuzzer: mutated requests to every subject of the running services over a real NATS
 * server (packages/testkit/test/wire-fuzz.test.ts, `scripts/fuzz.mjs services`).
 *
 * - startWireFuzzWorld(natsUrl): the built services as processes, and a WireFuzzer for runFuzz
 * - WireFuzzer: one request per case; findings are hangs, malformed replies, exits, and after
 *   the run, services that do not answer PING and half-made objects
 * - checkReply: what a well-formed reply is
 */
export { type WireFuzzWorld, startWireFuzzWorld } from './world.js';
export { type WireRequest, WireFuzzer, listIds } from './wire-fuzzer.js';
export { MalformedReplyError, checkReply } from './replies.js';
export { FUZZED_SERVICES, type ServiceName, type ServiceProcess, serviceBuilt, serviceMain, startServiceProcess } from './processes.js';
export type { RequestFamily } from './family.js';
