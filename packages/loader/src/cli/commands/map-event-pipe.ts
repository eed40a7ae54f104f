import { MapType } from '@bpfhive/uapi';
import { PerfBufReader, type PerfSlot } from '../../client/index.js';
import { hexBytes } from '../format/hex.js';
import { UsageError } from '../io.js';
import { type ArgCursor, isPrefix, parseMapRef, parseU32 } from './map-args.js';
import { EXIT_OK, type MapContext, type MapSubcommand, attempt } from './map-context.js';
import { resolveMap } from './map-resolve.js';
import { stopSignal } from './trace.js';

/** perf_event_header.type of a sample and of a lost record, as bpftool's JSON names them. */
const PERF_RECORD_LOST = 2;
const PERF_RECORD_SAMPLE = 9;

/** bpftool's `cpu N index M`: both or neither (then every CPU, slot i for CPU i). */
function parseSlot(args: ArgCursor): PerfSlot | undefined {
  let cpu: number | undefined;
  let index: number | undefined;
  while (args.count > 0) {
    const word = args.shift();
    if (isPrefix(word, 'cpu')) cpu = parseU32(args.shift(), 'CPU');
    else if (isPrefix(word, 'index')) index = parseU32(args.shift(), 'index');
    else throw new UsageError(`what is '${word}'?`);
  }
  if ((cpu === undefined) !== (index === undefined)) throw new UsageError('cpu and index must be specified together');
  return cpu === undefined ? undefined : { cpu, index: index! };
}

/**
 * `map event_pipe MAP [cpu N index M]` (bpftool map_perf_ring.c): opens a perf buffer on the
 * perf event array (PerfBufReader: an event per CPU in its slot, or one CPU's event in slot M)
 * and prints every record until Ctrl-C: a sample as `== CPU: 0 index: 0 =====` and its bytes in
 * hex, a loss as `lost N events`; with -j one object each, {type, cpu, index, data | lost}, in one
 * array. bpftool's `@seconds.ns` timestamp is left out: the kernel-sim's records carry none.
 */
async function eventPipe(ctx: MapContext, args: ArgCursor): Promise<number> {
  const client = await ctx.client();
  const info = await resolveMap(client, parseMapRef(args));
  const slot = parseSlot(args);
  if (info.map_type !== MapType.PERF_EVENT_ARRAY) throw new UsageError('map is not a perf event array');
  const { out } = ctx;
  const indexOf = (cpu: number): number => (slot ? slot.index : cpu);
  const stop = stopSignal(undefined);
  let reader: PerfBufReader;
  try {
    reader = await attempt('failed to create perf buffer', () => PerfBufReader.open(client, info.map_id, slot ? { slots: [slot] } : {}));
  } catch (e) {
    stop.dispose();
    throw e;
  }
  out.json?.startArray();
  try {
    const records = (async () => {
      for await (const r of reader) {
        const json = out.json;
        if (json) {
          json.startObject().field('type', 'data' in r ? PERF_RECORD_SAMPLE : PERF_RECORD_LOST).field('cpu', r.cpu).field('index', indexOf(r.cpu));
          if ('data' in r) {
            json.name('data').startArray();
            for (const b of r.data) json.number(b);
            json.endArray();
          } else {
            json.name('lost').startObject().field('count', r.lost).endObject();
          }
          json.endObject();
        } else if ('data' in r) {
          out.plain(`== CPU: ${r.cpu} index: ${indexOf(r.cpu)} =====\n${hexBytes(r.data)}\n`);
        } else {
          out.plain(`lost ${r.lost} events\n`);
        }
      }
    })();
    await Promise.race([records, stop.done]);
  } finally {
    stop.dispose();
    await reader.close();
  }
  out.json?.endArray();
  return EXIT_OK;
}

export const mapEventPipe: MapSubcommand = { name: 'event_pipe', synopsis: 'event_pipe MAP [cpu N index M]', run: eventPipe };
