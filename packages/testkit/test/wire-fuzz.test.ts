/**
 * The running services under mutated requests, over a real NATS server: maps-store, jit,
 * verifier and kernel-sim start as processes (`node packages/<svc>/dist/main.js`; a service that
 * is not built is skipped, named below), and every subject they serve — map_create,
 * map.<id>.*, obj_pin/obj_get, *_get_next_id, the lease protocol, internal.jit,
 * internal.verify, prog_load, prog.<id>.*, btf_load, btf.<id>.*, link_create, link.<id>.*,
 * session_open — gets valid requests mutated. Every request must get a reply in time, every
 * reply must be well-formed (an error: the Nats-Service-Error-Code header and {errno, code,
 * message}); afterwards every service must answer PING and list no object that no reply handed
 * out. `scripts/fuzz.mjs services` runs it long. What it found is kept at the end as fixed
 * inputs; those tests break a service, so they run last (the kernel-sim's before the verifier's:
 * prog_load needs the verifier).
 */
import { LOG_SIZE_DEFAULT, Subjects, VerifyReplySchema, assemble, encode, toBase64 } from '@bpfhive/uapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatFindings, fuzz, fuzzRun } from '../src/fuzz/index.js';
import {
  FUZZED_SERVICES,
  type ServiceName,
  type WireFuzzWorld,
  checkReply,
  serviceBuilt,
  serviceMain,
  startWireFuzzWorld,
} from '../src/fuzz/services/index.js';
import { type NatsTestServer, NatsServerUnavailableError, startNatsServer } from '../src/index.js';

const RUN = fuzzRun({ seed: 0x5e41ce5, cases: 1_000, timeoutMs: 120_000 });
const MISSING = FUZZED_SERVICES.filter((name) => !serviceBuilt(name));
const NONE_BUILT = MISSING.length === FUZZED_SERVICES.length;

/**
 * A server of our own when one can be started: on a shared NATS_URL server other tests'
 * services would answer our requests and list their objects as ours.
 */
async function ownNatsServer(): Promise<NatsTestServer> {
  try {
    return await startNatsServer({ env: { ...process.env, NATS_URL: '' } });
  } catch (e) {
    if (!(e instanceof NatsServerUnavailableError) || !process.env.NATS_URL) throw e;
    console.warn(`wire fuzz: on the shared server ${process.env.NATS_URL}; other tests' services may answer too`);
    return startNatsServer();
  }
}

let nats: NatsTestServer | undefined;
let world: WireFuzzWorld | undefined;

beforeAll(async () => {
  if (NONE_BUILT) return;
  nats = await ownNatsServer();
  world = await startWireFuzzWorld(nats.url);
  for (const { name, main } of world.missing) console.warn(`wire fuzz: ${name} skipped, ${main} is missing (npm run build)`);
}, 120_000);

afterAll(async () => {
  await world?.stop(2_000); // the findings below leave services busy: no need to wait long for them
  await nats?.stop();
}, 30_000);

/** `it` for a fixed finding in `service`, skipped when the service is not built (scripts/test.sh builds every one first). */
const itIn = (service: ServiceName): typeof it.skip => (serviceBuilt(service) ? it : it.skip);

describe('fuzz services - mutated requests on every subject of the running services', () => {
  for (const name of MISSING) it.skip(`${name} - skipped: ${serviceMain(name)} is missing (npm run build)`, () => {});

  it.skipIf(NONE_BUILT)(
    'every request gets a well-formed reply in time; then every service answers PING and nothing is half-made',
    async () => {
      const report = await fuzz(world!.fuzzer, RUN);
      console.log(world!.fuzzer.coverage());
      expect(report.findings, formatFindings(report)).toEqual([]);
      if (!RUN.custom) expect(report.outcomes).toMatchObject({ ok: expect.any(Number), EINVAL: expect.any(Number) });
    },
    RUN.timeoutMs,
  );
});

