import { writeFile } from 'node:fs/promises';
import { decode, fromBase64 } from '@bpfhive/uapi';
import { progHeaderPlain, writeProgHeaderJson } from '../format/prog-info.js';
import { writeXlatedJson, xlatedPlain } from '../format/xlated.js';
import { UsageError } from '../io.js';
import { type ArgCursor, UsageRequested, isPrefix } from './map-args.js';
import { EXIT_OK } from './map-context.js';
import { type DumpArgs, parseDumpArgs, parseProgHandle } from './prog-args.js';
import type { ProgContext, ProgSubcommand } from './prog-context.js';
import { type ProgInfo, resolvePrograms } from './prog-resolve.js';

type Mode = 'xlated' | 'jited';

/** The bytes of a base64 info field, or the error saying the kernel-sim did not send it. */
function field(info: ProgInfo, name: 'xlated_prog_insns' | 'jited_prog_insns' | 'jited_prog_wat'): string {
  const value = info[name];
  if (typeof value !== 'string') throw new UsageError(`program ${info.id}: not available: the kernel-sim's info reply carries no ${name}`);
  return value;
}

async function writeTo(path: string, bytes: Uint8Array): Promise<void> {
  try {
    await writeFile(path, bytes, { mode: 0o600 });
  } catch (e) {
    throw new UsageError(`can't open file ${path}: ${(e as Error).message}`);
  }
}

/** One program's dump: to FILE as raw bytes, else the listing (xlated) or the WebAssembly text (jited). */
async function dumpOne(ctx: ProgContext, info: ProgInfo, mode: Mode, options: DumpArgs): Promise<void> {
  const { json } = ctx.out;
  if (options.file !== undefined) {
    await writeTo(options.file, fromBase64(field(info, mode === 'xlated' ? 'xlated_prog_insns' : 'jited_prog_insns'), mode));
    json?.null();
    return;
  }
  if (mode === 'jited') {
    const wat = field(info, 'jited_prog_wat');
    if (json) json.startObject().field('wat', wat).endObject();
    else ctx.out.plain(wat.endsWith('\n') ? wat : `${wat}\n`);
    return;
  }
  const insns = decode(fromBase64(field(info, 'xlated_prog_insns'), 'xlated_prog_insns'));
  if (json) writeXlatedJson(json, insns, options.opcodes);
  else ctx.out.plain(xlatedPlain(insns, options.opcodes));
}

/** `dump { xlated | jited } PROG [{ file FILE | opcodes }]`: several programs each under their header. */
async function dump(ctx: ProgContext, args: ArgCursor): Promise<number> {
  const word = args.shift();
  const mode: Mode = isPrefix(word, 'jited') ? 'jited' : isPrefix(word, 'xlated') ? 'xlated' : badMode(word);
  if (args.count < 2) throw new UsageRequested();
  const programs = await resolvePrograms(await ctx.client(), parseProgHandle(args));
  const options = parseDumpArgs(args);
  const several = programs.length > 1;
  if (several && options.file !== undefined) throw new UsageError('several programs matched');
  const { json } = ctx.out;
  if (several) json?.startArray();
  for (const [i, info] of programs.entries()) {
    if (several && json) {
      json.startObject();
      writeProgHeaderJson(json, info);
      json.name('insns');
    } else if (several) {
      ctx.out.plain(progHeaderPlain(info));
    }
    await dumpOne(ctx, info, mode, options);
    if (several && json) json.endObject();
    else if (several && i < programs.length - 1) ctx.out.plain('\n');
  }
  if (several) json?.endArray();
  return EXIT_OK;
}

function badMode(word: string): never {
  throw new UsageError(`expected 'xlated' or 'jited', got: ${word}`);
}

export const progDump: ProgSubcommand = {
  name: 'dump',
  synopsis: 'dump xlated PROG [{ file FILE | opcodes }]\n       bpfhive prog dump jited  PROG [file FILE]',
  run: dump,
};
