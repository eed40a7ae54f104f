/**
 * `bpfhive net replay FILE dev NAME [rate PPS | speed FACTOR | topspeed] [loop N]`: a pcap file
 * read here, checked (a broken file is refused before anything is sent), and replayed into a
 * simulated device, where its XDP and TC programs see every frame (bpfhive's addition to
 * bpftool net, in tcpreplay's terms: --pps, --multiplier, --topspeed, --loop).
 */
import { UsageError, readInput } from '../io.js';
import { progressLine } from '../tty.js';
import { type ArgCursor, isPrefix, parseU32 } from './map-args.js';
import { EXIT_FAILURE, EXIT_OK, attempt } from './map-context.js';
import type { ToolContext, ToolSubcommand } from './link-context.js';
import { findDevice, parseDevName } from './net-device.js';
import { PcapFormatError, readCapture, splitCapture } from './pcap-capture.js';
import { type ReplayPacing, type ReplayResult, maxPieceBytes, replayCapture } from './pcap-replay.js';
import { stopSignal } from './trace.js';

interface ReplayArgs {
  readonly file: string;
  readonly dev: string;
  readonly pacing: ReplayPacing;
  readonly loops: number;
}

function positive(text: string, what: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n <= 0) throw new UsageError(`can't parse ${text} as ${what}: a positive number is needed`);
  return n;
}

/** `FILE dev NAME [rate PPS | speed FACTOR | topspeed] [loop N]`, keywords by prefix as bpftool reads them. */
function parseReplayArgs(args: ArgCursor): ReplayArgs {
  args.require(3);
  const file = args.shift();
  const dev = parseDevName(args);
  let pacing: ReplayPacing | undefined;
  let loops = 1;
  const pace = (p: ReplayPacing): void => {
    if (pacing) throw new UsageError('rate, speed and topspeed exclude each other');
    pacing = p;
  };
  while (args.count > 0) {
    const word = args.shift();
    if (isPrefix(word, 'rate')) pace({ rate: positive(args.shift(), 'packet rate') });
    else if (isPrefix(word, 'speed')) pace({ speed: positive(args.shift(), 'speed factor') });
    else if (isPrefix(word, 'topspeed')) pace({ topspeed: true });
    else if (isPrefix(word, 'loop')) {
      loops = parseU32(args.shift(), 'loop count');
      if (loops < 1) throw new UsageError('loop count must be at least 1');
    } else throw new UsageError(`what is '${word}'?`);
  }
  return { file, dev, pacing: pacing ?? { recorded: true }, loops };
}

/** `read()`, with a capture that cannot be replayed reported as `FILE: why; nothing was sent`. */
function checked<T>(file: string, read: () => T): T {
  try {
    return read();
  } catch (e) {
    throw e instanceof PcapFormatError ? new UsageError(`${file}: ${e.message}; nothing was sent`) : e;
  }
}

/** Replays the capture and prints what it did: a summary line (or JSON object) and the XDP verdicts. */
async function replay(ctx: ToolContext, args: ArgCursor): Promise<number> {
  const options = parseReplayArgs(args);
  const bytes = await readInput(options.file, ctx.io);
  const capture = checked(options.file, () => readCapture(bytes));
  const client = await ctx.client();
  const device = await findDevice(client, options.dev);
  const pieces = checked(options.file, () => splitCapture(capture, maxPieceBytes(client)));
  const progress = progressLine(ctx.io, ctx.out.json !== undefined);
  const signal = stopSignal(undefined);
  let result: ReplayResult;
  try {
    result = await attempt('pcap replay failed', () =>
      replayCapture(client, { ifindex: device.ifindex, pieces, loops: options.loops, pacing: options.pacing }, {
        stop: signal.done,
        ...(progress && { onProgress: (sent, total, ns) => progress.update(`replaying ${options.file} on ${device.name}: ${sent}/${total} packets, ${Math.round(pps(sent, ns))} pps`) }),
      }),
    );
  } finally {
    signal.dispose();
    progress?.done();
  }
  printSummary(ctx, options, device, result);
  if (result.interrupted) {
    ctx.out.info(`Warning: interrupted after ${result.sent} of ${result.total} packets`);
    return EXIT_FAILURE;
  }
  if (result.sent < result.total) {
    ctx.out.info(`Warning: ${device.name} took ${result.sent} of ${result.total} packets (is it down?)`);
    return EXIT_FAILURE;
  }
  return EXIT_OK;
}

const pps = (sent: number, ns: number): number => (ns > 0 ? (sent * 1e9) / ns : 0);

function printSummary(ctx: ToolContext, options: ReplayArgs, device: { name: string; ifindex: number }, r: ReplayResult): void {
  const json = ctx.out.json;
  if (json) {
    json.startObject().field('file', options.file).field('devname', device.name).field('ifindex', device.ifindex);
    json.field('packets', r.sent).field('total', r.total).field('bytes', r.bytes).field('loops', options.loops).field('requests', r.requests);
    json.field('duration_ns', r.elapsedNs).field('pps', Math.round(pps(r.sent, r.elapsedNs))).field('interrupted', r.interrupted);
    if (r.verdicts) {
      json.name('verdicts').startObject();
      for (const [name, count] of Object.entries(r.verdicts)) json.field(name, count);
      json.endObject();
    }
    json.endObject();
    return;
  }
  const seconds = (r.elapsedNs / 1e9).toFixed(3);
  let text = `${device.name}(${device.ifindex}): replayed ${r.sent} packets, ${r.bytes} bytes in ${seconds} s (${Math.round(pps(r.sent, r.elapsedNs))} pps)\n`;
  const v = r.verdicts;
  if (v) text += `xdp: pass ${v.xdp_pass}  drop ${v.xdp_drop}  tx ${v.xdp_tx}  redirect ${v.xdp_redirect}  aborted ${v.xdp_aborted}\n`;
  ctx.out.plain(text);
}

export const netReplay: ToolSubcommand = {
  name: 'replay',
  synopsis: 'replay FILE dev NAME [ rate PPS | speed FACTOR | topspeed ] [ loop N ]',
  run: replay,
};
