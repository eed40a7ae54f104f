import { HelperId, MapType, ProgType } from '@bpfhive/uapi';
import { type HelperDef, type KernelServices, cpuOf, mapArg, runOf, u32 } from './common.js';

/** XDP and tc verdicts the redirect helpers return. */
export const XdpAction = { ABORTED: 0, DROP: 1, PASS: 2, TX: 3, REDIRECT: 4 } as const;
export const TcAction = { OK: 0, SHOT: 2, REDIRECT: 7 } as const;

const BPF_F_INGRESS = 1n;
/** XDP_ABORTED | XDP_DROP | XDP_PASS | XDP_TX: the fallback verdict redirect_map's flags carry. */
const ACTION_MASK = 3n;
const BPF_F_BROADCAST = 8n;
const BPF_F_EXCLUDE_INGRESS = 16n;

/** The map types XDP can redirect through, and the extra flags each takes. */
const REDIRECT_MAPS = new Map<number, bigint>([
  [MapType.DEVMAP, BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS],
  [MapType.DEVMAP_HASH, BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS],
  [MapType.CPUMAP, 0n],
  [MapType.XSKMAP, 0n],
]);

/**
 * bpf_redirect and bpf_redirect_map (net/core/filter.c). They only record where the packet should
 * go (the run's `redirect`, Linux's bpf_redirect_info) and return the verdict; the hook acts on
 * it. bpf_redirect in XDP: XDP_REDIRECT, or XDP_ABORTED for any flag; elsewhere (tc):
 * TC_ACT_REDIRECT, or TC_ACT_SHOT for flags other than BPF_F_INGRESS. bpf_redirect_map (XDP):
 * XDP_REDIRECT when the key has an entry (or with BPF_F_BROADCAST), else the fallback verdict in
 * the flags' low bits; XDP_ABORTED for other flags. An entry whose value is 0 counts as empty.
 */
export function redirectHelpers(kernel: KernelServices): HelperDef[] {
  return [
    {
      id: HelperId.redirect,
      fn: ([ifindex, flags], env) => {
        const run = runOf(env);
        if (run.program.type === ProgType.XDP) {
          if (flags !== 0n) return BigInt(XdpAction.ABORTED);
          run.redirect = { kind: 'ifindex', ifindex: u32(ifindex), flags: 0 };
          return BigInt(XdpAction.REDIRECT);
        }
        if ((flags & ~BPF_F_INGRESS) !== 0n) return BigInt(TcAction.SHOT);
        run.redirect = { kind: 'ifindex', ifindex: u32(ifindex), flags: Number(flags) };
        return BigInt(TcAction.REDIRECT);
      },
    },
    {
      id: HelperId.redirect_map,
      fn: ([m, key, flags], env) => {
        const held = mapArg(kernel, m);
        const extra = REDIRECT_MAPS.get(held.map.spec.map_type);
        if (extra === undefined || (flags & ~(ACTION_MASK | extra)) !== 0n) return BigInt(XdpAction.ABORTED);
        const cpu = cpuOf(env);
        kernel.memory.setU32(cpu.scratch, u32(key));
        const value = held.map.lookupAddress(cpu.scratch, cpu.index);
        const present = value !== 0 && kernel.memory.u32(value) !== 0;
        if (!present && (flags & BPF_F_BROADCAST) === 0n) return flags & ACTION_MASK;
        runOf(env).redirect = { kind: 'map', ...(held.id !== undefined && { mapId: held.id }), key: u32(key), flags: Number(flags) };
        return BigInt(XdpAction.REDIRECT);
      },
    },
  ];
}
