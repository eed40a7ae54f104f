import { type Instruction, LD_IMM64, MAY_GOTO, PseudoLdImm64, imm64Of } from '@bpfhive/uapi';
import type { LdImm64Resolver } from '../interp/hooks.js';
import { functionAddress } from '../interp/layout.js';
import { BPF_MAX_LOOPS, STACK_SIZE } from '../interp/limits.js';
import { encodeModule } from '../wasm/encode.js';
import type { Func, Import, Instr, Module } from '../wasm/ir.js';
import { printWat } from '../wasm/wat.js';
import { type ProgramCfg, buildProgramCfg, jumpTarget } from './cfg.js';
import { FunctionCodegen } from './codegen.js';
import { JitCompileError } from './errors.js';
import { CLASSIC_ABI, typedHelperAbi } from './helper-abi.js';
import { HASH_LOOKUP_TYPE, hashLayoutKey, hashLookupFunction } from './hash-lookup.js';
import { type InlineOptions, hashLayouts, planInlining, readsKernelData } from './inline.js';
import { FAST_LOCALS, LOCALS, LOOPS, PARAM_NAMES, PC, functionLocals, i64, setLocal } from './locals.js';
import { type FunctionIndexes, type ProgramNeeds, TYPE_BATCH, TYPE_CALLX, TYPE_PROGRAM, layout, scanNeeds } from './module-layout.js';
import { structureFunction } from './structure.js';
import { unrollLoops } from './unroll.js';
import { vectorLocals } from './vector-codegen.js';
import type { VectorLoop } from './vector-loop.js';
import { vectorizeLoops } from './vectorize.js';

export interface MemoryShape {
  /** Pages (64 KiB) the module requires at least. Default 1. */
  readonly initial?: number;
  /** Pages it accepts at most; required for shared memory. Default 65536 (4 GiB). */
  readonly maximum?: number;
  /** Whether the kernel's memory is a SharedArrayBuffer (worker-thread CPUs). Default true. */
  readonly shared?: boolean;
}

/**
 * Besides these, InlineOptions (inline.ts): `maps`, the maps whose lookups are address arithmetic
 * (kernel/inline-maps.ts), and `inlineKernelData`, to read clocks and `current` from the CPU's
 * kernel data block (kernel/kernel-data.ts) instead of calling helpers. Both are plain data.
 */
export interface CompileOptions extends InlineOptions {
  /** Resolves pseudo `lddw` (map fds, map values, BTF ids) to constants, as Linux does at load time. */
  readonly resolveLdImm64?: LdImm64Resolver;
  /** The imported memory's declared limits; the memory given at instantiation must match. */
  readonly memory?: MemoryShape;
  /**
   * Import helpers with their Linux prototypes' signatures (helper-abi.ts: only the prototype's
   * arguments, pointers and sizes as i32) instead of five i64s each: for registries whose helpers
   * are Linux's (the kernel's), not for the conformance suite's. Default false.
   */
  readonly typedHelpers?: boolean;
  /**
   * Run reduction loops (a sum, xor, or, and of u32/u64 words) two trips per SIMD instruction
   * (vectorize.ts). Default true; false leaves every loop scalar (for comparisons).
   */
  readonly vectorize?: boolean;
  /**
   * Instruction indexes (an lddw counts once) of BPF_PROBE_MEM loads, as the verifier found them
   * (loads through kernel struct pointers): each reads 0 from an address in the NULL guard or
   * outside the memory instead of trapping (codegen #probeLoad).
   */
  readonly probeLoads?: readonly number[];
}

export interface CompileStats {
  /** Wall time of compile() itself, in milliseconds (not V8's compilation of the module). */
  readonly compileMs: number;
  readonly moduleBytes: number;
  /** eBPF functions (the entry and its bpf-to-bpf callees). */
  readonly functions: number;
  readonly instructions: number;
  /** False when some function's control flow was irreducible and runs through a dispatch loop. */
  readonly structured: boolean;
  /** Helper calls replaced by code of their own (inline.ts); absent: none. */
  readonly inlinedCalls?: number;
  /** Reduction loops given a vectorized first part (vectorize.ts). */
  readonly vectorizedLoops: number;
}

