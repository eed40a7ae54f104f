/**
 * The wire fuzzer as a fuzz target: each case is one request to one subject of the running
 * services — a valid request from a RequestFamily, mutated (its JSON, its bytes fields, its
 * object id, its command) — and a finding is a request that gets no reply in time, a malformed
 * reply (replies.ts), or a service that exits. After the run (`finish`) every service must
 * answer PING, and every object the services list must be one a reply handed out (nothing
 * half-made, e.g. a map id allocated by a failed map_create).
 */
import { Subjects, type WireSchema } from '@bpfhive/uapi';
import { type Msg, type NatsConnection, RequestError, TimeoutError } from '@nats-io/transport-node';
import { mutateBytes } from '../bytes.js';
import { type Json, mutateJsonBody } from '../json.js';
import type { Prng } from '../prng.js';
import type { FuzzTarget } from '../runner.js';
import { ODD_IDS, type RequestFamily, field } from './family.js';
import type { ServiceProcess } from './processes.js';
import { ERROR_CODE_HEADER, checkReply } from './replies.js';
import { type FuzzState, OBJECT_KINDS, type ObjectKind } from './state.js';

/** One request of a case. */
export interface WireRequest {
  readonly family: RequestFamily;
  readonly subject: string;
  readonly body: Uint8Array;
  /** The object the subject names, when it is one the fuzzer knows. */
  readonly id: number | undefined;
  /** The reply schema to check a success against; undefined once the command was changed. */
  readonly reply: WireSchema | undefined;
  /** The command was changed to another one: a success teaches the fuzzer nothing. */
  readonly bogus: boolean;
}

const REPLY_TIMEOUT_MS = 35_000;

const BOGUS_COMMANDS = ['bogus', 'INFO', 'lookup_elem2', 'close', 'info.x'];

export interface WireFuzzerOptions {
  readonly nc: NatsConnection;
  readonly services: readonly ServiceProcess[];
  readonly families: readonly RequestFamily[];
  readonly state: FuzzState;
  /**
   * How long a request may wait for its reply before it counts as hung: default 35 s, longer
   * than the kernel-sim waits for the verifier (30 s), so that a stuck verifier shows as the
   * kernel-sim's error reply to prog_load rather than as a kernel-sim hang.
   */
  readonly replyTimeoutMs?: number;
}

export class WireFuzzer implements FuzzTarget<WireRequest> {
  readonly name = 'services';
  readonly stateful = true;
  private readonly tally = new Map<string, Map<string, number>>();
  /** Services that exited or left a request without a reply (already a finding): they get no more requests. */
  private readonly down = new Set<string>();

  constructor(private readonly options: WireFuzzerOptions) {}

  generate(rand: Prng): WireRequest {
    const { state } = this.options;
    const family = this.pickFamily(rand);
    const ids = family.ids?.(state) ?? [];
    const id = ids.length > 0 && rand.chance(0.9) ? rand.pick(ids) : undefined;
    let subject = family.subject(id === undefined ? rand.pick(ODD_IDS) : String(id));
    const bogus = family.ids !== undefined && rand.chance(0.03);
    if (bogus) subject = subject.replace(/\.[^.]+$/, `.${rand.pick(BOGUS_COMMANDS)}`);
    const valid = family.body(rand, state, id);
    const roll = rand.float();
    const body =
      roll < 0.2
        ? new TextEncoder().encode(JSON.stringify(valid))
        : roll < 0.35 && family.byteFields
          ? mutateByteField(rand, valid, rand.pick(family.byteFields))
          : mutateJsonBody(rand, valid);
    return { family, subject, body, id, reply: bogus ? undefined : family.reply, bogus };
  }

  async run(request: WireRequest): Promise<string> {
    const timeout = this.options.replyTimeoutMs ?? REPLY_TIMEOUT_MS;
    let msg: Msg;
    try {
      msg = await this.options.nc.request(request.subject, request.body, { timeout });
    } catch (e) {
      if (e instanceof RequestError && e.isNoResponders()) return this.count(request, 'unserved');
      this.checkAlive();
      if (e instanceof TimeoutError || (e instanceof Error && e.cause instanceof TimeoutError)) {
        this.down.add(request.family.service);
        throw new Error(`no reply within ${timeout} ms (${request.family.service} gets no more requests in this run)`);
      }
      throw e;
    }
    this.checkAlive();
    const { outcome, body } = checkReply(msg, request.reply);
    if (outcome === 'ok' && !request.bogus) request.family.onReply?.(body, parseJson(request.body), this.options.state, request.id);
    return this.count(request, outcome);
  }

