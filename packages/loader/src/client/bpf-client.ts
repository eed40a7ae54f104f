import { type NatsConnection, connect } from '@nats-io/transport-node';
import { type MapCreateRequest, type MapInfoReply, type ObjListReply, ObjListReplySchema, ObjUnpinRequestSchema, type PerfEventOpenRequest, PerfEventOpenRequestSchema, Subjects, fromBase64, validateWire } from '@bpfhive/uapi';
import { natsConnectFromEnv } from './env.js';
import { BpfSyscallError } from './errors.js';
import { type BpfAttr, type BpfCommand, routeBpf } from './route.js';
import { ClientSession, type SessionOptions } from './session.js';
import { Transport, type TransportOptions } from './transport.js';

export interface BpfClientOptions {
  /** NATS server URL(s); default NATS_URL, else nats://127.0.0.1:4222. */
  readonly servers?: string | readonly string[];
  /** How long to wait for each reply, in ms (default 5000); then BpfTimeoutError. */
  readonly timeoutMs?: number;
  /** How long to retry while no service answers a subject, in ms (default 5000); then BpfUnavailableError. */
  readonly retryMs?: number;
  /** The connection's name in `nats server report connections` (default `bpfhive-client`). */
  readonly name?: string;
  /**
   * connect() opens a session (session.ts): everything this client creates is closed by the
   * services when it closes or stops sending keep-alives. Default none: objects live until closed
   * or unpinned.
   */
  readonly session?: boolean | SessionOptions;
  /** Called before each retry after "no responders". */
  readonly onRetry?: TransportOptions['onRetry'];
}

/** An object that can be pinned or got from a pin: one id field. */
export type ObjectRef = { readonly map_id: number } | { readonly prog_id: number } | { readonly link_id: number };

export type IdKind = 'map' | 'prog' | 'link' | 'btf';

/** One page of MAP_LOOKUP_BATCH. */
export interface BatchPage {
  readonly keys: Uint8Array[];
  readonly values: Uint8Array[];
  /** Where the next page starts (pass it as `inBatch`); undefined once `done`. */
  readonly outBatch?: Uint8Array;
  readonly done: boolean;
}

const DEFAULT_TIMEOUT_MS = 5_000;
const DEFAULT_RETRY_MS = 5_000;

const bytes = (reply: Record<string, unknown>, field: string): Uint8Array => {
  const value = reply[field];
  if (typeof value !== 'string') throw new BpfSyscallError('EBADMSG', `reply: '${field}' is missing`);
  return fromBase64(value, field);
};
const count = (reply: Record<string, unknown>): number => Number(reply.count);

/**
 * bpf(2) over NATS. `bpf(cmd, attr)` is the system call: any command, attributes with bpf_attr's
 * names and ids for fds, the reply object back; the typed helpers below wrap the map and object
 * commands with Uint8Array keys and values. Every failure is a BpfSyscallError with the errno
 * Linux would return (see errors.ts). Objects created here live until closed or unpinned, unless
 * the client opened a session (`connect({ session: true })`, `openSession()`): then they live as
 * long as it does, as a process's fds do.
 */
export class BpfClient {
  readonly #transport: Transport;
  #ownsConnection = false;
  #session: ClientSession | undefined;

