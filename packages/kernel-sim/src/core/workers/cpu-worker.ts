/**
 * A simulated CPU's worker thread (started by CpuThreads, cpu-threads.ts): it instantiates the
 * programs main posts over the kernel's shared memory, with this CPU's kernel data block, and runs
 * the batches main hands over in the control block (protocol.ts), one at a time. Helper calls the
 * JIT did not inline go back to main (the map engines and every other helper live there): the
 * worker writes the call into the control block, rings, and waits for the reply. A batch is the
 * worker's once it claimed it (main runs the batches no worker claimed in time itself). Nothing
 * else of the kernel lives here, so this file imports only the JIT, uapi's BpfError and the
 * protocol (it runs from dist/).
 */
import { type MessagePort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { type CallArgs, type CallEnv, HelperRegistry, JitProgram } from '@bpfhive/jit';
import { BpfError } from '@bpfhive/uapi';
import { summarizeBatch } from './batch-summary.js';
import { Bell, I64_AT, LONGS, Long, Reply, State, type WorkerMessage, type WorkerSetup, Word, errorText, parseErrorText, readText, waitChange, writeText } from './protocol.js';

/**
 * Loads of the control word before a worker sleeps on it between batches: the doorbell's
 * Bell.IDLE_SPINS, which main sets (CpuThreads.#spinBudget).
 */
const idleSpins = (): number => Atomics.load(bell, Bell.IDLE_SPINS);
/** Loads before it sleeps waiting for a helper reply (main serves it at once, unless busy). */
const REPLY_SPINS = 2_000;

const setup = workerData as WorkerSetup;
const i32 = new Int32Array(setup.control);
const i64 = new BigInt64Array(setup.control, I64_AT, LONGS);
const bell = new Int32Array(setup.doorbell);
const port: MessagePort = setup.port;
const programs = new Map<number, JitProgram>();
let taken = 0;
let u32 = new Uint32Array(setup.memory.buffer);

/** The kernel's memory as u32s, as it is now (main may have grown it since the last batch). */
function memoryU32(): Uint32Array {
  if (u32.byteLength !== setup.memory.buffer.byteLength) u32 = new Uint32Array(setup.memory.buffer);
  return u32;
}

/** Tells main something changed in this worker's control block. */
function ring(): void {
  Atomics.add(bell, Bell.RUNG, 1);
  Atomics.notify(bell, Bell.RUNG);
}

/** A helper call served on main: arguments out, the reply back (env.exit or a throw as main saw them). */
function remoteHelper(id: number) {
  return (args: CallArgs, env: CallEnv): bigint => {
    i32[Word.HELPER] = id;
    for (let k = 0; k < 5; k++) i64[Long.ARG + k] = BigInt.asIntN(64, args[k]!);
    Atomics.store(i32, Word.STATE, State.HELPER);
    ring();
    waitChange(i32, Word.STATE, State.HELPER, REPLY_SPINS);
    const reply = i32[Word.REPLY];
    const r0 = BigInt.asUintN(64, i64[Long.R0]!);
    const text = reply === Reply.THROW ? readText(setup.control, i32) : '';
    Atomics.store(i32, Word.STATE, State.TAKEN);
    if (reply === Reply.EXIT) env.exit(r0);
    if (reply === Reply.THROW) {
      // What the helper threw on main, with its code and message (the run wraps it as it would there).
      const { code, message } = parseErrorText(text);
      throw code ? new BpfError(code, message) : new Error(message);
    }
    return r0;
  };
}

/** Takes the messages main posted before this batch (POSTED counts them): programs in, programs out. */
function takeMessages(): void {
  while (Atomics.load(i32, Word.POSTED) !== taken) {
    const received = receiveMessageOnPort(port);
    if (!received) continue;
    const message = received.message as WorkerMessage;
    if (message.kind === 'program') {
      const helpers = new HelperRegistry();
      const needs = message.needs as { readonly helpers: readonly number[] };
      for (const id of needs.helpers) helpers.register(id, message.names[id] ?? `helper ${id}`, remoteHelper(id));
      const compiled = { bytes: message.bytes, needs } as unknown as ConstructorParameters<typeof JitProgram>[0];
      programs.set(message.id, new JitProgram(compiled, { memory: setup.memory, helpers, data: setup.cpu, kernelData: setup.kernelData }));
    } else {
      programs.delete(message.id);
    }
    taken++;
  }
  Atomics.store(i32, Word.TAKEN, taken);
}

/** Runs the batch in the control block; DONE or FAILED (with the error's text). */
function runBatch(): void {
  try {
    takeMessages();
    const id = i32[Word.PROGRAM]!;
    const program = programs.get(id);
    if (!program) throw new Error(`cpu ${setup.cpu}: program ${id} was not handed to this CPU's thread`);
    const base = Number(i64[Long.BASE]);
    const stride = Number(i64[Long.STRIDE]);
    const count = Number(i64[Long.COUNT]);
    const out = Number(i64[Long.OUT]);
    program.runBatch(base, stride, count, out, BigInt.asUintN(64, i64[Long.FP]!));
    const at = Number(i64[Long.SUMMARY]);
    if (at !== 0) {
      const summary = { at, list: Number(i64[Long.LIST]), common: Number(i64[Long.COMMON]), field: Number(i64[Long.FIELD]), buckets: Number(i64[Long.BUCKETS]) };
      summarizeBatch(memoryU32(), base, stride, count, out, summary);
    }
    Atomics.store(i32, Word.STATE, State.DONE);
  } catch (e) {
    writeText(setup.control, i32, errorText(e));
    Atomics.store(i32, Word.STATE, State.FAILED);
  }
  ring();
}

Atomics.store(i32, Word.READY, 1);
for (;;) {
  let state = Atomics.load(i32, Word.STATE);
  while (state !== State.RUN && state !== State.STOP) state = waitChange(i32, Word.STATE, state, idleSpins());
  if (state === State.STOP) break;
  // Main may have taken the batch back to run it itself: then wait for the next one.
  if (Atomics.compareExchange(i32, Word.STATE, State.RUN, State.TAKEN) === State.RUN) runBatch();
}
port.close();
