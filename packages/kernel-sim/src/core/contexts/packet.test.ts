import { Arena } from '@bpfhive/maps-store';
import { describe, expect, it } from 'vitest';
import { udpFrame } from '../../testing/packets.js';
import { LOOPBACK } from '../net/devices.js';
import { buildSkbContext } from './skb.js';
import { buildXdpContext } from './xdp.js';

/** Where the arena's free memory starts: the address of a fresh block of a size nothing else uses (8-aligned, never reused). */
const top = (arena: Arena, size: number): number => arena.alloc(size);

describe('contexts - packet buffers', () => {
  it('contexts - skb and xdp packets (64-byte aligned) freed at a grace period are reused: the arena does not grow', () => {
    const arena = new Arena({ initialPages: 32 });
    const frame = udpFrame();
    const cycle = (): number => {
      const skb = buildSkbContext(arena, { frame, device: LOOPBACK, l2: true, fields: {} });
      const xdp = buildXdpContext(arena, { bytes: frame, metaLength: 0, ingressIfindex: 1, rxQueueIndex: 0 });
      expect(skb.packet.hardStart % 64).toBe(0);
      expect(xdp.packet.hardStart % 64).toBe(0);
      const at = skb.packet.hardStart;
      for (const block of [skb.ctx, skb.packet, xdp.ctx, xdp.packet]) block.free();
      arena.quiescent();
      return at;
    };
    cycle();
    cycle();
    const before = top(arena, 8 * 1013);
    const seen = new Set<number>();
    for (let i = 0; i < 500; i++) seen.add(cycle());
    // Nothing new came from the top: the next fresh block sits right after the first probe.
    expect(top(arena, 8 * 1019)).toBe(before + 8 * 1013);
    expect(seen.size).toBe(1);
  });
});
