/**
 * license_is_gpl_compatible() (include/linux/license.h): the license strings the kernel treats as
 * GPL-compatible, matched exactly. Only such programs may call GPL-only helpers.
 */
const GPL_COMPATIBLE = new Set(['GPL', 'GPL v2', 'GPL and additional rights', 'Dual BSD/GPL', 'Dual MIT/GPL', 'Dual MPL/GPL']);

export function isGplCompatible(license: string): boolean {
  return GPL_COMPATIBLE.has(license);
}
