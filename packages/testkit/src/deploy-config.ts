import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** deploy/nats/bpfhive.conf: the accounts, users and permissions of docker-compose. */
export const BPFHIVE_NATS_CONFIG = fileURLToPath(new URL('../../../deploy/nats/bpfhive.conf', import.meta.url));

/** deploy/nats/dev.env: the development passwords that configuration reads. */
export const BPFHIVE_NATS_DEV_ENV = fileURLToPath(new URL('../../../deploy/nats/dev.env', import.meta.url));

/**
 * Options for startNatsServer() that run deploy/nats/bpfhive.conf, with the development
 * passwords unless `passwords` names others (variable name → password):
 * `startNatsServer({ ...bpfhiveNatsOptions() })`.
 */
export function bpfhiveNatsOptions(passwords: Readonly<Record<string, string>> = readEnvFile(BPFHIVE_NATS_DEV_ENV)): {
  config: string;
  serverEnv: Readonly<Record<string, string>>;
} {
  return { config: BPFHIVE_NATS_CONFIG, serverEnv: passwords };
}

/** The `NAME=value` lines of a dotenv-style file; blank lines and `#` comments are skipped. */
export function readEnvFile(file: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (m) vars[m[1]!] = m[2]!.trim();
  }
  return vars;
}
