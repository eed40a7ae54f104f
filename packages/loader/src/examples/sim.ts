/**
 * Requests to the kernel-sim's simulated world (`bpf.v1.sim.>`) and its link commands that the
 * bpf() router does not carry (`bpf.v1.link.<id>.close`), with errno replies turned into the
 * same typed errors as bpf().
 */
import { type SimDevInfoReply, type SimDevListReply, SimSubjects, Subjects } from '@bpfhive/uapi';
import type { BpfClient } from '../client/index.js';
import { decodeReply } from '../client/transport.js';

/** One request to the kernel-sim; a reply with an errno becomes a BpfSyscallError. */
export async function simRequest<T = Record<string, unknown>>(client: BpfClient, subject: string, body: unknown, timeoutMs = 30_000): Promise<T> {
  const reply = await client.nc.request(subject, JSON.stringify(body), { timeout: timeoutMs });
  return decodeReply(subject, reply.headers?.get('Nats-Service-Error-Code') ?? '', reply.headers?.get('Nats-Service-Error') ?? '', reply.string()) as T;
}

export type SimDevice = SimDevInfoReply;

/** The simulated devices, in ifindex order (`ip link`). */
export async function simDevices(client: BpfClient): Promise<SimDevice[]> {
  return (await simRequest<SimDevListReply>(client, SimSubjects.devList, {})).devices as SimDevice[];
}

/** The device named `name`, created as an Ethernet device with `addresses` when it does not exist. */
export async function ensureDevice(client: BpfClient, name: string, addresses: readonly string[] = []): Promise<SimDevice> {
  const existing = (await simDevices(client)).find((d) => d.name === name);
  if (existing) return existing;
  const made = await simRequest<SimDevListReply>(client, SimSubjects.devCreate, { name, kind: 'ether', ...(addresses.length > 0 && { addresses: [...addresses] }) });
  const device = made.devices.find((d) => d.name === name);
  if (!device) throw new Error(`dev.create ${name}: the reply names no such device`);
  return device as SimDevice;
}

/** BPF_LINK_CREATE; returns the link id. */
export async function linkCreate(client: BpfClient, attr: Record<string, unknown>): Promise<number> {
  return Number((await client.bpf('LINK_CREATE', attr)).link_id);
}

/** Closes a link (the last fd on it goes): its program is detached from the hook and the link freed. */
export async function linkClose(client: BpfClient, linkId: number): Promise<void> {
  await simRequest(client, Subjects.link(linkId, 'close'), {});
}
