/**
 * Global functions (the kernel's BTF_FUNC_GLOBAL subprograms: btf_prepare_func_args,
 * btf_check_subprog_call, do_check_subprogs). A subprogram whose func_info FUNC has global
 * linkage is not explored at its call sites: the call is checked against the BTF prototype
 * ("Func#1 ('f') is global and assumed valid."), r0 becomes an unknown scalar, and after the main
 * program every global function that was called is verified once on its own, its arguments typed
 * from the prototype ("Validating f() func#1..."):
 *   int, enum               → an unknown scalar; the caller must pass a scalar
 *   pointer to the context  → PTR_TO_CTX (the struct the program type's context is)
 *   pointer to a sized type → PTR_TO_MEM_OR_NULL of that size, which the body must null-check;
 *                             the caller passes NULL or memory readable and writable that far
 * The return type must be a scalar (or void); anything else is EINVAL with the kernel's message.
 */
import { markPointer } from './bounds.js';
import type { Env } from './env.js';
import { VerifierError } from './errors.js';
import type { BtfArgType, FuncProto } from './func-proto.js';
import { checkPtrOffReg } from './ctx-access.js';
import { checkHelperMemAccess } from './helper-mem.js';
import { isNull } from './bounds.js';
import { DST_OP_NO_MARK, checkRegArg, markRegNotInit, markRegUnknown } from './reg-access.js';
import { RegFlag, RegType, regTypeStr } from './reg-type.js';
import { FuncState, VerifierState } from './state.js';
import type { FuncInfo } from './types.js';

/** MAX_BPF_FUNC_REG_ARGS. */
const MAX_REG_ARGS = 5;

/** How a global function's argument is typed (struct bpf_subprog_arg_info). */
export type GlobalArg = { readonly kind: 'scalar' } | { readonly kind: 'ctx' } | { readonly kind: 'mem'; readonly size: number };

interface GlobalState {
  /** Global subprograms called from a verified path, waiting to be verified or verified. */
  readonly called: Set<number>;
  readonly verified: Set<number>;
}

const globals = new WeakMap<Env, GlobalState>();

function stateOf(env: Env): GlobalState {
  let s = globals.get(env);
  if (!s) {
    s = { called: new Set(), verified: new Set() };
    globals.set(env, s);
  }
  return s;
}

/** The func_info entry of subprogram `subprogno`, by its first instruction. */
function funcInfoOf(env: Env, subprogno: number): FuncInfo | undefined {
  const start = env.subprogs[subprogno]?.start;
  return env.opts.funcInfo?.find((f) => f.insn_off === start);
}

/** Whether subprogram `subprogno` has global linkage in the program's BTF (subprog_is_global). */
export function isGlobalSubprog(env: Env, subprogno: number): boolean {
  return subprogno > 0 && funcInfoOf(env, subprogno)?.linkage === 'global';
}

/** The function's name from func_info (subprog_name). */
export function subprogName(env: Env, subprogno: number): string {
  return funcInfoOf(env, subprogno)?.name ?? `func#${subprogno}`;
}

/** Whether a global function returns void: its exit does not read r0. */
export function globalReturnsVoid(env: Env, subprogno: number): boolean {
  return funcInfoOf(env, subprogno)?.proto?.ret.kind === 'VOID';
}

const isScalarKind = (t: BtfArgType): boolean => t.kind === 'INT' || t.kind === 'ENUM' || t.kind === 'ENUM64';

/** A pointer to the program type's context struct (btf_get_prog_ctx_type). */
function isCtxPointer(env: Env, t: BtfArgType): boolean {
  const p = t.pointee;
  if (t.kind !== 'PTR' || !p) return false;
  const ctx = env.spec.ctx.struct;
  if (p.kind === 'STRUCT' && p.name === ctx) return true;
  // kprobes name their context through the typedef bpf_user_pt_regs_t.
  return ctx === 'pt_regs' && p.name === 'bpf_user_pt_regs_t';
}

/** BTF kind names as btf_type_str prints them (void has none: "UNKN"). */
const kindStr = (kind: string): string => (kind === 'VOID' ? 'UNKN' : kind);

/**
 * The arguments of global function `subprogno` from its prototype (btf_prepare_func_args). Logs
 * and returns a message for a prototype the kernel does not support.
 */
export function prepareFuncArgs(env: Env, subprogno: number): GlobalArg[] | string {
  const info = funcInfoOf(env, subprogno);
  const name = subprogName(env, subprogno);
  const proto: FuncProto | undefined = info?.proto;
  if (!proto) return `Global function ${name}() doesn't have BTF`;
  if (proto.args.length > MAX_REG_ARGS) return `Global function ${name}() with ${proto.args.length} > ${MAX_REG_ARGS} args. Buggy compiler.`;
  if (!isScalarKind(proto.ret) && proto.ret.kind !== 'VOID') return `Global function ${name}() doesn't return scalar. Only those are supported.`;
  const out: GlobalArg[] = [];
  for (const [i, { type }] of proto.args.entries()) {
    if (isScalarKind(type)) {
      out.push({ kind: 'scalar' });
    } else if (type.kind === 'PTR' && isCtxPointer(env, type)) {
      out.push({ kind: 'ctx' });
    } else if (type.kind === 'PTR') {
      const p = type.pointee ?? { kind: 'VOID', name: '' };
      if (p.size === undefined) return `arg#${i} reference type('${kindStr(p.kind)} ${p.name}') size cannot be determined: -22`;
      out.push({ kind: 'mem', size: p.size });
    } else {
      return `Arg#${i} type ${kindStr(type.kind)} in ${name}() is not supported yet.`;
    }
  }
  return out;
}

