import { cString, u32le } from './bytes.js';
import { collectRingbuf } from './outputs.js';
import type { Example } from './runner.js';
import { runScenario } from './scenario.js';

const PATH_LEN = 128;
const RULE_F_WRITE_ONLY = 1;

/** A rule on a path: an exact file, or every path under a prefix; optionally only opens for writing. */
export interface PathRule {
  readonly id: number;
  readonly name: string;
  readonly path: string;
  readonly exact: boolean;
  readonly writeOnly?: boolean;
}

export const PATH_RULES: readonly PathRule[] = [
  { id: 1, name: 'Read shadow file', path: '/etc/shadow', exact: true },
  { id: 2, name: 'Sudoers access', path: '/etc/sudoers', exact: false },
  { id: 3, name: 'Write to passwd', path: '/etc/passwd', exact: true, writeOnly: true },
  { id: 4, name: 'SSH key access', path: '/root/.ssh/', exact: false },
];

export const EXEMPT: readonly string[] = ['sudo', 'passwd'];

/** struct path_rule_key: prefixlen, then the path NUL-padded to 128 bytes. */
function ruleKey(rule: PathRule): Uint8Array {
  const key = new Uint8Array(4 + PATH_LEN);
  key.set(u32le((rule.path.length + (rule.exact ? 1 : 0)) * 8), 0);
  key.set(Buffer.from(rule.path), 4);
  return key;
}

/** struct alert (176 bytes), as examples/sensitive-open/README.md lays it out. */
export interface Alert {
  readonly ts: bigint;
  readonly pid: number;
  readonly ppid: number;
  readonly uid: number;
  readonly gid: number;
  readonly ruleId: number;
  readonly flags: number;
  readonly comm: string;
  readonly path: string;
}

export function decodeAlert(data: Uint8Array): Alert {
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  return {
    ts: v.getBigUint64(0, true),
    pid: v.getUint32(8, true),
    ppid: v.getUint32(12, true),
    uid: v.getUint32(16, true),
    gid: v.getUint32(20, true),
    ruleId: v.getUint32(24, true),
    flags: v.getInt32(28, true),
    comm: cString(data.subarray(32, 48)),
    path: cString(data.subarray(48, 176)),
  };
}

const ACCESS = ['O_RDONLY', 'O_WRONLY', 'O_RDWR', 'O_ACCMODE'];

export interface SensitiveOpenResult {
  readonly alerts: readonly Alert[];
}

export const sensitiveOpen: Example<SensitiveOpenResult> = {
  name: 'sensitive-open',
  summary: 'an alert when a process opens a sensitive file (tracepoint, LPM trie, ring buffer), as Falco does',
  async run({ client, attach, mapId, print, scenario }) {
    for (const rule of PATH_RULES) {
      await client.mapUpdate(mapId('rules'), ruleKey(rule), new Uint8Array([...u32le(rule.id), ...u32le(rule.writeOnly ? RULE_F_WRITE_ONLY : 0)]));
      print(`rule ${rule.id} "${rule.name}": ${rule.path}${rule.exact ? '' : '*'}${rule.writeOnly ? ' (opened for writing)' : ''}`);
    }
    for (const comm of EXEMPT) {
      const key = new Uint8Array(16);
      key.set(Buffer.from(comm), 0);
      await client.mapUpdate(mapId('exempt'), key, u32le(1));
    }
    print(`exempt: ${EXEMPT.join(', ')}`);
    await attach('sensitive_openat');
    const alerts = await collectRingbuf(client, mapId('alerts'), decodeAlert);
    let opens = 0;
    try {
      opens = (await runScenario(client, await scenario())).hook_events;
      await alerts.settle();
    } finally {
      alerts.stop();
    }
    print('');
    for (const a of alerts.items) {
      const rule = PATH_RULES.find((r) => r.id === a.ruleId);
      print(`Warning ${rule?.name ?? `rule ${a.ruleId}`} (user uid=${a.uid} gid=${a.gid} process=${a.comm} pid=${a.pid} ppid=${a.ppid} file=${a.path} flags=${ACCESS[a.flags & 3]}${a.flags & ~3 ? `|0x${(a.flags & ~3).toString(16)}` : ''})`);
    }
    print('');
    print(`${alerts.items.length} alerts (${opens} hook events in the workload)`);
    return { alerts: alerts.items };
  },
};
