/**
 * WebAssembly output for the eBPF JIT: the IR (ir.ts), its binary encoding and its text format.
 */
export type {
  Element,
  Export,
  Func,
  FuncImport,
  FuncType,
  Global,
  GlobalImport,
  Import,
  Instr,
  Local,
  MemoryImport,
  MemoryOp,
  Module,
  PlainOp,
  Table,
  TableImport,
  ValType,
} from './ir.js';
export { ByteWriter, encodeModule } from './encode.js';
export { printWat } from './wat.js';
