import { CALLX, InsnClass, type Instruction, JmpOp, Mode, PseudoCall, classOf } from '@bpfhive/uapi';
import { BPF_FUNC_TAIL_CALL } from '../interp/limits.js';
import type { FuncImport, FuncType, Global, GlobalImport } from '../wasm/ir.js';
import { CLASSIC_ABI, type HelperAbi, abiFuncType, helperImportName } from './helper-abi.js';

/**
 * The shape of a compiled module: which imports a program needs, and where every function lands
 * in the wasm function index space (imports first, then the eBPF functions, then generated glue).
 *
 *   imports   h.<id>          helper <id>            (r1..r5) -> r0, or with the typed ABI
 *             h.<id>:<p>:<r>                         the prototype's arguments (helper-abi.ts)
 *             k.<obj>.<id>    kfunc <id> of BTF <obj> (r1..r5) -> r0
 *             env.ld_packet   LD_ABS/LD_IND          (ctx, imm, index, indirect, size) -> value | -1
 *             env.call_helper callx to a helper id   (id, r1..r4) -> r0
 *             env.tail_call   bpf_tail_call          (ctx, map, index, 0, 0) -> table slot | -1
 *             env.memory      the kernel's memory    (shared when the embedder asks)
 *             env.programs    the program table      (when the program tail-calls)
 *             env.kernel_data the CPU's kernel data block address, an i32 global (inlined helpers)
 *   functions f0..fn          the eBPF functions     (r1 r2 r3 r4 r5 fp) -> r0
 *             callx           dispatcher             (target, r1..r5, fp) -> r0
 *             run_batch       batched entry          (base, stride, count, out, 0, fp)
 *             hash_lookup_<n> a hash map's lookup    (key address) -> value address | 0, one per layout
 *   globals   batch_at        exported, mutable i32: where run_batch stores the r0 of the
 *                             context it runs (programs that call into JavaScript, which may
 *                             end a run by throwing: the embedder resumes the batch after it)
 */

export const TYPE_PROGRAM = 0;
export const TYPE_HELPER = 1;
export const TYPE_BATCH = 2;
export const TYPE_CALLX = 3;

/** The types every module has; a module's own (typed helper imports, …) follow them. */
export const TYPES: readonly FuncType[] = [
  { params: ['i64', 'i64', 'i64', 'i64', 'i64', 'i64'], results: ['i64'] },
  { params: ['i64', 'i64', 'i64', 'i64', 'i64'], results: ['i64'] },
  { params: ['i64', 'i64', 'i64', 'i64', 'i64', 'i64'], results: [] },
  { params: ['i64', 'i64', 'i64', 'i64', 'i64', 'i64', 'i64'], results: ['i64'] },
];

/** A module's type section: TYPES, then types added on demand (`indexOf` adds one it lacks). */
export class TypeTable {
  readonly #types: FuncType[] = [...TYPES];

  get types(): readonly FuncType[] {
    return this.#types;
  }

  indexOf(type: FuncType): number {
    const same = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((t, i) => t === b[i]);
    const at = this.#types.findIndex((t) => same(t.params, type.params) && same(t.results, type.results));
    return at >= 0 ? at : this.#types.push(type) - 1;
  }
}

export interface ProgramNeeds {
  readonly helpers: readonly number[];
  /** `${btfObject}:${btfId}` keys. */
  readonly kfuncs: readonly string[];
  readonly ldPacket: boolean;
  readonly callx: boolean;
  readonly tailCall: boolean;
  /** Inlined code reads the kernel data block (env.kernel_data); absent: it does not. */
  readonly kernelData?: boolean;
}

/** Whether the program calls into JavaScript, which may end a run by throwing (env.exit). */
export const callsJavaScript = (needs: ProgramNeeds): boolean => needs.helpers.length > 0 || needs.kfuncs.length > 0 || needs.callx || needs.tailCall;

/** What the program imports; calls at `inlined` instruction indexes import nothing. */
export function scanNeeds(insns: readonly Instruction[], inlined: ReadonlySet<number> = new Set(), kernelData = false): ProgramNeeds {
  const helpers = new Set<number>();
  const kfuncs = new Set<string>();
  let ldPacket = false;
  let callx = false;
  let tailCall = false;
  for (let i = 0; i < insns.length; i++) {
    const insn = insns[i]!;
    const cls = classOf(insn.opcode);
    if (cls === InsnClass.LD && ((insn.opcode & 0xe0) === Mode.ABS || (insn.opcode & 0xe0) === Mode.IND)) ldPacket = true;
    if (insn.opcode === CALLX) callx = true;
    if (insn.opcode !== (InsnClass.JMP | JmpOp.CALL) || inlined.has(i)) continue;
    if (insn.src === PseudoCall.KFUNC) kfuncs.add(`${insn.off}:${insn.imm}`);
    else if (insn.src === PseudoCall.HELPER) {
      if (insn.imm === BPF_FUNC_TAIL_CALL) tailCall = true;
      else helpers.add(insn.imm);
    }
  }
  return { helpers: [...helpers].sort((a, b) => a - b), kfuncs: [...kfuncs].sort(), ldPacket, callx, tailCall, ...(kernelData && { kernelData }) };
}

