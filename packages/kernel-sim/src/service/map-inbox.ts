import type { Msg } from '@nats-io/transport-node';
import { type HostedMap, MAP_DATA_COMMANDS, type MapAccessRecord, checkMapAccess, serveMapCommand } from '@bpfhive/maps-store';
import { BpfError, type CallerIdentity, DEFAULT_IDENTITY_POLICY, type IdentityPolicy, callerIdentity, fromBase64, respond } from '@bpfhive/uapi';
import type { InnerMapHolds, MapCommandInbox } from '../core/maps/lease-port.js';
import { replyable } from './replyable.js';

/** The data commands that only read a map: still answered while it goes home. */
const READ_COMMANDS: ReadonlySet<string> = new Set(['lookup_elem', 'get_next_key', 'lookup_batch']);

type Serving = { readonly kind: 'serving' | 'read-only'; readonly hosted: HostedMap; readonly changed: () => Promise<void>; readonly inner?: InnerMapHolds };
type State = { readonly kind: 'waiting'; readonly queue: Msg[] } | Serving | { readonly kind: 'closed' };

/**
 * The inner map ids an update of a map of maps names: the u32 of every 4-byte value of an
 * update_elem or update_batch request, each once. A request that does not parse names none (the
 * command's own validation answers it); other values are the engine's EINVAL.
 */
function innerMapIdsOf(msg: Msg, command: string): number[] {
  let body: { value?: unknown; values?: unknown };
  try {
    body = JSON.parse(new TextDecoder().decode(msg.data)) as typeof body;
  } catch {
    return [];
  }
  const values = command === 'update_elem' ? [body?.value] : Array.isArray(body?.values) ? (body.values as unknown[]) : [];
  const ids = new Set<number>();
  for (const v of values) {
    if (typeof v !== 'string') continue;
    try {
      const b = fromBase64(v, 'value');
      if (b.length === 4) ids.add(new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true));
    } catch {
      // Not base64: the command's own validation answers it.
    }
  }
  return [...ids];
}

/**
 * A leased map's data commands from its subscription to `bpf.v1.map.<id>.>` (see MapCommandInbox):
 * requests for MAP_DATA_COMMANDS are answered with maps-store's serveMapCommand, so the answers
 * and errors are the maps-store's own; `info`, publications (ring and perf buffers) and anything
 * else on the subject are not ours to answer and are ignored.
 *
 * The maps-store's owner check travels with the lease (`allow`, from the lease and every renewal):
 * a caller that is neither an account listed nor CAP_SYS_ADMIN (under `policy`) gets EPERM, as
 * from the maps-store (maps-store core/map-access.ts). Until `allow` names the accounts (a lease
 * from a maps-store that sends none) nothing is checked.
 *
 * A map of maps (served with InnerMapHolds): an update_elem / update_batch first holds every
 * inner map id its values name — the kernel may lease it — then runs as any command, and lets go
 * of the holds after its reply (what the engine kept stays held by its slot). The inner ids pass
 * the same owner check against their own leases' accounts (`map <command> (inner map)`); an id
 * that names no map is EBADF, or EPERM for a caller who could not tell (no CAP_SYS_ADMIN), as the
 * maps-store answers. A hold that fails is the reply (EBADF, EBUSY when another kernel holds it).
 */
export class NatsMapInbox implements MapCommandInbox {
  #state: State = { kind: 'waiting', queue: [] };
  #access: { readonly record: MapAccessRecord; readonly accounts: ReadonlySet<string> } | undefined;

  constructor(
    private readonly stop: () => void,
    private readonly policy: IdentityPolicy = DEFAULT_IDENTITY_POLICY,
  ) {}

  /** Who may name the map by id now, as the maps-store says (lease grant, renewals). */
  allow(record: MapAccessRecord): void {
    this.#access = { record, accounts: new Set(record.accounts) };
  }

  /** What `allow` was last told (re-registered with the map after a maps-store restart). */
  get access(): MapAccessRecord | undefined {
    return this.#access?.record;
  }

  checkAccess(who: CallerIdentity, mapId: number, action: string): void {
    const access = this.#access;
    if (access) checkMapAccess(who, access.accounts, mapId, action);
  }

  /** One message of the subscription. */
  receive(msg: Msg): void {
    const parts = msg.subject.split('.');
    const command = parts[4] ?? '';
    if (!msg.reply || parts.length !== 5 || !MAP_DATA_COMMANDS.has(command)) return;
    const state = this.#state;
    if (state.kind === 'waiting') state.queue.push(msg);
    else if (state.kind === 'serving' && state.inner && (command === 'update_elem' || command === 'update_batch')) void this.#serveInnerUpdate(msg, state, command);
    else if (state.kind === 'serving' || (state.kind === 'read-only' && READ_COMMANDS.has(command))) {
      void serveMapCommand(() => state.hosted, command, replyable(msg), state.changed, this.#authorize(msg, state, command));
    }
  }

  /** An update of a map of maps: its inner maps held first (see the class comment). */
  async #serveInnerUpdate(msg: Msg, state: Serving, command: string): Promise<void> {
    const inner = state.inner!;
    const authorize = this.#authorize(msg, state, command);
    const drops: (() => void)[] = [];
    const dropAll = (): void => drops.forEach((drop) => drop());
    try {
      // The map's own check comes first: a refused caller makes this kernel lease nothing.
      authorize?.();
      for (const id of innerMapIdsOf(msg, command)) {
        try {
          drops.push(await inner.hold(id));
        } catch (e) {
          if (e instanceof BpfError && e.code === 'EBADF' && this.#access) checkMapAccess(callerIdentity(msg, this.policy), undefined, id, `map ${command} (inner map)`);
          throw e;
        }
      }
    } catch (e) {
      dropAll();
      return respond(replyable(msg), () => {
        throw e;
      });
    }
    try {
      // The map may have started home meanwhile: then, as for any change arriving then, the maps-store answers a retry.
      if (this.#state.kind !== 'serving') return;
      await serveMapCommand(() => state.hosted, command, replyable(msg), state.changed, authorize);
    } finally {
      dropAll();
    }
  }

  /**
   * The owner check for one request, or undefined when the lease named no accounts. Inner map ids
   * in an update of a map of maps are checked against the access of their own leases (held by
   * then: InnerMapHolds); without InnerMapHolds they are not checked here.
   */
  #authorize(msg: Msg, state: Serving, command: string): ((innerMapId?: number) => void) | undefined {
    const access = this.#access;
    return (
      access &&
      ((inner) => {
        const who = callerIdentity(msg, this.policy);
        if (inner === undefined) checkMapAccess(who, access.accounts, state.hosted.id, `map ${command}`);
        else state.inner?.checkAccess(inner, who, `map ${command} (inner map)`);
      })
    );
  }

  serve(hosted: HostedMap, changed: () => Promise<void>, inner?: InnerMapHolds): void {
    const state = this.#state;
    if (state.kind !== 'waiting') return;
    this.#state = { kind: 'serving', hosted, changed, ...(inner && { inner }) };
    for (const msg of state.queue) this.receive(msg);
  }

  readOnly(): void {
    const state = this.#state;
    if (state.kind === 'serving') this.#state = { ...state, kind: 'read-only' };
  }

  close(): void {
    if (this.#state.kind === 'closed') return;
    this.#state = { kind: 'closed' };
    this.stop();
  }
}
