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
 *   # func: 5 f global int ptr:STRUCT:__sk_buff int ptr:INT:int:4   (func info: insn, name, linkage,
 *   #   the return type then the argument types: int, enum, void, struct, ptr:KIND:NAME[:SIZE])
 *   (map options timer=8 btf: a struct bpf_timer at 8 in the value; the map was created with BTF)
 *   # kfunc: 100 bpf_task_acquire       (kernel BTF: a FUNC id and name; `call kfunc#100` calls it)
 *   # kstruct: 50 task_struct 9792      (kernel BTF: a STRUCT id, name and size)
 *   # ksym: 200 bpf_prog_active 4 percpu struct=50   (kernel BTF: a VAR id, name, size)
 *   # kernel_btf: none                  (the kernel has no BTF; default: it has one, holding the above)
 *   # kernel: kernel.btf                (instead of kfunc/kstruct/ksym: a BTF file beside the case is the
 *   #   kernel's; its share goes to the verifier as the kernel-sim sends it, types included, and
 *   #   `kfunc#bpf_task_acquire` in the body calls a FUNC of it by name)
 *   # attach_func: sched_switch         (with `kernel`: the FUNC, or the raw tracepoint btf_trace_<name>, attached to)
 *   (map option kptr=8:ref:50,16:untrusted:50: kptr fields at offsets 8 and 16 pointing to struct 50)
 *   # expect: accept
 *   # expect: reject EACCES R0 invalid mem access 'map_value_or_null'
 *
 * In the body, `call bpf_<helper>` calls a helper by name.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type Btf, type Capability, type Instruction, assemble, attachFuncForVerifier, findBtfType, helperByName, kernelBtfForVerifier, parseBtf, parseMapType,
  parseProgType,
} from '@bpfhive/uapi';
import {
  type AttachFunc, type BtfArgType, type FuncInfo, type KernelBtfInfo, type KptrField, type LineInfo, type MapSpec, type VerifierProgram,
  attachFuncOf, kernelBtfOf as wireKernelBtfOf,
} from '../../src/index.js';

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
    ...(kv.has('timer') ? { timer_off: num('timer', 0) } : {}),
    ...(kv.has('btf') ? { btf: true } : {}),
    ...(inner ? { inner: innerOf(inner) } : {}),
    ...(kv.has('kptr') ? { kptrs: kv.get('kptr')!.split(',').map(kptrOf) } : {}),
  };
  return [Number(id), spec];
}

function kptrOf(s: string): KptrField {
  const [off, kind, btfId] = s.split(':');
  if (kind !== 'ref' && kind !== 'untrusted') throw new Error(`bad kptr kind ${kind}`);
  return { off: Number(off), kind, btfId: Number(btfId) };
}

/** The kernel BTF of the `kfunc`, `kstruct` and `ksym` directives. */
function kernelBtfOf(directives: ReadonlyMap<string, string[]>): KernelBtfInfo | undefined {
  if (directives.get('kernel_btf')?.[0] === 'none') return undefined;
  const words = (k: string): string[][] => (directives.get(k) ?? []).map((l) => l.split(/\s+/));
  return {
    funcs: words('kfunc').map(([id, name]) => ({ btfId: Number(id), name: name! })),
    structs: words('kstruct').map(([id, name, size]) => ({ btfId: Number(id), name: name!, size: Number(size) })),
    vars: words('ksym').map(([id, name, size, ...rest]) => {
      const struct = rest.find((w) => w.startsWith('struct='));
      return { btfId: Number(id), name: name!, size: Number(size), percpu: rest.includes('percpu'), ...(struct ? { structId: Number(struct.slice(7)) } : {}) };
    }),
  };
}

/** A prototype type word of a `# func:` directive. */
function btfArgTypeOf(word: string): BtfArgType {
  const [kind, pkind, name, size] = word.split(':');
  if (kind !== 'ptr') return { kind: kind!.toUpperCase() };
  return { kind: 'PTR', pointee: { kind: pkind ?? 'VOID', name: name ?? '', ...(size !== undefined ? { size: Number(size) } : {}) } };
}

function funcOf(words: string[]): FuncInfo {
  const [insn, name, linkage, ret, ...args] = words;
  if (linkage !== 'static' && linkage !== 'global' && linkage !== 'extern') throw new Error(`bad linkage ${linkage}`);
  return { insn_off: Number(insn), name: name!, linkage, proto: { ret: btfArgTypeOf(ret ?? 'int'), args: args.map((a) => ({ type: btfArgTypeOf(a) })) } };
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

/** The prototype `name` attaches to in `btf`: a FUNC, else the raw tracepoint's btf_trace_<name>, as the kernel-sim sends it (uapi attachFuncForVerifier). */
function attachFuncNamed(btf: Btf, name: string): AttachFunc {
  const id = findBtfType(btf, name, 'FUNC') ?? findBtfType(btf, `btf_trace_${name}`, 'TYPEDEF');
  if (id === undefined) throw new Error(`no function or raw tracepoint ${name} in the kernel BTF`);
  const wire = attachFuncForVerifier(btf, id);
  if (!wire) throw new Error(`${name} is not a function`);
  return attachFuncOf(wire);
}

/** Replaces `kfunc#name` by `kfunc#<id of FUNC name>`. */
function resolveKfuncs(body: string, btf: Btf): string {
  return body.replace(/\bkfunc#([a-z_][a-z0-9_]*)/g, (_m, name: string) => {
    const id = findBtfType(btf, name, 'FUNC');
    if (id === undefined) throw new Error(`no kfunc ${name} in the kernel BTF`);
    return `kfunc#${id}`;
  });
}

export function parseCase(text: string, dir = '.'): CorpusCase {
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
  const kernelFile = directives.get('kernel')?.[0];
  const kernel = kernelFile ? parseBtf(readFileSync(join(dir, kernelFile))) : undefined;
  const insns: Instruction[] = assemble(resolveHelpers(kernel ? resolveKfuncs(text, kernel) : text));
  const attachName = directives.get('attach_func')?.[0];
  const attachFunc = kernel && attachName ? attachFuncNamed(kernel, attachName) : undefined;
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
    ...(directives.has('func') ? { funcInfo: directives.get('func')!.map((f) => funcOf(f.split(/\s+/))) } : {}),
  };
  const progType = parseProgType(program.progType) ?? 0;
  const kernelBtf = kernel
    ? wireKernelBtfOf(kernelBtfForVerifier(kernel, insns, [], { progType, attachTypes: attachFunc ? [attachFunc.retType ?? 0, ...(attachFunc.args ?? [])] : [] }))
    : kernelBtfOf(directives);
  const withAttach = attachFunc ? { ...program, attachFunc } : program;
  return { program: kernelBtf ? { ...withAttach, kernelBtf } : withAttach, expect: { verdict, ...(errno ? { errno } : {}), ...(msg.length ? { message: msg.join(' ') } : {}) } };
}
