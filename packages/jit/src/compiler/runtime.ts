import type { CallEnv } from '../interp/env.js';
import type { PacketSource, TailCallRequest } from '../interp/hooks.js';
import { STACK_SIZE } from '../interp/limits.js';
import { AddressSpace } from '../interp/memory.js';
import { loadPacket, packetOffset } from '../interp/packet.js';
import type { HelperRegistry, KfuncRegistry, RegisteredFunction } from '../interp/registry.js';
import type { CompiledProgram } from './compile.js';
import { CLASSIC_ABI, parseHelperImport } from './helper-abi.js';
import { helperImport } from './helper-imports.js';
import { JitExecutionError, ProgramExit, runError } from './run-errors.js';

export { JitExecutionError } from './run-errors.js';

export interface JitInstanceOptions {
  /** The kernel's memory; its shared flag must be the one the program was compiled for. */
  readonly memory: WebAssembly.Memory;
  readonly helpers?: HelperRegistry;
  readonly kfuncs?: KfuncRegistry;
  /** What LD_ABS / LD_IND read (as in the interpreter). */
  readonly packet?: PacketSource;
  /** The shared program table, for programs that tail-call. */
  readonly programs?: WebAssembly.Table;
  /** Finds the program-table slot a tail call jumps to, or undefined (empty slot, bad index, limit reached). */
  readonly tailCall?: (request: TailCallRequest) => number | undefined;
  /** Passed to helpers as `env.data`. */
  readonly data?: unknown;
  /**
   * The address of this instance's CPU's kernel data block (kernel/kernel-data.ts), imported as
   * env.kernel_data; required when the program was compiled with inlined reads of it.
   */
  readonly kernelData?: number;
}

interface Exports {
  main(r1: bigint, r2: bigint, r3: bigint, r4: bigint, r5: bigint, fp: bigint): bigint;
  run_batch(base: bigint, stride: bigint, count: bigint, out: bigint, unused: bigint, fp: bigint): void;
  callx?(target: bigint, r1: bigint, r2: bigint, r3: bigint, r4: bigint, r5: bigint, fp: bigint): bigint;
  /** Where run_batch stores the r0 of the context it runs (programs that call into JavaScript). */
  batch_at?: WebAssembly.Global;
}

const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);

/**
 * A compiled program instantiated over the kernel's memory. Helpers are the same functions the
 * interpreter calls (HelperRegistry): they see that memory as one region at address 0.
 */
export class JitProgram {
  readonly #exports: Exports;
  readonly #env: CallEnv;
  #fp = 0n;

  constructor(
    readonly compiled: CompiledProgram,
    private readonly options: JitInstanceOptions,
  ) {
    const memory = new AddressSpace([{ name: 'kernel memory', base: 0n, bytes: new Uint8Array(options.memory.buffer), writable: true }]);
    this.#env = {
      memory,
      insnIndex: -1,
      frameDepth: 0,
      data: options.data,
      exit: (r0: bigint): never => {
        throw new ProgramExit(u64(r0));
      },
      callFunction: (address: bigint, args: readonly bigint[]): bigint => {
        const callx = this.#exports.callx;
        if (!callx) throw new JitExecutionError('callFunction: the program has no bpf function addresses');
        // A callback runs below every frame its caller can have (8 frames of 512 bytes).
        const a = [...args, 0n, 0n, 0n, 0n, 0n];
        return u64(callx(address, a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, this.#fp - BigInt(8 * STACK_SIZE)));
      },
    };
    const module = new WebAssembly.Module(compiled.bytes as Uint8Array<ArrayBuffer>);
    const instance = new WebAssembly.Instance(module, this.#imports(WebAssembly.Module.imports(module)));
    this.#exports = instance.exports as unknown as Exports;
  }

  /** The exported entry, for the program table of tail calls. */
  get entry(): WebAssembly.ExportValue {
    return (this.#exports as unknown as Record<string, WebAssembly.ExportValue>).main!;
  }

  /**
   * What the module imports, from its import list (so a module rebuilt from a jit service reply
   * works alike): helpers under the ABI each import's name says (helper-abi.ts), kfuncs, and env.
   */
  #imports(wanted: readonly WebAssembly.ModuleImportDescriptor[]): WebAssembly.Imports {
    const { needs } = this.compiled;
    const env = this.#env;
    const h: Record<string, unknown> = {};
    const k: Record<string, unknown> = {};
    for (const { module, name } of wanted) {
      if (module === 'h') {
        const call = parseHelperImport(name);
        const helper = call && this.options.helpers?.get(call.id);
        h[name] = call && helper ? helperImport(helper, call.abi, env) : () => this.#fail(`helper ${call?.id ?? name} is not available`);
      } else if (module === 'k') {
        const [obj, id] = name.split('.').map(Number) as [number, number];
        const kfunc = this.options.kfuncs?.get(id, obj);
        k[name] = kfunc ? helperImport(kfunc, CLASSIC_ABI, env) : () => this.#fail(`kfunc ${id} (BTF object ${obj}) is not available`);
      }
    }
    const kernelData = wanted.some((imp) => imp.module === 'env' && imp.name === 'kernel_data');
    const envImports: Record<string, unknown> = { memory: this.options.memory };
    if (kernelData) {
      const address = this.options.kernelData;
      if (address === undefined) throw new JitExecutionError('the program reads the kernel data block (inlined helpers) but no kernelData address was given');
      envImports.kernel_data = new WebAssembly.Global({ value: 'i32', mutable: false }, address);
    }
    if (needs.ldPacket) envImports.ld_packet = (ctx: bigint, imm: bigint, index: bigint, indirect: bigint, size: bigint) => this.#ldPacket(ctx, imm, index, indirect, size);
    if (needs.callx) {
      const classic = new Map<RegisteredFunction, (...args: bigint[]) => unknown>();
      envImports.call_helper = (id: bigint, r1: bigint, r2: bigint, r3: bigint, r4: bigint, r5: bigint): unknown => {
        const helper = u64(id) <= 0xffffffffn ? this.options.helpers?.get(Number(id)) : undefined;
        if (!helper) return this.#fail(`callx to 0x${u64(id).toString(16)}: neither a function of this program nor a helper`);
        let call = classic.get(helper);
        if (!call) classic.set(helper, (call = helperImport(helper, CLASSIC_ABI, env)));
        return call(r1, r2, r3, r4, r5);
      };
    }
    if (needs.tailCall) {
      if (!this.options.programs) throw new JitExecutionError('the program tail-calls but no program table was given');
      envImports.programs = this.options.programs;
      envImports.tail_call = (ctx: bigint, map: bigint, index: bigint): bigint =>
        BigInt(this.options.tailCall?.({ ctx: u64(ctx), map: u64(map), index: u64(index) }) ?? -1);
    }
    return { h, k, env: envImports } as WebAssembly.Imports;
  }

  #fail(reason: string): never {
    throw new JitExecutionError(reason);
  }

  #ldPacket(ctx: bigint, imm: bigint, index: bigint, indirect: bigint, size: bigint): bigint {
    const source = this.options.packet;
    const packet = typeof source === 'function' ? source(u64(ctx)) : source;
    if (!packet) return -1n;
    const offset = packetOffset(Number(imm), indirect !== 0n ? u64(index) : undefined);
    return loadPacket(packet, offset, Number(size) as 1 | 2 | 4) ?? -1n;
  }

