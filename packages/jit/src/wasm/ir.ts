/**
 * A small WebAssembly IR: a module as plain data, function bodies as trees of instructions
 * (structured control nests its body), so one value can be encoded to binary (encode.ts) and
 * printed as WAT (wat.ts) for golden files. Only what the eBPF JIT needs is here.
 */

/** Number types; `v128` (the SIMD proposal, standard since 2021) only for locals of vectorized loops. */
export type ValType = 'i32' | 'i64' | 'v128';
export type NumType = 'i32' | 'i64';

export interface FuncType {
  readonly params: readonly ValType[];
  readonly results: readonly ValType[];
}

/** Instructions without immediates, spelled as in the text format. */
export type PlainOp =
  | 'unreachable'
  | 'nop'
  | 'return'
  | 'drop'
  | 'select'
  // i32
  | 'i32.eqz'
  | 'i32.eq'
  | 'i32.ne'
  | 'i32.lt_s'
  | 'i32.lt_u'
  | 'i32.gt_s'
  | 'i32.gt_u'
  | 'i32.le_s'
  | 'i32.le_u'
  | 'i32.ge_s'
  | 'i32.ge_u'
  | 'i32.add'
  | 'i32.sub'
  | 'i32.mul'
  | 'i32.div_s'
  | 'i32.div_u'
  | 'i32.rem_s'
  | 'i32.rem_u'
  | 'i32.and'
  | 'i32.or'
  | 'i32.xor'
  | 'i32.shl'
  | 'i32.shr_s'
  | 'i32.shr_u'
  | 'i32.rotl'
  | 'i32.rotr'
  | 'i32.wrap_i64'
  | 'i32.extend8_s'
  | 'i32.extend16_s'
  // i64
  | 'i64.eqz'
  | 'i64.eq'
  | 'i64.ne'
  | 'i64.lt_s'
  | 'i64.lt_u'
  | 'i64.gt_s'
  | 'i64.gt_u'
  | 'i64.le_s'
  | 'i64.le_u'
  | 'i64.ge_s'
  | 'i64.ge_u'
  | 'i64.add'
  | 'i64.sub'
  | 'i64.mul'
  | 'i64.div_s'
  | 'i64.div_u'
  | 'i64.rem_s'
  | 'i64.rem_u'
  | 'i64.and'
  | 'i64.or'
  | 'i64.xor'
  | 'i64.shl'
  | 'i64.shr_s'
  | 'i64.shr_u'
  | 'i64.rotl'
  | 'i64.rotr'
  | 'i64.extend_i32_s'
  | 'i64.extend_i32_u'
  | 'i64.extend8_s'
  | 'i64.extend16_s'
  | 'i64.extend32_s';

/** Loads and stores (memory 0), plain and atomic; `offset` is the memarg offset, `align` its log2. */
export type MemoryOp =
  | 'i32.load'
  | 'i64.load'
  | 'i32.load8_u'
  | 'i32.load16_u'
  | 'i64.load8_s'
  | 'i64.load8_u'
  | 'i64.load16_s'
  | 'i64.load16_u'
  | 'i64.load32_s'
  | 'i64.load32_u'
  | 'i32.store'
  | 'i32.store8'
  | 'i64.store'
  | 'i64.store8'
  | 'i64.store16'
  | 'i64.store32'
  // threads proposal (0xfe prefix)
  | 'i32.atomic.load'
  | 'i64.atomic.load'
  | 'i64.atomic.load8_u'
  | 'i64.atomic.load16_u'
  | 'i64.atomic.load32_u'
  | 'i64.atomic.store'
  | 'i64.atomic.store8'
  | 'i64.atomic.store16'
  | 'i64.atomic.store32'
  | 'i64.atomic.rmw.add'
  | 'i64.atomic.rmw.and'
  | 'i64.atomic.rmw.or'
  | 'i64.atomic.rmw.xor'
  | 'i64.atomic.rmw.xchg'
  | 'i64.atomic.rmw.cmpxchg'
  | 'i64.atomic.rmw32.add_u'
  | 'i64.atomic.rmw32.and_u'
  | 'i64.atomic.rmw32.or_u'
  | 'i64.atomic.rmw32.xor_u'
  | 'i64.atomic.rmw32.xchg_u'
  | 'i64.atomic.rmw32.cmpxchg_u'
  // SIMD (0xfd prefix): 16 bytes, and 2 x u32/s32 widened to 2 x i64
  | 'v128.load'
  | 'v128.load32x2_s'
  | 'v128.load32x2_u';

