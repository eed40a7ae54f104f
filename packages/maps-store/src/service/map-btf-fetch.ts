import type { NatsConnection } from '@nats-io/transport-node';
import {
  BpfError,
  type Btf,
  type BtfInfoReply,
  BtfInfoReplySchema,
  RemoteBpfError,
  Subjects,
  fromBase64,
  mapValueHasKptrs,
  parseBtf,
  validateWire,
} from '@bpfhive/uapi';
import type { CreateRequest } from '../core/directory.js';
import type { MapBtfPort } from '../core/map-btf.js';
import { type ForwardedRequest, requestKernel } from './kernel-pins.js';

/** The kernel's own BTF object id (vmlinux), where kptr targets are found. */
const VMLINUX_BTF_ID = 1;

/** A fetched object: its BTF, none (the kernel has no such object) or why it could not be read. */
type Fetched = { readonly btf: Btf } | { readonly none: string } | { readonly error: BpfError };

/**
 * map_create's BTF objects for the maps service: the blob of the object btf_id names, read from
 * the kernel-sim holding it (`bpf.v1.btf.<id>.info`, which answers with the raw `btf`), then
 * checked by the directory (core/map-btf.ts) as Linux's map_create checks attr->btf_fd.
 *
 * Identity: Linux needs the caller to hold the BTF fd; bpfhive names objects by id, so the
 * client's Nats-Request-Info headers go along unchanged and the kernel-sim applies its own rule
 * for btf.<id>.info (the account that loaded the object, or CAP_SYS_ADMIN: EPERM otherwise) —
 * the maps-store never reads a BTF object its caller could not. The kernel's BTF (id 1, for
 * kptr targets) is everyone's and is fetched once, only for a value with kptrs.
 *
 * Errors, as map_create gives them (deferred to the directory's check, so the spec's own errors
 * come first, as in Linux): an object the kernel does not have (ENOENT) or no kernel-sim
 * answering is EBADF; the kernel's refusal (EPERM) keeps its errno; no answer in time ETIMEDOUT.
 */
export class NatsMapBtf {
  #vmlinux: Promise<Fetched> | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly timeoutMs = 5_000,
  ) {}

  /** The BTF a map_create `request` names, read for `caller`; undefined when it names no types (nothing to read). */
  async portFor(request: CreateRequest, caller: ForwardedRequest): Promise<MapBtfPort | undefined> {
    const { btf_id = 0, btf_key_type_id = 0, btf_value_type_id = 0 } = request;
    // Bad ids are the directory's EINVAL (checkMapBtfIds); nothing to fetch.
    if ((btf_key_type_id === 0 && btf_value_type_id === 0) || !Number.isInteger(btf_id) || btf_id <= 0 || btf_id > 0xffffffff) return undefined;
    const object = await this.#fetch(btf_id, caller);
    let vmlinux: Fetched | undefined;
    if ('btf' in object && needsKernelBtf(object.btf, btf_value_type_id)) vmlinux = await (this.#vmlinux ??= this.#fetch(VMLINUX_BTF_ID, undefined));
    // A failed read of the kernel's BTF is tried again by the next map_create.
    if (vmlinux && !('btf' in vmlinux)) this.#vmlinux = undefined;
    return {
      object: () => {
        if ('error' in object) throw object.error;
        return 'btf' in object ? object.btf : undefined;
      },
      vmlinux: () => {
        if (vmlinux && 'error' in vmlinux) throw vmlinux.error;
        return vmlinux && 'btf' in vmlinux ? vmlinux.btf : undefined;
      },
    };
  }

  async #fetch(id: number, caller: ForwardedRequest | undefined): Promise<Fetched> {
    const subject = Subjects.btf(id, 'info');
    try {
      const outcome = await requestKernel(this.nc, subject, {}, caller, this.timeoutMs);
      if ('gone' in outcome) return { error: new BpfError('EBADF', `map create: btf_id ${id}: ${outcome.gone}, so no BTF object can be read`) };
      const reply = validateWire<BtfInfoReply>(BtfInfoReplySchema, outcome.ok);
      return { btf: parseBtf(fromBase64(reply.btf, 'btf')) };
    } catch (e) {
      if (e instanceof RemoteBpfError && e.code === 'ENOENT') return { none: e.message };
      if (e instanceof BpfError) return { error: new BpfError(e.code, `map create: btf_id ${id}: ${e.message}`, { cause: e }) };
      if (e instanceof Error) return { error: new BpfError('EINVAL', `map create: btf_id ${id}: the kernel's BTF object could not be read: ${e.message}`, { cause: e }) };
      throw e;
    }
  }
}

/** Whether the value type holds a kptr (its target is looked up in the kernel's BTF); a badly tagged one is left to the directory's check. */
function needsKernelBtf(btf: Btf, valueTypeId: number): boolean {
  try {
    return mapValueHasKptrs(btf, valueTypeId);
  } catch {
    return false;
  }
}
