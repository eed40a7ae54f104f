import { describe, expect, it } from 'vitest';
import { DeviceTable } from './device-table.js';
import { buildFrame } from './frame.js';
import { IpProto } from './flow.js';
import { arrive } from './packet.js';
import { SocketQueue } from './socket-queue.js';
import { TcpFlags } from './tcp.js';
import { applyTc, applyXdp, formatFlowRecord, passToStack, TcAction, transmit, XdpAction } from './verdict.js';

function world() {
  const devs = new DeviceTable();
  const eth0 = devs.create({ name: 'eth0', queues: 2 });
  const [veth0, veth1] = devs.createVethPair({ name: 'veth0' }, { name: 'veth1' });
  const frame = buildFrame({
    src: '02:00:00:00:00:09', dst: eth0.mac, ip: { src: '10.0.0.2', dst: '10.0.0.1' },
    l4: { proto: 'tcp', sport: 40000, dport: 80, flags: TcpFlags.SYN },
  });
  const pkt = arrive(eth0, frame, 1000, 4);
  return { devs, eth0, veth0, veth1, pkt, sockets: new SocketQueue(2) };
}

describe('net verdicts - XDP', () => {
  it('DROP counts a drop and logs the flow with the program id', () => {
    const { devs, eth0, pkt } = world();
    const out = applyXdp(devs, pkt, XdpAction.DROP, { progId: 7 });
    expect(out.next).toBeUndefined();
    expect(out.record).toEqual({
      time: 1000, ifindex: eth0.ifindex, queue: pkt.queue, cpu: pkt.cpu, hook: 'xdp', progId: 7, action: 'XDP_DROP',
      tuple: { proto: IpProto.TCP, src: '10.0.0.2', dst: '10.0.0.1', sport: 40000, dport: 80 }, len: 60,
    });
    expect(eth0.totals()).toMatchObject({ xdpDrop: 1, rxDropped: 1, rxPackets: 0 });
    expect(formatFlowRecord(out.record)).toBe(`1.0us if2 q${pkt.queue} cpu${pkt.cpu} xdp prog 7 XDP_DROP tcp 10.0.0.2:40000 > 10.0.0.1:80 len 60`);
  });

  it('PASS goes to TC ingress, then the stack counts it and queues it for sockets', () => {
    const { devs, eth0, pkt, sockets } = world();
    const out = applyXdp(devs, pkt, XdpAction.PASS);
    expect(out.next).toEqual({ to: 'tc_ingress', packet: pkt });
    const tc = applyTc(devs, pkt, 'tc_ingress', TcAction.OK);
    expect(tc.next).toEqual({ to: 'stack', packet: pkt });
    passToStack(devs, sockets, pkt);
    expect(eth0.totals()).toMatchObject({ xdpPass: 1, rxPackets: 1, rxBytes: 60 });
    expect(sockets.countsByPort().get('tcp/80')).toBe(1);
    expect(sockets.drain()[0]).toMatchObject({ ifindex: eth0.ifindex, len: 60 });
  });

  it('TX sends it back out of the same device, skipping TC egress', () => {
    const { devs, eth0, pkt } = world();
    const out = applyXdp(devs, pkt, XdpAction.TX);
    expect(out.next?.to).toBe('wire');
    expect(eth0.totals()).toMatchObject({ xdpTx: 1, txPackets: 1, txBytes: 60 });
  });

  it('REDIRECT to a veth makes its peer receive the frame at XDP', () => {
    const { devs, veth0, veth1, pkt } = world();
    const out = applyXdp(devs, pkt, XdpAction.REDIRECT, { target: { kind: 'dev', ifindex: veth0.ifindex } });
    expect(out.record.target).toBe(`dev ${veth0.ifindex}`);
    expect(out.next).toMatchObject({ to: 'xdp', packet: { ifindex: veth1.ifindex, frame: pkt.frame } });
    expect(veth0.totals().txPackets).toBe(1);
  });

  it('REDIRECT to a CPU continues at TC ingress on that CPU; to an XSK goes to user space', () => {
    const { devs, pkt } = world();
    expect(applyXdp(devs, pkt, XdpAction.REDIRECT, { target: { kind: 'cpu', cpu: 3 } }).next).toMatchObject({ to: 'tc_ingress', packet: { cpu: 3 } });
    expect(applyXdp(devs, pkt, XdpAction.REDIRECT, { target: { kind: 'xsk', queue: 1 } }).next).toMatchObject({ to: 'xsk', queue: 1 });
  });

  it('a failed REDIRECT drops the frame and says why; an invalid action aborts', () => {
    const { devs, eth0, veth0, pkt } = world();
    expect(applyXdp(devs, pkt, XdpAction.REDIRECT, { target: { kind: 'dev', ifindex: 99 } }).record.error).toBe('ENODEV');
    devs.setUp(veth0.ifindex, false);
    expect(applyXdp(devs, pkt, XdpAction.REDIRECT, { target: { kind: 'dev', ifindex: veth0.ifindex } }).record.error).toBe('ENETDOWN');
    expect(applyXdp(devs, pkt, XdpAction.REDIRECT).record.error).toBe('EINVAL');
    expect(applyXdp(devs, pkt, 9).record.action).toBe('XDP_INVALID(9)');
    expect(eth0.totals()).toMatchObject({ rxDropped: 4, xdpAborted: 1, xdpRedirect: 0 });
  });
});

