import type { Service, ServiceMsg } from '@nats-io/services';
import {
  BpfError,
  type CallerIdentity,
  type IdentityPolicy,
  type PinHoldReply,
  type PinHoldRequest,
  PinHoldRequestSchema,
  type PinRefRequest,
  PinRefRequestSchema,
  SUBJECT_PREFIX,
  callerIdentity,
  respond,
  serve,
} from '@bpfhive/uapi';
import type { Kernel } from '../core/kernel.js';
import type { LinkTable } from '../core/links/link-table.js';
import type { ObjectOwners } from './object-owners.js';

export interface PinEndpointsOptions {
  readonly kernel: Kernel;
  readonly links: LinkTable;
  /** Who may name which program and link (the same records the program and link commands use). */
  readonly programOwners: ObjectOwners;
  readonly linkOwners: ObjectOwners;
  /** This boot of the kernel: pins taken in another boot name nothing here. */
  readonly bootId: string;
  readonly policy: IdentityPolicy;
}

/** One kind's pin references: the program table's or the link table's. */
interface PinnedKind {
  readonly name: string;
  readonly owners: ObjectOwners;
  pin(id: number, path: string): void;
  unpin(id: number, path: string): void;
  pinsOf(id: number): string[];
}

/**
 * The kernel's side of pins of programs and links (packages/uapi/src/wire/schemas/pin.ts):
 * `bpf.v1.internal.<prog|link>.<id>.pin|get|unpin`, asked for by the maps-store, which owns the
 * namespace of paths and forwards the client's identity. `pin` takes a reference that keeps the
 * object alive after its creator closes it (EPERM unless the client may name the object, as for
 * every command by id); `get` confirms the pin is held in this boot and lets the client use the
 * object by id, as an fd from BPF_OBJ_GET does; `unpin` drops the reference, and the last one
 * frees the object. A request naming another boot is ENOENT: that kernel and its objects are gone.
 */
export function addPinEndpoints(service: Service, options: PinEndpointsOptions): void {
  const { kernel, links, bootId, policy } = options;
  const kinds: Readonly<Record<'prog' | 'link', PinnedKind>> = {
    prog: { name: 'program', owners: options.programOwners, pin: (id, p) => kernel.pin(id, p), unpin: (id, p) => kernel.unpin(id, p), pinsOf: (id) => kernel.pinsOf(id) },
    link: { name: 'link', owners: options.linkOwners, pin: (id, p) => links.pin(id, p), unpin: (id, p) => links.unpin(id, p), pinsOf: (id) => links.pinsOf(id) },
  };
  const sameBoot = (r: PinRefRequest, kind: PinnedKind, id: number): void => {
    if (r.boot_id !== bootId) throw new BpfError('ENOENT', `${kind.name} ${id}: pinned in kernel boot ${r.boot_id}, which is gone (this is ${bootId})`);
  };
  const handle = (kind: PinnedKind, id: number, command: string, msg: ServiceMsg, who: CallerIdentity): Promise<void> => {
    switch (command) {
      case 'pin':
        return serve<PinHoldRequest>(msg, PinHoldRequestSchema, (r): PinHoldReply => {
          kind.owners.check(id, who, 'obj_pin');
          kind.pin(id, r.pathname);
          return { boot_id: bootId };
        });
      case 'get':
        return serve<PinRefRequest>(msg, PinRefRequestSchema, (r) => {
          sameBoot(r, kind, id);
          if (!kind.pinsOf(id).includes(r.pathname)) throw new BpfError('ENOENT', `obj_get: ${kind.name} ${id} is not pinned at ${r.pathname}`);
          kind.owners.grant(id, who);
          return {};
        });
      case 'unpin':
        return serve<PinRefRequest>(msg, PinRefRequestSchema, (r) => {
          sameBoot(r, kind, id);
          kind.unpin(id, r.pathname);
          return {};
        });
      default:
        return respond(msg, () => {
          throw new BpfError('EINVAL', `${msg.subject}: unknown pin command '${command}'`);
        });
    }
  };
  for (const [name, kind] of Object.entries(kinds)) {
    service.addEndpoint(`internal_${name}_pin`, {
      subject: `${SUBJECT_PREFIX}.internal.${name}.*.*`,
      handler: (err, msg) => {
        if (err) return;
        const [, , , , idText, command] = msg.subject.split('.');
        if (!/^\d+$/.test(idText ?? '')) {
          void respond(msg, () => {
            throw new BpfError('EINVAL', `${msg.subject}: the ${kind.name} id must be a number`);
          });
          return;
        }
        void handle(kind, Number(idText), command ?? '', msg, callerIdentity(msg, policy));
      },
    });
  }
}
