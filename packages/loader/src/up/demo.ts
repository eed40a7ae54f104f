/**
 * `bpfhive up --demo` (what `npm start` runs): once the system is up, a short tour on it — a
 * Falco-style rule flagging sensitive opens, an HTTP filter between two containers, and a
 * packet counter left attached with live counters while traffic flows — then the system stays
 * up for clients, with a word on what to try. The tour goes through the same NATS subjects any
 * client uses (the examples' runners, examples/*); it stops at once when `up` is stopped.
 */
import { SimSubjects } from '@bpfhive/uapi';
import { BpfClient } from '../client/index.js';
import { perCpuSum, u32le } from '../examples/bytes.js';
import { httpFilter } from '../examples/http-filter.js';
import { pktcount } from '../examples/pktcount.js';
import { type Example, type ExampleRun, runExample } from '../examples/runner.js';
import { sensitiveOpen } from '../examples/sensitive-open.js';
import { simRequest } from '../examples/sim.js';

/** The line that ends the tour; tests wait for it. */
export const DEMO_DONE_LINE = 'bpfhive demo: the tour is over, the system stays up';

export interface DemoOptions {
  readonly natsUrl: string;
  print(text: string): void;
  /** How long the live counters run (default 3 s), one line a second. */
  readonly liveSeconds?: number;
}

/** A running tour: `stop()` ends it early (closing its connection) and resolves once it has. */
export interface Demo {
  readonly done: Promise<void>;
  stop(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** pktcount, then traffic in real time on its device with the counters read every second; left attached. */
function livePktcount(seconds: number): Example {
  return {
    ...pktcount,
    async run(run: ExampleRun) {
      const result = await pktcount.run(run);
      const { client, mapId, print } = run;
      print('');
      print(`live: 500 packets a second for ${seconds} s on pkt0, proto_stats read every second`);
      await simRequest(client, SimSubjects.trafficStart, {
        device: 'pkt0', rate: 500, duration: seconds * 1e9, realtime: true, seed: 42,
        flows: { count: 16, src: '198.51.100.0/24', dst: '10.0.0.1', dport: [80, 443] }, mix: { tcp: 4, udp: 1, icmp: 1 },
      });
      for (let s = 1; s <= seconds; s++) {
        await sleep(1000);
        const count = async (proto: number): Promise<bigint> => perCpuSum(await client.mapLookup(mapId('proto_stats'), u32le(proto)), 16, 0);
        const [tcp, udp, icmp] = [await count(6), await count(17), await count(1)];
        print(`  +${s}s  TCP ${String(tcp).padStart(6)}  UDP ${String(udp).padStart(6)}  ICMP ${String(icmp).padStart(6)}`);
      }
      return result;
    },
  };
}

/** Starts the tour; errors are printed (after a stop they are expected and not). */
export function startDemo(options: DemoOptions): Demo {
  let client: BpfClient | undefined;
  let stopping = false;
  const { print } = options;
  const tour = async (): Promise<void> => {
    client = await BpfClient.connect({ servers: options.natsUrl, name: 'bpfhive-demo', timeoutMs: 60_000 });
    const steps: readonly (readonly [string, Example, boolean])[] = [
      ['runtime security: a Falco-style rule flags processes opening sensitive files (tracepoint, ring buffer)', sensitiveOpen, false],
      ['an HTTP filter at TC ingress lets through only the requests a rule allows (two containers, a veth pair)', httpFilter, false],
      ['an XDP packet counter, left attached, with live counters', livePktcount(options.liveSeconds ?? 3), true],
    ];
    print('');
    print('bpfhive demo: a short tour of the examples (examples/*), on the system just started');
    let kept = '';
    for (const [i, [title, example, keep]] of steps.entries()) {
      if (stopping) return;
      print('');
      print(`== ${i + 1}/${steps.length} ${example.name}: ${title}`);
      await runExample(example, {
        client,
        keep,
        print: (text) => {
          if (keep && text.startsWith('--keep:')) kept = text;
          else print(text === '' ? '' : `   ${text}`);
        },
      });
    }
    print('');
    print(DEMO_DONE_LINE);
    print(`  export NATS_URL=${options.natsUrl}`);
    print('  npx bpfhive prog list                 # xdp_pktcount is still attached to pkt0');
    print('  npx bpfhive map dump name proto_stats # its counters');
    print('  npx bpfhive example list              # then e.g. npx bpfhive example run l4lb');
    if (kept) print(`  (${kept.replace(/^--keep: /, '')})`);
    print('Press Ctrl-C to stop everything.');
  };
  const done = tour()
    .catch((e: unknown) => {
      if (!stopping) print(`bpfhive demo: stopped by an error: ${e instanceof Error ? e.message : String(e)}`);
    })
    .finally(() => client?.close().catch(() => undefined));
  return {
    done,
    async stop() {
      stopping = true;
      await client?.close().catch(() => undefined);
      await done;
    },
  };
}
