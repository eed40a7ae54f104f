import { SK_BUFF } from '@bpfhive/uapi';
import type { NetDevice as WorldDevice, Packet } from '../../world/index.js';
import { member } from '../contexts/layout.js';
import { buildSkbContext } from '../contexts/skb.js';
import { writeField } from '../contexts/write.js';
import type { Kernel } from '../kernel.js';
import type { LoadedProgram } from '../programs/program.js';
import type { RedirectTarget } from '../run/run-state.js';
import type { Task } from '../tasks.js';
import { kernelDevice } from './net-devices.js';

/** One program's run on an __sk_buff: its r0 as a C int, and what bpf_redirect recorded. */
export interface SkbVerdict {
  readonly program: LoadedProgram;
  readonly ret: number;
  readonly redirect?: RedirectTarget;
}

export interface SkbRunOptions {
  /** TC programs see the frame from the MAC header; cgroup skb programs from the network header. */
  readonly l2: boolean;
  /** __sk_buff.ingress_ifindex: the device the frame came in on (0: sent by this host). */
  readonly ingressIfindex: number;
  /** The task current during the runs (cgroup egress: the sender). */
  readonly task?: Task;
}

const field = (name: string) => member(SK_BUFF, name);

/**
 * Runs `programs` in order on one __sk_buff made from `packet` on `device`, as a hook shares one
 * skb between its programs, until `stop(ret)` says the verdict is in. The skb carries the RSS hash
 * and receive queue. Returns every run's verdict and the frame as the last program left it (a
 * copy for TC: skb_store_bytes, change_head/tail show). The context is built by buildSkbContext.
 */
export function runOnSkb(
  kernel: Kernel,
  programs: readonly LoadedProgram[],
  packet: Packet,
  device: WorldDevice,
  options: SkbRunOptions,
  stop: (ret: number) => boolean,
): { verdicts: SkbVerdict[]; frame: Uint8Array } {
  const cpu = kernel.cpus[packet.cpu % kernel.cpus.length]!;
  const built = buildSkbContext(kernel.arena, { frame: packet.frame, device: kernelDevice(device), l2: options.l2, fields: { ingress_ifindex: options.ingressIfindex } });
  try {
    const ctx = built.ctx.bytes;
    writeField(ctx, field('hash'), packet.hash);
    writeField(ctx, field('queue_mapping'), packet.queue);
    const verdicts: SkbVerdict[] = [];
    for (const program of programs) {
      const { r0, state } = kernel.run(program, cpu, built.ctx.address, { packet: built.packet, ...(options.task && { task: options.task }) });
      const ret = Number(BigInt.asIntN(32, r0));
      verdicts.push({ program, ret, ...(state.redirect && { redirect: state.redirect }) });
      if (stop(ret)) break;
    }
    // cgroup skb programs cannot write the packet: their frame is the one that came in.
    return { verdicts, frame: options.l2 ? built.packet.data.slice() : packet.frame };
  } finally {
    built.packet.free();
    built.ctx.free();
  }
}
