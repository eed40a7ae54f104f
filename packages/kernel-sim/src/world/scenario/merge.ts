/**
 * Merging time-ordered event sources into one stream: the source whose next event is earliest
 * goes first; on equal times the source listed first wins, so the result is deterministic.
 */
import type { WorldEvent } from '../events.js';

export interface EventSource {
  /** Time of the next event, or undefined when the source is done. */
  peek(): number | undefined;
  /** The next event; undefined when it turned out to produce none (a frame for a down device). */
  take(): WorldEvent | undefined;
}

/** Events from every source in time order, up to and including time `end`. */
export function* mergeSources(sources: readonly EventSource[], end = Infinity): Generator<WorldEvent> {
  while (true) {
    let best: EventSource | undefined;
    let bestTime = Infinity;
    for (const s of sources) {
      const t = s.peek();
      if (t !== undefined && t < bestTime) {
        best = s;
        bestTime = t;
      }
    }
    if (!best || bestTime > end) return;
    const e = best.take();
    if (e) yield e;
  }
}
