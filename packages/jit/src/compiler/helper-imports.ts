import type { CallEnv } from '../interp/env.js';
import type { CallArgs, RegisteredFunction } from '../interp/registry.js';
import { type HelperAbi, isClassicAbi } from './helper-abi.js';
import { helperFailure } from './run-errors.js';

/** A value crossing from wasm: an i64 as a (signed) BigInt, an i32 as a number. */
type Arg = number | bigint;
type Imported = (...args: Arg[]) => Arg;

/**
 * The function a JitProgram gives its module for one helper (or kfunc) import: the registry's
 * function adapted to the import's ABI (helper-abi.ts), over the instance's CallEnv.
 *
 * - A helper with a fast form, imported with a typed ABI: its fast function, made once here,
 *   called with the import's own arguments (no conversion, no allocation).
 * - Otherwise its `fn`, given fresh CallArgs per call: r1.. as unsigned 64-bit BigInts (a 'u32'
 *   argument zero-extended; arguments the ABI does not pass as 0n), its result turned into the
 *   ABI's (a 'u32' result keeps its low 32 bits).
 *
 * Either way, whatever the helper throws, except env.exit's ProgramExit, leaves as a
 * JitExecutionError `<name> failed: <message>` whose cause is the original. The wrappers have one
 * shape per arity (no rest parameters), so a call costs the crossing and little more.
 */
export function helperImport(helper: RegisteredFunction, abi: HelperAbi, env: CallEnv): Imported {
  if (helper.fast !== undefined && !isClassicAbi(abi)) return fastImport(helper.name, helper.fast(env) as Imported, abi.params.length);
  return genericImport(helper, abi, env);
}

/** An argument as the unsigned 64-bit register value (asUintN only for the negative BigInts wasm hands over for high values). */
const u64Of = (x: Arg): bigint => (typeof x === 'bigint' ? (x < 0n ? BigInt.asUintN(64, x) : x) : BigInt(x >>> 0));

function genericImport({ name, fn }: RegisteredFunction, abi: HelperAbi, env: CallEnv): Imported {
  const u32Result = abi.result === 'u32';
  const invoke = (args: CallArgs): Arg => {
    try {
      const r0 = fn(args, env);
      return u32Result ? Number(r0 & 0xffff_ffffn) : r0;
    } catch (e) {
      throw helperFailure(name, e);
    }
  };
  switch (abi.params.length) {
    case 0:
      return () => invoke([0n, 0n, 0n, 0n, 0n]);
    case 1:
      return (a) => invoke([u64Of(a!), 0n, 0n, 0n, 0n]);
    case 2:
      return (a, b) => invoke([u64Of(a!), u64Of(b!), 0n, 0n, 0n]);
    case 3:
      return (a, b, c) => invoke([u64Of(a!), u64Of(b!), u64Of(c!), 0n, 0n]);
    case 4:
      return (a, b, c, d) => invoke([u64Of(a!), u64Of(b!), u64Of(c!), u64Of(d!), 0n]);
    default:
      return (a, b, c, d, e) => invoke([u64Of(a!), u64Of(b!), u64Of(c!), u64Of(d!), u64Of(e!)]);
  }
}

function fastImport(name: string, f: Imported, arity: number): Imported {
  const failed = (e: unknown): never => {
    throw helperFailure(name, e);
  };
  switch (arity) {
    case 0:
      return () => {
        try {
          return f();
        } catch (e) {
          return failed(e);
        }
      };
    case 1:
      return (a) => {
        try {
          return f(a!);
        } catch (e) {
          return failed(e);
        }
      };
    case 2:
      return (a, b) => {
        try {
          return f(a!, b!);
        } catch (e) {
          return failed(e);
        }
      };
    case 3:
      return (a, b, c) => {
        try {
          return f(a!, b!, c!);
        } catch (e) {
          return failed(e);
        }
      };
    case 4:
      return (a, b, c, d) => {
        try {
          return f(a!, b!, c!, d!);
        } catch (e) {
          return failed(e);
        }
      };
    default:
      return (a, b, c, d, e) => {
        try {
          return f(a!, b!, c!, d!, e!);
        } catch (err) {
          return failed(err);
        }
      };
  }
}
