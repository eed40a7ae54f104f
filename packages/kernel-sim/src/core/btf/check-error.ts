import { BpfError } from '@bpfhive/uapi';

/**
 * A blob the BTF verifier refused: the errno Linux gives (EINVAL mostly; ENOTSUPP for an
 * unsupported version, flags or int encoding; E2BIG for unknown header fields; EEXIST for a loop),
 * a message for people ("load BTF: [3] STRUCT 'flow': member #0 'x' type_id 9 is out of range"),
 * what the kernel had logged before it stopped (`logged`: the header and the records checked so
 * far) and the lines that say why (`failure`). The table turns it into the wire's log.
 */
export class BtfCheckError extends BpfError {
  constructor(
    code: string,
    message: string,
    readonly logged: readonly string[],
    readonly failure: readonly string[],
  ) {
    super(code, message);
  }
}

/** The whole log of a failed check, one line each, as log_level 1 shows it. */
export const fullLog = (e: BtfCheckError): string => [...e.logged, ...e.failure].map((l) => `${l}\n`).join('');

/** Only the lines that say why, as bpfhive returns them when no log was asked for. */
export const failureLog = (e: BtfCheckError): string => e.failure.map((l) => `${l}\n`).join('');