/** SIMD instructions without immediates (0xfd prefix). */
export type SimdOp = 'i64x2.add' | 'v128.and' | 'v128.or' | 'v128.xor';

export type Instr =
  | { readonly op: PlainOp }
  | { readonly op: SimdOp }
  /** The memory's size in 64 KiB pages (memory 0), an i32. */
  | { readonly op: 'memory.size' }
  /** A v128 constant given as its two i64 lanes (lane 0 first). */
  | { readonly op: 'v128.const'; readonly lanes: readonly [bigint, bigint] }
  | { readonly op: 'i64x2.extract_lane'; readonly lane: number }
  | { readonly op: MemoryOp; readonly offset: number; readonly align: number }
  | { readonly op: 'i32.const'; readonly value: number }
  | { readonly op: 'i64.const'; readonly value: bigint }
  | { readonly op: 'local.get' | 'local.set' | 'local.tee'; readonly index: number }
  | { readonly op: 'global.get' | 'global.set'; readonly index: number }
  | { readonly op: 'call'; readonly func: number }
  | { readonly op: 'call_indirect'; readonly type: number; readonly table: number }
  | { readonly op: 'return_call'; readonly func: number }
  | { readonly op: 'br' | 'br_if'; readonly depth: number }
  | { readonly op: 'br_table'; readonly depths: readonly number[]; readonly default: number }
  /** `block`/`loop` with an optional result type; `label` only names it in WAT. */
  | {
      readonly op: 'block' | 'loop';
      readonly result?: ValType;
      readonly body: readonly Instr[];
      readonly label?: string;
    }
  | {
      readonly op: 'if';
      readonly result?: ValType;
      readonly then: readonly Instr[];
      readonly else?: readonly Instr[];
      readonly label?: string;
    };

export interface Local {
  readonly type: ValType;
  /** WAT name without the `$`, e.g. `r6`. */
  readonly name?: string;
}

export interface Func {
  /** Index into `Module.types`. */
  readonly type: number;
  /** WAT name without the `$`. */
  readonly name?: string;
  /** Names of the parameters, for WAT (the types come from the function type). */
  readonly paramNames?: readonly string[];
  /** Locals after the parameters. */
  readonly locals: readonly Local[];
  readonly body: readonly Instr[];
}

export interface FuncImport {
  readonly kind: 'func';
  readonly module: string;
  readonly name: string;
  readonly type: number;
  /** WAT name without the `$`. */
  readonly id?: string;
}

export interface MemoryImport {
  readonly kind: 'memory';
  readonly module: string;
  readonly name: string;
  /** In 64 KiB pages. */
  readonly min: number;
  readonly max?: number;
  readonly shared?: boolean;
}

/** A funcref table shared between modules (the kernel's program table for tail calls). */
export interface TableImport {
  readonly kind: 'table';
  readonly module: string;
  readonly name: string;
  readonly min: number;
  readonly max?: number;
}

/** A global the embedder provides (the kernel data block's address, per CPU). */
export interface GlobalImport {
  readonly kind: 'global';
  readonly module: string;
  readonly name: string;
  readonly type: NumType;
  readonly mutable?: boolean;
  /** WAT name without the `$`. */
  readonly id?: string;
}

export type Import = FuncImport | MemoryImport | TableImport | GlobalImport;

export interface Global {
  readonly type: NumType;
  readonly mutable: boolean;
  readonly init: bigint | number;
  readonly name?: string;
}

export interface Export {
  readonly name: string;
  readonly kind: 'func' | 'table' | 'memory' | 'global';
  readonly index: number;
}

export interface Table {
  /** funcref table sizes. */
  readonly min: number;
  readonly max?: number;
}

/** Active element segment: `funcs` placed in table 0 from `offset`. */
export interface Element {
  readonly offset: number;
  readonly funcs: readonly number[];
}

/**
 * A module. Function indexes count imported functions first, then `funcs` in order; memory 0 is
 * the imported memory; table indexes count an imported table first, then `tables`; global
 * indexes count imported globals first, then `globals`.
 */
export interface Module {
  readonly types: readonly FuncType[];
  readonly imports: readonly Import[];
  readonly funcs: readonly Func[];
  readonly tables?: readonly Table[];
  readonly globals?: readonly Global[];
  readonly exports: readonly Export[];
  readonly elements?: readonly Element[];
}