describe('fuzz services - findings, as fixed inputs', () => {
  // Fixed (uapi wire/respond.ts; regression test in packages/uapi/src/wire/respond.fuzz.test.ts):
  // an error message with a line break (JSON.parse quotes the body) went into a NATS header,
  // respondError threw, and the service died of the unhandled rejection. Found by
  // `scripts/fuzz.mjs services --seed 0x00c0ffee` (case 16570).
  itIn('maps-store')('maps-store - a map command whose body is not JSON and holds a line break gets EINVAL, and the maps-store lives on', async () => {
    const { nc, services } = world!;
    const created = await nc.request(Subjects.mapCreate, JSON.stringify({ map_type: 'hash', key_size: 4, value_size: 4, max_entries: 4 }), { timeout: 5_000 });
    const { map_id } = created.json<{ map_id: number }>();
    const mapsStore = services.find((s) => s.name === 'maps-store')!;
    const exit = new Promise<never>((_, reject) => mapsStore.child.once('exit', (code) => reject(new Error(`the maps-store exited with ${code}`))));
    const reply = await Promise.race([nc.request(Subjects.map(map_id, 'lookup_elem'), 'N\n{"key":"AAAAAA=="}', { timeout: 3_000 }), exit]);
    expect(checkReply(reply, undefined).outcome).toBe('EINVAL');
    expect(mapsStore.alive()).toBe(true);
  });

  // Fixed (kernel-sim core/test-run/repeats.ts): test_run ran `repeat` times in one synchronous
  // loop on the service's event loop, so repeat 2^32-1 (u32 allows it) stopped the whole
  // kernel-sim for minutes. It now runs in slices that yield between them (Linux's cond_resched)
  // and stops with EINTR at a deadline (TEST_RUN_DEADLINE_MS). Found by `scripts/fuzz.mjs services
  // --seed 0x05e41ce5` (case 4468) and `--seed 0x00c0ffee` (case 1007).
  itIn('kernel-sim')('kernel-sim - a test_run with repeat 4294967295 leaves the kernel-sim answering PING', async () => {
    const { nc } = world!;
    const insns = toBase64(encode(assemble('r0 = 2\nexit', { syntax: 'llvm' })));
    const loaded = await nc.request(Subjects.progLoad, JSON.stringify({ prog_type: 'xdp', insns, license: 'GPL' }), { timeout: 10_000 });
    const { prog_id } = loaded.json<{ prog_id: number }>();
    const body = JSON.stringify({ data_in: toBase64(new Uint8Array(64)), repeat: 4294967295 });
    void nc.request(Subjects.prog(prog_id, 'test_run'), body, { timeout: 600_000 }).catch(() => undefined);
    await expect(nc.request('$SRV.PING.kernel-sim', '', { timeout: 3_000 })).resolves.toBeDefined();
  });

  // Fixed (verifier core/log.ts, uapi wire/log-size.ts): at log_level 1 or 2 a program that
  // reaches the 1M-instruction limit (any endless loop) wrote a log of ~50 MB that could not cross
  // NATS (1 MB payloads), and the request timed out. The log is now bounded by log_size (default
  // LOG_SIZE_DEFAULT, at most LOG_SIZE_MAX) and keeps its tail; a log that does not fit answers
  // ENOSPC with log_true_size, as Linux's bpf_check lets the log's error replace the verdict's.
  // Verifying the endless loop at log_level 1 takes ~15-35 s on a loaded 2-core machine (twice
  // log_level 0: every state is printed). Found by `scripts/fuzz.mjs services --seed 0x2024`
  // (case 542).
  itIn('verifier')('verifier - an endless loop at log_level 1 is refused with ENOSPC, the tail of its log and log_true_size in one reply', async () => {
    const insns = toBase64(encode(assemble('r0 = 0\nr1 = 10\nr0 += r1\nif r1 != 0 goto -2\nexit', { syntax: 'llvm' })));
    const request = JSON.stringify({ prog_type: 'xdp', insns, license: 'GPL', log_level: 1, maps: [] });
    const reply = await world!.nc.request(Subjects.internalVerify, request, { timeout: 150_000 });
    const checked = checkReply(reply, VerifyReplySchema);
    expect(checked).toMatchObject({ outcome: 'ok', body: { verdict: 'reject', code: 'ENOSPC', error: { message: expect.stringContaining('too large') } } });
    const body = checked.body as { log: string; log_true_size: number };
    expect(body.log.length).toBe(LOG_SIZE_DEFAULT - 1);
    expect(body.log_true_size).toBeGreaterThan(LOG_SIZE_DEFAULT);
  }, 160_000);
});
