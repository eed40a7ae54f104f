import { Subjects } from '@bpfhive/uapi';
import type { BpfClient } from '../client/index.js';
import { Transport } from '../client/transport.js';

/** The kinds of object the loader creates. */
export type ObjectKind = 'map' | 'prog' | 'btf' | 'link';

/**
 * Drops the loader's handle on an object, as close(2) drops a file descriptor: the object goes
 * unless something else holds it (a pin, a program holding its maps). Rejects with the errno
 * error of the service.
 */
export interface ObjectCloser {
  close(kind: ObjectKind, id: number): Promise<void>;
  /** Removes a pin (obj_unpin, what `rm` of a bpffs file does). */
  unpin(path: string): Promise<void>;
}

/** How long a close waits for its reply (ms); it is never retried when nothing answers. */
const CLOSE_TIMEOUT_MS = 5_000;

/**
 * Closes over the client's NATS connection: `bpf.v1.prog.<id>.close`, `bpf.v1.link.<id>.close` and
 * `bpf.v1.btf.<id>.close` (the kernel-sim) and `bpf.v1.map.<id>.close` (whoever hosts the map). bpf(2) has no command for these (Linux
 * closes fds), so they go through the transport directly, with its errno replies; a subject
 * nobody serves fails at once with ECONNREFUSED.
 */
export function natsCloser(client: BpfClient): ObjectCloser {
  const transport = new Transport(client.nc, { timeoutMs: CLOSE_TIMEOUT_MS, retryMs: 0 });
  return {
    async close(kind, id) {
      const subject = kind === 'map' ? Subjects.map(id, 'close') : kind === 'link' ? Subjects.link(id, 'close') : kind === 'prog' ? Subjects.prog(id, 'close') : Subjects.btf(id, 'close');
      await transport.request(subject, {});
    },
    unpin: (path) => client.objUnpin(path),
  };
}
