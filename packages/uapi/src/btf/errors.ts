import { BpfError } from '../errors.js';

/**
 * Malformed BTF or .BTF.ext: bad magic or version, a header or offset that reaches beyond
 * the data, an unknown kind, a type id out of range, a loop in a chain of types. The kernel
 * answers such BTF with EINVAL. Messages start with "BTF:" or "BTF.ext:" and name the type
 * (`[7] STRUCT 'flow'`) or the byte offset that is wrong.
 */
export class BtfError extends BpfError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('EINVAL', message, options);
  }
}
