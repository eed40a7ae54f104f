import { AttachType, XDP_MD } from '@bpfhive/uapi';
import { member } from '../contexts/layout.js';
import { ETH_HLEN, SKB_SHARED_INFO_SIZE } from '../contexts/packet.js';
import { readField, writeField } from '../contexts/write.js';
import { XDP_FRAME_BYTES, XDP_PACKET_HEADROOM, buildXdpContext } from '../contexts/xdp.js';
import { xdpMetaLengthInvalid } from '../helpers/xdp.js';
import { LOOPBACK } from '../net/devices.js';
import { type TestRunHandler, TestRunFlag, contextIn, contextOut, dataOut, repeatCount, retval, testRunError } from './attr.js';

const field = (name: string) => member(XDP_MD, name);

/**
 * BPF_PROG_TEST_RUN for XDP (bpf_prog_test_run_xdp): the packet in a page after 256 bytes of
 * headroom (less any metadata), received on the loopback device's queue 0 unless ctx_in names
 * another; `repeat` runs on the same frame; data_out is the frame from data_meta to data_end after
 * the last run, so adjust_head/tail/meta show.
 *
 * EINVAL: flags other than BPF_F_TEST_XDP_LIVE_FRAMES, batch_size without it, a DEVMAP/CPUMAP
 * program, data_in shorter than ETH_HLEN, an xdp_md with data_meta set, data_end other than the
 * data size, data past data_end, a metadata length not a multiple of 4 up to 32, egress_ifindex
 * set, rx_queue_index without ingress_ifindex or past the device's queues. ENODEV: an unknown
 * ingress_ifindex. EOPNOTSUPP: live frames and multi-buffer (fragmented) packets, which need the
 * simulated world.
 */
export const testRunXdp: TestRunHandler = (env, program, attr) => {
  const flags = attr.flags ?? 0;
  if (program.expectedAttachType === AttachType.XDP_DEVMAP || program.expectedAttachType === AttachType.XDP_CPUMAP) {
    throw testRunError('EINVAL', 'programs for DEVMAP and CPUMAP entries cannot be test-run');
  }
  if ((flags & ~TestRunFlag.XDP_LIVE_FRAMES) !== 0) throw testRunError('EINVAL', `flags 0x${flags.toString(16)}: only BPF_F_TEST_XDP_LIVE_FRAMES applies to XDP`);
  if ((flags & TestRunFlag.XDP_LIVE_FRAMES) !== 0) throw testRunError('EOPNOTSUPP', 'live XDP frames need the simulated network (a later phase)');
  if (attr.batch_size) throw testRunError('EINVAL', 'batch_size is for live XDP frames only');
  const data = attr.data_in ?? new Uint8Array(0);
  const ctx = contextIn(attr, XDP_MD.size);
  let meta = 0;
  let ingressIfindex = LOOPBACK.ifindex;
  let rxQueueIndex = 0;
  if (ctx) {
    meta = Number(readField(ctx, field('data')));
    if (readField(ctx, field('data_meta')) !== 0n || readField(ctx, field('data_end')) !== BigInt(data.length) || meta > data.length || xdpMetaLengthInvalid(meta)) {
      throw testRunError('EINVAL', 'xdp_md: data_meta must be 0, data_end the data size, data the metadata length (a multiple of 4, at most 32)');
    }
    if (readField(ctx, field('egress_ifindex')) !== 0n) throw testRunError('EINVAL', 'xdp_md: egress_ifindex must be 0');
    const ingress = Number(readField(ctx, field('ingress_ifindex')));
    rxQueueIndex = Number(readField(ctx, field('rx_queue_index')));
    if (ingress === 0 && rxQueueIndex !== 0) throw testRunError('EINVAL', 'xdp_md: rx_queue_index needs ingress_ifindex');
    if (ingress !== 0) {
      const device = env.devices.byIndex(ingress);
      if (!device) throw testRunError('ENODEV', `xdp_md: no device with ifindex ${ingress}`);
      if (rxQueueIndex >= device.rxQueues) throw testRunError('EINVAL', `xdp_md: ${device.name} has ${device.rxQueues} rx queues, not ${rxQueueIndex + 1}`);
      ingressIfindex = ingress;
    }
  }
  const maxData = XDP_FRAME_BYTES - (XDP_PACKET_HEADROOM - meta) - SKB_SHARED_INFO_SIZE;
  if (data.length < ETH_HLEN) throw testRunError('EINVAL', `data_in is ${data.length} bytes, shorter than an Ethernet header (${ETH_HLEN})`);
  if (data.length > maxData) throw testRunError('EOPNOTSUPP', `data_in is ${data.length} bytes; more than ${maxData} needs a multi-buffer (fragmented) frame, which bpfhive does not model yet`);

  const cpu = env.cpus[0]!;
  const built = buildXdpContext(env.arena, { bytes: data, metaLength: meta, ingressIfindex, rxQueueIndex });
  return {
    repeat: repeatCount(attr),
    once: () => env.run(program, cpu, built.ctx.address, { task: env.task, packet: built.packet }).r0,
    finish: (r0, duration) => {
      const result = { retval: retval(r0), duration, data_out: dataOut(attr, built.packet.withMeta) };
      if (!ctx) return result;
      const { dataMeta, data: start, dataEnd } = built.packet.bounds;
      writeField(ctx, field('data'), start - dataMeta);
      writeField(ctx, field('data_end'), dataEnd - dataMeta);
      return { ...result, ctx_out: contextOut(attr, ctx) };
    },
    release: () => {
      built.packet.free();
      built.ctx.free();
    },
  };
};
