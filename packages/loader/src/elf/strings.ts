import { ElfError, hex } from './errors.js';
import type { ElfSection } from './types.js';

const decoder = new TextDecoder('utf-8', { fatal: false });

/**
 * The NUL-terminated string at `offset` of a string table section. Throws ElfError when the
 * offset lies outside the section or the string runs to its end without a NUL; `what`
 * starts the message ("section 7").
 */
export function stringFromTable(table: ElfSection, offset: number, what: string): string {
  if (offset >= table.data.length) {
    throw new ElfError(
      `${what}: name offset ${hex(offset)} lies beyond string table ${table.index} '${table.name}' (${hex(table.data.length)} bytes)`,
    );
  }
  const end = table.data.indexOf(0, offset);
  if (end < 0) throw new ElfError(`${what}: name at ${hex(offset)} in string table ${table.index} is not NUL-terminated`);
  return decoder.decode(table.data.subarray(offset, end));
}
