import { writeFile } from 'node:fs/promises';
import { fromBase64 } from '@bpfhive/uapi';
import { hexDump, runResultPlain, writeDataJson } from '../format/run-output.js';
import { UsageError, readInput } from '../io.js';
import type { ArgCursor } from './map-args.js';
import { EXIT_OK, attempt } from './map-context.js';
import { parseProgHandle, parseRunArgs } from './prog-args.js';
import type { ProgContext, ProgSubcommand } from './prog-context.js';
import { resolveProgram } from './prog-resolve.js';

/** bpftool's default room for output data and context: 32 KiB. */
const DEFAULT_SIZE_OUT = 32 * 1024;

/** Output data or context: to FILE, or for `-` to standard output (hex, or a JSON member); nowhere without a file. */
async function printOutput(ctx: ProgContext, data: Uint8Array, file: string | undefined, jsonName: string): Promise<void> {
  if (file === undefined) return;
  if (file === '-') {
    if (ctx.out.json) writeDataJson(ctx.out.json, jsonName, data);
    else ctx.out.plain(hexDump(data));
    return;
  }
  try {
    await writeFile(file, data);
  } catch (e) {
    throw new UsageError(`failed to open ${file}: ${(e as Error).message}`);
  }
}

const bytesOf = (reply: Record<string, unknown>, name: string): Uint8Array | undefined =>
  typeof reply[name] === 'string' ? fromBase64(reply[name], name) : undefined;

/**
 * `run PROG data_in FILE [data_out FILE [data_size_out L]] [ctx_in FILE [ctx_out FILE [ctx_size_out M]]] [repeat N]`:
 * BPF_PROG_TEST_RUN, then `Return value: N, duration: Nns` (or a JSON object with retval and duration).
 */
async function run(ctx: ProgContext, args: ArgCursor): Promise<number> {
  args.require(4);
  const client = await ctx.client();
  const handle = parseProgHandle(args);
  const options = parseRunArgs(args);
  const program = await resolveProgram(client, handle);
  const dataIn = options.dataIn === undefined ? undefined : await readInput(options.dataIn, ctx.io);
  const ctxIn = options.ctxIn === undefined ? undefined : await readInput(options.ctxIn, ctx.io);
  const reply = await attempt('failed to run program', () =>
    client.bpf('PROG_TEST_RUN', {
      prog_id: program.id,
      repeat: options.repeat,
      ...(dataIn && { data_in: dataIn, data_size_out: options.dataSizeOut ?? DEFAULT_SIZE_OUT }),
      ...(ctxIn && { ctx_in: ctxIn, ctx_size_out: options.ctxSizeOut ?? DEFAULT_SIZE_OUT }),
    }),
  );
  const { json } = ctx.out;
  json?.startObject();
  // As bpftool: output files failing to open still let the return value print; the exit says so.
  let failed: unknown;
  for (const [name, file] of [
    ['data_out', options.dataOut],
    ['ctx_out', options.ctxOut],
  ] as const) {
    const data = bytesOf(reply, name);
    if (data) await printOutput(ctx, data, file, name).catch((e: unknown) => (failed ??= e));
  }
  const retval = Number(reply.retval);
  const duration = Number(reply.duration);
  if (json) json.field('retval', retval).field('duration', duration).endObject();
  else ctx.out.plain(runResultPlain(retval, duration, options.repeat));
  if (failed) throw failed;
  return EXIT_OK;
}

export const progRun: ProgSubcommand = {
  name: 'run',
  synopsis:
    'run PROG \\\n                         data_in FILE \\\n                         [data_out FILE [data_size_out L]] \\\n                         [ctx_in FILE [ctx_out FILE [ctx_size_out M]]] \\\n                         [repeat N]',
  run,
};
