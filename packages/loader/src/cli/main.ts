import { BpfError } from '@bpfhive/uapi';
import type { Command } from './command.js';
import { asmCommand } from './commands/asm.js';
import { benchCommand } from './commands/bench.js';
import { btfCommand } from './commands/btf.js';
import { conformancePluginCommand } from './commands/conformance-plugin.js';
import { disasmCommand } from './commands/disasm.js';
import { exampleCommand } from './commands/example.js';
import { linkCommand } from './commands/link.js';
import { mapCommand } from './commands/map.js';
import { netCommand } from './commands/net.js';
import { perfCommand } from './commands/perf.js';
import { pingCommand } from './commands/ping.js';
import { progCommand } from './commands/prog.js';
import { traceCommand } from './commands/trace.js';
import { upCommand } from './commands/up.js';
import { verifyCommand } from './commands/verify.js';
import { type CliIo, UsageError, processIo } from './io.js';
import { errorLine } from './tty.js';

/** Every command, in the order `bpfhive help` lists them. */
export const COMMANDS: readonly Command[] = [asmCommand, disasmCommand, conformancePluginCommand, upCommand, pingCommand, mapCommand, progCommand, linkCommand, netCommand, perfCommand, traceCommand, btfCommand, verifyCommand, exampleCommand, benchCommand];

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'Usage: bpfhive COMMAND [ARGS]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "Run 'bpfhive COMMAND --help' for a command's usage.",
    '',
    'Exit status: 0 on success; 255 when a bpftool-style command (prog, map, link, btf, net, perf, bench) fails,',
    'as bpftool exits; 1 on any other error, and for an unknown command or option outside those;',
    'verify: 1 when a program is refused, 2 when nothing could be verified.',
    '',
  ].join('\n');
}

/**
 * Runs one command line (without the program name) and returns the exit status: 0 on success,
 * 1 on an error, printed to stderr as `Error: …` the way bpftool prints it (commands that mimic
 * bpftool, like `map`, report their own errors and exit 255 as bpftool does).
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...args] = optionsAfterCommand(argv);
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    io.stdout(help());
    return name === undefined ? 1 : 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.stderr(`${errorLine(io, `unknown command '${name}'`)}${help()}`);
    return 1;
  }
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout(`${command.help?.(args) ?? command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(args, io);
  } catch (e) {
    io.stderr(errorLine(io, describeError(e)));
    return 1;
  }
}

/**
 * bpftool takes its OPTIONS before the command too (`bpfhive -j map show`, `bpfhive -p prog
 * list`): `-j`/`--json`, `-p`/`--pretty`, `-f`/`--bpffs` and `--nats URL` found there move to the end of the
 * line, where the commands read them.
 */
export function optionsAfterCommand(argv: readonly string[]): string[] {
  let i = 0;
  while (i < argv.length && /^(-[jpf]+|--json|--pretty|--bpffs|--nats(=.*)?)$/.test(argv[i]!)) i += argv[i] === '--nats' ? 2 : 1;
  return [...argv.slice(i), ...argv.slice(0, i)];
}

function describeError(e: unknown): string {
  if (e instanceof UsageError || e instanceof BpfError) return e.message;
  // parseArgs reports unknown options and missing values with a code of its own.
  if (e instanceof TypeError && 'code' in e && String(e.code).startsWith('ERR_PARSE_ARGS')) return e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}

export { processIo };
