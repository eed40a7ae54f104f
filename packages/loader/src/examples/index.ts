/** The runnable examples (`bpfhive example run NAME`), in examples/README.md's order. */
import { ddosDrop } from './ddos-drop.js';
import { execsnoop } from './execsnoop.js';
import { httpFilter } from './http-filter.js';
import { kubeproxy } from './kubeproxy.js';
import { l4lb } from './l4lb.js';
import { netpolicy } from './netpolicy.js';
import { opensnoop } from './opensnoop.js';
import { pktcount } from './pktcount.js';
import { sensitiveOpen } from './sensitive-open.js';
import type { Example } from './runner.js';
import { syscount } from './syscount.js';
import { tcpconnect } from './tcpconnect.js';

export const EXAMPLES: readonly Example[] = [pktcount, httpFilter, ddosDrop, l4lb, netpolicy, kubeproxy, execsnoop, opensnoop, syscount, tcpconnect, sensitiveOpen];

export { type Example, type ExampleRun, type RunOptions, EXAMPLES_DIR, attachAttr, runExample } from './runner.js';
export { decodeOpenEvent, type OpenEvent } from './opensnoop.js';
export { simRequest, simDevices, linkCreate, linkClose } from './sim.js';
