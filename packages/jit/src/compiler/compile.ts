import { type Instruction, LD_IMM64, MAY_GOTO, PseudoLdImm64 } from '@bpfhive/uapi';
import type { LdImm64Resolver } from '../interp/hooks.js';
import { functionAddress } from '../interp/layout.js';
import { BPF_MAX_LOOPS, STACK_SIZE } from '../interp/limits.js';
import { encodeModule } from '../wasm/encode.js';
import type { Func, Import, Instr, Module } from '../wasm/ir.js';
import { printWat } from '../wasm/wat.js';
import { type ProgramCfg, buildProgramCfg, jumpTarget } from './cfg.js';
import { FunctionCodegen } from './codegen.js';
import { JitCompileError } from './errors.js';
import { LOCALS, LOOPS, PARAM_NAMES, PC, i64, setLocal } from './locals.js';
import { type FunctionIndexes, type ProgramNeeds, TYPES, TYPE_BATCH, TYPE_CALLX, TYPE_PROGRAM, layout, scanNeeds } from './module-layout.js';
import { structureFunction } from './structure.js';

export interface MemoryShape {
  /** Pages (64 KiB) the module requires at least. Default 1. */
  readonly initial?: number;
  /** Pages it accepts at most; required for shared memory. Default 65536 (4 GiB). */
  readonly maximum?: number;
  /** Whether the kernel's memory is a SharedArrayBuffer (worker-thread CPUs). Default true. */
  readonly shared?: boolean;
}

export interface CompileOptions {
  /** Resolves pseudo `lddw` (map fds, map values, BTF ids) to constants, as Linux does at load time. */
  readonly resolveLdImm64?: LdImm64Resolver;
  /** The imported memory's declared limits; the memory given at instantiation must match. */
  readonly memory?: MemoryShape;
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
 * Throws JitCompileError (EINVAL) for control flow or instructions it cannot translate.
 */
export function compile(insns: readonly Instruction[], options: CompileOptions = {}): CompiledProgram {
  const started = performance.now();
  const cfg = buildProgramCfg(insns);
  const needs = scanNeeds(insns);
  const { imports, indexes } = layout(needs, cfg.functions.length);
  const constants = resolveConstants(insns, cfg, options.resolveLdImm64);
  const codegen = new FunctionCodegen({
    insns,
    indexes,
    callTarget: (i) => cfg.functionAt.get(jumpTarget(insns, cfg.slots, cfg.insnAtSlot, i, insns[i]!.imm))!,
    ldImm64: (i) => constants.get(i)!,
  });

  let structured = true;
  const funcs: Func[] = cfg.functions.map((fn, f) => {
    const code = structureFunction(fn, {
      body: (b) => codegen.body(b),
      condition: (t) => codegen.condition(t),
      exit: () => codegen.exit(),
      dispatchLocal: PC,
    });
    structured &&= code.structured;
    const usesMayGoto = insns.slice(fn.start, fn.end).some((x) => x.opcode === MAY_GOTO);
    const prologue: Instr[] = usesMayGoto ? [i64(BPF_MAX_LOOPS), setLocal(LOOPS)] : [];
    return { type: TYPE_PROGRAM, name: f === 0 ? 'main' : `f${f}_insn${fn.start}`, paramNames: PARAM_NAMES, locals: LOCALS, body: [...prologue, ...code.body] };
  });
  if (indexes.callx !== undefined) funcs.push(callxDispatcher(cfg, indexes));
  funcs.push(batchEntry(indexes));

  const memory = { initial: options.memory?.initial ?? 1, maximum: options.memory?.maximum ?? 65536, shared: options.memory?.shared ?? true };
  const allImports: Import[] = [
    ...imports,
    { kind: 'memory', module: 'env', name: 'memory', min: memory.initial, max: memory.maximum, shared: memory.shared },
    ...(needs.tailCall ? [{ kind: 'table' as const, module: 'env', name: 'programs', min: 0 }] : []),
  ];
  const module: Module = {
    types: TYPES,
    imports: allImports,
    funcs,
    exports: [
      { name: 'main', kind: 'func', index: indexes.functions[0]! },
      { name: 'run_batch', kind: 'func', index: indexes.runBatch },
      ...(indexes.callx !== undefined ? [{ name: 'callx', kind: 'func' as const, index: indexes.callx }] : []),
    ],
  };
  const bytes = encodeModule(module);
  const stats: CompileStats = {
    compileMs: performance.now() - started,
    moduleBytes: bytes.length,
    functions: cfg.functions.length,
    instructions: insns.length,
    structured,
  };
  return { module, bytes, needs, memory, stats, wat: () => printWat(module) };
}

/** Resolves every pseudo `lddw` once: function addresses here, the rest through the embedder. */
function resolveConstants(insns: readonly Instruction[], cfg: ProgramCfg, resolve: LdImm64Resolver | undefined): Map<number, bigint> {
  const out = new Map<number, bigint>();
  insns.forEach((insn, i) => {
    if (insn.opcode !== LD_IMM64 || insn.src === PseudoLdImm64.IMM64) return;
    if (insn.src === PseudoLdImm64.FUNC) {
      const target = jumpTarget(insns, cfg.slots, cfg.insnAtSlot, i, insn.imm);
      out.set(i, functionAddress(cfg.slots[target]!));
      return;
    }
    if (!resolve) throw new JitCompileError(i, `lddw with pseudo source ${insn.src} needs a resolver (map or BTF ids)`);
    try {
      out.set(i, resolve({ insnIndex: i, insn, kind: insn.src as PseudoLdImm64 }));
    } catch (e) {
      throw new JitCompileError(i, `cannot resolve lddw with pseudo source ${insn.src}: ${(e as Error).message}`, { cause: e });
    }
  });
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

/**
 * run_batch(base, stride, count, out, fp): runs the entry once per context at base + i * stride
 * (r1 = that address) and stores each r0 as a u64 at out + i * 8, all inside wasm.
 */
function batchEntry(indexes: FunctionIndexes): Func {
  const [base, stride, count, out, fp, i] = [0, 1, 2, 3, 4, 5];
  const get = (index: number): Instr => ({ op: 'local.get', index });
  const body: Instr[] = [
    {
      op: 'block',
      label: 'done',
      body: [
        {
          op: 'loop',
          label: 'next',
          body: [
            get(i),
            get(count),
            { op: 'i32.ge_u' },
            { op: 'br_if', depth: 1 },
            get(out),
            get(i),
            { op: 'i32.const', value: 8 },
            { op: 'i32.mul' },
            { op: 'i32.add' },
            get(base),
            get(i),
            get(stride),
            { op: 'i32.mul' },
            { op: 'i32.add' },
            { op: 'i64.extend_i32_u' },
            i64(0),
            i64(0),
            i64(0),
            i64(0),
            get(fp),
            { op: 'call', func: indexes.functions[0]! },
            { op: 'i64.store', offset: 0, align: 3 },
            get(i),
            { op: 'i32.const', value: 1 },
            { op: 'i32.add' },
            { op: 'local.set', index: i },
            { op: 'br', depth: 0 },
          ],
        },
      ],
    },
  ];
  return { type: TYPE_BATCH, name: 'run_batch', paramNames: ['base', 'stride', 'count', 'out', 'fp'], locals: [{ type: 'i32', name: 'i' }], body };
}
