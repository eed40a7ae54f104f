/** The runnable examples (`bpfhive example run NAME`), in examples/README.md's order. */
import { ddosDrop } from './ddos-drop.js';
import { opensnoop } from './opensnoop.js';
import { pktcount } from './pktcount.js';
import type { Example } from './runner.js';
import { syscount } from './syscount.js';

export const EXAMPLES: readonly Example[] = [pktcount, ddosDrop, opensnoop, syscount];

export { type Example, type ExampleRun, type RunOptions, EXAMPLES_DIR, attachAttr, kernelBtf, runExample } from './runner.js';
export { decodeOpenEvent, type OpenEvent } from './opensnoop.js';
export { simRequest, simDevices, linkCreate, linkClose } from './sim.js';
