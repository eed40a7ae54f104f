/**
 * The machine's devices, as `ip link` manages them: `lo` is ifindex 1 and always there; new
 * devices take the next index (indices are not reused); a veth pair is created and deleted as
 * one. Errors are BpfError with the errno `ip` would report.
 */
import { BpfError } from '@bpfhive/uapi';
import { formatMac, parseMac, parsePrefix, type Prefix } from './addr.js';
import { NetDevice, type DeviceKind } from './device.js';
import { defaultRss, RSS_DEFAULT_KEY } from './rss.js';

/** What to create; everything but the name has a default. */
export interface DeviceSpec {
  readonly name: string;
  readonly kind?: Exclude<DeviceKind, 'loopback'>;
  /** Default `02:00:00:00:HH:LL` from the ifindex (locally administered). */
  readonly mac?: string;
  /** Default 1500. */
  readonly mtu?: number;
  /** Receive queues (default 1). */
  readonly queues?: number;
  /** `10.0.0.1/24`, `fd00::1/64`. */
  readonly addresses?: readonly string[];
  /** Default true. */
  readonly up?: boolean;
  /** RSS key (default Microsoft's). */
  readonly rssKey?: Uint8Array;
}

const IFNAMSIZ = 16;
const NAME = /^[^\s/:]+$/;

export class DeviceTable {
  readonly #byIndex = new Map<number, NetDevice>();
  #nextIndex = 1;

  constructor() {
    const lo = new NetDevice(this.#nextIndex++, 'lo', 'loopback', '00:00:00:00:00:00', 65536, true, 1, defaultRss(1));
    lo.addresses.push(parsePrefix('127.0.0.1/8'), parsePrefix('::1/128'));
    this.#byIndex.set(lo.ifindex, lo);
  }

  /** Creates a device; EEXIST for a taken name, EINVAL for a bad name, MTU, MAC, queue count or address. */
  create(spec: DeviceSpec): NetDevice {
    this.#check(spec);
    return this.#add(spec, spec.kind ?? 'ether');
  }

  /** Creates both ends of a veth pair: what one transmits, the other receives. */
  createVethPair(a: DeviceSpec, b: DeviceSpec): [NetDevice, NetDevice] {
    if (a.name === b.name) throw new BpfError('EEXIST', `create veth: both ends are named "${a.name}"`);
    this.#check(a);
    this.#check(b);
    const first = this.#add(a, 'veth');
    const second = this.#add(b, 'veth');
    first.peer = second.ifindex;
    second.peer = first.ifindex;
    return [first, second];
  }

  /** Deletes a device (and its veth peer); ENODEV if unknown, EOPNOTSUPP for `lo`. */
  delete(which: string | number): NetDevice[] {
    const dev = this.resolve(which);
    if (dev.kind === 'loopback') throw new BpfError('EOPNOTSUPP', 'delete device: lo cannot be deleted');
    const gone = [dev];
    if (dev.peer !== undefined) {
      const peer = this.#byIndex.get(dev.peer);
      if (peer) gone.push(peer);
    }
    for (const d of gone) this.#byIndex.delete(d.ifindex);
    return gone;
  }

  get(ifindex: number): NetDevice | undefined {
    return this.#byIndex.get(ifindex);
  }

  byName(name: string): NetDevice | undefined {
    for (const d of this.#byIndex.values()) if (d.name === name) return d;
    return undefined;
  }

  /** A device by name or ifindex; ENODEV when there is none. */
  resolve(which: string | number): NetDevice {
    const dev = typeof which === 'number' ? this.get(which) : this.byName(which);
    if (!dev) throw new BpfError('ENODEV', `device ${typeof which === 'number' ? `ifindex ${which}` : `"${which}"`}: no such device`);
    return dev;
  }

  /** Devices in ifindex order. */
  list(): NetDevice[] {
    return [...this.#byIndex.values()].sort((a, b) => a.ifindex - b.ifindex);
  }

  setUp(which: string | number, up: boolean): void {
    this.resolve(which).up = up;
  }

  setMtu(which: string | number, mtu: number): void {
    checkMtu(mtu);
    this.resolve(which).mtu = mtu;
  }

  /** Adds an address; EEXIST when the device already has it. */
  addAddress(which: string | number, prefix: string): Prefix {
    const dev = this.resolve(which);
    const p = parseAddress(prefix);
    if (dev.addresses.some((a) => a.address === p.address)) throw new BpfError('EEXIST', `add address: ${dev.name} already has ${p.address}`);
    dev.addresses.push(p);
    return p;
  }

  /** The device that owns `address`, if any. */
  ownerOf(address: string): NetDevice | undefined {
    return this.list().find((d) => d.addresses.some((a) => a.address === address));
  }

  #check(spec: DeviceSpec): void {
    if (!NAME.test(spec.name) || spec.name.length >= IFNAMSIZ) {
      throw new BpfError('EINVAL', `create device: "${spec.name}" is not a valid name (1-15 characters, no space, / or :)`);
    }
    if (this.byName(spec.name)) throw new BpfError('EEXIST', `create device: "${spec.name}" exists`);
    if (spec.mtu !== undefined) checkMtu(spec.mtu);
    const queues = spec.queues ?? 1;
    if (!Number.isInteger(queues) || queues < 1 || queues > 256) throw new BpfError('EINVAL', `create device: ${queues} queues (1..256)`);
    if (spec.mac !== undefined) {
      try {
        parseMac(spec.mac);
      } catch (e) {
        throw new BpfError('EINVAL', `create device: ${(e as Error).message}`);
      }
    }
    for (const a of spec.addresses ?? []) parseAddress(a);
  }

  #add(spec: DeviceSpec, kind: DeviceKind): NetDevice {
    const ifindex = this.#nextIndex++;
    const mac = spec.mac ? formatMac(parseMac(spec.mac)) : formatMac(Uint8Array.of(2, 0, 0, 0, ifindex >> 8, ifindex & 0xff));
    const queues = spec.queues ?? 1;
    const dev = new NetDevice(ifindex, spec.name, kind, mac, spec.mtu ?? 1500, spec.up ?? true, queues, defaultRss(queues, spec.rssKey ?? RSS_DEFAULT_KEY));
    for (const a of spec.addresses ?? []) dev.addresses.push(parseAddress(a));
    this.#byIndex.set(ifindex, dev);
    return dev;
  }
}

function checkMtu(mtu: number): void {
  if (!Number.isInteger(mtu) || mtu < 68 || mtu > 65535) throw new BpfError('EINVAL', `device mtu ${mtu}: must be 68..65535`);
}

function parseAddress(text: string): Prefix {
  try {
    return parsePrefix(text);
  } catch (e) {
    throw new BpfError('EINVAL', `device address: ${(e as Error).message}`);
  }
}
