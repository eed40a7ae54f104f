import { Arena, type BpfMap, MapDirectory, type CreateRequest } from '@bpfhive/maps-store';
import { type Instruction, assemble } from '@bpfhive/uapi';
import { InProcessCompiler } from '../core/compile/in-process.js';
import { kernelMapBtfPort } from '../core/btf/map-btf.js';
import type { BtfTable } from '../core/btf/table.js';
import { btfTableOf } from '../core/btf/table-of.js';
import { Kernel, type KernelOptions, type KernelPorts } from '../core/kernel.js';
import type { ProgLoadAttr } from '../core/load/attr.js';
import type { LoadResult } from '../core/load/loader.js';
import { LocalMapProvider } from '../core/maps/local-provider.js';
import type { Clock, RandomSource } from '../core/ports.js';
import type { ProgramVerifier, VerifyRequest, VerifyResult } from '../core/verify/types.js';

/**
 * Test support: a kernel with a local map directory on its arena (releases recorded), the in-process JIT, a verifier
 * that accepts everything (and records what it was asked), a clock the test moves, a fixed random
 * sequence, and trace_pipe lines collected in an array.
 */

/** A verifier that answers `verdict(request)`; by default it accepts with small statistics. */
export class FakeVerifier implements ProgramVerifier {
  readonly requests: VerifyRequest[] = [];

  constructor(private readonly verdict: (request: VerifyRequest) => VerifyResult = () => ACCEPT) {}

  verify(request: VerifyRequest): Promise<VerifyResult> {
    this.requests.push(request);
    return Promise.resolve(this.verdict(request));
  }
}

export const ACCEPT: VerifyResult = { verdict: 'accept', log: 'processed 2 insns\n', stats: { processed_insns: 2, total_states: 0, peak_states: 0 } };

/** A clock that only moves when told (monotonic starts at 5 s, realtime at 2026-01-01). */
export class ManualClock implements Clock {
  monotonic = 5_000_000_000n;
  realtime = 1_767_225_600_000_000_000n;

  monotonicNs(): bigint {
    return this.monotonic;
  }

  realtimeNs(): bigint {
    return this.realtime;
  }

  advance(ns: bigint): void {
    this.monotonic += ns;
    this.realtime += ns;
  }
}

/** Returns the given numbers in turn, forever. */
export const sequence = (...values: number[]): RandomSource => {
  let i = 0;
  return { nextU32: () => values[i++ % values.length]! };
};

export interface Harness {
  readonly kernel: Kernel;
  readonly directory: MapDirectory;
  readonly verifier: FakeVerifier;
  readonly clock: ManualClock;
  readonly trace: string[];
  /** Map ids the kernel gave back to the provider, in order. */
  readonly released: number[];
  /** Creates a map in the kernel's arena; returns its id. */
  map(request: CreateRequest): number;
  /** Loads assembly text (or instructions) as `prog_type`; resolves to the load result. */
  load(program: string | readonly Instruction[], attr?: Partial<ProgLoadAttr>): Promise<LoadResult>;
  /** Loads a SYSCALL program and test-runs it once with `ctx` (r1 points at a copy); its retval and the context after the run. */
  syscall(program: string, ctx?: Uint8Array): Promise<{ retval: number; ctx: Uint8Array }>;
}

export interface HarnessOptions extends KernelOptions {
  readonly ports?: Partial<KernelPorts>;
  readonly verifier?: FakeVerifier;
  /** Maps the directory cannot make (types maps-store lacks), built on the kernel's arena and served under these ids. */
  readonly extraMaps?: (arena: Arena) => Readonly<Record<number, BpfMap>>;
}

export function kernelHarness(options: HarnessOptions = {}): Harness {
  const arena = options.arena ?? new Arena({ initialPages: 32 });
  const cpus = options.cpus ?? 2;
  // map_create's btf_id names this kernel's BTF objects (the embedded mode's MapBtfPort).
  const directory: MapDirectory = new MapDirectory(arena, { cpus, btf: kernelMapBtfPort((): BtfTable => btfTableOf(kernel)) });
  const verifier = options.verifier ?? new FakeVerifier();
  const clock = new ManualClock();
  const trace: string[] = [];
  const released: number[] = [];
  const local = new LocalMapProvider(directory);
  const extra = options.extraMaps?.(arena) ?? {};
  const kernel = new Kernel(
    {
      maps: { acquire: (id) => (extra[id] ? Promise.resolve(extra[id]) : local.acquire(id)), release: (id) => void released.push(id) },
      verifier,
      compiler: new InProcessCompiler(),
      clock,
      random: sequence(4, 8, 15, 16, 23, 42),
      trace: { line: (text) => trace.push(text) },
      ...options.ports,
    },
    { ...options, arena, cpus },
  );
  return {
    kernel,
    directory,
    verifier,
    clock,
    trace,
    released,
    map: (request) => directory.create(request),
    load: (program, attr = {}) =>
      kernel.load({ prog_type: 'syscall', license: 'GPL', ...attr, insns: typeof program === 'string' ? assemble(program) : program }),
    syscall: async (program, ctx = new Uint8Array(64)) => {
      const { program: loaded } = await kernel.load({ prog_type: 'syscall', license: 'GPL', insns: assemble(program) });
      const result = kernel.testRun(loaded.id, { ctx_in: ctx });
      return { retval: result.retval, ctx: result.ctx_out! };
    },
  };
}

/** Little-endian bytes of u32s / u64s, for keys, values and contexts. */
export const u32s = (...values: number[]): Uint8Array => new Uint8Array(new Uint32Array(values).buffer);
export const u64s = (...values: bigint[]): Uint8Array => new Uint8Array(new BigUint64Array(values.map((v) => BigInt.asUintN(64, v))).buffer);
export const readU32 = (bytes: Uint8Array, at = 0): number => new DataView(bytes.buffer, bytes.byteOffset).getUint32(at, true);
export const readU64 = (bytes: Uint8Array, at = 0): bigint => new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(at, true);
