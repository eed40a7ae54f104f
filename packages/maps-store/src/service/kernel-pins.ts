import { type MsgHdrs, type NatsConnection, RequestError, TimeoutError, headers } from '@nats-io/transport-node';
import {
  BpfError,
  type HeaderView,
  type PinHoldReply,
  PinHoldReplySchema,
  REQUEST_INFO_HEADER,
  RemoteBpfError,
  Subjects,
  parseJson,
  validateWire,
} from '@bpfhive/uapi';
import type { KernelPinPort } from '../core/pin-commands.js';

/** The client's request, as far as the kernel needs it: its headers. */
export interface ForwardedRequest {
  readonly headers?: HeaderView | undefined;
}

/** A kernel's reply, or why there is none. */
export type Outcome = { readonly ok: unknown } | { readonly gone: string };

/** `request`'s outcome with an ENOENT reply (the object, its pin or its boot is gone) as `gone`. */
async function goneOnEnoent(request: Promise<Outcome>): Promise<Outcome> {
  try {
    return await request;
  } catch (e) {
    if (e instanceof RemoteBpfError && e.code === 'ENOENT') return { gone: e.message };
    throw e;
  }
}

/**
 * The kernel's pin references over NATS (`bpf.v1.internal.<prog|link>.<id>.<pin|get|unpin>`,
 * schemas/pin.ts). The client's Nats-Request-Info headers go along unchanged (every copy, as
 * received), so the kernel-sim judges the client, not the maps-store. No kernel listening means
 * its programs and links are gone (they live nowhere else): `check` is false, `release` done,
 * `hold` EAGAIN; so does an ENOENT reply for `check` and `release`. Other failures keep their
 * errno; no answer in time is ETIMEDOUT.
 */
export class NatsKernelPins implements KernelPinPort<ForwardedRequest> {
  constructor(
    private readonly nc: NatsConnection,
    private readonly timeoutMs = 5_000,
  ) {}

  async hold(kind: 'prog' | 'link', id: number, path: string, caller: ForwardedRequest): Promise<string> {
    const outcome = await this.#request(Subjects.internalPin(kind, id, 'pin'), { pathname: path }, caller);
    if ('gone' in outcome) throw new BpfError('EAGAIN', `obj_pin: ${outcome.gone}; no kernel holds ${kind} ${id}`);
    return validateWire<PinHoldReply>(PinHoldReplySchema, outcome.ok).boot_id;
  }

  async check(kind: 'prog' | 'link', id: number, path: string, bootId: string, caller: ForwardedRequest | undefined): Promise<boolean> {
    const outcome = await goneOnEnoent(this.#request(Subjects.internalPin(kind, id, 'get'), { pathname: path, boot_id: bootId }, caller));
    return 'ok' in outcome;
  }

  async release(kind: 'prog' | 'link', id: number, path: string, bootId: string): Promise<void> {
    await goneOnEnoent(this.#request(Subjects.internalPin(kind, id, 'unpin'), { pathname: path, boot_id: bootId }, undefined));
  }

  #request(subject: string, body: unknown, caller: ForwardedRequest | undefined): Promise<Outcome> {
    return requestKernel(this.nc, subject, body, caller, this.timeoutMs);
  }
}

/**
 * One request to the kernel-sim on behalf of `caller` (its Nats-Request-Info headers forwarded,
 * so the kernel judges the client): no responders is `gone`, an errno reply a thrown
 * RemoteBpfError, no answer in time ETIMEDOUT.
 */
export async function requestKernel(nc: NatsConnection, subject: string, body: unknown, caller: ForwardedRequest | undefined, timeoutMs: number): Promise<Outcome> {
  let reply;
  try {
    reply = await nc.request(subject, JSON.stringify(body), { timeout: timeoutMs, ...(caller && { headers: forwarded(caller) }) });
  } catch (e) {
    if (e instanceof RequestError && e.isNoResponders()) return { gone: 'no kernel-sim is answering' };
    if (e instanceof TimeoutError || (e instanceof Error && e.cause instanceof TimeoutError)) throw new BpfError('ETIMEDOUT', `${subject}: no answer within ${timeoutMs} ms`, { cause: e });
    throw e;
  }
  const value = parseJson(reply.data, subject);
  const code = reply.headers?.get('Nats-Service-Error-Code');
  if (!code) return { ok: value };
  const error = value as { errno?: unknown; code?: unknown; message?: unknown };
  const name = typeof error.code === 'string' ? error.code : 'EIO';
  const message = typeof error.message === 'string' ? error.message : 'failed';
  throw new RemoteBpfError(typeof error.errno === 'number' ? error.errno : Number(code), name, message);
}

/** The client's Nats-Request-Info headers (any letter case, every copy): the kernel-sim reads the same identity the maps-store did. */
function forwarded(caller: ForwardedRequest): MsgHdrs | undefined {
  let keys: string[];
  try {
    keys = caller.headers?.keys().filter((k) => k.trim().toLowerCase() === REQUEST_INFO_HEADER.toLowerCase()) ?? [];
  } catch {
    // An unreadable header block: send a forged-looking pair, so the kernel rejects the caller as the maps-store did.
    const h = headers();
    h.append(REQUEST_INFO_HEADER, 'unreadable');
    h.append(REQUEST_INFO_HEADER, 'unreadable');
    return h;
  }
  if (keys.length === 0) return undefined;
  const h = headers();
  for (const key of keys) for (const value of caller.headers!.values(key)) h.append(key, value);
  return h;
}
