import {
  ClosedConnectionError,
  DrainingConnectionError,
  type MsgHdrs,
  type NatsConnection,
  RequestError,
  TimeoutError,
  headers as natsHeaders,
} from '@nats-io/transport-node';
import { SESSION_HEADER, type WireError, errnoNumber } from '@bpfhive/uapi';
import { BpfSyscallError, BpfTimeoutError, BpfUnavailableError, errorFromReply } from './errors.js';

/** How requests are made; every field has a default (BpfClient documents them). */
export interface TransportOptions {
  /** How long to wait for each reply, in ms. */
  readonly timeoutMs: number;
  /** How long to keep retrying while nothing serves the subject (a service restarting), in ms. */
  readonly retryMs: number;
  /** The session to name in the `Bpf-Session` header; none: objects live until closed or unpinned. */
  readonly session?: string;
  /** Called before each retry after "no responders", e.g. to log or, in tests, to start the service. */
  readonly onRetry?: (subject: string, attempt: number) => void;
}

/** The first pause after "no responders", doubled up to MAX_BACKOFF_MS. */
const FIRST_BACKOFF_MS = 20;
const MAX_BACKOFF_MS = 500;

/**
 * One bpf() exchange over NATS: a JSON request, a JSON reply or an errno reply (the
 * Nats-Service-Error-Code header with a WireError body, DESIGN.md §2).
 *
 * - "no responders" (NATS status 503: nobody subscribes, the request went nowhere) is retried
 *   with exponential backoff until `retryMs` has passed, then fails with BpfUnavailableError;
 * - a missing reply fails with BpfTimeoutError after `timeoutMs` and is never retried, since the
 *   request may have been served;
 * - an errno reply becomes a BpfSyscallError (VerifierError when it carries a log).
 */
export class Transport {
  #headers: MsgHdrs | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly options: TransportOptions,
  ) {
    this.nameSession(options.session);
  }

  /** Names `session` in the Bpf-Session header of every request from now on (session.ts); undefined: none. */
  nameSession(session: string | undefined): void {
    this.#headers = undefined;
    if (session === undefined) return;
    this.#headers = natsHeaders();
    this.#headers.set(SESSION_HEADER, session);
  }

  async request(subject: string, body: unknown): Promise<Record<string, unknown>> {
    const payload = JSON.stringify(body);
    const deadline = Date.now() + this.options.retryMs;
    let pause = FIRST_BACKOFF_MS;
    for (let attempt = 1; ; attempt++) {
      let reply;
      try {
        reply = await this.nc.request(subject, payload, { timeout: this.options.timeoutMs, ...(this.#headers && { headers: this.#headers }) });
      } catch (e) {
        if (isOverMaxPayload(e)) throw new BpfSyscallError('E2BIG', `${subject}: the request is ${payload.length} bytes, more than the NATS server takes in one message (max_payload ${this.nc.info?.max_payload ?? '?'} bytes); send less (smaller batches, a shorter program)`, { subject, cause: e });
        if (!isNoResponders(e)) throw transportError(e, subject, this.options.timeoutMs);
        if (Date.now() + pause > deadline) throw new BpfUnavailableError(subject, attempt, this.options.retryMs);
        this.options.onRetry?.(subject, attempt);
        await sleep(pause);
        pause = Math.min(pause * 2, MAX_BACKOFF_MS);
        continue;
      }
      return decodeReply(subject, reply.headers?.get('Nats-Service-Error-Code') ?? '', reply.headers?.get('Nats-Service-Error') ?? '', reply.string());
    }
  }
}

/** A reply's JSON object, or the typed error of an errno reply. */
export function decodeReply(subject: string, errorCode: string, errorText: string, body: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = body === '' ? {} : JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  if (errorCode !== '') throw errorFromReply(wireError(parsed, errorCode, errorText), subject);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new BpfSyscallError('EBADMSG', `${subject}: the reply is not a JSON object: ${body.slice(0, 80)}`, { subject });
  }
  return parsed as Record<string, unknown>;
}

/** The WireError of an errno reply; a body that is not one falls back on the headers. */
function wireError(body: unknown, errorCode: string, errorText: string): WireError {
  const wire = (typeof body === 'object' && body !== null ? body : {}) as Partial<Record<keyof WireError, unknown>>;
  return {
    errno: typeof wire.errno === 'number' ? wire.errno : Number.isInteger(Number(errorCode)) ? Number(errorCode) : errnoNumber('EIO')!,
    code: typeof wire.code === 'string' ? wire.code : '',
    message: typeof wire.message === 'string' ? wire.message : errorText,
    ...(typeof wire.log === 'string' && { log: wire.log }),
    ...(typeof wire.log_true_size === 'number' && { log_true_size: wire.log_true_size }),
  };
}

function isNoResponders(e: unknown): boolean {
  return e instanceof RequestError && e.isNoResponders();
}

/** nats.js refuses to publish more than the server's max_payload, before sending anything. */
function isOverMaxPayload(e: unknown): boolean {
  return e instanceof Error && /max_payload/.test(e.message);
}

function transportError(e: unknown, subject: string, timeoutMs: number): BpfSyscallError {
  if (e instanceof TimeoutError || (e instanceof Error && e.cause instanceof TimeoutError)) return new BpfTimeoutError(subject, timeoutMs);
  const message = e instanceof Error ? e.message : String(e);
  const closed = e instanceof ClosedConnectionError || e instanceof DrainingConnectionError;
  return new BpfSyscallError(closed ? 'ENOTCONN' : 'EIO', `${subject}: ${message}`, { subject, cause: e });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
