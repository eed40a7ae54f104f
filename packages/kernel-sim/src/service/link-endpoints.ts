import type { Service, ServiceMsg } from '@nats-io/services';
import {
  BpfError,
  type CallerIdentity,
  DEFAULT_IDENTITY_POLICY,
  EmptySchema,
  type GetNextIdRequest,
  GetNextIdRequestSchema,
  type IdentityPolicy,
  type LinkCreateReply,
  type LinkCreateRequest,
  LinkCreateRequestSchema,
  type LinkUpdateRequest,
  LinkUpdateRequestSchema,
  SUBJECT_PREFIX,
  Subjects,
  callerIdentity,
  progTypeSpec,
  requireCapability,
  respond,
  serve,
} from '@bpfhive/uapi';
import type { LinkTable } from '../core/links/link-table.js';
import type { LoadedProgram } from '../core/programs/program.js';
import { type KernelObjectCharges, resolves } from './object-limits.js';
import { ObjectOwners } from './object-owners.js';
import type { KernelSessions } from './sessions.js';

/**
 * link_create's privilege check (identity.ts): Linux checked the capability when the program was
 * loaded and trusts its fd; bpfhive's ids are not fds, so the caller must hold the program (have
 * loaded it, or CAP_SYS_ADMIN) and have what its type needs to be loaded.
 */
function checkLinkCreate(who: CallerIdentity, program: LoadedProgram): void {
  const spec = progTypeSpec(program.type, program.expectedAttachType);
  if (!spec?.unprivileged) requireCapability(who, 'CAP_BPF', 'link_create');
  if (spec?.capability) requireCapability(who, spec.capability, 'link_create');
}

/**
 * The link endpoints of the kernel-sim service, between uapi's link schemas and the link table:
 * bpf.v1.link_create, bpf.v1.link.<id>.update / .detach / .close / .info (the account that made
 * the link, or CAP_SYS_ADMIN) and bpf.v1.link_get_next_id (CAP_SYS_ADMIN). `programs` is the
 * service's record of who loaded which program, `owners` the one of links (shared with the pin
 * endpoints, pin-endpoints.ts). A close drops the creator's handle: a pinned link lives on.
 */
export function addLinkEndpoints(
  service: Service,
  links: LinkTable,
  programs: ObjectOwners,
  policy: IdentityPolicy = DEFAULT_IDENTITY_POLICY,
  limits?: KernelObjectCharges,
  owners = new ObjectOwners('link'),
  sessions?: KernelSessions,
): void {
  limits?.watch('links', resolves((id) => links.get(id)));
  // A session's end closes its links as link.<id>.close would (sessions.ts).
  sessions?.closer('link', (id) => {
    links.close(id);
    owners.forget(id);
  });
  const endpoint = (name: string, subject: string, handle: (msg: ServiceMsg, who: CallerIdentity) => unknown): void => {
    service.addEndpoint(name, { subject, handler: (err, msg) => (err ? undefined : void handle(msg, callerIdentity(msg, policy))) });
  };
  endpoint('link_create', Subjects.linkCreate, (msg, who) =>
    serve<LinkCreateRequest>(msg, LinkCreateRequestSchema, async (r): Promise<LinkCreateReply> => {
      programs.check(r.prog_id, who, 'link_create');
      const held = links.programOf(r.prog_id);
      if (held) checkLinkCreate(who, held);
      const made = () => links.create(r);
      const create = () => (sessions ? sessions.create(msg, who, 'link', 'link_create', made, (l) => l.id) : made());
      const link = limits ? await limits.create(who, 'links', 'link_create', create, (l) => l.id) : await create();
      owners.record(link.id, who);
      return { link_id: link.id };
    }),
  );
  endpoint('link', `${SUBJECT_PREFIX}.link.*.*`, (msg, who) => {
    const [, , , idText, command] = msg.subject.split('.');
    if (!/^\d+$/.test(idText ?? '')) {
      return respond(msg, () => {
        throw new BpfError('EINVAL', `${msg.subject}: the link id must be a number`);
      });
    }
    const id = Number(idText);
    const checked = (action: string): void => owners.check(id, who, `link ${action}`);
    switch (command) {
      case 'update':
        return serve<LinkUpdateRequest>(msg, LinkUpdateRequestSchema, (r) => {
          checked('update');
          programs.check(r.new_prog_id, who, 'link update');
          links.update(id, r);
          return {};
        });
      case 'detach':
        return serve(msg, EmptySchema, () => {
          checked('detach');
          links.detach(id);
          return {};
        });
      case 'close':
        return serve(msg, EmptySchema, () => {
          checked('close');
          links.close(id);
          owners.forget(id);
          return {};
        });
      case 'info':
        return serve(msg, EmptySchema, () => {
          checked('info');
          return links.info(id);
        });
      default:
        return respond(msg, () => {
          throw new BpfError('EINVAL', `${msg.subject}: unknown link command '${command}'`);
        });
    }
  });
  endpoint('link_get_next_id', Subjects.getNextId('link'), (msg, who) =>
    serve<GetNextIdRequest>(msg, GetNextIdRequestSchema, (r) => {
      requireCapability(who, 'CAP_SYS_ADMIN', 'link_get_next_id');
      return { next_id: links.nextId(r.start_id) };
    }),
  );
}