  /**
   * Runs the entry with r1..r5 = `args` and r10 = `fp` (an address in the kernel's memory with
   * 8 frames of stack below it, and 8 more for callbacks). Returns r0 as an unsigned 64-bit value.
   */
  run(args: readonly bigint[], fp: bigint): bigint {
    const saved = this.#fp;
    this.#fp = fp;
    try {
      return u64(this.#exports.main(args[0] ?? 0n, args[1] ?? 0n, args[2] ?? 0n, args[3] ?? 0n, args[4] ?? 0n, fp));
    } catch (e) {
      if (e instanceof ProgramExit) return e.r0;
      throw runError(e);
    } finally {
      this.#fp = saved;
    }
  }

  /**
   * Calls the bpf function at `address` (what `lddw rX, func` loads: a callback of this program)
   * with r1..r5 = `args` and r10 = `fp`, outside any run of the entry: how a kernel fires a
   * bpf_timer callback. `fp` is as for run(): the function's frame is the one below it, as for a
   * call from the entry, and callbacks it passes to helpers run further below.
   * Returns r0 as an unsigned 64-bit value; errors are reported as run() reports them.
   */
  callFunction(address: bigint, args: readonly bigint[], fp: bigint): bigint {
    const callx = this.#exports.callx;
    if (!callx) throw new JitExecutionError('callFunction: the program has no bpf function addresses');
    const saved = this.#fp;
    this.#fp = fp;
    try {
      return u64(callx(address, args[0] ?? 0n, args[1] ?? 0n, args[2] ?? 0n, args[3] ?? 0n, args[4] ?? 0n, fp));
    } catch (e) {
      if (e instanceof ProgramExit) return e.r0;
      throw runError(e);
    } finally {
      this.#fp = saved;
    }
  }

  /**
   * Runs the entry over `count` contexts at base + i * stride, storing each r0 as a u64 at
   * out + i * 8: one call from JavaScript for the whole batch. A helper that ends its run
   * (env.exit) unwinds the whole wasm batch; its r0 is stored here and the batch goes on with the
   * next context, from the index the module's batch_at names. Anything else that stops a run
   * (a trap, a failing helper) stops the batch with a JitExecutionError naming the context; the
   * r0s before it are stored.
   */
  runBatch(base: number, stride: number, count: number, out: number, fp: bigint): void {
    const saved = this.#fp;
    this.#fp = fp;
    let done = 0;
    try {
      while (done < count) {
        try {
          this.#exports.run_batch(BigInt(base + done * stride), BigInt(stride), BigInt(count - done), BigInt(out + done * 8), 0n, fp);
          return;
        } catch (e) {
          const at = this.#batchIndex(out, done, count);
          if (!(e instanceof ProgramExit) || at === undefined) throw runError(e, at);
          new DataView(this.options.memory.buffer).setBigUint64(out + at * 8, e.r0, true);
          done = at + 1;
        }
      }
    } finally {
      this.#fp = saved;
    }
  }

  /** The index of the context run_batch was running when it stopped (undefined: unknown). */
  #batchIndex(out: number, done: number, count: number): number | undefined {
    const at = this.#exports.batch_at?.value as number | undefined;
    if (at === undefined) return undefined;
    const index = ((at >>> 0) - out) / 8;
    return Number.isInteger(index) && index >= done && index < count ? index : undefined;
  }
}