export interface CompiledProgram {
  readonly module: Module;
  readonly bytes: Uint8Array;
  readonly needs: ProgramNeeds;
  readonly memory: Required<MemoryShape>;
  readonly stats: CompileStats;
  /** The module as WebAssembly text. */
  wat(): string;
}

/**
 * Compiles a verified eBPF program to a WebAssembly module. The module imports the kernel's
 * memory (`env.memory`) and whatever helpers, kfuncs and hooks the program uses, and exports
 * `main` (r1..r5, fp) -> r0, `run_batch` and, for programs with callx, `callx`.
 * Per function: control flow (cfg.ts), small loops versioned and unrolled (unroll.ts),
 * structured (structure.ts), each block's code (codegen.ts); helper calls it can prove are
 * inlinable become code (inline.ts).
 * Throws JitCompileError (EINVAL) for control flow or instructions it cannot translate, and for
 * bad map descriptors.
 */
export function compile(insns: readonly Instruction[], options: CompileOptions = {}): CompiledProgram {
  const started = performance.now();
  const cfg = buildProgramCfg(insns);
  const constants = resolveConstants(insns, cfg, options.resolveLdImm64);
  const lddw = (i: number): bigint => BigInt.asUintN(64, insns[i]!.src === PseudoLdImm64.IMM64 ? imm64Of(insns[i]!) : constants.get(i)!);
  const inlined = inlinePlan(insns, cfg, lddw, options);
  const needs = scanNeeds(insns, new Set(inlined.keys()), readsKernelData(inlined));
  const hashMaps = hashLayouts(inlined);
  const helperAbi = options.typedHelpers === true ? typedHelperAbi : () => CLASSIC_ABI;
  const { types, imports, globalImports, globals, indexes } = layout(needs, cfg.functions.length, helperAbi, hashMaps.map(hashLayoutKey));
  const probeLoads = new Set(options.probeLoads);
  const codegen = new FunctionCodegen({
    insns,
    indexes,
    callTarget: (i) => cfg.functionAt.get(jumpTarget(insns, cfg.slots, cfg.insnAtSlot, i, insns[i]!.imm))!,
    ldImm64: (i) => constants.get(i)!,
    inlined,
    ...(probeLoads.size > 0 && { probeLoads }),
  });

  let structured = true;
  let vectorizedLoops = 0;
  const funcs: Func[] = cfg.functions.map((fn, f) => {
    const unrolled = unrollLoops(options.vectorize === false ? fn : vectorizeLoops(fn, insns, probeLoads), insns);
    let fastLocals = 0;
    const vectorLoops: VectorLoop[] = [];
    for (const b of unrolled.blocks) {
      if (b.fast) fastLocals = Math.max(fastLocals, b.fast.counters.length + 2 * b.fast.sums.length);
      if (b.vector) vectorLoops.push(b.vector);
    }
    const vector = vectorLocals(vectorLoops, FAST_LOCALS + fastLocals);
    codegen.vectorLocals = vector.at;
    vectorizedLoops += vector.loops;
    const code = structureFunction(unrolled, {
      body: (b, depth, out) => codegen.body(b, depth, out),
      condition: (t, negated) => codegen.condition(t, negated),
      exit: (depth) => codegen.exit(depth),
      dispatchLocal: PC,
    });
    structured &&= code.structured;
    // may_goto's budget starts full in every frame.
    const body = usesMayGoto(insns, fn.start, fn.end) ? [i64(BPF_MAX_LOOPS), setLocal(LOOPS), ...code.body] : code.body;
    return { type: TYPE_PROGRAM, name: f === 0 ? 'main' : `f${f}_insn${fn.start}`, paramNames: PARAM_NAMES, locals: [...functionLocals(fastLocals), ...vector.locals], body };
  });
  if (indexes.callx !== undefined) funcs.push(callxDispatcher(cfg, indexes));
  const entry = funcs[0]!;
  funcs.push(batchEntry(indexes, cfg.functions[0]!.end - cfg.functions[0]!.start <= INLINE_ENTRY_MAX_INSNS ? entry : undefined));
  hashMaps.forEach((map, n) => funcs.push(hashLookupFunction(map, types.indexOf(HASH_LOOKUP_TYPE), indexes.kernelData, `hash_lookup_${n}`)));

  const memory = { initial: options.memory?.initial ?? 1, maximum: options.memory?.maximum ?? 65536, shared: options.memory?.shared ?? true };
  const allImports: Import[] = [
    ...imports,
    { kind: 'memory', module: 'env', name: 'memory', min: memory.initial, max: memory.maximum, shared: memory.shared },
    ...(needs.tailCall ? [{ kind: 'table' as const, module: 'env', name: 'programs', min: 0 }] : []),
    ...globalImports,
  ];
  const module: Module = {
    types: types.types,
    imports: allImports,
    funcs,
    ...(globals.length > 0 && { globals }),
    exports: [
      { name: 'main', kind: 'func', index: indexes.functions[0]! },
      { name: 'run_batch', kind: 'func', index: indexes.runBatch },
      ...(indexes.callx !== undefined ? [{ name: 'callx', kind: 'func' as const, index: indexes.callx }] : []),
      ...(indexes.batchAt !== undefined ? [{ name: 'batch_at', kind: 'global' as const, index: indexes.batchAt }] : []),
    ],
  };
  const bytes = encodeModule(module);
  const stats: CompileStats = {
    compileMs: performance.now() - started,
    moduleBytes: bytes.length,
    functions: cfg.functions.length,
    instructions: insns.length,
    structured,
    inlinedCalls: inlined.size,
    vectorizedLoops,
  };
  return { module, bytes, needs, memory, stats, wat: () => printWat(module) };
}

