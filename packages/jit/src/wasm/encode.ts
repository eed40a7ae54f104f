/**
 * The WebAssembly binary format of an IR module (ir.ts).
 *
 * Everything is written into one growable byte buffer (ByteWriter). Sizes that precede their
 * contents (sections, function bodies) are written after the contents and the contents moved up
 * by the size's length, so every LEB128 is canonical (shortest form). Instruction trees are walked
 * with an explicit stack, so deeply nested blocks do not exhaust the JS stack.
 */
import type { Element, Export, Func, Global, Import, Instr, MemoryOp, Module, Table, ValType } from './ir.js';
import {
  ATOMIC_PREFIX,
  BLOCKTYPE_EMPTY,
  FUNCREF,
  FUNC_TYPE_FORM,
  MEMORY_OPCODES,
  OP_BLOCK,
  OP_BR,
  OP_BR_IF,
  OP_BR_TABLE,
  OP_CALL,
  OP_CALL_INDIRECT,
  OP_ELSE,
  OP_END,
  OP_GLOBAL_GET,
  OP_GLOBAL_SET,
  OP_I32_CONST,
  OP_I64_CONST,
  OP_IF,
  OP_LOCAL_GET,
  OP_LOCAL_SET,
  OP_LOCAL_TEE,
  OP_LOOP,
  OP_RETURN_CALL,
  OP_MEMORY_SIZE,
  PLAIN_OPCODES,
  SIMD_I64X2_EXTRACT_LANE,
  SIMD_OPCODES,
  SIMD_PREFIX,
  SIMD_V128_CONST,
  VALTYPE_CODES,
} from './opcodes.js';

const TWO_63 = 1n << 63n;
const TWO_64 = 1n << 64n;

/** Unsigned LEB128 of a u32 at `pos` (room for 5 bytes is the caller's); returns the new position. */
function putU32(buf: Uint8Array, pos: number, value: number): number {
  // `>>> 0` keeps exactly the integers in [0, 2^32) unchanged (-0 becomes 0, which is equal).
  if (typeof value !== 'number' || value >>> 0 !== value) throw new RangeError(`not a u32: ${value}`);
  let n = value;
  while (n >= 0x80) {
    buf[pos++] = (n & 0x7f) | 0x80;
    n >>>= 7;
  }
  buf[pos++] = n;
  return pos;
}

/** Signed LEB128 of a 32-bit integer at `pos` (room for 5 bytes); returns the new position. */
function putS32(buf: Uint8Array, pos: number, value: number): number {
  if (!(value >= -0x8000_0000 && value <= 0xffff_ffff && Number.isInteger(value))) {
    throw new RangeError(`not a 32-bit integer: ${value}`);
  }
  let n = value | 0;
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      buf[pos++] = b;
      return pos;
    }
    buf[pos++] = b | 0x80;
  }
}

/** Scratch space splitting an i64 into 32-bit halves without BigInt arithmetic. */
const scratch = new DataView(new ArrayBuffer(8));

/** Signed LEB128 of a 64-bit integer at `pos` (room for 10 bytes); returns the new position. */
function putS64(buf: Uint8Array, pos: number, value: bigint): number {
  // Most constants fit 32 bits: no DataView round trip. Number() is exact below 2^53 and rounds
  // monotonically, so the test holds exactly for the values in [-2^31, 2^31).
  const small = Number(value);
  if (small >= -0x8000_0000 && small < 0x8000_0000) return putS32(buf, pos, small);
  if (value < -TWO_63 || value >= TWO_64) throw new RangeError(`not a 64-bit integer: ${value}`);
  scratch.setBigInt64(0, value, true); // wraps [2^63, 2^64) to the negative values
  let lo = scratch.getUint32(0, true);
  let hi = scratch.getInt32(4, true);
  if (hi === (lo | 0) >> 31) return putS32(buf, pos, lo | 0);
  for (;;) {
    const b = lo & 0x7f;
    // (hi:lo) >>= 7, arithmetically
    lo = ((lo >>> 7) | (hi << 25)) >>> 0;
    hi >>= 7;
    if (
      (hi === 0 && lo === 0 && (b & 0x40) === 0) ||
      (hi === -1 && lo === 0xffff_ffff && (b & 0x40) !== 0)
    ) {
      buf[pos++] = b;
      return pos;
    }
    buf[pos++] = b | 0x80;
  }
}

/** A growable byte buffer with the primitive encodings of the binary format. */
export class ByteWriter {
  /** The buffer (replaced when it grows) and the write position: internal to the encoder. */
  buf: Uint8Array;
  pos = 0;

