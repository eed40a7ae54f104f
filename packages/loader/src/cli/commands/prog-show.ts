import { type ProgShow, progShowPlain, writeProgShowJson } from '../format/prog-info.js';
import { type ArgCursor } from './map-args.js';
import { EXIT_OK } from './map-context.js';
import { pinnedPaths } from './pin-paths.js';
import { parseProgHandle } from './prog-args.js';
import type { ProgContext, ProgSubcommand } from './prog-context.js';
import { type ProgInfo, allPrograms, resolvePrograms } from './prog-resolve.js';

/** Prints programs as `prog show` does: plain, or JSON (one object for one program, else an array); with `-f` their pin paths. */
async function printPrograms(ctx: ProgContext, programs: readonly ProgInfo[], asArray: boolean): Promise<void> {
  const clock = ctx.clock();
  const pins = await pinnedPaths(ctx, 'prog');
  const shows: ProgShow[] = programs.map((info) => ({ info, clock, ...(pins && { pinned: pins.get(info.id) ?? [] }) }));
  const { json } = ctx.out;
  if (!json) {
    for (const show of shows) ctx.out.plain(progShowPlain(show));
    return;
  }
  if (asArray) json.startArray();
  for (const show of shows) writeProgShowJson(json, show);
  if (asArray) json.endArray();
}

/** `prog show [PROG]`: one program (or every program a name or tag matches), else every program by id. */
async function show(ctx: ProgContext, args: ArgCursor): Promise<number> {
  const client = await ctx.client();
  if (args.count === 2) {
    const programs = await resolvePrograms(client, parseProgHandle(args));
    await printPrograms(ctx, programs, programs.length > 1);
    return EXIT_OK;
  }
  args.rejectRest();
  await printPrograms(ctx, await allPrograms(client), true);
  return EXIT_OK;
}

export const progShow: ProgSubcommand = { name: 'show', synopsis: '{ show | list } [PROG]', run: show };
export const progList: ProgSubcommand = { ...progShow, name: 'list' };
