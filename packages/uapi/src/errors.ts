/**
 * The error every layer throws for a condition Linux reports with an errno.
 *
 * `code` is the errno's symbolic name (`EINVAL`, `EACCES`, …); the wire carries its number,
 * looked up in the generated errno table. Messages start with a verb naming the layer
 * ("decode: …", "assemble: …") and say what to change.
 */
export class BpfError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A malformed instruction stream: bad length, unknown opcode, reserved field set, truncated lddw. */
export class InsnDecodeError extends BpfError {
  constructor(
    /** Index of the offending instruction (a `lddw` counts once). */
    readonly index: number,
    /** Slot (8-byte unit) where it starts. */
    readonly slot: number,
    reason: string,
  ) {
    super('EINVAL', `decode: instruction ${index}${slot === index ? '' : ` (slot ${slot})`}: ${reason}`);
  }
}
