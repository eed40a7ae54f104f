import { parseArgs } from 'node:util';
import { BpfClient } from '../../client/index.js';
import { EXAMPLES, runExample } from '../../examples/index.js';
import type { Command } from '../command.js';
import { type CliIo, UsageError } from '../io.js';

const USAGE = [
  'Usage: bpfhive example list',
  '       bpfhive example run NAME [--keep] [--dir EXAMPLES_DIR] [--nats URL]',
  '',
  '  run loads examples/NAME/NAME.bpf.o over NATS (CO-RE against the kernel-sim\'s BTF), attaches',
  '  its programs where its README says, drives the simulated devices or processes, prints what',
  '  the README says it shows, then detaches and closes everything; --keep leaves it attached.',
  '  Needs a running system: bpfhive up, or NATS_URL.',
  '',
  `  Examples: ${EXAMPLES.map((e) => e.name).join(', ')}`,
].join('\n');

/** `bpfhive example list|run NAME`. */
export const exampleCommand: Command = {
  name: 'example',
  summary: 'run an example of examples/ end to end (load, attach, drive, show)',
  usage: USAGE,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { keep: { type: 'boolean' }, dir: { type: 'string' }, nats: { type: 'string' } }, strict: true });
    const [sub, name, ...rest] = positionals;
    if (sub === 'list' || sub === undefined) {
      for (const e of EXAMPLES) io.stdout(`${e.name.padEnd(16)} ${e.summary}\n`);
      return 0;
    }
    if (sub !== 'run') throw new UsageError(`unknown example command '${sub}'; run 'bpfhive example --help'`);
    if (name === undefined) throw new UsageError('example run: which example? (bpfhive example list)');
    if (rest.length > 0) throw new UsageError(`what is '${rest[0]}'?`);
    const example = EXAMPLES.find((e) => e.name === name);
    if (!example) throw new UsageError(`no runnable example '${name}'; these are: ${EXAMPLES.map((e) => e.name).join(', ')}`);
    const client = await BpfClient.connect({ ...(values.nats !== undefined && { servers: values.nats }), name: 'bpfhive-example', timeoutMs: 30_000 });
    try {
      await runExample(example, { client, print: (text) => io.stdout(`${text}\n`), keep: values.keep ?? false, ...(values.dir !== undefined && { dir: values.dir }) });
    } finally {
      await client.close();
    }
    return 0;
  },
};
