import type { CliIo } from '../cli/io.js';
import { prefixed } from './lines.js';
import { type LocalNats, findNatsServer, natsSearchPath, startLocalNats } from './nats-launcher.js';
import type { NatsChoice } from './options.js';

/** The NATS server `up` uses: where it is, how it came to be, and the process when `up` owns it. */
export interface UpNats {
  readonly url: string;
  /** For the ready message: "nats-server started here, …", "from NATS_URL", … */
  readonly origin: string;
  readonly local?: LocalNats;
}

/**
 * Resolves the NATS choice: an external URL as it is (connecting checks it answers), or a local
 * `nats-server -js` started with its store in `storeDir` (NatsServerMissingError when there is
 * none). Its warnings go to stderr as `[nats]` lines unless `quiet`.
 */
export async function provideNats(choice: NatsChoice, storeDir: string, timeoutMs: number, pathVar: string | undefined, io: CliIo, quiet: boolean): Promise<UpNats> {
  if (choice.kind === 'external') {
    return { url: choice.url, origin: choice.from === 'default' ? 'the default URL' : `from ${choice.from}` };
  }
  const binary = findNatsServer(natsSearchPath(pathVar));
  const local = await startLocalNats(binary, storeDir, timeoutMs, (line) => {
    if (!quiet) io.stderr(prefixed('nats', line));
  });
  return { url: local.url, origin: `nats-server started here, pid ${local.pid}, JetStream store in ${local.storeDir}`, local };
}
