import type { ArgCursor } from './map-args.js';
import { EXIT_OK, attempt } from './map-context.js';
import { parseProgHandle } from './prog-args.js';
import type { ProgContext, ProgSubcommand } from './prog-context.js';
import { resolveProgram } from './prog-resolve.js';

/** `pin PROG FILE`: BPF_OBJ_PIN of the one program PROG names. */
async function pin(ctx: ProgContext, args: ArgCursor): Promise<number> {
  args.require(3);
  const client = await ctx.client();
  const program = await resolveProgram(client, parseProgHandle(args));
  const file = args.shift();
  args.rejectRest();
  await attempt(`can't pin the object (${file})`, () => client.objPin(file, { prog_id: program.id }));
  ctx.out.json?.null();
  return EXIT_OK;
}

export const progPin: ProgSubcommand = { name: 'pin', synopsis: 'pin   PROG FILE', run: pin };
