import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { TracepointEvent, WorldEvent } from '../events.js';
import { parseFrame } from '../net/frame.js';
import { ArrayUserMemory } from '../proc/array-memory.js';
import { decodeField } from '../proc/trace-layout.js';
import { SYSCALL_EXIT } from '../proc/tracepoints.js';
import { ScenarioError } from './errors.js';
import { loadScenarioFile, nodeScenarioFiles } from './node-files.js';
import { parseScenario } from './parse.js';
import { ScenarioRunner } from './runner.js';

const here = (rel: string): string => fileURLToPath(new URL(rel, import.meta.url));
const EXAMPLES = here('../../../scenarios/');
const FIXTURES = here('../../../test/fixtures/world/');

function runAll(runner: ScenarioRunner, max = 256): WorldEvent[] {
  const out: WorldEvent[] = [];
  for (const b of runner.batches(max)) {
    expect(b.events.length).toBeLessThanOrEqual(max);
    out.push(...b.events);
  }
  return out;
}

/** A digest of the stream: kinds, times, CPUs and bytes. */
function digest(events: readonly WorldEvent[]): string {
  const h = createHash('sha256');
  for (const e of events) {
    h.update(`${e.kind}|${e.time}|${e.cpu}|`);
    if (e.kind === 'packet') h.update(e.packet.frame);
    else if (e.kind === 'tracepoint') h.update(e.record);
    else h.update(e.regs);
  }
  return h.digest('hex');
}

describe('scenario examples', () => {
  it('web-server: HTTP traffic spread over 4 CPUs, nginx accepting and serving, in time order', () => {
    const { scenario, files } = loadScenarioFile(`${EXAMPLES}web-server.yaml`);
    expect(scenario.devices.map((d) => d.name)).toEqual(['eth0', 'veth0']);
    const runner = new ScenarioRunner(scenario, { memory: new ArrayUserMemory(), files });
    const events = runAll(runner);
    const times = events.map((e) => e.time);
    expect(times.every((t, i) => i === 0 || t >= times[i - 1]!)).toBe(true);
    expect(times.at(-1)!).toBeLessThanOrEqual(60_000_000);
    const packets = events.filter((e) => e.kind === 'packet');
    expect(packets.length).toBe(1100);
    expect(new Set(packets.map((p) => p.cpu))).toEqual(new Set([0, 1, 2, 3]));
    expect(packets.every((p) => p.kind === 'packet' && parseFrame(p.packet.frame).checksumOk)).toBe(true);
    const exits = events.filter((e): e is TracepointEvent => e.kind === 'tracepoint' && e.name.startsWith('sys_exit_'));
    const rets = exits.map((e) => `${e.task.pid}:${e.name.slice(9)}=${decodeField(SYSCALL_EXIT.openat, e.record, 'ret')}`);
    expect(rets).toContain('100:listen=0');
    expect(rets).toContain('101:clone=0');
    expect(rets).toContain('101:accept=4');
    expect(rets).toContain('101:read=39');
    expect(rets).toContain('101:openat=-2');
    expect(runner.devices.resolve('veth1').peer).toBe(runner.devices.resolve('veth0').ifindex);
  });

  it('file-and-connect: opens, connects, execs, forks and dies, as the timeline says', () => {
    const { scenario, files } = loadScenarioFile(`${EXAMPLES}file-and-connect.yaml`);
    const runner = new ScenarioRunner(scenario, { memory: new ArrayUserMemory(), files });
    const events = runAll(runner, 64);
    const names = events.map((e) => (e.kind === 'tracepoint' ? e.name : e.kind === 'packet' ? 'packet' : `${e.kind}:${e.func}`));
    expect(names.filter((n) => n === 'sys_enter_openat').length).toBe(2);
    expect(names.filter((n) => n === 'func_entry:tcp_v4_connect').length).toBe(2);
    expect(names).toContain('sched_process_exec');
    expect(names.filter((n) => n === 'sched_process_exit').length).toBe(2);
    expect(runner.processes.tasks.list().map((t) => t.pid)).toEqual([1]);
    const connect = events.find((e) => e.kind === 'func_entry' && e.func === 'tcp_v4_connect');
    expect(connect?.kind === 'func_entry' && connect.task.comm).toBe('updater');
  });

  it('is deterministic: two runs give the same stream; another seed changes the traffic', () => {
    const text = readFileSync(`${EXAMPLES}web-server.yaml`, 'utf8');
    const run = (t: string): string => digest(runAll(new ScenarioRunner(parseScenario(t), { memory: new ArrayUserMemory() })));
    expect(run(text)).toBe(run(text));
    expect(run(text.replace('seed: 7', 'seed: 8'))).not.toBe(run(text));
  });
});

