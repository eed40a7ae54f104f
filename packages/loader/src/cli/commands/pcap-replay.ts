/**
 * Drives a pcap replay on the kernel-sim (`bpf.v1.sim.pcap.replay`) from a capture read on the
 * client: the capture travels in the request (base64), cut into pieces that each fit in one
 * NATS message (max_payload), replayed one after the other and each watched through
 * `bpf.v1.sim.traffic.status` until it is done, so that progress can be shown and a replay
 * outlasts any request timeout.
 */
import { type SimSourceStatus, SimSubjects, type SimTrafficStatusReply, toBase64 } from '@bpfhive/uapi';
import type { BpfClient } from '../../client/index.js';
import { simRequest } from '../../examples/sim.js';
import { UsageError } from '../io.js';
import type { PcapPiece } from './pcap-capture.js';

/** How the frames are paced: a packet rate, the recorded timing scaled, or as fast as the kernel takes them. */
export type ReplayPacing = { readonly rate: number } | { readonly speed: number } | { readonly topspeed: true } | { readonly recorded: true };

export type ReplayVerdicts = NonNullable<SimSourceStatus['verdicts']>;

export interface ReplayPlan {
  readonly ifindex: number;
  readonly pieces: readonly PcapPiece[];
  /** Passes over the whole capture. */
  readonly loops: number;
  readonly pacing: ReplayPacing;
}

export interface ReplayResult {
  /** Frames the device took, and frames the plan holds (records × loops). */
  readonly sent: number;
  readonly total: number;
  /** Captured bytes of the frames sent. */
  readonly bytes: number;
  /** XDP verdicts of the frames sent, when the kernel-sim counts them. */
  readonly verdicts?: ReplayVerdicts;
  /** Replay requests made. */
  readonly requests: number;
  readonly elapsedNs: number;
  /** True when `stop` ended the replay early. */
  readonly interrupted: boolean;
}

export interface ReplayWatch {
  /** Told the frames sent so far, the total and the elapsed wall time after each status poll. */
  readonly onProgress?: (sent: number, total: number, elapsedNs: number) => void;
  /** Resolves when the replay is to stop (Ctrl-C): the running piece is stopped, no other starts. */
  readonly stop?: Promise<void>;
}

/** Bytes a request takes besides the capture's base64: the JSON around it, with room to spare. */
const REQUEST_OVERHEAD = 1024;
/** NATS's default max_payload, for a connection that has not said its own. */
const DEFAULT_MAX_PAYLOAD = 1024 * 1024;
/** Status polls start this often and slow down to POLL_MAX_MS. */
const POLL_FIRST_MS = 5;
const POLL_MAX_MS = 100;

/** The largest piece of capture (bytes before base64) one replay request can carry on this connection. */
export function maxPieceBytes(client: BpfClient): number {
  const maxPayload = client.nc.info?.max_payload ?? DEFAULT_MAX_PAYLOAD;
  return Math.floor((maxPayload - REQUEST_OVERHEAD) / 4) * 3;
}

/**
 * Replays `plan`: a capture of one piece is one request with `loops`; a capture of several is
 * replayed piece after piece, `loops` times over (the recorded gap between two pieces is not
 * kept: the next one starts when the last is done). Rejects with the kernel-sim's errno error,
 * or a UsageError when a source stopped with an error (its device went away).
 */
export async function replayCapture(client: BpfClient, plan: ReplayPlan, watch: ReplayWatch = {}): Promise<ReplayResult> {
  const records = plan.pieces.reduce((n, p) => n + p.frameLengths.length, 0);
  const total = records * plan.loops;
  const oneRequest = plan.pieces.length === 1;
  const started = process.hrtime.bigint();
  const elapsed = (): number => Number(process.hrtime.bigint() - started);
  let stopped = false;
  void watch.stop?.then(() => (stopped = true));
  let sent = 0;
  let bytes = 0;
  let requests = 0;
  let verdicts: ReplayVerdicts | undefined;
  for (let pass = 0; pass < (oneRequest ? 1 : plan.loops) && !stopped; pass++) {
    for (const piece of plan.pieces) {
      if (stopped) break;
      const loops = oneRequest ? plan.loops : 1;
      requests++;
      const status = await runPiece(client, requestOf(plan, piece, loops), watch.stop, (s) => watch.onProgress?.(sent + s.sent, total, elapsed()));
      sent += status.sent;
      bytes += bytesOf(piece.frameLengths, status.sent);
      if (status.verdicts) verdicts = addVerdicts(verdicts, status.verdicts);
      if (status.error !== undefined) throw new UsageError(`replay on ifindex ${plan.ifindex} stopped after ${sent} of ${total} packets: ${status.error}`);
      if (stopped) break;
    }
  }
  return { sent, total, bytes, ...(verdicts && { verdicts }), requests, elapsedNs: elapsed(), interrupted: stopped };
}

function requestOf(plan: ReplayPlan, piece: PcapPiece, loops: number): Record<string, unknown> {
  const p = plan.pacing;
  return {
    device: plan.ifindex,
    file: toBase64(piece.bytes),
    loops,
    realtime: !('topspeed' in p),
    ...('rate' in p && { rate: p.rate }),
    ...('speed' in p && { speed: p.speed }),
  };
}

/** Starts one replay and polls its status until it is done, or stops it when `stop` resolves first. */
async function runPiece(client: BpfClient, request: Record<string, unknown>, stop: Promise<void> | undefined, onStatus: (s: SimSourceStatus) => void): Promise<SimSourceStatus> {
  let status = await simRequest<SimSourceStatus>(client, SimSubjects.pcapReplay, request);
  let pause = POLL_FIRST_MS;
  let interrupted = false;
  void stop?.then(() => (interrupted = true));
  while (status.running) {
    await Promise.race([sleep(pause), ...(stop ? [stop] : [])]);
    pause = Math.min(pause * 2, POLL_MAX_MS);
    if (interrupted) await simRequest(client, SimSubjects.trafficStop, { source_id: status.source_id });
    const sources = (await simRequest<SimTrafficStatusReply>(client, SimSubjects.trafficStatus, {})).sources;
    const now = sources.find((s) => s.source_id === status.source_id);
    if (!now) throw new UsageError(`replay source ${status.source_id} is gone from traffic.status (did the kernel-sim restart?)`);
    status = now as SimSourceStatus;
    onStatus(status);
  }
  return status;
}

/** Captured bytes of the first `sent` frames of a piece replayed over and over. */
function bytesOf(frameLengths: readonly number[], sent: number): number {
  const whole = frameLengths.reduce((n, l) => n + l, 0);
  const passes = Math.floor(sent / frameLengths.length);
  return passes * whole + frameLengths.slice(0, sent % frameLengths.length).reduce((n, l) => n + l, 0);
}

function addVerdicts(a: ReplayVerdicts | undefined, b: ReplayVerdicts): ReplayVerdicts {
  if (!a) return { ...b };
  return { xdp_pass: a.xdp_pass + b.xdp_pass, xdp_drop: a.xdp_drop + b.xdp_drop, xdp_tx: a.xdp_tx + b.xdp_tx, xdp_redirect: a.xdp_redirect + b.xdp_redirect, xdp_aborted: a.xdp_aborted + b.xdp_aborted };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