  /**
   * Sends the valid `body` of the family named `name` and learns from its reply, before the run:
   * objects for the first cases to aim at. Throws unless the reply is a success.
   */
  async create(name: string, body: Json): Promise<void> {
    const family = this.options.families.find((f) => f.name === name);
    if (!family) return;
    const msg = await this.options.nc.request(family.subject(''), JSON.stringify(body), { timeout: this.options.replyTimeoutMs ?? REPLY_TIMEOUT_MS });
    const reply = checkReply(msg, family.reply);
    if (reply.outcome !== 'ok') throw new Error(`wire fuzz: ${name} ${JSON.stringify(body)} failed: ${JSON.stringify(reply.body)}`);
    family.onReply?.(reply.body, body, this.options.state, undefined);
  }

  show(request: WireRequest): string {
    return `${request.subject} ${new TextDecoder().decode(request.body)}`;
  }

  /** After the run: every service not yet reported alive and answering PING, and no object that no reply handed out. */
  async finish(): Promise<string[]> {
    const problems: string[] = [];
    for (const s of this.options.services.filter((s) => !this.down.has(s.name))) {
      if (!s.alive()) problems.push(exited(s));
      else if (!(await this.answersPing(s.name))) problems.push(`${s.name} does not answer $SRV.PING.${s.name}`);
    }
    for (const kind of OBJECT_KINDS.filter((k) => !this.down.has(k === 'map' ? 'maps-store' : 'kernel-sim'))) {
      const listed = await listIds(this.options.nc, kind);
      const unknown = (listed ?? []).filter((id) => !this.options.state.known[kind].has(id));
      if (unknown.length > 0) problems.push(`half-made: ${kind} ids ${unknown.join(', ')} are listed by ${kind}_get_next_id, but no reply handed them out`);
    }
    return problems;
  }

  /** Per family, how its requests ended: `map.update_elem: EINVAL 12, ok 3`. */
  coverage(): string {
    return [...this.tally]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([family, outcomes]) => `${family}: ${[...outcomes].sort(([a], [b]) => a.localeCompare(b)).map(([o, n]) => `${o} ${n}`).join(', ')}`)
      .join('\n');
  }

  /** A family by weight, among the services still up (all of them once none is). */
  private pickFamily(rand: Prng): RequestFamily {
    const live = this.options.families.filter((f) => !this.down.has(f.service));
    const families = live.length > 0 ? live : this.options.families;
    let ticket = rand.float() * families.reduce((sum, f) => sum + f.weight, 0);
    return families.find((f) => (ticket -= f.weight) < 0) ?? families[0]!;
  }

  private count(request: WireRequest, outcome: string): string {
    const outcomes = this.tally.get(request.family.name) ?? new Map<string, number>();
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    this.tally.set(request.family.name, outcomes);
    return outcome;
  }

  /** Throws for a service that exited since the last check (once per service). */
  private checkAlive(): void {
    const dead = this.options.services.find((s) => !s.alive() && !this.down.has(s.name));
    if (!dead) return;
    this.down.add(dead.name);
    throw new Error(`${exited(dead)} on this request (it gets no more requests in this run)`);
  }

  private async answersPing(name: string): Promise<boolean> {
    try {
      await this.options.nc.request(`$SRV.PING.${name}`, '', { timeout: 5_000 });
      return true;
    } catch {
      return false;
    }
  }
}

/** What a finding says of a service that exited: its exit status and the end of its output. */
const exited = (s: ServiceProcess): string => `${s.name} exited (${s.child.exitCode ?? s.child.signalCode}): …${s.output().slice(-1200)}`;

/** The body with one base64 field's bytes mutated (instructions, a BTF blob, a key). */
function mutateByteField(rand: Prng, valid: Json, name: string): Uint8Array {
  const value = field(valid, name);
  const bytes = typeof value === 'string' ? new Uint8Array(Buffer.from(value, 'base64')) : new Uint8Array(0);
  const mutated = Buffer.from(mutateBytes(rand, bytes, { unit: name === 'insns' ? 8 : 4, align: name === 'insns' ? 8 : 1 })).toString('base64');
  return new TextEncoder().encode(JSON.stringify({ ...(valid as object), [name]: mutated }));
}

function parseJson(body: Uint8Array): Json | undefined {
  try {
    return JSON.parse(new TextDecoder().decode(body)) as Json;
  } catch {
    return undefined;
  }
}

/**
 * Every id `<kind>_get_next_id` lists, walking from 0 until ENOENT; undefined when the
 * subject is not served or answers otherwise (nothing to compare then).
 */
export async function listIds(nc: NatsConnection, kind: ObjectKind, limit = 100_000): Promise<number[] | undefined> {
  const ids: number[] = [];
  let start = 0;
  while (ids.length < limit) {
    let msg: Msg;
    try {
      msg = await nc.request(Subjects.getNextId(kind), JSON.stringify({ start_id: start }), { timeout: 5_000 });
    } catch {
      return undefined;
    }
    const body = parseJson(msg.data);
    if (msg.headers?.get(ERROR_CODE_HEADER)) return field(body, 'code') === 'ENOENT' ? ids : undefined;
    const next = field(body, 'next_id');
    if (typeof next !== 'number' || next <= start) return undefined;
    ids.push(next);
    start = next;
  }
  return ids;
}
