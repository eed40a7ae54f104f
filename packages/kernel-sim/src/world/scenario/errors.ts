import { BpfError } from '@bpfhive/uapi';

/**
 * A scenario file that cannot be used: EINVAL, with the file, line and column of the offending
 * node and the path of the field (`timeline[3].path`) in the message.
 */
export class ScenarioError extends BpfError {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly field: string,
    reason: string,
  ) {
    super('EINVAL', `scenario ${file}:${line}:${column}: ${field ? `${field}: ` : ''}${reason}`);
  }
}
