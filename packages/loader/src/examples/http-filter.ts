import type { FlowLogRecord } from '@bpfhive/uapi';
import { perCpuSum, u32le } from './bytes.js';
import { collectFlowLog } from './outputs.js';
import type { Example } from './runner.js';
import { buildMachine, deviceOf, runScenario } from './scenario.js';

const METHOD_LEN = 8;
const PATH_LEN = 56;

/** An allow rule: a method and an exact path, or a method and a path prefix. */
export interface HttpRule {
  readonly id: string;
  readonly method: string;
  readonly path: string;
  readonly exact: boolean;
}

export const HTTP_RULES: readonly HttpRule[] = [
  { id: 'GET /index.html', method: 'GET', path: '/index.html', exact: true },
  { id: 'GET /api/*', method: 'GET', path: '/api/', exact: false },
  { id: 'POST /api/orders', method: 'POST', path: '/api/orders', exact: true },
];

/** The client's connections in scenario.yaml, by source port: the request each one sends. */
export const HTTP_REQUESTS: ReadonlyMap<number, { readonly method: string; readonly target: string; readonly dport: number }> = new Map([
  [40001, { method: 'GET', target: '/index.html', dport: 80 }],
  [40002, { method: 'GET', target: '/api/items?id=7', dport: 80 }],
  [40003, { method: 'POST', target: '/api/orders', dport: 80 }],
  [40004, { method: 'GET', target: '/admin', dport: 80 }],
  [40005, { method: 'DELETE', target: '/api/orders', dport: 80 }],
  [40006, { method: 'POST', target: '/api/orders/7', dport: 80 }],
  [40007, { method: 'GET', target: '/admin', dport: 8080 }],
]);

/**
 * struct http_rule_key: prefixlen, method NUL-padded to 8, path NUL-padded to 56. An exact
 * rule's prefix covers the path's terminating NUL.
 */
export function httpRuleKey(rule: HttpRule): Uint8Array {
  const key = new Uint8Array(4 + METHOD_LEN + PATH_LEN);
  const bits = (METHOD_LEN + rule.path.length + (rule.exact ? 1 : 0)) * 8;
  key.set(u32le(bits), 0);
  key.set(Buffer.from(rule.method, 'latin1'), 4);
  key.set(Buffer.from(rule.path, 'latin1'), 4 + METHOD_LEN);
  return key;
}

/** One client connection as the server's TC ingress judged it (from the flow log). */
export interface HttpFlowResult {
  readonly sport: number;
  readonly request: string;
  readonly dport: number;
  /** Frames let through (TC_ACT_OK) and dropped (TC_ACT_SHOT), the SYN included. */
  readonly passed: number;
  readonly dropped: number;
}

export interface HttpFilterResult {
  readonly flows: readonly HttpFlowResult[];
  /** Requests each rule let through (its http_rules counter), by rule id. */
  readonly rules: Readonly<Record<string, number>>;
  /** http_verdicts: data segments to port 80 allowed and dropped. */
  readonly allowed: number;
  readonly dropped: number;
}

export const httpFilter: Example<HttpFilterResult> = {
  name: 'http-filter',
  summary: 'only HTTP requests matching a rule reach the server container (TC ingress, LPM trie)',
  async run({ client, attach, mapId, print, scenario }) {
    const world = await scenario();
    const devices = await buildMachine(client, world);
    const server = deviceOf(devices, 'server0');
    print(`containers: client (client0, 10.0.0.1) --veth-- server (${server.name}, ifindex ${server.ifindex}, 10.0.0.2)`);
    for (const rule of HTTP_RULES) {
      await client.mapUpdate(mapId('http_rules'), httpRuleKey(rule), new Uint8Array(16));
      print(`rule: allow ${rule.method} ${rule.path}${rule.exact ? '' : '*'}`);
    }
    await attach('tc_http_filter', { ifindex: server.ifindex });
    const log = await collectFlowLog(client);
    let run;
    try {
      run = await runScenario(client, world);
      await log.waitFor(run.packets);
    } finally {
      log.stop();
    }
    const mine = log.items.filter((r: FlowLogRecord) => r.ifindex === server.ifindex && r.hook === 'tc_ingress');
    const flows: HttpFlowResult[] = [...HTTP_REQUESTS].map(([sport, req]) => {
      const records = mine.filter((r) => r.tuple?.sport === sport);
      return {
        sport,
        request: `${req.method} ${req.target}`,
        dport: req.dport,
        passed: records.filter((r) => r.action === 'TC_ACT_OK').length,
        dropped: records.filter((r) => r.action === 'TC_ACT_SHOT').length,
      };
    });
    print('');
    print(`${'CONNECTION'.padEnd(18)} ${'REQUEST'.padEnd(26)} ${'PASSED'.padStart(6)} ${'DROPPED'.padStart(7)}  SERVER GOT IT`);
    for (const f of flows) {
      const got = f.dropped === 0 ? 'yes' : 'no';
      print(`${`10.0.0.1:${f.sport}`.padEnd(18)} ${`${f.request}${f.dport !== 80 ? ` (:${f.dport})` : ''}`.padEnd(26)} ${String(f.passed).padStart(6)} ${String(f.dropped).padStart(7)}  ${got}`);
    }
    const rules: Record<string, number> = {};
    print('');
    print(`${'RULE'.padEnd(20)} ${'REQUESTS'.padStart(8)} ${'BYTES'.padStart(8)}`);
    for (const rule of HTTP_RULES) {
      const value = await client.mapLookup(mapId('http_rules'), httpRuleKey(rule));
      const view = new DataView(value.buffer, value.byteOffset, value.byteLength);
      rules[rule.id] = Number(view.getBigUint64(0, true));
      print(`${rule.id.padEnd(20)} ${String(rules[rule.id]).padStart(8)} ${String(view.getBigUint64(8, true)).padStart(8)}`);
    }
    const verdict = async (k: number): Promise<number> => Number(perCpuSum(await client.mapLookup(mapId('http_verdicts'), u32le(k)), 16, 0));
    const allowed = await verdict(0);
    const dropped = await verdict(1);
    print('');
    print(`http_verdicts: allowed ${allowed}  dropped ${dropped}  (${run.packets} frames in the scenario)`);
    return { flows, rules, allowed, dropped };
  },
};
