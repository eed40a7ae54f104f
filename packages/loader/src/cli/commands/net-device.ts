import type { BpfClient } from '../../client/index.js';
import { type SimDevice, simDevices } from '../../examples/sim.js';
import { UsageError } from '../io.js';
import { type ArgCursor, isPrefix } from './map-args.js';
import { attempt } from './map-context.js';

/** `dev NAME`: the name (or ifindex) it gives, as bpftool net reads it. */
export function parseDevName(args: ArgCursor): string {
  const word = args.shift();
  if (!isPrefix(word, 'dev')) throw new UsageError(`expected 'dev', got: '${word}'?`);
  return args.shift();
}

/** The simulated device named `name` (or with that ifindex); `invalid devname NAME` when none is. */
export async function findDevice(client: BpfClient, name: string): Promise<SimDevice> {
  const device = (await attempt("can't list devices", () => simDevices(client))).find((d) => d.name === name || String(d.ifindex) === name);
  if (!device) throw new UsageError(`invalid devname ${name}`);
  return device;
}

/** `dev NAME`: the simulated device of that name. */
export async function parseDevice(client: BpfClient, args: ArgCursor): Promise<SimDevice> {
  return findDevice(client, parseDevName(args));
}