/**
 * Why register `regno` does not match argument `i`, or undefined when it does
 * (btf_check_func_arg_match); '' when the check already logged why.
 */
function argMismatch(env: Env, arg: GlobalArg, i: number, regno: number): string | undefined {
  const reg = env.regs[regno]!;
  checkRegArg(env, regno, 0);
  switch (arg.kind) {
    case 'scalar':
      return reg.type === RegType.SCALAR ? undefined : `R${regno} is not a scalar`;
    case 'ctx':
      if (reg.type !== RegType.PTR_TO_CTX) return `arg#${i} expects pointer to ctx`;
      checkPtrOffReg(env, reg, regno);
      return undefined;
    case 'mem': {
      if (isNull(reg)) return undefined;
      if (reg.type === RegType.SCALAR) return `R${regno} type=${regTypeStr(reg.type)} expected=fp, pkt, pkt_meta, map_key, map_value, mem`;
      // The callee may read and write all of it (check_mem_reg).
      const type = reg.type;
      reg.type &= ~RegFlag.MAYBE_NULL;
      try {
        checkHelperMemAccess(env, regno, arg.size, false, false, null);
        checkHelperMemAccess(env, regno, arg.size, true, false, null);
      } catch (e) {
        if (e instanceof VerifierError) return '';
        throw e;
      } finally {
        reg.type = type;
      }
      return undefined;
    }
  }
}

/**
 * A call at `idx` to global function `subprogno` (check_func_call's global branch): the arguments
 * must match the prototype; the callee is not entered, r0 becomes an unknown scalar. Returns the
 * next instruction.
 */
export function checkGlobalCall(env: Env, idx: number, subprogno: number): number {
  const name = subprogName(env, subprogno);
  if (env.cur.lock) env.fail('EINVAL', 'global function calls are not allowed while holding a lock, use static function instead');
  const args = prepareFuncArgs(env, subprogno);
  const invalid = `Caller passes invalid args into func#${subprogno} ('${name}')`;
  if (typeof args === 'string') {
    env.verbose(`${args}\n`);
    env.fail('EINVAL', invalid);
  }
  for (const [i, arg] of args.entries()) {
    const why = argMismatch(env, arg, i, i + 1);
    if (why !== undefined) {
      if (why) env.verbose(`${why}\n`);
      env.fail('EINVAL', invalid);
    }
  }
  env.verbose(`Func#${subprogno} ('${name}') is global and assumed valid.\n`);
  stateOf(env).called.add(subprogno);
  const regs = env.regs;
  for (let r = 0; r <= 5; r++) {
    markRegNotInit(regs[r]!);
    checkRegArg(env, r, DST_OP_NO_MARK);
  }
  markRegUnknown(env, regs[0]!);
  return idx + 1;
}

/** The state a global function is verified from: its arguments as the prototype types them. */
function entryState(env: Env, subprogno: number, args: readonly GlobalArg[]): VerifierState {
  const st = new VerifierState();
  const frame = FuncState.create(-1, 0, subprogno);
  args.forEach((arg, i) => {
    const reg = frame.regs[i + 1]!;
    switch (arg.kind) {
      case 'scalar':
        markRegUnknown(env, reg);
        break;
      case 'ctx':
        markPointer(reg, RegType.PTR_TO_CTX);
        break;
      case 'mem':
        markPointer(reg, RegType.PTR_TO_MEM | RegFlag.MAYBE_NULL);
        reg.memSize = arg.size;
        reg.id = env.nextId();
        break;
    }
  });
  st.frames.push(frame);
  return st;
}

/**
 * After the main program: verifies every global function a verified path called, each once, until
 * no new one was called (do_check_subprogs). `run` explores from env.cur (doCheck).
 */
export function verifyGlobalFuncs(env: Env, run: (env: Env) => void): void {
  const s = stateOf(env);
  for (;;) {
    const next = [...s.called].filter((n) => !s.verified.has(n)).sort((a, b) => a - b)[0];
    if (next === undefined) return;
    const name = subprogName(env, next);
    env.verbose(`Validating ${name}() func#${next}...\n`);
    const args = prepareFuncArgs(env, next);
    if (typeof args === 'string') env.fail('EINVAL', args);
    // Each verification starts afresh: no state explored for another entry prunes this one (free_states).
    env.explored.fill(undefined);
    env.cur = entryState(env, next, args);
    env.insnIdx = env.subprogs[next]!.start;
    env.prevInsnIdx = -1;
    env.markAllScratched();
    run(env);
    s.verified.add(next);
    env.verbose(`Func#${next} ('${name}') is safe for any args that match its prototype\n`);
  }
}
