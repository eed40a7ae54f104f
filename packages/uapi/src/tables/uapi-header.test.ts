/**
 * Checks the tables against the Linux uapi headers installed on this machine: every enum value
 * and helper id in /usr/include/linux/bpf.h, and every errno in asm-generic, must match. The
 * headers are older than the tables (Linux 6.1 on our machines), so newer entries are not checked
 * here; what the header has, the tables must have with the same number.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ABI_ENUMS, type AbiEnumName } from '../generated/enums.js';
import { HELPERS } from '../generated/helpers.js';
import { errnoNumber } from './errno.js';
import { lookupEnum } from './enums.js';

const BPF_H = '/usr/include/linux/bpf.h';
const ERRNO_H = ['/usr/include/asm-generic/errno-base.h', '/usr/include/asm-generic/errno.h'];

/** The text of a system header, or a failure that says what is missing and how to get it. */
function header(path: string): string {
  if (!existsSync(path)) {
    throw new Error(
      `${path} is missing: the uapi tables are checked against the installed Linux headers ` +
        '(Debian/Ubuntu: apt-get install linux-libc-dev). Every bpfhive machine is expected to have them.',
    );
  }
  return readFileSync(path, 'utf8');
}

function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
}

/** `[name, value]` for every member of `enum <name>`, resolving implicit values and aliases. */
function parseCEnum(text: string, enumName: string): Array<[string, number]> {
  const body = new RegExp(`enum\\s+${enumName}\\s*\\{([\\s\\S]*?)\\}`).exec(stripComments(text))?.[1];
  if (body === undefined) throw new Error(`enum ${enumName} not found in ${BPF_H}`);
  const values = new Map<string, number>();
  let next = 0;
  for (const member of body.split(',').map((m) => m.trim()).filter(Boolean)) {
    const [name = '', init] = member.split('=').map((s) => s.trim());
    let value = next;
    if (init !== undefined) {
      const known = values.get(init);
      value = known ?? Number(init.replace(/[()]/g, ''));
      if (!Number.isInteger(value)) throw new Error(`enum ${enumName}: cannot read ${member}`);
    }
    values.set(name, value);
    next = value + 1;
  }
  return [...values].filter(([name]) => !name.startsWith('__') && !name.startsWith('MAX_'));
}

/** `[name, id]` for every helper in the `__BPF_FUNC_MAPPER` (or `___BPF_FUNC_MAPPER`) macro. */
function parseFuncMapper(text: string): Array<[string, number]> {
  const start = /#define\s+_{2,3}BPF_FUNC_MAPPER\(/.exec(text);
  if (!start) throw new Error(`__BPF_FUNC_MAPPER not found in ${BPF_H}`);
  const lines: string[] = [];
  for (const line of text.slice(start.index).split('\n')) {
    lines.push(line);
    if (!line.trimEnd().endsWith('\\')) break;
  }
  const calls = [...lines.join('\n').matchAll(/\bFN\((\w+)(?:,\s*(\d+))?/g)];
  return calls.map((m, index) => [m[1] ?? '', m[2] === undefined ? index : Number(m[2])]);
}

const ENUMS: ReadonlyArray<[AbiEnumName, string]> = [
  ['bpf_cmd', 'bpf_cmd'],
  ['bpf_map_type', 'bpf_map_type'],
  ['bpf_prog_type', 'bpf_prog_type'],
  ['bpf_attach_type', 'bpf_attach_type'],
  ['bpf_link_type', 'bpf_link_type'],
];

describe('tables - agree with the installed uapi headers', () => {
  it.each(ENUMS)('tables - every %s value in linux/bpf.h matches the table', (tableName, enumName) => {
    const members = parseCEnum(header(BPF_H), enumName);
    expect(members.length).toBeGreaterThan(0);
    const { prefix } = ABI_ENUMS[tableName];
    for (const [name, value] of members) {
      expect(name.startsWith(prefix), `${name} should start with ${prefix}`).toBe(true);
      expect(lookupEnum(tableName, name)?.value, `${name} = ${value} in ${BPF_H}`).toBe(value);
    }
  });

  it('tables - every helper id in linux/bpf.h matches the table', () => {
    const helpers = parseFuncMapper(header(BPF_H));
    expect(helpers.length).toBeGreaterThan(200);
    for (const [name, id] of helpers) {
      expect(HELPERS[id]?.name, `BPF_FUNC_${name} = ${id} in ${BPF_H}`).toBe(name);
    }
  });

  it('tables - every errno in asm-generic matches the table', () => {
    const defines = ERRNO_H.flatMap((path) => [...header(path).matchAll(/^#define\s+(E\w+)\s+(\w+)/gm)]);
    expect(defines.length).toBeGreaterThan(100);
    for (const [, name = '', value = ''] of defines) {
      const expected = /^\d+$/.test(value) ? Number(value) : errnoNumber(value);
      expect(errnoNumber(name), `${name} ${value}`).toBe(expected);
    }
  });
});
