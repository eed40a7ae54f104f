import { type NetDevice as WorldDevice, parseMac } from '../../world/index.js';
import type { NetDevice, NetDevices } from '../net/devices.js';
import type { SimWorld } from './world.js';

const BROADCAST = new Uint8Array(6).fill(0xff);
const ETH_HLEN = 14;

/** A world device as contexts and test_run see one (its MAC as bytes, its receive queues). */
export function kernelDevice(dev: WorldDevice): NetDevice {
  return { ifindex: dev.ifindex, name: dev.name, mtu: dev.mtu, hardHeaderLen: ETH_HLEN, address: parseMac(dev.mac), broadcast: BROADCAST, rxQueues: dev.queues.length };
}

/** The kernel's NetDevices port over the world's devices (BPF_PROG_TEST_RUN's ingress_ifindex finds them). */
export function worldNetDevices(world: SimWorld): NetDevices {
  return {
    byIndex: (ifindex) => {
      const dev = world.devices.get(ifindex);
      return dev && kernelDevice(dev);
    },
  };
}
