import { BpfError, Subjects, assemble, encode } from '@bpfhive/uapi';
import type { BpfClient } from '../../client/index.js';
import { Transport } from '../../client/transport.js';
import type { LoadRecorder } from './bench-stats.js';

/**
 * The work of `bpfhive bench load`: each client repeats whole cycles, each a full lifetime of
 * its objects, so a run that ends cleanly leaves nothing behind:
 *
 * - `map`:  map_create (hash, 4-byte keys, 8-byte values, 64 entries) → map_update → map_lookup
 *           → map_delete → map_close;
 * - `prog`: prog_load (a two-instruction cgroup_skb program, through the verifier and the JIT)
 *           → [`link`: link_create on a cgroup of the client's own → link_detach → link_close]
 *           → prog_close.
 *
 * An operation that fails is recorded by errno and the operations that needed its object are
 * skipped, but whatever was made is still closed.
 */

/** The parts of a cycle a run does. */
export type WorkKind = 'map' | 'prog' | 'link';

export const WORK_KINDS: readonly WorkKind[] = ['map', 'prog', 'link'];

/** cgroup_skb that lets every packet through. */
const PROGRAM = encode(assemble('r0 = 1\nexit'));
/** Each client attaches to a cgroup of its own, well clear of the simulated world's. */
const FIRST_CGROUP = 0x10000;
/** How long one request may take before it counts as ETIMEDOUT. */
const REQUEST_TIMEOUT_MS = 30_000;

const value = new Uint8Array(8);

/** The errno name of what an operation threw. */
function errnoOf(e: unknown): string {
  return e instanceof BpfError ? e.code : 'EFAULT';
}

/** One client's loop until `stop()` says so; resolves once its last cycle is done. */
export async function runClient(client: BpfClient, index: number, kinds: ReadonlySet<WorkKind>, recorder: LoadRecorder, stop: () => boolean): Promise<void> {
  const transport = new Transport(client.nc, { timeoutMs: REQUEST_TIMEOUT_MS, retryMs: 0 });
  // The client's own key: clients run interleaved.
  const key = new Uint8Array(new Uint32Array([index]).buffer);
  /** Runs `op`, recording its latency or its errno; undefined when it failed. */
  const timed = async <T>(op: string, run: () => Promise<T>): Promise<T | undefined> => {
    const start = performance.now();
    try {
      const result = await run();
      recorder.ok(op, performance.now() - start);
      return result;
    } catch (e) {
      recorder.failed(op, errnoOf(e));
      return undefined;
    }
  };
  const close = (op: string, subject: string): Promise<unknown> => timed(op, () => transport.request(subject, {}));

  const mapCycle = async (): Promise<void> => {
    const id = await timed('map_create', () => client.mapCreate({ map_type: 'hash', key_size: 4, value_size: 8, max_entries: 64, map_name: 'bench' }));
    if (id === undefined) return;
    await timed('map_update', () => client.mapUpdate(id, key, value));
    await timed('map_lookup', () => client.mapLookup(id, key));
    await timed('map_delete', () => client.mapDelete(id, key));
    await close('map_close', Subjects.map(id, 'close'));
  };

  const progCycle = async (): Promise<void> => {
    const load = await timed('prog_load', () =>
      client.bpf('PROG_LOAD', { prog_type: 'cgroup_skb', expected_attach_type: 'cgroup_inet_ingress', insns: PROGRAM, license: 'GPL', prog_name: 'bench' }),
    );
    if (load === undefined) return;
    const progId = Number(load.prog_id);
    if (kinds.has('link')) {
      const link = await timed('link_create', () => client.bpf('LINK_CREATE', { prog_id: progId, attach_type: 'cgroup_inet_ingress', target_fd: FIRST_CGROUP + index }));
      if (link !== undefined) {
        const linkId = Number(link.link_id);
        await timed('link_detach', () => client.bpf('LINK_DETACH', { link_id: linkId }));
        await close('link_close', Subjects.link(linkId, 'close'));
      }
    }
    await close('prog_close', Subjects.prog(progId, 'close'));
  };

  while (!stop()) {
    if (kinds.has('map')) await mapCycle();
    if (kinds.has('prog') || kinds.has('link')) await progCycle();
  }
}
