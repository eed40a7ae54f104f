/**
 * Corpus programs: assembly files with a header of `#` directives saying how to load them and
 * what the verifier must answer.
 *
 *   # prog_type: xdp                    (name or number; default xdp)
 *   # attach: cgroup_inet_egress        (expected_attach_type)
 *   # privileges: CAP_BPF CAP_NET_ADMIN (default: CAP_SYS_ADMIN; `none` for an unprivileged loader)
 *   # license: Dual MIT/GPL             (default: GPL)
 *   # flags: 1                          (prog_flags)
 *   # log_level: 2                      (default 1)
 *   # map: 1 hash key=4 value=8 entries=16 flags=128 spin_lock=0 inner=array:4:8:1 name=counts frozen
 *   # line: 3 prog.c:12 return *p;      (line info: insn, file:line, text)
 *   # expect: accept
 *   # expect: reject EACCES R0 invalid mem access 'map_value_or_null'
 *
 * In the body, `call bpf_<helper>` calls a helper by name.
 */
import { type Capability, type Instruction, assemble, helperByName, parseMapType } from '@bpfhive/uapi';
import type { LineInfo, MapSpec, VerifierProgram } from '../../src/index.js';

export interface CorpusCase {
  readonly program: VerifierProgram;
  readonly expect: { readonly verdict: 'accept' | 'reject'; readonly errno?: string; readonly message?: string };
}

function mapOf(words: string[]): [number, MapSpec] {
  const [id, type, ...rest] = words;
  const kv = new Map(rest.map((w) => (w.includes('=') ? (w.split('=') as [string, string]) : [w, 'true'])));
  const num = (k: string, d: number) => (kv.has(k) ? Number(kv.get(k)) : d);
  const mapType = parseMapType(type!);
  if (mapType === undefined) throw new Error(`unknown map type ${type}`);
  const inner = kv.get('inner');
  const spec: MapSpec = {
    map_type: mapType,
    key_size: num('key', 4),
    value_size: num('value', 8),
    max_entries: num('entries', 1),
    map_flags: num('flags', 0),
    ...(kv.has('spin_lock') ? { spin_lock_off: num('spin_lock', 0) } : {}),
    ...(kv.has('name') ? { name: kv.get('name')! } : {}),
    ...(kv.has('frozen') ? { frozen: true } : {}),
    ...(inner ? { inner: innerOf(inner) } : {}),
  };
  return [Number(id), spec];
}

function innerOf(s: string): MapSpec {
  const [type, key, value, entries] = s.split(':');
  return { map_type: parseMapType(type!)!, key_size: Number(key), value_size: Number(value), max_entries: Number(entries), map_flags: 0 };
}

/** Replaces `call bpf_name` by `call <id>`. */
function resolveHelpers(body: string): string {
  return body.replace(/\bcall\s+(bpf_[a-z0-9_]+)/g, (_m, name: string) => {
    const h = helperByName(name);
    if (!h) throw new Error(`unknown helper ${name}`);
    return `call ${h.id}`;
  });
}

export function parseCase(text: string): CorpusCase {
  const directives = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const m = /^#\s*([a-z_]+):\s*(.*)$/.exec(line.trim());
    if (!m) continue;
    directives.set(m[1]!, [...(directives.get(m[1]!) ?? []), m[2]!.trim()]);
  }
  const one = (k: string): string | undefined => directives.get(k)?.[0];
  const priv = one('privileges') ?? 'CAP_SYS_ADMIN';
  const privileges = (priv === 'none' ? [] : priv.split(/\s+/)) as Capability[];
  const maps = new Map((directives.get('map') ?? []).map((m) => mapOf(m.split(/\s+/))));
  const lineInfo: LineInfo[] = (directives.get('line') ?? []).map((l) => {
    const [insn, where, ...textWords] = l.split(/\s+/);
    const [file, num] = where!.split(':');
    return { insn_off: Number(insn), file: file!, line_num: Number(num), line: textWords.join(' ') };
  });
  const insns: Instruction[] = assemble(resolveHelpers(text));
  const expectText = one('expect');
  if (!expectText) throw new Error('missing `# expect:` directive');
  const [verdict, errno, ...msg] = expectText.split(/\s+/);
  if (verdict !== 'accept' && verdict !== 'reject') throw new Error(`bad expect: ${expectText}`);
  const program: VerifierProgram = {
    insns,
    progType: one('prog_type') ?? 'xdp',
    ...(one('attach') ? { expectedAttachType: one('attach')! } : {}),
    license: one('license') ?? 'GPL',
    logLevel: Number(one('log_level') ?? 1),
    ...(one('flags') ? { progFlags: Number(one('flags')) } : {}),
    privileges,
    maps,
    ...(lineInfo.length ? { lineInfo } : {}),
  };
  return { program, expect: { verdict, ...(errno ? { errno } : {}), ...(msg.length ? { message: msg.join(' ') } : {}) } };
}
