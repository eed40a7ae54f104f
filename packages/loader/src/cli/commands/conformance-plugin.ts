import { parseArgs } from 'node:util';
import { CONFORMANCE_ENGINES, isConformanceEngine, runConformanceProgram } from '@bpfhive/jit';
import { BpfError, hexToBytes } from '@bpfhive/uapi';
import type { Command } from '../command.js';
import { type CliIo, UsageError } from '../io.js';

/**
 * The bpf_conformance runner's plugin protocol: the program as hex bytes on standard input, the
 * input memory as hex in the first argument, plugin options after it (the runner passes them as
 * ONE argument, so an argument starting with `--` is split on white space). Prints r0 in hex on
 * standard output. A failure exits 1 with its message on standard error; the bare message also
 * goes to standard output, where the runner looks for a test's expected error text.
 */
export const conformancePluginCommand: Command = {
  name: 'conformance-plugin',
  summary: 'run bytecode (hex on stdin) over memory (hex argument) the bpf_conformance way; print r0',
  usage: `Usage: bpfhive conformance-plugin [MEMORY-HEX] [--engine ${CONFORMANCE_ENGINES.join('|')}]

  Reads a program as hex bytes from standard input, runs it as cpu v4 with r1 = the memory
  given as hex in MEMORY-HEX (empty when absent), r2 = its length and a 512-byte stack, and
  prints r0 in hex. This is the plugin protocol of the bpf_conformance runner; point the runner
  at the bpfhive-conformance-plugin bin, whose arguments are exactly the runner's.`,
  async run(args: string[], io: CliIo): Promise<number> {
    // The runner always passes the memory first (maybe empty) and its options as one argument (maybe empty).
    const [first, ...rest] = args;
    const memoryArg = first === undefined || first.trim().startsWith('--') ? undefined : first;
    const { values, positionals } = parseArgs({
      args: (memoryArg === undefined ? args : rest).flatMap((a) => (a.trim() === '' ? [] : a.trim().split(/\s+/))),
      allowPositionals: true,
      options: { engine: { type: 'string', default: 'interp' } },
    });
    if (positionals.length > 0) throw new UsageError(`conformance-plugin takes one MEMORY-HEX argument, then options; unexpected '${positionals[0]}'`);
    if (!isConformanceEngine(values.engine)) {
      throw new UsageError(`--engine must be one of ${CONFORMANCE_ENGINES.join(', ')}, not ${values.engine}`);
    }
    const memory = parseHex(memoryArg ?? '', 'memory');
    const program = parseHex(Buffer.from(await io.readStdin()).toString('latin1'), 'program');
    try {
      const r0 = runConformanceProgram(program, memory, values.engine);
      io.stdout(`${r0.toString(16)}\n`);
      return 0;
    } catch (e) {
      if (e instanceof BpfError) io.stdout(`${e.message}\n`);
      throw e;
    }
  },
};

function parseHex(text: string, what: string): Uint8Array {
  try {
    return hexToBytes(text);
  } catch {
    throw new UsageError(`the ${what} must be hex bytes (like "b7 00 00 00 01 00 00 00"), got '${text.trim().slice(0, 40)}'`);
  }
}