  /** Wraps a connection the caller owns (close() then leaves it open). */
  constructor(
    readonly nc: NatsConnection,
    options: Omit<BpfClientOptions, 'servers' | 'name' | 'session'> = {},
  ) {
    this.#transport = new Transport(nc, {
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      retryMs: options.retryMs ?? DEFAULT_RETRY_MS,
      ...(options.onRetry && { onRetry: options.onRetry }),
    });
  }

  /**
   * Connects to NATS (noAsyncTraces: much faster requests); ECONNREFUSED when no server answers.
   * Once connected it reconnects for as long as it is open, as the services do: nats.js would
   * close the connection for good after 10 failed attempts (about 20 s of NATS outage), and every
   * later call would fail with ENOTCONN. Calls made while it is away end with ETIMEDOUT.
   */
  static async connect(options: BpfClientOptions = {}): Promise<BpfClient> {
    // The login (NATS_USER/NATS_PASSWORD or NATS_TOKEN) always comes from the environment, as for
    // every service; `servers` overrides NATS_URL.
    const fromEnv = natsConnectFromEnv();
    const servers = options.servers ?? fromEnv.servers;
    let nc: NatsConnection;
    try {
      nc = await connect({
        ...fromEnv,
        servers: typeof servers === 'string' ? servers : [...servers],
        name: options.name ?? 'bpfhive-client',
        noAsyncTraces: true,
        maxReconnectAttempts: -1,
      });
    } catch (e) {
      throw new BpfSyscallError('ECONNREFUSED', `connect to NATS at ${String(servers)}: ${(e as Error).message}`, { cause: e });
    }
    const client = new BpfClient(nc, options);
    client.#ownsConnection = true;
    if (options.session) {
      try {
        await client.openSession(options.session === true ? {} : options.session);
      } catch (e) {
        await nc.close();
        throw e;
      }
    }
    return client;
  }

  /**
   * Opens a session (bpf.v1.session_open) and names it on every request from now on; returns its
   * id. Keep-alives go out every ttl / 3 without holding the process open. EBUSY when one is open.
   */
  async openSession(options: SessionOptions = {}): Promise<string> {
    if (this.#session && !this.#session.lost) throw new BpfSyscallError('EBUSY', `session_open: this client has session ${this.#session.id} open already`);
    this.#session = await ClientSession.open(this.#transport, options);
    this.#transport.nameSession(this.#session.id);
    return this.#session.id;
  }

  /** The open session's id, if any (one the services dropped still counts until closeSession). */
  get sessionId(): string | undefined {
    return this.#session?.id;
  }

  /** Ends the session: the services close everything created under it that nothing else holds. Later requests name none. */
  async closeSession(): Promise<void> {
    const session = this.#session;
    this.#session = undefined;
    this.#transport.nameSession(undefined);
    await session?.close();
  }

  /** Closes the session, if any, then the connection when connect() opened it. */
  async close(): Promise<void> {
    await this.closeSession();
    if (this.#ownsConnection) await this.nc.close();
  }

  /** The bpf(2) system call: validates, sends, and returns the reply object (byte fields as base64). */
  async bpf(cmd: BpfCommand, attr: BpfAttr = {}): Promise<Record<string, unknown>> {
    const route = routeBpf(cmd, attr);
    return this.#transport.request(route.subject, route.body);
  }

  /** BPF_MAP_CREATE: the new map's id. */
  async mapCreate(attr: MapCreateRequest): Promise<number> {
    return Number((await this.bpf('MAP_CREATE', attr)).map_id);
  }

  /** BPF_MAP_LOOKUP_ELEM: the value (per-CPU maps: one round_up(value_size, 8) slot per CPU); ENOENT when absent. */
  async mapLookup(mapId: number, key: Uint8Array): Promise<Uint8Array> {
    return bytes(await this.bpf('MAP_LOOKUP_ELEM', { map_id: mapId, key }), 'value');
  }

  /** BPF_MAP_UPDATE_ELEM with BPF_ANY (0), BPF_NOEXIST (1) or BPF_EXIST (2). */
  async mapUpdate(mapId: number, key: Uint8Array, value: Uint8Array, flags = 0): Promise<void> {
    await this.bpf('MAP_UPDATE_ELEM', { map_id: mapId, key, value, flags });
  }

  /** BPF_MAP_DELETE_ELEM; ENOENT when absent. */
  async mapDelete(mapId: number, key: Uint8Array): Promise<void> {
    await this.bpf('MAP_DELETE_ELEM', { map_id: mapId, key });
  }

  /** BPF_MAP_GET_NEXT_KEY: the key after `key` (the first without one), undefined after the last. */
  async mapGetNextKey(mapId: number, key?: Uint8Array): Promise<Uint8Array | undefined> {
    return whenFound(async () => bytes(await this.bpf('MAP_GET_NEXT_KEY', { map_id: mapId, ...(key && { key }) }), 'next_key'));
  }

  /** BPF_MAP_LOOKUP_AND_DELETE_ELEM (pop and dequeue: an empty key); ENOENT when absent or empty. */
  async mapLookupAndDelete(mapId: number, key: Uint8Array = new Uint8Array()): Promise<Uint8Array> {
    return bytes(await this.bpf('MAP_LOOKUP_AND_DELETE_ELEM', { map_id: mapId, key }), 'value');
  }

  /** BPF_MAP_LOOKUP_BATCH: up to `count` elements from `inBatch` (the start without one). */
  async mapLookupBatch(mapId: number, count: number, inBatch?: Uint8Array): Promise<BatchPage> {
    return batchPage(await this.bpf('MAP_LOOKUP_BATCH', { map_id: mapId, count, ...(inBatch && { in_batch: inBatch }) }));
  }

  /** BPF_MAP_LOOKUP_AND_DELETE_BATCH: as mapLookupBatch, deleting what it returns. */
  async mapLookupAndDeleteBatch(mapId: number, count: number, inBatch?: Uint8Array): Promise<BatchPage> {
    return batchPage(await this.bpf('MAP_LOOKUP_AND_DELETE_BATCH', { map_id: mapId, count, ...(inBatch && { in_batch: inBatch }) }));
  }

  /** Every element as [key, value], a page of MAP_LOOKUP_BATCH at a time (`pageSize` elements). */
  async *mapEntries(mapId: number, pageSize = 256): AsyncGenerator<[Uint8Array, Uint8Array]> {
    let inBatch: Uint8Array | undefined;
    for (;;) {
      const page = await this.mapLookupBatch(mapId, pageSize, inBatch);
      for (let i = 0; i < page.keys.length; i++) yield [page.keys[i]!, page.values[i]!];
      if (page.done || !page.outBatch) return;
      inBatch = page.outBatch;
    }
  }

  /** BPF_MAP_UPDATE_BATCH: how many elements were written. */
  async mapUpdateBatch(mapId: number, keys: readonly Uint8Array[], values: readonly Uint8Array[], elemFlags = 0): Promise<number> {
    return count(await this.bpf('MAP_UPDATE_BATCH', { map_id: mapId, keys, values, elem_flags: elemFlags }));
  }

  /** BPF_MAP_DELETE_BATCH: how many elements were deleted. */
  async mapDeleteBatch(mapId: number, keys: readonly Uint8Array[]): Promise<number> {
    return count(await this.bpf('MAP_DELETE_BATCH', { map_id: mapId, keys }));
  }

  /** BPF_MAP_FREEZE: user space may no longer write the map; EBUSY when already frozen. */
  async mapFreeze(mapId: number): Promise<void> {
    await this.bpf('MAP_FREEZE', { map_id: mapId });
  }

  /** BPF_OBJ_GET_INFO_BY_FD for a map; ENOENT when there is no such map. */
  async mapInfo(mapId: number): Promise<MapInfoReply> {
    return (await this.bpf('OBJ_GET_INFO_BY_FD', { map_id: mapId })) as MapInfoReply;
  }

  /**
   * perf_event_open(2) of a BPF output event on `cpu` with a buffer of `page_cnt` pages (uapi
   * schemas/perf.ts): the event's id, to put in a PERF_EVENT_ARRAY slot. Held by the session, if any.
   */
  async perfEventOpen(attr: PerfEventOpenRequest): Promise<number> {
    try {
      validateWire(PerfEventOpenRequestSchema, attr);
    } catch (e) {
      throw new BpfSyscallError('EINVAL', `perf_event_open: ${(e as Error).message}`);
    }
    return Number((await this.#transport.request(Subjects.perfEventOpen, attr)).perf_event_id);
  }

  /** close(2) of a perf event; ENOENT for none, EBADF when closed already. */
  async perfEventClose(id: number): Promise<void> {
    await this.#transport.request(Subjects.perfEvent(id, 'close'), {});
  }

  /** BPF_ENABLE_STATS(BPF_STATS_RUN_TIME): programs count run_time_ns and run_cnt until the handle is closed (statsClose). */
  async enableStats(type: 'run_time' | number = 'run_time'): Promise<number> {
    return Number((await this.bpf('ENABLE_STATS', { type })).stats_id);
  }

  /** Drops a handle enableStats returned; EBADF when it is not held. */
  async statsClose(id: number): Promise<void> {
    await this.#transport.request(Subjects.stats(id, 'close'), {});
  }

  /** BPF_OBJ_PIN at an absolute path under /sys/fs/bpf; EEXIST when taken. */
  async objPin(pathname: string, object: ObjectRef): Promise<void> {
    await this.bpf('OBJ_PIN', { pathname, ...object });
  }

  /** BPF_OBJ_GET: the object pinned at `pathname`; ENOENT when nothing is (or the program or link pinned there is gone with its kernel). */
  async objGet(pathname: string): Promise<ObjectRef> {
    return (await this.bpf('OBJ_GET', { pathname })) as ObjectRef;
  }

  /**
   * unlink(2) of a pin (`rm /sys/fs/bpf/x`; bpf(2) has no command for it): the last pin of a
   * program or link whose handles are closed frees it. ENOENT when nothing is pinned there,
   * EACCES for another account's pin without CAP_SYS_ADMIN.
   */
  async objUnpin(pathname: string): Promise<void> {
    try {
      validateWire(ObjUnpinRequestSchema, { pathname });
    } catch (e) {
      throw new BpfSyscallError('EINVAL', `obj_unpin: ${(e as Error).message}`);
    }
    await this.#transport.request(Subjects.objUnpin, { pathname });
  }

  /**
   * The pins of the namespace whose path starts with `prefix` (all by default), in the order they
   * were made: the caller's own, or every pin with CAP_SYS_ADMIN (`ls -R /sys/fs/bpf`; bpftool
   * `--bpffs`). A program or link pin is listed as stored, though its kernel may have restarted.
   */
  async objList(prefix?: string): Promise<ObjListReply['pins']> {
    const reply = await this.#transport.request(Subjects.objList, prefix === undefined ? {} : { prefix });
    return validateWire<ObjListReply>(ObjListReplySchema, reply).pins;
  }

  /** BPF_{MAP,PROG,LINK,BTF}_GET_NEXT_ID: the smallest id above `startId`, undefined after the last. */
  async nextId(kind: IdKind, startId = 0): Promise<number | undefined> {
    const command = `${kind.toUpperCase()}_GET_NEXT_ID`;
    return whenFound(async () => Number((await this.bpf(command, { start_id: startId })).next_id));
  }

  /** Every id of `kind`, in increasing order. */
  async *ids(kind: IdKind): AsyncGenerator<number> {
    for (let id = await this.nextId(kind); id !== undefined; id = await this.nextId(kind, id)) yield id;
  }
}

/** The result of `run`, or undefined when it fails with ENOENT (the end of an iteration). */
async function whenFound<T>(run: () => Promise<T>): Promise<T | undefined> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof BpfSyscallError && e.code === 'ENOENT') return undefined;
    throw e;
  }
}

function batchPage(reply: Record<string, unknown>): BatchPage {
  const list = (field: string): Uint8Array[] => ((reply[field] ?? []) as string[]).map((b) => fromBase64(b, field));
  return { keys: list('keys'), values: list('values'), done: reply.done === true, ...(typeof reply.out_batch === 'string' && { outBatch: bytes(reply, 'out_batch') }) };
}
