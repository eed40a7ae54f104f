import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { assemble, bytesToHex, encode } from '@bpfhive/uapi';
import type { Command } from '../command.js';
import { type CliIo, UsageError, readInput } from '../io.js';

export const asmCommand: Command = {
  name: 'asm',
  summary: 'assemble eBPF text (LLVM or conformance syntax) into bytecode',
  usage: `Usage: bpfhive asm FILE [--output OUT] [--format hex|raw] [--endian little|big]

  Reads assembly from FILE (- for standard input): LLVM's syntax (r0 = 1, if r1 > r2 goto +3)
  or the conformance suite's (mov %r0, 1), with labels. Writes the bytecode: as hex, one
  instruction slot per line, to standard output by default; as raw bytes with --output.`,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        output: { type: 'string', short: 'o' },
        format: { type: 'string' },
        endian: { type: 'string', default: 'little' },
      },
    });
    if (positionals.length !== 1) throw new UsageError('asm takes exactly one FILE (- for standard input)');
    const endian = values.endian;
    if (endian !== 'little' && endian !== 'big') throw new UsageError(`--endian must be little or big, not ${endian}`);
    const format = values.format ?? (values.output ? 'raw' : 'hex');
    if (format !== 'hex' && format !== 'raw') throw new UsageError(`--format must be hex or raw, not ${format}`);

    const source = Buffer.from(await readInput(positionals[0]!, io)).toString('utf8');
    const bytes = encode(assemble(source), { endian });
    const out = format === 'raw' ? bytes : `${bytesToHex(bytes).replace(/(.{16})/g, '$1\n')}`;
    if (values.output) await writeFile(values.output, out);
    else io.stdout(out);
    return 0;
  },
};
