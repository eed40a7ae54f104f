export * from './opcode.js';
export * from './instruction.js';
export * from './codec.js';
export { checkInstruction } from './validate.js';
export { describeOpcode } from './describe.js';
