/**
 * Replays a capture as timed frames: at a fixed packet rate, or at the recorded timing (scaled by
 * a speed factor), starting at a virtual time, as many times as asked.
 */
import { BpfError } from '@bpfhive/uapi';
import type { TimedFrame } from '../timed-frame.js';
import { LINKTYPE_ETHERNET, pcapTimeDiff, type PcapFile } from './format.js';

export interface ReplayOptions {
  /** Packets per second, or `recorded` to keep the capture's gaps (default `recorded`). */
  readonly rate?: number | 'recorded';
  /** With recorded timing: 2 plays twice as fast (default 1). */
  readonly speed?: number;
  /** Virtual time of the first frame (default 0). */
  readonly start?: number;
  /** How many passes over the file (default 1). */
  readonly loops?: number;
}

/**
 * The frames of `file` with their virtual times. Only Ethernet captures are replayed (EINVAL
 * otherwise). A recorded time that goes backwards is treated as no gap. Captured bytes are
 * replayed as they are, even when the capture truncated them.
 */
export function* replayPcap(file: PcapFile, options: ReplayOptions = {}): Generator<TimedFrame> {
  if (file.header.linkType !== LINKTYPE_ETHERNET) throw new BpfError('EINVAL', `replay pcap: link type ${file.header.linkType} is not Ethernet (1)`);
  const rate = options.rate ?? 'recorded';
  const speed = options.speed ?? 1;
  if (rate !== 'recorded' && !(rate > 0)) throw new BpfError('EINVAL', `replay pcap: rate ${rate} must be positive`);
  if (!(speed > 0)) throw new BpfError('EINVAL', `replay pcap: speed ${speed} must be positive`);
  const loops = options.loops ?? 1;
  const start = options.start ?? 0;
  const records = file.records;
  if (records.length === 0) return;
  const offsets: number[] = [];
  let last = 0;
  for (const r of records) {
    last = Math.max(last, Math.round(pcapTimeDiff(records[0]!.time, r.time) / speed));
    offsets.push(last);
  }
  // A loop starts one average gap after the previous one's last frame.
  const period = last + (records.length > 1 ? Math.round(last / (records.length - 1)) : 1);
  let i = 0;
  for (let loop = 0; loop < loops; loop++) {
    for (let k = 0; k < records.length; k++, i++) {
      const time = rate === 'recorded' ? start + loop * period + offsets[k]! : start + Math.floor((i * 1e9) / rate);
      yield { time, frame: records[k]!.data };
    }
  }
}