describe('scenario runner', () => {
  it('replays a pcap at a rate and stops at end', () => {
    const s = parseScenario(`
devices: [{ name: eth0 }]
traffic:
  - { device: eth0, pcap: two-frames-be-us.pcap, rate: 1000, loops: 3 }
end: 4ms
`);
    const runner = new ScenarioRunner(s, { memory: new ArrayUserMemory(), files: nodeScenarioFiles(FIXTURES) });
    expect(runAll(runner).map((e) => e.time)).toEqual([0, 1e6, 2e6, 3e6, 4e6]);
  });

  it('frames for a down device are counted as dropped, not delivered', () => {
    const s = parseScenario(`
devices: [{ name: eth0, up: false }]
traffic: [{ device: eth0, rate: 1000, count: 5, flows: { src: 10.0.0.2, dst: 10.0.0.1 } }]
`);
    const runner = new ScenarioRunner(s, { memory: new ArrayUserMemory() });
    expect(runAll(runner)).toEqual([]);
    expect(runner.devices.resolve('eth0').totals().rxDropped).toBe(5);
  });

  it('a system call by a process that is gone fails with the timeline line', () => {
    const s = parseScenario(`processes: [{ pid: 5, comm: a }]
timeline:
  - { at: 1ms, pid: 5, syscall: exit }
  - { at: 2ms, pid: 5, syscall: close, fd: 0 }
`);
    const runner = new ScenarioRunner(s, { memory: new ArrayUserMemory() });
    expect(() => runAll(runner)).toThrow(/scenario scenario.yaml:4:1: timeline \(close by pid 5\): task 5: no such process/);
  });

  it('a run hands every batch to the sink and sums it up', () => {
    const s = parseScenario(`processes: [{ pid: 5, comm: a }]
timeline: [{ at: 1ms, pid: 5, syscall: close, fd: 0 }]
`);
    const fired: number[] = [];
    const summary = new ScenarioRunner(s, { memory: new ArrayUserMemory() }).run({ fire: (b) => fired.push(b.length) }, 4);
    // sched_switch, sys_enter ×2, __x64_sys_close, filp_close and their returns, sys_exit ×2
    expect(fired).toEqual([4, 4, 1]);
    expect(summary).toMatchObject({ batches: 3, packets: 0, hookEvents: 9 });
  });
});

describe('scenario validation names the line and the field', () => {
  const error = (text: string): ScenarioError => {
    try {
      parseScenario(text, 'bad.yaml');
    } catch (e) {
      if (e instanceof ScenarioError) return e;
      throw e;
    }
    throw new Error('no error');
  };

  it.each([
    ['a: [1', 1, '', /YAML/],
    ['cpus: 4\nbogus: 1\n', 2, 'bogus', /unknown field/],
    ['cpus: four\n', 1, 'cpus', /expected a number/],
    ['processes:\n  - { pid: 1, comm: a }\n  - { pid: 1, comm: b }\n', 3, 'processes[1].pid', /declared twice/],
    ['processes: [{ pid: 1 }]\n', 1, 'processes[0]', /missing field "comm"/],
    ['processes: [{ pid: 1, comm: a }]\ntimeline:\n  - { at: 10, pid: 1, syscall: close, fd: 0 }\n', 3, 'timeline[0].at', /duration such as 10ms/],
    ['processes: [{ pid: 1, comm: a }]\ntimeline:\n  - { at: 1ms, pid: 2, syscall: close, fd: 0 }\n', 3, 'timeline[0].pid', /no process 2/],
    ['processes: [{ pid: 1, comm: a }]\ntimeline:\n  - { at: 1ms, pid: 1, syscall: opne, path: /x }\n', 3, 'timeline[0].syscall', /unknown system call "opne"/],
    ['processes: [{ pid: 1, comm: a }]\ntimeline:\n  - at: 1ms\n    pid: 1\n    syscall: openat\n    fd: 3\n', 6, 'timeline[0].fd', /unknown field/],
    ['processes: [{ pid: 1, comm: a }]\ntimeline:\n  - { at: 1ms, pid: 1, syscall: openat }\n', 3, 'timeline[0]', /openat needs "path"/],
    ['traffic:\n  - { device: eth9, rate: 1, count: 1, flows: { src: 1.1.1.1, dst: 2.2.2.2 } }\n', 2, 'traffic[0].device', /no device "eth9"/],
    ['devices: [{ name: eth0 }]\ntraffic:\n  - device: eth0\n    rate: 1\n    count: 1\n    flows: { src: 1.1.1.1, dst: 2.2.2.2, dport: 1-99999 }\n', 6, 'traffic[0].flows.dport', /range like 1024-65535/],
    ['devices:\n  - { name: eth0 }\n  - { name: eth0 }\n', 3, 'devices[1]', /"eth0" exists/],
    ['devices:\n  - { name: v0, kind: veth }\n', 2, 'devices[0]', /needs a peer/],
  ])('%j → line %d, field %s', (text, line, field, message) => {
    const e = error(text);
    expect(e.line).toBe(line);
    expect(e.field).toBe(field);
    expect(e.message).toMatch(message);
    expect(e.message).toMatch(new RegExp(`^scenario bad.yaml:${line}:\\d+: `));
    expect(e.code).toBe('EINVAL');
  });
});
