/**
 * A stand-in for the verifier service, which is not built yet: it answers
 * `bpf.v1.internal.verify` (a queue group member, as the real one will be) by accepting every
 * program, so the kernel-sim's BPF_PROG_LOAD path can be tested end to end. Tests only.
 */
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { QueueGroups, Subjects, decode, fromBase64 } from '@bpfhive/uapi';

export async function serveAcceptingVerifier(nc: NatsConnection): Promise<Subscription> {
  const sub = nc.subscribe(Subjects.internalVerify, {
    queue: QueueGroups.verifier,
    callback: (err, msg) => {
      if (err) return;
      const request = msg.json<{ insns: string }>();
      const processed = decode(fromBase64(request.insns, 'insns')).length;
      msg.respond(JSON.stringify({ verdict: 'accept', log: '', stats: { processed_insns: processed, total_states: 0, peak_states: 0 } }));
    },
  });
  await nc.flush();
  return sub;
}
