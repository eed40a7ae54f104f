/** A frame that arrives at a virtual time (from a generator, a capture, or an injection). */
export interface TimedFrame {
  readonly time: number;
  readonly frame: Uint8Array;
}
