/**
 * @bpfhive/testkit — test support.
 *
 * - startNatsServer(): a real NATS server for integration tests (NATS_URL, testcontainers, or nats-server)
 */
export { startNatsServer, NatsServerUnavailableError, findExecutable, defaultSearchPath } from './nats-server.js';
export type { NatsTestServer, NatsServerOptions } from './nats-server.js';
