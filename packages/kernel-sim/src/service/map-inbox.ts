import type { Msg } from '@nats-io/transport-node';
import { type HostedMap, MAP_DATA_COMMANDS, serveMapCommand } from '@bpfhive/maps-store';
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
 */
export class NatsMapInbox implements MapCommandInbox {
  #state: State = { kind: 'waiting', queue: [] };

  constructor(private readonly stop: () => void) {}

  /** One message of the subscription. */
  receive(msg: Msg): void {
    const parts = msg.subject.split('.');
    const command = parts[4] ?? '';
    if (!msg.reply || parts.length !== 5 || !MAP_DATA_COMMANDS.has(command)) return;
    const state = this.#state;
    if (state.kind === 'waiting') state.queue.push(msg);
    else if (state.kind === 'serving' || (state.kind === 'read-only' && READ_COMMANDS.has(command))) {
      void serveMapCommand(() => state.hosted, command, replyable(msg), state.changed);
    }
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