export interface FunctionIndexes {
  readonly helpers: ReadonlyMap<number, number>;
  /** How each imported helper takes its arguments (helper-abi.ts). */
  readonly helperAbis: ReadonlyMap<number, HelperAbi>;
  readonly kfuncs: ReadonlyMap<string, number>;
  readonly ldPacket?: number;
  readonly callHelper?: number;
  readonly tailCall?: number;
  /** The eBPF functions, in program order. */
  readonly functions: readonly number[];
  readonly callx?: number;
  readonly runBatch: number;
  /** The hash lookup functions, by layout key (hash-lookup.ts hashLayoutKey). */
  readonly hashLookups: ReadonlyMap<string, number>;
  readonly programType: number;
  /** Global index of env.kernel_data. */
  readonly kernelData?: number;
  /** Global index of batch_at. */
  readonly batchAt?: number;
}

export interface ModuleLayout {
  readonly types: TypeTable;
  readonly imports: FuncImport[];
  readonly globalImports: GlobalImport[];
  readonly globals: Global[];
  readonly indexes: FunctionIndexes;
}

/**
 * The module's layout; `helperAbi` says how each helper is imported (default: the classic ABI),
 * `hashLayouts` are the layout keys of the hash lookup functions it has.
 */
export function layout(needs: ProgramNeeds, functionCount: number, helperAbi: (id: number) => HelperAbi = () => CLASSIC_ABI, hashLayouts: readonly string[] = []): ModuleLayout {
  const types = new TypeTable();
  const imports: FuncImport[] = [];
  const add = (module: string, name: string, type: number, id: string): number => imports.push({ kind: 'func', module, name, type, id }) - 1;
  const helperAbis = new Map(needs.helpers.map((id) => [id, helperAbi(id)]));
  const helpers = new Map(needs.helpers.map((id) => [id, add('h', helperImportName(id, helperAbis.get(id)!), types.indexOf(abiFuncType(helperAbis.get(id)!)), `helper_${id}`)]));
  const kfuncs = new Map(
    needs.kfuncs.map((key) => {
      const [obj, id] = key.split(':');
      return [key, add('k', `${obj}.${id}`, TYPE_HELPER, `kfunc_${obj}_${id}`)];
    }),
  );
  const ldPacket = needs.ldPacket ? add('env', 'ld_packet', TYPE_HELPER, 'ld_packet') : undefined;
  const callHelper = needs.callx ? add('env', 'call_helper', TYPE_PROGRAM, 'call_helper') : undefined;
  const tailCall = needs.tailCall ? add('env', 'tail_call', TYPE_HELPER, 'tail_call') : undefined;
  const first = imports.length;
  const functions = Array.from({ length: functionCount }, (_, f) => first + f);
  let next = first + functionCount;
  const callx = needs.callx ? next++ : undefined;
  const runBatch = next++;
  const hashLookups = new Map(hashLayouts.map((key) => [key, next++]));
  const globalImports: GlobalImport[] = needs.kernelData === true ? [{ kind: 'global', module: 'env', name: 'kernel_data', type: 'i32', id: 'kernel_data' }] : [];
  const kernelData = needs.kernelData === true ? 0 : undefined;
  const globals: Global[] = callsJavaScript(needs) ? [{ type: 'i32', mutable: true, init: 0, name: 'batch_at' }] : [];
  const batchAt = globals.length > 0 ? globalImports.length : undefined;
  return {
    types,
    imports,
    globalImports,
    globals,
    indexes: {
      helpers,
      helperAbis,
      kfuncs,
      functions,
      runBatch,
      hashLookups,
      programType: TYPE_PROGRAM,
      ...(ldPacket !== undefined && { ldPacket }),
      ...(callHelper !== undefined && { callHelper }),
      ...(tailCall !== undefined && { tailCall }),
      ...(callx !== undefined && { callx }),
      ...(kernelData !== undefined && { kernelData }),
      ...(batchAt !== undefined && { batchAt }),
    },
  };
}