describe('net verdicts - TC', () => {
  it('SHOT drops at ingress and egress, counted on the right side', () => {
    const { devs, eth0, pkt } = world();
    expect(applyTc(devs, pkt, 'tc_ingress', TcAction.SHOT).record.action).toBe('TC_ACT_SHOT');
    applyTc(devs, pkt, 'tc_egress', TcAction.SHOT);
    expect(eth0.totals()).toMatchObject({ rxDropped: 1, txDropped: 1 });
  });

  it('egress OK transmits; REDIRECT goes to the target egress, or its ingress with the flag', () => {
    const { devs, eth0, veth0, pkt } = world();
    expect(applyTc(devs, pkt, 'tc_egress', TcAction.OK).next?.to).toBe('wire');
    expect(eth0.totals().txPackets).toBe(1);
    const r = applyTc(devs, pkt, 'tc_ingress', TcAction.REDIRECT, { target: { kind: 'dev', ifindex: veth0.ifindex } });
    expect(r.next).toMatchObject({ to: 'tc_egress', packet: { ifindex: veth0.ifindex } });
    const i = applyTc(devs, pkt, 'tc_ingress', TcAction.REDIRECT, { target: { kind: 'dev', ifindex: veth0.ifindex, ingress: true } });
    expect(i.next).toMatchObject({ to: 'tc_ingress', packet: { ifindex: veth0.ifindex } });
    expect(i.record.target).toBe(`dev ${veth0.ifindex} ingress`);
    expect(applyTc(devs, pkt, 'tc_ingress', TcAction.STOLEN).next).toBeUndefined();
  });

  it('transmit on a down device or beyond the MTU counts tx_dropped', () => {
    const { devs, eth0, pkt } = world();
    devs.setMtu(eth0.ifindex, 68);
    expect(transmit(devs, { ...pkt, frame: new Uint8Array(100) }, eth0.ifindex)).toBeUndefined();
    devs.setUp(eth0.ifindex, false);
    expect(transmit(devs, pkt, eth0.ifindex)).toBeUndefined();
    expect(eth0.totals()).toMatchObject({ txDropped: 2, txPackets: 0 });
  });

  it('the socket queue keeps the newest deliveries and counts overflow', () => {
    const { devs, pkt, sockets } = world();
    for (let i = 0; i < 3; i++) passToStack(devs, sockets, { ...pkt, time: i });
    expect(sockets.overflow).toBe(1);
    expect(sockets.drain().map((d) => d.time)).toEqual([1, 2]);
    expect(sockets.countsByPort().get('tcp/80')).toBe(3);
  });
});
