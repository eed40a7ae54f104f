import { ProgType, SK_BUFF } from '@bpfhive/uapi';
import { member } from '../contexts/layout.js';
import { ETH_HLEN, SKB_SHARED_INFO_SIZE } from '../contexts/packet.js';
import { NET_SKB_PAD, buildSkbContext } from '../contexts/skb.js';
import { readField } from '../contexts/write.js';
import { LOOPBACK } from '../net/devices.js';
import { type TestRunHandler, contextIn, contextOut, dataOut, repeatCount, retval, testRunError } from './attr.js';

/** The __sk_buff fields a caller may set in ctx_in (convert___skb_to_skb); every other byte must be zero. */
const SETTABLE = ['mark', 'priority', 'ingress_ifindex', 'ifindex', 'cb', 'tstamp', 'wire_len', 'gso_segs', 'gso_size', 'hwtstamp'] as const;
/** The fields test_run copies back into ctx_out (convert_skb_to___skb). */
const RETURNED = ['mark', 'priority', 'ingress_ifindex', 'ifindex', 'tstamp', 'cb', 'wire_len', 'gso_segs', 'hwtstamp'] as const;
/** GSO_LEGACY_MAX_SIZE and GSO_MAX_SEGS. */
const GSO_LEGACY_MAX_SIZE = 65536;
const GSO_MAX_SEGS = 65535;

const field = (name: string) => member(SK_BUFF, name);

/** EINVAL unless every byte of `ctx` outside the settable fields is zero. */
function checkSettable(ctx: Uint8Array): void {
  const allowed = new Uint8Array(SK_BUFF.size);
  for (const name of SETTABLE) allowed.fill(1, field(name).offset, field(name).offset + field(name).size);
  const stray = ctx.findIndex((b, i) => b !== 0 && allowed[i] === 0);
  if (stray >= 0) {
    const at = SK_BUFF.members.find((f) => stray >= f.offset && stray < f.offset + f.size);
    throw testRunError('EINVAL', `__sk_buff: ${at?.name ?? `byte ${stray}`} cannot be set; only ${SETTABLE.join(', ')} may be non-zero`);
  }
}

/**
 * BPF_PROG_TEST_RUN for the __sk_buff program types (bpf_prog_test_run_skb): the frame arrives
 * on the loopback device (or ctx_in's ifindex); tc programs (SCHED_CLS, SCHED_ACT) see it from the
 * MAC header, the others (SOCKET_FILTER, CGROUP_SKB, LWT) from the network header, and for those
 * data_out starts with ETH_HLEN zero bytes where the link header was. ctx_out carries mark,
 * priority, ingress_ifindex, ifindex, tstamp, cb, wire_len, gso_segs and hwtstamp after the run.
 *
 * EINVAL: flags, cpu or batch_size set, data_in shorter than ETH_HLEN or longer than a page less
 * headroom and tailroom, a ctx_in field that may not be set, wire_len below the packet length or
 * above 64 KiB, gso_segs above 65535. ENODEV: an unknown ifindex.
 */
export const testRunSkb: TestRunHandler = (env, program, attr) => {
  if (attr.flags || attr.cpu || attr.batch_size) throw testRunError('EINVAL', 'flags, cpu and batch_size do not apply to __sk_buff programs');
  const frame = attr.data_in ?? new Uint8Array(0);
  const maxData = 4096 - NET_SKB_PAD - SKB_SHARED_INFO_SIZE;
  if (frame.length < ETH_HLEN || frame.length > maxData) throw testRunError('EINVAL', `data_in must be ${ETH_HLEN} to ${maxData} bytes, got ${frame.length}`);
  const ctx = contextIn(attr, SK_BUFF.size);
  const l2 = program.type === ProgType.SCHED_CLS || program.type === ProgType.SCHED_ACT;
  let device = LOOPBACK;
  if (ctx) {
    const ifindex = Number(readField(ctx, field('ifindex')));
    if (ifindex > 1) {
      const found = env.devices.byIndex(ifindex);
      if (!found) throw testRunError('ENODEV', `__sk_buff: no device with ifindex ${ifindex}`);
      device = found;
    }
    checkSettable(ctx);
    const length = l2 ? frame.length : frame.length - ETH_HLEN;
    const wireLen = Number(readField(ctx, field('wire_len')));
    if (wireLen !== 0 && (wireLen < length || wireLen > GSO_LEGACY_MAX_SIZE)) throw testRunError('EINVAL', `__sk_buff: wire_len ${wireLen} must be from ${length} to ${GSO_LEGACY_MAX_SIZE}`);
    if (readField(ctx, field('gso_segs')) > BigInt(GSO_MAX_SEGS)) throw testRunError('EINVAL', `__sk_buff: gso_segs above ${GSO_MAX_SEGS}`);
  }
  const number = (name: string) => (ctx ? Number(readField(ctx, field(name))) : 0);
  const big = (name: string) => (ctx ? readField(ctx, field(name)) : 0n);
  const built = buildSkbContext(env.arena, {
    frame,
    device,
    l2,
    fields: {
      mark: number('mark'),
      priority: number('priority'),
      ingress_ifindex: number('ingress_ifindex'),
      tstamp: big('tstamp'),
      wire_len: number('wire_len'),
      gso_segs: number('gso_segs'),
      gso_size: number('gso_size'),
      hwtstamp: big('hwtstamp'),
      ...(ctx && { cb: ctx.slice(field('cb').offset, field('cb').offset + field('cb').size) }),
    },
  });
  const cpu = env.cpus[0]!;
  return {
    repeat: repeatCount(attr),
    once: () => env.run(program, cpu, built.ctx.address, { task: env.task, packet: built.packet }).r0,
    finish: (r0, duration) => {
      const packet = built.packet.data;
      const out = l2 ? packet : Uint8Array.from([...new Uint8Array(ETH_HLEN), ...packet]);
      const result = { retval: retval(r0), duration, data_out: dataOut(attr, out) };
      if (!ctx) return result;
      const skb = built.ctx.bytes;
      for (const name of RETURNED) {
        const f = field(name);
        ctx.set(skb.subarray(f.offset, f.offset + f.size), f.offset);
      }
      return { ...result, ctx_out: contextOut(attr, ctx) };
    },
    release: () => {
      built.packet.free();
      built.ctx.free();
    },
  };
};