/** Whether instructions [start, end) include a may_goto. */
function usesMayGoto(insns: readonly Instruction[], start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (insns[i]!.opcode === MAY_GOTO) return true;
  return false;
}

/** planInlining, with bad map descriptors turned into a JitCompileError. */
function inlinePlan(insns: readonly Instruction[], cfg: ProgramCfg, lddw: (i: number) => bigint, options: InlineOptions): ReturnType<typeof planInlining> {
  try {
    return planInlining(insns, cfg, lddw, options);
  } catch (e) {
    if (e instanceof RangeError) throw new JitCompileError(-1, e.message, { cause: e });
    throw e;
  }
}

/** Resolves every pseudo `lddw` once: function addresses here, the rest through the embedder. */
function resolveConstants(insns: readonly Instruction[], cfg: ProgramCfg, resolve: LdImm64Resolver | undefined): Map<number, bigint> {
  const out = new Map<number, bigint>();
  for (let i = 0; i < insns.length; i++) {
    const insn = insns[i]!;
    if (insn.opcode !== LD_IMM64 || insn.src === PseudoLdImm64.IMM64) continue;
    if (insn.src === PseudoLdImm64.FUNC) {
      const target = jumpTarget(insns, cfg.slots, cfg.insnAtSlot, i, insn.imm);
      out.set(i, functionAddress(cfg.slots[target]!));
      continue;
    }
    if (!resolve) throw new JitCompileError(i, `lddw with pseudo source ${insn.src} needs a resolver (map or BTF ids)`);
    try {
      out.set(i, resolve({ insnIndex: i, insn, kind: insn.src as PseudoLdImm64 }));
    } catch (e) {
      throw new JitCompileError(i, `cannot resolve lddw with pseudo source ${insn.src}: ${(e as Error).message}`, { cause: e });
    }
  }
  return out;
}

/**
 * callx target: a function address of this program (what `lddw rX, func` loads) calls that
 * function in a new frame; any other value goes to the embedder as a helper id.
 */
function callxDispatcher(cfg: ProgramCfg, indexes: FunctionIndexes): Func {
  const args: Instr[] = [1, 2, 3, 4, 5].map((index) => ({ op: 'local.get', index }));
  const body: Instr[] = [];
  cfg.functions.forEach((fn, f) => {
    body.push(
      { op: 'local.get', index: 0 },
      i64(functionAddress(cfg.slots[fn.start]!)),
      { op: 'i64.eq' },
      {
        op: 'if',
        then: [...args, { op: 'local.get', index: 6 }, i64(STACK_SIZE), { op: 'i64.sub' }, { op: 'call', func: indexes.functions[f]! }, { op: 'return' }],
      },
    );
  });
  body.push({ op: 'local.get', index: 0 }, ...args, { op: 'call', func: indexes.callHelper! });
  return { type: TYPE_CALLX, name: 'callx', paramNames: ['target', 'r1', 'r2', 'r3', 'r4', 'r5', 'r10'], locals: [], body };
}

