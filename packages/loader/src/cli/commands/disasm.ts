import { parseArgs } from 'node:util';
import { decode, disassemble, hexToBytes } from '@bpfhive/uapi';
import type { Command } from '../command.js';
import { type CliIo, UsageError, looksLikeHex, readInput } from '../io.js';

export const disasmCommand: Command = {
  name: 'disasm',
  summary: 'print eBPF bytecode (raw or hex) as LLVM-syntax assembly',
  usage: `Usage: bpfhive disasm FILE [--format auto|hex|raw] [--opcodes] [--labels] [--endian little|big]

  Reads bytecode from FILE (- for standard input): raw bytes, or hex text (any spacing, as
  'bpfhive asm' and the conformance suite write it); 'auto' (the default) tells them apart.
  Prints one instruction per line, numbered by slot, in the syntax llvm-objdump uses, except that
  bpf-to-bpf and kfunc calls say so (call pc+N, call kfunc#ID) so that 'bpfhive asm' reads the
  listing back to the same bytes.
    --opcodes   show each instruction's bytes, laid out as llvm-objdump -d does
    --labels    name jump targets (LBB0_N:) instead of printing bare offsets only`,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        format: { type: 'string', default: 'auto' },
        opcodes: { type: 'boolean', default: false },
        labels: { type: 'boolean', default: false },
        endian: { type: 'string', default: 'little' },
      },
    });
    if (positionals.length !== 1) throw new UsageError('disasm takes exactly one FILE (- for standard input)');
    const endian = values.endian;
    if (endian !== 'little' && endian !== 'big') throw new UsageError(`--endian must be little or big, not ${endian}`);
    const input = await readInput(positionals[0]!, io);
    const format = values.format === 'auto' ? (looksLikeHex(input) ? 'hex' : 'raw') : values.format;
    if (format !== 'hex' && format !== 'raw') throw new UsageError(`--format must be auto, hex or raw, not ${values.format}`);
    const bytes = format === 'hex' ? hexToBytes(Buffer.from(input).toString('latin1')) : input;
    const insns = decode(bytes, { endian });
    io.stdout(`${disassemble(insns, { llvmObjdump: values.opcodes, labels: values.labels, endian, pseudo: 'explicit' })}\n`);
    return 0;
  },
};