  constructor(initialCapacity = 256) {
    this.buf = new Uint8Array(Math.max(16, initialCapacity));
  }

  /** Bytes written so far. */
  get length(): number {
    return this.pos;
  }

  /** A copy of the bytes written so far. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }

  /** Forgets the bytes written, keeping the buffer (up to `keep` bytes of it) for the next ones. */
  reset(keep: number): void {
    this.pos = 0;
    if (this.buf.length > keep) this.buf = new Uint8Array(keep);
  }

  /** Makes room for `extra` more bytes. */
  ensure(extra: number): void {
    const need = this.pos + extra;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  byte(b: number): void {
    if (this.pos === this.buf.length) this.ensure(1);
    this.buf[this.pos++] = b;
  }

  bytes(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /** Unsigned LEB128 of a u32. */
  u32(value: number): void {
    this.ensure(5);
    this.pos = putU32(this.buf, this.pos, value);
  }

  /** Signed LEB128 of an s32 (values in [2^31, 2^32) are taken as their two's complement). */
  s32(value: number): void {
    this.ensure(5);
    this.pos = putS32(this.buf, this.pos, value);
  }

  /** Unsigned LEB128 of a u64. */
  u64(value: bigint): void {
    if (value < 0n || value >= TWO_64) throw new RangeError(`not a u64: ${value}`);
    if (value <= 0xffff_ffffn) {
      this.u32(Number(value));
      return;
    }
    this.ensure(10);
    let v = value;
    while (v >= 0x80n) {
      this.buf[this.pos++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.pos++] = Number(v);
  }

  /** Signed LEB128 of an s64 (values in [2^63, 2^64) are taken as their two's complement). */
  s64(value: bigint): void {
    this.ensure(10);
    this.pos = putS64(this.buf, this.pos, value);
  }

  /** A name: its UTF-8 length, then the bytes. */
  name(text: string): void {
    const bytes = textEncoder.encode(text);
    this.u32(bytes.length);
    this.bytes(bytes);
  }

  /** Starts contents that will be preceded by their size (see `endSized`). */
  beginSized(): number {
    return this.pos;
  }

  /** Inserts the u32 LEB128 size of everything written since `start` in front of it. */
  endSized(start: number): void {
    const size = this.pos - start;
    let lebLength = 1;
    for (let n = size; n >= 0x80; n >>>= 7) lebLength++;
    this.ensure(lebLength);
    const buf = this.buf;
    buf.copyWithin(start + lebLength, start, this.pos);
    let n = size;
    for (let k = 0; k < lebLength - 1; k++) {
      buf[start + k] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    buf[start + lebLength - 1] = n;
    this.pos += lebLength;
  }
}

const textEncoder = new TextEncoder();

const SECTION_TYPE = 1;
const SECTION_IMPORT = 2;
const SECTION_FUNCTION = 3;
const SECTION_TABLE = 4;
const SECTION_GLOBAL = 6;
const SECTION_EXPORT = 7;
const SECTION_ELEMENT = 9;
const SECTION_CODE = 10;

const EXPORT_KINDS: Readonly<Record<Export['kind'], number>> = {
  func: 0x00,
  table: 0x01,
  memory: 0x02,
  global: 0x03,
};

/**
 * The writer every encodeModule call writes into (encoding is synchronous, so one is enough):
 * its buffer is kept from one module to the next, so a module costs one allocation, the copy
 * that finish() returns, instead of a buffer grown by doubling each time.
 */
const moduleWriter = new ByteWriter(0);
/** The largest buffer moduleWriter keeps between modules. */
const KEEP_BYTES = 1 << 20;

/** The binary module. Throws RangeError for values that cannot be encoded. */
export function encodeModule(module: Module): Uint8Array {
  const w = moduleWriter;
  w.reset(KEEP_BYTES);
  w.bytes(HEADER);

  section(w, SECTION_TYPE, module.types, (t) => {
    w.byte(FUNC_TYPE_FORM);
    valTypes(w, t.params);
    valTypes(w, t.results);
  });
  section(w, SECTION_IMPORT, module.imports, (imp) => importEntry(w, imp));
  section(w, SECTION_FUNCTION, module.funcs, (f) => w.u32(f.type));
  section(w, SECTION_TABLE, module.tables ?? [], (t) => tableType(w, t));
  section(w, SECTION_GLOBAL, module.globals ?? [], (g) => globalEntry(w, g));
  section(w, SECTION_EXPORT, module.exports, (e) => {
    w.name(e.name);
    w.byte(EXPORT_KINDS[e.kind]);
    w.u32(e.index);
  });
  section(w, SECTION_ELEMENT, module.elements ?? [], (e) => elementEntry(w, e));
  section(w, SECTION_CODE, module.funcs, (f) => {
    const start = w.beginSized();
    locals(w, f);
    encodeBody(w, f.body);
    w.endSized(start);
  });
  return w.finish();
}

/** `\0asm`, version 1. */
const HEADER = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

function section<T>(w: ByteWriter, id: number, items: readonly T[], item: (x: T) => void): void {
  if (items.length === 0) return;
  w.byte(id);
  const start = w.beginSized();
  w.u32(items.length);
  for (const x of items) item(x);
  w.endSized(start);
}

function valTypes(w: ByteWriter, types: readonly ValType[]): void {
  w.u32(types.length);
  for (const t of types) w.byte(VALTYPE_CODES[t]);
}

function limits(w: ByteWriter, min: number, max: number | undefined, shared: boolean): void {
  if (shared) {
    if (max === undefined) throw new RangeError('a shared memory needs a maximum');
    w.byte(0x03);
    w.u32(min);
    w.u32(max);
  } else if (max === undefined) {
    w.byte(0x00);
    w.u32(min);
  } else {
    w.byte(0x01);
    w.u32(min);
    w.u32(max);
  }
}

function importEntry(w: ByteWriter, imp: Import): void {
  w.name(imp.module);
  w.name(imp.name);
  switch (imp.kind) {
    case 'func':
      w.byte(0x00);
      w.u32(imp.type);
      break;
    case 'table':
      w.byte(0x01);
      tableType(w, imp);
      break;
    case 'memory':
      w.byte(0x02);
      limits(w, imp.min, imp.max, imp.shared === true);
      break;
    case 'global':
      w.byte(0x03);
      w.byte(VALTYPE_CODES[imp.type]);
      w.byte(imp.mutable ? 0x01 : 0x00);
      break;
  }
}

function tableType(w: ByteWriter, t: Table): void {
  w.byte(FUNCREF);
  limits(w, t.min, t.max, false);
}

function globalEntry(w: ByteWriter, g: Global): void {
  w.byte(VALTYPE_CODES[g.type]);
  w.byte(g.mutable ? 0x01 : 0x00);
  if (g.type === 'i64') {
    w.byte(OP_I64_CONST);
    w.s64(BigInt(g.init));
  } else {
    w.byte(OP_I32_CONST);
    w.s32(Number(g.init));
  }
  w.byte(OP_END);
}

function elementEntry(w: ByteWriter, e: Element): void {
  // Flags 0: active, table 0, offset expression, vector of function indexes.
  w.byte(0x00);
  w.byte(OP_I32_CONST);
  w.s32(e.offset);
  w.byte(OP_END);
  w.u32(e.funcs.length);
  for (const f of e.funcs) w.u32(f);
}

/** Local declarations: runs of the same type as (count, type). */
function locals(w: ByteWriter, f: Func): void {
  const ls = f.locals;
  let runs = 0;
  for (let i = 0; i < ls.length; i++) {
    if (i === 0 || ls[i]?.type !== ls[i - 1]?.type) runs++;
  }
  w.u32(runs);
  let i = 0;
  while (i < ls.length) {
    const type = (ls[i] as { type: ValType }).type;
    let j = i + 1;
    while (j < ls.length && ls[j]?.type === type) j++;
    w.u32(j - i);
    w.byte(VALTYPE_CODES[type]);
    i = j;
  }
}

// How encodeBody handles each instruction: a kind (high bits) and an opcode byte (low 8 bits).
const K_PLAIN = 0 << 8;
const K_MEMORY = 1 << 8;
const K_ATOMIC = 2 << 8;
const K_BLOCK = 3 << 8; // block, loop: opcode, block type, body
const K_IF = 4 << 8;
const K_INDEX = 5 << 8; // local.*, global.*: opcode, `index`
const K_DEPTH = 6 << 8; // br, br_if: opcode, `depth`
const K_FUNC = 7 << 8; // call, return_call: opcode, `func`
const K_I32_CONST = 8 << 8;
const K_I64_CONST = 9 << 8;
const K_BR_TABLE = 10 << 8;
const K_CALL_INDIRECT = 11 << 8;
const K_SIMD_MEMORY = 12 << 8; // 0xfd, opcode, memarg
const K_SIMD = 13 << 8; // 0xfd, opcode (the opcode in the low bits may need two LEB128 bytes)
const K_V128_CONST = 14 << 8;
const K_EXTRACT_LANE = 15 << 8;
const K_MEMORY_SIZE = 16 << 8;

type SpecialOp = Exclude<Instr['op'], keyof typeof PLAIN_OPCODES | keyof typeof MEMORY_OPCODES | keyof typeof SIMD_OPCODES>;

const SPECIAL_KINDS: Readonly<Record<SpecialOp, number>> = {
  block: K_BLOCK | OP_BLOCK,
  loop: K_BLOCK | OP_LOOP,
  if: K_IF | OP_IF,
  'local.get': K_INDEX | OP_LOCAL_GET,
  'local.set': K_INDEX | OP_LOCAL_SET,
  'local.tee': K_INDEX | OP_LOCAL_TEE,
  'global.get': K_INDEX | OP_GLOBAL_GET,
  'global.set': K_INDEX | OP_GLOBAL_SET,
  br: K_DEPTH | OP_BR,
  br_if: K_DEPTH | OP_BR_IF,
  call: K_FUNC | OP_CALL,
  return_call: K_FUNC | OP_RETURN_CALL,
  'i32.const': K_I32_CONST | OP_I32_CONST,
  'i64.const': K_I64_CONST | OP_I64_CONST,
  br_table: K_BR_TABLE | OP_BR_TABLE,
  call_indirect: K_CALL_INDIRECT | OP_CALL_INDIRECT,
  'v128.const': K_V128_CONST | SIMD_V128_CONST,
  'i64x2.extract_lane': K_EXTRACT_LANE | SIMD_I64X2_EXTRACT_LANE,
  'memory.size': K_MEMORY_SIZE | OP_MEMORY_SIZE,
};

/**
 * Every instruction name to its kind and opcode byte: one lookup per instruction, in an object
 * without a prototype (measured faster than a Map for these keys in V8).
 */
const KINDS: Readonly<Record<string, number | undefined>> = Object.assign(
  Object.create(null) as Record<string, number>,
  Object.fromEntries([
    ...Object.entries(PLAIN_OPCODES).map(([name, code]): [string, number] => [name, K_PLAIN | code]),
    ...Object.entries(MEMORY_OPCODES).map(([name, info]): [string, number] => [
      name,
      (info.simd === true ? K_SIMD_MEMORY : info.atomic ? K_ATOMIC : K_MEMORY) | info.code,
    ]),
    ...Object.entries(SIMD_OPCODES).map(([name, code]): [string, number] => [name, K_SIMD | code]),
    ...Object.entries(SPECIAL_KINDS),
  ]),
);

const LOCAL_GET_KIND = SPECIAL_KINDS['local.get'];
const LOCAL_SET_KIND = SPECIAL_KINDS['local.set'];

/** The instruction variant(s) whose `op` can be K. */
type Of<K extends Instr['op']> = Instr & { readonly op: K };

/** Bytes any instruction but br_table may take: 0xfe, opcode, two 5-byte LEB128s; or 1 + 10; or v128.const, 0xfd 0x0c + 16. */
const MAX_INSTR_BYTES = 18;

/**
 * A function body's instructions and its final `end`. Structured control is walked with a stack;
 * bytes go straight into the writer's buffer, which is grown before each instruction as needed.
 */
function encodeBody(w: ByteWriter, body: readonly Instr[]): void {
  // Open bodies: the instruction list, where to resume in it, and an `else` arm still to come.
  const lists: (readonly Instr[])[] = [body];
  const resume: number[] = [0];
  const elses: (readonly Instr[] | undefined)[] = [undefined];
  let depth = 0;
  let list = body;
  let i = 0;
  let buf = w.buf;
  let pos = w.pos;
  for (;;) {
    if (pos + MAX_INSTR_BYTES > buf.length) {
      w.pos = pos;
      w.ensure(MAX_INSTR_BYTES);
      buf = w.buf;
    }
    if (i === list.length) {
      const elseArm = elses[depth];
      if (elseArm !== undefined) {
        buf[pos++] = OP_ELSE;
        elses[depth] = undefined;
        lists[depth] = elseArm;
        list = elseArm;
        i = 0;
        continue;
      }
      buf[pos++] = OP_END;
      if (depth === 0) break;
      depth--;
      list = lists[depth] as readonly Instr[];
      i = resume[depth] as number;
      continue;
    }
    const ins = list[i++] as Instr;
    // Half of all instructions are local.get or local.set: a comparison is cheaper than a lookup.
    const name = ins.op;
    const kind = name === 'local.get' ? LOCAL_GET_KIND : name === 'local.set' ? LOCAL_SET_KIND : KINDS[name];
    if (kind === undefined) throw new RangeError(`unknown instruction ${String(ins.op)}`);
    const code = kind & 0xff;
    // The most frequent kinds first (local.get/set, plain operations, constants, memory, branches).
    switch (kind & ~0xff) {
      case K_INDEX:
        buf[pos++] = code;
        pos = putU32(buf, pos, (ins as Of<'local.get' | 'global.get'>).index);
        break;
      case K_PLAIN:
        buf[pos++] = code;
        break;
      case K_I64_CONST:
        buf[pos++] = code;
        pos = putS64(buf, pos, (ins as Of<'i64.const'>).value);
        break;
      case K_I32_CONST:
        buf[pos++] = code;
        pos = putS32(buf, pos, (ins as Of<'i32.const'>).value);
        break;
      case K_MEMORY:
      case K_ATOMIC: {
        const m = ins as Of<MemoryOp>;
        if (kind >= K_ATOMIC) buf[pos++] = ATOMIC_PREFIX;
        buf[pos++] = code;
        pos = putU32(buf, pos, m.align);
        pos = putU32(buf, pos, m.offset);
        break;
      }
      case K_DEPTH:
        buf[pos++] = code;
        pos = putU32(buf, pos, (ins as Of<'br'>).depth);
        break;
      case K_FUNC:
        buf[pos++] = code;
        pos = putU32(buf, pos, (ins as Of<'call'>).func);
        break;
      case K_BLOCK:
      case K_IF: {
        let inner: readonly Instr[];
        let elseArm: readonly Instr[] | undefined;
        let result: ValType | undefined;
        if (kind === (K_IF | OP_IF)) {
          const b = ins as Of<'if'>;
          inner = b.then;
          elseArm = b.else;
          result = b.result;
        } else {
          const b = ins as Of<'block'>;
          inner = b.body;
          elseArm = undefined;
          result = b.result;
        }
        buf[pos++] = code;
        buf[pos++] = result === undefined ? BLOCKTYPE_EMPTY : VALTYPE_CODES[result];
        resume[depth] = i;
        depth++;
        lists[depth] = inner;
        elses[depth] = elseArm;
        list = inner;
        i = 0;
        break;
      }
      case K_BR_TABLE: {
        const t = ins as Of<'br_table'>;
        w.pos = pos;
        w.ensure(6 + 5 * t.depths.length + 5);
        buf = w.buf;
        buf[pos++] = code;
        pos = putU32(buf, pos, t.depths.length);
        for (const d of t.depths) pos = putU32(buf, pos, d);
        pos = putU32(buf, pos, t.default);
        break;
      }
      case K_CALL_INDIRECT: {
        const c = ins as Of<'call_indirect'>;
        buf[pos++] = code;
        pos = putU32(buf, pos, c.type);
        pos = putU32(buf, pos, c.table);
        break;
      }
      case K_SIMD:
        buf[pos++] = SIMD_PREFIX;
        pos = putU32(buf, pos, code);
        break;
      case K_SIMD_MEMORY: {
        const m = ins as Of<MemoryOp>;
        buf[pos++] = SIMD_PREFIX;
        pos = putU32(buf, pos, code);
        pos = putU32(buf, pos, m.align);
        pos = putU32(buf, pos, m.offset);
        break;
      }
      case K_V128_CONST: {
        const lanes = (ins as Of<'v128.const'>).lanes;
        buf[pos++] = SIMD_PREFIX;
        buf[pos++] = code;
        scratch.setBigUint64(0, BigInt.asUintN(64, lanes[0]), true);
        for (let b = 0; b < 8; b++) buf[pos++] = scratch.getUint8(b);
        scratch.setBigUint64(0, BigInt.asUintN(64, lanes[1]), true);
        for (let b = 0; b < 8; b++) buf[pos++] = scratch.getUint8(b);
        break;
      }
      case K_EXTRACT_LANE:
        buf[pos++] = SIMD_PREFIX;
        buf[pos++] = code;
        buf[pos++] = (ins as Of<'i64x2.extract_lane'>).lane;
        break;
      case K_MEMORY_SIZE:
        buf[pos++] = code;
        buf[pos++] = 0x00;
        break;
    }
  }
  w.pos = pos;
}
