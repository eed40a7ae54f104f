import type { Msg } from '@nats-io/transport-node';
import { type HostedMap, MAP_DATA_COMMANDS, type MapAccessRecord, checkMapAccess, serveMapCommand } from '@bpfhive/maps-store';
import { type CallerIdentity, DEFAULT_IDENTITY_POLICY, type IdentityPolicy, callerIdentity } from '@bpfhive/uapi';
import type { MapCommandInbox } from '../core/maps/lease-port.js';
import { replyable } from './replyable.js';

/** The data commands that only read a map: still answered while it goes home. */
const READ_COMMANDS: ReadonlySet<string> = new Set(['lookup_elem', 'get_next_key', 'lookup_batch']);

type State =
  | { readonly kind: 'waiting'; readonly queue: Msg[] }
  | { readonly kind: 'serving' | 'read-only'; readonly hosted: HostedMap; readonly changed: () => Promise<void> }
  | { readonly kind: 'closed' };

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
    else if (state.kind === 'serving' || (state.kind === 'read-only' && READ_COMMANDS.has(command))) {
      void serveMapCommand(() => state.hosted, command, replyable(msg), state.changed, this.#authorize(msg, state.hosted.id, command));
    }
  }

  /**
   * The owner check for one request, or undefined when the lease named no accounts. Inner map ids
   * in an update of a map of maps are not checked here: the kernel knows the access of the maps it
   * leases only (the maps-store checks them for the maps it hosts).
   */
  #authorize(msg: Msg, id: number, command: string): ((innerMapId?: number) => void) | undefined {
    const access = this.#access;
    return (
      access &&
      ((inner) => {
        if (inner === undefined) checkMapAccess(callerIdentity(msg, this.policy), access.accounts, id, `map ${command}`);
      })
    );
  }

  serve(hosted: HostedMap, changed: () => Promise<void>): void {
    const state = this.#state;
    if (state.kind !== 'waiting') return;
    this.#state = { kind: 'serving', hosted, changed };
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
