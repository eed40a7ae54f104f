import { BpfClient } from '../../client/index.js';
import { Output } from '../format/output.js';
import { type CliIo, UsageError } from '../io.js';
import { errorLine } from '../tty.js';
import { ArgCursor, UsageRequested } from './map-args.js';
import { EXIT_FAILURE } from './map-context.js';

/** A subcommand of a bpftool-style command: `bpfhive TOOL NAME ARGS`. */
export interface ToolStep<C> {
  readonly name: string;
  /** Its line of the usage, after `bpfhive TOOL `. */
  readonly synopsis: string;
  run(ctx: C, args: ArgCursor): Promise<number>;
}

/** What differs between the bpftool-style commands (`map`, `prog`, `btf`, `link`, `net`, `perf`). */
export interface ToolRun<C, S extends ToolStep<C>> {
  readonly tool: string;
  /** The subcommand a word names (by prefix, bpftool's order); none given: the default one. */
  find(word: string | undefined): S | undefined;
  /** The context its subcommands run with; `client` connects on first use. */
  context(out: Output, io: CliIo, client: () => Promise<BpfClient>, options: ToolOptions): C;
  /** What a usage error of `subcommand` prints on standard error in plain mode. */
  usageOf(subcommand: S | undefined): string;
}

/** The options bpftool takes anywhere on the line, and the arguments left. */
export interface ToolOptions {
  readonly json: boolean;
  readonly pretty: boolean;
  /** `-f`/`--bpffs`: `show` also prints the paths each object is pinned at. */
  readonly bpffs: boolean;
  readonly nats?: string;
  readonly rest: string[];
}

/** Takes `-j`/`--json`, `-p`/`--pretty` (implies JSON), `-f`/`--bpffs`, `--nats URL` out of the arguments (short ones may combine: `-jf`); anything else stays. */
export function parseToolOptions(args: readonly string[]): ToolOptions {
  let json = false;
  let pretty = false;
  let bpffs = false;
  let nats: string | undefined;
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--bpffs') {
      bpffs = true;
    } else if (arg === '--json' || arg === '--pretty' || /^-[jpf]+$/.test(arg)) {
      json ||= arg !== '-f' && /[jp]/.test(arg);
      pretty ||= arg === '--pretty' || /^-[jpf]*p/.test(arg);
      bpffs ||= arg.startsWith('-') && !arg.startsWith('--') && arg.includes('f');
    } else if (arg === '--nats') {
      nats = args[++i];
      if (nats === undefined) throw new UsageError("option '--nats' needs a URL");
    } else if (arg.startsWith('--nats=')) {
      nats = arg.slice('--nats='.length);
    } else {
      rest.push(arg);
    }
  }
  return { json, pretty, bpffs, ...(nats !== undefined && { nats }), rest };
}

const describe = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * Runs one bpftool-style command line: options anywhere (`-j`, `-p`, `--nats URL`), the
 * subcommand, errors reported as bpftool reports them (JSON mode on standard output), the NATS
 * connection closed if one was opened. Returns the exit status: the subcommand's, or 255.
 */
export async function runTool<C, S extends ToolStep<C>>(args: readonly string[], io: CliIo, spec: ToolRun<C, S>): Promise<number> {
  let options;
  try {
    options = parseToolOptions(args);
  } catch (e) {
    io.stderr(errorLine(io, describe(e)));
    return EXIT_FAILURE;
  }
  const out = new Output(io, options);
  const [word, ...rest] = options.rest;
  const subcommand = spec.find(word);
  let client: Promise<BpfClient> | undefined;
  const connect = (): Promise<BpfClient> =>
    (client ??= BpfClient.connect({ ...(options.nats !== undefined && { servers: options.nats }), name: 'bpfhive-cli' }));
  let status: number;
  try {
    if (!subcommand) throw new UsageError(`unknown ${spec.tool} command '${word}'; run 'bpfhive ${spec.tool} help'`);
    status = await subcommand.run(spec.context(out, io, connect, options), new ArgCursor(rest, subcommand.name));
  } catch (e) {
    if (e instanceof UsageRequested) {
      if (out.json) out.error(`usage: bpfhive ${spec.tool} ${subcommand?.synopsis ?? ''}`);
      else io.stderr(`${spec.usageOf(subcommand)}\n`);
    } else {
      out.error(describe(e));
    }
    status = EXIT_FAILURE;
  } finally {
    await client?.then((c) => c.close()).catch(() => undefined);
  }
  out.finish();
  return status;
}
