/**
 * Network devices, as programs and BPF_PROG_TEST_RUN see them. Phase 1 has the loopback device
 * alone (test_run's packets come "from" it, as in Linux); the simulated world adds more later.
 */
export interface NetDevice {
  readonly ifindex: number;
  readonly name: string;
  readonly mtu: number;
  /** Link header length (ETH_HLEN for Ethernet-like devices). */
  readonly hardHeaderLen: number;
  readonly address: Uint8Array;
  readonly broadcast: Uint8Array;
  readonly rxQueues: number;
}

export const LOOPBACK: NetDevice = {
  ifindex: 1,
  name: 'lo',
  mtu: 65536,
  hardHeaderLen: 14,
  address: new Uint8Array(6),
  broadcast: new Uint8Array(6).fill(0xff),
  rxQueues: 1,
};

/** The kernel's devices by ifindex. */
export interface NetDevices {
  byIndex(ifindex: number): NetDevice | undefined;
}

export const loopbackOnly: NetDevices = { byIndex: (ifindex) => (ifindex === LOOPBACK.ifindex ? LOOPBACK : undefined) };
