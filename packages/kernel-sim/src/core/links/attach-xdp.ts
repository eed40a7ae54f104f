import { AttachType, LinkType } from '@bpfhive/uapi';
import { type AttachFunction, linkError } from './attachment.js';
import { XDP_FLAGS_MODES, XdpFlags } from './flags.js';
import { HookKeys } from './hook-points.js';

const bitCount = (n: number): number => n.toString(2).replaceAll('0', '').length;

/**
 * An XDP link on a device (bpf_xdp_link_attach → dev_xdp_attach, net/core/dev.c). Checked in
 * Linux's order: flags other than one mode bit EINVAL; no such device EINVAL; a link already in
 * that mode EBUSY; a program in the other mode EEXIST (native and generic XDP are never active
 * together); a DEVMAP or CPUMAP program EINVAL; hardware offload, or native mode on a device
 * whose driver has no XDP (lo), EOPNOTSUPP. Without a mode bit the device's default applies:
 * native where the driver has XDP, generic otherwise. One program per device: XDP has no
 * multi-attach (BPF_F_REPLACE does not apply to links; link.update replaces the program).
 */
export const attachXdp: AttachFunction = ({ targets, points }, program, attr) => {
  const flags = attr.flags ?? 0;
  if ((flags & ~XDP_FLAGS_MODES) !== 0) throw linkError('EINVAL', `XDP links take only a mode flag (XDP_FLAGS_SKB_MODE 2, XDP_FLAGS_DRV_MODE 4), got 0x${flags.toString(16)}`);
  if (bitCount(flags) > 1) throw linkError('EINVAL', 'only one XDP mode flag can be set');
  const device = attr.target_ifindex ? targets.device(attr.target_ifindex) : undefined;
  if (!device) throw linkError('EINVAL', `target_ifindex ${attr.target_ifindex ?? 0} names no device`);
  const hardware = (flags & XdpFlags.HW_MODE) !== 0;
  const mode = (flags & XdpFlags.DRV_MODE) !== 0 ? 'drv' : (flags & XdpFlags.SKB_MODE) !== 0 ? 'skb' : device.native ? 'drv' : 'skb';
  const point = HookKeys.xdp(device.ifindex, mode);
  if (!hardware) {
    if (points.list(point).length > 0) throw linkError('EBUSY', `ifindex ${device.ifindex} already has an XDP link in ${mode} mode (update that link to replace its program)`);
    if (points.list(HookKeys.xdp(device.ifindex, mode === 'drv' ? 'skb' : 'drv')).length > 0) throw linkError('EEXIST', 'native and generic XDP cannot be active at the same time');
  }
  if (program.expectedAttachType === AttachType.XDP_DEVMAP || program.expectedAttachType === AttachType.XDP_CPUMAP) {
    throw linkError('EINVAL', 'programs for DEVMAP and CPUMAP entries cannot be attached to a device');
  }
  if (hardware) throw linkError('EOPNOTSUPP', 'XDP offload to hardware is not simulated');
  if (mode === 'drv' && !device.native) throw linkError('EOPNOTSUPP', `the driver of ifindex ${device.ifindex} does not support XDP in native mode`);
  return { type: LinkType.XDP, target: { kind: 'xdp', ifindex: device.ifindex, mode }, places: [{ point }] };
};
