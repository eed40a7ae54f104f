/**
 * @bpfhive/testkit — test support.
 *
 * - startNatsServer(): a real NATS server for integration tests (NATS_URL, testcontainers, or nats-server)
 * - bpfhiveNatsOptions(): its options for deploy/nats/bpfhive.conf, the accounts and roles of docker-compose
 */
export { startNatsServer, NatsServerUnavailableError, findExecutable, defaultSearchPath } from './nats-server.js';
export type { NatsTestServer, NatsServerOptions, ServerConfig } from './nats-server.js';
export { bpfhiveNatsOptions, readEnvFile, BPFHIVE_NATS_CONFIG, BPFHIVE_NATS_DEV_ENV } from './deploy-config.js';
export * from './fuzz/index.js';
