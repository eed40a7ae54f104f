import { MapType } from '@bpfhive/uapi';
import type { RedirectTarget as WorldTarget } from '../../world/index.js';
import type { LoadedProgram } from '../programs/program.js';
import type { RedirectTarget } from '../run/run-state.js';

const BPF_F_INGRESS = 1;
const BPF_F_BROADCAST = 8;

/**
 * Where the world sends a frame a program redirected (xdp_do_redirect / skb_do_redirect): what
 * bpf_redirect named (a device, TC's BPF_F_INGRESS to receive on it), or the entry
 * bpf_redirect_map picked — a DEVMAP or DEVMAP_HASH entry's device, a CPUMAP key's CPU, an
 * XSKMAP key's socket. Undefined (the world then drops the frame with EINVAL) for an entry that
 * is gone, an inner map of a map-in-map, and BPF_F_BROADCAST, which bpfhive does not model.
 */
export function worldRedirect(program: LoadedProgram, target: RedirectTarget | undefined): WorldTarget | undefined {
  if (!target) return undefined;
  if (target.kind === 'ifindex') return { kind: 'dev', ifindex: target.ifindex, ingress: (target.flags & BPF_F_INGRESS) !== 0 };
  if ((target.flags & BPF_F_BROADCAST) !== 0) return undefined;
  const map = program.maps.find((m) => m.id === target.mapId)?.map;
  if (!map) return undefined;
  switch (map.spec.map_type) {
    case MapType.CPUMAP:
      return { kind: 'cpu', cpu: target.key };
    case MapType.XSKMAP:
      return { kind: 'xsk', queue: target.key };
    case MapType.DEVMAP:
    case MapType.DEVMAP_HASH: {
      try {
        const value = map.lookup(new Uint8Array(new Uint32Array([target.key]).buffer));
        return { kind: 'dev', ifindex: new DataView(value.buffer, value.byteOffset, 4).getUint32(0, true) };
      } catch {
        return undefined;
      }
    }
    default:
      return undefined;
  }
}