/** run_batch inlines an entry function of at most this many instructions (a larger one is called). */
export const INLINE_ENTRY_MAX_INSNS = 1024;

/**
 * run_batch(base, stride, count, out, fp): runs the entry once per context at base + i * stride
 * (r1 = that address, r2..r5 = 0, r10 = fp) and stores each r0 as a u64 at out + i * 8, all
 * inside wasm. Its signature is an eBPF function's, (r1 r2 r3 r4 r5 r10) with no result, and its
 * locals start with the entry's: r1..r4 bring base, stride, count and out (they move to locals
 * of their own first), so the entry's body, given as `inline`, runs right in the loop, in
 * a `block (result i64)` that its exits branch out of with r0 (codegen.ts, leave()). Without
 * `inline` (a large entry) the loop calls the entry. A program that calls into JavaScript sets
 * the global batch_at to `out` before each run: a helper that ends the run by throwing (env.exit)
 * unwinds the whole batch, and the embedder resumes after that context (runtime.ts runBatch).
 */
function batchEntry(indexes: FunctionIndexes, inline: Func | undefined): Func {
  const entryLocals = inline?.locals ?? LOCALS;
  const first = PARAM_NAMES.length + entryLocals.length;
  const [ctx, stride, count, out, fp] = [first, first + 1, first + 2, first + 3, first + 4];
  const [r1, r2, r3, r4, r5, r10] = [0, 1, 2, 3, 4, 5];
  const get = (index: number): Instr => ({ op: 'local.get', index });
  const set = (index: number): Instr => ({ op: 'local.set', index });
  const param32 = (param: number, local: number): Instr[] => [get(param), { op: 'i32.wrap_i64' }, set(local)];
  const registers: Instr[] = [get(ctx), { op: 'i64.extend_i32_u' }, set(r1), ...[r2, r3, r4, r5].flatMap((r) => [i64(0), set(r)]), get(fp), set(r10)];
  // r0 and r6..r9 start at 0 in every run, as in a call.
  const inlined: Instr[] = [...registers, ...LOCALS.slice(0, 5).flatMap((_, k) => [i64(0), set(PARAM_NAMES.length + k)]), { op: 'block', label: 'run', result: 'i64', body: inline?.body ?? [] }];
  const call: Instr[] = [get(ctx), { op: 'i64.extend_i32_u' }, i64(0), i64(0), i64(0), i64(0), get(fp), { op: 'call', func: indexes.functions[0]! }];
  const body: Instr[] = [
    ...param32(r1, ctx),
    ...param32(r2, stride),
    ...param32(r3, count),
    ...param32(r4, out),
    get(r10),
    set(fp),
    {
      op: 'block',
      label: 'done',
      body: [
        get(count),
        { op: 'i32.eqz' },
        { op: 'br_if', depth: 0 },
        {
          op: 'loop',
          label: 'next',
          body: [
            ...(indexes.batchAt !== undefined ? [get(out), { op: 'global.set' as const, index: indexes.batchAt }] : []),
            get(out),
            ...(inline ? inlined : call),
            { op: 'i64.store', offset: 0, align: 3 },
            get(out),
            { op: 'i32.const', value: 8 },
            { op: 'i32.add' },
            set(out),
            get(ctx),
            get(stride),
            { op: 'i32.add' },
            set(ctx),
            get(count),
            { op: 'i32.const', value: 1 },
            { op: 'i32.sub' },
            { op: 'local.tee', index: count },
            { op: 'br_if', depth: 0 },
          ],
        },
      ],
    },
  ];
  const locals = [...entryLocals, ...['ctx', 'stride', 'count', 'out'].map((name) => ({ type: 'i32' as const, name })), { type: 'i64' as const, name: 'fp' }];
  return { type: TYPE_BATCH, name: 'run_batch', paramNames: PARAM_NAMES, locals, body };
}
