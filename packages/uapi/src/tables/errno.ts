/**
 * Lookups over the errno table in src/generated/errno.ts: name ↔ number, and the strerror() text.
 *
 * Names are matched without regard to case and aliases are accepted (`EWOULDBLOCK` is `EAGAIN`).
 * Numbers may be given negated, the way the kernel returns them (`-22` is `EINVAL`). Nothing here
 * throws: unknown input reads as `undefined`, except strerror(), which answers like libc does.
 */
import { ERRNO_ALIASES, ERRNO_TABLE, type ErrnoEntry } from '../generated/errno.js';

const byValue = new Map<number, ErrnoEntry>();
const byName = new Map<string, ErrnoEntry>();
for (const entry of ERRNO_TABLE) {
  byValue.set(entry.value, entry);
  byName.set(entry.name, entry);
}
for (const [alias, canonical] of Object.entries(ERRNO_ALIASES)) {
  const entry = byName.get(canonical);
  if (entry) byName.set(alias, entry);
}

/** The entry for an errno name or number (negated numbers allowed), or `undefined`. */
export function errnoEntry(nameOrValue: string | number): ErrnoEntry | undefined {
  if (typeof nameOrValue === 'number') {
    return Number.isInteger(nameOrValue) ? byValue.get(Math.abs(nameOrValue)) : undefined;
  }
  return byName.get(nameOrValue.trim().toUpperCase());
}

/** The number of an errno name: `errnoNumber('EINVAL')` is 22. */
export function errnoNumber(name: string): number | undefined {
  return errnoEntry(name)?.value;
}

/** The canonical name of an errno number: `errnoName(22)` and `errnoName(-22)` are `'EINVAL'`. */
export function errnoName(value: number): string | undefined {
  return errnoEntry(value)?.name;
}

/** The strerror() text of an errno name or number; `Unknown error N` when there is none. */
export function strerror(nameOrValue: string | number): string {
  return errnoEntry(nameOrValue)?.text ?? `Unknown error ${nameOrValue}`;
}
