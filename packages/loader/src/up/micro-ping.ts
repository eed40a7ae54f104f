import { Empty, type NatsConnection, NoRespondersError } from '@nats-io/transport-node';

/** One instance's answer to `$SRV.PING.<name>` (the NATS micro services protocol). */
export interface PingReply {
  readonly name: string;
  readonly id: string;
  readonly version: string;
}

export interface PingOptions {
  /** The longest the whole ping may take (default 2 s). */
  readonly maxWaitMs?: number;
  /** Stop once no further reply came for this long after the last one (default 300 ms). */
  readonly stallMs?: number;
}

/**
 * Pings every instance of the micro service `name` (`$SRV.PING.<name>`) and returns their replies,
 * sorted by id; no instance (no responders, or silence) is an empty list, not an error.
 */
export async function pingService(nc: NatsConnection, name: string, options: PingOptions = {}): Promise<PingReply[]> {
  const replies = new Map<string, PingReply>();
  try {
    const answers = await nc.requestMany(`$SRV.PING.${name}`, Empty, {
      strategy: 'stall',
      stall: options.stallMs ?? 300,
      maxWait: options.maxWaitMs ?? 2_000,
    });
    for await (const msg of answers) {
      const reply = parsePingReply(msg.string());
      if (reply?.name === name) replies.set(reply.id, reply);
    }
  } catch (e) {
    if (!(e instanceof NoRespondersError)) throw e;
  }
  return [...replies.values()].sort((a, b) => a.id.localeCompare(b.id));
}

/** A ping reply from its JSON body, or undefined when it is not one. */
export function parsePingReply(body: string): PingReply | undefined {
  try {
    const v = JSON.parse(body) as Record<string, unknown>;
    if (typeof v.name !== 'string' || typeof v.id !== 'string') return undefined;
    return { name: v.name, id: v.id, version: typeof v.version === 'string' ? v.version : '' };
  } catch {
    return undefined;
  }
}
